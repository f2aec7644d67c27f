"""Reads behind the monitoring pages: the fleet, a model's monitoring tab, alerts, incidents.

Each page reads a fixed number of queries however many models, thresholds or alerts it shows.
The charts' inputs (`monitoring.charts` dataclasses) are built here from the stored rows.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from governance import permissions
from governance.labels import label_for
from monitoring import charts
from monitoring.models import (
    Alert,
    DriftResult,
    FairnessResult,
    HealthCheck,
    Incident,
    MetricDefinition,
    MonitoringPolicy,
)
from monitoring.selectors import in_force, observations
from monitoring.selectors.in_force import Applied
from monitoring.selectors.series import newest_points, series_of
from monitoring.selectors.versions import latest_first
from monitoring.stats import readings, thresholds
from monitoring.stats.thresholds import SEVERITY_ORDER, Direction, Status, Threshold
from registry.models import Deployment, MLModel, ModelVersion

CHART_DAYS = 90
POINTS_PER_SERIES = 500  # the newest points of each metric and segment that a chart draws
RECENT_RESOLVED = 10

# ---- Fleet --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FleetRow:
    """One production model as the fleet page lists it."""

    model: MLModel
    deployment: Deployment
    tier: str  # "" when no tier is in force
    health: Status  # the worst status of its latest check; no data when never checked
    open_alerts: Mapping[str, int]  # unresolved alerts per severity
    newest_data: datetime | None
    checked_at: datetime | None


@dataclass(frozen=True)
class Fleet:
    rows: list[FleetRow]  # filtered and sorted as asked
    counts: Mapping[str, int]  # models per health status, before filtering


def _stalest_first(row: FleetRow) -> tuple:
    return (row.newest_data is not None, row.newest_data or timezone.now(), row.model.name)


FLEET_ORDERS: dict[str, Callable[[FleetRow], Any]] = {
    "health": lambda row: (SEVERITY_ORDER[row.health], row.model.name.lower()),
    "name": lambda row: row.model.name.lower(),
    "data": _stalest_first,
}


def fleet(
    user: User, *, status: str = "", order: str = "health", at: datetime | None = None
) -> Fleet:
    """Every production model the user may see, with its health; worst first by default."""
    at = at or timezone.now()
    visible = permissions.models_for(user).values_list("pk", flat=True)
    deployments = in_force.serving(at, model_ids=visible)
    ids = [d.version.model_id for d in deployments]
    tiers, checks = in_force.tiers_of(ids, at), _health_by_model(ids)
    alerts = open_alerts_by_model(ids)
    newest = observations.newest_data([d.version_id for d in deployments], at)
    rows = [_fleet_row(d, tiers, checks, alerts, newest) for d in deployments]
    counts = Counter(row.health.value for row in rows)
    shown = [row for row in rows if not status or row.health == status]
    shown.sort(key=FLEET_ORDERS.get(order, FLEET_ORDERS["health"]))
    return Fleet(shown, {s.value: counts.get(s.value, 0) for s in Status})


def _fleet_row(
    deployment: Deployment,
    tiers: Mapping[int, str],
    checks: Mapping[int, tuple[Status, datetime]],
    alerts: Mapping[int, Mapping[str, int]],
    newest: Mapping[int, datetime],
) -> FleetRow:
    model_id = deployment.version.model_id
    status, checked_at = checks.get(model_id, (Status.NO_DATA, None))
    return FleetRow(
        model=deployment.version.model,
        deployment=deployment,
        tier=tiers.get(model_id, ""),
        health=status,
        open_alerts=alerts.get(model_id, {}),
        newest_data=newest.get(deployment.version_id),
        checked_at=checked_at,
    )


def _health_by_model(model_ids: Sequence[int]) -> dict[int, tuple[Status, datetime]]:
    """Each model's health at its latest check (`thresholds.overall`), and when that ran."""
    statuses: dict[int, list[Status]] = defaultdict(list)
    checked: dict[int, datetime] = {}
    rows = HealthCheck.objects.filter(model_id__in=model_ids)
    for model_id, status, checked_at in rows.values_list("model_id", "status", "checked_at"):
        statuses[model_id].append(Status(status))
        checked[model_id] = max(checked_at, checked.get(model_id, checked_at))
    return {
        model_id: (thresholds.overall(found), checked[model_id])
        for model_id, found in statuses.items()
    }


def open_alerts_by_model(model_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Unresolved alerts per model and severity."""
    rows = (
        Alert.objects.filter(model_id__in=list(model_ids))
        .exclude(state=Alert.State.RESOLVED)
        .order_by()
        .values_list("model_id", "severity")
        .annotate(n=Count("pk"))
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for model_id, severity, n in rows:
        found[model_id][severity] = n
    order = Alert.Severity.values  # critical first
    return {
        model_id: {s: counts[s] for s in order if s in counts} for model_id, counts in found.items()
    }


# ---- One model's monitoring tab -----------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    """A threshold that applies to the model now, and what the latest check found (if any)."""

    threshold: Threshold
    origin: str
    check: HealthCheck | None  # None: not judged since the threshold was set

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER[Status(self.check.status)] if self.check else len(SEVERITY_ORDER)


@dataclass(frozen=True)
class FairnessPanel:
    result: FairnessResult
    bars: charts.GroupBars


@dataclass(frozen=True)
class ModelMonitoring:
    """What the model's monitoring tab shows, for the version serving in production."""

    deployment: Deployment | None
    checks: list[CheckRow]
    health: Status | None  # None: never checked
    metric_series: list[charts.MetricSeries]
    fairness: list[FairnessPanel]
    drift: DriftResult | None
    drift_bars: list[charts.DriftBars]
    unresolved_alerts: list[Alert]
    resolved_alerts: list[Alert]
    incidents: list[Incident]
    policies: list[MonitoringPolicy]


def model_monitoring(model: MLModel, at: datetime | None = None) -> ModelMonitoring:
    """The model's thresholds and their latest judgements, charts, alerts, incidents, policies."""
    at = at or timezone.now()
    serving = in_force.serving(at, model_ids=[model.pk])
    deployment = serving[0] if serving else None
    applied = in_force.thresholds_for([model.pk], at)[model.pk]
    checks = check_rows(model, applied)
    judged = [Status(row.check.status) for row in checks if row.check]
    version = deployment.version if deployment else None
    drift, drift_figures = drift_bars(version, applied, at) if version else (None, [])
    unresolved, resolved = model_alerts(model)
    return ModelMonitoring(
        deployment=deployment,
        checks=checks,
        health=thresholds.overall(judged) if judged else None,
        metric_series=metric_series(version, applied, at) if version else [],
        fairness=fairness_panels(version) if version else [],
        drift=drift,
        drift_bars=drift_figures,
        unresolved_alerts=unresolved,
        resolved_alerts=resolved,
        incidents=list(model.incidents.select_related("deployment__version__model")),
        policies=list(model.monitoring_policies.select_related("set_by")),
    )


def check_rows(model: MLModel, applied: Sequence[Applied]) -> list[CheckRow]:
    """Each threshold in force with its latest judgement, worst first."""
    checks = {check.key: check for check in HealthCheck.objects.filter(model=model)}
    rows = [CheckRow(a.threshold, a.origin, checks.get(a.threshold.key)) for a in applied]
    return sorted(rows, key=lambda row: (row.rank, row.threshold.key))


def model_alerts(model: MLModel) -> tuple[list[Alert], list[Alert]]:
    """The model's unresolved alerts, and the ones resolved most recently."""
    alerts = Alert.objects.filter(model=model).select_related("version")
    resolved = alerts.filter(state=Alert.State.RESOLVED).order_by("-resolved_at", "-pk")
    return (
        list(alerts.exclude(state=Alert.State.RESOLVED)),
        list(resolved[:RECENT_RESOLVED]),
    )


def metric_series(
    version: ModelVersion, applied: Sequence[Applied], at: datetime
) -> list[charts.MetricSeries]:
    """A chart per metric threshold, then one per other metric the version reported lately."""
    points = recent_points(version, at)
    definitions = {d.name: d for d in MetricDefinition.objects.filter(model_id=version.model_id)}
    metric_thresholds = [a.threshold for a in applied if a.threshold.signal == "metric"]
    series = [
        _series(t.measure, t.scope, points, definitions.get(t.measure), t)
        for t in metric_thresholds
    ]
    others = sorted({name for name, _ in points} - {t.measure for t in metric_thresholds})
    return series + [_series(name, "", points, definitions.get(name), None) for name in others]


def _series(
    name: str,
    scope: str,
    points: Mapping[tuple[str, str], list[charts.Point]],
    definition: MetricDefinition | None,
    threshold: Threshold | None,
) -> charts.MetricSeries:
    """A scoped threshold watches one segment; an unscoped one the whole, drawn with its
    segments."""
    segments = [
        charts.Segment(segment, tuple(found))
        for (metric, segment), found in sorted(points.items())
        if metric == name and segment and not scope
    ]
    return charts.MetricSeries(
        name=f"{name} [{scope}]" if scope else name,
        points=tuple(points.get((name, scope), ())),
        threshold=threshold,
        unit=definition.unit if definition else "",
        segments=tuple(segments),
    )


def recent_points(version: ModelVersion, at: datetime) -> dict[tuple[str, str], list[charts.Point]]:
    """The version's newest `POINTS_PER_SERIES` points of the last `CHART_DAYS` days, per metric
    and segment, oldest first: a version with a million points still sends a page a few
    thousand, read through each series' index (`series.newest_points`)."""
    since = at - timedelta(days=CHART_DAYS)
    newest = newest_points(series_of([version.pk], since, at), since, at, POINTS_PER_SERIES)
    return {
        (name, segment): [charts.Point(point.timestamp, point.value) for point in reversed(found)]
        for (_, name, segment), found in newest.items()
    }


def fairness_panels(version: ModelVersion) -> list[FairnessPanel]:
    """The version's latest fairness push: one result per sensitive feature set it covered."""
    newest = latest_first(FairnessResult.objects.filter(version=version))
    results = FairnessResult.objects.filter(
        version=version, evaluated_at=newest.values("evaluated_at")[:1]
    ).order_by("pk")
    return [FairnessPanel(result, group_bars(result.summary)) for result in results]


def group_bars(summary: Mapping[str, Any]) -> charts.GroupBars:
    """A fairness summary's by-group rates (selection rate where given) as chart bars.

    The line drawn is the four-fifths rule's: the limit ratio times the highest judged rate.
    """
    rows = summary.get("by_group") or []
    rate = _rate_name(rows)
    groups = tuple(
        charts.GroupRate(
            group=", ".join(str(v) for v in (row.get("group") or {}).values()),
            rate=(row.get("metrics") or {}).get(rate),
            count=int(row.get("count") or 0),
        )
        for row in rows
    )
    judged = [bool((row.get("metrics") or {}).get("judged", 1.0)) for row in rows]
    rates = [g.rate for g, j in zip(groups, judged, strict=True) if j and g.rate is not None]
    limit = (summary.get("limits") or {}).get("four_fifths_ratio")
    four_fifths = limit * max(rates) if rate == "selection_rate" and limit and rates else None
    features = " + ".join(summary.get("sensitive") or [])
    return charts.GroupBars(
        title=f"{rate.replace('_', ' ').capitalize()} by {features}",
        groups=groups,
        reference=four_fifths,
        reference_label=f"{limit:g} of the highest rate"
        if four_fifths is not None
        else "reference",
        min_group_size=_min_group_size(groups, judged),
    )


def _rate_name(rows: Sequence[Mapping[str, Any]]) -> str:
    names = {name for row in rows for name in (row.get("metrics") or {}) if name != "judged"}
    return "selection_rate" if "selection_rate" in names or not names else min(names)


def _min_group_size(groups: Sequence[charts.GroupRate], judged: Sequence[bool]) -> int:
    """The summary keeps which groups were judged, not the size that decided it; the smallest
    judged group is a size that tells them apart the same way."""
    if all(judged):
        return 0
    sizes = [g.count for g, j in zip(groups, judged, strict=True) if j]
    return min(sizes) if sizes else max(g.count for g in groups) + 1


def drift_bars(
    version: ModelVersion, applied: Sequence[Applied], at: datetime
) -> tuple[DriftResult | None, list[charts.DriftBars]]:
    """The version's latest drift result known at `at`, one chart per drift measure its columns
    report."""
    known = DriftResult.objects.filter(version=version, evaluated_at__lte=at, recorded_at__lte=at)
    result = latest_first(known).first()
    if result is None:
        return None, []
    by_measure: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for column in result.columns:
        by_measure[readings.drift_measure(str(column.get("method", "")))].append(column)
    limits = {
        a.threshold.measure: a.threshold
        for a in applied
        if a.threshold.signal == "drift" and not a.threshold.scope
    }
    return result, [
        charts.DriftBars(
            title=f"Drift by feature ({label_for(measure)})",
            score_name=measure,
            features=tuple(
                charts.FeatureDrift(str(c.get("column", "")), c.get("score")) for c in columns
            ),
            threshold=limits.get(measure) or _unjudged_drift(measure),
        )
        for measure, columns in sorted(by_measure.items())
    ]


def _unjudged_drift(measure: str) -> Threshold:
    """No levels, only the direction in which the chart sorts the features."""
    # A small p-value means drift; every other drift score grows with it.
    higher = measure.endswith("p_value")
    direction = Direction.HIGHER_IS_BETTER if higher else Direction.LOWER_IS_BETTER
    return Threshold(signal="drift", measure=measure, direction=direction)


# ---- Alerts, policies, incidents ----------------------------------------------------------------


def alerts_for(user: User, **filters: Any) -> QuerySet[Alert]:
    """Alerts on models the user may see, filtered as the alert list's form asks."""
    found = Alert.objects.filter(model__in=permissions.models_for(user))
    for name in ("state", "severity"):
        if filters.get(name):
            found = found.filter(**{name: filters[name]})
    if filters.get("model"):
        found = found.filter(model__slug=filters["model"])
    return found.select_related("model", "version").order_by("-last_seen_at", "-pk")


def unresolved_by_severity(alerts: QuerySet[Alert]) -> dict[str, int]:
    rows = (
        alerts.exclude(state=Alert.State.RESOLVED)
        .order_by()
        .values_list("severity")
        .annotate(n=Count("pk"))
    )
    counts = dict(rows)
    return {severity: counts.get(severity, 0) for severity in Alert.Severity.values}


def alert_for_user_or_404(user: User, pk: int) -> Alert:
    found = Alert.objects.filter(model__in=permissions.models_for(user)).select_related(
        "model", "version", "finding", "revalidation", "acknowledged_by", "resolved_by"
    )
    return get_object_or_404(found, pk=pk)


def policy_for_user_or_404(user: User, pk: int) -> MonitoringPolicy:
    found = MonitoringPolicy.objects.filter(model__in=permissions.models_for(user))
    return get_object_or_404(found.select_related("model"), pk=pk)


def incident_for_user_or_404(user: User, pk: int) -> Incident:
    found = Incident.objects.filter(model__in=permissions.models_for(user)).select_related(
        "model", "deployment__version__model", "reported_by"
    )
    return get_object_or_404(found, pk=pk)


def monitoring_before(incident: Incident) -> dict[str, Any]:
    """What monitoring said as the incident happened, with its instants read back as datetimes."""
    before = incident.monitoring_before
    return {
        "as_of": _instant(before.get("as_of")),
        "version": before.get("version", ""),
        "judgements": [
            {**j, "observed_at": _instant(j.get("observed_at"))}
            for j in before.get("judgements", [])
        ],
        "alerts": [
            {**a, "opened_at": _instant(a.get("opened_at"))} for a in before.get("alerts", [])
        ],
    }


def _instant(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None
