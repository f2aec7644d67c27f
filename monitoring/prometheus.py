"""The portfolio as Prometheus metrics: model health, unresolved alerts, inventory, ingestion.

Read from the database at each scrape with one aggregate query per metric family and none per
model, so a scrape costs the same number of queries at ten models as at ten thousand.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from monitoring.models import Alert, HealthCheck, IngestionBatch
from monitoring.selectors import in_force
from monitoring.stats import thresholds
from monitoring.stats.thresholds import Status
from registry.models import Deployment, MLModel

# Prometheus has no enums: one number per status, higher is worse.
HEALTH_VALUES = {
    Status.HEALTHY: 0,
    Status.INSUFFICIENT: 1,
    Status.NO_DATA: 1,
    Status.WARNING: 2,
    Status.CRITICAL: 3,
}
NOT_CHECKED = HEALTH_VALUES[Status.NO_DATA]
UNRESOLVED = (Alert.State.OPEN, Alert.State.ACKNOWLEDGED)
# The set-returning function that turns a JSON object into (key, value) rows, per database.
JSON_EACH = {"postgresql": "jsonb_each_text", "sqlite": "json_each"}


class AttestCollector(Collector):
    """Everything `/metrics` shows, computed when Prometheus asks."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        serving = in_force.serving(now)
        yield production_models(serving)
        yield model_health(serving, now)
        yield unresolved_alerts()
        yield inventory()
        yield ingestion_batches()
        yield ingested_records()


def production_models(serving: Sequence[Deployment]) -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "attest_production_models", "Models with a live production deployment.", len(serving)
    )


def model_health(serving: Sequence[Deployment], at: datetime) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "attest_model_health",
        "Worst threshold status of a production model: 0 healthy, 1 no data, insufficient "
        "data or not checked yet, 2 warning, 3 critical.",
        labels=["model", "business_unit", "tier"],
    )
    worst = _worst_by_model()
    tiers = in_force.tiers_of([d.version.model_id for d in serving], at)
    for deployment in serving:
        model = deployment.version.model
        labels = [model.slug, model.business_unit, tiers.get(model.pk, "")]
        family.add_metric(labels, worst.get(model.pk, NOT_CHECKED))
    return family


def _worst_by_model() -> dict[int, int]:
    """Each model's health by the one rule the pages use (`thresholds.overall`), from its
    distinct statuses: at most five rows per model."""
    statuses: dict[int, set[str]] = defaultdict(set)
    # Over every model with checks: a few stale rows are cheaper than an IN list of 10,000 ids.
    rows = HealthCheck.objects.order_by().values_list("model_id", "status").distinct()
    for model_id, status in rows:
        statuses[model_id].add(status)
    return {m: HEALTH_VALUES[thresholds.overall(found)] for m, found in statuses.items()}


def unresolved_alerts() -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "attest_alerts_open",
        "Alerts not yet resolved, by severity and state (open or acknowledged).",
        labels=["severity", "state"],
    )
    counted = _count(Alert.objects.filter(state__in=UNRESOLVED), "severity", "state")
    for severity in Alert.Severity.values:
        for state in UNRESOLVED:
            family.add_metric([severity, state], counted.get((severity, state), 0))
    return family


def inventory() -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "attest_models",
        "Models in the inventory by lifecycle status and business unit.",
        labels=["status", "business_unit"],
    )
    counted = _count(MLModel.objects.all(), "status", "business_unit")
    # Every status per business unit, so a series drops to 0 instead of vanishing.
    for unit in sorted({unit for _, unit in counted}):
        for status in MLModel.Status.values:
            family.add_metric([status, unit], counted.get((status, unit), 0))
    return family


def ingestion_batches() -> CounterMetricFamily:
    family = CounterMetricFamily(
        "attest_ingestion_batches",
        "Accepted API writes (ingestion batches) by source, the API route that took them.",
        labels=["source"],
    )
    for (source,), n in sorted(_count(IngestionBatch.objects.all(), "source").items()):
        family.add_metric([source], n)
    return family


def ingested_records() -> CounterMetricFamily:
    family = CounterMetricFamily(
        "attest_ingested_records",
        "Records written by accepted API writes, by source and kind (metric_points, ...).",
        labels=["source", "kind"],
    )
    for source, kind, n in _records_by_source_and_kind():
        family.add_metric([source, kind], n)
    return family


def _count(queryset: QuerySet, *fields: str) -> dict[tuple[str, ...], int]:
    rows = queryset.order_by().values_list(*fields).annotate(n=Count("pk"))
    return {row[:-1]: row[-1] for row in rows}


def _records_by_source_and_kind() -> list[tuple[str, str, int]]:
    # Summed inside the database: the batch table grows with every push, and a scrape every
    # 30 seconds must not read it into Python.
    table = connection.ops.quote_name(IngestionBatch._meta.db_table)
    sql = (
        "SELECT b.source, c.key, SUM(CAST(c.value AS BIGINT)) "  # noqa: S608 (no user input)
        f"FROM {table} b, {JSON_EACH[connection.vendor]}(b.counts) c "
        "GROUP BY b.source, c.key ORDER BY b.source, c.key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(source, kind, int(n)) for source, kind, n in cursor.fetchall()]
