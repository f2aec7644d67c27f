"""Version 5 of the EU AI Act rules: "Not known yet" answers give a provisional result on the
cautious side, importers, distributors and authorised representatives are roles with their own
duties, and the Art. 111 transition moves the dates compliance is due. Realistic systems, in plain
words, with the category, every citation (in the order the result lists them) and the details
expected."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from governance.risk.rules import eu_ai_act, obligations
from governance.risk.rules.results import UNKNOWN, AnswersContradict
from tests.governance.risk.test_eu_ai_act_citations import AMENDED, CATALOG_V4, V4, V5
from tests.governance.risk.test_eu_ai_act_systems import AS_OF, PLAIN, SYSTEMS, uses

LITERACY, FRIA, EXPLAIN = "Art. 4", "Art. 27(1)", "Art. 86(1)"
HIGH_RISK_PRODUCT = {**PLAIN, "annex_i_product": True, "annex_i_third_party_assessment": True}
GPAI = {**PLAIN, "role": "provider", "gpai_model": True}
RECRUITMENT = uses(["employment"], ["recruitment"])


@dataclass(frozen=True)
class Case:
    id: str
    facts: str
    answers: dict[str, Any]
    result: str
    cited: tuple[str, ...]
    open_questions: tuple[str, ...] = ()
    transition: dict[str, str] = field(default_factory=dict)
    applies_from: dict[str, str] = field(default_factory=dict)


CASES = [
    # ---- Not known yet: provisional, on the cautious side ----
    Case(
        "credit_use_not_settled",
        "A bank's new model is somewhere in essential services, but which use is still argued.",
        uses(["essential_services"], [UNKNOWN]),
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5", FRIA, EXPLAIN, LITERACY),
        ("annex_iii_point",),
    ),
    Case(
        "recruitment_tool_deployer_type_not_known",
        "A recruitment screener bought by a group whose public-service status is unsettled.",
        {**RECRUITMENT, "public_service_deployer": UNKNOWN},
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 4(a)", FRIA, EXPLAIN, LITERACY),
        ("public_service_deployer",),
    ),
    Case(
        "chatbot_eu_link_not_known",
        "A support chatbot whose first market (EU or not) is not decided.",
        {**PLAIN, "eu_link": UNKNOWN, "interacts_with_people": True},
        "transparency",
        ("Art. 2(1)", "Art. 50(1)", LITERACY),
        ("eu_link",),
    ),
    Case(
        "foundation_model_compute_not_known",
        "A foundation model whose training compute the vendor has not disclosed.",
        {**GPAI, "gpai_designated_systemic": False, "training_compute_flops": UNKNOWN},
        "gpai_systemic",
        ("Art. 53", "Art. 51(2)", "Art. 55", LITERACY),
        ("training_compute_flops",),
    ),
    Case(
        "everything_open_at_once",
        "An early-stage hiring tool: EU link and deployer type both unknown.",
        {**RECRUITMENT, "eu_link": UNKNOWN, "public_service_deployer": UNKNOWN},
        "high_risk_annex_iii",
        ("Art. 2(1)", "Art. 6(2)", "Annex III 4(a)", FRIA, EXPLAIN, LITERACY),
        ("eu_link", "public_service_deployer"),
    ),
    # ---- Settled answers ----
    Case(
        "designated_model_without_compute",
        "A model the Commission designated as having systemic risk; its compute is not asked.",
        {**GPAI, "gpai_designated_systemic": True},
        "gpai_systemic",
        ("Art. 53", "Art. 51(1)(b)", "Art. 55", LITERACY),
    ),
    Case(
        "us_only_scoring_service",
        "A scoring service sold only in the US, with no output used in the EU.",
        {**PLAIN, "eu_link": False},
        "outside_act",
        ("Art. 2(1)",),
    ),
    # ---- Other operators ----
    Case(
        "importer_of_a_medical_device_ai",
        "An EU firm imports a US maker's AI diagnostic device needing a notified body.",
        {**HIGH_RISK_PRODUCT, "role": "importer"},
        "high_risk_annex_i",
        ("Art. 6(1)", "Annex I", "Art. 23"),
    ),
    Case(
        "distributor_of_a_recruitment_suite",
        "A reseller makes a vendor's recruitment screener available to EU employers.",
        {**RECRUITMENT, "role": "distributor"},
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 4(a)", "Art. 24"),
    ),
    Case(
        "authorised_representative_of_a_credit_scorer",
        "An EU firm holds the mandate of a non-EU credit-scoring provider.",
        {**uses(["essential_services"], ["creditworthiness"]), "role": "authorised_representative"},
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 5(b)", "Art. 22"),
    ),
    Case(
        "distributor_of_a_spam_filter",
        "A reseller distributes a spam filter: not high-risk, so no operator duties.",
        {**PLAIN, "role": "distributor"},
        "minimal",
        ("Art. 24", "Art. 95"),
    ),
    # ---- Art. 111 transition ----
    Case(
        "legacy_benefits_triage_for_a_ministry",
        "A recruitment screener on the market since 2025, unchanged, used by a ministry.",
        {
            **RECRUITMENT,
            "placed_before_transition": True,
            "significant_design_change": False,
            "public_authority_use": True,
        },
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 4(a)", "Art. 111(2)", EXPLAIN, LITERACY),
        transition={"Art. 111(2)": "2030-08-02"},
        applies_from={"high_risk_annex_iii": "2030-08-02", "deployer_explanation": "2030-08-02"},
    ),
    Case(
        "legacy_private_recruitment_unchanged",
        "A private employer's screener on the market since 2025, unchanged since.",
        {
            **RECRUITMENT,
            "placed_before_transition": True,
            "significant_design_change": False,
            "public_authority_use": False,
        },
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 4(a)", "Art. 111(2)", EXPLAIN, LITERACY),
        transition={"Art. 111(2)": "only once its design changes significantly"},
        applies_from={"high_risk_annex_iii": "2027-12-02"},
    ),
    Case(
        "legacy_recruitment_redesigned",
        "A screener on the market since 2025 whose model was rebuilt in 2027.",
        {
            **RECRUITMENT,
            "placed_before_transition": True,
            "significant_design_change": True,
            "public_authority_use": True,
        },
        "high_risk_annex_iii",
        ("Art. 6(2)", "Annex III 4(a)", "Art. 111(2)", EXPLAIN, LITERACY),
        transition={"Art. 111(2)": "2027-12-02"},
        applies_from={"high_risk_annex_iii": "2027-12-02"},
    ),
    Case(
        "legacy_foundation_model",
        "A foundation model released in 2024, below the compute threshold.",
        {
            **GPAI,
            "gpai_designated_systemic": False,
            "training_compute_flops": 3e23,
            "gpai_placed_before_transition": True,
        },
        "gpai",
        ("Art. 111(3)", "Art. 53", LITERACY),
        transition={"Art. 111(3)": "2027-08-02"},
        applies_from={"gpai": "2027-08-02"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_version_5_system(case):
    outcome = eu_ai_act.classify(case.answers, V5, as_of=AS_OF)
    assert outcome.result == case.result, case.facts
    assert outcome.legal_basis == case.cited, case.facts
    assert set(outcome.legal_basis) <= AMENDED
    assert outcome.details.get("open_questions", []) == list(case.open_questions)
    assert outcome.details.get("provisional", False) is bool(case.open_questions)
    assert outcome.details.get("transition", {}) == case.transition
    for label, day in case.applies_from.items():
        assert outcome.details["applies_from"][label] == day
    assert outcome.details["role"] == case.answers["role"]


def test_a_provisional_result_says_in_words_what_it_assumed():
    outcome = eu_ai_act.classify(uses(["essential_services"], [UNKNOWN]), V5, as_of=AS_OF)
    assumed = [r for r in outcome.reasons if r.rule == "eu.annex_iii.assumed"]
    assert len(assumed) == 1 and "not known yet" in assumed[0].because
    assert "cautious side" in assumed[0].because
    fria = next(r for r in outcome.reasons if r.rule == "eu.art27")
    assert "not known yet" in fria.because and "provisional" in fria.because


def test_each_new_role_owes_its_own_duties_and_no_provider_one():
    def owed(answers: dict[str, Any]) -> set[str]:
        outcome = eu_ai_act.classify(answers, V5, as_of=AS_OF)
        picked = obligations.applicable([CATALOG_V4], {"eu_ai_act": outcome})
        return {entry["reference"] for entry in picked}

    assert owed({**HIGH_RISK_PRODUCT, "role": "importer"}) == {
        "Art. 23(1)",
        "Art. 23(3)",
        "Art. 23(5)",
    }
    assert owed({**HIGH_RISK_PRODUCT, "role": "distributor"}) == {"Art. 24(1)", "Art. 24(4)"}
    assert owed({**HIGH_RISK_PRODUCT, "role": "authorised_representative"}) == {"Art. 22(3)"}
    assert "Art. 23(1)" not in owed({**HIGH_RISK_PRODUCT, "role": "provider"})
    assert owed({**PLAIN, "role": "importer"}) == set()


def test_the_commission_designation_alone_settles_systemic_risk():
    asked = {q.key: q for q in eu_ai_act.questions(V5)}
    assert asked["training_compute_flops"].shown_if == ("gpai_designated_systemic", False)
    # A compute answer left over from before the designation is ignored, not cited.
    stale = {**GPAI, "gpai_designated_systemic": True, "training_compute_flops": 5e25}
    outcome = eu_ai_act.classify(stale, V5, as_of=AS_OF)
    assert "Art. 51(2)" not in outcome.legal_basis and "Art. 51(1)(b)" in outcome.legal_basis
    # Under version 4 both were asked and both cited.
    assert "Art. 51(2)" in eu_ai_act.classify(stale, V4, as_of=AS_OF).legal_basis


def test_not_known_yet_is_offered_only_where_version_5_lists_it():
    open_keys = {"eu_link", "public_service_deployer", "training_compute_flops"}
    asked = eu_ai_act.questions(V5)
    assert {q.key for q in asked if q.unknown} == open_keys
    point = next(q for q in asked if q.key == "annex_iii_point")
    assert dict(point.choices)[UNKNOWN].startswith("Not known yet")
    assert not any(q.unknown for q in eu_ai_act.questions(V4))
    with pytest.raises(AnswersContradict) as raised:
        eu_ai_act.classify({**GPAI, "gpai_designated_systemic": False,
                            "training_compute_flops": UNKNOWN}, V4, as_of=AS_OF)  # fmt: skip
    assert raised.value.field == "training_compute_flops"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        (uses(["employment"], ["recruitment", UNKNOWN]), "annex_iii_point"),
        ({**GPAI, "role": "importer", "gpai_designated_systemic": True}, "gpai_model"),
        ({**PLAIN, "eu_link": "maybe"}, "eu_link"),
    ],
    ids=["unknown_with_every_area_settled", "importer_providing_a_gpai_model", "bad_value"],
)
def test_contradictory_open_answers_name_the_answer_to_fix(answers, field):
    with pytest.raises(AnswersContradict) as raised:
        eu_ai_act.classify(answers, V5, as_of=AS_OF)
    assert raised.value.field == field


def test_the_transition_details_follow_the_questions_asked_only_when_on_the_market_before():
    asked = {q.key: q for q in eu_ai_act.questions(V5)}
    assert asked["significant_design_change"].shown_if == ("placed_before_transition", True)
    assert "2 Aug 2026" in asked["placed_before_transition"].text
    assert "2 Aug 2025" in asked["gpai_placed_before_transition"].text
    # Not high-risk: nothing is deferred, so nothing is said.
    legacy_chatbot = {**PLAIN, "placed_before_transition": True,
                      "significant_design_change": False, "public_authority_use": True}  # fmt: skip
    assert "transition" not in eu_ai_act.classify(legacy_chatbot, V5, as_of=AS_OF).details


@pytest.mark.parametrize("system", SYSTEMS, ids=[s.id for s in SYSTEMS])
def test_answers_given_before_version_5_keep_their_result(system):
    before = eu_ai_act.classify(system.answers, V4, as_of=AS_OF)
    after = eu_ai_act.classify(system.answers, V5, as_of=AS_OF)
    assert (after.result, after.legal_basis, after.reasons, after.labels) == (
        before.result,
        before.legal_basis,
        before.reasons,
        before.labels,
    )
    assert {**after.details, "rulebook": 4} == before.details


def test_the_table_covers_every_open_answer_operator_and_transition():
    opened = {key for case in CASES for key in case.open_questions}
    assert opened == set(V5["unknown_answers"])
    roles = {case.answers["role"] for case in CASES}
    assert {o["key"] for o in V5["other_operators"]} <= roles
    paragraphs = {basis for case in CASES for basis in case.transition}
    assert paragraphs == {"Art. 111(2)", "Art. 111(3)"}
