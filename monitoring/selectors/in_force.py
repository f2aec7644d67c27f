"""What is in force for a model at an instant: the production deployment serving it, its tier,
and the thresholds it is judged by (tier defaults, replaced or switched off by its own policies).
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from governance import history
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.labels import label_for
from governance.risk.models import Framework, RiskAssessment
from governance.rulebooks.models import Rulebook
from monitoring.models import MonitoringPolicy
from monitoring.stats import thresholds
from monitoring.stats.thresholds import Threshold
from registry.models import Deployment


@dataclass(frozen=True)
class Applied:
    threshold: Threshold
    origin: str  # "model policy" or e.g. "Tier 1 (high) default (rulebook default v1)"

    def as_json(self) -> dict:
        t = self.threshold
        return {
            "signal": t.signal,
            "measure": t.measure,
            "scope": t.scope,
            "direction": t.direction.value,
            "warning": t.warning,
            "critical": t.critical,
            "min_sample_size": t.min_sample_size,
            "consecutive": t.consecutive,
            "window_days": t.window.total_seconds() / 86400,
            "material": t.material,
            "origin": self.origin,
        }


def serving(at: datetime | None = None, model_ids: Iterable[int] | None = None) -> list[Deployment]:
    """Per model, the production deployment live at `at` that started last."""
    at = at or timezone.now()
    live = Deployment.objects.in_environment(Deployment.Environment.PRODUCTION).live_at(at)
    if model_ids is not None:
        live = live.filter(version__model_id__in=list(model_ids))
    live = live.select_related("version__model__owner").order_by(
        "version__model_id", "-started_at", "-pk"
    )
    newest: dict[int, Deployment] = {}
    for deployment in live:
        newest.setdefault(deployment.version.model_id, deployment)
    return list(newest.values())


def tiers_of(model_ids: Iterable[int], at: datetime) -> dict[int, str]:
    """The tier in force at `at` for each model that has one."""
    found = (
        RiskAssessment.objects.filter(
            framework=Framework.TIERING, model_id__in=list(model_ids), valid_from__lte=at
        )
        .exclude(status=RiskAssessment.Status.DRAFT)
        .exclude(valid_to__lte=at)
        .order_by("model_id", "-valid_from", "-pk")
    )
    tiers: dict[int, str] = {}
    for assessment in found:
        if assessment.model_id is not None:  # always, as filtered: the column is nullable
            tiers.setdefault(assessment.model_id, assessment.effective_result)
    return tiers


def _defaults(at: datetime) -> tuple[dict[str, list[Threshold]], str]:
    try:
        book = Rulebook.objects.in_force(Rulebook.Kind.MONITORING, on=timezone.localdate(at))
    except DomainError:
        return {}, ""
    by_tier = {
        tier: [thresholds.from_entry(entry) for entry in entries or []]
        for tier, entries in book.content.get("tiers", {}).items()
    }
    return by_tier, f"rulebook {book.name} v{book.version}"


def thresholds_for(model_ids: Sequence[int], at: datetime) -> dict[int, list[Applied]]:
    """Each model's thresholds at `at`: tier defaults, replaced or switched off by its own
    policies as they stood then."""
    defaults, book = _defaults(at)
    tiers = tiers_of(model_ids, at)
    own: dict[int, list[MonitoringPolicy]] = defaultdict(list)
    for policy in policies_at(model_ids, at):
        own[policy.model_id].append(policy)
    applied: dict[int, list[Applied]] = {}
    for model_id in model_ids:
        tier = tiers.get(model_id, "")
        origin = f"{label_for(tier)} default ({book})"
        chosen = {t.key: Applied(t, origin) for t in defaults.get(tier, [])}
        for policy in own[model_id]:
            threshold = policy.threshold()
            chosen.pop(threshold.key, None)
            if policy.enabled:
                chosen[threshold.key] = Applied(threshold, "model policy")
        applied[model_id] = list(chosen.values())
    return applied


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
