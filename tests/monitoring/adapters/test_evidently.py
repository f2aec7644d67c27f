"""The Evidently adapter reads reports the installed Evidently 0.7 writes, in each shape."""

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from monitoring.adapters import evidently as adapter
from monitoring.ingest.bundle import Bundle, ColumnDrift
from monitoring.ingest.errors import BadInput

STAMP = {"evaluated_at": "2026-11-01T10:00:00Z"}


@pytest.fixture(scope="module")
def windows() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A reference and a current window: income has moved by 1.5 standard deviations.

    Every fixture and test that runs Evidently starts from these windows, so they skip where it
    is not installed; importing it here, not at the module's top, spares every test process that
    never runs this module the five seconds Evidently takes to load."""
    pytest.importorskip("evidently")
    rng = np.random.default_rng(7)

    def window(income_mean: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "age": rng.normal(40, 5, 300),
                "income": rng.normal(income_mean, 10, 300),
                "region": rng.choice(["north", "south"], 300),
            }
        )

    return window(50), window(65)


@pytest.fixture(scope="module")
def saved_report(windows, tmp_path_factory) -> Path:
    """DataDriftPreset and DataSummaryPreset with tests, written by Snapshot.save_json()."""
    from evidently import Report
    from evidently.presets import DataDriftPreset, DataSummaryPreset

    reference, current = windows
    report = Report([DataDriftPreset(), DataSummaryPreset()], include_tests=True)
    path = tmp_path_factory.mktemp("evidently") / "report.json"
    report.run(current, reference).save_json(str(path))
    return path


@pytest.fixture(scope="module")
def dumped_report(windows) -> bytes:
    """A PSI drift report without tests, as Snapshot.dumps() writes it (with its timestamp)."""
    from evidently import Report
    from evidently.presets import DataDriftPreset

    reference, current = windows
    snapshot = Report([DataDriftPreset(method="psi")]).run(
        current,
        reference,
        timestamp=datetime(2026, 11, 1, 9, 30),  # noqa: DTZ001 - as Evidently stamps
    )
    return snapshot.dumps().encode()


@pytest.fixture(scope="module")
def legacy_report(windows) -> bytes:
    from evidently.legacy.metric_preset import DataDriftPreset
    from evidently.legacy.report import Report

    reference, current = windows
    report = Report(metrics=[DataDriftPreset()])
    report.run(reference_data=reference, current_data=current)
    return report.json().encode()


@pytest.fixture(scope="module")
def legacy_test_suite(windows) -> bytes:
    from evidently.legacy.test_preset import DataDriftTestPreset
    from evidently.legacy.test_suite import TestSuite

    reference, current = windows
    suite = TestSuite(tests=[DataDriftTestPreset()])
    suite.run(reference_data=reference, current_data=current)
    return suite.json().encode()


def by_column(bundle: Bundle) -> dict[str, ColumnDrift]:
    return {c.column: c for c in bundle.drift[0].columns}


def test_saved_report_flags_income_drifted_with_the_ks_p_value(saved_report, windows):
    reference, current = windows
    bundle = adapter.read(saved_report.read_bytes(), filename="report.json", options=STAMP)

    columns = by_column(bundle)
    assert columns["income"].drifted is True
    assert columns["income"].score == ks_2samp(reference.income, current.income).pvalue
    assert (columns["income"].method, columns["income"].threshold) == ("K-S p_value", 0.05)
    assert columns["income"].kind == "num"
    assert columns["age"].drifted is False
    assert columns["region"].kind == "cat"
    check = bundle.drift[0]
    assert (check.dataset_drift, check.drift_share) == (False, pytest.approx(1 / 3))
    assert check.evaluated_at == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert (bundle.source, check.tool) == ("evidently", "evidently")


def test_saved_report_keeps_every_test_as_a_pass_fail_line(saved_report):
    bundle = adapter.read(saved_report.read_bytes(), options=STAMP)

    tests = bundle.drift[0].tests
    written = json.loads(saved_report.read_text())["tests"]
    assert len(tests) == len(written)
    income = next(t for t in tests if t["name"] == "Value Drift for column income")
    assert income["status"] == "fail"
    assert "K-S p_value" in income["description"]
    assert {t["status"] for t in tests} <= {"pass", "fail", "warning", "error", "skipped"}


def points(bundle: Bundle) -> dict[tuple[str, str], float]:
    m = bundle.metrics
    return {(m.name[i], m.segment[i]): m.value[i] for i in range(len(m))}


def test_summary_statistics_of_a_drift_report_are_metric_points(saved_report, windows):
    _, current = windows
    bundle = adapter.read(saved_report.read_bytes(), options=STAMP)

    got = points(bundle)
    assert got[("row_count", "")] == 300
    assert got[("quantile_value", "column=income, quantile=0.5")] == pytest.approx(
        current.income.median()
    )
    assert got[("missing_value_count.share", "column=age")] == 0
    assert set(bundle.metrics.timestamp) == {"2026-11-01T10:00:00+00:00"}
    assert len(bundle.drift) == 1 and not bundle.data_validation


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    target = rng.integers(0, 2, 400)
    proba = np.clip(0.35 * target + rng.random(400) * 0.65, 0, 1)
    return pd.DataFrame({"target": target, "proba": proba, "label": (proba > 0.5).astype(int)})


@pytest.fixture(scope="module")
def classification_snapshot(scored):
    """ClassificationPreset on a scored window, as a model's evaluation step runs it."""
    from evidently import BinaryClassification, DataDefinition, Dataset, Report
    from evidently.presets import ClassificationPreset

    definition = DataDefinition(
        classification=[
            BinaryClassification(
                target="target", prediction_labels="label", prediction_probas="proba"
            )
        ]
    )
    data = Dataset.from_pandas(scored, data_definition=definition)
    return Report([ClassificationPreset()]).run(data, None)


def test_classification_preset_arrives_as_labelled_metric_points(classification_snapshot, scored):
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    bundle = adapter.read(classification_snapshot.json().encode(), options=STAMP)

    got = points(bundle)
    assert got[("accuracy", "")] == pytest.approx(accuracy_score(scored.target, scored.label))
    assert got[("roc_auc", "")] == pytest.approx(roc_auc_score(scored.target, scored.proba))
    assert got[("f1_score", "")] == pytest.approx(f1_score(scored.target, scored.label))
    assert got[("f1_by_label", "label=0")] == pytest.approx(
        f1_score(scored.target, scored.label, pos_label=0)
    )
    assert ("recall_by_label", "label=1") in got
    assert bundle.drift == []  # not a drift result with no columns
    assert bundle.data_validation == []


def test_dumped_classification_snapshot_gives_the_same_points(classification_snapshot):
    listed = adapter.read(classification_snapshot.json().encode(), options=STAMP)
    dumped = adapter.read(classification_snapshot.dumps().encode(), options=STAMP)

    assert dumped.metrics == listed.metrics


def test_tests_of_a_report_without_drift_are_a_data_validation(windows):
    from evidently import Report
    from evidently.presets import DataSummaryPreset

    _, current = windows
    snapshot = Report([DataSummaryPreset()], include_tests=True).run(current, None)

    bundle = adapter.read(snapshot.json().encode(), options=STAMP)

    assert bundle.drift == []
    (validation,) = bundle.data_validation
    written = json.loads(snapshot.json())["tests"]
    assert (validation.suite, validation.tool) == ("Evidently tests", "evidently")
    assert len(validation.results) == len(written) > 0
    failed = [t for t in written if t["status"] in ("FAIL", "ERROR")]
    assert validation.success is not failed
    assert Bundle.from_json(json.loads(json.dumps(bundle.as_json()))) == bundle


def test_non_finite_metric_value_is_refused_naming_the_metric(classification_snapshot):
    document = json.loads(classification_snapshot.json())
    accuracy = next(m for m in document["metrics"] if m["config"]["type"].endswith(":Accuracy"))
    accuracy["value"] = float("nan")

    with pytest.raises(BadInput) as caught:
        adapter.read(json.dumps(document).encode(), options=STAMP)

    assert caught.value.field == "Accuracy"
    assert "not a finite number" in caught.value.message


def test_saved_report_needs_evaluated_at_because_it_has_no_timestamp(saved_report):
    with pytest.raises(BadInput) as caught:
        adapter.read(saved_report.read_bytes(), options={})

    assert caught.value.field == "evaluated_at"
    assert "Snapshot.dumps()" in caught.value.message


def test_dumped_snapshot_judges_psi_drift_and_reads_its_naive_stamp_as_utc(dumped_report):
    bundle = adapter.read(dumped_report, options={"reference": "2026-09"})

    check = bundle.drift[0]
    columns = by_column(bundle)
    assert columns["income"].method == "psi"
    assert columns["income"].score > columns["income"].threshold == 0.1
    assert columns["income"].drifted is True
    assert columns["age"].drifted is (columns["age"].score >= 0.1)
    assert check.evaluated_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert (check.reference, check.tests) == ("2026-09", [])


def test_evaluated_at_option_wins_over_the_snapshot_stamp(dumped_report):
    bundle = adapter.read(dumped_report, options={"evaluated_at": "2026-11-02T08:00:00+01:00"})

    assert bundle.drift[0].evaluated_at == datetime(2026, 11, 2, 7, tzinfo=UTC)


def test_legacy_report_gives_the_data_drift_table(legacy_report, windows):
    reference, current = windows
    bundle = adapter.read(legacy_report, options={})

    columns = by_column(bundle)
    assert columns["income"] == ColumnDrift(
        column="income",
        method="K-S p_value",
        score=ks_2samp(reference.income, current.income).pvalue,
        threshold=0.05,
        drifted=True,
        kind="num",
    )
    check = bundle.drift[0]
    assert (check.dataset_drift, check.drift_share) == (False, pytest.approx(1 / 3))
    assert check.evaluated_at.tzinfo is UTC


def test_legacy_test_suite_gives_columns_from_its_drift_tests(legacy_test_suite):
    bundle = adapter.read(legacy_test_suite, options={})

    columns = by_column(bundle)
    assert set(columns) == {"age", "income", "region"}
    assert columns["income"].drifted is True
    share = next(t for t in bundle.drift[0].tests if t["name"] == "Share of Drifted Columns")
    assert share["status"] == "fail"


def test_legacy_test_suite_keeps_the_share_of_drifted_columns_and_the_dataset_verdict(
    legacy_test_suite,
):
    bundle = adapter.read(legacy_test_suite, options={})

    check = bundle.drift[0]
    drifted = [c.column for c in check.columns if c.drifted]
    assert check.drift_share == pytest.approx(len(drifted) / 3)
    assert check.dataset_drift is True  # the share test failed: above the preset's limit


def test_truncated_json_names_the_file_and_where_it_breaks(saved_report):
    content = saved_report.read_bytes()[:200]

    with pytest.raises(BadInput) as caught:
        adapter.read(content, options=STAMP)

    assert caught.value.field == "file"
    assert caught.value.message.startswith("is not valid JSON:")
    assert "at line 1 column" in caught.value.message


def test_legacy_report_of_an_unknown_version_names_the_version(legacy_report):
    document = json.loads(legacy_report)
    document["version"] = "0.3.1"

    with pytest.raises(BadInput) as caught:
        adapter.read(json.dumps(document).encode(), options={})

    assert caught.value.field == "version"
    assert "0.3.1" in caught.value.message


def test_metric_of_an_unknown_format_names_its_type(saved_report):
    document = json.loads(saved_report.read_text())
    document["metrics"][1]["config"]["type"] = "evidently:metric_v3:ValueDrift"

    with pytest.raises(BadInput) as caught:
        adapter.read(json.dumps(document).encode(), options=STAMP)

    assert caught.value.field == "metrics[1].config.type"


def test_custom_metric_is_left_out_not_refused(saved_report):
    document = json.loads(saved_report.read_text())
    document["metrics"][-1]["config"]["type"] = "acme.metrics:CreditScoreBands"

    bundle = adapter.read(json.dumps(document).encode(), options=STAMP)

    assert by_column(bundle)["income"].drifted is True


def test_legacy_snapshot_is_refused_with_the_export_to_use(windows, tmp_path):
    from evidently.legacy.metric_preset import DataDriftPreset
    from evidently.legacy.report import Report

    reference, current = windows
    report = Report(metrics=[DataDriftPreset()])
    report.run(reference_data=reference, current_data=current)
    report.save(str(tmp_path / "snapshot.json"))

    with pytest.raises(BadInput) as caught:
        adapter.read((tmp_path / "snapshot.json").read_bytes(), options={})

    assert caught.value.field == "suite"
    assert "report.json()" in caught.value.message


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"[1, 2]", "file"),
        (b'{"columns": []}', "metrics"),
        (b'{"metrics": [], "tests": []}', "metrics"),
        (b"", "file"),
    ],
)
def test_documents_that_are_not_drift_reports_are_refused(content, field):
    with pytest.raises(BadInput) as caught:
        adapter.read(content, options=STAMP)

    assert caught.value.field == field


def test_unknown_option_is_named(saved_report):
    with pytest.raises(BadInput) as caught:
        adapter.read(saved_report.read_bytes(), options={"threshold": "0.1"})

    assert (caught.value.field, caught.value.message) == (
        "threshold",
        "is not an option of evidently",
    )


def test_bundle_survives_the_json_round_trip(saved_report):
    bundle = adapter.read(saved_report.read_bytes(), options=STAMP)

    assert Bundle.from_json(json.loads(json.dumps(bundle.as_json()))) == bundle
