"""Questionnaire answers valid under the shipped rulebooks, and answering through the services."""

from django.contrib.auth.models import AbstractBaseUser

from governance.risk.models import RiskAssessment
from governance.risk.services import assessments
from registry.models import MLModel, UseCase

# A US and UK bank's statistical scorecard: in scope of SR 26-2 and PRA SS1/23.
US_BANK_SCORECARD = {
    "quantitative_method": True,
    "technique": "statistical",
    "used_in_business": True,
    "ai_system": False,
    "us_banking_org": True,
    "pra_firm": "internal_models",
    "eu_nexus": False,
}
# Scorecard tiering: 0.3*5 + 0.2*5 + 0.2*4 + 0.15*4 + 0.15*4 = 4.5, tier 1.
TIER_1 = {
    "exposure": "very_high",
    "purpose": "regulatory",
    "complexity": "high",
    "reliance": "primary",
    "uncertainty": "high",
}
# 0.3*1 + 0.2*1 + 0.2*1 + 0.15*2 + 0.15*1 = 1.15, tier 3.
TIER_3 = {
    "exposure": "minimal",
    "purpose": "internal_information",
    "complexity": "very_low",
    "reliance": "supporting",
    "uncertainty": "very_low",
}
# Credit scoring of people (Annex III 5(b)) that profiles them: high-risk under Art. 6(2).
EU_CREDIT_SCORING = {
    "role": "provider_and_deployer",
    "prohibited_practices": ["none"],
    "annex_i_product": False,
    "annex_iii_area": "essential_services",
    "annex_iii_point": "creditworthiness",
    "art6_3_conditions": ["none"],
    "profiles_natural_persons": True,
    "interacts_with_people": False,
    "generates_synthetic_content": False,
    "emotion_or_biometric_categorisation": False,
    "gpai_model": False,
}
# A deployer's internal tool in no Annex III area, with no Art. 50 trigger: minimal risk.
EU_MINIMAL = {
    "role": "deployer",
    "prohibited_practices": ["none"],
    "annex_i_product": False,
    "annex_iii_area": "none",
    "interacts_with_people": False,
    "generates_synthetic_content": False,
    "emotion_or_biometric_categorisation": False,
    "gpai_model": False,
}
# Emotion recognition of staff at work: prohibited under Art. 5(1)(f).
EU_WORKPLACE_EMOTIONS = {
    **EU_MINIMAL,
    "prohibited_practices": ["emotion_recognition_work_education"],
    "emotion_or_biometric_categorisation": True,
}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # the smallest file that passes for a PDF


def assess(
    actor: AbstractBaseUser, subject: MLModel | UseCase, framework: str, answers: dict
) -> RiskAssessment:
    """Answer and classify through the services, as the UI and API do."""
    draft = assessments.save_answers(
        actor=actor, framework=framework, subject=subject, answers=answers
    )
    return assessments.complete(actor=actor, draft=draft)
