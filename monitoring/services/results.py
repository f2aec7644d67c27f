"""Recording fairness checks and metric points for a version, audited like every write."""

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions
from governance.errors import DomainError
from monitoring.models import FairnessResult, MetricPoint
from registry.models import ModelVersion


@transaction.atomic
def record_fairness_result(
    *,
    actor: AbstractBaseUser,
    version: ModelVersion,
    passed: bool,
    summary: Mapping[str, Any],
    evaluated_at: datetime | None = None,
    source: str = "",
) -> FairnessResult:
    """A fairness check of the version, as its pipeline ran it, with the figures behind it."""
    permissions.require(actor, "change", version.model)
    evaluated_at = evaluated_at or timezone.now()
    if evaluated_at > timezone.now():
        raise DomainError(field="evaluated_at", message="is in the future")
    result = FairnessResult.objects.create(
        version=version,
        passed=passed,
        summary=dict(summary),
        evaluated_at=evaluated_at,
        source=source,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        verb="fairness.recorded",
        target=result,
        after=audit.snapshot(result, ["version", "passed", "summary", "evaluated_at", "source"]),
        mlmodel_id=version.model_id,
    )
    return result


@transaction.atomic
def record_metrics(
    *, actor: AbstractBaseUser, version: ModelVersion, points: Sequence[Mapping[str, Any]]
) -> int:
    """Store metric points (name, value, timestamp, optional step and segment), all or none."""
    permissions.require(actor, "change", version.model)
    rows = []
    for row, point in enumerate(points, start=1):
        name, value = str(point.get("name", "")).strip(), point.get("value")
        if not name:
            raise DomainError(field="name", row=row, message="required")
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise DomainError(field="value", row=row, message="must be a finite number")
        if point.get("timestamp") is None:
            raise DomainError(field="timestamp", row=row, message="required")
        rows.append(
            MetricPoint(
                version=version,
                name=name,
                value=float(value),
                step=point.get("step"),
                timestamp=point["timestamp"],
                segment=point.get("segment", ""),
            )
        )
    MetricPoint.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        verb="metrics.recorded",
        target=version,
        after={"points": len(rows), "names": sorted({r.name for r in rows})},
        mlmodel_id=version.model_id,
    )
    return len(rows)
