"""Inventory benchmark: fill PostgreSQL with 10,000 models, then time the inventory pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/attest_bench .venv/bin/python bench/inventory.py

The fixture is written with bulk_create ON PURPOSE: it bypasses the services to write 100,000
versions in seconds. It still writes what the pages read: guardian grants derived by the real
rules (ownership and RACI, `governance.permissions`) and a hash-chained audit trail (so a model's
history is as long as it would be). The pages are then requested through django.test.Client
(server time only: no network, no browser) as a committee member, an auditor and an owner.
Query counts are taken at 1,000 models and again at the full size: they must not grow.
"""

import argparse
import logging
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GROWTH_CHECKPOINT = 1_000
CHUNK = 1_000  # models written per transaction
TARGET_P50_MS = 50.0
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/attest_bench"
BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
BUSINESS_UNITS = [
    "Retail Credit Risk", "Financial Crime", "Northwind Insurance", "Treasury", "Markets",
    "Corporate Banking", "Customer Operations", "Retail Marketing", "Human Resources", "Wealth",
]  # fmt: skip
PAGES = {
    "inventory list": "/inventory/",
    "model detail": "/inventory/models/{slug}/",
    "API list": "/api/v1/models/",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=10, help="versions per model")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument("--owners", type=int, default=10, help="each owns 1/owners of models")
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--allow-sqlite", action="store_true", help="run on SQLite anyway")
    parser.add_argument(
        "--show-queries", action="store_true", help="print every query of each page, timed"
    )
    return parser.parse_args()


# --- database -------------------------------------------------------------------------------


def prepare_database(args: argparse.Namespace) -> None:
    """Refuse SQLite and non-bench databases; create the PostgreSQL database when missing."""
    import dj_database_url

    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = DEFAULT_DATABASE_URL
        print(f"DATABASE_URL not set: using {DEFAULT_DATABASE_URL}")
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = str(config["NAME"])
    if "postgresql" not in config["ENGINE"] and not args.allow_sqlite:
        sys.exit("bench: set DATABASE_URL to a PostgreSQL database (or pass --allow-sqlite)")
    if "bench" not in Path(name).name:
        sys.exit(f"bench: refusing to fill {name!r}: the database name must contain 'bench'")
    if "postgresql" in config["ENGINE"]:
        _create_postgres_database(config)


def _create_postgres_database(config: dict[str, Any]) -> None:
    import psycopg
    from psycopg import sql

    params = {"host": config["HOST"] or None, "port": config["PORT"] or None}
    params |= {"user": config["USER"] or None, "password": config["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if exists.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created database {config['NAME']}")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    os.environ.setdefault("DEBUG", "false")  # measure what production runs, not the debug page
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django
    from django.core.management import call_command

    django.setup()
    # 404s while a page is being built are reported in the table, not logged per request.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    call_command("migrate", verbosity=0, interactive=False)


# --- fixture --------------------------------------------------------------------------------


@dataclass
class People:
    """The personas whose pages are timed, and the people the fixture assigns to models."""

    committee: Any
    auditor: Any
    owners: list[Any]
    developers: list[Any]
    validators: list[Any]
    committee_group: Any


def _user(username: str, role: str) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return user


def ensure_people(owner_count: int) -> People:
    from django.contrib.auth.models import Group

    from governance import roles

    return People(
        committee=_user("bench-committee", roles.COMMITTEE),
        auditor=_user("bench-auditor", roles.AUDITOR),
        owners=[_user(f"bench-owner-{i}", roles.OWNER) for i in range(owner_count)],
        developers=[_user(f"bench-dev-{i}", roles.DEVELOPER) for i in range(5)],
        validators=[_user(f"bench-validator-{i}", roles.VALIDATOR) for i in range(3)],
        committee_group=Group.objects.get(name=roles.COMMITTEE),
    )


def fill(people: People, start: int, stop: int, versions: int) -> None:
    """Write models [start, stop) with their versions, deployments, RACI, grants and history."""
    from django.db import transaction

    for chunk_start in range(start, stop, CHUNK):
        with transaction.atomic():
            _fill_chunk(people, chunk_start, min(chunk_start + CHUNK, stop), versions)
    analyze()


def analyze() -> None:
    """Refresh planner statistics, as autovacuum would have long before anyone ran this page."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _fill_chunk(people: People, start: int, stop: int, per_model: int) -> None:
    from registry.models import MLModel, ModelVersion

    models = MLModel.objects.bulk_create(_model(people, i) for i in range(start, stop))
    version_rows = ModelVersion.objects.bulk_create(
        _version(model, n) for model in models for n in range(1, per_model + 1)
    )
    by_model: dict[int, list[Any]] = {}
    for version in version_rows:
        by_model.setdefault(version.model_id, []).append(version)
    deployments = _bulk_deployments(by_model)
    raci = _bulk_raci_and_grants(people, models)
    _bulk_audit(models, version_rows, deployments, raci)


def _model(people: People, i: int) -> Any:
    from registry.models import MLModel

    statuses, types = MLModel.Status.values, MLModel.ModelType.values
    return MLModel(
        slug=f"bench-{i:05d}",
        name=f"Bench model {i:05d}",
        description="Scores retail applications for the probability of default in 12 months.",
        intended_purpose="Benchmark fixture",
        business_unit=BUSINESS_UNITS[i % len(BUSINESS_UNITS)],
        model_type=types[i % len(types)],
        status=statuses[(i // 3) % len(statuses)],
        owner=people.owners[i % len(people.owners)],
    )


def _version(model: Any, n: int) -> Any:
    from registry.models import ModelVersion

    return ModelVersion(
        model=model,
        version=f"1.{n}.0",
        artifact_uri=f"s3://bench-models/{model.slug}/1.{n}.0/model.pkl",
        artifact_sha256=f"{model.pk:032x}{n:032x}",
        framework="scikit-learn 1.5",
        source_tracker="mlflow",
        external_id=f"models:/{model.slug}/{n}",
        created_by=model.owner,
    )


def _bulk_deployments(by_model: dict[int, list[Any]]) -> list[Any]:
    """Two per model: the previous version served until the latest replaced it."""
    from registry.models import Deployment

    rows = []
    for model_id, versions in by_model.items():
        went_live = BASE_TIME + timedelta(days=model_id % 300)
        replaced = went_live + timedelta(days=60)
        if len(versions) >= 2:
            rows.append(_deployment(versions[-2], went_live, replaced))
        rows.append(_deployment(versions[-1], replaced, None))
    return Deployment.objects.bulk_create(rows)


def _deployment(version: Any, started_at: datetime, ended_at: datetime | None) -> Any:
    from registry.models import Deployment

    return Deployment(
        version=version,
        environment=Deployment.Environment.PRODUCTION,
        endpoint=f"https://ml.prod.bench.example/{version.model.slug}/predict",
        started_at=started_at,
        ended_at=ended_at,
        recorded_by=version.created_by,
    )


def _bulk_raci_and_grants(people: People, models: list[Any]) -> list[Any]:
    """Three RACI rows per model and exactly the grants sync_model_grants would derive."""
    from governance import permissions
    from governance.access.models import RaciAssignment
    from registry.models import MLModelGroupObjectPermission, MLModelUserObjectPermission

    role, area = RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Area
    raci, user_grants, group_grants = [], [], []
    for i, model in enumerate(models):
        dev = people.developers[i % len(people.developers)]
        val = people.validators[i % len(people.validators)]
        raci += [
            RaciAssignment(model=model, user=dev, role=role, area=area.DEVELOPMENT),
            RaciAssignment(model=model, user=val, role=role, area=area.VALIDATION),
            RaciAssignment(
                model=model, group=people.committee_group, role=role, area=area.APPROVAL
            ),
        ]
        wanted = {
            model.owner: set(permissions.OWNER_ACTIONS),
            dev: set(permissions.actions_for_raci(role, area.DEVELOPMENT)),
            val: set(permissions.actions_for_raci(role, area.VALIDATION)),
        }
        for user, actions in wanted.items():
            user_grants += [
                MLModelUserObjectPermission(user=user, permission=_perm(a), content_object=model)
                for a in sorted(actions)
            ]
        group_grants += [
            MLModelGroupObjectPermission(
                group=people.committee_group, permission=_perm(a), content_object=model
            )
            for a in sorted(permissions.actions_for_raci(role, area.APPROVAL))
        ]
    MLModelUserObjectPermission.objects.bulk_create(user_grants)
    MLModelGroupObjectPermission.objects.bulk_create(group_grants)
    return RaciAssignment.objects.bulk_create(raci)


_PERMS: dict[str, Any] = {}


def _perm(action: str) -> Any:
    from django.contrib.auth.models import Permission

    from governance import permissions

    if action not in _PERMS:
        app_label, codename = permissions.PERMS[action].split(".")
        _PERMS[action] = Permission.objects.get(
            content_type__app_label=app_label, codename=codename
        )
    return _PERMS[action]


def _bulk_audit(
    models: list[Any], versions: list[Any], deployments: list[Any], raci: list[Any]
) -> None:
    """The events the services would have written, chained onto the head like audit.record."""
    from governance import audit, auditkeys
    from governance.auditlog.models import AuditChainHead, AuditEvent

    head = audit.locked_head()
    key = auditkeys.current_key()
    targets = [
        *(("model.registered", m, m.pk) for m in models),
        *(("version.registered", v, v.model_id) for v in versions),
        *(("raci.assigned", r, r.model_id) for r in raci),
        *(("deployment.recorded", d, d.version.model_id) for d in deployments),
    ]
    events = []
    for verb, target, mlmodel_id in targets:
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=BASE_TIME + timedelta(seconds=head.last_seq),
            actor=None,
            actor_name="bench fixture",
            verb=verb,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_repr=f"{target._meta.model_name} {target.pk}",
            mlmodel_id=mlmodel_id,
            after={"id": target.pk},
            prev_hash=head.last_hash,
        )
        audit.seal(event, key)
        head.last_seq, head.last_hash = event.seq, event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=5_000)
    AuditChainHead.objects.filter(pk=1).update(
        last_seq=head.last_seq, last_hash=head.last_hash, key_id=key.key_id
    )


# --- measurement ----------------------------------------------------------------------------


@dataclass
class Sample:
    """One page as one persona: server time over N requests and the queries of one request."""

    page: str
    persona: str
    status: int
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    queries: list[dict[str, str]] | None = None

    @property
    def query_count(self) -> int:
        return len(self.queries or [])


def personas(people: People) -> dict[str, Any]:
    return {"committee": people.committee, "auditor": people.auditor, "owner": people.owners[0]}


def request_sample(client: Any, page: str, persona: str, url: str) -> Sample:
    """One warm request with its queries captured (the first fills per-process caches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return Sample(page, persona, response.status_code, queries=list(captured.captured_queries))


def timed_sample(client: Any, page: str, persona: str, url: str, args: Any) -> Sample:
    sample = request_sample(client, page, persona, url)
    if sample.status != 200:
        return sample
    for _ in range(args.warmup):
        client.get(url)
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    sample.p50_ms = statistics.median(times)
    sample.p95_ms = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return sample


def run_pages(people: People, take: Callable[..., Sample], *extra: Any) -> Iterator[Sample]:
    from django.test import Client

    detail_slug = "bench-00000"  # owned by the first owner, so every persona may see it
    for persona, user in personas(people).items():
        client = Client()
        client.force_login(user)
        for page, pattern in PAGES.items():
            yield take(client, page, persona, pattern.format(slug=detail_slug), *extra)


# --- report ---------------------------------------------------------------------------------


def print_timings(samples: list[Sample], rows: int) -> None:
    print(f"\nServer time at {rows:,} models (django.test.Client, p50/p95 over N requests)")
    print(
        f"  {'page':<15} {'persona':<10} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7}  slowest query"
    )
    for s in samples:
        if s.status != 200:
            print(f"  {s.page:<15} {s.persona:<10} HTTP {s.status}: not measured")
            continue
        slowest = max(s.queries or [], key=lambda q: float(q["time"]), default={"sql": ""})
        sql = " ".join(slowest["sql"].split())[:90]
        print(
            f"  {s.page:<15} {s.persona:<10} {s.p50_ms:>7.1f} {s.p95_ms:>7.1f} "
            f"{s.query_count:>7}  {slowest.get('time', '')}s {sql}"
        )


def print_queries(samples: list[Sample]) -> None:
    for s in samples:
        print(f"\n{s.page} as {s.persona}: {s.query_count} queries")
        for q in s.queries or []:
            print(f"  {q['time']}s {' '.join(q['sql'].split())[:160]}")


def print_growth(small: list[Sample], large: list[Sample], rows: int) -> bool | None:
    """Compare query counts page by page; None when no page could be compared."""
    print(f"\nAt {GROWTH_CHECKPOINT:,} vs {rows:,} models: queries per request, and p50")
    constant: bool | None = None
    for a, b in zip(small, large, strict=True):
        if (a.status, b.status) != (200, 200):
            print(f"  {a.page:<15} {a.persona:<10} HTTP {a.status} / {b.status}: not compared")
            continue
        same = a.query_count == b.query_count
        constant = same if constant is None else constant and same
        print(f"  {a.page:<15} {a.persona:<10} {a.query_count:>3} -> {b.query_count:<3} "
              f"{'constant' if same else 'GROWS':<9} {a.p50_ms:>6.1f} -> {b.p50_ms:.1f} ms")  # fmt: skip
        if not same:
            print_extra_queries(a, b)
    return constant


def print_extra_queries(a: Sample, b: Sample) -> None:
    """The statements the bigger run issued more often: the N+1 to fix."""
    from collections import Counter

    def shape(q: dict[str, str]) -> str:
        return " ".join(q["sql"].split())[:200]

    extra = Counter(map(shape, b.queries or [])) - Counter(map(shape, a.queries or []))
    for sql, times in extra.most_common(5):
        print(f"      +{times} x {sql}")


def print_targets(samples: list[Sample], constant: bool | None) -> None:
    lists = [s for s in samples if s.page == "inventory list" and s.status == 200]
    p50 = max((s.p50_ms for s in lists), default=None)
    print("\nTargets")
    if constant is None:
        print("  query count constant in rows: not checked (no page compared, or --reuse)")
    else:
        print(f"  query count constant in rows: {'PASS' if constant else 'FAIL'}")
    if p50 is None:
        print("  inventory list p50 < 50 ms:   not measured (page unavailable)")
    else:
        verdict = "PASS" if p50 < TARGET_P50_MS else "FAIL"
        print(f"  inventory list p50 < 50 ms:   {verdict} (worst persona {p50:.1f} ms)")


def main() -> None:
    args = parse_args()
    prepare_database(args)
    setup_django()
    from registry.models import MLModel

    people = ensure_people(args.owners)
    existing = MLModel.objects.count()
    small: list[Sample] | None = None
    if args.reuse and existing >= args.models:
        print(f"reusing {existing:,} models")
        analyze()
    else:
        from django.core.management import call_command

        if existing:
            call_command("flush", interactive=False, verbosity=0)
            people = ensure_people(args.owners)
        started = time.perf_counter()
        checkpoint = min(GROWTH_CHECKPOINT, args.models)
        fill(people, 0, checkpoint, args.versions)
        small = list(run_pages(people, timed_sample, args))
        fill(people, checkpoint, args.models, args.versions)
        print(f"filled {args.models:,} models x {args.versions} versions "
              f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    large = list(run_pages(people, timed_sample, args))
    print_timings(large, MLModel.objects.count())
    if args.show_queries:
        print_queries(large)
    constant = print_growth(small, large, args.models) if small is not None else None
    print_targets(large, constant)


if __name__ == "__main__":
    main()
