"""Demo models of Northwind Insurance: motor pricing, claims triage, a retired home GLM."""

from governance.demo.spec import CLASSICAL_ML, INSURANCE, DemoModel, DemoVersion

INSURANCE_MODELS: tuple[DemoModel, ...] = (
    DemoModel(
        slug="motor-pricing",
        name="Motor insurance risk premium",
        business_unit=INSURANCE,
        model_type=CLASSICAL_ML,
        status="production",
        owner="ines",
        developer="dev",
        validator="vera",
        framework="scikit-learn 1.5 Tweedie GLM + LightGBM 4.5 residual model",
        description="Risk premium for private motor policies: frequency-severity Tweedie GLM with "
        "a gradient-boosted residual model, monitored for proxy discrimination.",
        intended_purpose="Technical price for new business and renewals (fair value per FCA "
        "GIPP rules: no price walking).",
        versions=(
            DemoVersion("2025.1", "2025-01-13", "2025-01-27", "2025-03-01"),
            DemoVersion("2025.2", "2025-06-09", "2025-06-23", "2025-09-01"),
            DemoVersion("2026.1", "2026-01-12", "2026-01-26", "2026-03-01"),
        ),
        datasets=("motor-policies",),
        params={"power": 1.6, "alpha": 0.001, "gbm_rounds": 300, "excluded": ["gender"]},
        custom_fields={"regulatory_reference": "FCA PS21/5 (GIPP); Consumer Duty PRIN 2A"},
    ),
    DemoModel(
        slug="claims-triage",
        name="Motor claims triage",
        business_unit=INSURANCE,
        model_type=CLASSICAL_ML,
        status="validation",
        owner="ines",
        developer="dev",
        validator="vera",
        framework="XGBoost 2.1 + spaCy 3.7 text features",
        description="Routes new motor claims to fast-track settlement, standard handling or "
        "specialist (injury, suspected fraud) teams from the first notification of loss.",
        intended_purpose="Route claims to a handling team; a handler makes every settlement "
        "decision.",
        versions=(
            DemoVersion("1.0", "2026-06-15", "2026-07-06"),
            DemoVersion("1.1", "2026-10-05", "2026-10-19"),
        ),
        datasets=("motor-policies", "claims-notes"),
        params={"max_depth": 5, "eta": 0.1, "n_estimators": 400, "spacy_model": "en_core_web_md"},
    ),
    DemoModel(
        slug="home-pricing-glm",
        name="Home insurance pricing GLM (2021)",
        business_unit=INSURANCE,
        model_type=CLASSICAL_ML,
        status="retired",
        owner="ines",
        developer="dev",
        validator="vera",
        framework="scikit-learn 1.0 (Poisson-gamma GLMs)",
        description="Buildings and contents risk premium GLMs, retired when home insurance moved "
        "to a partner's rating engine.",
        intended_purpose="Technical price for home insurance (retired).",
        versions=(DemoVersion("2021.3", "2024-08-05", None, "2024-09-01"),),
        tracker="",
        retired_on="2025-11-30",
    ),
)
