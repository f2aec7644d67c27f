"""The demo portfolio's risk answers: scoping and tier per model, EU AI Act per use case.

Northwind Bank is a UK and Irish bank with a US branch and IRB approval, so its models fall
under SR 26-2, PRA SS1/23 and (through Ireland) the EU AI Act; Northwind Insurance is in the EU
but neither a bank nor PRA SS1/23 firm.
"""

_BANK = {
    "used_in_business": True,
    "us_banking_org": True,
    "pra_firm": "internal_models",
    "eu_nexus": True,
}
_INSURER = {"used_in_business": True, "us_banking_org": False, "pra_firm": "no", "eu_nexus": True}

SCOPING = {
    "bank_statistical": {
        **_BANK,
        "quantitative_method": True,
        "technique": "statistical",
        "ai_system": True,
    },
    "bank_ml": {
        **_BANK,
        "quantitative_method": True,
        "technique": "machine_learning",
        "generative_or_agentic": False,
        "ai_system": True,
    },
    "bank_genai": {
        **_BANK,
        "quantitative_method": True,
        "technique": "machine_learning",
        "generative_or_agentic": True,
        "ai_system": True,
    },
    # Calculation engines and historical simulation: quantitative, but not AI systems.
    "bank_deterministic": {
        **_BANK,
        "quantitative_method": True,
        "technique": "deterministic",
        "ai_system": False,
    },
    "bank_statistical_not_ai": {
        **_BANK,
        "quantitative_method": True,
        "technique": "statistical",
        "ai_system": False,
    },
    "insurer_statistical": {
        **_INSURER,
        "quantitative_method": True,
        "technique": "statistical",
        "ai_system": True,
    },
    "insurer_ml": {
        **_INSURER,
        "quantitative_method": True,
        "technique": "machine_learning",
        "generative_or_agentic": False,
        "ai_system": True,
    },
}

TIERS = {
    "high": {
        "exposure": "very_high",
        "purpose": "regulatory",
        "complexity": "high",
        "reliance": "primary",
        "uncertainty": "high",
    },
    "high_customer": {
        "exposure": "high",
        "purpose": "customer_decisions",
        "complexity": "high",
        "reliance": "automated",
        "uncertainty": "moderate",
    },
    "medium": {
        "exposure": "moderate",
        "purpose": "risk_management",
        "complexity": "moderate",
        "reliance": "significant",
        "uncertainty": "moderate",
    },
    "low": {
        "exposure": "low",
        "purpose": "business_planning",
        "complexity": "low",
        "reliance": "supporting",
        "uncertainty": "low",
    },
}

# model slug -> (scoping profile, tier profile)
MODELS: dict[str, tuple[str, str]] = {
    "retail-pd": ("bank_statistical", "high"),
    "retail-lgd": ("bank_statistical", "high"),
    "retail-ead": ("bank_statistical", "high"),
    "ifrs9-staging": ("bank_statistical", "high"),
    "ifrs9-ecl": ("bank_deterministic", "high"),
    "mortgage-prepayment": ("bank_statistical", "medium"),
    "collections-propensity": ("bank_ml", "medium"),
    "bureau-score": ("bank_ml", "high_customer"),
    "affordability": ("bank_statistical", "high_customer"),
    "legacy-application-scorecard": ("bank_statistical", "medium"),
    "card-fraud": ("bank_ml", "high_customer"),
    "aml-transaction-monitoring": ("bank_ml", "high"),
    "sanctions-screening": ("bank_ml", "high"),
    "app-fraud": ("bank_ml", "medium"),
    "motor-pricing": ("insurer_ml", "high_customer"),
    "claims-triage": ("insurer_ml", "medium"),
    "home-pricing-glm": ("insurer_statistical", "medium"),
    "cash-forecast": ("bank_ml", "low"),
    "market-risk-var": ("bank_statistical_not_ai", "high"),
    "nmd-behavioural": ("bank_statistical_not_ai", "medium"),
    "corporate-rating": ("bank_statistical", "high"),
    "credit-memo-summariser": ("bank_genai", "low"),
    "cv-screening": ("bank_ml", "high_customer"),
    "support-assistant": ("bank_genai", "medium"),
    "current-account-churn": ("bank_ml", "low"),
    "agent-emotion-insights": ("bank_ml", "medium"),
}

_NOT_ANNEX_III = {"annex_iii_area": "none"}
_NO_ART_50 = {
    "interacts_with_people": False,
    "generates_synthetic_content": False,
    "emotion_or_biometric_categorisation": False,
}
_BASE = {"prohibited_practices": ["none"], "annex_i_product": False, "gpai_model": False}


def _annex_iii(area: str, point: str) -> dict[str, object]:
    return {
        "annex_iii_area": area,
        "annex_iii_point": point,
        "art6_3_conditions": ["none"],
        "profiles_natural_persons": True,
    }


# use case slug -> EU AI Act answers
USE_CASES: dict[str, dict[str, object]] = {
    "retail-creditworthiness": {
        **_BASE,
        **_NO_ART_50,
        "role": "provider_and_deployer",
        **_annex_iii("essential_services", "creditworthiness"),
    },
    "credit-limit-management": {
        **_BASE,
        **_NO_ART_50,
        "role": "provider_and_deployer",
        **_annex_iii("essential_services", "creditworthiness"),
    },
    "graduate-recruitment-screening": {
        **_BASE,
        **_NO_ART_50,
        "role": "provider_and_deployer",
        **_annex_iii("employment", "recruitment"),
    },
    "customer-support-chatbot": {
        **_BASE,
        **_NOT_ANNEX_III,
        "role": "provider_and_deployer",
        "interacts_with_people": True,
        "generates_synthetic_content": True,
        "deep_fake": False,
        "public_interest_text": False,
        "emotion_or_biometric_categorisation": False,
    },
    "motor-insurance-pricing": {
        **_BASE,
        **_NO_ART_50,
        **_NOT_ANNEX_III,
        "role": "provider_and_deployer",
    },
    "motor-claims-handling": {
        **_BASE,
        **_NO_ART_50,
        **_NOT_ANNEX_III,
        "role": "provider_and_deployer",
    },
    "aml-monitoring": {**_BASE, **_NO_ART_50, **_NOT_ANNEX_III, "role": "provider_and_deployer"},
    "ifrs9-provisioning": {
        **_BASE,
        **_NO_ART_50,
        **_NOT_ANNEX_III,
        "role": "provider_and_deployer",
    },
    "agent-emotion-monitoring": {
        **_BASE,
        **_NOT_ANNEX_III,
        "role": "deployer",
        "prohibited_practices": ["emotion_recognition_work_education"],
        "interacts_with_people": False,
        "generates_synthetic_content": False,
        "emotion_or_biometric_categorisation": True,
    },
}

# Classifications the committee chair has confirmed (the rest await review).
CONFIRMED_USE_CASES = (
    "retail-creditworthiness",
    "graduate-recruitment-screening",
    "agent-emotion-monitoring",
)

# Models whose owners have started evidencing their checklists: (slug, share of link-evidenced
# obligations as 1-in-N left open, obligations waived by the committee chair).
EVIDENCED = {
    "retail-pd": 4,
    "cv-screening": 3,
    "support-assistant": 2,
}
WAIVED = {"cv-screening": ("pra.p5.1", "Vendor-free in-house model; no post-model adjustments")}
