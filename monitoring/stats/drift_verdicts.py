"""Turning a statistic's value into a `DriftStat`: the formulas on histograms, the p-values
and the verdicts against the thresholds of `drift_results`."""

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, kstwobign

from monitoring.stats.drift_results import (
    CHI_SQUARE_P_VALUE,
    JENSEN_SHANNON_DISTANCE,
    KS_EXACT_MAX,
    KS_P_VALUE,
    MIN_SAMPLE,
    PSI_CRITICAL,
    PSI_EPSILON,
    PSI_WARNING,
    THRESHOLDS,
    WASSERSTEIN_NORMALISED,
    WASSERSTEIN_STD_FLOOR,
    DriftStat,
    Level,
    Statistic,
)


def psi_from_counts(reference_counts: ArrayLike, current_counts: ArrayLike) -> DriftStat:
    """PSI between two histograms over the same bins, in the same order."""
    return _from_counts("psi", reference_counts, current_counts)


def js_from_counts(reference_counts: ArrayLike, current_counts: ArrayLike) -> DriftStat:
    """Jensen-Shannon distance (base 2) between two histograms over the same bins."""
    return _from_counts("jensen_shannon", reference_counts, current_counts)


def chi_square_from_counts(reference_counts: ArrayLike, current_counts: ArrayLike) -> DriftStat:
    """Chi-square test of homogeneity between two histograms over the same bins."""
    return _from_counts("chi_square", reference_counts, current_counts)


def psi_value(reference_counts: np.ndarray, current_counts: np.ndarray) -> float:
    """The documented PSI formula on two histograms with non-zero totals."""
    r = np.maximum(reference_counts / reference_counts.sum(), PSI_EPSILON)
    c = np.maximum(current_counts / current_counts.sum(), PSI_EPSILON)
    return float(np.sum((c - r) * np.log(c / r)))


def histogram_stat(statistic: Statistic, ref: np.ndarray, cur: np.ndarray) -> DriftStat:
    if statistic == "psi":
        value = psi_value(ref, cur)
        level: Level = (
            "drift" if value >= PSI_CRITICAL else "warning" if value >= PSI_WARNING else "stable"
        )
        return _judged("psi", value, drifted=level == "drift", level=level)
    if statistic == "jensen_shannon":
        value = float(jensenshannon(ref, cur, base=2))
        return _judged("jensen_shannon", value, drifted=value >= JENSEN_SHANNON_DISTANCE)
    occupied = (ref + cur) > 0
    test = chi2_contingency(np.vstack((ref, cur))[:, occupied], correction=False)
    p_value = float(test.pvalue)
    return _judged(
        "chi_square", float(test.statistic), p_value, drifted=p_value < CHI_SQUARE_P_VALUE
    )


def ks_stat(distance: float, ref: np.ndarray, cur: np.ndarray) -> DriftStat:
    """p-value: exact, from scipy's ks_2samp, while both windows hold at most KS_EXACT_MAX
    values (what its method='auto' does); above that the limiting Kolmogorov distribution at
    sqrt(n m / (n + m)) D. scipy's 'asymp' uses the finite-n kstwo(round(n m / (n + m))),
    which takes up to 0.7 s a call at a million rows; the limit gives a slightly larger p (near
    p = 0.05 by 1.3% relative at 10,000 values per window and 0.13% at a million, by a few per
    cent far in the tail), so it errs towards "no drift"."""
    if max(ref.size, cur.size) <= KS_EXACT_MAX:
        p_value = float(ks_2samp(ref, cur).pvalue)
    else:
        p_value = float(
            kstwobign.sf(math.sqrt(ref.size * cur.size / (ref.size + cur.size)) * distance)
        )
    return _judged("ks", distance, p_value, drifted=p_value < KS_P_VALUE)


def wasserstein_stat(distance: float, ref: np.ndarray) -> DriftStat:
    value = distance / max(float(np.std(ref)), WASSERSTEIN_STD_FLOOR)
    return _judged("wasserstein", value, drifted=value >= WASSERSTEIN_NORMALISED)


def _judged(
    statistic: Statistic,
    value: float,
    p_value: float | None = None,
    *,
    drifted: bool,
    level: Level | None = None,
) -> DriftStat:
    return DriftStat(
        statistic=statistic,
        value=value,
        p_value=p_value,
        threshold=THRESHOLDS[statistic],
        drifted=drifted,
        level=level or ("drift" if drifted else "stable"),
    )


def insufficient(statistic: Statistic, reason: str) -> DriftStat:
    return DriftStat(
        statistic=statistic,
        value=None,
        p_value=None,
        threshold=THRESHOLDS[statistic],
        drifted=None,
        status="insufficient_data",
        reason=reason,
    )


def _from_counts(
    statistic: Statistic, reference_counts: ArrayLike, current_counts: ArrayLike
) -> DriftStat:
    ref = _histogram(reference_counts, "reference_counts")
    cur = _histogram(current_counts, "current_counts")
    if ref.size != cur.size:
        raise ValueError(
            f"reference_counts has {ref.size} bins but current_counts has {cur.size}; "
            "both must count the same bins in the same order"
        )
    shortage = shortage_reason((round(ref.sum()), 0), (round(cur.sum()), 0))
    return insufficient(statistic, shortage) if shortage else histogram_stat(statistic, ref, cur)


def _histogram(counts: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(counts, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if bad.size:
        raise ValueError(
            f"{name}[{bad[0]}] is {array[bad[0]]}; counts must be finite and non-negative"
        )
    return array


def shortage_reason(reference: tuple[int, int], current: tuple[int, int]) -> str:
    """Why the windows are too small to judge ("" when they are not)."""
    short = [
        f"{window} has {count:,} values" + (f" ({missing:,} missing)" if missing else "")
        for window, (count, missing) in (("reference", reference), ("current", current))
        if count < MIN_SAMPLE
    ]
    return f"{'; '.join(short)}; at least {MIN_SAMPLE} needed" if short else ""
