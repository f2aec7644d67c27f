"""Demo models of Financial Crime: card fraud, AML monitoring, sanctions screening, APP fraud."""

from governance.demo.spec import CLASSICAL_ML, FINANCIAL_CRIME, DemoModel, DemoVersion

FINANCIAL_CRIME_MODELS: tuple[DemoModel, ...] = (
    DemoModel(
        slug="card-fraud",
        name="Card fraud detection (real time)",
        business_unit=FINANCIAL_CRIME,
        model_type="deep_learning",
        status="production",
        owner="felix",
        developer="priya",
        validator="victor",
        framework="PyTorch 2.4 (GRU over card transaction sequences)",
        description="Scores every card authorisation in under 30 ms from the card's last 50 "
        "transactions, merchant and device signals; scores above the threshold are declined or "
        "sent for step-up authentication.",
        intended_purpose="Real-time fraud screening of debit and credit card authorisations.",
        versions=(
            DemoVersion("3.0", "2025-02-03", "2025-02-10", "2025-03-03"),
            DemoVersion("3.1", "2025-05-05", "2025-05-12", "2025-06-02"),
            DemoVersion("3.2", "2025-11-03", "2025-11-10", "2025-12-01"),
            DemoVersion("4.0", "2026-08-03", "2026-08-17", "2026-09-14"),
        ),
        tracker="sagemaker",
        datasets=("card-transactions",),
        params={"hidden_size": 128, "sequence_length": 50, "epochs": 12, "fraud_weight": 40},
        custom_fields={
            "regulatory_reference": "PSD2 RTS on SCA Art. 18 (transaction risk analysis)"
        },
    ),
    DemoModel(
        slug="aml-transaction-monitoring",
        name="AML transaction monitoring alert scoring",
        business_unit=FINANCIAL_CRIME,
        model_type=CLASSICAL_ML,
        status="production",
        owner="felix",
        developer="priya",
        validator="victor",
        framework="XGBoost 2.1 (alert prioritisation over scenario rules)",
        description="Scores alerts raised by the transaction-monitoring scenarios by the "
        "likelihood that investigation ends in a suspicious activity report; low scores are "
        "sampled, never auto-closed.",
        intended_purpose="Prioritise the AML investigation queue.",
        versions=(
            DemoVersion("2.0", "2025-04-14", "2025-05-05", "2025-06-02"),
            DemoVersion("2.1", "2025-10-13", "2025-11-03", "2026-01-12"),
            DemoVersion("2.2", "2026-09-21", "2026-10-12"),
        ),
        datasets=("payments-ledger",),
        params={"max_depth": 6, "eta": 0.03, "n_estimators": 900, "below_threshold_sample": 0.05},
        custom_fields={"regulatory_reference": "Money Laundering Regulations 2017 reg. 19"},
    ),
    DemoModel(
        slug="sanctions-screening",
        name="Sanctions name screening",
        business_unit=FINANCIAL_CRIME,
        model_type="vendor",
        status="production",
        owner="felix",
        developer="priya",
        validator="victor",
        framework="fuzzy name matching engine (vendor)",
        description="Screens customers and payment parties against OFAC, UN, EU and UK "
        "consolidated lists with fuzzy, transliteration-aware name matching.",
        intended_purpose="Sanctions screening at onboarding and on every payment.",
        versions=(
            DemoVersion("11.4", "2024-12-02", None, "2025-01-13"),
            DemoVersion("12.0", "2025-08-25", "2025-09-08", "2025-10-06"),
        ),
        tracker="",
        vendor="Castellan Screening Solutions",
        custom_fields={"regulatory_reference": "Sanctions and Anti-Money Laundering Act 2018"},
    ),
    DemoModel(
        slug="app-fraud",
        name="Authorised push payment fraud model",
        business_unit=FINANCIAL_CRIME,
        model_type=CLASSICAL_ML,
        status="development",
        owner="felix",
        developer="priya",
        validator="victor",
        framework="LightGBM 4.5",
        description="Scores outgoing Faster Payments for authorised push payment scam risk from "
        "payee novelty, confirmation-of-payee result and behavioural signals.",
        intended_purpose="Trigger scam warnings and payment holds (PSR reimbursement rules).",
        versions=(DemoVersion("0.3", "2026-10-26"),),
        datasets=("payments-ledger",),
        params={"num_leaves": 63, "learning_rate": 0.03, "n_estimators": 1200},
    ),
)
