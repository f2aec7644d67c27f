"""Soak run: pipelines, gate queries, the sweep and pack drawing together on the real services.

    .venv/bin/python bench/soak.py               # ten minutes, then the checks (about 13 in all)
    .venv/bin/python bench/soak.py --minutes 2   # a shorter run

On PostgreSQL (database `attest_bench_soak`, created and migrated) with Redis as the broker
(`redis://127.0.0.1:6379/14`), loopback only:

1. Through the services: a model with one version per pipeline, a service account Responsible
   for its development, its token.
2. gunicorn (4 workers of 4 threads, as docs/operations.md runs it), two Celery workers and beat
   (the sweep every 60 s) start as operations would run them; 20 s to settle. The pipelines reach gunicorn through a TCP proxy in this process that cuts
   `--drop` of the connections: half before the request reaches the server (lost), half after
   the server answered but before the client read it (the push is stored, the client does not
   know). Each request is a new connection, so every push can meet a cut.
3. For `--minutes`: 16 pipelines push 500 metric points a request, and every fifth push a bundle
   (a run with 100 points), each with its own idempotency key, retried with the same key until it
   is stored (the CLI's client: backoff on connection errors, timeouts, 429 and 5xx); 20 gate
   questions a second go straight to gunicorn; an evidence pack is asked for every minute.
   The gate is measured for 15 s before the load as the unloaded reference.
4. Then: every pipeline's points counted in the database against what it pushed (nothing lost,
   nothing doubled, no point stored twice), the audit chain verified, server errors (5xx)
   counted, packs drawn, and the p50/p99 of pushes and gate answers minute by minute.

Not a test: it prints, and exits 1 when a check fails. The servers it started are stopped
whatever happens.
"""

import argparse
import os
import random
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import ingest
import inventory

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/attest_bench_soak"
BROKER = "redis://127.0.0.1:6379/14"
MODEL = "soak-model"
ADMIN, ACCOUNT = "soak-admin", "soak-pipeline"
POINTS_PER_PUSH, POINTS_PER_BUNDLE, BUNDLE_EVERY = 500, 100, 5
UNLOADED_SECONDS = 15
SETTLE_SECONDS = 20
GATE_THREADS = 4
STATUS = re.compile(r": (\d{3}) [A-Z]")
SERVER_ERROR = re.compile(r"\b5\d\d\b")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--pipelines", type=int, default=16)
    parser.add_argument("--gate-rate", type=float, default=20.0, help="gate questions a second")
    parser.add_argument("--drop", type=float, default=0.03, help="share of connections cut")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--worker-timeout", type=int, default=120)
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--seed", type=int, default=20261207)
    return parser.parse_args()


# --- what happened, by the minute ---------------------------------------------------------------


@dataclass
class Log:
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pushes: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    gate: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    unloaded_gate: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0

    def minute(self) -> int:
        return int((time.monotonic() - self.started) // 60)

    def took(self, kind: str, seconds: float) -> None:
        with self.lock:
            getattr(self, kind)[self.minute()].append(seconds)

    def failed(self, kind: str) -> None:
        """One failure, by kind; a 5xx answer counts as a server error too."""
        with self.lock:
            self.errors[kind] += 1
            self.server_errors += bool(SERVER_ERROR.search(kind))

    def retried(self, message: str) -> None:
        """What the CLI's client says before it retries: a cut connection or a 429/5xx."""
        found = STATUS.search(message)
        self.failed(f"push retried: HTTP {found[1]}" if found else "push retried: connection cut")


# --- a proxy that cuts connections --------------------------------------------------------------


class CuttingProxy:
    """Forwards loopback connections to `upstream`, cutting a share of them: before the request
    reaches the server, or after the server answered and before the client reads the answer."""

    def __init__(self, upstream: tuple[str, int], drop: float, seed: int) -> None:
        self.upstream, self.drop = upstream, drop
        self.random = random.Random(seed)
        self.cuts: Counter[str] = Counter()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.5)
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by stop()
                return
            roll = self.random.random()
            mode = "pass" if roll >= self.drop else ("before" if roll < self.drop / 2 else "after")
            threading.Thread(target=self._serve, args=(client, mode), daemon=True).start()

    def _serve(self, client: socket.socket, mode: str) -> None:
        with client, socket.create_connection(self.upstream) as server:
            if mode == "before":
                self._cut(client, mode)
                return
            ends = {client: server, server: client}
            while True:
                ready, _, _ = select.select(list(ends), [], [], 30)
                if not ready:
                    return
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    if source is server and mode == "after":
                        self._cut(client, mode)  # the server has done the work
                        return
                    ends[source].sendall(data)

    def _cut(self, client: socket.socket, mode: str) -> None:
        self.cuts[mode] += 1
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()


# --- the fixture and the services ----------------------------------------------------------------


@dataclass
class Fixture:
    versions: list[Any]
    key: str
    admin: Any


def ensure_fixture(pipelines: int) -> Fixture:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from governance import roles
    from governance.access.services import raci, tokens
    from registry import services

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0, interactive=False)
    admin = get_user_model().objects.create(username=ADMIN)
    # The administrator also owns the model: a model's owner must hold the owner role.
    admin.groups.add(*Group.objects.filter(name__in=[roles.ADMINISTRATOR, roles.OWNER]))
    model = services.register_model(
        actor=admin,
        slug=MODEL,
        name="Soak model",
        business_unit="Benchmarks",
        model_type="classical_ml",
        intended_purpose="Receives the pushes of bench/soak.py",
    )
    versions = [
        services.register_version(actor=admin, model=model, version=str(n))
        for n in range(1, pipelines + 1)
    ]
    account = tokens.create_service_account(actor=admin, username=ACCOUNT, description="soak")
    raci.assign_raci(actor=admin, model=model, user=account, role="R", area="development")
    _, key = tokens.issue_token(actor=admin, user=account, name="bench/soak.py")
    return Fixture(versions=versions, key=key, admin=admin)


def services_env() -> dict[str, str]:
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    env |= {"ALLOWED_HOSTS": "127.0.0.1,localhost", "MONITORING_SWEEP_INTERVAL_SECONDS": "60"}
    env.pop("ATTEST_PRODUCTION", None)
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return env


def start_services(args: argparse.Namespace, stack: ExitStack) -> ingest.Server:
    env = services_env()
    celery = str(ingest.VENV_BIN / "celery")
    for n in (1, 2):
        command = [celery, "-A", "governance", "worker", "-c", "1", "-n", f"soak{n}@%h"]
        worker = ingest.start_server(f"worker{n}", command, env, "", cwd=None)
        stack.callback(worker.stop)
    schedule = Path(tempfile.mkdtemp(prefix="soak-beat-")) / "schedule"
    beat_command = [celery, "-A", "governance", "beat", "-s", str(schedule)]
    beat = ingest.start_server("beat", beat_command, env, "", cwd=None)
    stack.callback(beat.stop)
    port = ingest.free_port()
    command = [str(ingest.VENV_BIN / "gunicorn"), "governance.wsgi", "-w", str(args.workers)]
    command += ["-b", f"127.0.0.1:{port}", "--timeout", str(args.worker_timeout)]
    command += ["--threads", str(args.threads)]
    gunicorn = ingest.start_server("gunicorn", command, env, f"http://127.0.0.1:{port}", cwd=None)
    stack.callback(gunicorn.stop)
    ingest.wait_until_up(gunicorn, "/api/v1/", timeout=60)
    return gunicorn


# --- the load ------------------------------------------------------------------------------------


def client_for(url: str, key: str, log: Log) -> Any:
    from monitoring.cli.client import Client

    client = Client(url, key, attempts=6, timeout=60, backoff=0.2, progress=False, warn=log.retried)
    client.session.headers["Connection"] = "close"  # a new connection a request: each can be cut
    return client


def until_stored(log: Log, push: Callable[[], Any], deadline: float) -> bool:
    """Push with one key until it is stored (the same key each time: a replay is not a double)."""
    from monitoring.cli.errors import CliError

    begun = time.monotonic()
    while time.monotonic() < deadline:
        try:
            push()
        except CliError as exc:
            log.failed(f"push gave up, asked again: {str(exc)[:100]}")
            continue
        log.took("pushes", time.monotonic() - begun)
        return True
    return False


def pipeline(n: int, url: str, key: str, stop_at: float, log: Log, pushed: Counter[int]) -> None:
    client = client_for(url, key, log)
    path = f"/api/v1/models/{MODEL}/versions/{n}"
    t0 = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)
    step = push = 0
    grace = stop_at + 120  # a push begun before the end is finished, not dropped
    while time.monotonic() < stop_at:
        push += 1
        size = POINTS_PER_BUNDLE if push % BUNDLE_EVERY == 0 else POINTS_PER_PUSH
        steps = range(step, step + size)
        step += size
        points = {
            "name": ["soak_metric"] * size,
            "value": [0.8 + (s % 97) / 1000 for s in steps],
            "timestamp": [(t0 + timedelta(seconds=s)).isoformat() for s in steps],
            "step": list(steps),
        }
        if size == POINTS_PER_BUNDLE:
            bundle = {"source": "soak", "run": {"tracker": "soak", "external_id": f"{n}-{push}"}}
            body, where = {**bundle, "metrics": points}, f"{path}/bundles/"
        else:
            body, where = points, f"{path}/metrics/"
        key_ = f"soak-{n}-{push}"
        if until_stored(log, partial(client.post_json, where, body, key=key_), grace):
            pushed[n] += size


def gate_asker(url: str, key: str, every: float, stop_at: float, log: Log, *, kind: str) -> None:
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Token {key}"
    query = {"model": MODEL, "version": "1", "environment": "production"}
    due = time.monotonic()
    while due < stop_at:
        time.sleep(max(0.0, due - time.monotonic()))
        begun = time.monotonic()
        # A question not asked on time is skipped, not asked late: no burst once the load ends.
        due = max(due + every, begun)
        try:
            answer = session.get(f"{url}/api/v1/gate/", params=query, timeout=30)
        except requests.RequestException as exc:
            log.failed("gate: " + type(exc).__name__)
        else:
            if answer.status_code != 200:
                log.failed(f"gate: HTTP {answer.status_code}")
            elif kind == "unloaded":
                log.unloaded_gate.append(time.monotonic() - begun)
            else:
                log.took("gate", time.monotonic() - begun)


def ask_for_packs(fixture: Fixture, stop_at: float, asked: list[Any]) -> None:
    from reports.packs import services as packs

    while time.monotonic() < stop_at:
        asked.append(packs.request_pack(actor=fixture.admin, version=fixture.versions[0]))
        time.sleep(60)


def run_threads(targets: list[tuple[Callable[..., None], tuple[Any, ...]]]) -> None:
    threads = [threading.Thread(target=t, args=a, daemon=True) for t, a in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- the checks ----------------------------------------------------------------------------------


def stored_points(fixture: Fixture) -> tuple[dict[int, int], int]:
    """Points per pipeline (version label) and how many (version, metric, step) are stored twice."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.version, count(*), count(*) - count(DISTINCT (p.name, p.step, p.segment)) "
            "FROM monitoring_metricpoint p JOIN registry_modelversion v ON v.id = p.version_id "
            "WHERE v.model_id = %s GROUP BY v.version",
            [fixture.versions[0].model_id],
        )
        rows = cursor.fetchall()
    return {int(label): int(count) for label, count, _ in rows}, sum(int(r[2]) for r in rows)


def chain_intact() -> tuple[bool, str]:
    command = [str(ingest.VENV_BIN / "python"), "manage.py", "verify_audit_chain"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ingest.ROOT, check=False)  # noqa: S603
    return done.returncode == 0, (done.stdout + done.stderr).strip().splitlines()[-1:]


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(args: argparse.Namespace, log: Log, proxy: CuttingProxy, checks: dict[str, Any]) -> bool:
    print(
        f"\nSoak of {args.minutes:g} min: gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.pipelines} pipelines, {args.gate_rate:g} gate/s, "
        f"{args.drop:.0%} of pipeline connections cut ({dict(proxy.cuts)})"
    )
    print(f"load average before {checks['load_before']}, after {inventory_load()}")
    print("\nminute   pushes  p50 ms   p99 ms |   gate  p50 ms  p99 ms")
    for minute in sorted(set(log.pushes) | set(log.gate)):
        pushes, gate = log.pushes.get(minute, []), log.gate.get(minute, [])
        print(
            f"{minute:>6} {len(pushes):>8} {p(pushes, 0.5):>7.0f} {p(pushes, 0.99):>8.0f} |"
            f" {len(gate):>6} {p(gate, 0.5):>7.1f} {p(gate, 0.99):>7.1f}"
        )
    everything = [s for group in log.gate.values() for s in group]
    unloaded, loaded = p(log.unloaded_gate, 0.99), p(everything, 0.99)
    print(
        f"\ngate p99 unloaded {unloaded:.1f} ms, under load {loaded:.1f} ms "
        f"({loaded / unloaded:.1f}x)"
    )
    print("errors by kind (retried until stored):" if log.errors else "errors: none")
    for kind, count in log.errors.most_common():
        print(f"  {count:>6}  {kind}")
    outcomes = {
        "0 server errors": log.server_errors == 0,
        "0 lost or doubled points": checks["lost_or_doubled"] == 0,
        "no point stored twice": checks["twice"] == 0,
        "audit chain intact": checks["chain"][0],
        "gate p99 within 2x of unloaded": loaded <= 2 * unloaded,
        "packs drawn": checks["packs_failed"] == 0,
    }
    print(
        f"\npoints pushed {checks['pushed']:,}, stored {checks['stored']:,}; "
        f"packs asked {checks['packs']}, ready {checks['packs_ready']}, "
        f"failed {checks['packs_failed']}; chain: {' '.join(checks['chain'][1])}"
    )
    for name, ok in outcomes.items():
        print(f"  {name:<32} {'PASS' if ok else 'FAIL'}")
    return all(outcomes.values())


def inventory_load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["CELERY_BROKER_URL"] = BROKER  # this process queues the packs it asks for
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    inventory.prepare_database(args)
    inventory.setup_django()
    fixture = ensure_fixture(args.pipelines)
    log, pushed, packs_asked = Log(), Counter[int](), []
    load_before = inventory_load()
    with ExitStack() as stack:
        gunicorn = start_services(args, stack)
        proxy = CuttingProxy(
            ("127.0.0.1", int(gunicorn.url.rsplit(":", 1)[1])), args.drop, args.seed
        )
        stack.callback(proxy.stop)
        every = GATE_THREADS / args.gate_rate
        time.sleep(SETTLE_SECONDS)  # the workers and beat finish starting before the reference
        quiet_until = time.monotonic() + UNLOADED_SECONDS
        gate = (gate_asker, (gunicorn.url, fixture.key, every, quiet_until, log))
        run_threads([(lambda *a: gate[0](*a, kind="unloaded"), gate[1])] * GATE_THREADS)
        log.started = time.monotonic()
        stop_at = log.started + args.minutes * 60
        work: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
            (pipeline, (n, proxy.url, fixture.key, stop_at, log, pushed))
            for n in range(1, args.pipelines + 1)
        ]
        work += [
            (lambda *a: gate_asker(*a, kind="loaded"),
             (gunicorn.url, fixture.key, every, stop_at, log))
        ] * GATE_THREADS  # fmt: skip
        work.append((ask_for_packs, (fixture, stop_at, packs_asked)))
        run_threads(work)
        packs_ready, packs_failed = wait_for_packs(packs_asked)
    stored, twice = stored_points(fixture)
    checks = {
        "load_before": load_before,
        "pushed": sum(pushed.values()),
        "stored": sum(stored.values()),
        "lost_or_doubled": sum(abs(stored.get(n, 0) - pushed[n]) for n in pushed),
        "twice": twice,
        "chain": chain_intact(),
        "packs": len(packs_asked),
        "packs_ready": packs_ready,
        "packs_failed": packs_failed,
    }
    sys.exit(0 if report(args, log, proxy, checks) else 1)


def wait_for_packs(asked: list[Any], timeout: float = 300) -> tuple[int, int]:
    """How many of the packs asked for were drawn, and how many failed, once none is pending."""
    from reports.models import EvidencePack

    ids = [pack.pk for pack in asked]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = Counter(EvidencePack.objects.filter(pk__in=ids).values_list("status", flat=True))
        if not states.keys() - {EvidencePack.Status.READY, EvidencePack.Status.FAILED}:
            break
        time.sleep(2)
    return states[EvidencePack.Status.READY], states[EvidencePack.Status.FAILED]


if __name__ == "__main__":
    main()
