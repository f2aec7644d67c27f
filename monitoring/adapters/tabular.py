"""Metric points from a CSV, Parquet, Arrow IPC or JSON file of any tracker, as a bundle's metric columns.

A file is long (one point per row: `name`, `value`, `timestamp`, optional `step` and `segment`;
JSON as columns `{"name": [...], ...}` or rows `[{"name": ..., ...}]`) or, with `wide=true`, wide
(one column per metric beside optional `step`, `timestamp` and `segment` columns, as trackers
export a history); a wide file is melted into points, and an empty cell is a metric not logged
at that step. Parsing is the metrics endpoint's own (`monitoring.ingest.frames.read`), so a file
reads here as it would when posted; the checks are light (columns present, values parsable):
the server validates the points column by column when the bundle arrives.

Options: `format` (csv, parquet, arrow or json; else taken from the file name's extension),
`timestamp` (ISO 8601 with offset: the time of points that have none, e.g. a final-metrics CSV),
`wide` (true or false).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from monitoring.adapters.errors import parse_instant, refuse_unknown_options
from monitoring.adapters.files import table_format
from monitoring.ingest import frames
from monitoring.ingest.bundle import Bundle, MetricColumns
from monitoring.ingest.errors import BadInput

SOURCE = "metrics"
OPTIONS = frozenset({"format", "timestamp", "wide"})
MEDIA_TYPES = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "arrow": "application/vnd.apache.arrow.stream",  # the reader also takes the file format
    "json": "application/json",
}
SUFFIXES = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".arrows": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".json": "json",
}
REQUIRED = ("name", "value", "timestamp")
COLUMNS = (*REQUIRED, "step", "segment")
WIDE_INDEX = ("step", "timestamp", "segment")  # in a wide file, the columns that are no metric
TRUE, FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"", "0", "false", "no", "off"})


def read(content: bytes, *, filename: str = "", options: Mapping[str, str]) -> Bundle:
    """The metric points of a CSV, Parquet, Arrow IPC or JSON file."""
    refuse_unknown_options(options, OPTIONS, source=SOURCE)
    frame = _parse(content, table_format(filename, options, SUFFIXES))
    if _wide(options):
        frame = _melted(frame)
    if "timestamp" in options:
        when = parse_instant(options["timestamp"], field="timestamp")
        frame = _stamped(frame, pd.Timestamp(when).tz_convert("UTC"))
    return Bundle(source=SOURCE, metrics=frame_to_columns(frame))


def frame_to_columns(frame: pd.DataFrame) -> MetricColumns:
    """A frame of points (name, value, timestamp, step?, segment?) as a bundle's columns.

    Timestamps may be ISO 8601 text or a time-zone-aware datetime column; values must parse as
    numbers and steps as integers. A missing value or step becomes None.
    """
    for column in frame.columns:
        if column not in COLUMNS:
            expected = ", ".join(COLUMNS)
            raise BadInput(field=str(column), message=f"is not a metric column ({expected})")
    for column in REQUIRED:
        if column not in frame:
            raise BadInput(field=column, message="required column is missing")
    frame = frame.reset_index(drop=True)
    return MetricColumns(
        name=_texts(frame["name"]),
        value=_numbers(frame["value"], "value"),
        timestamp=_timestamps(frame["timestamp"]),
        step=_steps(frame["step"]) if "step" in frame else [],
        segment=_texts(frame["segment"]) if "segment" in frame else [],
    )


# --- reading the file ----------------------------------------------------------------------


def _parse(content: bytes, fmt: str) -> pd.DataFrame:
    try:
        return frames.read(content, MEDIA_TYPES[fmt])
    except BadInput as exc:
        if exc.field != "body":
            raise
        # The endpoint's parser speaks of the request body; here the body is the file.
        raise BadInput(field="file", message=exc.message, row=exc.row) from None


def _wide(options: Mapping[str, str]) -> bool:
    value = options.get("wide", "").strip().lower()
    if value not in TRUE | FALSE:
        raise BadInput(field="wide", message=f"{value!r} is not true or false")
    return value in TRUE


def _melted(frame: pd.DataFrame) -> pd.DataFrame:
    """A wide frame (a column per metric) as one point per row; empty cells are dropped."""
    index = [c for c in WIDE_INDEX if c in frame]
    metrics = [c for c in frame.columns if c not in WIDE_INDEX]
    if not metrics:
        raise BadInput(
            field="file",
            message="has no metric columns: a wide file has a column per metric besides "
            f"{', '.join(WIDE_INDEX)}",
        )
    frame = frame.assign(**{str(c): _wide_values(frame[c], str(c)) for c in metrics})
    long = frame.melt(id_vars=index, value_vars=metrics, var_name="name", value_name="value")
    return long[long["value"].notna()].reset_index(drop=True)


def _wide_values(column: pd.Series, name: str) -> pd.Series:
    """A metric column of a wide file as floats: a blank cell is a metric not logged there."""
    blank = column.isna() | column.astype(str).str.strip().eq("")
    return pd.Series(_numbers(column.where(~blank), name), index=column.index, dtype="float64")


def _stamped(frame: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """The frame with `when` as the time of every point that has none."""
    if "timestamp" not in frame:
        return frame.assign(timestamp=when.isoformat())
    column = frame["timestamp"]
    if pd.api.types.is_datetime64_any_dtype(column):
        return frame.assign(timestamp=column.fillna(when))
    blank = column.isna() | column.astype(str).str.strip().eq("")
    return frame.assign(timestamp=column.where(~blank, when.isoformat()))


# --- one column each ------------------------------------------------------------------------


def _texts(column: pd.Series) -> list[str]:
    return ["" if _missing(v) else str(v) for v in column.tolist()]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and np.isnan(value)


def _numbers(column: pd.Series, field: str) -> list[float | None]:
    """Floats, None where missing or not finite (the server names those); BadInput for text."""
    if pd.api.types.is_bool_dtype(column):
        raise BadInput(field=field, row=1, message="is true/false, not a number")
    numbers = pd.to_numeric(column, errors="coerce")
    _refuse_first(numbers.isna() & column.notna(), column, field, "is not a number")
    values = numbers.to_numpy(dtype="float64", na_value=np.nan)
    finite = np.isfinite(values)
    return [v if ok else None for v, ok in zip(values.tolist(), finite.tolist(), strict=True)]


def _steps(column: pd.Series) -> list[int | None]:
    numbers = pd.to_numeric(column, errors="coerce")
    _refuse_first(numbers.isna() & column.notna(), column, "step", "is not an integer")
    fractional = numbers.notna() & (numbers != np.floor(numbers.fillna(0)))
    _refuse_first(fractional, column, "step", "is not an integer")
    return [None if _missing(v) else int(v) for v in numbers.tolist()]


def _timestamps(column: pd.Series) -> list[str]:
    """ISO 8601 text; a datetime column (Parquet) must say its time zone."""
    if not pd.api.types.is_datetime64_any_dtype(column):
        return [_stamp_text(v) for v in column.tolist()]
    if column.dt.tz is None:
        raise BadInput(field="timestamp", message="is a datetime column without a time zone")
    text: pd.Series = column.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return text.where(column.notna(), "").tolist()


def _stamp_text(value: Any) -> str:
    if _missing(value):
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _refuse_first(mask: pd.Series, column: pd.Series, field: str, message: str) -> None:
    """BadInput naming the first row where `mask` holds (1-based, as a person counts rows)."""
    rows = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
    if len(rows):
        row = int(rows[0])
        raise BadInput(field=field, row=row + 1, message=f"{column.iloc[row]!r} {message}")
