"""Gate benchmark: at 10,000 models a kept gate answer takes p99 < 5 ms; the endpoint p99 < 20 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/attest_bench .venv/bin/python bench/gate.py --reuse

The inventory comes from bench/inventory.py (its fill and helpers are imported, not copied).
A sample of the bench models is then governed THROUGH THE SERVICES (tiering assessment,
validation and deployment approvals), so the gate reads exactly what production writes; this
takes about a minute the first time and is skipped when the sample is already governed.
The gate is requested through django.test.Client with a committee member's API token (as a
pipeline calls it), round-robin over open
and closed cases, and the server time is reported as p50/p95/p99 with queries per request.
Then the answer alone (no HTTP, no authentication) is timed both ways over the same cases: kept
(`verdicts.answer_now`, every case answered once before) and fresh (`gate.check` + `as_json`,
what every request computed before answers were kept), with the queries per answer.
"""

import argparse
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import inventory

TARGET_P99_MS = 20.0
TARGET_KEPT_P99_MS = 5.0
TARGET_KEPT_QUERIES = 3
GATE_URL = "/api/v1/gate/?model={slug}&version={version}&environment=production"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=10, help="versions per model")
    parser.add_argument("--owners", type=int, default=10)
    parser.add_argument("--sample", type=int, default=200, help="models given a tier")
    parser.add_argument("--requests", type=int, default=600, help="timed gate requests")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--show-queries", action="store_true", help="print each case's queries")
    return parser.parse_args()


# --- fixture --------------------------------------------------------------------------------


def ensure_inventory(args: argparse.Namespace) -> inventory.People:
    """The 10,000-model inventory, reused when present (--reuse) and filled otherwise."""
    from django.core.management import call_command

    from registry.models import MLModel

    people = inventory.ensure_people(args.owners)
    existing = MLModel.objects.count()
    if args.reuse and existing >= args.models:
        print(f"reusing {existing:,} models")
        return people
    if existing:
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0, interactive=False)  # reloads the shipped rulebooks
        people = inventory.ensure_people(args.owners)
    started = time.perf_counter()
    inventory.fill(people, 0, args.models, args.versions)
    print(f"filled {args.models:,} models in {time.perf_counter() - started:.0f} s")
    return people


@dataclass(frozen=True)
class Case:
    kind: str  # "open", "closed: no deployment approval", "closed: no tier"
    slug: str
    version: str


def _live_version(model: Any) -> Any:
    from registry.models import Deployment

    live = Deployment.objects.filter(
        version__model=model, environment="production", ended_at__isnull=True
    ).select_related("version")
    return live.get().version


def _validator_of(model: Any) -> Any:
    from governance.access.models import RaciAssignment

    return RaciAssignment.objects.get(model=model, area="validation", role="R").user


def _govern(model: Any, approve_deployment: bool) -> None:
    """Scoped and tiered 3 through the questionnaires, evidence on every obligation, then
    validation (and deployment) approvals: what a governed model has in production."""
    from governance.approvals.services import workflow
    from governance.risk.models import Control
    from governance.risk.services import assessments, controls
    from tests.risk_answers import TIER_3, US_BANK_SCORECARD

    version, validator = _live_version(model), _validator_of(model)
    for framework, answers in (("scoping", US_BANK_SCORECARD), ("tiering", TIER_3)):
        draft = assessments.save_answers(
            actor=model.owner, framework=framework, subject=model, answers=answers
        )
        assessments.complete(actor=model.owner, draft=draft)
    for control in Control.objects.filter(model=model, applies=True):
        controls.attach_evidence(
            actor=model.owner,
            control=control,
            title=f"Evidence for {control.reference}",
            url=f"https://docs.bench.example/{control.pk}",
        )
    gates = [("validation", "")] + ([("deployment", "production")] if approve_deployment else [])
    for gate, environment in gates:
        request = workflow.open_request(
            actor=model.owner, version=version, gate=gate, environment=environment
        )
        request = workflow.submit(actor=model.owner, request=request)
        workflow.sign_off(actor=validator, request=request, role="validator", decision="approve")


def ensure_cases(args: argparse.Namespace) -> list[Case]:
    """The sample: 3/4 with open gates, 1/4 validated only; as many again never tiered."""
    from governance.approvals.models import ApprovalRequest
    from registry.models import MLModel

    models = list(
        MLModel.objects.filter(status="production").select_related("owner").order_by("pk")
    )
    governed, untouched = models[: args.sample], models[args.sample : 2 * args.sample]
    started, done = time.perf_counter(), 0
    cases = []
    for i, model in enumerate(governed):
        opens = i % 4 != 3
        if not ApprovalRequest.objects.filter(model=model).exists():
            _govern(model, approve_deployment=opens)
            done += 1
        kind = "open" if opens else "closed: no deployment approval"
        cases.append(Case(kind, model.slug, _live_version(model).version))
    if done:
        inventory.analyze()
        print(
            f"governed {done} models through the services in {time.perf_counter() - started:.0f} s"
        )
    cases += [Case("closed: no tier", m.slug, _live_version(m).version) for m in untouched]
    return cases


# --- measurement ----------------------------------------------------------------------------


@dataclass
class Timing:
    mechanism: str
    times_ms: list[float]
    queries: dict[str, list[dict[str, str]]]
    answers: Counter

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.times_ms, n=100, method="inclusive")[p - 1]


def _endpoint(client: Any) -> Any:
    """GET the real endpoint; any answer but 200 stops the bench."""

    def ask(case: Case) -> bool:
        response = client.get(GATE_URL.format(slug=case.slug, version=case.version))
        if response.status_code != 200:
            raise RuntimeError(f"{case}: HTTP {response.status_code} {response.content[:300]!r}")
        return response.json()["open"]

    return ask


def pick_mechanism(people: inventory.People) -> tuple[str, Any]:
    """A pipeline's call: token authentication, as CI/CD sends it."""
    from django.test import Client

    from governance.access.services import tokens

    _, key = tokens.issue_token(actor=people.committee, user=people.committee, name="gate bench")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    return "GET /api/v1/gate/ with a token (django.test.Client)", _endpoint(client)


def measure(ask: Any, mechanism: str, cases: list[Case], args: argparse.Namespace) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = {}
    for case in cases:  # one of each kind, warm, with its queries
        if case.kind not in queries:
            ask(case)
            with CaptureQueriesContext(connection) as captured:
                ask(case)
            queries[case.kind] = list(captured.captured_queries)
    for i in range(args.warmup):
        ask(cases[i % len(cases)])
    times, answers = [], Counter()
    for i in range(args.requests):
        case = cases[(i * 7) % len(cases)]  # stride: consecutive requests hit different models
        started = time.perf_counter()
        is_open = ask(case)
        times.append((time.perf_counter() - started) * 1000)
        answers[(case.kind, is_open)] += 1
    return Timing(mechanism, times, queries, answers)


def _answerers() -> dict[str, Any]:
    """The answer alone, kept and computed afresh."""
    from django.utils import timezone

    from governance.approvals.selectors import gate
    from governance.approvals.services import verdicts

    def fresh(version: Any) -> bool:
        at = timezone.now()
        answer, book = gate.check(version, "production", "deployment", at)
        return gate.as_json(version, "production", answer, book, at)["open"]

    def kept(version: Any) -> bool:
        return verdicts.answer_now(version, "production", "deployment")["open"]

    return {"kept": kept, "fresh": fresh}


def measure_answers(cases: list[Case], args: argparse.Namespace) -> dict[str, Timing]:
    """Each way of answering over every case: a warm pass (which keeps every answer), one
    answer per case kind under CaptureQueriesContext, then the timed answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry.models import ModelVersion

    versions = {
        (v.model.slug, v.version): v
        for v in ModelVersion.objects.select_related("model").filter(
            model__slug__in={c.slug for c in cases}
        )
    }
    asked = [(case, versions[case.slug, case.version]) for case in cases]
    timings = {}
    for name, answer in _answerers().items():
        for _, version in asked:
            answer(version)
        queries = {}
        for case, version in asked:
            if case.kind not in queries:
                with CaptureQueriesContext(connection) as captured:
                    answer(version)
                queries[case.kind] = list(captured.captured_queries)
        times, answers = [], Counter()
        for i in range(args.requests):
            case, version = asked[(i * 7) % len(asked)]
            started = time.perf_counter()
            is_open = answer(version)
            times.append((time.perf_counter() - started) * 1000)
            answers[(case.kind, is_open)] += 1
        timings[name] = Timing(f"the answer alone, {name}", times, queries, answers)
    return timings


# --- report ---------------------------------------------------------------------------------


def report(timing: Timing, models: int, show_queries: bool) -> None:
    print(f"\nGate at {models:,} models: {timing.mechanism}")
    print(f"  {len(timing.times_ms)} requests as a committee member, round-robin over the cases")
    print(f"  p50 {timing.percentile(50):.1f} ms   p95 {timing.percentile(95):.1f} ms   "
          f"p99 {timing.percentile(99):.1f} ms   max {max(timing.times_ms):.1f} ms")  # fmt: skip
    print("  answers (case, gate open): " + ", ".join(
        f"{kind} / {is_open}: {n}" for (kind, is_open), n in sorted(timing.answers.items())
    ))  # fmt: skip
    print("  queries per request:")
    for kind, queries in timing.queries.items():
        total = sum(float(q["time"]) for q in queries) * 1000
        print(f"    {kind:<32} {len(queries):>3} queries, {total:.1f} ms in the database")
    for kind, queries in timing.queries.items():
        shapes = Counter(_shape(q["sql"]) for q in queries)
        print(f"\n  {kind}: most repeated statements")
        for sql, n in shapes.most_common(8 if show_queries else 4):
            print(f"    {n:>2} x {sql}")
    if show_queries:
        for kind, queries in timing.queries.items():
            print(f"\n  {kind}: every query, slowest first")
            for q in sorted(queries, key=lambda q: -float(q["time"])):
                print(f"    {q['time']}s {' '.join(q['sql'].split())[:170]}")
    verdict = "PASS" if timing.percentile(99) < TARGET_P99_MS else "FAIL"
    print(f"\nTarget p99 < {TARGET_P99_MS:.0f} ms: {verdict} ({timing.percentile(99):.1f} ms)")


def report_answers(timings: dict[str, Timing], models: int) -> None:
    print(f"\nThe answer alone at {models:,} models (in process, no HTTP or authentication)")
    for name, timing in timings.items():
        counts = " / ".join(f"{len(q)}" for q in timing.queries.values())
        print(f"  {name:<5}  p50 {timing.percentile(50):6.2f} ms   p99 {timing.percentile(99):6.2f} ms"
              f"   queries per answer ({' / '.join(timing.queries)}): {counts}")  # fmt: skip
    kept = timings["kept"]
    most = max(len(q) for q in kept.queries.values())
    fast = "PASS" if kept.percentile(99) < TARGET_KEPT_P99_MS else "FAIL"
    few = "PASS" if most <= TARGET_KEPT_QUERIES else "FAIL"
    print(f"Target kept p99 < {TARGET_KEPT_P99_MS:.0f} ms: {fast} ({kept.percentile(99):.2f} ms)")
    print(f"Target kept queries <= {TARGET_KEPT_QUERIES}: {few} ({most})")
    if timings["fresh"].answers != kept.answers:
        raise RuntimeError(f"kept answers differ: {kept.answers} vs {timings['fresh'].answers}")


def _shape(sql: str) -> str:
    """A statement with the selected columns elided, so repeats of one query group together."""
    text = " ".join(sql.split())
    if text.startswith("SELECT") and " FROM " in text:
        text = "SELECT ... FROM " + text.split(" FROM ", 1)[1]  # noqa: S608 - printed, not run
    return text[:150]


def main() -> None:
    args = parse_args()
    inventory.prepare_database(args)
    sys.path.insert(0, str(inventory.ROOT))  # `tests.risk_answers` holds the tier 3 answers
    inventory.setup_django()
    from registry.models import MLModel

    people = ensure_inventory(args)
    cases = ensure_cases(args)
    mechanism, ask = pick_mechanism(people)
    for case in cases:  # every answer kept once, as a pipeline's first asks would keep them
        ask(case)
    timing = measure(ask, mechanism, cases, args)
    models = MLModel.objects.count()
    report(timing, models, args.show_queries)
    report_answers(measure_answers(cases, args), models)


if __name__ == "__main__":
    main()
