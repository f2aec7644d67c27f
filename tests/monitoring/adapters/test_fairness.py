"""The fairness adapter's figures are fairlearn's own, from files pandas writes."""

import io
from datetime import UTC, datetime

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
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from monitoring.adapters import fairness as adapter
from monitoring.ingest.bundle import Bundle, FairnessCheck
from monitoring.ingest.errors import BadInput

AT = "2026-11-01T10:00:00Z"
OPTIONS = {"label": "defaulted", "prediction": "declined", "sensitive": "sex,region"}
FAIRLEARN_METRICS = {
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "accuracy": accuracy_score,
    "count": count,
}


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    """Loan applicants scored by a real logistic regression whose inputs lean on region."""
    rng = np.random.default_rng(7)
    n = 4000
    frame = pd.DataFrame(
        {
            "income": rng.normal(50, 15, n),
            "sex": rng.choice(["f", "m"], n),
            "region": rng.choice(["north", "south", "east"], n, p=[0.5, 0.3, 0.2]),
        }
    )
    lean = frame["region"].map({"north": 0.0, "south": 8.0, "east": -5.0})
    risk = -(frame["income"] + lean - 50) / 10 + rng.normal(0, 1, n)
    frame["defaulted"] = (risk > 0).astype(int)
    features = np.column_stack([frame["income"], lean])
    model = LogisticRegression().fit(features, frame["defaulted"])
    frame["declined"] = model.predict(features)
    return frame


def parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def read(content: bytes, filename: str = "scores.parquet", **options: str) -> Bundle:
    return adapter.read(content, filename=filename, options={**OPTIONS, **options})


def check_for(bundle: Bundle, *features: str) -> FairnessCheck:
    return next(c for c in bundle.fairness if c.sensitive_features == list(features))


def test_one_check_per_feature_and_one_intersectional(scored):
    bundle = read(parquet(scored), evaluated_at=AT)

    assert [c.sensitive_features for c in bundle.fairness] == [
        ["sex"],
        ["region"],
        ["sex", "region"],
    ]
    assert all(c.passed is None for c in bundle.fairness)
    assert bundle.fairness[0].evaluated_at == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert Bundle.from_json(bundle.as_json()) == bundle


@pytest.mark.parametrize("features", [["region"], ["sex", "region"]])
def test_checks_carry_fairlearns_figures(scored, features):
    check = check_for(read(parquet(scored)), *features)
    y, p, groups = scored["defaulted"], scored["declined"], scored[features]
    frame = MetricFrame(metrics=FAIRLEARN_METRICS, y_true=y, y_pred=p, sensitive_features=groups)

    expected = frame.by_group.reset_index()
    assert len(check.by_group) == len(expected)
    for figures, (_, row) in zip(check.by_group, expected.iterrows(), strict=True):
        assert figures.group == {f: row[f] for f in features}
        assert figures.count == row["count"]
        for name in ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"):
            assert figures.metrics[name] == pytest.approx(row[name], abs=1e-12)
    for name in ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"):
        assert check.overall[name] == pytest.approx(frame.overall[name], abs=1e-12)
    assert check.overall["count"] == len(scored)
    assert check.metrics["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y, p, sensitive_features=groups), abs=1e-12
    )
    assert check.metrics["demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(y, p, sensitive_features=groups), abs=1e-12
    )
    assert check.metrics["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(y, p, sensitive_features=groups), abs=1e-12
    )


def test_csv_and_parquet_give_the_same_checks(scored):
    assert read(csv(scored), "scores.csv", evaluated_at=AT) == read(
        parquet(scored), evaluated_at=AT
    )


def test_figures_become_numbers_of_the_check():
    # group a: tp, fn, fp, tn; group b: tp, fp, tn, tn.
    frame = pd.DataFrame(
        {
            "defaulted": [1, 1, 0, 0, 1, 0, 0, 0],
            "declined": [1, 0, 1, 0, 1, 1, 0, 0],
            "sex": ["a"] * 4 + ["b"] * 4,
        }
    )
    check = read(csv(frame), "tiny.csv", sensitive="sex", min_group_size="1").fairness[0]

    a, b = check.by_group
    assert (a.group, a.count, b.group, b.count) == ({"sex": "a"}, 4, {"sex": "b"}, 4)
    assert a.metrics == {
        "selection_rate": 0.5,
        "true_positive_rate": 0.5,
        "false_positive_rate": 0.5,
        "accuracy": 0.5,
        "judged": 1.0,
    }
    assert check.metrics == {
        "demographic_parity_difference": 0.0,
        "demographic_parity_ratio": 1.0,
        "equalized_odds_difference": 0.5,
        "four_fifths_ratio": 1.0,
        "four_fifths_passed": 1.0,
        "groups_judged": 2.0,
        "groups_excluded": 0.0,
    }
    assert len(read(csv(frame), "tiny.csv", sensitive="sex").fairness) == 1


def test_small_groups_are_listed_but_left_out_of_the_disparities(scored):
    few = scored.head(12).assign(region="islands", declined=1)
    frame = pd.concat([scored, few], ignore_index=True)

    check = check_for(read(parquet(frame), min_group_size="30"), "region")

    islands = next(g for g in check.by_group if g.group == {"region": "islands"})
    assert (islands.count, islands.metrics["judged"], islands.metrics["selection_rate"]) == (
        12,
        0.0,
        1.0,
    )
    assert (check.metrics["groups_judged"], check.metrics["groups_excluded"]) == (3.0, 1.0)
    assert check.metrics["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(
            scored["defaulted"], scored["declined"], sensitive_features=scored["region"]
        ),
        abs=1e-12,
    )
    assert check.overall["count"] == len(frame)


def test_text_labels_use_the_positive_label_option():
    frame = pd.DataFrame(
        {"defaulted": ["yes", "no", "no"], "declined": ["yes", "yes", "no"], "sex": ["f"] * 3}
    )
    check = read(
        csv(frame), "s.csv", sensitive="sex", positive_label="yes", min_group_size="1"
    ).fairness[0]

    assert check.by_group[0].metrics["selection_rate"] == pytest.approx(2 / 3)


def test_third_label_value_names_the_column_and_row():
    frame = pd.DataFrame({"defaulted": [0, 1, 2, 1], "declined": [0] * 4, "sex": ["f"] * 4})

    with pytest.raises(BadInput) as caught:
        read(csv(frame), "s.csv", sensitive="sex")

    assert (caught.value.field, caught.value.row) == ("defaulted", 3)


def test_blank_prediction_names_its_row():
    frame = pd.DataFrame({"defaulted": [0, 1], "declined": [1, None], "sex": ["f", "m"]})

    with pytest.raises(BadInput) as caught:
        read(parquet(frame), sensitive="sex")

    assert (caught.value.field, caught.value.row) == ("declined", 2)


def test_missing_column_is_named(scored):
    with pytest.raises(BadInput) as caught:
        read(parquet(scored), sensitive="sex,age")

    assert (caught.value.field, caught.value.message) == ("age", "required column is missing")


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"positive_label": "2"}, "positive_label"),
        ({"positive_label": "yes"}, "positive_label"),
        ({"min_group_size": "many"}, "min_group_size"),
        ({"sensitive": "sex,sex"}, "sensitive"),
        ({"threshold": "0.5"}, "threshold"),
        ({"label": ""}, "label"),
    ],
)
def test_bad_options_are_named(scored, options, field):
    with pytest.raises(BadInput) as caught:
        read(csv(scored.head(50)), "s.csv", **options)

    assert caught.value.field == field


def test_unreadable_file_is_refused():
    with pytest.raises(BadInput) as caught:
        read(b"not parquet at all")

    assert caught.value.field == "file"


def test_metric_frame_of_a_user_becomes_a_check(scored):
    frame = MetricFrame(
        metrics=FAIRLEARN_METRICS,
        y_true=scored["defaulted"],
        y_pred=scored["declined"],
        sensitive_features=scored[["region"]],
    )
    y, p, groups = scored["defaulted"], scored["declined"], scored["region"]

    check = adapter.from_metric_frame(frame, evaluated_at=datetime(2026, 11, 1, tzinfo=UTC))

    assert check.sensitive_features == ["region"]
    assert [g.group["region"] for g in check.by_group] == ["east", "north", "south"]
    assert sum(g.count for g in check.by_group) == len(scored)
    assert check.metrics["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y, p, sensitive_features=groups), abs=1e-12
    )
    assert check.metrics["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(y, p, sensitive_features=groups), abs=1e-12
    )
    assert check.overall["accuracy"] == pytest.approx(accuracy_score(y, p))


def test_metric_frame_without_count_is_refused(scored):
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate},
        y_true=scored["defaulted"],
        y_pred=scored["declined"],
        sensitive_features=scored["sex"],
    )

    with pytest.raises(BadInput) as caught:
        adapter.from_metric_frame(frame, evaluated_at=datetime(2026, 11, 1, tzinfo=UTC))

    assert caught.value.field == "count"
