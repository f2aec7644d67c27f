"""Model risk tier from questionnaire answers and a tiering method held as data.

Two method types, chosen by method["type"]:
- "scorecard": score = sum(weight * points) over the factors; the score is compared with the
  tier thresholds.
- "matrix": each axis adds up its factors' points (materiality = exposure + purpose, complexity =
  complexity + uncertainty) and is graded high / medium / low; the grid cell gives the tier.
Everywhere a value equal to a threshold takes the higher tier or level.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeGuard

from governance.labels import label_for
from governance.risk.rules.results import (
    AnswersContradict,
    AnswersIncomplete,
    Outcome,
    Question,
    Reason,
)

TIERS = ("tier_1", "tier_2", "tier_3")
LEVELS = ("high", "medium", "low")
FRAMEWORKS = ("sr_26_2", "sr_11_7", "pra_ss1_23")
SCORECARD, MATRIX = "scorecard", "matrix"
AXES = ("materiality", "complexity")
# SR 26-2: materiality is exposure plus purpose, so every method must weigh both.
MATERIALITY_FACTORS = ("exposure", "purpose")
MIN_POINTS, MAX_POINTS = 1, 5
WEIGHT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class _Grade:
    """What a method type decided, before the tier's cadence and approvers are added."""

    result: str
    score: float | dict[str, str]
    contributions: dict[str, float]
    reasons: tuple[Reason, ...]


def questions(method: dict[str, Any]) -> tuple[Question, ...]:
    """One multiple-choice question per factor of the method."""
    return tuple(
        Question(
            key=factor["key"],
            text=factor["text"],
            kind="choice",
            help=factor.get("help", ""),
            choices=tuple((choice["value"], choice["label"]) for choice in factor["choices"]),
        )
        for factor in method["factors"]
    )


def tier(answers: dict[str, Any], method: dict[str, Any], *, framework: str) -> Outcome:
    """The tier the method gives these answers, citing the framework's tiering hook."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {', '.join(FRAMEWORKS)}, not {framework!r}")
    problems = check_method(method)
    if problems:
        raise ValueError(
            f"tiering method {method.get('name')!r} is not usable: {'; '.join(problems)}"
        )
    chosen = _chosen(answers, method)
    _require_consistent(answers, method)
    basis = method["legal_basis"][framework][0]
    grade = (
        _scorecard(chosen, method, basis)
        if method["type"] == SCORECARD
        else _matrix(chosen, method, basis)
    )
    return Outcome(
        framework=framework,
        result=grade.result,
        legal_basis=tuple(method["legal_basis"][framework]),
        reasons=grade.reasons,
        labels=(grade.result,),
        details=_details(grade, method),
    )


def _details(grade: _Grade, method: dict[str, Any]) -> dict[str, Any]:
    settings = method["tiers"][grade.result]
    details = {
        "method": method["name"],
        "method_version": method["version"],
        "score": grade.score,
        "contributions": grade.contributions,
        "cadence_months": settings["cadence_months"],
        "approvers": list(settings["approvers"]),
    }
    if "review_cadence_months" in settings:
        details["review_cadence_months"] = settings["review_cadence_months"]
    return details


# ---- Answers ---------------------------------------------------------------------------------


def _chosen(answers: dict[str, Any], method: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The choice answered for each factor, in factor order."""
    missing = [f["key"] for f in method["factors"] if answers.get(f["key"]) in (None, "")]
    if missing:
        raise AnswersIncomplete(missing)
    chosen = {}
    for factor in method["factors"]:
        by_value = {choice["value"]: choice for choice in factor["choices"]}
        value = answers[factor["key"]]
        if not isinstance(value, str) or value not in by_value:
            raise AnswersContradict(factor["key"], f"must be one of: {', '.join(by_value)}")
        chosen[factor["key"]] = by_value[value]
    return chosen


def _require_consistent(answers: dict[str, Any], method: dict[str, Any]) -> None:
    for rule in method.get("contradictions", []):
        if all(answers[key] in values for key, values in rule["when"].items()):
            raise AnswersContradict(rule["field"], rule["message"])


# ---- Grading ---------------------------------------------------------------------------------


def _decimal(number: float) -> Decimal:
    # Weights and thresholds are decimals as written (0.15, 3.5): exact decimal arithmetic keeps a
    # score that lands on a threshold from slipping below it through binary rounding.
    return Decimal(str(number))


def _text(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _graded(value: Decimal, thresholds: dict[str, Any], grades: tuple[str, ...]) -> str:
    """The highest grade whose threshold the value reaches; the last grade takes the rest."""
    for grade in grades[:-1]:
        if value >= _decimal(thresholds[grade]):
            return grade
    return grades[-1]


def _placed(
    subject: str, value: Decimal, thresholds: dict[str, Any], grades: tuple[str, ...]
) -> str:
    """Where the value sits between the thresholds around its grade, as a sentence part."""
    grade = _graded(value, thresholds, grades)
    index = grades.index(grade)
    sides = []
    if index > 0:
        above = grades[index - 1]
        sides.append(f"below the {label_for(above)} threshold {thresholds[above]}")
    if index < len(grades) - 1:
        sides.append(f"at or above the {label_for(grade)} threshold {thresholds[grade]}")
    return f"{subject} {_text(value)} is {' and '.join(sides)}"


def _factor_reason(
    factor: dict[str, Any], choice: dict[str, Any], basis: str, scored: str
) -> Reason:
    because = f"{factor['title']}: '{choice['label']}' {scored}."
    return Reason(f"tier.factor.{factor['key']}", basis, because, (factor["key"],))


def _scorecard(chosen: dict[str, dict[str, Any]], method: dict[str, Any], basis: str) -> _Grade:
    weights = {f["key"]: _decimal(f["weight"]) for f in method["factors"]}
    points = {key: weights[key] * choice["points"] for key, choice in chosen.items()}
    score = sum(points.values(), Decimal(0))
    result = _graded(score, method["thresholds"], TIERS)
    reasons = [
        _factor_reason(
            factor,
            chosen[factor["key"]],
            basis,
            f"scores {chosen[factor['key']]['points']} points x weight {factor['weight']} "
            f"= {_text(points[factor['key']])}",
        )
        for factor in method["factors"]
    ]
    placed = _placed("Score", score, method["thresholds"], TIERS)
    because = (
        f"{placed}, so {label_for(result)}; a score equal to a threshold takes the higher tier."
    )
    reasons.append(Reason("tier.score.threshold", basis, because, tuple(chosen)))
    return _Grade(
        result=result,
        score=float(score),
        contributions={key: float(value) for key, value in points.items()},
        reasons=tuple(reasons),
    )


def _matrix(chosen: dict[str, dict[str, Any]], method: dict[str, Any], basis: str) -> _Grade:
    axis_of = {key: axis for axis in AXES for key in method["axes"][axis]["factors"]}
    reasons = [
        _factor_reason(
            factor,
            chosen[factor["key"]],
            basis,
            f"scores {chosen[factor['key']]['points']} points on the "
            f"{method['axes'][axis_of[factor['key']]]['title']} axis",
        )
        for factor in method["factors"]
    ]
    levels, placed = {}, []
    for axis in AXES:
        spec = method["axes"][axis]
        total = Decimal(sum(chosen[key]["points"] for key in spec["factors"]))
        levels[axis] = _graded(total, spec["thresholds"], LEVELS)
        placed.append(_placed(spec["title"], total, spec["thresholds"], LEVELS))
    result = method["cells"][levels["materiality"]][levels["complexity"]]
    because = (
        f"{'. '.join(placed)}. The materiality {levels['materiality']} x complexity "
        f"{levels['complexity']} cell gives {label_for(result)}; a total equal to a threshold takes the "
        "higher level."
    )
    reasons.append(Reason("tier.matrix.cell", basis, because, tuple(chosen)))
    return _Grade(
        result=result,
        score=levels,
        contributions={key: float(choice["points"]) for key, choice in chosen.items()},
        reasons=tuple(reasons),
    )


# ---- Checking an edited method ---------------------------------------------------------------


def check_method(method: dict[str, Any]) -> list[str]:
    """Every problem that stops this method from being published, each naming its field."""
    kind = method.get("type")
    if kind not in (SCORECARD, MATRIX):
        return [f"type: must be '{SCORECARD}' or '{MATRIX}', not {kind!r}"]
    problems = _check_factors(method.get("factors"))
    choices = _choices(method)
    if kind == SCORECARD:
        problems += _check_weights(method["factors"]) if choices else []
        problems += _check_thresholds("thresholds", method.get("thresholds"), TIERS, (1, 5))
    else:
        problems += _check_axes(method.get("axes"), choices)
        problems += _check_cells(method.get("cells"))
    problems += _check_tiers(method.get("tiers"))
    problems += _check_legal_basis(method.get("legal_basis"))
    problems += _check_contradictions(method.get("contradictions", []), choices)
    return problems


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _is_text_list(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and bool(value) and all(_is_text(item) for item in value)


def _choices(method: dict[str, Any]) -> dict[str, set[str]]:
    """Each well-formed factor's choice values, so later checks can refer to them."""
    factors = method.get("factors")
    if not isinstance(factors, list):
        return {}
    return {
        # Values that are not text are reported by _check_choices and match no contradiction.
        factor["key"]: {
            value
            for choice in factor["choices"]
            if isinstance(choice, dict) and _is_text(value := choice.get("value"))
        }
        for factor in factors
        if isinstance(factor, dict)
        and _is_text(factor.get("key"))
        and isinstance(factor.get("choices"), list)
    }


def _check_factors(factors: Any) -> list[str]:
    if not isinstance(factors, list) or not factors:
        return ["factors: must list at least one factor"]
    problems, seen = [], set()
    for index, factor in enumerate(factors):
        key = factor.get("key") if isinstance(factor, dict) else None
        if not _is_text(key):
            problems.append(f"factors[{index}].key: required")
            continue
        if key in seen:
            problems.append(f"factors[{key}].key: appears twice")
        seen.add(key)
        if not _is_text(factor.get("text")):
            problems.append(f"factors[{key}].text: required")
        if not _is_text(factor.get("title")):
            problems.append(f"factors[{key}].title: required")
        problems += _check_choices(f"factors[{key}].choices", factor.get("choices"))
    problems += [
        f"factors: needs a '{key}' factor (SR 26-2: materiality is exposure plus purpose)"
        for key in MATERIALITY_FACTORS
        if key not in seen
    ]
    return problems


def _check_choices(field: str, choices: Any) -> list[str]:
    if not isinstance(choices, list) or not choices:
        return [f"{field}: must list at least one choice"]
    problems, seen = [], set()
    for index, choice in enumerate(choices):
        value = choice.get("value") if isinstance(choice, dict) else None
        if not _is_text(value):
            problems.append(f"{field}[{index}].value: required")
            continue
        if value in seen:
            problems.append(f"{field}[{value}].value: appears twice")
        seen.add(value)
        if not _is_text(choice.get("label")):
            problems.append(f"{field}[{value}].label: required")
        points = choice.get("points")
        if not (_is_int(points) and MIN_POINTS <= points <= MAX_POINTS):
            problems.append(
                f"{field}[{value}].points: must be a whole number from {MIN_POINTS} to "
                f"{MAX_POINTS}, not {points!r}"
            )
    return problems


def _check_weights(factors: list[Any]) -> list[str]:
    named = [f for f in factors if isinstance(f, dict) and _is_text(f.get("key"))]
    problems = [
        f"factors[{f['key']}].weight: must be a positive number, not {f.get('weight')!r}"
        for f in named
        if not (_is_number(f.get("weight")) and f["weight"] > 0)
    ]
    if problems:
        return problems
    total = sum((_decimal(f["weight"]) for f in named), Decimal(0))
    if abs(total - 1) > WEIGHT_TOLERANCE:
        return [f"factors.weight: the weights sum to {_text(total)}; they must sum to 1"]
    return []


def _check_thresholds(
    field: str, thresholds: Any, grades: tuple[str, ...], attainable: tuple[float, float]
) -> list[str]:
    """Thresholds for every grade but the last, strictly descending, each one reachable."""
    named = ", ".join(grades[:-1])
    if not isinstance(thresholds, dict):
        return [f"{field}: must give a minimum for each of {named}"]
    problems = [
        f"{field}.{key}: no such grade; {grades[-1]} takes everything below {grades[-2]}"
        for key in thresholds
        if key not in grades[:-1]
    ]
    lowest, highest = attainable
    previous: tuple[str, float] | None = None
    for grade in grades[:-1]:
        value = thresholds.get(grade)
        if not _is_number(value):
            problems.append(f"{field}.{grade}: must be a number, not {value!r}")
            continue
        if not lowest < value <= highest:
            problems.append(
                f"{field}.{grade}: must be above {lowest:g} and at most {highest:g}, "
                "or some grade can never be reached"
            )
        if previous is not None and value >= previous[1]:
            problems.append(
                f"{field}.{grade}: must be below {field}.{previous[0]} ({previous[1]:g}); "
                "thresholds descend strictly"
            )
        previous = (grade, value)
    return problems


def _check_axes(axes: Any, choices: dict[str, set[str]]) -> list[str]:
    if not isinstance(axes, dict) or any(not isinstance(axes.get(a), dict) for a in AXES):
        return [f"axes: must define {' and '.join(AXES)}"]
    problems = []
    placed: dict[str, list[str]] = {key: [] for key in choices}
    for axis in AXES:
        spec = axes[axis]
        if not _is_text(spec.get("title")):
            problems.append(f"axes.{axis}.title: required")
        factors = spec.get("factors")
        if not (_is_text_list(factors) and set(factors) <= set(choices)):
            problems.append(f"axes.{axis}.factors: must list factors of this method")
            continue
        for key in factors:
            placed[key].append(axis)
        attainable = (MIN_POINTS * len(factors), MAX_POINTS * len(factors))
        problems += _check_thresholds(
            f"axes.{axis}.thresholds", spec.get("thresholds"), LEVELS, attainable
        )
    if sorted(axes["materiality"].get("factors") or []) != sorted(MATERIALITY_FACTORS):
        problems.append(
            "axes.materiality.factors: must be exposure and purpose "
            "(SR 26-2: materiality is exposure plus purpose)"
        )
    problems += [
        f"factors[{key}]: must sit on exactly one axis, not {len(on)}"
        for key, on in placed.items()
        if len(on) != 1
    ]
    return problems


def _check_cells(cells: Any) -> list[str]:
    if not isinstance(cells, dict):
        return ["cells: must give a tier for every materiality and complexity level"]
    problems = []
    for materiality in LEVELS:
        row = cells.get(materiality)
        for complexity in LEVELS:
            value = row.get(complexity) if isinstance(row, dict) else None
            if value not in TIERS:
                problems.append(
                    f"cells.{materiality}.{complexity}: must be one of {', '.join(TIERS)}, "
                    f"not {value!r}"
                )
    return problems or _check_cells_monotone(cells)


def _riskier_neighbours() -> Iterator[tuple[tuple[str, str], tuple[str, str]]]:
    """Each (materiality, complexity) cell paired after its neighbour one level riskier."""
    for m, materiality in enumerate(LEVELS):
        for c, complexity in enumerate(LEVELS):
            if m:
                yield (LEVELS[m - 1], complexity), (materiality, complexity)
            if c:
                yield (materiality, LEVELS[c - 1]), (materiality, complexity)


def _check_cells_monotone(cells: dict[str, Any]) -> list[str]:
    # A riskier cell giving a lower tier would let more material or complex models escape scrutiny.
    return [
        f"cells.{riskier[0]}.{riskier[1]}: must be no lower a tier than "
        f"cells.{cell[0]}.{cell[1]} ({cells[cell[0]][cell[1]]})"
        for riskier, cell in _riskier_neighbours()
        if TIERS.index(cells[riskier[0]][riskier[1]]) > TIERS.index(cells[cell[0]][cell[1]])
    ]


def _check_tiers(tiers: Any) -> list[str]:
    if not isinstance(tiers, dict):
        return [f"tiers: must define {', '.join(TIERS)}"]
    problems = []
    for name in TIERS:
        settings = tiers.get(name)
        if not isinstance(settings, dict):
            problems.append(f"tiers.{name}: required")
            continue
        for key in ("cadence_months", "review_cadence_months"):
            value = settings.get(key)
            required = key == "cadence_months"
            if (required or key in settings) and not (_is_int(value) and value > 0):
                problems.append(f"tiers.{name}.{key}: must be a whole number of months above 0")
        approvers = settings.get("approvers")
        if not _is_text_list(approvers) or len(set(approvers)) != len(approvers):
            problems.append(f"tiers.{name}.approvers: must name at least one role, each once")
    return problems or _check_cadences_ordered(tiers)


def _check_cadences_ordered(tiers: dict[str, Any]) -> list[str]:
    # A lower tier revalidated more often than a higher one inverts the risk-based ordering.
    return [
        f"tiers.{lower}.cadence_months: must not be shorter than tiers.{higher}.cadence_months "
        f"({tiers[higher]['cadence_months']})"
        for higher, lower in itertools.pairwise(TIERS)
        if tiers[lower]["cadence_months"] < tiers[higher]["cadence_months"]
    ]


def _check_legal_basis(legal_basis: Any) -> list[str]:
    if not isinstance(legal_basis, dict):
        return [f"legal_basis: must cite the tiering hook of each of {', '.join(FRAMEWORKS)}"]
    return [
        f"legal_basis.{framework}: must list at least one citation"
        for framework in FRAMEWORKS
        if not _is_text_list(legal_basis.get(framework))
    ]


def _check_contradictions(rules: Any, choices: dict[str, set[str]]) -> list[str]:
    if not isinstance(rules, list):
        return ["contradictions: must be a list"]
    problems = []
    for index, rule in enumerate(rules):
        field = f"contradictions[{index}]"
        if not isinstance(rule, dict):
            problems.append(f"{field}: must have field, when and message")
            continue
        when = rule.get("when")
        if not isinstance(when, dict) or not when:
            problems.append(f"{field}.when: must map factors to the answers that conflict")
            when = {}
        for key, values in when.items():
            if key not in choices or not _is_text_list(values) or not set(values) <= choices[key]:
                problems.append(f"{field}.when.{key}: must list choices of a factor of this method")
        if rule.get("field") not in when:
            problems.append(f"{field}.field: must name one of the factors in when")
        if not _is_text(rule.get("message")):
            problems.append(f"{field}.message: required")
    return problems
