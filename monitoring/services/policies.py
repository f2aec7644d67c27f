"""Monitoring policies: the owner says what healthy means for a model, one threshold at a time."""

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from governance import audit, history, permissions
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from monitoring.models import MonitoringPolicy
from monitoring.stats import thresholds
from registry.models import MLModel

FIELDS = [*MonitoringPolicy.THRESHOLD_FIELDS, "enabled", "note"]
DEFAULT_WINDOW = timedelta(days=30)


def _snapshot(policy: MonitoringPolicy) -> dict[str, Any]:
    """The audit record's view of a policy: the window in days, as the rulebook states it."""
    data = audit.snapshot(policy, FIELDS)
    data["window"] = policy.window.total_seconds() / 86400
    return data


def _problems(fields: dict[str, Any]) -> None:
    found = thresholds.check_threshold(fields)
    if found:
        field, _, message = found[0].partition(": ")
        raise DomainError(field=field, message="; ".join([message, *found[1:]]))


@transaction.atomic
def set_policy(*, actor: AbstractBaseUser, model: MLModel, **fields: Any) -> MonitoringPolicy:
    """Create or replace the model's threshold for one signal, measure and scope."""
    permissions.require(actor, "change", model)
    fields.setdefault("scope", "")
    fields.setdefault("window", DEFAULT_WINDOW)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise DomainError(field=sorted(unknown)[0], message="not a policy field")
    if fields.get("enabled", True):
        _problems(fields)
    key = {k: fields[k] for k in ("signal", "measure", "scope")}
    policy = MonitoringPolicy.objects.select_for_update().filter(model=model, **key).first()
    before = _snapshot(policy) if policy else {}
    policy = policy or MonitoringPolicy(model=model)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.set_by = actor
    policy.save()
    audit.record(
        actor=actor,
        verb="monitoring.policy_set",
        target=policy,
        before=before,
        after=_snapshot(policy),
        mlmodel_id=model.pk,
    )
    return policy


@transaction.atomic
def remove_policy(*, actor: AbstractBaseUser, policy: MonitoringPolicy) -> None:
    """The model goes back to its tier default for this key (if there is one)."""
    permissions.require(actor, "change", policy.model)
    before = _snapshot(policy)
    audit.record(
        actor=actor,
        verb="monitoring.policy_removed",
        target=policy,
        before=before,
        after={},
        mlmodel_id=policy.model_id,
    )
    policy.delete()


def policies_at(model_ids: Collection[int], at: datetime) -> list[MonitoringPolicy]:
    """The models' own policies as they stood at `at`: the changes recorded since, undone."""
    since = history.later_events(MonitoringPolicy, at, mlmodel_id__in=model_ids)
    return history.rows_at(MonitoringPolicy.objects.filter(model_id__in=model_ids), since, _restore)


def _restore(policy: MonitoringPolicy | None, event: AuditEvent) -> MonitoringPolicy:
    fields = dict(event.before or {})  # rows_at restores only events that have a before
    if "window" in fields:  # the audit record states it in days, as the rulebook does
        fields["window"] = timedelta(days=fields["window"])
    fields["model"] = event.mlmodel_id  # a policy removed since comes back as a new row
    return history.restored(policy or MonitoringPolicy(), fields)
