"""Recording deployments: one version live per model and environment at any instant."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from governance import audit, permissions
from governance.approvals.services import gate
from governance.errors import DomainError, clean_or_raise
from registry.models import Deployment, MLModel, ModelVersion


def _end(actor: User, deployment: Deployment, ended_at: datetime) -> None:
    before = audit.snapshot(deployment, ["ended_at"])
    deployment.ended_at = ended_at
    deployment.save(update_fields=["ended_at"])
    audit.record(
        actor=actor,
        verb="deployment.ended",
        target=deployment,
        before=before,
        after=audit.snapshot(deployment, ["ended_at"]),
        mlmodel_id=deployment.version.model_id,
    )


@transaction.atomic
def record_deployment(
    *,
    actor: User,
    version: ModelVersion,
    environment: str,
    endpoint: str = "",
    started_at: datetime | None = None,
) -> Deployment:
    """Record that a version went live; the version it replaces in that environment ends then."""
    permissions.require(actor, "change", version.model)
    # One writer per model at a time, so two pipelines cannot both leave a deployment open.
    MLModel.objects.select_for_update().filter(pk=version.model_id).first()
    started_at = started_at or timezone.now()
    live = Deployment.objects.filter(version__model_id=version.model_id).in_environment(environment)
    current = live.filter(ended_at__isnull=True).select_related("version").first()
    # An ended deployment still covering `started_at` would be live alongside the new one.
    if live.filter(Q(started_at__gte=started_at) | Q(ended_at__gt=started_at)).exists():
        raise DomainError(
            field="started_at",
            message=f"overlaps a deployment in {environment} that starts or is live at that time",
        )
    deployment = Deployment(
        version=version,
        environment=environment,
        endpoint=endpoint,
        started_at=started_at,
        recorded_by=actor,
    )
    clean_or_raise(deployment)
    if current is not None:
        _end(actor, current, started_at)
    deployment.save()
    after = {**audit.snapshot(deployment), "version_label": version.version}
    audit.record(
        actor=actor,
        verb="deployment.recorded",
        target=deployment,
        after=after,
        mlmodel_id=version.model_id,
    )
    gate.record_at_deployment(actor, deployment)
    return deployment


@transaction.atomic
def end_deployment(
    *, actor: User, deployment: Deployment, ended_at: datetime | None = None
) -> Deployment:
    """Take a version out of service in its environment."""
    permissions.require(actor, "change", deployment.version.model)
    # Re-read under a row lock: two pipelines ending the same deployment must not both pass.
    deployment = (
        Deployment.objects.select_for_update().select_related("version").get(pk=deployment.pk)
    )
    if deployment.ended_at is not None:
        raise DomainError(field="ended_at", message="this deployment has already ended")
    ended_at = ended_at or timezone.now()
    if ended_at <= deployment.started_at:
        raise DomainError(field="ended_at", message="must be after the deployment started")
    _end(actor, deployment, ended_at)
    return deployment
