"""Scoping: which of the EU AI Act, SR 26-2, SR 11-7 and PRA SS1/23 apply to an inventory entry."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from governance.risk.rules import scoping
from governance.risk.rules.results import AnswersContradict, AnswersIncomplete

RULES = yaml.safe_load(
    (
        Path(__file__).resolve().parents[3]
        / "governance"
        / "rulebooks"
        / "data"
        / "scoping"
        / "2026.yaml"
    ).read_text(encoding="utf-8")
)
TODAY = date(2026, 11, 23)
LAST_DAY_OF_SR_11_7 = date(2026, 4, 16)
SR_26_2_ISSUED = date(2026, 4, 17)

NOTHING = {
    "quantitative_method": False,
    "technique": "deterministic",
    "used_in_business": False,
    "ai_system": False,
    "us_banking_org": False,
    "pra_firm": "no",
    "eu_nexus": False,
}
CREDIT_SCORECARD_AT_US_BANK = {
    **NOTHING,
    "quantitative_method": True,
    "technique": "statistical",
    "used_in_business": True,
    "us_banking_org": True,
}
CHATBOT = {
    **NOTHING,
    "technique": "machine_learning",
    "used_in_business": True,
    "generative_or_agentic": True,
    "ai_system": True,
    "us_banking_org": True,
    "eu_nexus": True,
}
SPREADSHEET_RULES = {**NOTHING, "used_in_business": True, "us_banking_org": True, "eu_nexus": True}


def reason(outcome, rule):
    return next(r for r in outcome.reasons if r.rule == rule)


def test_questions_carry_the_definitions_from_the_rules_as_help():
    asked = scoping.questions(RULES)
    assert [q.key for q in asked] == [
        "quantitative_method",
        "technique",
        "used_in_business",
        "generative_or_agentic",
        "ai_system",
        "us_banking_org",
        "pra_firm",
        "eu_nexus",
    ]
    by_key = {q.key: q for q in asked}
    assert by_key["ai_system"].help == RULES["definitions"]["ai_system"]["summary"]
    assert by_key["generative_or_agentic"].shown_if == ("technique", "machine_learning")
    assert [v for v, _ in by_key["pra_firm"].choices] == ["internal_models", "adopted", "no"]


@pytest.mark.parametrize("quantitative_method", [False, True])
def test_a_generative_ai_chatbot_is_an_ai_system_outside_sr_26_2(quantitative_method):
    answers = {**CHATBOT, "quantitative_method": quantitative_method}
    outcome = scoping.scope(answers, RULES, as_of=TODAY)
    assert (outcome.result, outcome.labels) == ("in_scope", ("eu_ai_act",))
    assert outcome.details["is_ai_system"] is True
    assert outcome.details["is_model_sr_26_2"] is False
    carve_out = reason(outcome, "scope.sr_26_2.ai_carve_out")
    assert carve_out.basis == "SR 26-2 footnote 3"
    assert "Art. 3(1)" in outcome.legal_basis


def test_an_ml_model_that_is_neither_generative_nor_agentic_stays_in_sr_26_2():
    answers = {**CHATBOT, "quantitative_method": True, "generative_or_agentic": False}
    outcome = scoping.scope(answers, RULES, as_of=TODAY)
    assert outcome.labels == ("eu_ai_act", "sr_26_2")
    assert outcome.details["is_model_sr_26_2"] is True


def test_a_spreadsheet_rule_set_defined_solely_by_people_is_not_an_ai_system():
    outcome = scoping.scope(SPREADSHEET_RULES, RULES, as_of=TODAY)
    assert (outcome.result, outcome.labels) == ("out_of_scope", ())
    assert outcome.details == {
        "is_model_sr_26_2": False,
        "is_model_sr_11_7": False,
        "is_ai_system": False,
        "frameworks": [],
    }
    ai_system = reason(outcome, "scope.eu_ai_act.ai_system")
    assert ai_system.basis == "Art. 3(1)" and "rules defined solely by people" in ai_system.because


def test_calling_a_spreadsheet_rule_set_an_ai_system_is_a_contradiction():
    with pytest.raises(AnswersContradict) as raised:
        scoping.scope({**SPREADSHEET_RULES, "ai_system": True}, RULES, as_of=TODAY)
    assert raised.value.field == "ai_system"


def test_a_generative_application_denied_to_be_an_ai_system_is_a_contradiction():
    with pytest.raises(AnswersContradict) as raised:
        scoping.scope({**CHATBOT, "ai_system": False}, RULES, as_of=TODAY)
    assert raised.value.field == "ai_system"


@pytest.mark.parametrize(
    ("as_of", "labels"),
    [(LAST_DAY_OF_SR_11_7, ("sr_11_7",)), (SR_26_2_ISSUED, ("sr_26_2",)), (TODAY, ("sr_26_2",))],
)
def test_a_credit_scorecard_at_a_us_bank_is_a_model_under_both_sr_definitions(as_of, labels):
    outcome = scoping.scope(CREDIT_SCORECARD_AT_US_BANK, RULES, as_of=as_of)
    assert (outcome.result, outcome.labels) == ("in_scope", labels)
    assert outcome.details["is_model_sr_11_7"] is True
    assert outcome.details["is_model_sr_26_2"] is True
    assert outcome.details["frameworks"] == list(labels)


def test_sr_11_7_is_reported_rescinded_from_the_day_sr_26_2_was_issued():
    outcome = scoping.scope(CREDIT_SCORECARD_AT_US_BANK, RULES, as_of=SR_26_2_ISSUED)
    rescinded = reason(outcome, "scope.sr_11_7")
    assert rescinded.because == "SR 11-7 was rescinded on 2026-04-17; SR 26-2 replaces it."


def test_a_deterministic_calculator_was_an_sr_11_7_model_but_is_not_an_sr_26_2_model():
    answers = {**CREDIT_SCORECARD_AT_US_BANK, "technique": "deterministic"}
    before = scoping.scope(answers, RULES, as_of=LAST_DAY_OF_SR_11_7)
    after = scoping.scope(answers, RULES, as_of=TODAY)
    assert before.labels == ("sr_11_7",)
    assert (after.result, after.details["is_model_sr_26_2"]) == ("out_of_scope", False)
    assert "end-user computing" in reason(after, "scope.sr_26_2.model").because


@pytest.mark.parametrize("pra_firm", ["internal_models", "adopted"])
def test_a_uk_banks_model_is_in_pra_scope(pra_firm):
    answers = {**CREDIT_SCORECARD_AT_US_BANK, "us_banking_org": False, "pra_firm": pra_firm}
    outcome = scoping.scope(answers, RULES, as_of=TODAY)
    assert (outcome.result, outcome.labels) == ("in_scope", ("pra_ss1_23",))
    assert "PRA SS1/23 Principle 1.1" in outcome.legal_basis


def test_pra_scope_starts_when_ss1_23_took_effect():
    answers = {
        **CREDIT_SCORECARD_AT_US_BANK,
        "us_banking_org": False,
        "pra_firm": "internal_models",
    }
    assert scoping.scope(answers, RULES, as_of=date(2024, 5, 16)).labels == ()
    assert scoping.scope(answers, RULES, as_of=date(2024, 5, 17)).labels == ("pra_ss1_23",)


def test_a_deterministic_method_used_in_decisions_is_a_pra_dqm():
    answers = {**SPREADSHEET_RULES, "us_banking_org": False, "pra_firm": "internal_models"}
    outcome = scoping.scope(answers, RULES, as_of=TODAY)
    assert outcome.labels == ("pra_ss1_23",)
    assert reason(outcome, "scope.pra_ss1_23.dqm").basis == "PRA SS1/23 Principle 1.1"


def test_a_deterministic_method_nobody_uses_is_outside_pra_scope():
    answers = {**NOTHING, "pra_firm": "internal_models"}
    assert scoping.scope(answers, RULES, as_of=TODAY).result == "out_of_scope"


def test_an_ai_system_used_only_outside_the_eu_is_outside_the_ai_act():
    outcome = scoping.scope({**CHATBOT, "eu_nexus": False}, RULES, as_of=TODAY)
    assert outcome.result == "out_of_scope"
    assert reason(outcome, "scope.eu_ai_act").basis == "Art. 2(1)"


def test_the_ai_act_applies_from_its_entry_into_force():
    assert scoping.scope(CHATBOT, RULES, as_of=date(2024, 7, 31)).labels == ()
    assert scoping.scope(CHATBOT, RULES, as_of=date(2024, 8, 1)).labels == ("eu_ai_act",)


@pytest.mark.parametrize(
    ("as_of", "labels"),
    [
        (LAST_DAY_OF_SR_11_7, ("eu_ai_act", "sr_11_7", "pra_ss1_23")),
        (TODAY, ("eu_ai_act", "sr_26_2", "pra_ss1_23")),
    ],
)
def test_labels_list_every_framework_that_applies_in_a_fixed_order(as_of, labels):
    answers = {
        **CREDIT_SCORECARD_AT_US_BANK,
        "technique": "machine_learning",
        "generative_or_agentic": False,
        "ai_system": True,
        "pra_firm": "internal_models",
        "eu_nexus": True,
    }
    assert scoping.scope(answers, RULES, as_of=as_of).labels == labels


def test_nothing_applies_so_the_entry_is_out_of_scope():
    outcome = scoping.scope(NOTHING, RULES, as_of=TODAY)
    assert (outcome.framework, outcome.result, outcome.labels) == ("scoping", "out_of_scope", ())
    assert outcome.details["frameworks"] == []
    assert {r.rule for r in outcome.reasons} >= {
        "scope.eu_ai_act",
        "scope.sr_26_2",
        "scope.sr_11_7",
        "scope.pra_ss1_23",
    }


def test_missing_answers_are_named_and_the_hidden_question_is_not_asked():
    with pytest.raises(AnswersIncomplete) as raised:
        scoping.scope({"technique": "statistical", "eu_nexus": None}, RULES, as_of=TODAY)
    assert raised.value.missing == [
        "quantitative_method",
        "used_in_business",
        "ai_system",
        "us_banking_org",
        "pra_firm",
        "eu_nexus",
    ]


def test_the_generative_question_is_required_once_the_technique_is_machine_learning():
    answers = {key: value for key, value in CHATBOT.items() if key != "generative_or_agentic"}
    with pytest.raises(AnswersIncomplete) as raised:
        scoping.scope(answers, RULES, as_of=TODAY)
    assert raised.value.missing == ["generative_or_agentic"]


def test_a_generative_answer_left_from_another_technique_does_not_count():
    answers = {**CREDIT_SCORECARD_AT_US_BANK, "generative_or_agentic": True}
    assert scoping.scope(answers, RULES, as_of=TODAY).labels == ("sr_26_2",)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("us_banking_org", "yes", "must be yes or no"),
        ("technique", "neural", "must be one of: statistical, machine_learning, deterministic"),
        ("pra_firm", True, "must be one of: internal_models, adopted, no"),
    ],
)
def test_an_answer_of_the_wrong_kind_names_its_question(key, value, message):
    with pytest.raises(AnswersContradict) as raised:
        scoping.scope({**NOTHING, key: value}, RULES, as_of=TODAY)
    assert (raised.value.field, raised.value.message) == (key, message)
