"""Monitoring policies: the owner says what healthy means for a model, one threshold at a time."""

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from governance import audit, permissions
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
def set_policy(*, actor: User, model: MLModel, **fields: Any) -> MonitoringPolicy:
    """Create or replace the model's threshold for one signal, measure and scope."""
    permissions.require(actor, "change", model)
    fields.setdefault("scope", "")
    fields.setdefault("window", DEFAULT_WINDOW)
    key = {k: fields.get(k) for k in ("signal", "measure", "scope")}
    policy = MonitoringPolicy.objects.select_for_update().filter(model=model, **key).first()
    policy = policy or MonitoringPolicy(model=model)

    def signed(changed: MonitoringPolicy) -> None:
        if changed.enabled:
            _problems(fields)
        changed.set_by = actor  # who set it last: saved only when something changed

    audit.audited_update(
        actor=actor,
        row=policy,
        changes=fields,
        editable=FIELDS,
        verb="monitoring.policy_set",
        mlmodel_id=model.pk,
        check=signed,
        view=_snapshot,
    )
    return policy


@transaction.atomic
def remove_policy(*, actor: User, policy: MonitoringPolicy) -> None:
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
