"""Metric points as a pandas frame: read from JSON, CSV, Parquet or Arrow IPC, validated
column-wise.

Validation is vectorised (one pass per rule over each column, never a Python loop per point)
and reports the first bad row of the earliest failing rule, 1-based as a person counts rows in
the file they sent (a CSV's header is not counted).
"""

import io
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import ipc

from governance.api.hostile import Path, dotted, find, load_json, text_problem
from monitoring.ingest.errors import BadInput

REQUIRED = ("name", "value", "timestamp")
OPTIONAL = ("step", "segment", "tags")
COLUMNS = REQUIRED + OPTIONAL
NAME_MAX = 200
JSON_TYPES = frozenset({"application/json"})
CSV_TYPES = frozenset({"text/csv", "application/csv"})
PARQUET_TYPES = frozenset({"application/vnd.apache.parquet", "application/x-parquet"})
# Arrow's IANA types: the streaming format, and the file format (Feather v2) it also reads.
ARROW_TYPES = frozenset(
    {"application/vnd.apache.arrow.stream", "application/vnd.apache.arrow.file"}
)
MEDIA_TYPES = JSON_TYPES | CSV_TYPES | PARQUET_TYPES | ARROW_TYPES
ARROW_FILE_MAGIC = b"ARROW1"
# An ISO 8601 instant must carry its offset: a naive time is ambiguous by up to a day.
_OFFSET = r"(?:Z|z|[+-]\d{2}:?\d{2})$"


def read(body: bytes, media_type: str) -> pd.DataFrame:
    """The points a request body holds, as a frame of raw (not yet checked) columns."""
    if not body:
        raise BadInput(field="body", message="is empty")
    if media_type in JSON_TYPES:
        return _from_json(body)
    if media_type in CSV_TYPES:
        return _from_csv(body)
    if media_type in PARQUET_TYPES:
        return _from_parquet(body)
    if media_type in ARROW_TYPES:
        return _from_arrow(body)
    known = ", ".join(sorted(MEDIA_TYPES))
    raise BadInput(field="Content-Type", message=f"{media_type!r} is not one of {known}")


def _from_json(body: bytes) -> pd.DataFrame:
    try:
        # orjson first (about twice as fast as json on a million points); the standard parser
        # reads NaN and Infinity, so the checks can name the row holding one.
        data = load_json(body)
    except ValueError as exc:
        raise BadInput(field="body", message=f"is not valid JSON: {exc}") from None
    if isinstance(data, Mapping) and "points" in data:
        data = data["points"]
    _refuse_hostile(data)
    if isinstance(data, list):
        return _from_rows(data)
    if isinstance(data, Mapping):
        return _from_columns(data)
    raise BadInput(field="body", message="must be an object of columns or a list of points")


def _refuse_hostile(data: Any) -> None:
    """NUL, lone surrogates, integers beyond 64 bits, deep nesting: named by column and row."""
    found = find(data, nan_ok=True)
    if found is not None:
        field, row = _cell(found.path)
        raise BadInput(field=field, row=row, message=found.message)


def _cell(path: Path) -> tuple[str, int | None]:
    """A path in rows (`[3].tags.k`) or columns (`tags[3].k`) as its field and 1-based row."""
    rows = [i for i, step in enumerate(path) if isinstance(step, int)]
    if not rows:
        return dotted(path), None
    at = rows[0]
    return dotted(path[:at] + path[at + 1 :]), int(path[at]) + 1


def _from_rows(rows: list[Any]) -> pd.DataFrame:
    for row, point in enumerate(rows, start=1):
        if not isinstance(point, Mapping):
            raise BadInput(field="body", row=row, message="each point must be an object")
    return pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=list(REQUIRED))


def _from_columns(columns: Mapping[str, Any]) -> pd.DataFrame:
    lengths = {}
    for name, values in columns.items():
        if not isinstance(values, list):
            raise BadInput(field=str(name), message="must be a list (one value per point)")
        lengths[name] = len(values)
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        raise BadInput(field="body", message=f"columns differ in length ({shown})")
    return pd.DataFrame(dict(columns))


def _from_csv(body: bytes) -> pd.DataFrame:
    _refuse_nul(body)
    try:
        # Text columns stay text ("007" is a segment, not 7); value is converted when checked.
        frame = pd.read_csv(
            io.BytesIO(body),
            dtype={"name": str, "segment": str, "timestamp": str, "value": str, "tags": str},
            keep_default_na=False,
            na_values={"step": [""], "value": [""]},
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise BadInput(field="body", message=f"is not readable CSV: {exc}") from None
    if "tags" in frame:
        frame["tags"] = _json_cells(frame["tags"])
    return frame


def _refuse_nul(body: bytes) -> None:
    """pandas cuts a CSV cell at a NUL without a word: refuse it, naming column and row."""
    at = body.find(b"\x00")
    if at < 0:
        return
    lines = body[:at].split(b"\n")
    header = body.split(b"\n", 1)[0].decode(errors="replace").split(",")
    column = lines[-1].count(b",")
    field = header[column].strip() if len(lines) > 1 and column < len(header) else "body"
    raise BadInput(field=field, row=len(lines) - 1 or None, message="contains a NUL character")


def _json_cells(column: pd.Series) -> list[Any]:
    cells = []
    for row, text in enumerate(column, start=1):
        try:
            cells.append(load_json(text.encode()) if text else {})
        except ValueError:
            raise BadInput(field="tags", row=row, message="is not a JSON object") from None
    return cells


def _from_parquet(body: bytes) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(body))
    except (OSError, ValueError) as exc:
        raise BadInput(field="body", message=f"is not readable Parquet: {exc}") from None


def _from_arrow(body: bytes) -> pd.DataFrame:
    """An Arrow IPC stream or file, told apart by the file format's magic bytes (whichever of the
    two media types was sent: writers label them loosely)."""
    try:
        source = pa.BufferReader(body)
        reader = (
            ipc.open_file(source) if body.startswith(ARROW_FILE_MAGIC) else ipc.open_stream(source)
        )
        frame: pd.DataFrame = reader.read_all().to_pandas()
        return frame
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise BadInput(field="body", message=f"is not readable Arrow IPC: {exc}") from None


# --- validation -----------------------------------------------------------------------------


def validate(
    frame: pd.DataFrame,
    *,
    now: datetime,
    future_tolerance: timedelta,
    known_names: Collection[str] = (),
) -> pd.DataFrame:
    """Typed, checked columns (name, value, timestamp UTC, step, segment, tags), or BadInput."""
    unknown = [str(c) for c in frame.columns if c not in COLUMNS]
    if unknown:
        expected = ", ".join(COLUMNS)
        raise BadInput(field=unknown[0], message=f"is not a metric column (expected {expected})")
    for column in REQUIRED:
        if column not in frame:
            raise BadInput(field=column, message="required column is missing")
    if frame.empty:
        raise BadInput(field="body", message="holds no metric points")
    checked = pd.DataFrame(index=frame.index)
    checked["name"] = _names(frame["name"], known_names)
    checked["value"] = _values(frame["value"])
    checked["timestamp"] = _timestamps(frame["timestamp"], now + future_tolerance)
    no_steps = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    checked["step"] = _steps(frame["step"]) if "step" in frame else no_steps
    checked["segment"] = _segments(frame["segment"]) if "segment" in frame else ""
    checked["tags"] = _tags(frame["tags"]) if "tags" in frame else None
    return checked.reset_index(drop=True)


def _first(mask: np.ndarray | pd.Series) -> int | None:
    """The 1-based row of the first True, or None."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(positions[0]) + 1 if len(positions) else None


def _shown(value: Any) -> str:
    return repr(float(value)) if isinstance(value, float | np.floating) else repr(value)


def _refuse_where(mask: Any, field: str, message: str, column: pd.Series) -> None:
    row = _first(mask)
    if row is not None:
        raise BadInput(field=field, row=row, message=f"{_shown(column.iloc[row - 1])} {message}")


def _distinct(column: pd.Series, field: str) -> tuple[np.ndarray, pd.Index]:
    """Codes and distinct values: text columns repeat a few values a million times, so each
    distinct value is judged (and parsed) once and the verdict mapped back to rows."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    _refuse_where(codes < 0, field, "is missing", column)
    return codes, uniques


def _refuse_distinct(
    bad: np.ndarray, codes: np.ndarray, field: str, message: str, column: pd.Series
) -> None:
    if bad.any():
        _refuse_where(bad[codes], field, message, column)


def _labels(
    column: pd.Series, field: str, known: Collection[str] = (), *, blank_ok: bool = False
) -> pd.Series:
    if blank_ok:
        column = column.where(column.notna(), "")
    codes, uniques = _distinct(column, field)
    for index, value in enumerate(uniques):
        problem = _label_problem(value, known, blank_ok=blank_ok)
        if problem:
            _refuse_where(codes == index, field, problem, column)
    stripped = np.array([value.strip() for value in uniques], dtype=object)
    return pd.Series(stripped.take(codes), index=column.index, dtype=object)


def _label_problem(value: Any, known: Collection[str], *, blank_ok: bool) -> str:
    if not isinstance(value, str):
        return "is not text"
    if text_problem(value):
        return text_problem(value)
    text = value.strip()
    if not text:
        return "" if blank_ok else "is empty"
    if len(text) > NAME_MAX:
        return f"is longer than {NAME_MAX} characters"
    if known and text not in known:
        return f"is not a metric defined for this model ({', '.join(sorted(known))})"
    return ""


def _names(column: pd.Series, known: Collection[str]) -> pd.Series:
    return _labels(column, "name", frozenset(known))


def _values(column: pd.Series) -> pd.Series:
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        # true/false would pass as 1/0: refuse them by name, not by conversion.
        is_bool = column.map(lambda v: isinstance(v, bool | np.bool_)).astype(bool)
        _refuse_where(is_bool, "value", "is not a number", column)
    numbers = pd.to_numeric(column, errors="coerce")
    _refuse_where(numbers.isna() & column.notna(), "value", "is not a number", column)
    finite = np.isfinite(numbers.to_numpy(dtype="float64", na_value=np.nan))
    _refuse_where(~finite, "value", "is not a finite number (missing, NaN or infinite)", column)
    return numbers.astype("float64")


def _timestamps(column: pd.Series, latest: datetime) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):  # Parquet keeps real timestamps
        if column.dt.tz is None:
            raise BadInput(field="timestamp", message="Parquet column has no time zone")
        parsed: pd.Series = column.dt.tz_convert("UTC")
    else:
        parsed = _parsed_text_timestamps(column)
    _refuse_where(
        parsed > pd.Timestamp(latest),
        "timestamp",
        f"is in the future (beyond {latest.isoformat()})",
        column,
    )
    return parsed


def _parsed_text_timestamps(column: pd.Series) -> pd.Series:
    codes, uniques = _distinct(column, "timestamp")
    text = pd.Series(uniques, dtype=object)
    is_text = text.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    _refuse_distinct(~is_text, codes, "timestamp", "is not an ISO 8601 date-time", column)
    with_offset = text.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool)
    _refuse_distinct(
        ~with_offset,
        codes,
        "timestamp",
        "is not an ISO 8601 date-time with a UTC offset (e.g. 2026-11-01T10:15:00Z)",
        column,
    )
    instants = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    _refuse_distinct(
        instants.isna().to_numpy(), codes, "timestamp", "is not an ISO 8601 date-time", column
    )
    return pd.Series(pd.DatetimeIndex(instants).take(codes), index=column.index)


def _steps(column: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(column, errors="coerce")
    _refuse_where(numbers.isna() & column.notna(), "step", "is not an integer", column)
    whole = numbers.isna() | (numbers == np.floor(numbers.fillna(0)))
    _refuse_where(~whole, "step", "is not an integer", column)
    if not pd.api.types.is_signed_integer_dtype(numbers):  # int64 fits by construction
        # A float cannot say which integer it was: -2**63 as a float may be -2**63 - 1.
        floats = numbers.astype("float64")
        beyond = floats.notna() & ~((floats > -(2.0**63)) & (floats < 2.0**63))
        _refuse_where(beyond, "step", "is beyond the 64-bit integer range", column)
    return numbers.astype("Int64")


def _segments(column: pd.Series) -> pd.Series:
    return _labels(column, "segment", blank_ok=True)


def _tags(column: pd.Series) -> pd.Series:
    # A point without tags is None, or NaN where no point in the column has any (pandas then
    # reads a float column): both are missing, and neither is a bad value.
    bad = column.notna() & ~column.map(lambda v: isinstance(v, Mapping)).astype(bool)
    _refuse_where(bad, "tags", "is not an object", column)
    for row, tags in enumerate(column, start=1):
        found = find(tags) if isinstance(tags, Mapping) else None
        if found is not None:
            raise BadInput(field=dotted(("tags", *found.path)), row=row, message=found.message)
    return column.map(lambda v: dict(v) if isinstance(v, Mapping) else {})
