"""The NannyML adapter reads results NannyML 0.13.1 exported (artifacts/README.md says how)."""

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from monitoring.adapters import nannyml as adapter
from monitoring.ingest.bundle import Bundle, ColumnDrift
from monitoring.ingest.errors import BadInput

ARTIFACTS = Path(__file__).parent / "artifacts"
PARTS = (
    "estimated",
    "realized",
    "sampling_error",
    "upper_confidence_boundary",
    "lower_confidence_boundary",
    "upper_threshold",
    "lower_threshold",
    "alert",
)


def read(name: str, **options: str) -> Bundle:
    return adapter.read((ARTIFACTS / name).read_bytes(), filename=name, options=options)


def points(bundle: Bundle, name: str) -> list[tuple[str, float | None, int | None, str]]:
    """(timestamp, value, step, segment) of each point named `name`."""
    m = bundle.metrics
    rows = zip(m.name, m.timestamp, m.value, m.step, m.segment, strict=True)
    return [(t, v, s, g) for n, t, v, s, g in rows if n == name]


def test_cbpe_estimates_keep_their_bounds_thresholds_and_alerts_per_chunk():
    bundle = read("nannyml_cbpe.csv")

    names = Counter(bundle.metrics.name)
    assert {f"roc_auc.{p}" for p in PARTS} <= set(names)
    assert names["roc_auc.estimated"] == names["roc_auc.alert"] == 29  # one per chunk
    first = points(bundle, "roc_auc.estimated")[0]
    assert first == ("2014-06-30T23:59:59.999999+00:00", 0.970933629467419, 0, "period=reference")
    assert points(bundle, "roc_auc.upper_confidence_boundary")[0][1] == 0.9793271315478064
    assert points(bundle, "roc_auc.lower_threshold")[0][1] == 0.9632175905043572
    assert {v for _, v, _, _ in points(bundle, "f1.alert")} <= {0.0, 1.0}


def test_realized_sits_beside_estimated_only_where_the_chunk_had_labels():
    bundle = read("nannyml_cbpe.csv")

    realized = points(bundle, "roc_auc.realized")
    estimated = points(bundle, "roc_auc.estimated")
    assert {g for *_, g in realized} == {"period=reference"}  # the analysis had no labels
    assert len(realized) == 14
    assert {g for *_, g in estimated} == {"period=reference", "period=analysis"}
    assert realized[0][1] == 0.9727417989561691 != estimated[0][1]


def test_the_multi_level_csv_and_parquet_of_one_result_read_the_same():
    assert read("nannyml_cbpe.csv") == read("nannyml_cbpe.parquet")


def test_raw_files_writer_flat_csv_and_parquet_read_as_dle_estimates():
    from_csv, from_parquet = read("nannyml_dle_raw.csv"), read("nannyml_dle_raw.parquet")

    assert Counter(from_csv.metrics.name) == Counter(
        {f"{m}.{p}": 20 for m in ("mae", "rmse") for p in PARTS}
    )
    assert from_csv.metrics.value == from_parquet.metrics.value
    assert from_csv.metrics.step == from_parquet.metrics.step
    # RawFilesWriter's Parquet keeps milliseconds; the chunk still ends at the same instant.
    assert from_parquet.metrics.timestamp[0] == "2017-01-26T15:59:26.400000+00:00"


def test_the_period_option_takes_only_that_periods_chunks():
    bundle = read("nannyml_dle_raw.csv", period="analysis")

    assert set(bundle.metrics.segment) == {"period=analysis"}
    assert len(points(bundle, "mae.estimated")) == 10


def test_univariate_drift_is_one_result_per_chunk_with_method_value_threshold_and_alert():
    bundle = read("nannyml_univariate_drift.csv")

    assert len(bundle.drift) == 29 and not bundle.metrics.name
    last = bundle.drift[-1]
    assert last.evaluated_at == datetime(2021, 3, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert last.tool == "nannyml" and last.dataset_drift is None and last.drift_share is None
    assert "chunk 2021Q1 (analysis, rows 49990-49999" in last.reference
    assert {(c.column, c.method) for c in last.columns} == {
        ("distance_from_office", m) for m in ("jensen_shannon", "kolmogorov_smirnov", "wasserstein")
    } | {
        (c, m)
        for c in ("salary_range", "wfh_prev_workday")
        for m in ("jensen_shannon", "chi2", "l_infinity")
    }
    first = bundle.drift[0].columns[0]
    assert first == ColumnDrift(
        column="distance_from_office",
        method="jensen_shannon",
        score=0.038283534849024435,
        threshold=0.046649799210998585,
        drifted=False,
        kind="num",
    )


def test_chi2_has_no_threshold_and_keeps_nannymls_alert():
    chi2 = [c for c in read("nannyml_univariate_drift.csv").drift[-1].columns if c.method == "chi2"]

    assert {c.column for c in chi2} == {"salary_range", "wfh_prev_workday"}
    assert all(c.threshold is None and c.drifted is not None and c.kind == "cat" for c in chi2)


def test_the_drift_csv_and_raw_files_parquet_agree_on_every_line():
    from_csv = read("nannyml_univariate_drift.csv").drift
    from_parquet = read("nannyml_univariate_drift_raw.parquet").drift

    assert [c.columns for c in from_csv] == [c.columns for c in from_parquet]


def edited(name: str, old: str, new: str, *, count: int = 1) -> bytes:
    return (ARTIFACTS / name).read_text().replace(old, new, count).encode()


def test_a_lower_drift_threshold_is_refused_naming_it_rather_than_dropped():
    row = "0,2014Q2,0,0,2101,2014-04-01,2014-06-30 23:59:59.999999999,reference,0.038283534849024435,0.046649799210998585,"
    content = edited("nannyml_univariate_drift.csv", row, row + "0.001")

    with pytest.raises(BadInput) as refused:
        adapter.read(content, filename="drift.csv", options={})

    assert refused.value.field == "distance_from_office.jensen_shannon.lower_threshold"
    assert refused.value.row == 1


def test_an_alert_that_is_not_true_or_false_is_refused_naming_its_row():
    content = edited("nannyml_cbpe.csv", "False,", "maybe,")

    with pytest.raises(BadInput) as refused:
        adapter.read(content, filename="cbpe.csv", options={})

    assert (refused.value.field, refused.value.row) == ("roc_auc.alert", 1)


def test_a_column_no_nannyml_result_has_is_refused_naming_it():
    content = edited("nannyml_dle_raw.csv", "mae_alert", "mae_verdict")

    with pytest.raises(BadInput, match="not a column of a NannyML") as refused:
        adapter.read(content, filename="dle.csv", options={})

    assert refused.value.field == "mae_verdict"


def test_chunks_without_dates_are_refused_saying_to_set_the_timestamp_column():
    content = edited("nannyml_dle_raw.csv", "2017-01-26 15:59:26.400", "")

    with pytest.raises(BadInput, match="timestamp_column_name") as refused:
        adapter.read(content, filename="dle.csv", options={})

    assert (refused.value.field, refused.value.row) == ("chunk.end_date", 1)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"period": "production"}, "period"),
        ({"chunks": "5"}, "chunks"),
        ({"format": "xlsx"}, "format"),
    ],
)
def test_bad_options_are_refused_naming_them(options, field):
    with pytest.raises(BadInput) as refused:
        read("nannyml_dle_raw.csv", **options)

    assert refused.value.field == field


def test_a_file_that_is_not_a_nannyml_result_is_refused():
    with pytest.raises(BadInput, match="no chunk key column"):
        adapter.read(b"name,value\nauc,0.8\n", filename="metrics.csv", options={})


def test_a_row_longer_than_the_header_is_refused_naming_it_not_read_as_an_index():
    content = edited("nannyml_dle_raw.csv", ",False\n1,", ",False,0.5\n1,")

    with pytest.raises(
        BadInput, match="data row 1 has 25 cells where the header has 24"
    ) as refused:
        adapter.read(content, filename="dle.csv", options={})

    assert refused.value.row == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("r.parquet", b"PAR1 not parquet"),
        ("r.csv", b"\x00\xff,key\n\x00"),
        ("r.csv", b",chunk_key,chunk_index\n"),
    ],
)
def test_a_damaged_file_is_refused_not_a_server_error(name, content):
    with pytest.raises(BadInput):
        adapter.read(content, filename=name, options={})


def test_a_bad_cell_is_named_by_its_row_in_the_file_when_a_period_is_taken():
    analysis_row = ",2017-02-18 23:59:26.400,analysis,"  # row 11: the first analysis chunk
    content = edited("nannyml_dle_raw.csv", analysis_row, analysis_row + "high")

    with pytest.raises(BadInput) as refused:
        adapter.read(content, filename="dle.csv", options={"period": "analysis"})

    assert refused.value.row == 11


def test_a_column_written_twice_is_refused_naming_the_second_one():
    content = edited("nannyml_dle_raw.csv", "mae_alert", "mae_value")

    with pytest.raises(BadInput) as refused:
        adapter.read(content, filename="dle.csv", options={})

    assert refused.value.field == "mae_value.1"  # as pandas numbers a repeated name


def test_a_chunk_that_ends_in_the_future_holds_as_of_now():
    content = edited("nannyml_dle_raw.csv", "2017-03-11 23:59:26.400", "2099-12-31 23:59:59")

    with time_machine.travel(datetime(2026, 12, 7, 12, tzinfo=UTC), tick=False):
        bundle = adapter.read(content, filename="dle.csv", options={})

    assert points(bundle, "mae.estimated")[-1][0] == "2026-12-07T12:00:00+00:00"
