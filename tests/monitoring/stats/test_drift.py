"""Drift statistics against scipy and against the documented PSI formula, and the edge cases
that must give an answer (or "insufficient data") instead of an exception."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

from monitoring.stats.drift import (
    MIN_SAMPLE,
    PSI_EPSILON,
    categorical_drift,
    chi_square_from_counts,
    compare_frame,
    js_from_counts,
    numeric_drift,
    psi_from_counts,
)


def windows(kind: str, seed: int, n: int = 2_000, m: int = 1_500) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of samples that reach every path: smooth, tied, discrete, heavy-tailed, outliers."""
    rng = np.random.default_rng(seed)
    match kind:
        case "normal":
            return rng.normal(0, 1, n), rng.normal(0.1, 1.2, m)
        case "rounded":  # many ties
            return np.round(rng.normal(0, 1, n), 1), np.round(rng.normal(0.05, 1, m), 1)
        case "discrete":
            return rng.integers(0, 5, n).astype(float), rng.integers(0, 6, m).astype(float)
        case "lognormal":
            return rng.lognormal(0, 1, n), rng.lognormal(0.1, 1, m)
        case "outliers":
            return np.append(rng.normal(0, 1, n), [1e6, -1e6]), rng.standard_cauchy(m)
        case "same":
            return rng.normal(0, 1, n), rng.normal(0, 1, m)
    raise AssertionError(kind)


KINDS = ["normal", "rounded", "discrete", "lognormal", "outliers", "same"]


def psi_by_formula(reference: np.ndarray, current: np.ndarray) -> float:
    """The documented rule, computed the plain way: inverted-CDF deciles of the reference,
    deduplicated, bins closed on the right and open at both ends, proportions floored."""
    edges = np.unique(np.quantile(reference, np.arange(1, 10) / 10, method="inverted_cdf"))
    r = np.bincount(np.searchsorted(edges, reference), minlength=edges.size + 1) / reference.size
    c = np.bincount(np.searchsorted(edges, current), minlength=edges.size + 1) / current.size
    r, c = np.maximum(r, PSI_EPSILON), np.maximum(c, PSI_EPSILON)
    return float(np.sum((c - r) * np.log(c / r)))


# --- agreement with the reference implementations ---------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ks_matches_scipy_ks_2samp(kind, seed):
    reference, current = windows(kind, seed)

    ks = numeric_drift(reference, current, statistics=["ks"], decide_by="ks").stat("ks")

    expected = ks_2samp(reference, current)
    # scipy's exact mode rounds D to a multiple of 1/lcm(n, m): equal up to the last bits
    assert ks.value == pytest.approx(expected.statistic, rel=1e-12)
    assert ks.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert ks.drifted == (expected.pvalue < 0.05)


@pytest.mark.parametrize("shift", [0.0, 0.02, 0.04])
def test_ks_on_large_windows_has_scipy_statistic_and_its_asymptotic_p_value(shift):
    rng = np.random.default_rng(7)
    reference, current = rng.normal(0, 1, 40_000), rng.normal(shift, 1, 30_000)

    ks = numeric_drift(reference, current, statistics=["ks"], decide_by="ks").stat("ks")

    expected = ks_2samp(reference, current)  # method 'asymp' at this size
    assert ks.value == expected.statistic
    # the limiting Kolmogorov distribution here, scipy's finite-n kstwo: a slightly larger p
    assert ks.p_value == pytest.approx(expected.pvalue, rel=3e-2)
    assert ks.p_value >= expected.pvalue


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [1, 2])
def test_wasserstein_is_scipy_distance_over_reference_std(kind, seed):
    reference, current = windows(kind, seed)

    stat = numeric_drift(reference, current).stat("wasserstein")

    expected = wasserstein_distance(reference, current) / np.std(reference)
    assert stat.value == pytest.approx(expected, rel=1e-9)
    assert stat.drifted == (expected >= 0.1)


@pytest.mark.parametrize("kind", ["normal", "lognormal", "same", "rounded"])
def test_large_windows_agree_with_scipy_where_most_cells_are_settled_by_counts(kind):
    reference, current = windows(kind, seed=11, n=200_000, m=150_000)

    result = numeric_drift(reference, current)

    assert result.stat("ks").value == ks_2samp(reference, current).statistic
    assert result.stat("wasserstein").value == pytest.approx(
        wasserstein_distance(reference, current) / np.std(reference), rel=1e-9
    )
    assert result.stat("psi").value == pytest.approx(psi_by_formula(reference, current), rel=1e-12)


def test_psi_equals_the_documented_formula_worked_by_hand():
    reference = np.arange(1.0, 101.0)  # deciles: 10, 20, ..., 90; 10% in each bin
    current = np.array([5.0] * 20 + [15.0] * 20 + [95.0] * 60)  # 20%, 20%, 0 x 7, 60%

    psi = numeric_drift(reference, current).stat("psi")

    empty = 7 * (PSI_EPSILON - 0.1) * math.log(PSI_EPSILON / 0.1)
    by_hand = 2 * (0.2 - 0.1) * math.log(2) + (0.6 - 0.1) * math.log(6) + empty
    assert psi.value == pytest.approx(by_hand, rel=1e-12)
    assert (psi.drifted, psi.level) == (True, "drift")


@pytest.mark.parametrize("kind", KINDS)
def test_psi_bins_follow_the_stated_rule(kind):
    reference, current = windows(kind, seed=5)

    assert numeric_drift(reference, current).stat("psi").value == pytest.approx(
        psi_by_formula(reference, current), rel=1e-12
    )


def test_psi_between_the_thresholds_is_a_warning_not_drift():
    psi = psi_from_counts([500, 500], [660, 340])

    assert 0.1 <= psi.value < 0.2
    assert (psi.level, psi.drifted) == ("warning", False)


@pytest.mark.parametrize("kind", ["normal", "discrete", "outliers"])
def test_numeric_jensen_shannon_is_scipy_distance_over_the_psi_bins(kind):
    reference, current = windows(kind, seed=3)
    edges = np.unique(np.quantile(reference, np.arange(1, 10) / 10, method="inverted_cdf"))
    ref_counts = np.bincount(np.searchsorted(edges, reference), minlength=edges.size + 1)
    cur_counts = np.bincount(np.searchsorted(edges, current), minlength=edges.size + 1)

    js = numeric_drift(reference, current).stat("jensen_shannon")

    assert js.value == pytest.approx(jensenshannon(ref_counts, cur_counts, base=2), rel=1e-12)


def test_categorical_statistics_match_scipy_on_the_union_of_categories():
    reference = ["a"] * 500 + ["b"] * 300 + ["c"] * 200
    current = ["a"] * 400 + ["b"] * 350 + ["c"] * 150 + ["d"] * 100
    ref_counts, cur_counts = np.array([500, 300, 200, 0]), np.array([400, 350, 150, 100])

    result = categorical_drift(reference, current)

    chi2 = chi2_contingency(np.vstack((ref_counts, cur_counts)), correction=False)
    assert result.stat("chi_square").value == pytest.approx(chi2.statistic, rel=1e-12)
    assert result.stat("chi_square").p_value == pytest.approx(chi2.pvalue, rel=1e-9)
    assert result.stat("jensen_shannon").value == pytest.approx(
        jensenshannon(ref_counts, cur_counts, base=2), rel=1e-12
    )
    r = np.maximum(ref_counts / 1000, PSI_EPSILON)
    c = cur_counts / 1000
    assert result.stat("psi").value == pytest.approx(np.sum((c - r) * np.log(c / r)), rel=1e-12)


def test_chi_square_on_two_categories_uses_no_continuity_correction():
    stat = chi_square_from_counts([60, 40], [45, 55])

    expected = chi2_contingency(np.array([[60, 40], [45, 55]]), correction=False)
    assert (stat.value, stat.p_value) == pytest.approx((expected.statistic, expected.pvalue))


# --- edge cases --------------------------------------------------------------------------------


def test_unseen_categories_are_counted_and_named_most_frequent_first():
    reference = pd.Series(["x"] * 60 + ["y"] * 40)
    current = pd.Series(["x"] * 50 + ["new-1"] * 10 + ["new-2"] * 30 + [None] * 10)

    result = categorical_drift(reference, current, feature="channel")

    assert result.unseen_categories == ("new-2", "new-1")
    assert result.unseen_share == pytest.approx(40 / 90)
    assert (result.current_count, result.current_missing) == (90, 10)
    assert result.current_missing_share == pytest.approx(0.1)
    assert result.drifted is True


def test_categorical_dtypes_with_different_category_sets_align():
    reference = pd.Series(pd.Categorical(["a"] * 40 + ["b"] * 40, categories=["a", "b", "z"]))
    current = pd.Series(pd.Categorical(["b"] * 40 + ["c"] * 40, categories=["b", "c"]))

    result = categorical_drift(reference, current)

    assert result.unseen_categories == ("c",)
    assert result.stat("chi_square").value == pytest.approx(
        chi2_contingency(np.array([[40, 40, 0], [0, 40, 40]]), correction=False).statistic
    )


def test_constant_columns_with_the_same_value_show_no_drift():
    result = numeric_drift(np.full(500, 3.0), np.full(400, 3.0))

    assert {s.statistic: (s.value, s.drifted) for s in result.stats} == {
        "psi": (0.0, False),
        "ks": (0.0, False),
        "wasserstein": (0.0, False),
        "jensen_shannon": (0.0, False),
    }
    assert result.stat("ks").p_value == 1.0


def test_constant_columns_with_different_values_drift():
    result = numeric_drift(np.full(500, 3.0), np.full(400, 4.0))

    assert result.stat("ks").value == 1.0
    assert result.stat("psi").value == pytest.approx(
        2 * (1 - PSI_EPSILON) * math.log(1 / PSI_EPSILON)
    )
    assert result.stat("wasserstein").value == pytest.approx(1.0 / 1e-3)  # std floored
    assert all(s.drifted for s in result.stats)


def test_a_single_category_in_both_windows_shows_no_drift():
    result = categorical_drift(["only"] * 50, ["only"] * 70)

    assert [(s.value, s.drifted) for s in result.stats] == [(0.0, False)] * 3
    assert result.stat("chi_square").p_value == 1.0


@pytest.mark.parametrize(
    ("reference", "current", "reason"),
    [
        (np.arange(3.0), np.arange(100.0), "reference has 3 values; at least 30 needed"),
        (
            np.arange(100.0),
            np.full(1_000, np.nan),
            "current has 0 values (1,000 missing); at least 30 needed",
        ),
        (
            [],
            [],
            "reference has 0 values; current has 0 values; at least 30 needed",
        ),
    ],
    ids=["tiny", "all-nan", "empty"],
)
def test_too_few_values_give_insufficient_data_with_the_reason(reference, current, reason):
    result = numeric_drift(reference, current)

    assert result.drifted is None
    for stat in result.stats:
        assert (stat.status, stat.value, stat.drifted, stat.reason) == (
            "insufficient_data",
            None,
            None,
            reason,
        )


def test_tiny_categorical_windows_give_insufficient_data():
    result = categorical_drift(["a"] * 10, ["a"] * 100)

    assert result.stat("chi_square").status == "insufficient_data"
    assert (
        result.stat("chi_square").reason == f"reference has 10 values; at least {MIN_SAMPLE} needed"
    )


def test_missing_values_are_left_out_and_counted():
    rng = np.random.default_rng(4)
    reference, current = rng.normal(0, 1, 1_000), rng.normal(0.2, 1, 800)
    with_gaps = np.concatenate((current, [np.nan] * 150, [np.inf] * 50))

    gappy, clean = numeric_drift(reference, with_gaps), numeric_drift(reference, current)

    assert (gappy.current_count, gappy.current_missing) == (800, 200)
    assert gappy.current_missing_share == pytest.approx(0.2)
    assert gappy.stats == clean.stats


def test_nullable_integer_columns_are_numeric_with_nulls_missing():
    reference = pd.Series(list(range(100)) + [None] * 5, dtype="Int64")

    result = numeric_drift(reference, pd.Series(range(100), dtype="Int64"))

    assert (result.reference_missing, result.stat("ks").value) == (5, 0.0)


# --- histogram entry points --------------------------------------------------------------------


def test_histograms_with_empty_bins_use_the_floor_and_scipy():
    reference, current = [0, 50, 30, 20], [10, 40, 50, 0]

    psi = psi_from_counts(reference, current)
    js = js_from_counts(reference, current)
    chi = chi_square_from_counts(reference, current)

    r = np.maximum(np.array(reference) / 100, PSI_EPSILON)
    c = np.maximum(np.array(current) / 100, PSI_EPSILON)
    assert psi.value == pytest.approx(np.sum((c - r) * np.log(c / r)), rel=1e-12)
    assert js.value == pytest.approx(jensenshannon(reference, current, base=2), rel=1e-12)
    assert chi.p_value == pytest.approx(
        chi2_contingency(np.array([reference, current]), correction=False).pvalue, rel=1e-9
    )


def test_a_bin_empty_in_both_histograms_changes_nothing():
    assert psi_from_counts([40, 0, 60], [50, 0, 50]).value == pytest.approx(
        psi_from_counts([40, 60], [50, 50]).value
    )
    assert chi_square_from_counts([40, 0, 60], [50, 0, 50]).value == pytest.approx(
        chi_square_from_counts([40, 60], [50, 50]).value
    )


@pytest.mark.parametrize(
    ("reference", "current", "message"),
    [
        ([1, 2, 3], [1, 2], "reference_counts has 3 bins but current_counts has 2"),
        (
            [10, -2],
            [5, 5],
            r"reference_counts\[1\] is -2.0; counts must be finite and non-negative",
        ),
        ([10, 5], [5, np.nan], r"current_counts\[1\] is nan"),
        ([[1, 2]], [1, 2], r"reference_counts must be one-dimensional, got shape \(1, 2\)"),
    ],
)
def test_malformed_histograms_are_refused_naming_the_problem(reference, current, message):
    with pytest.raises(ValueError, match=message):
        psi_from_counts(reference, current)


def test_histograms_with_small_totals_give_insufficient_data():
    stat = js_from_counts([0, 0, 0], [10, 10, 10])

    assert (stat.status, stat.reason) == (
        "insufficient_data",
        "reference has 0 values; at least 30 needed",
    )


# --- frames and arguments ----------------------------------------------------------------------


def test_compare_frame_covers_every_column_in_order():
    rng = np.random.default_rng(9)
    reference = pd.DataFrame({"income": rng.normal(0, 1, 500), "region": ["n", "s"] * 250})
    current = pd.DataFrame({"income": rng.normal(1, 1, 400), "region": ["n", "s", "e", "w"] * 100})

    results = compare_frame(reference, current, categorical=["region"])

    assert [(r.feature, r.kind, r.drifted) for r in results] == [
        ("income", "numeric", True),
        ("region", "categorical", True),
    ]
    assert results[0].stats == numeric_drift(reference["income"], current["income"]).stats
    assert results[1].unseen_categories == ("e", "w")


def test_compare_frame_names_missing_columns():
    frame = pd.DataFrame({"a": [1.0], "b": [2.0]})

    with pytest.raises(ValueError, match="'b' in current, categorical 'zip' in reference"):
        compare_frame(frame, frame[["a"]], categorical=["zip"])


def test_a_text_column_not_named_categorical_is_refused_naming_it():
    frame = pd.DataFrame({"city": ["Oslo", "Rome"] * 20})

    with pytest.raises(ValueError, match="feature 'city': reference values are not numeric"):
        compare_frame(frame, frame)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: numeric_drift([1.0], [1.0], statistics=["chi_square"]), "chi_square cannot"),
        (lambda: categorical_drift(["a"], ["a"], statistics=["ks"]), "ks cannot be computed"),
        (lambda: numeric_drift([1.0], [1.0], statistics=["ks"]), "decide_by is 'psi'"),
        (lambda: numeric_drift([1.0], [1.0], bins=1), "bins is 1"),
    ],
)
def test_impossible_requests_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
