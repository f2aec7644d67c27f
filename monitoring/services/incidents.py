"""Production incidents: which version was serving, and what monitoring said beforehand."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from governance import audit
from governance.errors import DomainError
from monitoring.models import Alert, Incident
from monitoring.services import alerts, health
from registry.models import Deployment, MLModel

FIELDS = ["deployment", "occurred_at", "title", "description", "severity"]


def serving_at(model: MLModel, environment: str, at: datetime) -> Deployment:
    """The deployment of the model that served in `environment` at that instant."""
    found = (
        Deployment.objects.in_environment(environment)
        .live_at(at)
        .filter(version__model=model)
        .select_related("version__model")
        .order_by("-started_at", "-pk")
        .first()
    )
    if found is None:
        raise DomainError(
            field="occurred_at",
            message=f"no version of {model.slug} was serving in {environment} at "
            f"{at:%Y-%m-%d %H:%M %Z}",
        )
    return found


def monitoring_as_of(deployment: Deployment, at: datetime) -> dict[str, Any]:
    """The thresholds judged on the data up to `at`, and the alerts that were unresolved then.

    Thresholds are today's (policies are not versioned); the data and the alerts are as of `at`.
    """
    verdicts = health.judge([deployment], at).get(deployment.version.model_id, [])
    unresolved = Alert.objects.filter(model_id=deployment.version.model_id, opened_at__lte=at)
    unresolved = unresolved.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=at))
    return {
        "as_of": at.isoformat(),
        "version": deployment.version.version,
        "judgements": [
            {
                "key": v.applied.threshold.key,
                "status": v.judgement.status.value,
                "value": v.judgement.value,
                "observed_at": v.judgement.observed_at.isoformat()
                if v.judgement.observed_at
                else None,
                "reason": v.judgement.reason,
                "threshold": v.applied.as_json(),
            }
            for v in verdicts
        ],
        "alerts": [
            {
                "id": a.pk,
                "key": a.key,
                "severity": a.severity,
                "opened_at": a.opened_at.isoformat(),
                "message": a.message,
            }
            for a in unresolved.order_by("opened_at")
        ],
    }


@transaction.atomic
def record_incident(
    *,
    actor: User,
    model: MLModel,
    environment: str,
    occurred_at: datetime,
    title: str,
    severity: str,
    description: str = "",
) -> Incident:
    if not alerts.may_handle(actor, model):
        raise PermissionDenied(f"{actor} may not record incidents of {model}")
    if occurred_at > timezone.now():
        raise DomainError(field="occurred_at", message="an incident cannot lie in the future")
    if not title.strip():
        raise DomainError(field="title", message="say what happened")
    if severity not in Incident.Severity.values:
        raise DomainError(field="severity", message=f"one of {', '.join(Incident.Severity)}")
    deployment = serving_at(model, environment, occurred_at)
    incident = Incident.objects.create(
        model=model,
        deployment=deployment,
        occurred_at=occurred_at,
        title=title.strip(),
        description=description.strip(),
        severity=severity,
        monitoring_before=monitoring_as_of(deployment, occurred_at),
        reported_by=actor,
    )
    audit.record(
        actor=actor,
        verb="incident.recorded",
        target=incident,
        after=audit.snapshot(incident, FIELDS) | {"version": deployment.version.version},
        mlmodel_id=model.pk,
    )
    return incident
