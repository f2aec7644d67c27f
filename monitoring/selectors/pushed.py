"""What one ingestion batch recorded, named record by record for the pusher's answer."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q

from monitoring.models import (
    DataValidationResult,
    DriftResult,
    EvaluationResult,
    FairnessResult,
    IngestionBatch,
    MetricPoint,
)
from registry.models import DatasetVersion, ModelVersion

# answer key: the results a push may record, each pointing back to its batch
RESULTS: dict[str, type[FairnessResult | DriftResult | DataValidationResult | EvaluationResult]] = {
    "fairness_results": FairnessResult,
    "drift_results": DriftResult,
    "data_validations": DataValidationResult,
    "evaluations": EvaluationResult,
}


def batch_records(
    batch: IngestionBatch, version: ModelVersion, datasets: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """The version (with its page), its run, the dataset versions the push named (slug and
    label pairs), points per metric and the id of every result the batch holds."""
    run = version.training_run
    named = Q(pk__in=[])
    for slug, label in datasets:
        named |= Q(dataset__slug=slug, version=label)
    found = DatasetVersion.objects.filter(named).select_related("dataset").order_by("pk")
    points = (
        MetricPoint.objects.filter(batch=batch)
        .values("name")
        .annotate(n=Count("id"))
        .order_by("name")
    )
    return {
        "version": {
            "id": version.pk,
            "label": version.version,
            "external_id": version.external_id,
            "url": version.get_absolute_url(),
        },
        "run": run and {"id": run.pk, "tracker": run.tracker, "external_id": run.external_id},
        "datasets": [
            {"id": d.pk, "dataset": d.dataset.slug, "version": d.version, "uri": d.uri}
            for d in found
        ],
        "metric_points": {row["name"]: row["n"] for row in points},
        **{
            kind: list(
                model.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True)
            )
            for kind, model in RESULTS.items()
        },
    }
