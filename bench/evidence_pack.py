"""Evidence-pack benchmark: one version's pack over a long history, under 5 s and 500 MiB;
with --demo, the pack of every demo model's newest version, under 2 s each (issue 23).

    .venv/bin/python bench/evidence_pack.py            # builds its fixture (about a minute)
    .venv/bin/python bench/evidence_pack.py --reuse    # times only
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/evidence_pack.py --demo

On its own PostgreSQL database (`attest_bench_pack`, created when missing; `--database-url` or
`PACK_DATABASE_URL` name another, `DATABASE_URL` is ignored so the other benches' databases are
never touched). The fixture is written THROUGH THE SERVICES (each write checked and audited, as
in production), dated in the past with time_machine: one model with the shipped rulebooks,
scoped and tiered, evidence on every obligation, 10 versions each deployed to production after
the one before, 5 metric policies, 100,000 metric points on the latest version over the last 90
days (written by `monitoring.services.point_store.write`, the COPY ingestion ends with), 50
findings raised by the model's Responsible validator, half of them remediated, and RACI changes
until the model's audit trail holds 500 events.

Times, in one process, `--repeat` (3) runs each: `assembly.assemble` (the data), the template
render to HTML, WeasyPrint alone on that HTML (the options `render.render_pack` uses) and the
whole `render.build`; peak RSS of each phase (Linux VmHWM, reset first) and of the process
(`getrusage`), and the Python allocations of one `build` (tracemalloc). `--profile` prints the
slowest functions of one `build` under cProfile. Prints the figures; asserts nothing.

`--demo` reads the database `DATABASE_URL` names (one `seed_demo` filled; nothing is written)
and draws the pack of each model's newest version `--repeat` times as of one instant (the
newest audit event, so a later run on the same database draws the same packs; `--as-of` names
another): per model the median seconds of `render.build` and of its phases (queries and
assembly, charts, HTML, WeasyPrint layout, PDF writing), then hashing and verifying the PDF.
`--save DIR` keeps each PDF as DIR/<slug>.pdf, or, where that file is there already, says
whether the new one has the same bytes (what a change to the drawing must keep).
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import inventory
from drift import peak_rss_mb, reset_peak_rss

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/attest_bench_pack"
SLUG = "bench-pack"
VERSIONS = 10
VERSION_SPACING = timedelta(days=12)
METRICS = {  # name: (direction, warning, critical, typical value)
    "auc": ("higher", 0.80, 0.78, 0.83),
    "gini": ("higher", 0.60, 0.56, 0.66),
    "ks_statistic": ("higher", 0.40, 0.35, 0.45),
    "default_rate": ("lower", 0.04, 0.05, 0.03),
    "approval_rate": ("higher", 0.50, 0.45, 0.58),
}
POINTS = 100_000
FINDINGS = 50
AUDIT_EVENTS = 500
TARGET_SECONDS = 5.0
TARGET_MIB = 500.0
TARGET_ASSEMBLY_SHARE = 0.2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep an already built fixture")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each phase")
    parser.add_argument("--profile", action="store_true", help="cProfile one build")
    parser.add_argument("--database-url", default=os.environ.get("PACK_DATABASE_URL"))
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--demo", action="store_true", help="every demo model, DATABASE_URL")
    parser.add_argument("--as-of", help="--demo: the packs' instant (ISO; newest event)")
    parser.add_argument("--save", help="--demo: keep (or compare with) the PDFs in this folder")
    parser.add_argument("--only", nargs="*", default=[], help="--demo: these model slugs only")
    return parser.parse_args()


# --- fixture --------------------------------------------------------------------------------


def build_fixture(people: inventory.People) -> Any:
    """The model, through the services, with its history dated back from now."""
    import time_machine
    from django.utils import timezone

    from governance.rulebooks import services as rulebooks
    from registry.models import MLModel

    if model := MLModel.objects.filter(slug=SLUG).first():
        return model
    started = time.perf_counter()
    now = timezone.now()
    first = now - VERSION_SPACING * (VERSIONS - 1) - timedelta(days=95)
    owner, validator = people.owners[0], people.validators[0]
    with time_machine.travel(first - timedelta(days=5), tick=False):
        rulebooks.load_shipped()
        model = _governed_model(owner, people.developers[0], validator)
    for i in range(VERSIONS):
        with time_machine.travel(first + VERSION_SPACING * i, tick=False):
            _release(owner, model, i)
    _write_points(owner, model, now)
    _raise_findings(owner, validator, model, first)
    _top_up_audit(owner, model, people)
    inventory.analyze()
    print(f"fixture built through the services in {time.perf_counter() - started:.0f} s")
    return model


def _governed_model(owner: Any, developer: Any, validator: Any) -> Any:
    from governance import roles
    from governance.access.services import raci
    from governance.risk.models import Control
    from governance.risk.services import controls
    from registry import services as registry
    from tests.risk_answers import TIER_1, US_BANK_SCORECARD, assess

    model = registry.register_model(
        actor=owner,
        slug=SLUG,
        name="Bench retail PD scorecard",
        business_unit="Retail Credit Risk",
        model_type="classical_ml",
        intended_purpose="Probability of default for unsecured retail loans",
    )
    # The owner names the developer; a head of validation appoints the validator (independence).
    head = inventory._user("bench-head-of-validation", roles.HEAD_OF_VALIDATION)
    raci.assign_raci(actor=owner, model=model, user=developer, role="R", area="development")
    raci.assign_raci(actor=head, model=model, user=validator, role="R", area="validation")
    assess(owner, model, "scoping", US_BANK_SCORECARD)
    assess(owner, model, "tiering", TIER_1)
    for control in Control.objects.filter(model=model, applies=True).order_by("pk"):
        controls.attach_evidence(
            actor=owner,
            control=control,
            title=f"Evidence for {control.reference}",
            url=f"https://docs.example/evidence/{control.pk}",
        )
    return model


def _release(owner: Any, model: Any, index: int) -> None:
    from django.utils import timezone

    from registry import services as registry

    version = registry.register_version(actor=owner, model=model, version=f"1.{index}")
    registry.record_deployment(
        actor=owner,
        version=version,
        environment="production",
        endpoint="https://scoring.example/pd",
        started_at=timezone.now() + timedelta(hours=1),
    )


def _write_points(owner: Any, model: Any, now: datetime) -> None:
    """100,000 points on the latest version, evenly over the last 90 days, 5 metrics."""
    import numpy as np
    import pandas as pd
    from django.db import transaction

    from monitoring.services import point_store, policies

    version = model.versions.order_by("-created_at").first()
    per_metric = POINTS // len(METRICS)
    rng = np.random.default_rng(7)
    start = now - timedelta(days=90)
    stamps = pd.date_range(start, now - timedelta(minutes=1), periods=per_metric)
    with transaction.atomic():
        for name, (direction, warning, critical, typical) in METRICS.items():
            frame = pd.DataFrame(
                {
                    "name": name,
                    "value": typical + rng.normal(0, 0.01, per_metric),
                    "step": None,
                    "timestamp": stamps,
                    "segment": "",
                    "tags": None,
                }
            )
            point_store.write(frame, version_id=version.pk, batch_id=None)
            policies.set_policy(
                actor=owner,
                model=model,
                signal="metric",
                measure=name,
                direction=direction,
                warning=warning,
                critical=critical,
            )


def _raise_findings(owner: Any, validator: Any, model: Any, first: datetime) -> None:
    """Findings over the versions' life up to FINDINGS (the gate's breach findings count);
    every other one remediated, a quarter closed."""
    import time_machine

    from governance.findings import services as findings
    from governance.findings.models import Finding

    span = (VERSION_SPACING * (VERSIONS - 1)).total_seconds()
    versions = list(model.versions.order_by("created_at"))
    for i in range(FINDINGS - Finding.objects.filter(model=model).count()):
        at = first + timedelta(seconds=span * i / FINDINGS, hours=2)
        with time_machine.travel(at, tick=False):
            found = findings.raise_finding(
                actor=validator,
                model=model,
                title=f"Finding {i:02d}: weak discrimination in segment {i % 7}",
                severity=("high", "medium", "low")[i % 3],
                owner=owner,
                due_on=at.date() + timedelta(days=60),
                version=versions[min(i * VERSIONS // FINDINGS, VERSIONS - 1)],
                description="Out-of-time AUC below the development sample's by more than 5 pp.",
            )
        if i % 2:
            continue
        with time_machine.travel(at + timedelta(days=3), tick=False):
            found = findings.start_remediation(actor=owner, finding=found, plan="Refit the bins.")
        if i % 4 == 0:
            with time_machine.travel(at + timedelta(days=20), tick=False):
                findings.close_finding(actor=validator, finding=found, resolution="Refitted.")


def _top_up_audit(owner: Any, model: Any, people: inventory.People) -> None:
    """Informed RACI entries given and taken back until the trail holds AUDIT_EVENTS events."""
    from governance.access.services import raci
    from governance.auditlog.models import AuditEvent

    events = AuditEvent.objects.filter(mlmodel_id=model.pk)
    readers = people.owners[1:] + people.developers[1:]
    i = 0
    while events.count() < AUDIT_EVENTS:
        user = readers[i % len(readers)]
        given = raci.assign_raci(actor=owner, model=model, user=user, role="I", area="monitoring")
        raci.remove_raci(actor=owner, assignment=given)
        i += 1


# --- timing ---------------------------------------------------------------------------------


@contextmanager
def html_spy(captured: list[tuple[str, float]]) -> Iterator[None]:
    """Time `render_pack`'s template render and keep its HTML, by wrapping the call it makes."""
    from reports.packs import render

    real = render.render_to_string

    def timed(*args: Any, **kwargs: Any) -> str:
        started = time.perf_counter()
        html = real(*args, **kwargs)
        captured.append((html, time.perf_counter() - started))
        return html

    render.render_to_string = timed
    try:
        yield
    finally:
        render.render_to_string = real


def weasyprint_alone(pack: Any, data: Any, html: str) -> bytes:
    """The final HTML through WeasyPrint with `render_pack`'s options and attachments."""
    import weasyprint
    from django.conf import settings

    from reports.packs import render

    header = render.pack_header(pack, data)
    attached = [render._embedded(f, pack.as_of) for f in render.attachments_of(header, data)]
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-3b", pdf_identifier=pack.pack_id.hex.encode(), attachments=attached
    )


def timed(runs: int, step: Callable[[], Any]) -> tuple[list[float], float, Any]:
    """Wall times of `runs` calls, the peak RSS over them (MiB) and the last result."""
    reset_peak_rss()
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = step()
        seconds.append(time.perf_counter() - started)
    return seconds, peak_rss_mb(), result


def traced_peak_mib(step: Callable[[], Any]) -> float:
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def profile(step: Callable[[], Any]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(step)
    print("\ncProfile of one build (cumulative, top 30):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)


def describe(label: str, seconds: list[float], peak: float) -> None:
    print(f"  {label:<26} best {min(seconds):6.3f} s   median {statistics.median(seconds):6.3f} s"
          f"   peak RSS {peak:5.0f} MiB")  # fmt: skip


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def measure(model: Any, args: argparse.Namespace) -> None:
    from django.utils import timezone
    from pypdf import PdfReader

    from governance.auditlog.models import AuditEvent
    from governance.findings.models import Finding
    from monitoring.models import MetricPoint
    from reports.models import EvidencePack, pack_id_for
    from reports.packs import assembly, render

    version = model.versions.order_by("-created_at").first()
    as_of = timezone.now()
    # Not saved: build reads the pack's version, instant and id only.
    pack = EvidencePack(version=version, as_of=as_of, pack_id=pack_id_for(version.pk, as_of))
    print(f"model {model.slug}: {model.versions.count()} versions, "
          f"{MetricPoint.objects.filter(version=version).count():,} metric points on {version.version}, "
          f"{Finding.objects.filter(model=model).count()} findings, "
          f"{AuditEvent.objects.filter(mlmodel_id=model.pk).count()} audit events "
          f"(chain {AuditEvent.objects.count():,} events)")  # fmt: skip

    render.build(pack)  # warm: imports, templates, fonts
    assembled, assembly_peak, data = timed(args.repeat, lambda: assembly.assemble(version, as_of))
    captured: list[tuple[str, float]] = []
    with html_spy(captured):
        built, build_peak, rendered = timed(args.repeat, lambda: render.build(pack))
    html = captured[-1][0]
    alone, alone_peak, _ = timed(args.repeat, lambda: weasyprint_alone(pack, data, html))
    traced = traced_peak_mib(lambda: render.build(pack))

    pages = len(PdfReader(io.BytesIO(rendered.pdf)).pages)
    print(f"\nEvidence pack of {model.slug} {version.version}, {args.repeat} runs each")
    describe("assemble (data)", assembled, assembly_peak)
    describe("template to HTML", [s for _, s in captured], build_peak)
    describe("WeasyPrint alone", alone, alone_peak)
    describe("render.build (whole)", built, build_peak)
    print(
        f"  PDF: {pages} pages, {len(rendered.pdf) / 2**20:.2f} MiB; HTML {len(html) / 2**10:,.0f} KiB"
    )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process peak RSS (getrusage, fixture included) {maxrss:,.0f} MiB; "
          f"Python allocations of one build (tracemalloc) peak {traced:,.0f} MiB")  # fmt: skip

    total, data_time = statistics.median(built), statistics.median(assembled)
    share = data_time / total
    print("\nTargets")
    print(f"  total under {TARGET_SECONDS:.0f} s:            {verdict(total < TARGET_SECONDS)} "
          f"(median {total:.2f} s)")  # fmt: skip
    print(f"  peak under {TARGET_MIB:.0f} MiB:        {verdict(build_peak < TARGET_MIB)} "
          f"({build_peak:.0f} MiB RSS during build)")  # fmt: skip
    print(f"  assembly under 1/5 of total: {verdict(share < TARGET_ASSEMBLY_SHARE)} "
          f"({share:.1%}: {data_time:.2f} of {total:.2f} s)")  # fmt: skip
    if args.profile:
        profile(lambda: render.build(pack))


# --- every demo model (--demo) ---------------------------------------------------------------

DEMO_TARGET_SECONDS = 2.0
PHASES = ("assembly", "charts", "html", "layout", "pdf write")
# Wall seconds of each phase, of the whole build, then its CPU seconds (this process's, what a
# shared machine's load changes least), then hashing and verifying the PDF it drew.
COLUMNS = (*PHASES, "other", "build", "build cpu", "hash+vrfy")


@contextmanager
def phase_spy(spent: dict[str, float]) -> Iterator[None]:
    """Add the time of each phase of `render.build` to `spent`, by wrapping the calls it makes;
    a call made inside another timed one counts for the outer one only."""
    from weasyprint import HTML
    from weasyprint.document import Document

    from monitoring import charts
    from reports.packs import assembly, render, summary

    wrapped = [
        (assembly, "assemble", "assembly"),
        (render, "pack_header", "assembly"),
        (summary, "summarise", "assembly"),
        (charts, "metric_over_time", "charts"),
        (charts, "drift_by_feature", "charts"),
        (charts, "fairness_by_group", "charts"),
        (render, "render_to_string", "html"),
        (HTML, "render", "layout"),
        (Document, "write_pdf", "pdf write"),
    ]
    inside = [False]

    def spy(real: Callable[..., Any], phase: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if inside[0]:
                return real(*args, **kwargs)
            inside[0] = True
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - started
                inside[0] = False

        return call

    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in wrapped]
    for (owner, name, phase), (_, _, real) in zip(wrapped, originals, strict=True):
        setattr(owner, name, spy(real, phase))
    try:
        yield
    finally:
        for owner, name, real in originals:
            setattr(owner, name, real)


def demo_as_of(args: argparse.Namespace) -> datetime:
    from django.db.models import Max

    from governance.auditlog.models import AuditEvent

    if args.as_of:
        return datetime.fromisoformat(args.as_of)
    return AuditEvent.objects.aggregate(last=Max("occurred_at"))["last"]


def kept_or_compared(folder: str, slug: str, pdf: bytes) -> str:
    from pathlib import Path

    path = Path(folder) / f"{slug}.pdf"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
        return "kept"
    return "same bytes" if path.read_bytes() == pdf else "DIFFERENT BYTES"


def measure_demo(args: argparse.Namespace) -> None:
    from pypdf import PdfReader

    from registry.models import MLModel
    from reports.models import EvidencePack, pack_id_for
    from reports.packs import manifest, render, verify

    as_of = demo_as_of(args)
    models = list(MLModel.objects.order_by("slug"))
    models = [m for m in models if m.slug in args.only] if args.only else models
    print(f"{len(models)} demo models, packs as of {as_of.isoformat()}, {args.repeat} runs each;"
          " median seconds")  # fmt: skip
    header = "  ".join(f"{p:>9}" for p in COLUMNS)
    print(f"{'model':<34}{'pages':>5}  {header}")
    warmed, totals, cpu_totals = False, [], []
    profiler = cProfile.Profile() if args.profile else None
    for model in models:
        version = model.versions.order_by("-created_at", "-pk").first()
        if version is None or version.created_at > as_of:
            continue
        # Not saved: build reads the pack's version, instant and id only.
        pack = EvidencePack(version=version, as_of=as_of, pack_id=pack_id_for(version.pk, as_of))
        if not warmed:
            render.build(pack)  # imports, templates, fonts
            warmed = True
        runs: list[dict[str, float]] = []
        for _ in range(args.repeat):
            spent: dict[str, float] = {}
            with phase_spy(spent):
                started, cpu = time.perf_counter(), time.process_time()
                rendered = render.build(pack)
                spent["build"] = time.perf_counter() - started
                spent["build cpu"] = time.process_time() - cpu
            started = time.perf_counter()
            manifest.sha256_hex(rendered.pdf)
            verify.verify_pack(rendered.pdf)  # says "no record": the pack is not saved
            spent["hash+vrfy"] = time.perf_counter() - started
            spent["other"] = spent["build"] - sum(spent.get(p, 0.0) for p in PHASES)
            runs.append(spent)
        if profiler is not None:
            profiler.runcall(render.build, pack)
        median = {k: statistics.median(r.get(k, 0.0) for r in runs) for k in runs[0]}
        totals.append(median["build"])
        cpu_totals.append(median["build cpu"])
        pages = len(PdfReader(io.BytesIO(rendered.pdf)).pages)
        cells = "  ".join(f"{median.get(p, 0.0):9.3f}" for p in COLUMNS)
        saved = f"  {kept_or_compared(args.save, model.slug, rendered.pdf)}" if args.save else ""
        print(f"{model.slug[:33]:<34}{pages:>5}  {cells}{saved}")
    print(f"\nper pack: median {statistics.median(totals):.2f} s, slowest {max(totals):.2f} s, "
          f"all {sum(totals):.1f} s; target every pack under {DEMO_TARGET_SECONDS:.0f} s: "
          f"{verdict(max(totals) < DEMO_TARGET_SECONDS)}")  # fmt: skip
    print(f"CPU per pack: median {statistics.median(cpu_totals):.2f} s, "
          f"slowest {max(cpu_totals):.2f} s")  # fmt: skip
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if profiler is not None:
        print("\ncProfile of one build of each model (top 40 by own time):")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(60)


def main() -> None:
    args = parse_args()
    if args.demo:
        # The demo database as it is: read only, so neither the bench's name check nor a flush.
        os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
        inventory.setup_django()
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        measure_demo(args)
        return
    os.environ["DATABASE_URL"] = args.database_url or DEFAULT_DATABASE_URL
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    inventory.prepare_database(args)
    inventory.setup_django()
    # WeasyPrint warns of every SVG property of the charts (about 1,000 a pack): kept off screen.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    if not args.reuse:
        from django.core.management import call_command

        call_command("flush", verbosity=0, interactive=False)
    people = inventory.ensure_people(owner_count=10)
    model = build_fixture(people)
    measure(model, args)


if __name__ == "__main__":
    main()
