"""Realistic systems, classified under the newest rulebook (version 4, with Art. 25): the facts in
plain words, the answers they give, and the category and every citation expected (in the order the
result lists them)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from governance.risk.rules import eu_ai_act, obligations
from governance.risk.rules.results import AnswersContradict
from tests.governance.risk.test_eu_ai_act_citations import AMENDED, CATALOG, V3, V4

AS_OF = date(2026, 12, 7)
LITERACY = "Art. 4"

# What a system answers when nothing in it triggers a rule.
PLAIN: dict[str, Any] = {
    "role": "deployer",
    "art2_exclusions": ["none"],
    "prohibited_practices": ["none"],
    "annex_i_product": False,
    "annex_iii_area": ["none"],
    "interacts_with_people": False,
    "generates_synthetic_content": False,
    "emotion_or_biometric_categorisation": False,
    "gpai_model": False,
    "public_service_deployer": False,  # a bank: asked only about an Annex III use
}
FRIA, EXPLAIN = "Art. 27(1)", "Art. 86(1)"


@dataclass(frozen=True)
class System:
    id: str
    facts: str
    answers: dict[str, Any]
    result: str
    cited: tuple[str, ...]
    rules: tuple[str, ...] = field(default=())
    # The Art. 25(1) points that make a deployer the provider (its role then both).
    provider_under: tuple[str, ...] = field(default=())


def uses(
    areas: list[str],
    points: list[str],
    conditions: tuple[str, ...] = ("none",),
    *,
    profiles: bool = False,
    **more: Any,
) -> dict[str, Any]:
    return {
        **PLAIN,
        "annex_iii_area": areas,
        "annex_iii_point": points,
        "art6_3_conditions": list(conditions),
        "profiles_natural_persons": profiles,
        **more,
    }


def outside(*keys: str, **more: Any) -> dict[str, Any]:
    return {**PLAIN, "art2_exclusions": list(keys), **more}


SYSTEMS = [
    # ---- Annex III: high-risk uses, one or several ----
    System(
        "bank_credit_scoring",
        "A bank uses a vendor's retail credit-scoring model to accept or refuse loan applications.",
        uses(["essential_services"], ["creditworthiness"]),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(b)", FRIA, EXPLAIN, LITERACY),
        ("eu.art6.2", "eu.art27", "eu.art86", "eu.art4"),
    ),
    System(
        "credit_scoring_that_profiles",
        "The bank's own scorecard prepares the underwriter's file and scores each applicant's "
        "repayment behaviour from their history.",
        uses(["essential_services"], ["creditworthiness"], ("preparatory_task",), profiles=True),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(b)", "Art. 6(3) third subparagraph", FRIA, EXPLAIN, LITERACY),
        ("eu.art6.3.profiling", "eu.art27", "eu.art86", "eu.art4"),
    ),
    System(
        "life_insurance_pricing",
        "An insurer prices term-life policies from applicants' health questionnaires.",
        uses(["essential_services"], ["life_health_insurance"], role="provider_and_deployer"),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(c)", FRIA, EXPLAIN, LITERACY),
    ),
    System(
        "driver_drowsiness_at_work",
        "A logistics firm watches its drivers' faces for fatigue, for safety, and uses the alerts "
        "in their performance reviews.",
        uses(
            ["biometrics", "employment"],
            ["emotion_recognition", "work_relationship_decisions"],
            emotion_or_biometric_categorisation=True,
        ),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 1(c)", "Annex III 4(b)", "Art. 50(3)", EXPLAIN, LITERACY),
        ("eu.art6.2", "eu.art50.3", "eu.art86", "eu.art4"),
    ),
    System(
        "cv_screening_and_promotion",
        "An HR software vendor's suite ranks job applicants and later recommends which "
        "employees to promote; the vendor does not use it itself.",
        uses(["employment"], ["recruitment", "work_relationship_decisions"], role="provider"),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 4(a)", "Annex III 4(b)", LITERACY),
    ),
    System(
        "grid_load_safety",
        "A utility's model is a safety component that sheds electricity load to keep the grid "
        "stable.",
        uses(["critical_infrastructure"], ["critical_infrastructure_safety"]),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 2", LITERACY),
    ),
    System(
        "exam_proctoring_at_a_public_university",
        "A public university flags students who seem to cheat during remote exams.",
        uses(["education"], ["test_monitoring"], public_service_deployer=True),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 3(d)", FRIA, EXPLAIN, LITERACY),
        ("eu.art6.2", "eu.art27", "eu.art86", "eu.art4"),
    ),
    System(
        "exam_proctoring_at_a_private_training_firm",
        "A private training company flags candidates who seem to cheat in its own exams.",
        uses(["education"], ["test_monitoring"]),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 3(d)", EXPLAIN, LITERACY),
    ),
    System(
        "grid_load_safety_at_a_public_utility",
        "A municipal utility's model is a safety component that sheds electricity load.",
        uses(
            ["critical_infrastructure"],
            ["critical_infrastructure_safety"],
            public_service_deployer=True,
        ),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 2", LITERACY),
        ("eu.art6.2", "eu.art4"),
    ),
    System(
        "emergency_triage_by_a_private_ambulance_service",
        "A private ambulance company contracted by the region prioritises emergency calls.",
        uses(["essential_services"], ["emergency_triage"], public_service_deployer=True),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(d)", FRIA, EXPLAIN, LITERACY),
    ),
    System(
        "credit_scoring_vendor",
        "A fintech sells a credit-scoring model to banks and does not lend itself.",
        uses(["essential_services"], ["creditworthiness"], role="provider"),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(b)", LITERACY),
        ("eu.art6.2", "eu.art4"),
    ),
    System(
        "benefits_eligibility_chatbot",
        "A city's assistant talks to residents and decides whether they qualify for housing "
        "benefit.",
        uses(
            ["essential_services"],
            ["public_benefits"],
            interacts_with_people=True,
            public_service_deployer=True,
        ),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(a)", "Art. 50(1)", FRIA, EXPLAIN, LITERACY),
    ),
    # ---- Art. 6(3): derogation, and the first subparagraph's significant risk ----
    System(
        "duplicate_loan_file_check",
        "The bank's tool only spots duplicate documents in loan files before a person decides.",
        uses(
            ["essential_services"],
            ["creditworthiness"],
            ("narrow_procedural_task",),
            role="provider",
        ),
        "annex_iii_not_high_risk",
        ("Art. 6(3)", "Art. 6(3)(a)", "Annex III 5(b)", "Art. 6(4)", "Art. 49(2)", LITERACY),
        ("eu.art6.3", "eu.art4"),
    ),
    System(
        "cv_pre_sort_that_decides_in_practice",
        "A pre-sorting tool prepares shortlists, but recruiters in practice interview only whom it "
        "ranks first.",
        uses(
            ["employment"],
            ["recruitment"],
            ("preparatory_task",),
            art6_3_significant_risk=True,
        ),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 4(a)", "Art. 6(3) first subparagraph", EXPLAIN, LITERACY),
        ("eu.art6.3.significant_risk", "eu.art86", "eu.art4"),
    ),
    # ---- Uses an Annex III point excludes ----
    System(
        "card_fraud_detection",
        "A bank flags card transactions that look fraudulent.",
        uses(["essential_services"], ["financial_fraud_detection"]),
        "minimal",
        ("Annex III 5(b)", LITERACY),
        ("eu.annex_iii.excluded", "eu.minimal", "eu.art4"),
    ),
    System(
        "fraud_detection_and_credit_scoring",
        "One model both flags fraud and scores applicants' creditworthiness.",
        uses(["essential_services"], ["creditworthiness", "financial_fraud_detection"]),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(b)", FRIA, EXPLAIN, LITERACY),
        ("eu.art6.2", "eu.annex_iii.excluded", "eu.art27", "eu.art86", "eu.art4"),
    ),
    System(
        "motor_insurance_pricing",
        "An insurer prices car insurance from driving data.",
        uses(["essential_services"], ["other_insurance_pricing"]),
        "minimal",
        ("Annex III 5(c)", LITERACY),
    ),
    System(
        "face_unlock_banking_app",
        "A banking app lets customers log in by matching their face to their own enrolled photo.",
        uses(["biometrics"], ["biometric_verification"]),
        "minimal",
        ("Annex III 1(a)", LITERACY),
    ),
    System(
        "passport_check_at_border",
        "Border guards' tool checks that passports are genuine.",
        uses(["migration"], ["travel_document_verification"]),
        "minimal",
        ("Annex III 7(d)", LITERACY),
    ),
    System(
        "campaign_logistics",
        "A party plans canvassing routes; voters never see the tool's output.",
        uses(["justice_democracy"], ["campaign_back_office"]),
        "minimal",
        ("Annex III 8(b)", LITERACY),
    ),
    System(
        "fraud_chatbot",
        "A chatbot asks customers about suspicious payments it has flagged as fraud.",
        uses(["essential_services"], ["financial_fraud_detection"], interacts_with_people=True),
        "transparency",
        ("Annex III 5(b)", "Art. 50(1)", LITERACY),
    ),
    # ---- Art. 2: outside the Act ----
    System(
        "military_targeting",
        "A defence contractor's target-recognition model, used only by the armed forces.",
        outside("military_defence_national_security", role="provider"),
        "outside_act",
        ("Art. 2(3)",),
        ("eu.art2",),
    ),
    System(
        "military_and_otherwise_banned",
        "A national-security agency's tool that would otherwise be a banned practice.",
        outside("military_defence_national_security", prohibited_practices=["social_scoring"]),
        "outside_act",
        ("Art. 2(3)",),
    ),
    System(
        "university_research_model",
        "A research lab's model built and used only for a scientific study.",
        outside("scientific_research", role="provider"),
        "outside_act",
        ("Art. 2(6)",),
    ),
    System(
        "prototype_in_the_lab",
        "A bank's credit prototype, tested on historical data before any launch.",
        outside("pre_market_research", role="provider"),
        "outside_act",
        ("Art. 2(8)",),
    ),
    System(
        "research_prototype",
        "A lab prototype built for a study and not yet released.",
        outside("scientific_research", "pre_market_research", role="provider"),
        "outside_act",
        ("Art. 2(6)", "Art. 2(8)"),
        ("eu.art2", "eu.art2"),
    ),
    System(
        "personal_photo_sorter",
        "Someone sorts their holiday photos with an app at home.",
        outside("personal_non_professional"),
        "outside_act",
        ("Art. 2(10)",),
    ),
    # ---- Art. 5 ----
    System(
        "social_scoring_of_citizens",
        "A scheme rates residents' trustworthiness and denies unrelated services to low scorers.",
        {**PLAIN, "prohibited_practices": ["social_scoring"]},
        "prohibited",
        ("Art. 5(1)(c)", LITERACY),
    ),
    System(
        "nudify_app",
        "An app makes sexual images of real people from their ordinary photos.",
        {**PLAIN, "prohibited_practices": ["intimate_imagery_csam"], "role": "provider"},
        "prohibited",
        ("Art. 5(1)(ba)", LITERACY),
    ),
    System(
        "csam_generator",
        "An image model marketed without safeguards that foreseeably produces child abuse "
        "material.",
        {**PLAIN, "prohibited_practices": ["csam_generation"], "role": "provider"},
        "prohibited",
        ("Art. 5(1)(bb)", LITERACY),
    ),
    # ---- Art. 50 and the rest ----
    System(
        "customer_service_chatbot",
        "A bank's website assistant answers customers' questions.",
        {**PLAIN, "interacts_with_people": True, "role": "provider"},
        "transparency",
        ("Art. 50(1)", LITERACY),
    ),
    System(
        "marketing_video_deep_fake",
        "A marketing team makes a video of a real celebrity saying things they never said.",
        {
            **PLAIN,
            "generates_synthetic_content": True,
            "deep_fake": True,
            "public_interest_text": False,
        },
        "transparency",
        ("Art. 50(2)", "Art. 50(4)", LITERACY),
    ),
    System(
        "foundation_model_provider",
        "A lab provides a general-purpose model trained with 3e25 FLOPs.",
        {
            **PLAIN,
            "role": "provider",
            "gpai_model": True,
            "training_compute_flops": 3e25,
            "gpai_designated_systemic": False,
        },
        "gpai_systemic",
        ("Art. 53", "Art. 51(2)", "Art. 55", LITERACY),
    ),
    System(
        "infusion_pump_dosing",
        "Dosing software in an infusion pump, a medical device that needs a notified body.",
        {**PLAIN, "annex_i_product": True, "annex_i_third_party_assessment": True},
        "high_risk_annex_i",
        ("Art. 6(1)", "Annex I", LITERACY),
    ),
    System(
        "internal_document_search",
        "Staff search internal policies with a ranking model.",
        PLAIN,
        "minimal",
        ("Art. 95", LITERACY),
    ),
    # ---- Answers stored before version 3: one area as a string, no new questions ----
    System(
        "credit_scoring_answered_under_version_2",
        "The bank's credit scoring, answered before several areas could be ticked.",
        {
            key: value
            for key, value in {
                **uses(["essential_services"], ["creditworthiness"], ("narrow_procedural_task",)),
                "annex_iii_area": "essential_services",
                "annex_iii_point": "creditworthiness",
                "role": "provider",
            }.items()
            if key != "art2_exclusions"
        },
        "annex_iii_not_high_risk",
        ("Art. 6(3)", "Art. 6(3)(a)", "Annex III 5(b)", "Art. 6(4)", "Art. 49(2)", LITERACY),
    ),
]


def banned(id: str, facts: str, practice: str, cited: tuple[str, ...], **more: Any) -> System:
    answers = {**PLAIN, "prohibited_practices": [practice], **more}
    return System(id, facts, answers, "prohibited", (*cited, LITERACY))


def listed(
    id: str, facts: str, area: str, point: str, cited: tuple[str, ...], **more: Any
) -> System:
    """A high-risk Annex III use, no condition claimed: Art. 6(2), the point, what follows."""
    answers = uses([area], [point], **more)
    return System(id, facts, answers, "high_risk_annex_iii", ("Art. 6(2)", *cited, LITERACY))


PUBLIC = {"public_service_deployer": True}
SYSTEMS += [
    # ---- Every other Art. 5 point ----
    banned(
        "subliminal_ads",
        "Ads that flash cues below awareness to push people into buying they later regret.",
        "manipulative_techniques",
        ("Art. 5(1)(a)",),
    ),
    banned(
        "predatory_loans_to_the_elderly",
        "A lender targets people with dementia with loan offers built to exploit their confusion.",
        "exploiting_vulnerabilities",
        ("Art. 5(1)(b)",),
    ),
    banned(
        "crime_prediction_from_personality",
        "Police rate who will commit a crime from personality traits alone.",
        "predictive_policing",
        ("Art. 5(1)(d)",),
    ),
    banned(
        "face_database_scraping",
        "A vendor builds a face-recognition database by scraping photos from social media.",
        "facial_image_scraping",
        ("Art. 5(1)(e)",),
    ),
    banned(
        "call_centre_emotion_scoring",
        "A bank scores its call-centre agents' emotions from their voices to rate them.",
        "emotion_recognition_work_education",
        ("Art. 5(1)(f)", "Art. 50(3)"),
        emotion_or_biometric_categorisation=True,
    ),
    banned(
        "orientation_from_faces",
        "An app infers people's sexual orientation from their photos.",
        "biometric_categorisation_sensitive_traits",
        ("Art. 5(1)(g)", "Art. 50(3)"),
        emotion_or_biometric_categorisation=True,
    ),
    banned(
        "live_face_recognition_by_police",
        "Police identify passers-by in a public square in real time.",
        "realtime_remote_biometric_identification",
        ("Art. 5(1)(h)",),
    ),
    # ---- Every other Annex III point, with who owes Art. 27 and Art. 86 ----
    listed(
        "shop_face_identification",
        "A retailer identifies known shoplifters from CCTV at a distance.",
        "biometrics",
        "remote_biometric_identification",
        ("Annex III 1(a)", EXPLAIN),
    ),
    listed(
        "customer_categorisation_by_ethnicity",
        "A system sorts customers by inferred ethnicity from their faces.",
        "biometrics",
        "biometric_categorisation",
        ("Annex III 1(b)", "Art. 50(3)", EXPLAIN),
        emotion_or_biometric_categorisation=True,
    ),
    listed(
        "public_university_admissions",
        "A state university ranks applicants for admission.",
        "education",
        "education_access",
        ("Annex III 3(a)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "private_essay_grading",
        "A private language school grades students' essays.",
        "education",
        "learning_outcomes",
        ("Annex III 3(b)", EXPLAIN),
    ),
    listed(
        "public_school_placement",
        "A school authority decides which level of course each pupil may take.",
        "education",
        "education_level",
        ("Annex III 3(c)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "victim_risk_by_police",
        "Police assess the risk that a domestic-abuse victim will be harmed again.",
        "law_enforcement",
        "victim_risk",
        ("Annex III 6(a)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "police_voice_stress_test",
        "Police use a voice-stress lie detector in interviews.",
        "law_enforcement",
        "law_enforcement_polygraph",
        ("Annex III 6(b)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "evidence_reliability_scoring",
        "Prosecutors rate how reliable each piece of evidence is.",
        "law_enforcement",
        "evidence_reliability",
        ("Annex III 6(c)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "parole_reoffending_risk",
        "A parole board's tool rates re-offending risk from criminal history.",
        "law_enforcement",
        "offending_risk",
        ("Annex III 6(d)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    System(
        "criminal_profiling",
        "Investigators profile suspects in a fraud investigation.",
        uses(["law_enforcement"], ["criminal_profiling"], profiles=True, **PUBLIC),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 6(e)", "Art. 6(3) third subparagraph", FRIA, EXPLAIN, LITERACY),
    ),
    listed(
        "border_lie_detector",
        "Border guards question travellers with an automated lie detector.",
        "migration",
        "migration_polygraph",
        ("Annex III 7(a)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "arrival_health_risk",
        "Authorities rate the health risk of people arriving at a port.",
        "migration",
        "migration_risk",
        ("Annex III 7(b)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "visa_application_triage",
        "A consulate's tool sorts visa applications for examination.",
        "migration",
        "asylum_visa_residence",
        ("Annex III 7(c)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "border_face_matching",
        "Border police identify people crossing irregularly by matching their faces.",
        "migration",
        "migration_identification",
        ("Annex III 7(d)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "judge_research_assistant",
        "A court's assistant finds and applies case law to the facts of a case.",
        "justice_democracy",
        "judicial_assistance",
        ("Annex III 8(a)", FRIA, EXPLAIN),
        **PUBLIC,
    ),
    listed(
        "voter_microtargeting",
        "A party's tool targets voters with messages to change how they vote.",
        "justice_democracy",
        "election_influence",
        ("Annex III 8(b)", EXPLAIN),
    ),
    # ---- The rest of Art. 50, GPAI and Annex I ----
    System(
        "news_summaries_published",
        "A newspaper publishes AI-written summaries of council meetings without editing them.",
        {
            **PLAIN,
            "generates_synthetic_content": True,
            "deep_fake": False,
            "public_interest_text": True,
        },
        "transparency",
        ("Art. 50(2)", "Art. 50(4)", LITERACY),
    ),
    System(
        "designated_small_model",
        "A modest general-purpose model the Commission designated for its reach.",
        {
            **PLAIN,
            "role": "provider",
            "gpai_model": True,
            "training_compute_flops": 4e23,
            "gpai_designated_systemic": True,
        },
        "gpai_systemic",
        ("Art. 53", "Art. 51(1)(b)", "Art. 55", LITERACY),
    ),
    System(
        "small_open_model",
        "A lab provides a general-purpose model trained with 1e23 FLOPs.",
        {
            **PLAIN,
            "role": "provider",
            "gpai_model": True,
            "training_compute_flops": 1e23,
            "gpai_designated_systemic": False,
        },
        "gpai",
        ("Art. 53", LITERACY),
    ),
    System(
        "toy_with_self_assessment",
        "A toy's speech feature, under toy safety rules that need no notified body.",
        {**PLAIN, "annex_i_product": True, "annex_i_third_party_assessment": False},
        "minimal",
        ("Art. 6(1)(b)", "Art. 95", LITERACY),
    ),
]


# A recruitment tool answered under version 2: the deployer question did not exist, so it takes
# the cautious default and the impact assessment every Annex III deployer did stays owed.
SYSTEMS.append(
    System(
        "recruitment_answered_under_version_2",
        "A bank's CV screening, answered before the deployer question existed.",
        {
            **{
                k: v
                for k, v in uses(["employment"], ["recruitment"]).items()
                if k not in ("art2_exclusions", "public_service_deployer")
            },
            "annex_iii_area": "employment",
            "annex_iii_point": "recruitment",
        },
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 4(a)", FRIA, EXPLAIN, LITERACY),
    )
)


# ---- Art. 25: a deployer considered the provider (version 4) ----
VENDOR_SCORING = uses(["essential_services"], ["creditworthiness"])
SYSTEMS += [
    System(
        "bank_rebrands_vendor_credit_scoring",
        "A bank offers a vendor's credit-scoring system to its broker network as its own "
        "branded product.",
        {**VENDOR_SCORING, "art25_provider_conversion": ["own_name_or_trademark"]},
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(b)", "Art. 25(1)(a)", FRIA, EXPLAIN, LITERACY),
        ("eu.art6.2", "eu.art25.1", "eu.art27", "eu.art86", "eu.art4"),
        provider_under=("Art. 25(1)(a)",),
    ),
    System(
        "bank_retrains_vendor_cv_screening",
        "A bank retrains a vendor's CV-screening model on its own hiring data and changes its "
        "ranking logic, beyond what the vendor foresaw.",
        uses(
            ["employment"], ["recruitment"], art25_provider_conversion=["substantial_modification"]
        ),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 4(a)", "Art. 25(1)(b)", EXPLAIN, LITERACY),
        provider_under=("Art. 25(1)(b)",),
    ),
    System(
        "service_chatbot_turned_loan_pre_approval",
        "A bank turns the general customer-service chatbot it licenses into a tool that "
        "pre-approves personal loans.",
        uses(
            ["essential_services"],
            ["creditworthiness"],
            interacts_with_people=True,
            art25_provider_conversion=["intended_purpose_changed"],
        ),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(b)", "Art. 25(1)(c)", "Art. 50(1)", FRIA, EXPLAIN, LITERACY),
        ("eu.art6.2", "eu.art25.1", "eu.art50.1", "eu.art27", "eu.art86", "eu.art4"),
        provider_under=("Art. 25(1)(c)",),
    ),
    System(
        "hospital_modifies_diagnostic_device",
        "A hospital changes the AI in a certified diagnostic device so much that it needs a new "
        "conformity assessment.",
        {
            **PLAIN,
            "annex_i_product": True,
            "annex_i_third_party_assessment": True,
            "art25_provider_conversion": ["substantial_modification"],
        },
        "high_risk_annex_i",
        ("Art. 6(1)", "Annex I", "Art. 25(1)(b)", LITERACY),
        provider_under=("Art. 25(1)(b)",),
    ),
    System(
        "bank_rebrands_and_retrains_credit_scoring",
        "A bank retrains a vendor's credit-scoring model and sells it under its own brand.",
        {
            **VENDOR_SCORING,
            "art25_provider_conversion": ["own_name_or_trademark", "substantial_modification"],
        },
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(b)", "Art. 25(1)(a)", "Art. 25(1)(b)", FRIA, EXPLAIN, LITERACY),
        provider_under=("Art. 25(1)(a)", "Art. 25(1)(b)"),
    ),
    System(
        "bank_uses_vendor_credit_scoring_as_supplied",
        "A bank uses a vendor's credit-scoring system unchanged, under the vendor's name.",
        {**VENDOR_SCORING, "art25_provider_conversion": ["none"]},
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(b)", FRIA, EXPLAIN, LITERACY),
        ("eu.art6.2", "eu.art27", "eu.art86", "eu.art4"),
    ),
    System(
        "bank_rebrands_a_faq_chatbot",
        "A bank puts its own brand on a vendor's FAQ chatbot: not high-risk, so still a deployer.",
        {
            **PLAIN,
            "interacts_with_people": True,
            "art25_provider_conversion": ["own_name_or_trademark"],
        },
        "transparency",
        ("Art. 25(1)", "Art. 50(1)", LITERACY),
        ("eu.art25.not_high_risk", "eu.art50.1", "eu.art4"),
    ),
    System(
        "bank_rebrands_a_preparatory_tool",
        "A bank brands a vendor's tool that only sorts loan files before an underwriter's "
        "assessment: not high-risk under Art. 6(3), so still a deployer.",
        uses(
            ["essential_services"],
            ["creditworthiness"],
            ("preparatory_task",),
            art25_provider_conversion=["own_name_or_trademark"],
        ),
        "annex_iii_not_high_risk",
        (
            "Art. 6(3)",
            "Art. 6(3)(d)",
            "Annex III 5(b)",
            "Art. 6(4)",
            "Art. 49(2)",
            "Art. 25(1)",
            LITERACY,
        ),
    ),
]


@pytest.mark.parametrize("system", SYSTEMS, ids=[s.id for s in SYSTEMS])
def test_realistic_system(system):
    outcome = eu_ai_act.classify(system.answers, V4, as_of=AS_OF)
    assert outcome.result == system.result, system.facts
    assert outcome.legal_basis == system.cited, system.facts
    if system.rules:
        assert tuple(reason.rule for reason in outcome.reasons) == system.rules
    assert set(outcome.legal_basis) <= AMENDED
    assert outcome.details.get("provider_under", []) == list(system.provider_under)
    if system.provider_under:
        assert outcome.details["role"] == "provider_and_deployer"
    else:
        assert outcome.details["role"] == system.answers["role"]


@pytest.mark.parametrize(
    "system",
    [s for s in SYSTEMS if "art25_provider_conversion" not in s.answers],
    ids=lambda s: s.id,
)
def test_answers_given_before_version_4_keep_their_result(system):
    before = eu_ai_act.classify(system.answers, V3, as_of=AS_OF)
    after = eu_ai_act.classify(system.answers, V4, as_of=AS_OF)
    assert (after.result, after.legal_basis, after.reasons, after.labels) == (
        before.result,
        before.legal_basis,
        before.reasons,
        before.labels,
    )
    assert {**after.details, "rulebook": 3} == before.details


def test_a_deployer_made_provider_owes_the_provider_obligations_as_well():
    converted = next(s for s in SYSTEMS if s.id == "bank_rebrands_vendor_credit_scoring")
    supplied = next(s for s in SYSTEMS if s.id == "bank_uses_vendor_credit_scoring_as_supplied")

    def owed(system: System) -> set[str]:
        outcome = eu_ai_act.classify(system.answers, V4, as_of=AS_OF)
        return {e["reference"] for e in obligations.applicable([CATALOG], {"eu_ai_act": outcome})}

    added = owed(converted) - owed(supplied)
    provider = {"Art. 9", "Art. 9(8)", "Art. 10(2)", "Art. 11", "Art. 12", "Art. 13", "Art. 14",
                "Art. 16(b)", "Art. 17", "Art. 43", "Art. 47", "Art. 48", "Art. 49(1)",
                "Art. 72"}  # fmt: skip
    assert provider <= added
    assert {"Art. 26(1)", FRIA, EXPLAIN} <= owed(converted) & owed(supplied)


def test_the_art_25_question_is_asked_of_a_deployer_only_and_may_be_left_unanswered():
    asked = {q.key: q for q in eu_ai_act.questions(V4)}
    question = asked["art25_provider_conversion"]
    assert question.shown_if == ("role", "deployer") and not question.required
    assert [k for k, _ in question.choices] == [
        "own_name_or_trademark",
        "substantial_modification",
        "intended_purpose_changed",
        "none",
    ]
    assert "art25_provider_conversion" not in {q.key for q in eu_ai_act.questions(V3)}
    # A provider already owes the provider's obligations: a stale answer is ignored.
    rebranded = {**VENDOR_SCORING, "art25_provider_conversion": ["own_name_or_trademark"]}
    outcome = eu_ai_act.classify({**rebranded, "role": "provider"}, V4, as_of=AS_OF)
    assert "Art. 25(1)(a)" not in outcome.legal_basis and "provider_under" not in outcome.details
    # Left unanswered (as under version 3), none applies.
    assert eu_ai_act.classify(VENDOR_SCORING, V4, as_of=AS_OF).details["role"] == "deployer"


def test_the_table_covers_each_art_25_path():
    converted = {c for s in SYSTEMS for c in s.provider_under}
    assert converted == {c["id"] for c in V4["provider_conversions"]}
    assert any(s.answers.get("art25_provider_conversion") == ["none"] for s in SYSTEMS)


def test_the_table_covers_every_exclusion_and_art_2_paragraph():
    ticked = {key for s in SYSTEMS for key in s.answers.get("art2_exclusions", [])}
    assert {e["key"] for e in V3["scope_exclusions"]} <= ticked
    chosen = {key for s in SYSTEMS for key in s.answers.get("annex_iii_point", [])}
    excluded = {
        u["key"]
        for a in V3["annex_iii_areas"]
        for p in a["sub_points"]
        for u in p.get("excludes", ())
    }
    assert excluded <= chosen
    assert len(SYSTEMS) >= 60
    practices = {k for s in SYSTEMS for k in s.answers["prohibited_practices"]}
    assert {p["key"] for p in V3["practices"]} <= practices
    listed_uses = {p["key"] for a in V3["annex_iii_areas"] for p in a["sub_points"]}
    assert listed_uses <= chosen


def test_the_table_covers_who_owes_an_impact_assessment():
    owing = {s.id for s in SYSTEMS if FRIA in s.cited}
    not_owing = {s.id for s in SYSTEMS if s.result == "high_risk_annex_iii" and FRIA not in s.cited}
    # Any deployer of 5(b) or 5(c); a public body or public-service provider; never point 2.
    assert {
        "bank_credit_scoring",
        "life_insurance_pricing",
        "benefits_eligibility_chatbot",
    } <= owing
    assert {"exam_proctoring_at_a_private_training_firm", "grid_load_safety_at_a_public_utility",
            "credit_scoring_vendor"} <= not_owing  # fmt: skip
    assert not any(EXPLAIN in s.cited for s in SYSTEMS if "Annex III 2" in s.cited)


def test_the_deployer_question_takes_the_organisation_profile_as_its_default():
    assert eu_ai_act.organisation_answers(public_body=None) == {}
    assert eu_ai_act.organisation_answers(public_body=False) == {"public_service_deployer": False}


def test_outside_the_act_carries_no_ai_act_label_not_even_ai_literacy():
    outcome = eu_ai_act.classify(outside("scientific_research"), V3, as_of=AS_OF)
    assert outcome.labels == ("outside_act",)
    assert outcome.details["applies_from"] == {"outside_act": "2024-08-01"}
    assert outcome.details["blocked"] is False
    assert "model-risk frameworks" in outcome.reasons[0].because


def test_outside_the_act_needs_only_the_role_and_the_exclusion():
    answers = {"role": "provider", "art2_exclusions": ["personal_non_professional"]}
    assert eu_ai_act.classify(answers, V3, as_of=AS_OF).result == "outside_act"


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        (uses(["biometrics", "employment"], ["emotion_recognition"]), "Annex III point 4"),
        (uses(["employment"], ["recruitment", "creditworthiness"]), "creditworthiness"),
        (uses(["employment", "none"], ["recruitment"]), "cannot be ticked together"),
    ],
    ids=["area_without_a_use", "use_of_an_area_not_ticked", "area_and_none"],
)
def test_several_areas_must_each_have_a_use_and_no_use_may_stray(answers, says):
    field = "annex_iii_area" if says == "cannot be ticked together" else "annex_iii_point"
    with pytest.raises(AnswersContradict) as raised:
        eu_ai_act.classify(answers, V3, as_of=AS_OF)
    assert raised.value.field == field
    assert says in raised.value.message


def test_a_use_an_area_excludes_is_offered_beside_the_use_and_says_so():
    asked = {q.key: q for q in eu_ai_act.questions(V3)}
    choices = dict(asked["annex_iii_point"].choices)
    assert choices["financial_fraud_detection"].startswith(
        "Annex III 5(b), excluded (not high-risk)"
    )
    assert asked["annex_iii_area"].kind == asked["annex_iii_point"].kind == "multi"
    assert [q.key for q in eu_ai_act.questions(V3)][:2] == ["role", "art2_exclusions"]
    optional = {k for k, q in asked.items() if not q.required}
    assert optional == {"art2_exclusions", "art6_3_significant_risk", "public_service_deployer"}
