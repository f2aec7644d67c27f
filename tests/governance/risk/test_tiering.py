"""Tiering methods as data: scorecard and matrix tiers at every boundary, and method checks."""

import copy
import itertools
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from governance.risk.rules import tiering
from governance.risk.rules.results import AnswersContradict, AnswersIncomplete

TIERING = Path(__file__).resolve().parents[3] / "governance" / "rulebooks" / "data" / "tiering"
SCORECARD = yaml.safe_load((TIERING / "scorecard-2026.yaml").read_text(encoding="utf-8"))
MATRIX = yaml.safe_load((TIERING / "matrix-2026.yaml").read_text(encoding="utf-8"))
DELETE = object()

# Shipped scorecard weights: exposure 0.30, purpose 0.20, complexity 0.20, reliance and
# uncertainty 0.15 each. Points per answer are in the comments.
AT_TIER_1 = {  # 4, 4, 3, 3, 3 -> 1.2 + 0.8 + 0.6 + 0.45 + 0.45 = 3.5
    "exposure": "high",
    "purpose": "customer_decisions",
    "complexity": "moderate",
    "reliance": "significant",
    "uncertainty": "moderate",
}
JUST_BELOW_TIER_1 = {  # 5, 3, 3, 3, 2 -> 1.5 + 0.6 + 0.6 + 0.45 + 0.3 = 3.45
    "exposure": "very_high",
    "purpose": "risk_management",
    "complexity": "moderate",
    "reliance": "significant",
    "uncertainty": "low",
}
AT_TIER_2 = {  # 3, 3, 2, 2, 2 -> 0.9 + 0.6 + 0.4 + 0.3 + 0.3 = 2.5
    "exposure": "moderate",
    "purpose": "risk_management",
    "complexity": "low",
    "reliance": "supporting",
    "uncertainty": "low",
}
JUST_BELOW_TIER_2 = {  # 2, 4, 3, 2, 1 -> 0.6 + 0.8 + 0.6 + 0.3 + 0.15 = 2.45
    "exposure": "low",
    "purpose": "customer_decisions",
    "complexity": "moderate",
    "reliance": "supporting",
    "uncertainty": "very_low",
}


def edited(method: dict, path: tuple, value: object) -> dict:
    """A copy of the method with one field changed (or deleted), as an administrator might."""
    changed = copy.deepcopy(method)
    *parents, last = path
    target = changed
    for step in parents:
        target = target[step]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return changed


def two_factor_method(exposure_weight: float, thresholds: dict) -> dict:
    """The shipped scorecard cut down to exposure and purpose, to hit exact scores."""
    method = copy.deepcopy(SCORECARD)
    method["factors"] = method["factors"][:2]
    method["factors"][0]["weight"] = exposure_weight
    method["factors"][1]["weight"] = round(1 - exposure_weight, 10)
    method["thresholds"] = thresholds
    method["contradictions"] = []
    return method


@pytest.mark.parametrize("method", [SCORECARD, MATRIX], ids=["scorecard", "matrix"])
def test_the_shipped_methods_are_publishable(method):
    assert tiering.check_method(method) == []


def test_questions_are_the_factors_with_their_choices_in_order():
    asked = tiering.questions(SCORECARD)
    assert [q.key for q in asked] == [
        "exposure",
        "purpose",
        "complexity",
        "reliance",
        "uncertainty",
    ]
    assert {q.kind for q in asked} == {"choice"}
    assert [value for value, _ in asked[3].choices] == [
        "automated",
        "primary",
        "significant",
        "supporting",
        "none",
    ]


# ---- Scorecard boundaries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "score", "expected"),
    [
        (AT_TIER_1, 3.5, "tier_1"),
        (JUST_BELOW_TIER_1, 3.45, "tier_2"),
        (AT_TIER_2, 2.5, "tier_2"),
        (JUST_BELOW_TIER_2, 2.45, "tier_3"),
    ],
    ids=["3.5", "3.45", "2.5", "2.45"],
)
def test_a_score_at_a_threshold_takes_the_higher_tier_and_just_below_the_lower(
    answers, score, expected
):
    outcome = tiering.tier(answers, SCORECARD, framework="sr_26_2")
    assert outcome.details["score"] == score
    assert (outcome.result, outcome.labels) == (expected, (expected,))


def test_every_answer_combination_lands_in_the_tier_its_exact_score_gives():
    weights = {f["key"]: Fraction(str(f["weight"])) for f in SCORECARD["factors"]}
    options = [[(f["key"], c) for c in f["choices"]] for f in SCORECARD["factors"]]
    for combination in itertools.product(*options):
        answers = {key: choice["value"] for key, choice in combination}
        exact = sum(weights[key] * choice["points"] for key, choice in combination)
        expected = (
            "tier_1"
            if exact >= Fraction("3.5")
            else "tier_2"
            if exact >= Fraction("2.5")
            else "tier_3"
        )
        try:
            outcome = tiering.tier(answers, SCORECARD, framework="sr_26_2")
        except AnswersContradict:
            continue
        assert outcome.result == expected, answers
        assert outcome.details["score"] == pytest.approx(float(exact))


def test_a_score_exactly_on_a_threshold_is_not_lost_to_binary_rounding():
    # In binary floating point 0.3 * 1 + 0.7 * 4 is 3.0999999999999996, below 3.1.
    method = two_factor_method(0.3, {"tier_1": 3.1, "tier_2": 2.4})
    at_tier_1 = {"exposure": "minimal", "purpose": "customer_decisions"}  # 1 and 4 points
    at_tier_2 = {"exposure": "minimal", "purpose": "risk_management"}  # 1 and 3 points
    assert tiering.tier(at_tier_1, method, framework="sr_26_2").result == "tier_1"
    assert tiering.tier(at_tier_2, method, framework="sr_26_2").result == "tier_2"


def test_contributions_are_weight_times_points_and_add_up_to_the_score():
    outcome = tiering.tier(JUST_BELOW_TIER_1, SCORECARD, framework="sr_26_2")
    contributions = outcome.details["contributions"]
    assert contributions == pytest.approx(
        {"exposure": 1.5, "purpose": 0.6, "complexity": 0.6, "reliance": 0.45, "uncertainty": 0.3}
    )
    assert sum(contributions.values()) == pytest.approx(outcome.details["score"])


def test_weights_of_the_shipped_scorecard_sum_to_one():
    assert sum(f["weight"] for f in SCORECARD["factors"]) == pytest.approx(1, abs=1e-9)


def test_reasons_give_each_factor_its_answer_and_points_then_the_deciding_threshold():
    outcome = tiering.tier(AT_TIER_1, SCORECARD, framework="sr_26_2")
    rules = [reason.rule for reason in outcome.reasons]
    assert rules == [
        "tier.factor.exposure",
        "tier.factor.purpose",
        "tier.factor.complexity",
        "tier.factor.reliance",
        "tier.factor.uncertainty",
        "tier.score.threshold",
    ]
    exposure, decided = outcome.reasons[0], outcome.reasons[-1]
    assert exposure.because.startswith("Exposure: 'A major portfolio or a whole business line'")
    assert "4 points x weight 0.3 = 1.2" in exposure.because and "'high'" not in exposure.because
    assert exposure.answers == ("exposure",)
    assert "Score 3.5 is at or above the Tier 1 (high) threshold 3.5" in decided.because
    assert "tier_1" not in decided.because


def test_a_tier_2_score_is_explained_by_both_thresholds_around_it():
    decided = tiering.tier(AT_TIER_2, SCORECARD, framework="sr_26_2").reasons[-1]
    assert (
        "below the Tier 1 (high) threshold 3.5 and at or above the Tier 2 (medium) threshold 2.5"
        in decided.because
    )


@pytest.mark.parametrize(
    ("answers", "cadence", "approvers"),
    [
        (AT_TIER_1, 12, ["validator", "committee", "compliance", "legal"]),
        (AT_TIER_2, 24, ["validator", "committee"]),
        (JUST_BELOW_TIER_2, 36, ["validator"]),
    ],
    ids=["tier_1", "tier_2", "tier_3"],
)
def test_the_tier_brings_its_cadence_approvers_and_the_method_version(answers, cadence, approvers):
    details = tiering.tier(answers, SCORECARD, framework="sr_26_2").details
    assert (details["method"], details["method_version"]) == ("scorecard", 1)
    assert (details["cadence_months"], details["approvers"]) == (cadence, approvers)
    assert details["review_cadence_months"] == 12


@pytest.mark.parametrize(
    ("framework", "legal_basis"),
    [
        ("sr_26_2", ("SR 26-2 §III", "SR 26-2 §V")),
        ("sr_11_7", ("SR 11-7 §III", "SR 11-7 §V")),
        ("pra_ss1_23", ("PRA SS1/23 Principle 1.3", "PRA SS1/23 Principle 4.5")),
    ],
)
def test_the_tier_cites_the_frameworks_tiering_hook(framework, legal_basis):
    outcome = tiering.tier(AT_TIER_1, SCORECARD, framework=framework)
    assert (outcome.framework, outcome.legal_basis) == (framework, legal_basis)
    assert {reason.basis for reason in outcome.reasons} == {legal_basis[0]}


def test_an_unknown_framework_is_refused():
    with pytest.raises(ValueError, match="eu_ai_act"):
        tiering.tier(AT_TIER_1, SCORECARD, framework="eu_ai_act")


# ---- Answers that cannot be tiered ------------------------------------------------------------


def test_missing_answers_are_all_named_in_factor_order():
    answers = {**AT_TIER_1, "purpose": "", "exposure": None}
    del answers["uncertainty"]
    with pytest.raises(AnswersIncomplete) as raised:
        tiering.tier(answers, SCORECARD, framework="sr_26_2")
    assert raised.value.missing == ["exposure", "purpose", "uncertainty"]


@pytest.mark.parametrize("value", ["huge", 5, ["high"]])
def test_an_answer_that_is_not_a_choice_names_its_factor(value):
    with pytest.raises(AnswersContradict) as raised:
        tiering.tier({**AT_TIER_1, "exposure": value}, SCORECARD, framework="sr_26_2")
    assert raised.value.field == "exposure"
    assert "very_high, high, moderate, low, minimal" in raised.value.message


@pytest.mark.parametrize("purpose", ["regulatory", "financial_reporting", "customer_decisions"])
def test_no_reliance_contradicts_a_purpose_that_feeds_decisions(purpose):
    answers = {**AT_TIER_1, "reliance": "none", "purpose": purpose}
    with pytest.raises(AnswersContradict) as raised:
        tiering.tier(answers, SCORECARD, framework="sr_26_2")
    assert raised.value.field == "reliance"


@pytest.mark.parametrize("reliance", ["automated", "primary"])
def test_a_purpose_with_no_decision_contradicts_decisions_resting_on_the_outputs(reliance):
    answers = {**AT_TIER_1, "purpose": "internal_information", "reliance": reliance}
    with pytest.raises(AnswersContradict) as raised:
        tiering.tier(answers, SCORECARD, framework="sr_26_2")
    assert raised.value.field == "purpose"


def test_no_reliance_with_an_internal_information_purpose_is_consistent():
    answers = {**AT_TIER_1, "purpose": "internal_information", "reliance": "none"}
    assert tiering.tier(answers, SCORECARD, framework="sr_26_2").result == "tier_2"


# ---- Matrix -----------------------------------------------------------------------------------

# Answers whose axis totals sit exactly on each level's lower edge: high 8, medium 5, low 4.
MATERIALITY_AT = {
    "high": {"exposure": "high", "purpose": "customer_decisions"},  # 4 + 4
    "medium": {"exposure": "moderate", "purpose": "business_planning"},  # 3 + 2
    "low": {"exposure": "low", "purpose": "business_planning"},  # 2 + 2
}
COMPLEXITY_AT = {
    "high": {"complexity": "high", "uncertainty": "high"},  # 4 + 4
    "medium": {"complexity": "moderate", "uncertainty": "low"},  # 3 + 2
    "low": {"complexity": "low", "uncertainty": "low"},  # 2 + 2
}


@pytest.mark.parametrize(
    ("materiality", "complexity", "expected"),
    [
        ("high", "high", "tier_1"),
        ("high", "medium", "tier_1"),
        ("high", "low", "tier_2"),
        ("medium", "high", "tier_1"),
        ("medium", "medium", "tier_2"),
        ("medium", "low", "tier_3"),
        ("low", "high", "tier_2"),
        ("low", "medium", "tier_3"),
        ("low", "low", "tier_3"),
    ],
)
def test_every_matrix_cell_gives_its_tier(materiality, complexity, expected):
    answers = {**MATERIALITY_AT[materiality], **COMPLEXITY_AT[complexity]}
    outcome = tiering.tier(answers, MATRIX, framework="pra_ss1_23")
    assert outcome.result == expected
    assert outcome.details["score"] == {"materiality": materiality, "complexity": complexity}


@pytest.mark.parametrize(
    ("exposure", "purpose", "level"),
    [
        ("very_high", "regulatory", "high"),  # 10
        ("high", "customer_decisions", "high"),  # 8, on the threshold
        ("high", "risk_management", "medium"),  # 7, just below
        ("moderate", "business_planning", "medium"),  # 5, on the threshold
        ("low", "business_planning", "low"),  # 4, just below
        ("minimal", "internal_information", "low"),  # 2
    ],
)
def test_materiality_is_exposure_plus_purpose_graded_at_each_threshold(exposure, purpose, level):
    answers = {"exposure": exposure, "purpose": purpose, **COMPLEXITY_AT["medium"]}
    outcome = tiering.tier(answers, MATRIX, framework="pra_ss1_23")
    assert outcome.details["score"]["materiality"] == level


@pytest.mark.parametrize(
    ("complexity", "uncertainty", "level"),
    [
        ("high", "high", "high"),
        ("high", "moderate", "medium"),
        ("moderate", "low", "medium"),
        ("low", "low", "low"),
    ],
)
def test_complexity_and_uncertainty_are_graded_at_each_threshold(complexity, uncertainty, level):
    answers = {"complexity": complexity, "uncertainty": uncertainty, **MATERIALITY_AT["high"]}
    outcome = tiering.tier(answers, MATRIX, framework="pra_ss1_23")
    assert outcome.details["score"]["complexity"] == level


def test_the_matrix_explains_each_factor_and_the_cell_and_has_no_review_cadence():
    answers = {**MATERIALITY_AT["medium"], **COMPLEXITY_AT["high"]}
    outcome = tiering.tier(answers, MATRIX, framework="sr_11_7")
    assert [r.rule for r in outcome.reasons][-1] == "tier.matrix.cell"
    assert len(outcome.reasons) == len(MATRIX["factors"]) + 1
    assert "medium x complexity high cell gives Tier 1 (high)" in outcome.reasons[-1].because
    assert outcome.details["contributions"] == {
        "exposure": 3.0,
        "purpose": 2.0,
        "complexity": 4.0,
        "uncertainty": 4.0,
    }
    assert outcome.details["cadence_months"] == 12
    assert "review_cadence_months" not in outcome.details


# ---- Checking an edited method ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("type",), "ranking", "type: must be 'scorecard' or 'matrix'"),
        (("factors", 0, "weight"), -0.3, "factors[exposure].weight: must be a positive number"),
        (("factors", 0, "weight"), 0, "factors[exposure].weight: must be a positive number"),
        (("factors", 0, "weight"), DELETE, "factors[exposure].weight: must be a positive number"),
        (("factors", 0, "weight"), 0.35, "factors.weight: the weights sum to 1.05"),
        (("factors", 0, "choices", 1, "points"), 6, "factors[exposure].choices[high].points"),
        (("factors", 0, "choices", 1, "points"), 0, "factors[exposure].choices[high].points"),
        (("factors", 0, "choices", 1, "points"), 2.5, "factors[exposure].choices[high].points"),
        (("factors", 0, "choices", 1, "points"), True, "factors[exposure].choices[high].points"),
        (
            ("factors", 0, "choices", 1, "value"),
            "very_high",
            "factors[exposure].choices[very_high].value: appears twice",
        ),
        (
            ("factors", 0, "choices", 1, "label"),
            "",
            "factors[exposure].choices[high].label: required",
        ),
        (("factors", 0, "choices"), [], "factors[exposure].choices: must list at least one choice"),
        (("factors", 2, "key"), "exposure", "factors[exposure].key: appears twice"),
        (("factors", 1, "key"), "usage", "factors: needs a 'purpose' factor"),
        (("factors", 1, "text"), " ", "factors[purpose].text: required"),
        (("factors",), [], "factors: must list at least one factor"),
        (("thresholds", "tier_2"), 3.5, "thresholds.tier_2: must be below thresholds.tier_1 (3.5)"),
        (("thresholds", "tier_2"), 4, "thresholds.tier_2: must be below thresholds.tier_1 (3.5)"),
        (("thresholds", "tier_2"), DELETE, "thresholds.tier_2: must be a number"),
        (("thresholds", "tier_1"), 5.5, "thresholds.tier_1: must be above 1 and at most 5"),
        (("thresholds", "tier_3"), 1.5, "thresholds.tier_3: no such grade"),
        (
            ("tiers", "tier_2", "cadence_months"),
            0,
            "tiers.tier_2.cadence_months: must be a whole number",
        ),
        (
            ("tiers", "tier_2", "cadence_months"),
            "24",
            "tiers.tier_2.cadence_months: must be a whole number",
        ),
        (("tiers", "tier_1", "review_cadence_months"), -12, "tiers.tier_1.review_cadence_months"),
        (
            ("tiers", "tier_3", "cadence_months"),
            6,
            "tiers.tier_3.cadence_months: must not be shorter than tiers.tier_2",
        ),
        (
            ("tiers", "tier_3", "approvers"),
            [],
            "tiers.tier_3.approvers: must name at least one role",
        ),
        (("tiers", "tier_1", "approvers"), ["validator", "validator"], "tiers.tier_1.approvers"),
        (("tiers", "tier_2"), DELETE, "tiers.tier_2: required"),
        (
            ("legal_basis", "pra_ss1_23"),
            [],
            "legal_basis.pra_ss1_23: must list at least one citation",
        ),
        (("contradictions", 0, "when", "reliance"), ["never"], "contradictions[0].when.reliance"),
        (("contradictions", 0, "field"), "complexity", "contradictions[0].field"),
        (("contradictions", 1, "message"), "", "contradictions[1].message: required"),
    ],
)
def test_check_method_names_the_field_of_each_scorecard_problem(path, value, problem):
    problems = tiering.check_method(edited(SCORECARD, path, value))
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("cells", "low", "high"), DELETE, "cells.low.high: must be one of tier_1, tier_2, tier_3"),
        (("cells", "medium"), DELETE, "cells.medium.high: must be one of"),
        (("cells", "high", "low"), "tier_4", "cells.high.low: must be one of"),
        (
            ("cells", "high", "high"),
            "tier_2",
            "cells.high.high: must be no lower a tier than cells.high.medium (tier_1)",
        ),
        (
            ("cells", "low", "low"),
            "tier_2",
            "cells.medium.low: must be no lower a tier than cells.low.low (tier_2)",
        ),
        (
            ("axes", "complexity", "thresholds", "medium"),
            8,
            "axes.complexity.thresholds.medium: must be below",
        ),
        (
            ("axes", "materiality", "thresholds", "high"),
            11,
            "axes.materiality.thresholds.high: must be above 2 and at most 10",
        ),
        (
            ("axes", "materiality", "factors"),
            ["exposure", "complexity"],
            "axes.materiality.factors: must be exposure and purpose",
        ),
        (
            ("axes", "complexity", "factors"),
            ["complexity"],
            "factors[uncertainty]: must sit on exactly one axis, not 0",
        ),
        (
            ("axes", "complexity", "factors"),
            ["complexity", "unknown"],
            "axes.complexity.factors: must list factors",
        ),
        (("axes", "complexity"), DELETE, "axes: must define materiality and complexity"),
        (("tiers", "tier_1", "approvers"), DELETE, "tiers.tier_1.approvers"),
    ],
)
def test_check_method_names_the_field_of_each_matrix_problem(path, value, problem):
    problems = tiering.check_method(edited(MATRIX, path, value))
    assert any(p.startswith(problem) for p in problems), problems


def test_check_method_reports_every_problem_at_once():
    method = edited(SCORECARD, ("tiers", "tier_1", "cadence_months"), 0)
    method = edited(method, ("legal_basis", "sr_11_7"), DELETE)
    assert tiering.check_method(method) == [
        "tiers.tier_1.cadence_months: must be a whole number of months above 0",
        "legal_basis.sr_11_7: must list at least one citation",
    ]


def test_a_method_that_cannot_be_published_cannot_tier_either():
    method = edited(SCORECARD, ("thresholds", "tier_2"), 3.5)
    with pytest.raises(ValueError, match=r"thresholds\.tier_2"):
        tiering.tier(AT_TIER_1, method, framework="sr_26_2")
