"""Reading metric series: which series a version holds, their newest points and the newest
data up to an instant, at a cost that does not grow with the points stored.

A series is one (version, metric name, segment). On PostgreSQL each series is read by its own
backward walk of the (version, name, timestamp) index, stopped after `per_series` points, in one
statement for any number of series: a version with a hundred million points costs what one with
a hundred does. Ranking every point of the window with a window function instead (what SQLite
does here: its databases are the embedded, small ones) reads all of them first. Which series
exist, and when each starts and ends, comes from `StoredSeries`, which the point store keeps.
"""

import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from monitoring.models import MetricPoint, StoredSeries

SeriesKey = tuple[int, str, str]  # version id, metric name, segment


class SeriesPoint(NamedTuple):
    timestamp: datetime
    value: float
    tags: dict[str, Any]


Newest = dict[SeriesKey, list[SeriesPoint]]

# unnest() turns the three arrays into the series to read; LATERAL reads each one's newest
# points through the index, newest first. Ordering by anything the index lacks (the id, to break
# ties) would make PostgreSQL read and sort the whole range: ties are ordered afterwards.
_NEWEST_SQL = """
SELECT wanted.version_id, wanted.name, wanted.segment, point.timestamp, point.id, point.value,
    point.tags
FROM unnest(%(versions)s::bigint[], %(names)s::text[], %(segments)s::text[])
    AS wanted(version_id, name, segment)
CROSS JOIN LATERAL (
    SELECT p.timestamp, p.id, p.value, p.tags FROM {table} p
    WHERE p.version_id = wanted.version_id AND p.name = wanted.name
      AND p.segment = wanted.segment AND p.timestamp BETWEEN %(since)s AND %(until)s
    ORDER BY p.timestamp DESC
    LIMIT %(per_series)s
) point
"""


def newest_points(
    series: Collection[SeriesKey], since: datetime, until: datetime, per_series: int
) -> Newest:
    """Each series' newest `per_series` points with `since <= timestamp <= until`, newest first
    (the later stored first among equal times); a series without any is absent."""
    if not series:
        return {}
    if connection.vendor == "postgresql":
        rows = _walk_indexes(series, since, until, per_series)
    else:
        rows = _rank_window(series, since, until, per_series)
    rows.sort(key=lambda row: (row[3], row[4]), reverse=True)
    found: Newest = defaultdict(list)
    for version_id, name, segment, timestamp, _, value, tags in rows:
        found[version_id, name, segment].append(SeriesPoint(timestamp, value, tags or {}))
    return dict(found)


def series_of(
    version_ids: Iterable[int], since: datetime | None = None, until: datetime | None = None
) -> list[SeriesKey]:
    """The series the versions hold with a point between `since` and `until` possible (each
    series' first and last time overlap the range), in key order."""
    kept = StoredSeries.objects.filter(version_id__in=set(version_ids))
    if since is not None:
        kept = kept.filter(last_at__gte=since)
    if until is not None:
        kept = kept.filter(first_at__lte=until)
    return list(
        kept.order_by("version_id", "name", "segment").values_list("version_id", "name", "segment")
    )


def newest_times(version_ids: Iterable[int], at: datetime) -> dict[int, datetime]:
    """When each version's newest point up to `at` was taken; a version without any is absent.

    A series that ended by `at` answers from its kept extent; one that runs past `at` (an
    instant in the past) by a one-point walk back from `at`."""
    newest: dict[int, datetime] = {}
    running_past: list[SeriesKey] = []
    earliest = at
    kept = StoredSeries.objects.filter(version_id__in=set(version_ids), first_at__lte=at)
    for version_id, name, segment, first_at, last_at in kept.values_list(
        "version_id", "name", "segment", "first_at", "last_at"
    ):
        if last_at <= at:
            newest[version_id] = max(last_at, newest.get(version_id, last_at))
        else:
            running_past.append((version_id, name, segment))
            earliest = min(earliest, first_at)
    if running_past:
        for (version_id, _, _), points in newest_points(running_past, earliest, at, 1).items():
            when = points[0].timestamp
            newest[version_id] = max(when, newest.get(version_id, when))
    return newest


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
            (*row[:6], json.loads(row[6]) if isinstance(row[6], str) else row[6])
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
            order_by=[F("timestamp").desc(), F("id").desc()],
        )
    ).filter(rank__lte=per_series)
    fields = ("version_id", "name", "segment", "timestamp", "id", "value", "tags")
    return [row for row in ranked.values_list(*fields) if row[:3] in wanted]
