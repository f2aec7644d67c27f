"""The series reader: each series' newest points inside a time range, the same on SQLite and on
PostgreSQL (where each series is read through the index, not by ranking every point)."""

import random
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from monitoring.models import MetricPoint, StoredSeries
from monitoring.selectors import series
from monitoring.services import point_store
from registry import services
from tests.factories.monitoring import store_points

START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def versions(developer, credit_pd_model, pd_version):
    second = services.register_version(actor=developer, model=credit_pd_model, version="2.0.0")
    return pd_version, second


def stored(version, name: str, segment: str, minutes: list[int], tags: dict | None = None):
    points = [(START + timedelta(minutes=minute), minute / 1000) for minute in minutes]
    store_points(version, name, points, segment=segment, tags=tags)


def minute(at: datetime) -> int:
    return int((at - START) / timedelta(minutes=1))


def minutes_of(points) -> list[int]:
    return [minute(p.timestamp) for p in points]


def test_each_series_gives_its_newest_points_in_the_range_newest_first(versions):
    v1, v2 = versions
    stored(v1, "auc", "", list(range(300)))
    stored(v1, "auc", "retail", [5, 7, 400], tags={"sample_size": 1200})
    stored(v1, "ks", "", [1, 2, 3])
    stored(v2, "auc", "", [10, 20])

    found = series.newest_points(
        {(v1.pk, "auc", ""), (v1.pk, "auc", "retail"), (v2.pk, "auc", ""), (v2.pk, "psi", "")},
        since=START + timedelta(minutes=5),
        until=START + timedelta(minutes=250),
        per_series=50,
    )

    assert set(found) == {(v1.pk, "auc", ""), (v1.pk, "auc", "retail"), (v2.pk, "auc", "")}
    assert minutes_of(found[v1.pk, "auc", ""]) == list(range(250, 200, -1))  # 50, ends inclusive
    retail = found[v1.pk, "auc", "retail"]
    assert minutes_of(retail) == [7, 5]  # 400 is after the range
    assert (retail[0].value, retail[0].tags) == (0.007, {"sample_size": 1200})
    assert minutes_of(found[v2.pk, "auc", ""]) == [20, 10]


def test_it_equals_the_newest_points_picked_in_python(versions):
    """Random series of random lengths: what the database picks is what sorting them all picks."""
    rng = random.Random(7)
    everything: dict = {}
    for version in versions:
        for name in ("auc", "ks", "gini"):
            for segment in ("", "retail", "sme"):
                minutes = rng.sample(range(2000), rng.randint(0, 180))
                stored(version, name, segment, minutes)
                everything[version.pk, name, segment] = minutes
    since, until = START + timedelta(minutes=300), START + timedelta(minutes=1700)
    wanted = set(rng.sample(sorted(everything), 12))

    found = series.newest_points(wanted, since, until, per_series=40)

    for key in wanted:
        inside = sorted((m for m in everything[key] if 300 <= m <= 1700), reverse=True)[:40]
        assert minutes_of(found.get(key, [])) == inside, key


def test_no_series_asked_reads_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert series.newest_points(set(), START, START, per_series=10) == {}


def test_the_point_store_keeps_each_series_extent_exact(versions):
    v1, v2 = versions
    stored(v1, "auc", "", [30, 10, 20])
    stored(v1, "auc", "", [5, 40])
    stored(v1, "auc", "retail", [7])
    stored(v2, "auc", "", [50])

    kept = {
        (s.version_id, s.name, s.segment): (minute(s.first_at), minute(s.last_at), s.points)
        for s in StoredSeries.objects.all()
    }
    assert kept == {
        (v1.pk, "auc", ""): (5, 40, 5),
        (v1.pk, "auc", "retail"): (7, 7, 1),
        (v2.pk, "auc", ""): (50, 50, 1),
    }
    for s in StoredSeries.objects.all():
        points = MetricPoint.objects.filter(version=s.version_id, name=s.name, segment=s.segment)
        assert points.count() == s.points


def test_a_push_of_more_series_than_one_statement_holds_keeps_them_all(versions):
    v1, _ = versions
    segments = [f"branch-{n:04d}" for n in range(2 * point_store.SERIES_PER_STATEMENT + 7)]
    frame_points = [(START + timedelta(minutes=n), n / 1000) for n in range(len(segments))]
    frame = pd.DataFrame(
        {
            "name": ["auc"] * len(segments),
            "value": [value for _, value in frame_points],
            "timestamp": pd.to_datetime([at for at, _ in frame_points], utc=True),
            "step": pd.Series([pd.NA] * len(segments), dtype="Int64"),
            "segment": segments,
            "tags": [None] * len(segments),
        }
    )
    point_store.write(frame, version_id=v1.pk, batch_id=None)

    kept = StoredSeries.objects.filter(version=v1).order_by("segment")
    assert [(s.segment, s.points, minute(s.last_at)) for s in kept] == [
        (segment, 1, n) for n, segment in enumerate(segments)
    ]


def test_series_of_lists_the_series_whose_extent_meets_the_range(versions):
    v1, v2 = versions
    stored(v1, "auc", "", [10, 20])
    stored(v1, "ks", "", [100, 200])
    stored(v1, "auc", "retail", [300])
    stored(v2, "auc", "", [15])

    assert series.series_of([v1.pk, v2.pk]) == [
        (v1.pk, "auc", ""),
        (v1.pk, "auc", "retail"),
        (v1.pk, "ks", ""),
        (v2.pk, "auc", ""),
    ]
    between = series.series_of(
        [v1.pk], START + timedelta(minutes=25), START + timedelta(minutes=250)
    )
    assert between == [(v1.pk, "ks", "")]


@pytest.mark.parametrize("minute", [0, 5, 150, 450, 1999, 2500])
def test_newest_times_equal_the_newest_point_up_to_the_instant(versions, minute):
    rng = random.Random(minute)
    everything: dict[int, list[int]] = {}
    for version in versions:
        for name, segment in (("auc", ""), ("auc", "retail"), ("psi", "")):
            minutes = rng.sample(range(2000), rng.randint(1, 60))
            stored(version, name, segment, minutes)
            everything.setdefault(version.pk, []).extend(minutes)
    at = START + timedelta(minutes=minute)

    found = series.newest_times([v.pk for v in versions], at)

    expected = {
        pk: START + timedelta(minutes=max(before))
        for pk, minutes in everything.items()
        if (before := [m for m in minutes if m <= minute])
    }
    assert found == expected
