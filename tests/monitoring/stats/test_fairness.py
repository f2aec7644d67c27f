"""Fairness figures from raw outcomes equal fairlearn's own."""

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score

from monitoring.stats import fairness

RATES = ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy")
FAIRLEARN_METRICS = {
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "accuracy": accuracy_score,
    "count": count,
}
FEATURE_SETS = [["sex"], ["age_band"], ["region"], ["sex", "age_band", "region"]]
SENSITIVE = ["sex", "age_band", "region"]


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    """Unequal groups, decisions leaning on sex, no defaults among the youngest, a tiny region."""
    rng = np.random.default_rng(11)
    n = 3000
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["f", "m"], n, p=[0.35, 0.65]),
            "age_band": rng.choice(["18-25", "26-40", "41-60", "61+"], n, p=[0.1, 0.4, 0.3, 0.2]),
            "region": rng.choice(
                ["east", "islands", "north", "south"], n, p=[0.3, 0.01, 0.4, 0.29]
            ),
        }
    )
    frame.loc[frame["region"] == "islands", "sex"] = "m"  # so some combinations are absent
    frame["defaulted"] = (rng.random(n) < 0.3).astype(int)
    frame.loc[frame["age_band"] == "18-25", "defaulted"] = 0
    lean = np.where(frame["sex"] == "m", 0.15, 0.0)
    frame["declined"] = (rng.random(n) < 0.2 + 0.5 * frame["defaulted"] + lean).astype(int)
    return frame


def assess(frame: pd.DataFrame, **options) -> list[fairness.FairnessFigures]:
    return fairness.assess(frame["defaulted"], frame["declined"], frame[SENSITIVE], **options)


def figures_for(frame: pd.DataFrame, features: list[str], **options) -> fairness.FairnessFigures:
    return next(f for f in assess(frame, **options) if f.features == tuple(features))


def fairlearn_disparities(frame: pd.DataFrame, features: list[str]) -> dict[str, float]:
    y, p, groups = frame["defaulted"], frame["declined"], frame[features]
    return {
        "demographic_parity_difference": demographic_parity_difference(
            y, p, sensitive_features=groups
        ),
        "demographic_parity_ratio": demographic_parity_ratio(y, p, sensitive_features=groups),
        "equalized_odds_difference": equalized_odds_difference(y, p, sensitive_features=groups),
    }


def test_one_figures_per_feature_then_the_intersection(scored):
    assert [f.features for f in assess(scored)] == [
        ("sex",),
        ("age_band",),
        ("region",),
        ("sex", "age_band", "region"),
    ]
    assert len(assess(scored, intersectional=False)) == 3


@pytest.mark.parametrize("features", FEATURE_SETS)
def test_group_rates_equal_fairlearns_metric_frame(scored, features):
    figures = figures_for(scored, features)
    frame = MetricFrame(
        metrics=FAIRLEARN_METRICS,
        y_true=scored["defaulted"],
        y_pred=scored["declined"],
        sensitive_features=scored[features],
    )

    # fairlearn lists every combination of values, absent ones as NaN; we list those present.
    expected = frame.by_group.dropna(subset=["count"]).reset_index()
    assert len(figures.groups) == len(expected)
    for group, (_, row) in zip(figures.groups, expected.iterrows(), strict=True):
        assert group.group == {f: row[f] for f in features}
        assert group.count == row["count"]
        for name in RATES:
            assert getattr(group, name) == pytest.approx(row[name], abs=1e-12)
    for name in RATES:
        assert getattr(figures.overall, name) == pytest.approx(frame.overall[name], abs=1e-12)
    assert figures.overall.count == len(scored)


@pytest.mark.parametrize("features", FEATURE_SETS)
def test_disparities_equal_fairlearns_own_when_every_group_is_judged(scored, features):
    figures = figures_for(scored, features, min_group_size=1)

    expected = fairlearn_disparities(scored, features)
    assert figures.groups_excluded == 0
    for name, value in expected.items():
        assert getattr(figures.disparities, name) == pytest.approx(value, abs=1e-12)
    assert figures.disparities.four_fifths_ratio == figures.disparities.demographic_parity_ratio


@pytest.mark.parametrize("features", FEATURE_SETS)
def test_small_groups_are_listed_but_judged_as_if_absent(scored, features):
    figures = figures_for(scored, features)
    sizes = scored.groupby(features)["defaulted"].transform("size")

    expected = fairlearn_disparities(scored[sizes >= 30], features)
    small = [g for g in figures.groups if g.count < 30]
    assert all(not g.judged for g in small)
    assert figures.groups_excluded == len(small)
    assert sum(g.count for g in figures.groups) == len(scored)
    for name, value in expected.items():
        assert getattr(figures.disparities, name) == pytest.approx(value, abs=1e-12)


def test_the_tiny_region_is_excluded(scored):
    figures = figures_for(scored, ["region"])

    islands = next(g for g in figures.groups if g.group == {"region": "islands"})
    assert (islands.count < 30, islands.judged) == (True, False)
    assert (figures.groups_judged, figures.groups_excluded) == (3, 1)


def test_group_without_positives_has_fairlearns_zero_and_a_caveat(scored):
    figures = figures_for(scored, ["age_band"])

    youngest = figures.groups[0]
    assert youngest.group == {"age_band": "18-25"}
    assert youngest.true_positive_rate == 0.0
    assert figures.caveats == (fairness.GROUP_WITHOUT_POSITIVES,)


def test_tiny_sample_has_hand_checked_rates():
    # group a: tp, fn, fp, tn -> every rate 1/2; group b: tp, fp, tn, tn.
    (figures,) = fairness.assess(
        [1, 1, 0, 0, 1, 0, 0, 0],
        [1, 0, 1, 0, 1, 1, 0, 0],
        {"sex": ["a"] * 4 + ["b"] * 4},
        min_group_size=1,
    )

    a, b = figures.groups
    assert a == fairness.GroupRates(
        count=4,
        selection_rate=0.5,
        true_positive_rate=0.5,
        false_positive_rate=0.5,
        accuracy=0.5,
        group={"sex": "a"},
        judged=True,
    )
    assert (b.selection_rate, b.true_positive_rate, b.accuracy) == (0.5, 1.0, 0.75)
    assert b.false_positive_rate == pytest.approx(1 / 3)
    assert figures.disparities.demographic_parity_difference == 0.0
    assert figures.disparities.equalized_odds_difference == 0.5


@pytest.mark.parametrize(
    ("selected_of_ten", "ratio", "passed"),
    [((5, 4), 0.8, True), ((4, 3), 0.75, False), ((0, 0), None, None)],
)
def test_four_fifths_rule(selected_of_ten, ratio, passed):
    decisions = [int(i < k) for k in selected_of_ten for i in range(10)]

    (figures,) = fairness.assess(
        [0] * 20, decisions, {"sex": ["f"] * 10 + ["m"] * 10}, min_group_size=1
    )

    assert figures.disparities.four_fifths_ratio == pytest.approx(ratio)
    assert figures.disparities.four_fifths_passed is passed


def test_nobody_selected_leaves_the_ratio_undefined_as_fairlearn_does(scored):
    y, nobody, groups = scored["defaulted"], np.zeros(len(scored), int), scored["sex"]

    (figures,) = fairness.assess(y, nobody, {"sex": groups})

    assert figures.disparities.demographic_parity_difference == demographic_parity_difference(
        y, nobody, sensitive_features=groups
    )
    assert np.isnan(demographic_parity_ratio(y, nobody, sensitive_features=groups))
    assert figures.disparities.demographic_parity_ratio is None
    assert figures.caveats == (fairness.NOBODY_SELECTED,)


def test_all_negative_labels_give_fairlearns_figures_and_a_caveat(scored):
    y, p, groups = np.zeros(len(scored), int), scored["declined"], scored["region"]

    (figures,) = fairness.assess(y, p, {"region": groups}, min_group_size=1)

    assert figures.disparities.equalized_odds_difference == pytest.approx(
        equalized_odds_difference(y, p, sensitive_features=groups), abs=1e-12
    )
    assert figures.caveats == (fairness.GROUP_WITHOUT_POSITIVES,)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "groups", "reason"),
    [
        ([], [], [], fairness.NO_ROWS),
        ([1, 0, 1], [1, 1, 0], ["f", "f", "f"], "fewer than two groups have at least 2 cases"),
        ([1, 0, 1], [1, 1, 0], ["f", "m", "m"], "fewer than two groups have at least 2 cases"),
    ],
)
def test_too_little_data_gives_figures_and_a_reason(y_true, y_pred, groups, reason):
    (figures,) = fairness.assess(y_true, y_pred, {"sex": groups}, min_group_size=2)

    assert figures.insufficient_data == reason
    assert figures.disparities == fairness.Disparities()
    assert figures.overall.count == len(y_true)
    assert [g.count for g in figures.groups] == [groups.count(g) for g in sorted(set(groups))]


def test_missing_sensitive_values_are_a_group_of_their_own():
    (figures,) = fairness.assess([1, 0, 1], [1, 1, 0], {"sex": ["f", None, "m"]}, min_group_size=1)

    assert [g.group["sex"] for g in figures.groups] == ["f", "m", fairness.MISSING_GROUP]


@pytest.mark.parametrize(
    ("y_pred", "groups", "message"),
    [
        ([0.2, 0.9], ["f", "m"], "y_pred must hold 0/1 decisions, not 0.2"),
        ([0, 1, 1], ["f", "m"], "y_pred has 3 values for 2 labels"),
        ([0, 1], ["f"], "sex has 1 values for 2 labels"),
    ],
)
def test_bad_input_is_refused(y_pred, groups, message):
    with pytest.raises(ValueError, match=message):
        fairness.assess([0, 1], y_pred, {"sex": groups})


@pytest.mark.parametrize(
    ("rates", "difference", "ratio"),
    [([0.2, np.nan, 0.5], 0.3, 0.4), ([0.0, 0.0], 0.0, None), ([np.nan], None, None)],
)
def test_between_groups_difference_and_ratio_skip_missing_rates(rates, difference, ratio):
    assert fairness.difference(rates) == pytest.approx(difference)
    assert fairness.ratio(rates) == pytest.approx(ratio)
