"""Alerts: raised on a breach, de-duplicated per model and key, resolved on recovery or by hand.

A critical breach opens a finding for the owner; a critical breach of a material threshold also
requires revalidation, which closes the model's deployment gate until a validator clears it.
Notifications (e-mail, webhooks) go out after the transaction commits.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions, queue
from governance.errors import DomainError
from governance.findings import services as findings
from governance.findings.models import Finding, RevalidationFlag
from monitoring.models import Alert
from monitoring.stats.thresholds import Status
from registry.models import MLModel, ModelVersion

FIELDS = ["state", "severity", "value", "message", "occurrences", "finding", "revalidation"]


def apply(
    served: Mapping[int, ModelVersion], verdicts: Mapping[int, Sequence[Any]], at: datetime
) -> None:
    """Open, update or resolve the alerts of the models one check judged (one query for all
    their unresolved alerts: a sweep judges thousands of models, most of them quiet)."""
    unresolved: dict[tuple[int, str], Alert] = {
        (a.model_id, a.key): a
        for a in Alert.objects.select_for_update()
        .filter(model_id__in=list(verdicts))
        .exclude(state=Alert.State.RESOLVED)
    }
    for model_id, per_model in verdicts.items():
        for verdict in per_model:
            judgement = verdict.judgement
            alert = unresolved.get((model_id, verdict.applied.threshold.key))
            if judgement.is_breach:
                _breach(served[model_id], verdict, alert, at)
            elif judgement.status == Status.HEALTHY and alert is not None:
                _recover(alert, judgement.reason, at)


def _breach(version: ModelVersion, verdict, alert: Alert | None, at: datetime) -> None:
    judgement, threshold = verdict.judgement, verdict.applied.threshold
    severity = judgement.status.value
    if alert is None:
        alert = Alert(model=version.model, key=threshold.key, opened_at=at, occurrences=0)
        verb, before = "alert.raised", {}
    elif alert.severity == Alert.Severity.WARNING and severity == Alert.Severity.CRITICAL:
        verb, before = "alert.escalated", audit.snapshot(alert, FIELDS)
    else:
        verb, before = "", {}
    alert.version, alert.severity, alert.value = version, severity, judgement.value
    alert.message, alert.threshold = judgement.reason[:500], verdict.applied.as_json()
    alert.occurrences += 1
    alert.last_seen_at = at
    if severity == Alert.Severity.CRITICAL and alert.finding_id is None:
        alert.finding = findings.record_system_finding(
            version=version,
            title=f"{threshold.label} {threshold.breached_side} its critical level",
            description=judgement.reason,
            source=Finding.Source.MONITORING,
        )
    if severity == Alert.Severity.CRITICAL and threshold.material and alert.revalidation_id is None:
        alert.revalidation = _revalidation(version.model, judgement.reason)
    alert.save()
    if verb:
        _audit(None, verb, alert, before)
        _notify(alert, verb)


def _revalidation(model: MLModel, reason: str) -> RevalidationFlag:
    """One uncleared monitoring flag per model is enough to close the gate; reuse it."""
    existing = RevalidationFlag.objects.filter(
        model=model, cleared_at__isnull=True, source="monitoring"
    ).first()
    if existing is not None:
        return existing
    return findings.require_revalidation(
        actor=None, model=model, reason=f"critical breach: {reason}"[:500]
    )


def _recover(alert: Alert, reason: str, at: datetime) -> None:
    before = audit.snapshot(alert, FIELDS)
    alert.state, alert.resolved_at = Alert.State.RESOLVED, at
    alert.resolution = f"recovered: {reason}"
    alert.save()
    _audit(None, "alert.recovered", alert, before)
    _notify(alert, "alert.recovered")


def _audit(actor: User | None, verb: str, alert: Alert, before: dict) -> None:
    audit.record(
        actor=actor,
        verb=verb,
        target=alert,
        before=before,
        after=audit.snapshot(alert, [*FIELDS, "key", "resolution", "acknowledgement"]),
        mlmodel_id=alert.model_id,
    )


def _notify(alert: Alert, event: str) -> None:
    transaction.on_commit(lambda: queue.enqueue("monitoring.tasks.notify_alert", alert.pk, event))


def may_handle(actor: User, model: MLModel) -> bool:
    """Who handles a model's alerts and records its incidents: the owner, those Responsible or
    Accountable for it, and its validators."""
    return permissions.can(actor, "change", model) or permissions.can(actor, "validate", model)


def _locked(alert: Alert, actor: User) -> Alert:
    alert = Alert.objects.select_for_update().select_related("model").get(pk=alert.pk)
    if not may_handle(actor, alert.model):
        raise PermissionDenied(f"{actor} may not handle alerts of {alert.model}")
    return alert


@transaction.atomic
def acknowledge(*, actor: User, alert: Alert, note: str) -> Alert:
    """Someone looks into it: the alert stays until resolved, but stops asking for attention."""
    alert = _locked(alert, actor)
    if alert.state != Alert.State.OPEN:
        raise DomainError(field="state", message=f"the alert is {alert.get_state_display()}")
    before = audit.snapshot(alert, FIELDS)
    alert.state, alert.acknowledged_by = Alert.State.ACKNOWLEDGED, actor
    alert.acknowledged_at, alert.acknowledgement = timezone.now(), note.strip()
    alert.save()
    _audit(actor, "alert.acknowledged", alert, before)
    return alert


@transaction.atomic
def resolve(*, actor: User, alert: Alert, resolution: str) -> Alert:
    """Closed by hand, saying why. A new breach later opens a new alert."""
    alert = _locked(alert, actor)
    if alert.state == Alert.State.RESOLVED:
        raise DomainError(field="state", message="the alert is already resolved")
    if not resolution.strip():
        raise DomainError(field="resolution", message="say what was done about it")
    before = audit.snapshot(alert, FIELDS)
    alert.state, alert.resolved_by = Alert.State.RESOLVED, actor
    alert.resolved_at, alert.resolution = timezone.now(), resolution.strip()
    alert.save()
    _audit(actor, "alert.resolved", alert, before)
    return alert
