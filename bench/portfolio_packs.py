"""Portfolio packs: the evidence packs of N Tier 1 models in production, drawn by 1 and 2 real
Celery workers, zipped with their manifest; target 200 packs with 2 workers under 4 minutes.

    .venv/bin/python bench/portfolio_packs.py                 # builds 200 models (minutes)
    .venv/bin/python bench/portfolio_packs.py --reuse         # times only
    .venv/bin/python bench/portfolio_packs.py --models 20     # a quick look

On its own PostgreSQL database (`attest_bench_portfolio`, created when missing;
`--database-url` names another) and Redis database 13 as the broker. The fixture is written
through the services: each model registered, scoped and tiered Tier 1 with evidence on every
obligation, a version deployed to production. Each run asks for the portfolio pack of every
Tier 1 model in production as of a new instant (so no pack is reused), with `--workers`
worker processes started here (`celery worker --concurrency=1` each), and prints the time
from the ask to the zip, packs a minute, and the zip's size. Prints the figures; asserts nothing.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import inventory

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/attest_bench_portfolio"
BROKER = "redis://127.0.0.1:6379/13"
TARGET_SECONDS = 240.0
TARGET_PACKS = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=TARGET_PACKS)
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[1, 2], help="none: only build the fixture"
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already built fixture")
    parser.add_argument("--database-url", default=os.environ.get("PORTFOLIO_DATABASE_URL"))
    parser.add_argument("--allow-sqlite", action="store_true")
    return parser.parse_args()


def build_fixture(people: inventory.People, count: int) -> None:
    """`count` Tier 1 models live in production, through the services (each write audited)."""
    from registry.models import MLModel

    have = MLModel.objects.filter(slug__startswith="portfolio-").count()
    started = time.perf_counter()
    for i in range(have, count):
        _governed_model(people, i)
    if count > have:
        inventory.analyze()
        print(f"fixture: {count - have} models built in {time.perf_counter() - started:.0f} s")


def _governed_model(people: inventory.People, i: int) -> None:
    from governance import roles
    from governance.access.services import raci
    from governance.risk.models import Control
    from governance.risk.services import controls
    from registry import services as registry
    from tests.risk_answers import TIER_1, US_BANK_SCORECARD, assess

    owner = people.owners[i % len(people.owners)]
    head = inventory._user("bench-head-of-validation", roles.HEAD_OF_VALIDATION)
    model = registry.register_model(
        actor=owner,
        slug=f"portfolio-{i:04d}",
        name=f"Portfolio model {i:04d}",
        business_unit=f"Unit {i % 5}",
        model_type="classical_ml",
    )
    raci.assign_raci(
        actor=head,
        model=model,
        user=people.validators[i % len(people.validators)],
        role="R",
        area="validation",
    )
    assess(owner, model, "scoping", US_BANK_SCORECARD)
    assess(owner, model, "tiering", TIER_1)
    for control in Control.objects.filter(model=model, applies=True).order_by("pk")[:10]:
        controls.attach_evidence(
            actor=owner, control=control, title="Policy", url=f"https://docs.example/{i}"
        )
    version = registry.register_version(actor=owner, model=model, version="1.0")
    registry.record_deployment(actor=owner, version=version, environment="production")


def _start_workers(count: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "DB_CONN_MAX_AGE": "0"}
    command = [sys.executable, "-m", "celery", "-A", "governance", "worker", "--pool=solo"]
    return [
        subprocess.Popen(  # noqa: S603 - this interpreter running Celery, fixed arguments
            [*command, "--loglevel=warning", "-n", f"bench{n}@%h"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]


def run_once(auditor: Any, workers: int, count: int, instant: Any) -> None:
    from reports.models import PortfolioPack
    from reports.packs import selectors, services

    processes = _start_workers(workers)
    try:
        time.sleep(5)  # the workers connect to the broker
        started = time.perf_counter()
        portfolio = services.request_portfolio(
            actor=auditor, selection=selectors.Selection(tiers=("tier_1",)), as_of=instant
        )
        asked = time.perf_counter() - started
        while True:
            portfolio.refresh_from_db()
            if not portfolio.is_busy:
                break
            time.sleep(0.5)
        took = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    packs = portfolio.packs.count()
    print(
        f"  {workers} worker(s): {packs} packs in {took:.1f} s ({packs / took * 60:.1f} a minute;"
        f" the ask itself {asked:.1f} s), {portfolio.get_status_display().lower()},"
        f" zip {(portfolio.size or 0) / 2**20:.1f} MiB"
    )
    if workers == 2 and packs >= TARGET_PACKS:
        verdict = "PASS" if took < TARGET_SECONDS and portfolio.status == "ready" else "FAIL"
        print(
            f"  target {TARGET_PACKS} packs with 2 workers under {TARGET_SECONDS:.0f} s: {verdict}"
        )
    if portfolio.status != PortfolioPack.Status.READY:
        print(f"  error: {portfolio.error}")


def main() -> None:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url or DEFAULT_DATABASE_URL
    os.environ["CELERY_BROKER_URL"] = BROKER
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    inventory.prepare_database(args)
    inventory.setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    if not args.reuse:
        call_command("flush", verbosity=0, interactive=False)
    people = inventory.ensure_people(owner_count=10)
    build_fixture(people, args.models)
    print(f"machine load before: {os.getloadavg()}")
    for offset, workers in enumerate(args.workers, start=1):
        # A new instant each run, after the fixture: no pack is reused.
        instant = timezone.now() - timedelta(microseconds=offset)
        run_once(people.auditor, workers, args.models, instant)
    print(f"machine load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
