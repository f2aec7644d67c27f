"""The metrics adapter reads CSV, Parquet, Arrow IPC and JSON files that pandas writes, long or
wide."""

import io
import json

import pandas as pd
import pytest

from monitoring.adapters import tabular as adapter
from monitoring.ingest.bundle import Bundle, MetricColumns
from monitoring.ingest.errors import BadInput

AT = "2026-11-01T10:00:00Z"


@pytest.fixture
def points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["auc", "ks", "auc"],
            "value": [0.81, 0.42, 0.83],
            "timestamp": [AT, AT, "2026-11-02T10:00:00+00:00"],
            "step": [1, 1, 2],
            "segment": ["retail", "retail", ""],
        }
    )


def csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def test_long_csv_becomes_metric_columns(points):
    bundle = adapter.read(csv(points), filename="metrics.csv", options={})

    assert bundle.source == "metrics"
    assert bundle.metrics == MetricColumns(
        name=["auc", "ks", "auc"],
        value=[0.81, 0.42, 0.83],
        timestamp=[AT, AT, "2026-11-02T10:00:00+00:00"],
        step=[1, 1, 2],
        segment=["retail", "retail", ""],
    )


@pytest.mark.parametrize("orient", ["list", "records"])
def test_json_columns_and_rows_read_alike(points, orient):
    content = json.dumps(points.to_dict(orient=orient)).encode()

    bundle = adapter.read(content, filename="metrics.json", options={})

    assert bundle.metrics == adapter.read(csv(points), filename="m.csv", options={}).metrics


def test_parquet_with_real_timestamps_is_written_in_utc(points):
    frame = points.assign(timestamp=pd.to_datetime(points["timestamp"], utc=True))

    bundle = adapter.read(parquet(frame), filename="metrics.parquet", options={})

    assert bundle.metrics.timestamp[0] == "2026-11-01T10:00:00.000000Z"
    assert bundle.metrics.step == [1, 1, 2]


@pytest.mark.parametrize("filename", ["metrics.arrow", "metrics.feather"])
def test_an_arrow_file_reads_as_its_csv_does(points, filename):
    buffer = io.BytesIO()
    points.to_feather(buffer)

    bundle = adapter.read(buffer.getvalue(), filename=filename, options={})

    assert bundle.metrics == adapter.read(csv(points), filename="m.csv", options={}).metrics


def test_format_option_wins_over_a_missing_extension(points):
    bundle = adapter.read(parquet(points), filename="export", options={"format": "parquet"})

    assert len(bundle.metrics) == 3


def test_final_metrics_without_time_take_the_timestamp_option():
    content = csv(pd.DataFrame({"name": ["auc", "gini"], "value": [0.81, 0.62]}))

    bundle = adapter.read(content, filename="final.csv", options={"timestamp": AT})

    assert bundle.metrics.timestamp == ["2026-11-01T10:00:00+00:00"] * 2
    assert bundle.metrics.step == []


def test_wide_history_is_melted_and_skips_metrics_not_logged():
    history = pd.DataFrame({"step": [1, 2], "loss": [0.9, 0.5], "val_auc": [None, 0.77]})

    bundle = adapter.read(
        csv(history), filename="history.csv", options={"wide": "true", "timestamp": AT}
    )

    assert list(
        zip(bundle.metrics.name, bundle.metrics.step, bundle.metrics.value, strict=True)
    ) == [
        ("loss", 1, 0.9),
        ("loss", 2, 0.5),
        ("val_auc", 2, 0.77),
    ]


def test_wide_cell_that_is_not_a_number_names_metric_and_row():
    content = b"step,loss\n1,0.9\n2,diverged\n"

    with pytest.raises(BadInput) as caught:
        adapter.read(content, filename="h.csv", options={"wide": "1", "timestamp": AT})

    assert (caught.value.field, caught.value.row) == ("loss", 2)


@pytest.mark.parametrize("column", ["name", "value", "timestamp"])
def test_missing_required_column_is_named(points, column):
    with pytest.raises(BadInput) as caught:
        adapter.read(csv(points.drop(columns=[column])), filename="m.csv", options={})

    assert (caught.value.field, caught.value.message) == (column, "required column is missing")


def test_value_that_is_not_a_number_names_the_row(points):
    points["value"] = [0.81, "n/a", 0.83]

    with pytest.raises(BadInput) as caught:
        adapter.read(csv(points), filename="m.csv", options={})

    assert (caught.value.field, caught.value.row) == ("value", 2)


def test_fractional_step_names_the_row(points):
    points["step"] = [1, 1.5, 2]

    with pytest.raises(BadInput) as caught:
        adapter.read(csv(points), filename="m.csv", options={})

    assert (caught.value.field, caught.value.row) == ("step", 2)


def test_parquet_timestamps_without_a_zone_are_refused(points):
    frame = points.assign(timestamp=pd.to_datetime(["2026-11-01 10:00"] * 3))

    with pytest.raises(BadInput) as caught:
        adapter.read(parquet(frame), filename="m.parquet", options={})

    assert caught.value.field == "timestamp"


def test_truncated_json_names_the_file(points):
    content = json.dumps(points.to_dict(orient="list")).encode()[:40]

    with pytest.raises(BadInput) as caught:
        adapter.read(content, filename="m.json", options={})

    assert caught.value.field == "file"
    assert "is not valid JSON" in caught.value.message


@pytest.mark.parametrize(
    ("filename", "options", "field"),
    [
        ("m.csv", {"unit": "percent"}, "unit"),
        ("m.txt", {}, "format"),
        ("m.csv", {"format": "xlsx"}, "format"),
        ("m.csv", {"wide": "maybe"}, "wide"),
        ("m.csv", {"timestamp": "2026-11-01 10:00"}, "timestamp"),
    ],
)
def test_bad_options_are_named(points, filename, options, field):
    with pytest.raises(BadInput) as caught:
        adapter.read(csv(points), filename=filename, options=options)

    assert caught.value.field == field


def test_frame_to_columns_refuses_a_column_it_does_not_know(points):
    with pytest.raises(BadInput) as caught:
        adapter.frame_to_columns(points.assign(run="a1"))

    assert caught.value.field == "run"


def test_frame_to_columns_keeps_missing_values_as_none(points):
    points["value"] = [0.81, float("nan"), float("inf")]

    columns = adapter.frame_to_columns(points)

    assert columns.value == [0.81, None, None]


def test_bundle_survives_the_json_round_trip(points):
    bundle = adapter.read(csv(points), filename="m.csv", options={})

    assert Bundle.from_json(json.loads(json.dumps(bundle.as_json()))) == bundle
