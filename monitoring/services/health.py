"""Judging production models against their thresholds: on each ingestion and on a schedule.

A model is monitored through the version its newest live production deployment serves. Its
thresholds are the tier defaults of the monitoring rulebook in force, replaced (or switched off)
by the model's own policies with the same key. Every check leaves one `HealthCheck` row per
model and key, and hands breaches and recoveries to the alerts service.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from monitoring.models import HealthCheck
from monitoring.selectors import in_force, observations
from monitoring.services import alerts
from monitoring.stats import thresholds
from monitoring.stats.thresholds import Judgement
from registry.models import Deployment, MLModel, ModelVersion

CHUNK = 500  # models judged per round of queries in a sweep
STORED = ["version", "status", "value", "observed_at", "reason", "threshold"]


@dataclass(frozen=True)
class Verdict:
    applied: in_force.Applied
    judgement: Judgement


def judge(
    deployments: Sequence[Deployment], at: datetime, *, staleness: bool = True
) -> dict[int, list[Verdict]]:
    """Every threshold of every served model judged on its data up to `at` (reads only);
    without `staleness`, freshness thresholds are left to the sweep."""
    by_model = in_force.thresholds_for([d.version.model_id for d in deployments], at)
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
    deployments = [
        d for d in in_force.serving(model_ids=[version.model_id]) if d.version_id == version.pk
    ]
    if not deployments:
        return []
    return _check(deployments, timezone.now(), staleness=False)[version.model_id]


def sweep(at: datetime | None = None) -> dict[str, int]:
    """The scheduled check of every production model, in chunks (staleness is found here)."""
    at = at or timezone.now()
    deployments = in_force.serving(at)
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
