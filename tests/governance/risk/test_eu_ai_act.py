"""EU AI Act classification: prohibited practices, high-risk routes, Art. 50, GPAI, dates."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from governance.risk.rules import eu_ai_act
from governance.risk.rules.results import AnswersContradict, AnswersIncomplete, Outcome, in_force

RULEBOOKS = Path(__file__).resolve().parents[3] / "governance" / "rulebooks" / "data" / "eu_ai_act"


def load(name):
    return yaml.safe_load((RULEBOOKS / name).read_text(encoding="utf-8"))


ORIGINAL = load("2024-1689.yaml")
OMNIBUS = load("2026-digital-omnibus.yaml")
TODAY = date(2026, 11, 23)

MINIMAL = {
    "role": "provider",
    "prohibited_practices": ["none"],
    "annex_i_product": False,
    "annex_iii_area": "none",
    "interacts_with_people": False,
    "generates_synthetic_content": False,
    "emotion_or_biometric_categorisation": False,
    "gpai_model": False,
}
ALWAYS_ASKED = list(MINIMAL)

HR_I, HR_III, NOT_HR = "high_risk_annex_i", "high_risk_annex_iii", "annex_iii_not_high_risk"
LITERACY = "ai_literacy"


def annex_iii(area, point, conditions=("none",), *, profiles=False, **more):
    return {
        **MINIMAL,
        "annex_iii_area": area,
        "annex_iii_point": point,
        "art6_3_conditions": list(conditions),
        "profiles_natural_persons": profiles,
        **more,
    }


def practice(key, **more):
    return {**MINIMAL, "prohibited_practices": [key], **more}


def synthetic(*, deep_fake=False, public_interest_text=False):
    return {
        **MINIMAL,
        "generates_synthetic_content": True,
        "deep_fake": deep_fake,
        "public_interest_text": public_interest_text,
    }


def gpai(compute, *, designated=False, **more):
    return {
        **MINIMAL,
        "gpai_model": True,
        "training_compute_flops": compute,
        "gpai_designated_systemic": designated,
        **more,
    }


def rules_of(outcome):
    return tuple(reason.rule for reason in outcome.reasons)


def case(id, answers, result, labels, legal_basis, rules, *, rulebook=ORIGINAL):
    return pytest.param(rulebook, answers, result, labels, legal_basis, rules, id=id)


def high_risk_iii(id, area, point, cited):
    return case(
        id,
        annex_iii(area, point),
        HR_III,
        (HR_III, LITERACY),
        ("Art. 6(2)", cited, "Art. 4"),
        ("eu.art6.2", "eu.art4"),
    )


def banned(id, key, cited, *, rulebook=ORIGINAL):
    return case(
        id,
        practice(key),
        "prohibited",
        ("prohibited", LITERACY),
        (cited, "Art. 4"),
        (f"eu.art5.{key}", "eu.art4"),
        rulebook=rulebook,
    )


def banned_biometric(id, key, cited):
    # Emotion recognition and biometric categorisation also carry the Art. 50(3) duty.
    return case(
        id,
        practice(key, emotion_or_biometric_categorisation=True),
        "prohibited",
        ("prohibited", "transparency", "transparency_emotion_biometric", LITERACY),
        (cited, "Art. 50(3)", "Art. 4"),
        (f"eu.art5.{key}", "eu.art50.3", "eu.art4"),
    )


def transparent(id, answers, label, cited, rule):
    return case(
        id,
        answers,
        "transparency",
        ("transparency", label, LITERACY),
        (cited, "Art. 4"),
        (rule, "eu.art4"),
    )


CREDIT = annex_iii("essential_services", "creditworthiness")
GPAI = ("eu.gpai", "eu.art4")
SYSTEMIC_BY_COMPUTE = ("Art. 53", "Art. 51(2)", "Art. 55", "Art. 4")

CASES = [
    # Annex III: one use from each of the eight areas, no derogation claimed.
    high_risk_iii(
        "annex_iii_1_biometrics", "biometrics", "remote_biometric_identification", "Annex III 1(a)"
    ),
    high_risk_iii(
        "annex_iii_2_critical_infrastructure",
        "critical_infrastructure",
        "critical_infrastructure_safety",
        "Annex III 2(a)",
    ),
    high_risk_iii("annex_iii_3_education", "education", "learning_outcomes", "Annex III 3(b)"),
    high_risk_iii("annex_iii_4_employment", "employment", "recruitment", "Annex III 4(a)"),
    high_risk_iii("annex_iii_5_credit", "essential_services", "creditworthiness", "Annex III 5(b)"),
    high_risk_iii(
        "annex_iii_6_law_enforcement", "law_enforcement", "offending_risk", "Annex III 6(d)"
    ),
    high_risk_iii("annex_iii_7_migration", "migration", "asylum_visa_residence", "Annex III 7(c)"),
    high_risk_iii(
        "annex_iii_8_justice", "justice_democracy", "judicial_assistance", "Annex III 8(a)"
    ),
    # Art. 5: every practice of the original text, and the Omnibus one under the Omnibus.
    banned("art5_1_a_manipulation", "manipulative_techniques", "Art. 5(1)(a)"),
    banned("art5_1_b_vulnerabilities", "exploiting_vulnerabilities", "Art. 5(1)(b)"),
    banned("art5_1_c_social_scoring", "social_scoring", "Art. 5(1)(c)"),
    banned("art5_1_d_predictive_policing", "predictive_policing", "Art. 5(1)(d)"),
    banned("art5_1_e_facial_scraping", "facial_image_scraping", "Art. 5(1)(e)"),
    banned_biometric(
        "art5_1_f_emotion_at_work", "emotion_recognition_work_education", "Art. 5(1)(f)"
    ),
    banned_biometric(
        "art5_1_g_sensitive_biometric", "biometric_categorisation_sensitive_traits", "Art. 5(1)(g)"
    ),
    banned("art5_1_h_realtime_rbi", "realtime_remote_biometric_identification", "Art. 5(1)(h)"),
    banned(
        "art5_omnibus_intimate_imagery",
        "intimate_imagery_csam",
        "Art. 5 (new point added by Digital Omnibus)",
        rulebook=OMNIBUS,
    ),
    # Art. 6(3): a derogation condition without profiling, and profiling overriding it.
    case(
        "art6_3_derogation",
        annex_iii("employment", "recruitment", ["narrow_procedural_task"]),
        NOT_HR,
        (NOT_HR, LITERACY),
        ("Art. 6(3)", "Art. 6(3)(a)", "Annex III 4(a)", "Art. 6(4)", "Art. 49(2)", "Art. 4"),
        ("eu.art6.3", "eu.art4"),
    ),
    case(
        "art6_3_two_conditions",
        annex_iii("education", "education_access", ["improves_human_activity", "preparatory_task"]),
        NOT_HR,
        (NOT_HR, LITERACY),
        (
            "Art. 6(3)",
            "Art. 6(3)(b)",
            "Art. 6(3)(d)",
            "Annex III 3(a)",
            "Art. 6(4)",
            "Art. 49(2)",
            "Art. 4",
        ),
        ("eu.art6.3", "eu.art4"),
    ),
    case(
        "art6_3_profiling_keeps_high_risk",
        annex_iii("essential_services", "creditworthiness", ["preparatory_task"], profiles=True),
        HR_III,
        (HR_III, LITERACY),
        ("Art. 6(2)", "Annex III 5(b)", "Art. 6(3) second subparagraph", "Art. 4"),
        ("eu.art6.3.profiling", "eu.art4"),
    ),
    # Art. 50: each duty on its own, and a high-risk system that is also a chatbot.
    transparent(
        "art50_1_chatbot",
        {**MINIMAL, "interacts_with_people": True},
        "transparency_interaction",
        "Art. 50(1)",
        "eu.art50.1",
    ),
    transparent(
        "art50_2_synthetic",
        synthetic(),
        "transparency_synthetic",
        "Art. 50(2)",
        "eu.art50.2",
    ),
    transparent(
        "art50_3_biometric_categorisation",
        {**MINIMAL, "emotion_or_biometric_categorisation": True},
        "transparency_emotion_biometric",
        "Art. 50(3)",
        "eu.art50.3",
    ),
    case(
        "art50_4_deep_fake",
        synthetic(deep_fake=True),
        "transparency",
        ("transparency", "transparency_synthetic", "transparency_deepfake", LITERACY),
        ("Art. 50(2)", "Art. 50(4)", "Art. 4"),
        ("eu.art50.2", "eu.art50.4.deep_fake", "eu.art4"),
    ),
    case(
        "art50_4_public_interest_text",
        synthetic(public_interest_text=True),
        "transparency",
        ("transparency", "transparency_synthetic", "transparency_public_text", LITERACY),
        ("Art. 50(2)", "Art. 50(4)", "Art. 4"),
        ("eu.art50.2", "eu.art50.4.public_text", "eu.art4"),
    ),
    case(
        "high_risk_credit_chatbot",
        {**CREDIT, "interacts_with_people": True},
        HR_III,
        (HR_III, "transparency", "transparency_interaction", LITERACY),
        ("Art. 6(2)", "Annex III 5(b)", "Art. 50(1)", "Art. 4"),
        ("eu.art6.2", "eu.art50.1", "eu.art4"),
    ),
    # GPAI: the Art. 51(2) threshold must be exceeded; designation works at any compute.
    case(
        "gpai_below_threshold",
        gpai(9.9e24),
        "gpai",
        ("gpai", LITERACY),
        ("Art. 53", "Art. 4"),
        GPAI,
    ),
    case("gpai_at_threshold", gpai(1e25), "gpai", ("gpai", LITERACY), ("Art. 53", "Art. 4"), GPAI),
    case(
        "gpai_just_above_threshold",
        gpai(1.01e25),
        "gpai_systemic",
        ("gpai_systemic", "gpai", LITERACY),
        SYSTEMIC_BY_COMPUTE,
        ("eu.gpai", "eu.art51.2", "eu.art4"),
    ),
    case(
        "gpai_designated",
        gpai(3e23, designated=True),
        "gpai_systemic",
        ("gpai_systemic", "gpai", LITERACY),
        ("Art. 53", "Art. 51(1)(b)", "Art. 55", "Art. 4"),
        ("eu.gpai", "eu.art51.1.b", "eu.art4"),
    ),
    case(
        "gpai_systemic_chatbot",
        gpai(5e25, interacts_with_people=True, role="provider_and_deployer"),
        "gpai_systemic",
        ("gpai_systemic", "gpai", "transparency", "transparency_interaction", LITERACY),
        ("Art. 53", "Art. 51(2)", "Art. 55", "Art. 50(1)", "Art. 4"),
        ("eu.gpai", "eu.art51.2", "eu.art50.1", "eu.art4"),
    ),
    # Annex I: third-party conformity assessment decides; Annex I heads Annex III.
    case(
        "annex_i_third_party",
        {**MINIMAL, "annex_i_product": True, "annex_i_third_party_assessment": True},
        HR_I,
        (HR_I, LITERACY),
        ("Art. 6(1)", "Annex I", "Art. 4"),
        ("eu.art6.1", "eu.art4"),
    ),
    case(
        "annex_i_without_third_party",
        {**MINIMAL, "annex_i_product": True, "annex_i_third_party_assessment": False},
        "minimal",
        ("minimal", LITERACY),
        ("Art. 6(1)(b)", "Art. 95", "Art. 4"),
        ("eu.art6.1.no_third_party", "eu.minimal", "eu.art4"),
    ),
    case(
        "annex_i_and_annex_iii",
        annex_iii(
            "critical_infrastructure",
            "critical_infrastructure_safety",
            annex_i_product=True,
            annex_i_third_party_assessment=True,
        ),
        HR_I,
        (HR_I, HR_III, LITERACY),
        ("Art. 6(1)", "Annex I", "Art. 6(2)", "Annex III 2(a)", "Art. 4"),
        ("eu.art6.1", "eu.art6.2", "eu.art4"),
    ),
    # Precedence: a ban heads everything; a documented Annex III derogation heads GPAI.
    case(
        "prohibited_high_risk_chatbot",
        {**CREDIT, "prohibited_practices": ["social_scoring"], "interacts_with_people": True},
        "prohibited",
        ("prohibited", HR_III, "transparency", "transparency_interaction", LITERACY),
        ("Art. 5(1)(c)", "Art. 6(2)", "Annex III 5(b)", "Art. 50(1)", "Art. 4"),
        ("eu.art5.social_scoring", "eu.art6.2", "eu.art50.1", "eu.art4"),
    ),
    case(
        "derogation_heads_gpai_systemic",
        {
            **annex_iii("employment", "recruitment", ["preparatory_task"]),
            "gpai_model": True,
            "training_compute_flops": 2e25,
            "gpai_designated_systemic": False,
        },
        NOT_HR,
        (NOT_HR, "gpai_systemic", "gpai", LITERACY),
        (
            "Art. 6(3)",
            "Art. 6(3)(d)",
            "Annex III 4(a)",
            "Art. 6(4)",
            "Art. 49(2)",
            *SYSTEMIC_BY_COMPUTE,
        ),
        ("eu.art6.3", "eu.gpai", "eu.art51.2", "eu.art4"),
    ),
    # Role: recorded, never changes the category.
    case(
        "deployer_credit",
        {**CREDIT, "role": "deployer"},
        HR_III,
        (HR_III, LITERACY),
        ("Art. 6(2)", "Annex III 5(b)", "Art. 4"),
        ("eu.art6.2", "eu.art4"),
    ),
    case(
        "provider_and_deployer_credit",
        {**CREDIT, "role": "provider_and_deployer"},
        HR_III,
        (HR_III, LITERACY),
        ("Art. 6(2)", "Annex III 5(b)", "Art. 4"),
        ("eu.art6.2", "eu.art4"),
    ),
    case(
        "minimal",
        MINIMAL,
        "minimal",
        ("minimal", LITERACY),
        ("Art. 95", "Art. 4"),
        ("eu.minimal", "eu.art4"),
    ),
]


@pytest.mark.parametrize(("rulebook", "answers", "result", "labels", "legal_basis", "rules"), CASES)
def test_classification(rulebook, answers, result, labels, legal_basis, rules):
    outcome = eu_ai_act.classify(answers, rulebook, as_of=TODAY)
    assert (outcome.framework, outcome.result) == ("eu_ai_act", result)
    assert outcome.labels == labels
    assert outcome.legal_basis == legal_basis
    assert rules_of(outcome) == rules
    assert outcome.details["role"] == answers["role"]
    assert outcome.details["blocked"] is (result == "prohibited")
    assert set(outcome.details["applies_from"]) == set(labels)
    assert "in_force" not in outcome.details  # worked out when read (results.in_force)


def test_the_table_covers_every_practice_and_every_annex_iii_area():
    ticked = {key for p in CASES for key in p.values[1]["prohibited_practices"]}
    assert {p["key"] for p in OMNIBUS["practices"]} <= ticked
    areas = {p.values[1]["annex_iii_area"] for p in CASES}
    assert {a["key"] for a in ORIGINAL["annex_iii_areas"]} <= areas


ALL_POINTS = [
    pytest.param(area["key"], point, id=point["id"])
    for area in ORIGINAL["annex_iii_areas"]
    for point in area["sub_points"]
]


@pytest.mark.parametrize(("area", "point"), ALL_POINTS)
def test_every_annex_iii_use_is_high_risk_without_a_derogation(area, point):
    implied = dict.fromkeys(point.get("implies", ()), True)
    outcome = eu_ai_act.classify(annex_iii(area, point["key"], **implied), ORIGINAL, as_of=TODAY)
    assert outcome.result == HR_III
    assert f"Annex III {point['id']}" in outcome.legal_basis


def test_profiling_reason_says_the_derogation_cannot_apply():
    answers = annex_iii(
        "essential_services", "creditworthiness", ["preparatory_task"], profiles=True
    )
    reason = eu_ai_act.classify(answers, ORIGINAL, as_of=TODAY).reasons[0]
    assert reason.basis == "Art. 6(3) second subparagraph"
    assert "Annex III 5(b)" in reason.because
    assert "profiles natural persons" in reason.because
    assert "derogation cannot apply" in reason.because
    assert "profiles_natural_persons" in reason.answers


def test_derogation_reason_names_the_conditions_and_the_documentation_duty():
    answers = annex_iii("employment", "recruitment", ["narrow_procedural_task"])
    reason = eu_ai_act.classify(answers, ORIGINAL, as_of=TODAY).reasons[0]
    assert "Art. 6(3)(a) (narrow procedural task)" in reason.because
    assert "does not profile natural persons" in reason.because
    assert "Art. 6(4)" in reason.because


def test_the_omnibus_prohibition_is_not_in_the_original_text():
    original = {q.key: q for q in eu_ai_act.questions(ORIGINAL)}["prohibited_practices"]
    omnibus = {q.key: q for q in eu_ai_act.questions(OMNIBUS)}["prohibited_practices"]
    assert "intimate_imagery_csam" not in [key for key, _ in original.choices]
    assert "intimate_imagery_csam" in [key for key, _ in omnibus.choices]
    with pytest.raises(AnswersContradict) as raised:
        eu_ai_act.classify(practice("intimate_imagery_csam"), ORIGINAL, as_of=TODAY)
    assert raised.value.field == "prohibited_practices"


def test_a_ban_not_yet_applying_still_blocks_approval():
    outcome = eu_ai_act.classify(practice("intimate_imagery_csam"), OMNIBUS, as_of=TODAY)
    assert outcome.details["applies_from"]["prohibited"] == "2026-12-02"
    assert in_force(outcome.details["applies_from"], TODAY)["prohibited"] is False
    assert outcome.details["blocked"] is True


def test_the_earliest_ban_found_dates_the_prohibited_label():
    answers = {**MINIMAL, "prohibited_practices": ["intimate_imagery_csam", "social_scoring"]}
    outcome = eu_ai_act.classify(answers, OMNIBUS, as_of=TODAY)
    assert outcome.details["applies_from"]["prohibited"] == "2025-02-02"
    assert rules_of(outcome)[:2] == ("eu.art5.social_scoring", "eu.art5.intimate_imagery_csam")


# ---- Answers ---------------------------------------------------------------------------------


def test_nothing_answered_lists_every_question_always_asked():
    with pytest.raises(AnswersIncomplete) as raised:
        eu_ai_act.classify({}, ORIGINAL, as_of=TODAY)
    assert raised.value.missing == ALWAYS_ASKED


@pytest.mark.parametrize(
    ("answers", "missing"),
    [
        (
            {k: v for k, v in MINIMAL.items() if k not in ("role", "gpai_model")},
            ["role", "gpai_model"],
        ),
        (
            {**MINIMAL, "annex_iii_area": "employment"},
            ["annex_iii_point", "art6_3_conditions", "profiles_natural_persons"],
        ),
        ({**MINIMAL, "annex_i_product": True}, ["annex_i_third_party_assessment"]),
        ({**MINIMAL, "generates_synthetic_content": True}, ["deep_fake", "public_interest_text"]),
        ({**MINIMAL, "gpai_model": True}, ["training_compute_flops", "gpai_designated_systemic"]),
        ({**MINIMAL, "prohibited_practices": []}, ["prohibited_practices"]),
    ],
    ids=["unanswered", "annex_iii_area", "annex_i_product", "synthetic", "gpai", "empty_multi"],
)
def test_a_shown_question_left_unanswered_is_listed(answers, missing):
    with pytest.raises(AnswersIncomplete) as raised:
        eu_ai_act.classify(answers, ORIGINAL, as_of=TODAY)
    assert raised.value.missing == missing


def test_hidden_questions_are_not_required_and_leftover_answers_to_them_do_not_count():
    leftovers = {
        "annex_i_third_party_assessment": True,  # asked only about an Annex I product
        "annex_iii_point": "creditworthiness",  # asked only once an area is chosen
        "profiles_natural_persons": True,
        "deep_fake": True,  # asked only about a system generating synthetic content
    }
    outcome = eu_ai_act.classify({**MINIMAL, **leftovers}, ORIGINAL, as_of=TODAY)
    assert (outcome.result, outcome.labels) == ("minimal", ("minimal", LITERACY))


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({**MINIMAL, "prohibited_practices": ["social_scoring", "none"]}, "prohibited_practices"),
        (annex_iii("employment", "recruitment", ["preparatory_task", "none"]), "art6_3_conditions"),
        (annex_iii("employment", "creditworthiness"), "annex_iii_point"),
        ({**MINIMAL, "training_compute_flops": 2e25}, "training_compute_flops"),
        ({**MINIMAL, "gpai_designated_systemic": True}, "gpai_designated_systemic"),
        (gpai(1e24, role="deployer"), "gpai_model"),
        (annex_iii("biometrics", "emotion_recognition"), "emotion_or_biometric_categorisation"),
        (practice("emotion_recognition_work_education"), "emotion_or_biometric_categorisation"),
        (annex_iii("law_enforcement", "criminal_profiling"), "profiles_natural_persons"),
        ({**MINIMAL, "interacts_with_people": "yes"}, "interacts_with_people"),
        ({**MINIMAL, "annex_iii_area": "banking"}, "annex_iii_area"),
        ({**MINIMAL, "role": "importer"}, "role"),
        ({**MINIMAL, "prohibited_practices": "none"}, "prohibited_practices"),
        (gpai(-1), "training_compute_flops"),
        (gpai(True), "training_compute_flops"),
    ],
    ids=[
        "practice_and_none",
        "derogation_and_none",
        "sub_point_from_another_area",
        "compute_without_gpai",
        "designation_without_gpai",
        "deployer_providing_gpai",
        "emotion_recognition_use_not_emotion_recognition",
        "emotion_practice_not_emotion_recognition",
        "criminal_profiling_without_profiling",
        "bool_as_text",
        "unknown_area",
        "unknown_role",
        "multi_not_a_list",
        "negative_compute",
        "compute_as_bool",
    ],
)
def test_contradictions_name_the_answer_to_fix(answers, field):
    with pytest.raises(AnswersContradict) as raised:
        eu_ai_act.classify(answers, ORIGINAL, as_of=TODAY)
    assert raised.value.field == field


# ---- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rulebook", "annex_iii_from", "annex_i_from"),
    [(ORIGINAL, "2026-08-02", "2027-08-02"), (OMNIBUS, "2027-12-02", "2028-08-02")],
    ids=["original", "omnibus"],
)
def test_the_omnibus_moves_the_high_risk_dates(rulebook, annex_iii_from, annex_i_from):
    answers = {**CREDIT, "annex_i_product": True, "annex_i_third_party_assessment": True}
    details = eu_ai_act.classify(answers, rulebook, as_of=TODAY).details
    assert details["applies_from"][HR_III] == annex_iii_from
    assert details["applies_from"][HR_I] == annex_i_from
    assert details["applies_from"][LITERACY] == "2025-02-02"
    assert details["rulebook"] == rulebook["version"]


@pytest.mark.parametrize(
    ("rulebook", "as_of", "applies"),
    [
        (ORIGINAL, date(2026, 8, 1), False),
        (ORIGINAL, date(2026, 8, 2), True),
        (OMNIBUS, date(2026, 8, 2), False),
        (OMNIBUS, date(2027, 12, 1), False),
        (OMNIBUS, date(2027, 12, 2), True),
    ],
    ids=[
        "original_day_before",
        "original_from",
        "omnibus_old_date",
        "omnibus_day_before",
        "omnibus_from",
    ],
)
def test_in_force_follows_the_day_read(rulebook, as_of, applies):
    details = eu_ai_act.classify(
        {**CREDIT, "interacts_with_people": True}, rulebook, as_of=as_of
    ).details
    forced = in_force(details["applies_from"], as_of)
    assert forced[HR_III] is applies
    # Art. 50 keeps its date under the Omnibus.
    assert forced["transparency_interaction"] is (as_of >= date(2026, 8, 2))


def test_the_rulebooks_are_two_versions_of_one_rulebook():
    assert (ORIGINAL["kind"], ORIGINAL["name"], ORIGINAL["version"]) == (
        "eu_ai_act",
        "eu_ai_act",
        1,
    )
    assert (OMNIBUS["kind"], OMNIBUS["name"], OMNIBUS["version"]) == ("eu_ai_act", "eu_ai_act", 2)
    assert ORIGINAL["effective_from"] == date(2024, 8, 1)
    assert OMNIBUS["effective_from"] > date(2026, 6, 29)  # after the Council adopted it
    assert (ORIGINAL["confidence"], OMNIBUS["confidence"]) == ("verified", "secondary")
    assert ORIGINAL["gpai_systemic_flops"] == OMNIBUS["gpai_systemic_flops"] == 1e25


def test_the_omnibus_rulebook_is_whole_and_changes_only_what_the_omnibus_changed():
    described = {
        "version",
        "effective_from",
        "title",
        "confidence",
        "confidence_note",
        "sources",
        "notes",
    }
    changed = {*described, "practices", "application_dates"}
    assert set(OMNIBUS) == set(ORIGINAL)
    assert {k: v for k, v in OMNIBUS.items() if k not in changed} == {
        k: v for k, v in ORIGINAL.items() if k not in changed
    }
    assert OMNIBUS["practices"][:-1] == ORIGINAL["practices"]
    assert OMNIBUS["practices"][-1]["applies_from"] == date(2026, 12, 2)
    before, after = ORIGINAL["application_dates"], OMNIBUS["application_dates"]
    assert {k: (before[k], v) for k, v in after.items() if before[k] != v} == {
        HR_III: (date(2026, 8, 2), date(2027, 12, 2)),
        HR_I: (date(2027, 8, 2), date(2028, 8, 2)),
    }


# ---- Questions and severity ------------------------------------------------------------------


def test_questions_come_from_the_rulebook_and_hide_what_does_not_apply():
    asked = {q.key: q for q in eu_ai_act.questions(ORIGINAL)}
    assert list(asked) == [
        "role",
        "prohibited_practices",
        "annex_i_product",
        "annex_i_third_party_assessment",
        "annex_iii_area",
        "annex_iii_point",
        "art6_3_conditions",
        "profiles_natural_persons",
        "interacts_with_people",
        "generates_synthetic_content",
        "emotion_or_biometric_categorisation",
        "deep_fake",
        "public_interest_text",
        "gpai_model",
        "training_compute_flops",
        "gpai_designated_systemic",
    ]
    assert [k for k, q in asked.items() if q.shown_if is None] == ALWAYS_ASKED
    assert asked["annex_iii_point"].shown_if == ("annex_iii_area", "*")
    assert asked["training_compute_flops"].kind == "number"
    assert [k for k, _ in asked["role"].choices] == [
        "provider",
        "deployer",
        "provider_and_deployer",
    ]
    areas = [k for k, _ in asked["annex_iii_area"].choices]
    assert areas == [a["key"] for a in ORIGINAL["annex_iii_areas"]] + ["none"]
    points = [k for k, _ in asked["annex_iii_point"].choices]
    assert len(points) == 25
    assert points == [p["key"] for a in ORIGINAL["annex_iii_areas"] for p in a["sub_points"]]
    assert [k for k, _ in asked["art6_3_conditions"].choices] == [
        "narrow_procedural_task",
        "improves_human_activity",
        "detects_decision_patterns",
        "preparatory_task",
        "none",
    ]
    assert "1e+25" in asked["training_compute_flops"].help


def test_sub_point_is_asked_only_once_an_area_is_chosen():
    with pytest.raises(AnswersIncomplete) as raised:
        eu_ai_act.classify({**MINIMAL, "annex_iii_area": "education"}, ORIGINAL, as_of=TODAY)
    assert "annex_iii_point" in raised.value.missing
    # "none" is no area: nothing to ask about one.
    assert eu_ai_act.classify(MINIMAL, ORIGINAL, as_of=TODAY).result == "minimal"


def test_severity_orders_the_categories_strictest_first():
    assert eu_ai_act.SEVERITY == (
        "prohibited",
        "high_risk_annex_i",
        "high_risk_annex_iii",
        "annex_iii_not_high_risk",
        "gpai_systemic",
        "gpai",
        "transparency",
        "minimal",
        "outside_act",
    )


def outcome(result, role="provider"):
    return Outcome("eu_ai_act", result, (), (), (result,), {"role": role})


def test_a_model_takes_its_strictest_use_case():
    uses = [outcome("transparency"), outcome(HR_III), outcome("minimal"), outcome(NOT_HR)]
    assert eu_ai_act.strictest(uses) is uses[1]
    assert (
        eu_ai_act.strictest(iter([outcome("gpai"), outcome("prohibited")])).result == "prohibited"
    )


def test_strictest_keeps_the_first_of_equals_and_is_none_without_use_cases():
    first, second = outcome(HR_III, role="provider"), outcome(HR_III, role="deployer")
    assert eu_ai_act.strictest([first, second]) is first
    assert eu_ai_act.strictest([]) is None
