"""Reading metric series: the newest points of named series, at a cost that does not grow with
the points stored.

A series is one (version, metric name, segment). On PostgreSQL each series is read by its own
backward walk of the (version, name, timestamp) index, stopped after `per_series` points, in one
statement for any number of series: a version with a hundred million points costs what one with
a hundred does. Ranking every point of the window with a window function instead (what SQLite
does here: its databases are the embedded, small ones) reads all of them first.
"""

import json
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from monitoring.models import MetricPoint

SeriesKey = tuple[int, str, str]  # version id, metric name, segment


class SeriesPoint(NamedTuple):
    timestamp: datetime
    value: float
    tags: dict[str, Any]


Newest = dict[SeriesKey, list[SeriesPoint]]

# unnest() turns the three arrays into the series to read; LATERAL reads each one's newest
# points through the index, newest first.
_NEWEST_SQL = """
SELECT wanted.version_id, wanted.name, wanted.segment, point.timestamp, point.value, point.tags
FROM unnest(%(versions)s::bigint[], %(names)s::text[], %(segments)s::text[])
    AS wanted(version_id, name, segment)
CROSS JOIN LATERAL (
    SELECT p.timestamp, p.value, p.tags FROM {table} p
    WHERE p.version_id = wanted.version_id AND p.name = wanted.name
      AND p.segment = wanted.segment AND p.timestamp BETWEEN %(since)s AND %(until)s
    ORDER BY p.timestamp DESC
    LIMIT %(per_series)s
) point
"""


def newest_points(
    series: Collection[SeriesKey], since: datetime, until: datetime, per_series: int
) -> Newest:
    """Each series' newest `per_series` points with `since <= timestamp <= until`, newest first;
    a series without any is absent."""
    if not series:
        return {}
    if connection.vendor == "postgresql":
        rows = _walk_indexes(series, since, until, per_series)
    else:
        rows = _rank_window(series, since, until, per_series)
    found: Newest = defaultdict(list)
    for version_id, name, segment, timestamp, value, tags in rows:
        found[version_id, name, segment].append(SeriesPoint(timestamp, value, tags or {}))
    for points in found.values():
        points.sort(key=lambda point: point.timestamp, reverse=True)
    return dict(found)


def _walk_indexes(
    series: Collection[SeriesKey], since: datetime, until: datetime, per_series: int
) -> list[tuple]:
    versions, names, segments = (list(column) for column in zip(*series, strict=True))
    statement = _NEWEST_SQL.format(table=connection.ops.quote_name(MetricPoint._meta.db_table))
    params: dict[str, Any] = {
        "versions": versions,
        "names": names,
        "segments": segments,
        "since": since,
        "until": until,
        "per_series": per_series,
    }
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        # Django has psycopg read jsonb as text and leaves decoding to the field: so here too.
        return [
            (*row[:5], json.loads(row[5]) if isinstance(row[5], str) else row[5])
            for row in cursor.fetchall()
        ]


def _rank_window(
    series: Collection[SeriesKey], since: datetime, until: datetime, per_series: int
) -> list[tuple]:
    wanted = set(series)
    rows = MetricPoint.objects.filter(
        version_id__in={version for version, _, _ in wanted},
        name__in={name for _, name, _ in wanted},
        segment__in={segment for _, _, segment in wanted},
        timestamp__range=(since, until),
    )
    ranked = rows.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("version_id"), F("name"), F("segment")],
            order_by=F("timestamp").desc(),
        )
    ).filter(rank__lte=per_series)
    fields = ("version_id", "name", "segment", "timestamp", "value", "tags")
    return [row for row in ranked.values_list(*fields) if row[:3] in wanted]
