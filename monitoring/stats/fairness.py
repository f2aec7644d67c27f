"""Fairness of a binary classifier from raw outcomes: group rates and disparities, as fairlearn
defines them.

`assess` takes each case's true label and the model's decision (0/1 or booleans) and one or
more sensitive features. It returns one `FairnessFigures` per feature and, with two or more,
one for their intersection (every combination present in the data). Per group: the count,
`selection_rate`, `true_positive_rate`, `false_positive_rate` and `accuracy`, as fairlearn's
`MetricFrame` reports them (the true positive rate is 0.0 where a group has no positives, the
false positive rate where it has no negatives, as sklearn's normalised confusion matrix gives
them). Across groups: fairlearn's between-groups,
worst-case `demographic_parity_difference`, `demographic_parity_ratio` and
`equalized_odds_difference`, and the EEOC's four-fifths rule (lowest over highest selection
rate, passed at 0.8 or more).

Groups smaller than `min_group_size` are listed but left out of the disparities: a rate over a
handful of cases is noise, and one tiny group would otherwise set the worst case. With fewer
than two groups left, no disparity is computed and `insufficient_data` says why.

The figures come from one count of confusion cells per combination of sensitive values
(`np.bincount` over integer codes), not from `MetricFrame`, which calls each metric once per
group and takes tens of seconds per feature at a million rows (see bench/fairness.py).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

# Usual limits: a disparity of at most 0.1, and the EEOC's four-fifths rule (29 CFR 1607.4 D).
DEMOGRAPHIC_PARITY_LIMIT = 0.1
EQUALIZED_ODDS_LIMIT = 0.1
FOUR_FIFTHS = 0.8
LIMITS = {
    "demographic_parity_difference": DEMOGRAPHIC_PARITY_LIMIT,
    "equalized_odds_difference": EQUALIZED_ODDS_LIMIT,
    "four_fifths_ratio": FOUR_FIFTHS,
}
MIN_GROUP_SIZE = 30

# A blank sensitive value is a group of its own: dropping the case would change every count.
MISSING_GROUP = "(missing)"

# Why no disparity is computed (`insufficient_data`).
NO_ROWS = "there are no cases"
TOO_FEW_GROUPS = "fewer than two groups have at least {min_group_size} cases"
# Why a computed figure says less than it seems (`caveats`).
GROUP_WITHOUT_POSITIVES = (
    "a judged group has no positive label: its true positive rate is 0.0 by fairlearn's "
    "convention, not a measurement"
)
GROUP_WITHOUT_NEGATIVES = (
    "a judged group has no negative label: its false positive rate is 0.0 by fairlearn's "
    "convention, not a measurement"
)
NOBODY_SELECTED = "no case in the judged groups was selected: the selection-rate ratio is undefined"

# 4 cells per combination must fit in int64 codes.
MAX_COMBINATIONS = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Rates:
    """How many cases, and their rates; a rate is None only when there are no cases."""

    count: int
    selection_rate: float | None
    true_positive_rate: float | None
    false_positive_rate: float | None
    accuracy: float | None


@dataclass(frozen=True)
class GroupRates(Rates):
    """One group's rates: its value of each feature, and whether the disparities count it."""

    group: dict[str, Any]
    judged: bool


@dataclass(frozen=True)
class Disparities:
    """The between-groups figures over the judged groups; None where undefined."""

    demographic_parity_difference: float | None = None
    demographic_parity_ratio: float | None = None
    equalized_odds_difference: float | None = None
    four_fifths_ratio: float | None = None
    four_fifths_passed: bool | None = None


@dataclass(frozen=True)
class FairnessFigures:
    """Fairness over the groups of one feature, or of the intersection of several."""

    features: tuple[str, ...]
    groups: list[GroupRates]  # every group present, sorted by value as fairlearn sorts them
    overall: Rates
    disparities: Disparities
    insufficient_data: str | None  # why no disparity was computed; None when they were
    caveats: tuple[str, ...] = ()

    @property
    def groups_judged(self) -> int:
        return sum(g.judged for g in self.groups)

    @property
    def groups_excluded(self) -> int:
        return len(self.groups) - self.groups_judged


def assess(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive: Mapping[str, ArrayLike],
    *,
    min_group_size: int = MIN_GROUP_SIZE,
    intersectional: bool = True,
) -> list[FairnessFigures]:
    """Figures per sensitive feature, in the order given, then (if asked) their intersection.

    `sensitive` maps each feature's name to its values (a DataFrame works too). ValueError for
    labels or decisions that are not 0/1 and for columns of different lengths.
    """
    actual, predicted = _decisions(y_true, "y_true"), _decisions(y_pred, "y_pred")
    if len(predicted) != len(actual):
        raise ValueError(f"y_pred has {len(predicted)} values for {len(actual)} labels")
    names = list(sensitive)
    if not names:
        raise ValueError("name at least one sensitive feature")
    coded = [_coded(sensitive[name], name, len(actual)) for name in names]
    values = [labels for _, labels in coded]  # each feature's groups, in code order
    sizes = [len(labels) for labels in values]
    cells, keys = _cells_per_combination(actual, predicted, [codes for codes, _ in coded], sizes)
    figures = [
        _figures(
            (name,),
            [{name: label} for label in values[f]],
            _summed_by(keys[:, f], cells, sizes[f]),
            min_group_size,
        )
        for f, name in enumerate(names)
    ]
    if intersectional and len(names) > 1:
        groups = [
            {name: values[f][code] for f, (name, code) in enumerate(zip(names, key, strict=True))}
            for key in keys.tolist()
        ]
        figures.append(_figures(tuple(names), groups, cells, min_group_size))
    return figures


def difference(rates: ArrayLike) -> float | None:
    """Largest minus smallest rate (fairlearn's between_groups difference), skipping NaN."""
    values = _present(rates)
    return _finite(values.max() - values.min()) if values.size else None


def ratio(rates: ArrayLike) -> float | None:
    """Smallest over largest rate (fairlearn's between_groups ratio); None when undefined."""
    values = _present(rates)
    if not values.size or not values.max():
        return None
    return _finite(values.min() / values.max())


def four_fifths_passed(selection_ratio: float | None) -> bool | None:
    """The EEOC's rule: the lowest selection rate is at least 4/5 of the highest."""
    return None if selection_ratio is None else selection_ratio >= FOUR_FIFTHS


# --- counting -------------------------------------------------------------------------------


def _decisions(values: ArrayLike, name: str) -> np.ndarray:
    """0/1 or boolean values as booleans; ValueError for anything else, such as a score."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if array.dtype == bool:
        return array
    selected: np.ndarray = array == 1
    stray = ~(selected | (array == 0))
    if stray.any():
        raise ValueError(f"{name} must hold 0/1 decisions, not {array[stray][:1].tolist()[0]!r}")
    return selected


def _coded(values: ArrayLike, name: str, length: int) -> tuple[np.ndarray, list[Any]]:
    """Each case's group code and the group values, sorted (missing last)."""
    codes, uniques = pd.factorize(pd.Series(values, copy=False), sort=True, use_na_sentinel=False)
    if len(codes) != length:
        raise ValueError(f"{name} has {len(codes)} values for {length} labels")
    return codes, [MISSING_GROUP if pd.isna(u) else u for u in uniques.tolist()]


def _cells_per_combination(
    actual: np.ndarray, predicted: np.ndarray, codes: list[np.ndarray], sizes: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Confusion cells (tn, fp, fn, tp) of each combination of values present, in sorted order,
    and the combination's code in each feature."""
    if math.prod(sizes) > MAX_COMBINATIONS:
        raise ValueError("the sensitive features have too many combinations of values")
    combined = np.zeros(len(actual), dtype=np.int64)
    for feature_codes, size in zip(codes, sizes, strict=True):
        combined = combined * size + feature_codes
    combination, present = pd.factorize(combined, sort=True)
    cell = 2 * actual.astype(np.int64) + predicted  # 0 tn, 1 fp, 2 fn, 3 tp
    counts = np.bincount(4 * combination + cell, minlength=4 * len(present))
    return counts.reshape(-1, 4), np.column_stack(np.unravel_index(present, sizes))


def _summed_by(codes: np.ndarray, cells: np.ndarray, size: int) -> np.ndarray:
    """Cells per value of one feature: the sum over the combinations holding that value."""
    summed = np.zeros((size, 4), dtype=np.int64)
    np.add.at(summed, codes, cells)
    return summed


# --- figures --------------------------------------------------------------------------------


def _figures(
    features: tuple[str, ...],
    groups: list[dict[str, Any]],
    cells: np.ndarray,
    min_group_size: int,
) -> FairnessFigures:
    rates = _rates(cells)
    judged = cells.sum(axis=1) >= min_group_size
    listed = [
        GroupRates(**_row(rates, i), group=group, judged=bool(judged[i]))
        for i, group in enumerate(groups)
    ]
    overall = Rates(**_row(_rates(cells.sum(axis=0, keepdims=True)), 0))
    if judged.sum() < 2:
        reason = (
            NO_ROWS if not overall.count else TOO_FEW_GROUPS.format(min_group_size=min_group_size)
        )
        return FairnessFigures(
            features=features,
            groups=listed,
            overall=overall,
            disparities=Disparities(),
            insufficient_data=reason,
        )
    return FairnessFigures(
        features=features,
        groups=listed,
        overall=overall,
        disparities=_disparities({name: values[judged] for name, values in rates.items()}),
        insufficient_data=None,
        caveats=_caveats(cells[judged]),
    )


def _rates(cells: np.ndarray) -> dict[str, np.ndarray]:
    """Counts and rates per row of cells; where a rate is 0/0, fairlearn's 0.0 for TPR and FPR."""
    tn, fp, fn, tp = cells.T.astype("float64")
    count = tn + fp + fn + tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "count": count,
            "selection_rate": (tp + fp) / count,
            "true_positive_rate": np.nan_to_num(tp / (tp + fn)),
            "false_positive_rate": np.nan_to_num(fp / (fp + tn)),
            "accuracy": (tp + tn) / count,
        }


def _row(rates: dict[str, np.ndarray], i: int) -> dict[str, Any]:
    count = int(rates["count"][i])
    figures = {name: float(values[i]) for name, values in rates.items() if name != "count"}
    return {"count": count, **(figures if count else dict.fromkeys(figures))}


def _disparities(rates: dict[str, np.ndarray]) -> Disparities:
    selection_ratio = ratio(rates["selection_rate"])
    tpr, fpr = difference(rates["true_positive_rate"]), difference(rates["false_positive_rate"])
    return Disparities(
        demographic_parity_difference=difference(rates["selection_rate"]),
        demographic_parity_ratio=selection_ratio,
        equalized_odds_difference=None if tpr is None or fpr is None else max(tpr, fpr),
        four_fifths_ratio=selection_ratio,
        four_fifths_passed=four_fifths_passed(selection_ratio),
    )


def _caveats(cells: np.ndarray) -> tuple[str, ...]:
    tn, fp, fn, tp = cells.T
    found = {
        GROUP_WITHOUT_POSITIVES: ((tp + fn) == 0).any(),
        GROUP_WITHOUT_NEGATIVES: ((fp + tn) == 0).any(),
        NOBODY_SELECTED: not (tp + fp).any(),
    }
    return tuple(caveat for caveat, applies in found.items() if applies)


def _present(rates: ArrayLike) -> np.ndarray:
    values = np.asarray(rates, dtype="float64")
    present: np.ndarray = values[~np.isnan(values)]
    return present


def _finite(value: float) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None
