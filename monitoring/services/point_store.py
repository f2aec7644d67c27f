"""Writing checked metric frames: PostgreSQL COPY, or one prepared INSERT run for every row
elsewhere, and each series' extent (first and last time, count) in `StoredSeries`.

Runs inside the caller's transaction, so a failure anywhere leaves no point behind, and a
series' extent never disagrees with its points.
"""

from collections.abc import Iterator
from functools import partial
from itertools import islice
from typing import Any

import pandas as pd
from django.db import connection

from monitoring.models import MetricPoint, StoredSeries

COLUMNS = ("version_id", "batch_id", "name", "value", "step", "timestamp", "segment", "tags")
# Binary COPY: psycopg's C dumpers encode each value without building text first.
COPY_TYPES = ("int8", "int8", "text", "float8", "int8", "timestamptz", "text", "jsonb")
CHUNK = 5_000  # rows adapted and sent per executemany on other databases


def write(frame: pd.DataFrame, *, version_id: int, batch_id: int | None) -> int:
    """Store every row of a frame `frames.validate` returned; answers how many."""
    rows = _rows(frame, version_id, batch_id)
    if connection.vendor == "postgresql":
        _copy(rows)
    else:
        _insert_many(rows)
    _extend_series(frame, version_id)
    return len(frame)


# One statement per SERIES_PER_STATEMENT series (a push may name thousands of segments, and
# databases cap a statement's parameters: 999 on older SQLite). Rows go in key order so two
# writers touching the same series lock them in the same order and cannot deadlock.
SERIES_PER_STATEMENT = 150
_EXTEND_SQL = """
INSERT INTO {table} AS kept (version_id, name, segment, first_at, last_at, points)
VALUES {rows}
ON CONFLICT (version_id, name, segment) DO UPDATE SET
    first_at = {least}(kept.first_at, excluded.first_at),
    last_at = {greatest}(kept.last_at, excluded.last_at),
    points = kept.points + excluded.points
"""


def _extend_series(frame: pd.DataFrame, version_id: int) -> None:
    if frame.empty:
        return
    extents = (
        frame.groupby(["name", "segment"], sort=True)["timestamp"]
        .agg(["min", "max", "count"])
        .itertuples()
    )
    instant = connection.ops.adapt_datetimefield_value
    rows = [
        (
            version_id,
            name,
            segment,
            instant(first.to_pydatetime()),
            instant(last.to_pydatetime()),
            count,
        )
        for (name, segment), first, last, count in extents
    ]
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), SERIES_PER_STATEMENT):
            some = rows[start : start + SERIES_PER_STATEMENT]
            statement = _EXTEND_SQL.format(
                table=connection.ops.quote_name(StoredSeries._meta.db_table),
                rows=", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(some)),
                least="LEAST" if postgres else "MIN",
                greatest="GREATEST" if postgres else "MAX",
            )
            cursor.execute(statement, [value for row in some for value in row])


def _rows(frame: pd.DataFrame, version_id: int, batch_id: int | None) -> Iterator[tuple]:
    """Plain Python rows in COLUMNS order, converted column-wise (not cell by cell)."""
    # pandas takes None as where()'s replacement; pandas-stubs leave None out of `other`.
    steps = frame["step"].astype(object).where(frame["step"].notna(), None)  # type: ignore[call-overload]
    tags = frame["tags"].map(lambda t: dict(t) if t else {})
    return zip(
        [version_id] * len(frame),
        [batch_id] * len(frame),
        frame["name"].tolist(),
        frame["value"].tolist(),
        steps.tolist(),
        pd.DatetimeIndex(frame["timestamp"]).to_pydatetime().tolist(),
        frame["segment"].tolist(),
        tags.tolist(),
        strict=True,
    )


def _copy(rows: Iterator[tuple]) -> None:
    table = MetricPoint._meta.db_table
    statement = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # psycopg 3's own cursor: Django's wrapper has no copy()
        with raw.copy(statement) as copy:
            copy.set_types(list(COPY_TYPES))
            for row in rows:
                copy.write_row(row)


def _insert_many(rows: Iterator[tuple]) -> None:
    """One statement prepared once and run per row (`executemany`), each value adapted by its
    field as `save()` would. bulk_create built a model instance per point and compiled INSERTs
    of at most 124 rows (SQLite's 999 parameters) returning ids nobody reads: that cost more
    than the writing."""
    meta = MetricPoint._meta
    by_column = {field.attname: field for field in meta.concrete_fields}
    fields = [by_column[column] for column in COLUMNS]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)  # as COPY does
    placeholders = ", ".join(["%s"] * len(fields))
    # Names come from the model, never from the request; every value is a parameter.
    statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    adapters = [partial(field.get_db_prep_save, connection=connection) for field in fields]
    prepared = (
        tuple(adapt(value) for adapt, value in zip(adapters, row, strict=True)) for row in rows
    )
    with connection.cursor() as cursor:
        while chunk := list(islice(prepared, CHUNK)):
            cursor.executemany(statement, chunk)
