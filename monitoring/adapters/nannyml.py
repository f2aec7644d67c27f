"""NannyML: estimated and realised performance as metric points, univariate drift as drift
results (CSV or Parquet; NannyML need not be installed).

Read as NannyML's users export a result, whichever of its calculators made it:

- `result.to_df()` written with pandas: multi-level columns, so a CSV has two header rows
  (`chunk,key` / `roc_auc,value`), three for drift (`distance_from_office,jensen_shannon,value`),
  and a Parquet file keeps the levels in its pandas metadata;
- `nml.io.RawFilesWriter(path).write(result, filename=..., format="csv" | "parquet")`, which
  writes `result.to_df(multilevel=False)`: flat names joined by `_` (`chunk_key`, `chunk_index`,
  `roc_auc_upper_confidence_boundary`, `salary_range_chi2_alert`).

Every row is a chunk: its `period` (reference or analysis), index and dates.

Performance (CBPE, DLE, and the realised PerformanceCalculator): one metric point per chunk,
metric and part, at the chunk's end date (or now, for a chunk that ends later: this month's
chunk of a monthly result), step the chunk's index, segment `period=<period>`:
`<metric>.estimated` (an estimator's `value`) beside `<metric>.realized` (what the labels gave,
where the chunk had them), or `<metric>.value` for a calculator that only measures;
`.sampling_error`, `.upper_confidence_boundary`, `.lower_confidence_boundary`,
`.upper_threshold`, `.lower_threshold`, and `.alert` (1 raised, 0 not). An empty cell is a
value NannyML did not have (no labels in an analysis chunk, no lower threshold): no point.

Univariate drift: one drift result per chunk, at its end date, naming the chunk in its
`reference` text; a line per column and method with NannyML's value, upper threshold and alert.
NannyML gives no dataset verdict, so none is made up. A lower threshold (which a drift line
cannot hold) is refused, naming it, rather than dropped.

Options: `format` (csv or parquet; else from the file name), `period` (`all`, the default,
`analysis` or `reference`: the chunks to take).
"""

import csv
import io
import math
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from monitoring.adapters.errors import refuse_unknown_options
from monitoring.adapters.files import read_table, table_format
from monitoring.ingest.bundle import Bundle, ColumnDrift, DriftCheck, MetricColumns
from monitoring.ingest.errors import BadInput

SOURCE = "nannyml"
OPTIONS = frozenset({"format", "period"})
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
PERIODS = ("all", "analysis", "reference")
CHUNK = ("key", "chunk_index", "start_index", "end_index", "start_date", "end_date", "period")
# RawFilesWriter's flat names of the chunk's fields (`chunk_index` stays as it is).
FLAT_CHUNK = {("chunk_index" if f == "chunk_index" else f"chunk_{f}"): f for f in CHUNK}
PERFORMANCE_PARTS = (
    "upper_confidence_boundary",
    "lower_confidence_boundary",
    "sampling_error",
    "upper_threshold",
    "lower_threshold",
    "realized",
    "value",
    "alert",
)  # longest first: a flat name is split at the longest part it ends with
DRIFT_PARTS = ("value", "upper_threshold", "lower_threshold", "alert")
# NannyML's univariate methods, and the kind of column each takes ("" for both).
METHODS = {
    "jensen_shannon": "",
    "hellinger": "",
    "kolmogorov_smirnov": "num",
    "wasserstein": "num",
    "chi2": "cat",
    "l_infinity": "cat",
}

Key = tuple[str, ...]  # ("chunk", "end_date"), ("roc_auc", "value"), (column, method, part)


def read(content: bytes, *, filename: str = "", options: Mapping[str, str]) -> Bundle:
    """The metric points or drift results of one exported NannyML result."""
    refuse_unknown_options(options, OPTIONS, source=SOURCE)
    period = options.get("period", "all").strip().lower()
    if period not in PERIODS:
        raise BadInput(field="period", message=f"{period!r} is not one of {', '.join(PERIODS)}")
    frame = _frame(content, table_format(filename, options, FORMATS)).reset_index(drop=True)
    keys = [_key(column) for column in frame.columns]
    twice = [k for k, n in Counter(keys).items() if n > 1]
    if twice:
        raise BadInput(field=".".join(twice[0]), message="is a column of the file twice")
    frame.columns = pd.MultiIndex.from_tuples([_padded(k) for k in keys])
    chunks = _chunks(frame)
    if period != "all":
        frame, chunks = frame[chunks["period"] == period], chunks[chunks["period"] == period]
        if frame.empty:
            raise BadInput(field="period", message=f"no chunk of the file is in {period!r}")
    # Errors name a row as the file numbers it (from 1, below the header), whatever is taken.
    measures = [k for k in keys if not _is_chunk(k)]
    if any(len(k) == 3 for k in measures):
        return Bundle(source=SOURCE, drift=_drift(frame, chunks, measures))
    return Bundle(source=SOURCE, metrics=_points(frame, chunks, measures))


# --- reading the file ---------------------------------------------------------------------


def _frame(content: bytes, fmt: str) -> pd.DataFrame:
    """The result's table, its columns as written (tuples for multi-level, else names)."""
    if fmt == "parquet":
        try:
            return read_table(content, fmt)
        except (SyntaxError, KeyError, TypeError) as exc:  # pandas metadata that does not parse
            raise BadInput(field="file", message=f"is not readable Parquet: {exc!r}") from None
    rows = _header_rows(content)
    _check_row_lengths(content, rows)
    try:
        frame = pd.read_csv(
            io.BytesIO(content), header=list(range(rows)), float_precision="round_trip"
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise BadInput(field="file", message=f"is not readable CSV: {exc}") from None
    first = frame.columns[0]
    if str(first[0] if isinstance(first, tuple) else first).startswith("Unnamed"):
        frame = frame.drop(columns=[first])  # the index pandas writes unless told not to
    return frame


def _header_rows(content: bytes) -> int:
    """How many header rows `to_df().to_csv()` wrote: one per level, the last naming `key`."""
    lines = content.decode("utf-8", errors="replace").replace("\0", "").splitlines()[:3]
    for depth, row in enumerate(csv.reader(lines), start=1):
        if "key" in row or "chunk_key" in row:
            return depth
    raise BadInput(
        field="file",
        message="has no chunk key column (chunk,key or chunk_key) in its first three rows: "
        "not a NannyML result exported with result.to_df() or nml.io.RawFilesWriter",
    )


def _check_row_lengths(content: bytes, header_rows: int) -> None:
    """Every row as long as the header: pandas would take extra cells as an index, or drop
    them, without a word."""
    text = io.StringIO(content.decode("utf-8", errors="replace").replace("\0", ""))
    rows = csv.reader(text)
    try:
        width = len(next(rows))
        for number, row in enumerate(rows, start=2):
            if row and len(row) != width:
                data_row = number - header_rows
                where = f"data row {data_row}" if data_row > 0 else f"header row {number}"
                raise BadInput(
                    field="file",
                    row=max(data_row, 1),
                    message=f"{where} has {len(row)} cells where the header has {width}",
                )
    except (csv.Error, StopIteration) as exc:
        raise BadInput(field="file", message=f"is not readable CSV: {exc!r}") from None


def _key(column: Any) -> Key:
    """A column as (chunk, field), (metric, part) or (column, method, part)."""
    if isinstance(column, tuple):
        parts = tuple(str(p) for p in column)
    elif isinstance(column, str) and column.startswith("("):
        parts = tuple(p.strip(" '\"") for p in column.strip("()").split(","))  # Parquet text
    else:
        return _flat_key(str(column))
    if parts[0] == "chunk" and parts[-1] in CHUNK and (len(parts) == 2 or parts[1] == "chunk"):
        return ("chunk", parts[-1])
    if len(parts) == 3 and parts[1] in METHODS and parts[2] in DRIFT_PARTS:
        return parts
    if len(parts) == 2 and parts[1] in PERFORMANCE_PARTS:
        return parts
    raise BadInput(field=".".join(parts), message=_NOT_NANNYML)


def _flat_key(name: str) -> Key:
    """A RawFilesWriter name split at the part (and the method) it ends with."""
    if name in FLAT_CHUNK:
        return ("chunk", FLAT_CHUNK[name])
    for part in PERFORMANCE_PARTS:
        if name.endswith(f"_{part}"):
            head = name.removesuffix(f"_{part}")
            for method in METHODS:
                if part in DRIFT_PARTS and head.endswith(f"_{method}"):
                    return (head.removesuffix(f"_{method}"), method, part)
            return (head, part)
    raise BadInput(field=name, message=_NOT_NANNYML)


_NOT_NANNYML = (
    "is not a column of a NannyML performance or univariate drift result (expected chunk "
    "fields and <metric>_value, _realized, _upper_threshold, _alert, ...)"
)


def _is_chunk(key: Key) -> bool:
    return len(key) == 2 and key[0] == "chunk" and key[1] in CHUNK


def _padded(key: Key) -> Key:
    return (*key, "", "")[:3]


def _chunks(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's chunk: period, index, key and dates (tz-aware UTC; NannyML's are naive)."""
    found = {k[1] for k in frame.columns if _is_chunk(tuple(k[:2])) and not k[2]}
    for field in ("key", "chunk_index", "period", "end_date"):
        if field not in found:
            raise BadInput(field=f"chunk.{field}", message="required column is missing")
    chunks = pd.DataFrame({f: frame[("chunk", f, "")] for f in CHUNK if f in found})
    if chunks.empty:
        raise BadInput(field="file", message="holds no chunks")
    for field in ("chunk_index", "start_index", "end_index"):
        if field in chunks:
            chunks[field] = _indexes(chunks[field], field)
    for field in ("start_date", "end_date"):
        if field in chunks:
            chunks[field] = _instants(chunks[field], field)
    chunks["period"] = chunks["period"].astype(str)
    # A chunk's figures hold as of its end; the last chunk of a running period (this month's)
    # ends later, and holds as of now: nothing is recorded in the future.
    now = pd.Timestamp(datetime.now(tz=UTC))
    chunks["as_of"] = chunks["end_date"].where(chunks["end_date"] <= now, now)
    return chunks


def _indexes(column: pd.Series, field: str) -> pd.Series:
    numbers = pd.to_numeric(column, errors="coerce")
    bad = numbers.isna() | (numbers != numbers.round())
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise BadInput(
            field=f"chunk.{field}", row=row + 1, message=f"{column.iloc[row]!r} is not an integer"
        )
    return numbers.astype("int64")


def _instants(column: pd.Series, field: str) -> pd.Series:
    stamps = pd.to_datetime(column, errors="coerce", format="ISO8601")
    missing = stamps.isna()
    if missing.any():
        row = int(missing.to_numpy().argmax()) + 1
        raise BadInput(
            field=f"chunk.{field}",
            row=row,
            message="is empty: the result was computed without timestamp_column_name, so "
            "its chunks have no time; rerun NannyML with timestamp_column_name set",
        )
    # Times without an offset are UTC, as for every tool's artifact; NannyML ends a chunk a
    # nanosecond before the next, finer than an ISO 8601 reader in Python takes.
    stamps = stamps.dt.floor("us")
    return stamps.dt.tz_localize(UTC) if stamps.dt.tz is None else stamps.dt.tz_convert(UTC)


# --- performance --------------------------------------------------------------------------


def _points(frame: pd.DataFrame, chunks: pd.DataFrame, measures: list[Key]) -> MetricColumns:
    if not measures:
        raise BadInput(field="file", message="holds chunks but no metric or drift columns")
    estimated = {k[0] for k in measures if k[1] == "realized"}
    columns = MetricColumns()
    for metric, part in measures:
        name = _point_name(metric, part, estimated=metric in estimated)
        values = frame[(metric, part, "")]
        for row, value in enumerate(values.tolist()):
            line = int(frame.index[row]) + 1
            number = _number(value, field=f"{metric}.{part}", row=line, alert=part == "alert")
            if number is None:
                continue
            columns.name.append(name)
            columns.value.append(number)
            columns.timestamp.append(chunks["as_of"].iloc[row].isoformat())
            columns.step.append(int(chunks["chunk_index"].iloc[row]))
            columns.segment.append(f"period={chunks['period'].iloc[row]}")
    return columns


def _point_name(metric: str, part: str, *, estimated: bool) -> str:
    if part == "value":
        return f"{metric}.estimated" if estimated else f"{metric}.value"
    return f"{metric}.{part}"


def _number(value: Any, *, field: str, row: int, alert: bool = False) -> float | None:
    """A cell as a float; None for an empty cell; BadInput for text or an infinity."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if alert:
        return _alert(value, field=field, row=row)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadInput(field=field, row=row, message=f"{value!r} is not a number") from None
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise BadInput(field=field, row=row, message=f"{value!r} is not a finite number")
    return number


def _alert(value: Any, *, field: str, row: int) -> float:
    text = str(value).strip().lower()
    if text in ("true", "1", "1.0"):
        return 1.0
    if text in ("false", "0", "0.0"):
        return 0.0
    raise BadInput(field=field, row=row, message=f"{value!r} is not true or false")


# --- univariate drift ---------------------------------------------------------------------


def _drift(frame: pd.DataFrame, chunks: pd.DataFrame, measures: list[Key]) -> list[DriftCheck]:
    two_level = [".".join(k) for k in measures if len(k) != 3]
    if two_level:
        raise BadInput(field=two_level[0], message="is a performance column in a drift result")
    pairs = list(dict.fromkeys((k[0], k[1]) for k in measures))
    kinds = _kinds(pairs)
    checks = []
    for row in range(len(frame)):
        chunk = chunks.iloc[row]
        lines = [_line(frame, row, column, method, kinds[column]) for column, method in pairs]
        checks.append(
            DriftCheck(
                evaluated_at=chunk["as_of"].to_pydatetime(),
                columns=lines,
                reference=_chunk_text(chunk),
                tool=SOURCE,
            )
        )
    return checks


def _kinds(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """A column's kind as its methods tell it (KS and Wasserstein take only continuous ones)."""
    kinds: dict[str, str] = {}
    for column, method in pairs:
        kinds[column] = kinds.get(column) or METHODS[method]
    return kinds


def _line(frame: pd.DataFrame, row: int, column: str, method: str, kind: str) -> ColumnDrift:
    def cell(part: str) -> Any:
        key = (column, method, part)
        return frame[key].iloc[row] if key in frame.columns else None

    field, line = f"{column}.{method}", int(frame.index[row]) + 1
    lower = _number(cell("lower_threshold"), field=f"{field}.lower_threshold", row=line)
    if lower is not None:
        raise BadInput(
            field=f"{field}.lower_threshold",
            row=line,
            message=f"is {lower:g}: a drift line keeps one (upper) threshold, so a lower "
            "threshold would be lost; export the result without it or push its values with "
            "attest push metrics",
        )
    alert = _number(cell("alert"), field=f"{field}.alert", row=line, alert=True)
    return ColumnDrift(
        column=column,
        method=method,
        score=_number(cell("value"), field=f"{field}.value", row=line),
        threshold=_number(cell("upper_threshold"), field=f"{field}.upper_threshold", row=line),
        drifted=None if alert is None else alert == 1.0,
        kind=kind,
    )


def _chunk_text(chunk: pd.Series) -> str:
    """The chunk a drift result is of, in words (a drift result has no fields for it)."""
    dates = f"{_day(chunk.get('start_date'))} to {_day(chunk['end_date'])}"
    rows = ""
    if "start_index" in chunk and "end_index" in chunk:
        rows = f", rows {int(chunk['start_index'])}-{int(chunk['end_index'])}"
    return f"NannyML reference period; chunk {chunk['key']} ({chunk['period']}{rows}, {dates})"


def _day(stamp: Any) -> str:
    return stamp.strftime("%Y-%m-%d %H:%M") if isinstance(stamp, datetime | pd.Timestamp) else "?"
