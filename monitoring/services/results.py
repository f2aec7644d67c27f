"""Recording fairness checks of a version, audited like every write."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions
from governance.errors import DomainError
from monitoring.models import FairnessResult, IngestionBatch
from registry.models import ModelVersion


@transaction.atomic
def record_fairness_result(
    *,
    actor: User,
    version: ModelVersion,
    passed: bool,
    summary: Mapping[str, Any],
    evaluated_at: datetime | None = None,
    source: str = "",
    batch: IngestionBatch | None = None,
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
        batch=batch,
    )
    audit.record(
        actor=actor,
        verb="fairness.recorded",
        target=result,
        after=audit.snapshot(result, ["version", "passed", "summary", "evaluated_at", "source"]),
        mlmodel_id=version.model_id,
    )
    return result
