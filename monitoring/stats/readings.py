"""The value a stored result gives one measure: drift columns, fairness summaries, evaluations.

A threshold with no scope reads the worst value across what the result holds (every drifted
column, every sensitive-feature check, every suite); with a scope, only the matching one.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

# Drift methods as tools name them, to the measure names thresholds use. Evidently reports
# K-S and chi-square as p-values (smaller is more drift); Attest's own statistics as `ks` (D).
DRIFT_METHODS = {
    "psi": "psi",
    "ks": "ks",
    "kolmogorov_smirnov": "ks",
    "k-s p_value": "ks_p_value",
    "chisquare": "chi_square_p_value",
    "chi-square p_value": "chi_square_p_value",
    "chi_square": "chi_square_p_value",
    "jensenshannon": "js",
    "jensen-shannon distance": "js",
    "jensen_shannon": "js",
    "js": "js",
    "wasserstein": "wasserstein",
    "wasserstein distance (normed)": "wasserstein",
}

Worst = Callable[[Iterable[float]], float]


def drift_measure(method: str) -> str:
    return DRIFT_METHODS.get(method.strip().lower(), method.strip().lower())


def drift_value(
    columns: Iterable[Mapping[str, Any]],
    drift_share: float | None,
    measure: str,
    scope: str,
    worst: Worst,
) -> float | None:
    if measure == "share":
        return drift_share
    scores = [
        float(column["score"])
        for column in columns
        if column.get("score") is not None
        and drift_measure(str(column.get("method", ""))) == measure
        and (not scope or column.get("column") == scope)
    ]
    return worst(scores) if scores else None


def fairness_scope(sensitive: Iterable[str]) -> str:
    """A check's scope: its sensitive features joined, e.g. `sex` or `age_band+sex`."""
    return "+".join(sorted(sensitive))


def fairness_value(
    checks: Iterable[Mapping[str, Any]], measure: str, scope: str, worst: Worst
) -> float | None:
    """The worst value of a measure across the fairness checks of one evaluation."""
    values = [
        float(value)
        for check in checks
        if (value := (check.get("metrics") or {}).get(measure)) is not None
        and (not scope or fairness_scope(check.get("sensitive") or []) == scope)
    ]
    return worst(values) if values else None


def evaluation_value(row: Mapping[str, Any], measure: str) -> float | None:
    if measure == "pass_rate":
        return row["passed"] / row["cases"] if row["cases"] else None
    value = row.get(measure)
    return None if value is None else float(value)
