"""Series reads as points pile up: each metric's newest 100 points, as the push's health check
and the sweep read them, and the version's newest data (the sweep's freshness), with 0.1 to 3
million points already stored for the version.

    .venv/bin/python bench/series.py          # a few minutes on 2 CPUs

Uses bench/ingest.py's database (`attest_bench_ingest`) and fixture: one version of one model,
20 metrics, points one second apart, written with raw COPY (`ingest.write_rows`). At each size it
times `monitoring.selectors.series.newest_points` for the 20 series over a 30-day range: on
PostgreSQL each series is read by a backward walk of its index; for comparison, the same answer
computed by ranking every point with a window function (the SQLite path, the reader before it).
Then `series.newest_times` (the series' kept extents; a one-point walk for a past instant) against
`MAX(timestamp)` over the version's points (the reader before it), now and 15 days ago.
Prints the figures; asserts nothing; deletes the points it wrote.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import ingest
import inventory

SIZES = (100_000, 1_000_000, 3_000_000)
PER_SERIES = 100
REPEATS = 7


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--database-url", default=ingest.DEFAULT_DATABASE_URL)
    args = parser.parse_args()
    args.allow_sqlite = False
    return args


def timed(read: Callable[[], object]) -> tuple[float, float]:
    """Median and worst milliseconds of REPEATS reads, after one to warm the caches."""
    read()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        read()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def measure(wanted: set, since: datetime, until: datetime) -> str:
    from monitoring.selectors import series

    walk = timed(lambda: series.newest_points(wanted, since, until, PER_SERIES))
    rank = timed(lambda: series._rank_window(wanted, since, until, PER_SERIES))
    return f"{walk[0]:>16.1f} / {walk[1]:>8.1f} {rank[0]:>10.0f} / {rank[1]:>6.0f}"


def freshness(version_id: int, now: datetime) -> str:
    from django.db.models import Max

    from monitoring.models import MetricPoint
    from monitoring.selectors import series

    cells = []
    for at in (now, now - timedelta(days=15)):
        points = MetricPoint.objects.filter(version_id=version_id, timestamp__lte=at)
        kept = timed(lambda at=at: series.newest_times([version_id], at))
        scan = timed(lambda points=points: points.aggregate(Max("timestamp")))
        cells.append(f"{kept[0]:>9.1f} {scan[0]:>9.0f}")
    return "  ".join(cells)


def keep_extents(version_id: int) -> None:
    """What the point store keeps beside the points; the raw COPY above bypasses it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM monitoring_storedseries WHERE version_id = %s", [version_id])
        cursor.execute(
            "INSERT INTO monitoring_storedseries (version_id, name, segment, first_at, last_at,"
            " points) SELECT version_id, name, segment, MIN(timestamp), MAX(timestamp), COUNT(*)"
            " FROM monitoring_metricpoint WHERE version_id = %s GROUP BY 1, 2, 3",
            [version_id],
        )


def main() -> None:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    inventory.prepare_database(args)
    inventory.setup_django()
    fixture = ingest.ensure_fixture(reuse=True)
    points = ingest.make_points(max(args.sizes))
    wanted = {(fixture.version_id, name, "") for name in set(points.name)}
    until = datetime.now(UTC)
    since = until - timedelta(days=30)
    print(f"load average before: {ingest.load()}")
    print(
        f"{'stored points':>14} {'index walk ms (median/max)':>28} {'window rank ms':>18}"
        f"   newest data ms, now: {'kept':>5} {'MAX':>9}  15 days ago: {'kept':>5} {'MAX':>9}"
    )
    try:
        ingest.delete_points(fixture.version_id)
        stored = 0
        for size in sorted(args.sizes):
            ingest.write_rows(fixture, points.subset(range(stored, size)), None)
            stored = size
            keep_extents(fixture.version_id)
            newest = freshness(fixture.version_id, until)
            print(f"{size:>14,} {measure(wanted, since, until)}{'':>22}{newest}")
    finally:
        ingest.delete_points(fixture.version_id)
    print(f"load average after: {ingest.load()}")


if __name__ == "__main__":
    main()
