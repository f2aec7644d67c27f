"""Observations for thresholds, read in bulk: one query per signal for any number of versions.

Each series contributes its newest `PER_SERIES` observations inside the widest window asked for
(`monitoring.selectors.series` reads them through the index), so judging a version with a
million points reads a hundred of them.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db.models import F, Max, QuerySet, Window
from django.db.models.functions import RowNumber

from monitoring.models import (
    DataValidationResult,
    DriftResult,
    EvaluationResult,
    FairnessResult,
)
from monitoring.selectors import series
from monitoring.stats import readings
from monitoring.stats.thresholds import Observation, Threshold

PER_SERIES = 100
DAY = timedelta(days=1)
Target = tuple[int, Threshold]  # a version id and a threshold judged on its data
Found = dict[tuple[int, str], list[Observation]]


def collect(targets: Sequence[Target], at: datetime) -> Found:
    """The observations of every target up to `at`, keyed by version id and threshold key."""
    found: Found = defaultdict(list)
    by_signal: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        by_signal[target[1].signal].append(target)
    for signal, group in by_signal.items():
        READERS[signal](group, at, found)
    return found


def _newest(rows: QuerySet, partition: Sequence[str], order: str) -> QuerySet:
    ranked = rows.annotate(
        rank=Window(RowNumber(), partition_by=[F(f) for f in partition], order_by=F(order).desc())
    )
    return ranked.filter(rank__lte=PER_SERIES)


def _since(group: Sequence[Target], at: datetime) -> datetime:
    return at - max(threshold.window for _, threshold in group)


def _versions(group: Iterable[Target]) -> set[int]:
    return {version_id for version_id, _ in group}


def _metrics(group: Sequence[Target], at: datetime, found: Found) -> None:
    wanted = {(version_id, threshold.measure, threshold.scope) for version_id, threshold in group}
    newest = series.newest_points(wanted, _since(group, at), at, PER_SERIES)
    for version_id, threshold in group:
        points = newest.get((version_id, threshold.measure, threshold.scope), [])
        found[version_id, threshold.key] = [
            Observation(point.timestamp, point.value, _sample_size(point.tags)) for point in points
        ]


def _sample_size(tags: dict) -> int | None:
    size = tags.get("sample_size")
    return int(size) if isinstance(size, int | float) else None


def _per_evaluation(
    group: Sequence[Target],
    rows: Iterable[tuple[int, datetime, object]],
    value_of,  # (threshold, list of payloads of one evaluation) -> float | None
    sizes: dict[tuple[int, datetime], int | None] | None = None,
) -> Found:
    """Results evaluated at the same moment are one observation (e.g. one fairness push with a
    check per sensitive feature): the worst of them."""
    evaluations: dict[int, dict[datetime, list]] = defaultdict(lambda: defaultdict(list))
    for version_id, evaluated_at, payload in rows:
        evaluations[version_id][evaluated_at].append(payload)
    out: Found = {}
    for version_id, threshold in group:
        observations = []
        for evaluated_at, payloads in evaluations.get(version_id, {}).items():
            value = value_of(threshold, payloads)
            if value is not None:
                size = (sizes or {}).get((version_id, evaluated_at))
                observations.append(Observation(evaluated_at, value, size))
        out[version_id, threshold.key] = observations
    return out


def _results(model, group: Sequence[Target], at: datetime, *fields: str) -> QuerySet:
    rows = model.objects.filter(
        version_id__in=_versions(group), evaluated_at__range=(_since(group, at), at)
    )
    return _newest(rows, ("version_id",), "evaluated_at").values_list(
        "version_id", "evaluated_at", *fields
    )


def _drift(group: Sequence[Target], at: datetime, found: Found) -> None:
    rows = [
        (version_id, evaluated_at, (columns, share))
        for version_id, evaluated_at, columns, share in _results(
            DriftResult, group, at, "columns", "drift_share"
        )
    ]

    def value_of(threshold: Threshold, payloads: list) -> float | None:
        values = [
            v
            for columns, share in payloads
            if (
                v := readings.drift_value(
                    columns, share, threshold.measure, threshold.scope, threshold.worst
                )
            )
            is not None
        ]
        return threshold.worst(values) if values else None

    found.update(_per_evaluation(group, rows, value_of))


def _fairness(group: Sequence[Target], at: datetime, found: Found) -> None:
    rows = list(_results(FairnessResult, group, at, "summary"))

    def value_of(threshold: Threshold, checks: list) -> float | None:
        return readings.fairness_value(checks, threshold.measure, threshold.scope, threshold.worst)

    found.update(_per_evaluation(group, rows, value_of))


def _evaluations(group: Sequence[Target], at: datetime, found: Found) -> None:
    fields = ("suite", "cases", "passed", "cost_per_request", "tokens_per_request")
    rows = []
    sizes: dict[tuple[int, datetime], int | None] = {}
    for version_id, evaluated_at, *values in _results(EvaluationResult, group, at, *fields):
        row = dict(zip(fields, values, strict=True))
        rows.append((version_id, evaluated_at, row))
        key = (version_id, evaluated_at)
        sizes[key] = min(sizes.get(key, row["cases"]), row["cases"])  # the smallest suite

    def value_of(threshold: Threshold, suites: list) -> float | None:
        values = [
            v
            for row in suites
            if (not threshold.scope or row["suite"] == threshold.scope)
            and (v := readings.evaluation_value(row, threshold.measure)) is not None
        ]
        return threshold.worst(values) if values else None

    found.update(_per_evaluation(group, rows, value_of, sizes))


def newest_data(version_ids: Iterable[int], at: datetime) -> dict[int, datetime]:
    """When each version last produced monitoring data of any kind, up to `at`."""
    ids = set(version_ids)
    newest = series.newest_times(ids, at)
    for model in (DriftResult, FairnessResult, EvaluationResult, DataValidationResult):
        rows = (
            model.objects.filter(version_id__in=ids, evaluated_at__lte=at)
            .values("version_id")
            .annotate(newest=Max("evaluated_at"))
            .values_list("version_id", "newest")
        )
        for version_id, when in rows:
            if version_id not in newest or when > newest[version_id]:
                newest[version_id] = when
    return newest


def freshness(group: Sequence[tuple[int, Threshold, datetime]], at: datetime, found: Found) -> None:
    """Days since each version's newest data, or since it went live when it never sent any."""
    if not group:  # an ingestion's check leaves freshness to the sweep: nothing to read
        return
    newest = newest_data((version_id for version_id, _, _ in group), at)
    for version_id, threshold, live_since in group:
        last = newest.get(version_id, live_since)
        found[version_id, threshold.key] = [Observation(at, (at - last) / DAY)]


READERS = {
    "metric": _metrics,
    "drift": _drift,
    "fairness": _fairness,
    "evaluation": _evaluations,
}
