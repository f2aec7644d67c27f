"""Judging production models against their thresholds: on each ingestion and on a schedule.

A model is monitored through the version its newest live production deployment serves. Its
thresholds are the tier defaults of the monitoring rulebook in force, replaced (or switched off)
by the model's own policies with the same key. Every check leaves one `HealthCheck` row per
model and key, and hands breaches and recoveries to the alerts service.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from governance.errors import DomainError
from governance.risk.models import Framework, RiskAssessment
from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Rulebook
from monitoring.models import HealthCheck, MonitoringPolicy
from monitoring.services import alerts, observations, policies
from monitoring.stats import thresholds
from monitoring.stats.thresholds import Judgement, Threshold
from registry.models import Deployment, MLModel, ModelVersion

CHUNK = 500  # models judged per round of queries in a sweep
STORED = ["version", "status", "value", "observed_at", "reason", "threshold"]


@dataclass(frozen=True)
class Applied:
    threshold: Threshold
    origin: str  # "model policy" or e.g. "tier_1 default (monitoring/default v1)"

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


@dataclass(frozen=True)
class Verdict:
    applied: Applied
    judgement: Judgement


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
        book = rulebooks.in_force(Rulebook.Kind.MONITORING, on=timezone.localdate(at))
    except DomainError:
        return {}, ""
    by_tier = {
        tier: [thresholds.from_entry(entry) for entry in entries or []]
        for tier, entries in book.content.get("tiers", {}).items()
    }
    return by_tier, f"{book.kind}/{book.name} v{book.version}"


def thresholds_for(model_ids: Sequence[int], at: datetime) -> dict[int, list[Applied]]:
    """Each model's thresholds at `at`: tier defaults, replaced or switched off by its own
    policies as they stood then."""
    defaults, book = _defaults(at)
    tiers = tiers_of(model_ids, at)
    own: dict[int, list[MonitoringPolicy]] = defaultdict(list)
    for policy in policies.policies_at(model_ids, at):
        own[policy.model_id].append(policy)
    applied: dict[int, list[Applied]] = {}
    for model_id in model_ids:
        tier = tiers.get(model_id, "")
        chosen = {t.key: Applied(t, f"{tier} default ({book})") for t in defaults.get(tier, [])}
        for policy in own[model_id]:
            threshold = policy.threshold()
            chosen.pop(threshold.key, None)
            if policy.enabled:
                chosen[threshold.key] = Applied(threshold, "model policy")
        applied[model_id] = list(chosen.values())
    return applied


def judge(
    deployments: Sequence[Deployment], at: datetime, *, staleness: bool = True
) -> dict[int, list[Verdict]]:
    """Every threshold of every served model judged on its data up to `at` (reads only);
    without `staleness`, freshness thresholds are left to the sweep."""
    by_model = thresholds_for([d.version.model_id for d in deployments], at)
    if not staleness:
        by_model = {
            model_id: [a for a in applied if a.threshold.signal != "freshness"]
            for model_id, applied in by_model.items()
        }
    targets, fresh = [], []
    for deployment in deployments:
        for applied in by_model[deployment.version.model_id]:
            threshold = applied.threshold
            if threshold.signal == "freshness":
                fresh.append((deployment.version_id, threshold, deployment.started_at))
            else:
                targets.append((deployment.version_id, threshold))
    found = observations.collect(targets, at)
    observations.freshness(fresh, at, found)
    return {
        d.version.model_id: [
            Verdict(
                applied,
                thresholds.judge(
                    applied.threshold, found.get((d.version_id, applied.threshold.key), []), at
                ),
            )
            for applied in by_model[d.version.model_id]
        ]
        for d in deployments
    }


def check_version(version: ModelVersion) -> list[Verdict]:
    """After an ingestion: judge the model now, when this version is the one in production.

    Staleness is the sweep's to judge: data just arrived, though its timestamps may be old.
    """
    deployments = [d for d in serving(model_ids=[version.model_id]) if d.version_id == version.pk]
    if not deployments:
        return []
    return _check(deployments, timezone.now(), staleness=False)[version.model_id]


def sweep(at: datetime | None = None) -> dict[str, int]:
    """The scheduled check of every production model, in chunks (staleness is found here)."""
    at = at or timezone.now()
    deployments = serving(at)
    tally: dict[str, int] = defaultdict(int)
    for start in range(0, len(deployments), CHUNK):
        verdicts = _check(deployments[start : start + CHUNK], at, staleness=True)
        for per_model in verdicts.values():
            tally["models"] += 1
            tally[thresholds.overall(v.judgement.status for v in per_model).value] += 1
    return dict(tally)


@transaction.atomic
def _check(
    deployments: Sequence[Deployment], at: datetime, *, staleness: bool
) -> dict[int, list[Verdict]]:
    # One check per model at a time: an ingestion's check and the sweep would otherwise race
    # on the same HealthCheck rows and alerts. Locked in id order, so two sweeps never deadlock.
    model_ids = sorted(d.version.model_id for d in deployments)
    list(MLModel.objects.select_for_update().filter(pk__in=model_ids).order_by("pk").values("pk"))
    verdicts = judge(deployments, at, staleness=staleness)
    served = {d.version.model_id: d.version for d in deployments}
    _store(verdicts, served, at, everything=staleness)
    alerts.apply(served, verdicts, at)
    return verdicts


def _store(
    verdicts: dict[int, list[Verdict]],
    served: dict[int, ModelVersion],
    at: datetime,
    *,
    everything: bool,
) -> None:
    rows = [
        HealthCheck(
            model_id=model_id,
            version=served[model_id],
            key=v.applied.threshold.key,
            status=v.judgement.status.value,
            value=v.judgement.value,
            observed_at=v.judgement.observed_at,
            reason=v.judgement.reason[:500],
            threshold=v.applied.as_json(),
            checked_at=at,
        )
        for model_id, per_model in verdicts.items()
        for v in per_model
    ]
    if everything:  # a full check also drops the rows of thresholds a model no longer has
        current = {(row.model_id, row.key) for row in rows}
        existing = HealthCheck.objects.filter(model_id__in=list(verdicts))
        gone = [
            pk
            for pk, *key in existing.values_list("pk", "model_id", "key")
            if tuple(key) not in current
        ]
        HealthCheck.objects.filter(pk__in=gone).delete()
    HealthCheck.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["model", "key"],
        update_fields=[*STORED, "checked_at"],
    )
