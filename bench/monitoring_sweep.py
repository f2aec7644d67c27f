"""Monitoring sweep benchmark: every production model's latest results judged, under 3 ms a model.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/attest_bench .venv/bin/python \\
        bench/monitoring_sweep.py --reuse

The inventory comes from bench/inventory.py (10,000 models, each with a live production
version; its fill and helpers are imported, not copied). On top, for every live version, this
script writes monitoring data and thresholds with `bulk_create` (the services write one row at
a time with an audit event, which takes far longer at this size; the rows are the ones the
ingestion services write):

- 30 daily `auc` points, a drift result of 20 columns (PSI) and a fairness result with two
  checks (sex, age band);
- four model policies: AUC (higher, warning 0.80, critical 0.78, material), PSI of any column
  (lower, 0.1 / 0.2), demographic parity difference (lower, 0.05 / 0.1) and staleness
  (days since data, 3 / 7).

`--breaching` (2%) of the models get an AUC under 0.78 and a drifted column, so the first sweep
opens alerts, findings and revalidation flags through the services; the second sweep finds the
same breaches (alerts updated, nothing new) and is the steady state. Both are timed on one
process (`monitoring.services.health.sweep`, as the beat task runs it). Prints the figures;
asserts nothing. `--reuse` keeps the monitoring fixture of an earlier run.
"""

import argparse
import os
import random
import time
from datetime import timedelta
from typing import Any

import inventory

# 30 s at 10,000 models, and issue 23's 5 minutes at 100,000: 3 ms a model.
TARGET_SECONDS_PER_MODEL = 0.003
POINTS_PER_MODEL = 30
DRIFT_COLUMNS = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=10, help="versions per model")
    parser.add_argument("--owners", type=int, default=10)
    parser.add_argument("--breaching", type=float, default=0.02, help="share of models breaching")
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--allow-sqlite", action="store_true")
    return parser.parse_args()


def ensure_inventory(args: argparse.Namespace) -> None:
    from registry.models import MLModel

    people = inventory.ensure_people(args.owners)
    if MLModel.objects.count() < args.models:
        started = time.perf_counter()
        inventory.fill(people, MLModel.objects.count(), args.models, args.versions)
        print(
            f"inventory filled to {args.models:,} models in {time.perf_counter() - started:.0f} s"
        )


def reset_monitoring() -> None:
    """The previous run's alerts, flags and checks go, so the first sweep starts clean."""
    from governance.findings.models import Finding, RevalidationFlag
    from monitoring.models import Alert, HealthCheck

    Alert.objects.all().delete()
    HealthCheck.objects.all().delete()
    Finding.objects.filter(source=Finding.Source.MONITORING).delete()
    RevalidationFlag.objects.filter(source="monitoring").delete()


def fill_monitoring(args: argparse.Namespace) -> int:
    from django.db import transaction
    from django.utils import timezone

    from monitoring.models import MonitoringPolicy
    from monitoring.selectors import in_force

    deployments = in_force.serving()
    if args.reuse and MonitoringPolicy.objects.count() >= 4 * len(deployments):
        print(f"reusing the monitoring fixture of {len(deployments):,} production models")
        return len(deployments)
    started = time.perf_counter()
    now = timezone.now()
    rng = random.Random(7)
    breaching = set(rng.sample(range(len(deployments)), int(len(deployments) * args.breaching)))
    _clear_fixture()
    for start in range(0, len(deployments), 1000):
        with transaction.atomic():
            for i, deployment in enumerate(deployments[start : start + 1000], start):
                _rows_for(deployment, now, i in breaching, rng)
            _flush()
    inventory.analyze()
    print(f"monitoring fixture for {len(deployments):,} production models "
          f"({len(breaching):,} breaching) in {time.perf_counter() - started:.0f} s")  # fmt: skip
    return len(deployments)


_pending: dict[str, list[Any]] = {
    "points": [], "series": [], "drift": [], "fairness": [], "policies": []
}  # fmt: skip


def _clear_fixture() -> None:
    from monitoring.models import (
        DriftResult,
        FairnessResult,
        MetricPoint,
        MonitoringPolicy,
        StoredSeries,
    )

    for model in (MetricPoint, StoredSeries, DriftResult, FairnessResult, MonitoringPolicy):
        model.objects.all().delete()


def _rows_for(deployment: Any, now: Any, breach: bool, rng: random.Random) -> None:
    from monitoring.models import (
        DriftResult,
        FairnessResult,
        MetricPoint,
        MonitoringPolicy,
        StoredSeries,
    )

    version, model = deployment.version, deployment.version.model
    actor = version.created_by
    for day in range(POINTS_PER_MODEL, 0, -1):
        auc = 0.76 if breach and day == 1 else 0.82 + rng.gauss(0, 0.005)
        at = now - timedelta(days=day - 1, hours=1)
        _pending["points"].append(MetricPoint(version=version, name="auc", value=auc, timestamp=at))
    # The extent the point store keeps beside the points (bulk_create bypasses it).
    _pending["series"].append(
        StoredSeries(
            version=version,
            name="auc",
            first_at=now - timedelta(days=POINTS_PER_MODEL - 1, hours=1),
            last_at=now - timedelta(hours=1),
            points=POINTS_PER_MODEL,
        )
    )
    columns = [
        {"column": f"feature_{c:02d}", "kind": "num", "method": "psi",
         "score": 0.31 if breach and c == 0 else round(rng.uniform(0, 0.08), 4),
         "threshold": 0.2, "drifted": breach and c == 0}
        for c in range(DRIFT_COLUMNS)
    ]  # fmt: skip
    evaluated_at = now - timedelta(hours=6)
    _pending["drift"].append(
        DriftResult(
            version=version,
            evaluated_at=evaluated_at,
            columns=columns,
            drift_share=0.05 if breach else 0.0,
            recorded_by=actor,
        )
    )
    for sensitive in (["sex"], ["age_band"]):
        summary = {"sensitive": sensitive,
                   "metrics": {"demographic_parity_difference": round(rng.uniform(0, 0.04), 4)}}  # fmt: skip
        _pending["fairness"].append(
            FairnessResult(
                version=version,
                evaluated_at=evaluated_at,
                passed=True,
                summary=summary,
                recorded_by=actor,
            )
        )
    policies = [
        ("metric", "auc", "higher", 0.80, 0.78, True),
        ("drift", "psi", "lower", 0.1, 0.2, False),
        ("fairness", "demographic_parity_difference", "lower", 0.05, 0.1, False),
        ("freshness", "days_since_data", "lower", 3, 7, False),
    ]
    for signal, measure, direction, warning, critical, material in policies:
        _pending["policies"].append(
            MonitoringPolicy(
                model=model,
                signal=signal,
                measure=measure,
                direction=direction,
                warning=warning,
                critical=critical,
                material=material,
                set_by=model.owner,
            )
        )


def _flush() -> None:
    from monitoring.models import (
        DriftResult,
        FairnessResult,
        MetricPoint,
        MonitoringPolicy,
        StoredSeries,
    )

    MetricPoint.objects.bulk_create(_pending["points"], batch_size=5000)
    StoredSeries.objects.bulk_create(_pending["series"], batch_size=5000)
    DriftResult.objects.bulk_create(_pending["drift"], batch_size=2000)
    FairnessResult.objects.bulk_create(_pending["fairness"], batch_size=2000)
    MonitoringPolicy.objects.bulk_create(_pending["policies"], batch_size=5000)
    for rows in _pending.values():
        rows.clear()


def timed_sweep(label: str) -> tuple[float, dict[str, int]]:
    from django.db import connection

    from monitoring.models import Alert
    from monitoring.services import health

    # A counter, not Django's query log: the log keeps only the last 9,000 queries and costs
    # time of its own.
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        tally = health.sweep()
        seconds = time.perf_counter() - started
    alerts = Alert.objects.exclude(state=Alert.State.RESOLVED).count()
    print(f"{label}: {seconds:6.1f} s, {queries:,} queries, {alerts:,} unresolved alerts; "
          f"{dict(sorted(tally.items()))}")  # fmt: skip
    return seconds, tally


def main() -> None:
    args = parse_args()
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    inventory.prepare_database(args)
    inventory.setup_django()
    ensure_inventory(args)
    served = fill_monitoring(args)
    reset_monitoring()
    first, _ = timed_sweep("first sweep (opens alerts, findings, flags)")
    second, _ = timed_sweep("second sweep (steady state)")
    worst = max(first, second)
    target = TARGET_SECONDS_PER_MODEL * served
    verdict = "PASS" if worst < target else "FAIL"
    print(f"\nTarget: a sweep over {served:,} production models under {target:.0f} s: "
          f"{verdict} (slowest {worst:.1f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
