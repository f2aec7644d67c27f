"""Writing checked metric frames: PostgreSQL COPY, or bulk_create on SQLite.

Runs inside the caller's transaction, so a failure anywhere leaves no point behind.
"""

from collections.abc import Iterator
from itertools import islice
from typing import Any

import pandas as pd
from django.db import connection

from monitoring.models import MetricPoint

COLUMNS = ("version_id", "batch_id", "name", "value", "step", "timestamp", "segment", "tags")
# Binary COPY: psycopg's C dumpers encode each value without building text first.
COPY_TYPES = ("int8", "int8", "text", "float8", "int8", "timestamptz", "text", "jsonb")
SQLITE_CHUNK = 5_000


def write(frame: pd.DataFrame, *, version_id: int, batch_id: int | None) -> int:
    """Store every row of a frame `frames.validate` returned; answers how many."""
    rows = _rows(frame, version_id, batch_id)
    if connection.vendor == "postgresql":
        _copy(rows)
    else:
        _bulk_create(rows)
    return len(frame)


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


def _bulk_create(rows: Iterator[tuple]) -> None:
    points = (MetricPoint(**dict(zip(COLUMNS, row, strict=True))) for row in rows)
    while chunk := list(islice(points, SQLITE_CHUNK)):
        MetricPoint.objects.bulk_create(chunk)
