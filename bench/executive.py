"""Executive report benchmark: every figure of a month over 10,000 models, under 10 s.

    .venv/bin/python bench/executive.py --reuse

It runs on its own PostgreSQL database (`attest_bench_executive`, created when missing;
DATABASE_URL is ignored, so the other benches' databases and their fixtures are never touched).
The inventory comes from bench/inventory.py (its fill and helpers are imported, not copied):
10,000 models with 10 versions and two production deployments each, RACI, grants and a
hash-chained audit trail; the models and versions are then dated back to the fill's base time.
On top, written with bulk_create (the services write one row at a time with an audit event,
far too slow at this size; the rows are those the services write), over the twelve months up
to the end of the month reported:

- a tier for every model (1 in 10 re-tiered within the year), and 500 use cases of 20 models
  each with an EU AI Act category;
- a new version deployed to production for 1 in 10 models (the deployment it replaces ends then);
- two decided approval requests per model (validation, then deployment) and an open periodic
  review for every model whose status is production;
- three findings per model (high, medium, low; a third closed, a sixth accepted as a risk);
- one alert per model (drift, fairness or freshness; half of them resolved);
- a safety and a quality evaluation a month for every LLM application.

500 models also change status through the service (`update_model`, audited), so the audit
trail holds real status changes to read back. Then `reports.executive.selectors.figures(month)`
(six months, as the dashboard asks) is timed `--repeat` times, its queries captured once, and its
two halves (gather: the queries; compute: `reports.kpis`) timed apart. Prints the figures;
asserts nothing. `--reuse` keeps a database already filled.
"""

import argparse
import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import inventory

TARGET_SECONDS = 10.0
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/attest_bench_executive"
USE_CASES, MODELS_PER_USE_CASE = 500, 20
STATUS_CHANGES = 500


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=10, help="versions per model")
    parser.add_argument("--owners", type=int, default=10)
    parser.add_argument("--month", default="", help="YYYY-MM (default: the last complete month)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of figures(month)")
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("EXECUTIVE_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="its name must contain 'bench'; DATABASE_URL is ignored",
    )
    parser.add_argument("--allow-sqlite", action="store_true")
    return parser.parse_args()


def report_month(args: argparse.Namespace) -> date:
    from django.utils import timezone

    from reports import kpis

    if args.month:
        return datetime.strptime(args.month, "%Y-%m").replace(tzinfo=UTC).date()
    return kpis.add_months(timezone.localdate(), -1)


# --- fixture --------------------------------------------------------------------------------


def ensure_portfolio(args: argparse.Namespace, month: date) -> None:
    """The inventory and the governance history on top, reused when present (--reuse)."""
    from django.core.management import call_command

    from governance.findings.models import Finding
    from registry.models import MLModel

    if args.reuse and Finding.objects.count() >= 3 * args.models:
        print(f"reusing {MLModel.objects.count():,} models and their history")
        return
    if MLModel.objects.exists():
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0, interactive=False)  # reloads the shipped rulebooks
    people = inventory.ensure_people(args.owners)
    started = time.perf_counter()
    inventory.fill(people, 0, args.models, args.versions)
    print(f"filled {args.models:,} models in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    History(people, month).write()
    change_statuses(people)
    inventory.analyze()
    print(f"wrote the governance history in {time.perf_counter() - started:.0f} s")


class History:
    """A year of governance on the filled inventory, up to the end of the month reported."""

    def __init__(self, people: inventory.People, month: date) -> None:
        from registry.models import MLModel
        from reports import kpis

        following = kpis.add_months(month, 1)
        self.people = people
        self.end = datetime(following.year, following.month, 1, tzinfo=UTC)
        self.start = self.end - timedelta(days=365)
        self.rng = random.Random(7)
        self.models = list(MLModel.objects.select_related("owner").order_by("pk"))
        self.latest = self._latest_versions()

    def when(self, days: int = 365) -> datetime:
        """A moment in the last `days` days before the end of the month reported, uniformly."""
        return self.end - timedelta(seconds=self.rng.uniform(1, days * 86400))

    def _latest_versions(self) -> dict[int, Any]:
        from registry.models import ModelVersion

        latest = {}
        for version in ModelVersion.objects.order_by("model_id", "created_at", "pk"):
            latest[version.model_id] = version
        return latest

    def write(self) -> None:
        from django.db import transaction

        with transaction.atomic():
            self._date_the_inventory_back()
            self._tiers()
            self._use_cases()
            self._new_releases()
            self._approvals()
            self._reviews()
            self._findings()
            self._alerts()
            self._evaluations()

    def _date_the_inventory_back(self) -> None:
        from registry.models import MLModel, ModelVersion

        MLModel.objects.update(created_at=inventory.BASE_TIME)
        ModelVersion.objects.update(created_at=inventory.BASE_TIME)

    def _assessment(self, **fields: Any) -> Any:
        from governance.risk.models import RiskAssessment

        return RiskAssessment(
            assessed_by=self.people.owners[0], status=RiskAssessment.Status.COMPLETED, **fields
        )

    def _tiers(self) -> None:
        from governance.risk.models import Framework, RiskAssessment
        from governance.risk.rules import tiering
        from governance.rulebooks.models import Rulebook

        book = Rulebook.objects.filter(kind="tiering", status="published").first()
        rows = []
        for i, model in enumerate(self.models):
            tier = tiering.TIERS[i % 3]
            first = self._assessment(
                framework=Framework.TIERING, model=model, rulebook=book, result=tier,
                valid_from=inventory.BASE_TIME,
            )  # fmt: skip
            if i % 10 == 0:
                first.status, first.valid_to = RiskAssessment.Status.SUPERSEDED, self.when()
                rows.append(first)
                first = self._assessment(
                    framework=Framework.TIERING, model=model, rulebook=book,
                    result=tiering.TIERS[(i + 1) % 3], valid_from=first.valid_to,
                )  # fmt: skip
            rows.append(first)
        RiskAssessment.objects.bulk_create(rows, batch_size=2_000)

    def _use_cases(self) -> None:
        from governance.risk.models import Framework, RiskAssessment
        from governance.risk.rules import eu_ai_act
        from governance.rulebooks.models import Rulebook
        from registry.models import UseCase

        book = Rulebook.objects.filter(kind="eu_ai_act", status="published").first()
        cases = UseCase.objects.bulk_create(
            UseCase(
                slug=f"bench-use-{n:04d}",
                name=f"Bench use case {n}",
                business_purpose="Benchmark fixture",
                business_unit=inventory.BUSINESS_UNITS[n % 10],
                owner=self.people.owners[n % len(self.people.owners)],
            )
            for n in range(USE_CASES)
        )
        links = [
            UseCase.models.through(usecase_id=case.pk, mlmodel_id=model.pk)
            for n, case in enumerate(cases)
            for model in self.models[n * MODELS_PER_USE_CASE : (n + 1) * MODELS_PER_USE_CASE]
        ]
        UseCase.models.through.objects.bulk_create(links, batch_size=5_000)
        RiskAssessment.objects.bulk_create(
            self._assessment(
                framework=Framework.EU_AI_ACT,
                use_case=case,
                rulebook=book,
                result=eu_ai_act.SEVERITY[1:][n % 7],
                valid_from=inventory.BASE_TIME,
            )
            for n, case in enumerate(cases)
        )

    def _new_releases(self) -> None:
        """1 in 10 models ships version 99.0.0 in the last six months (after the fill's releases,
        which end in 2025), 0 to 60 days after registering it."""
        from registry.models import Deployment, ModelVersion

        releasing = self.models[::10]
        went_live = {m.pk: self.when(days=182) for m in releasing}
        versions = ModelVersion.objects.bulk_create(
            ModelVersion(
                model=m,
                version="99.0.0",
                created_by=m.owner,
                artifact_uri=f"s3://bench-models/{m.slug}/99.0.0/model.pkl",
            )
            for m in releasing
        )
        for version in versions:
            version.created_at = went_live[version.model_id] - timedelta(
                days=self.rng.uniform(0, 60)
            )
            self.latest[version.model_id] = version
        ModelVersion.objects.bulk_update(versions, ["created_at"], batch_size=1_000)
        live = Deployment.objects.filter(
            ended_at__isnull=True, environment="production", version__model__in=releasing
        ).select_related("version")
        ended = list(live)
        for deployment in ended:
            deployment.ended_at = went_live[deployment.version.model_id]
        Deployment.objects.bulk_update(ended, ["ended_at"], batch_size=1_000)
        Deployment.objects.bulk_create(
            inventory._deployment(v, went_live[v.model_id], None) for v in versions
        )

    def _approvals(self) -> None:
        from governance.approvals.models import ApprovalRequest

        rows = []
        for model in self.models:
            version = self.latest[model.pk]
            for gate, environment in (("validation", ""), ("deployment", "production")):
                decided = self.when()
                submitted = decided - timedelta(days=self.rng.uniform(0.5, 30))
                rows.append(
                    ApprovalRequest(
                        model=model,
                        version=version,
                        gate=gate,
                        environment=environment,
                        state="approved",
                        tier="tier_2",
                        requested_by=model.owner,
                        submitted_by=model.owner,
                        submitted_at=submitted,
                        review_started_at=submitted,
                        decided_at=decided,
                    )
                )
        ApprovalRequest.objects.bulk_create(rows, batch_size=2_000)

    def _reviews(self) -> None:
        from governance.approvals.models import ApprovalRequest

        rows = ApprovalRequest.objects.bulk_create(
            ApprovalRequest(
                model=model,
                version=self.latest[model.pk],
                gate="periodic_review",
                state="draft",
                due_on=(self.when() + timedelta(days=60)).date(),
            )
            for model in self.models
            if model.status == "production"
        )
        for request in rows:  # the scheduler opens a review 30 days before it falls due
            opened = request.due_on - timedelta(days=30)
            request.created_at = datetime(opened.year, opened.month, opened.day, tzinfo=UTC)
        ApprovalRequest.objects.bulk_update(rows, ["created_at"], batch_size=1_000)

    def _findings(self) -> None:
        from governance.findings.models import Finding

        rows, raised = [], []
        for i, model in enumerate(self.models):
            for j, severity in enumerate(("high", "medium", "low")):
                raised.append(self.when())
                finding = Finding(
                    model=model, title=f"Bench finding {j}", severity=severity,
                    owner=model.owner, due_on=(raised[-1] + timedelta(days=45)).date(),
                )  # fmt: skip
                self._settle(finding, raised[-1], (i + j) % 6)
                rows.append(finding)
        rows = Finding.objects.bulk_create(rows, batch_size=2_000)
        for finding, at in zip(rows, raised, strict=True):  # auto_now_add stamped them now
            finding.raised_at = at
        Finding.objects.bulk_update(rows, ["raised_at"], batch_size=1_000)

    def _settle(self, finding: Any, raised: datetime, kind: int) -> None:
        """A third closed within 40 days, a sixth accepted as a risk for 90 days, the rest open."""
        if kind in (0, 1):
            finding.status, finding.resolution = "closed", "remediated"
            finding.resolved_at = raised + timedelta(days=self.rng.uniform(1, 40))
        elif kind == 2:
            finding.status, finding.resolution = "accepted_risk", "accepted"
            finding.resolved_at = raised + timedelta(days=5)
            finding.accepted_until = (raised + timedelta(days=95)).date()

    def _alerts(self) -> None:
        from monitoring.models import Alert

        keys = ("drift:psi", "fairness:demographic_parity_difference", "freshness:days_since_data")
        rows = []
        for i, model in enumerate(self.models):
            opened = self.when()
            rows.append(
                Alert(
                    model=model,
                    version=self.latest[model.pk],
                    key=keys[i % 3],
                    severity=("critical", "warning")[i % 2],
                    state="open",
                    message="bench",
                    opened_at=opened,
                    last_seen_at=opened,
                )
            )
            if i % 2:
                rows[-1].state = "resolved"
                rows[-1].resolved_at = opened + timedelta(days=self.rng.uniform(1, 20))
        Alert.objects.bulk_create(rows, batch_size=2_000)

    def _evaluations(self) -> None:
        from monitoring.models import EvaluationResult

        rows = []
        for model in self.models:
            if model.model_type != "llm_application":
                continue
            for month in range(12):
                at = self.start + timedelta(days=30 * month + 10)
                for kind, cases in (("safety", 400), ("quality", 250)):
                    rows.append(
                        EvaluationResult(
                            version=self.latest[model.pk],
                            evaluated_at=at,
                            tool="bench",
                            recorded_by=model.owner,
                            suite=kind,
                            kind=kind,
                            cases=cases,
                            passed=cases - self.rng.randrange(0, 30),
                            cost_per_request=round(self.rng.uniform(0.001, 0.004), 5),
                        )
                    )
        EvaluationResult.objects.bulk_create(rows, batch_size=2_000)


def change_statuses(people: inventory.People) -> None:
    """Some development models move to validation through the service: audited changes."""
    from registry.models import MLModel
    from registry.services import models as model_services

    for model in MLModel.objects.filter(status="development").order_by("pk")[:STATUS_CHANGES]:
        model_services.update_model(actor=model.owner, model=model, status="validation")


# --- measurement ----------------------------------------------------------------------------


def measure(month: date, repeat: int) -> dict[str, Any]:
    """figures(month) is gather then compute: each half timed `repeat` times, warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import kpis
    from reports.executive import selectors

    selectors.figures(month)  # warm: imports, the database's caches
    with CaptureQueriesContext(connection) as captured:
        report = selectors.figures(month)
    gathers, computes = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        data = selectors.gather(month, months=selectors.TREND_MONTHS)
        gathered = time.perf_counter()
        kpis.monthly_figures(data)
        gathers.append(gathered - started)
        computes.append(time.perf_counter() - gathered)
    totals = [g + c for g, c in zip(gathers, computes, strict=True)]
    rows = sum(len(value) for value in vars(data).values() if isinstance(value, tuple))
    return {
        "report": report,
        "rows": rows - len(data.periods),
        "queries": captured.captured_queries,
        "figures(month)": totals,
        "gather": gathers,
        "compute": computes,
    }


def print_results(result: dict[str, Any], models: int) -> None:
    report = result["report"]
    print(f"\nExecutive figures for {report.period.month:%B %Y} over {models:,} models "
          f"({len(report.periods)} months, as the dashboard asks)")  # fmt: skip
    print(f"  {result['rows']:,} rows read in {len(result['queries'])} queries")
    for name in ("figures(month)", "gather", "compute"):
        times = result[name]
        print(f"  {name:<15} median {statistics.median(times):.2f} s   "
              f"best {min(times):.2f} s   worst {max(times):.2f} s")  # fmt: skip
    print("  slowest queries:")
    for q in sorted(result["queries"], key=lambda q: -float(q["time"]))[:5]:
        print(f"    {q['time']}s {' '.join(q['sql'].split())[:120]}")
    print(f"\n  {'figure':<30}{'this month':>12}{'previous':>12}{'change':>12}")
    for figure in report.figures:
        print(f"  {figure.label:<30}{figure.shown:>12}{figure.shown_previous:>12}"
              f"{figure.shown_change:>12}")  # fmt: skip
    if report.top_risks:
        top = report.top_risks[0]
        print(f"  top risk: {top.name}: {'; '.join(top.reasons)}")
    worst = max(result["figures(month)"])
    verdict = "PASS" if worst < TARGET_SECONDS else "FAIL"
    print(f"\nTarget figures(month) under {TARGET_SECONDS:.0f} s: {verdict} (worst {worst:.2f} s)")


def main() -> None:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    inventory.prepare_database(args)
    inventory.setup_django()
    from registry.models import MLModel

    month = report_month(args)
    ensure_portfolio(args, month)
    print_results(measure(month, args.repeat), MLModel.objects.count())


if __name__ == "__main__":
    main()
