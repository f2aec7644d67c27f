"""What pipelines pushed for one version, read for its page and the read API: metric series,
drift, fairness, data-validation and evaluation results, and the batches they came in.

One rule says which result is the latest (`latest_first`): the newest evaluation, then the one
received last, then the highest id. Two pushes evaluated at the same instant are told apart by
when they arrived, so a re-run pushed later wins, and the id settles rows of one batch.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Count, F, Max, Min, Model, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from monitoring import charts
from monitoring.models import (
    LATEST_FIRST,
    DataValidationResult,
    DriftResult,
    EvaluationResult,
    FairnessResult,
    IngestionBatch,
    MetricDefinition,
    MetricPoint,
)
from registry.models import ModelVersion

R = TypeVar("R", bound=Model)

CHART_POINTS = 200  # the newest points of each metric and segment a version page draws
SHOWN_PER_KIND = 20  # results of one kind the version page lists; the API pages through all

# The read API's `kind` and the page's sections: each kind's table, newest first.
RESULT_MODELS: dict[str, type[Model]] = {
    "drift": DriftResult,
    "fairness": FairnessResult,
    "validation": DataValidationResult,
    "evaluation": EvaluationResult,
}
RELATED: dict[str, tuple[str, ...]] = {"validation": ("batch", "dataset_version__dataset")}


def latest_first(rows: QuerySet[R]) -> QuerySet[R]:
    """Pushed results, the latest first: by evaluated time, then received time, then id."""
    return rows.order_by(*LATEST_FIRST)


def results(version: ModelVersion, kind: str) -> QuerySet[Any]:
    """A version's results of one kind (`RESULT_MODELS`), latest first, with their batch."""
    model = RESULT_MODELS[kind]
    rows = model._default_manager.filter(version=version)
    return latest_first(rows.select_related(*RELATED.get(kind, ("batch",))))


def batches(version: ModelVersion) -> QuerySet[IngestionBatch]:
    """The accepted pushes that wrote to this version, newest first."""
    return version.ingestion_batches.select_related("actor").order_by("-received_at", "-pk")


# ---- Metric series ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricSummary:
    """One metric a version reported: how many points, over when, and its latest value."""

    name: str
    points: int
    segments: int
    first_at: Any
    last_at: Any
    latest_value: float | None  # of the whole population when it was reported, else any segment
    latest_batch_id: int | None
    unit: str


def metric_names(version: ModelVersion) -> QuerySet[Any]:
    """Each metric name with its point count, first and last instants and latest value (dicts)."""
    newest = MetricPoint.objects.filter(version=version, name=OuterRef("name")).order_by(
        "segment",
        "-timestamp",
        "-pk",  # "" (the whole population) sorts first
    )
    return (
        MetricPoint.objects.filter(version=version)
        .order_by()
        .values("name")
        .annotate(
            points=Count("pk"),
            segments=Count("segment", distinct=True),
            first_at=Min("timestamp"),
            last_at=Max("timestamp"),
            latest_value=Subquery(newest.values("value")[:1]),
            latest_batch_id=Subquery(newest.values("batch_id")[:1]),
        )
        .order_by("name")
    )


def metric_summaries(version: ModelVersion) -> list[MetricSummary]:
    """Every metric the version reported, by name, with its unit where the model defines one."""
    units = dict(
        MetricDefinition.objects.filter(model_id=version.model_id).values_list("name", "unit")
    )
    rows = list(metric_names(version))
    has_whole = _names_with_whole_population(version) if rows else set()
    return [
        MetricSummary(
            name=row["name"],
            points=row["points"],
            # Segments besides the whole population ("" counts as a distinct value).
            segments=row["segments"] - (1 if row["name"] in has_whole else 0),
            first_at=row["first_at"],
            last_at=row["last_at"],
            latest_value=row["latest_value"],
            latest_batch_id=row["latest_batch_id"],
            unit=units.get(row["name"], ""),
        )
        for row in rows
    ]


def _names_with_whole_population(version: ModelVersion) -> set[str]:
    found = MetricPoint.objects.filter(version=version, segment="").order_by()
    return set(found.values_list("name", flat=True).distinct())


def metric_points(version: ModelVersion, name: str, segment: str | None = None) -> QuerySet[Any]:
    """One metric's points in time order (ties in arrival order); one segment when asked."""
    points = MetricPoint.objects.filter(version=version, name=name)
    if segment is not None:
        points = points.filter(segment=segment)
    return points.select_related("batch").order_by("timestamp", "pk")


def chart_series(
    version: ModelVersion, summaries: Sequence[MetricSummary]
) -> list[charts.MetricSeries]:
    """A chart's data per metric: its newest `CHART_POINTS` per segment, in one query."""
    names = [s.name for s in summaries]
    ranked = (
        MetricPoint.objects.filter(version=version, name__in=names)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("name"), F("segment")],
                order_by=[F("timestamp").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=CHART_POINTS)
    )
    found: dict[tuple[str, str], list[charts.Point]] = defaultdict(list)
    for name, segment, at, value in ranked.values_list("name", "segment", "timestamp", "value"):
        found[name, segment].append(charts.Point(at, value))
    return [
        charts.MetricSeries(
            name=s.name,
            unit=s.unit,
            points=tuple(found.get((s.name, ""), ())),
            segments=tuple(
                charts.Segment(segment, tuple(points))
                for (name, segment), points in sorted(found.items())
                if name == s.name and segment
            ),
        )
        for s in summaries
    ]


# ---- The version page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """The newest results of one kind that a page shows, and how many there are in all."""

    rows: list[Any]
    total: int


@dataclass(frozen=True)
class VersionResults:
    """Everything pushed for a version, as its page shows it."""

    metrics: list[MetricSummary]
    series: list[charts.MetricSeries]  # the metrics the page draws, in the same order
    drift: Listed
    fairness: Listed
    validation: Listed
    evaluation: Listed
    batches: Listed

    @property
    def empty(self) -> bool:
        kinds = (self.drift, self.fairness, self.validation, self.evaluation, self.batches)
        return not self.metrics and not any(listed.total for listed in kinds)


def _listed(rows: QuerySet[Any], limit: int = SHOWN_PER_KIND) -> Listed:
    shown = list(rows[: limit + 1])
    total = len(shown) if len(shown) <= limit else rows.count()
    return Listed(shown[:limit], total)


def version_results(version: ModelVersion, *, charts_for: int = 12) -> VersionResults:
    """The version's pushed data for its page: every metric summarised, the first `charts_for`
    metrics drawn, and the newest results of each kind."""
    summaries = metric_summaries(version)
    drawn = summaries[:charts_for]
    return VersionResults(
        metrics=summaries,
        series=chart_series(version, drawn) if drawn else [],
        drift=_listed(results(version, "drift")),
        fairness=_listed(results(version, "fairness")),
        validation=_listed(results(version, "validation")),
        evaluation=_listed(results(version, "evaluation")),
        batches=_listed(batches(version)),
    )
