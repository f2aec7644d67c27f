"""Ingestion benchmark: 1,000,000 metric points through the HTTP API, against MLflow and raw COPY.

    .venv/bin/python bench/ingest.py          # about six minutes on 2 CPUs (MLflow: four)

One run, on PostgreSQL (database `attest_bench_ingest`, created and migrated when missing):

1. The fixture goes through the services: an administrator registers a model and a version,
   creates a service account, makes it Responsible for development and issues it a token.
2. A real gunicorn (4 workers, DEBUG off) serves Attest; the points are POSTed as columnar JSON
   to /api/v1/models/<m>/versions/<v>/metrics/ as one 1,000,000-point request (the worker's
   peak RSS is sampled while it runs), by one client in chunks, and by 4 concurrent clients.
3. An MLflow tracking server (4 workers) on the same PostgreSQL gets the same points through
   `MlflowClient.log_batch`, 1,000 a request (MLflow's limit), from one and from 4 clients.
4. The same rows are written straight into monitoring_metricpoint with psycopg 3's COPY.

`--format arrow` sends Arrow IPC streams (real timestamps) instead of columnar JSON.

It prints the rates and the ratios against the targets (Attest >= 20x MLflow; >= 1.5x raw COPY
for JSON, >= 5x for Arrow; worker peak < 1 GiB). Not a test: nothing is asserted. The servers it started are stopped
and the points it wrote are deleted, whatever happens.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import inventory

ROOT = inventory.ROOT
VENV_BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/attest_bench_ingest"
MLFLOW_DATABASE = "attest_bench_mlflow"
MODEL_SLUG = "bench-ingest"
VERSION = "1"
ACCOUNT = "bench-pipeline"
ADMIN = "bench-admin"
METRIC_NAMES = 20
MLFLOW_BATCH = 1_000  # MLflow refuses more than 1,000 metrics in one log_batch
MEMORY_LIMIT = 2**30
TARGET_MLFLOW_RATIO = 20.0
# Issue 23's targets against a raw row-per-point COPY: storing one row per point can never pass
# its own COPY, so these are met only by a columnar layout.
TARGET_COPY_RATIO = {"json": 1.5, "arrow": 5.0}
COPY_COLUMNS = ("version_id", "batch_id", "name", "value", "step", "timestamp", "segment", "tags")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=100_000, help="points per HTTP request")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument(
        "--mlflow-points",
        type=int,
        default=None,
        help="points sent to MLflow per case (default: all of --points, about 4 minutes on "
        "2 CPUs); a subset's rate is reported as MLflow's, though MLflow speeds up over a run",
    )
    parser.add_argument("--skip-mlflow", action="store_true", help="no MLflow comparison")
    parser.add_argument(
        "--format",
        choices=("json", "arrow"),
        default="json",
        help="the body Attest is sent: columnar JSON, or an Arrow IPC stream with real timestamps",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database as it is (default: flush it first) and reuse the fixture",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn and MLflow workers")
    parser.add_argument(
        "--worker-timeout", type=int, default=60, help="gunicorn --timeout (docs/operations.md)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("INGEST_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database for Attest (its name must contain 'bench'); "
        "DATABASE_URL is ignored so that the inventory bench database is never flushed",
    )
    args = parser.parse_args()
    args.allow_sqlite = False  # inventory.prepare_database: COPY needs PostgreSQL
    return args


# --- the points -----------------------------------------------------------------------------


@dataclass
class Points:
    """N points as columns: 20 metric names x N/20 steps, one second apart, step-major."""

    name: list[str]
    value: list[float]
    step: list[int]
    timestamp: list[str]  # ISO 8601 with Z, as a pipeline writes them
    moment: list[datetime]  # the same instants, for COPY
    millis: list[int]  # the same instants, for MLflow

    def __len__(self) -> int:
        return len(self.name)

    def columns(self, start: int = 0, stop: int | None = None) -> dict[str, list[Any]]:
        window = slice(start, stop)
        return {
            "name": self.name[window],
            "value": self.value[window],
            "timestamp": self.timestamp[window],
            "step": self.step[window],
        }

    def arrow(self, start: int = 0, stop: int | None = None) -> bytes:
        """The window as an Arrow IPC stream, timestamps as Arrow timestamps (UTC)."""
        import pyarrow as pa
        from pyarrow import ipc

        window = slice(start, stop)
        table = pa.table(
            {
                "name": pa.array(self.name[window], pa.string()),
                "value": pa.array(self.value[window], pa.float64()),
                "timestamp": pa.array(self.moment[window], pa.timestamp("us", tz="UTC")),
                "step": pa.array(self.step[window], pa.int64()),
            }
        )
        sink = pa.BufferOutputStream()
        with ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return bytes(sink.getvalue().to_pybytes())

    def body(self, fmt: str, start: int = 0, stop: int | None = None) -> tuple[bytes, str]:
        """The window as a request body in `fmt` and its Content-Type."""
        if fmt == "arrow":
            return self.arrow(start, stop), "application/vnd.apache.arrow.stream"
        return json.dumps(self.columns(start, stop)).encode(), "application/json"

    def subset(self, keep: Sequence[int]) -> "Points":
        return Points(*([column[i] for i in keep] for column in vars(self).values()))

    def per_client(self, clients: int) -> list["Points"]:
        """Split by metric name (client c sends names c, c+clients, ...), so no two clients
        write the same metric: MLflow's latest_metrics upsert would otherwise collide."""
        index = {name: i for i, name in enumerate(dict.fromkeys(self.name))}
        owner = [index[name] % clients for name in self.name]
        return [self.subset([i for i, c in enumerate(owner) if c == k]) for k in range(clients)]


def make_points(count: int) -> Points:
    names = [f"bench_metric_{k:02d}" for k in range(METRIC_NAMES)]
    steps = -(-count // METRIC_NAMES)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=steps + 3600)
    instants = [start + timedelta(seconds=s) for s in range(steps)]
    texts = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in instants]
    millis = [int(t.timestamp() * 1000) for t in instants]
    rng = random.Random(5)
    step_of = [s for s in range(steps) for _ in names][:count]
    return Points(
        name=(names * steps)[:count],
        value=[round(rng.random(), 6) for _ in range(count)],
        step=step_of,
        timestamp=[texts[s] for s in step_of],
        moment=[instants[s] for s in step_of],
        millis=[millis[s] for s in step_of],
    )


# --- timing ---------------------------------------------------------------------------------


@dataclass
class Rate:
    label: str
    points: int
    requests: int
    seconds: float
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.points / self.seconds if self.seconds else 0.0


def run_clients(work: Sequence[Callable[[], int]]) -> tuple[int, float]:
    """Run each callable in its own thread at once; total requests and wall seconds."""
    results: list[int] = [0] * len(work)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            results[i] = work[i]()
        except BaseException as exc:  # reported by the caller, never swallowed
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(work))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return sum(results), elapsed


# --- database and fixture -------------------------------------------------------------------


@dataclass
class Fixture:
    version_id: int
    token: Any
    key: str
    path: str


def connection_params() -> dict[str, Any]:
    import dj_database_url

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    return {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "dbname": config["NAME"],
    }


def ensure_fixture(reuse: bool) -> Fixture:
    """Model, version, service account, RACI and token, all through the services."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from governance import roles
    from governance.access.models import RaciAssignment
    from governance.access.services import raci, tokens
    from registry import services
    from registry.models import MLModel, ModelVersion

    if not reuse:
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0, interactive=False)  # reloads the shipped rulebooks
    users = get_user_model()
    admin, created = users.objects.get_or_create(username=ADMIN)
    if created:
        admin.set_unusable_password()
        admin.save()
    # Only a model owner can own a model (registry.services.models), so the administrator who
    # registers it is one too.
    admin.groups.add(*Group.objects.filter(name__in=[roles.ADMINISTRATOR, roles.OWNER]))
    model = MLModel.objects.filter(slug=MODEL_SLUG).first() or services.register_model(
        actor=admin,
        slug=MODEL_SLUG,
        name="Ingestion benchmark model",
        business_unit="Benchmarks",
        model_type=MLModel.ModelType.CLASSICAL_ML,
        intended_purpose="Receives the metric points of bench/ingest.py",
    )
    version = ModelVersion.objects.filter(
        model=model, version=VERSION
    ).first() or services.register_version(actor=admin, model=model, version=VERSION)
    account = users.objects.filter(username=ACCOUNT).first() or tokens.create_service_account(
        actor=admin, username=ACCOUNT, description="bench/ingest.py"
    )
    development = RaciAssignment.Area.DEVELOPMENT
    if not RaciAssignment.objects.filter(model=model, user=account, area=development).exists():
        raci.assign_raci(actor=admin, model=model, user=account, role="R", area=development)
    token, key = tokens.issue_token(actor=admin, user=account, name="bench/ingest.py")
    path = f"/api/v1/models/{MODEL_SLUG}/versions/{VERSION}/metrics/"
    return Fixture(version_id=version.pk, token=token, key=key, path=path)


def delete_points(version_id: int) -> int:
    """Remove the version's points (and their kept extents) and vacuum, so every case starts
    from the same table."""
    import psycopg

    with psycopg.connect(autocommit=True, **connection_params()) as conn:
        conn.execute("DELETE FROM monitoring_storedseries WHERE version_id = %s", [version_id])
        deleted = conn.execute(
            "DELETE FROM monitoring_metricpoint WHERE version_id = %s", [version_id]
        ).rowcount
        conn.execute("VACUUM (ANALYZE) monitoring_metricpoint")
    return deleted


def count_points(version_id: int) -> int:
    import psycopg

    with psycopg.connect(**connection_params()) as conn:
        row = conn.execute(
            "SELECT count(*) FROM monitoring_metricpoint WHERE version_id = %s", [version_id]
        ).fetchone()
    return int(row[0]) if row else 0


def revoke(fixture: Fixture) -> None:
    from django.contrib.auth import get_user_model

    from governance.access.services import tokens

    tokens.revoke_token(actor=get_user_model().objects.get(username=ADMIN), token=fixture.token)


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    url: str
    log: Path
    workdir: Path | None = None

    def workers(self) -> list[int]:
        """Pids of the server's worker processes (children of the master)."""
        return children(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group this script started
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def start_server(name: str, command: list[str], env: dict[str, str], url: str, **kw: Any) -> Server:
    log = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own venv's executables
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw
        )
    return Server(name=name, process=process, url=url, log=log, workdir=kw.get("cwd"))


def wait_until_up(server: Server, probe: str, timeout: float) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"bench: {server.name} exited:\n{server.tail()}")
        try:
            requests.get(server.url + probe, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.25)
    sys.exit(f"bench: {server.name} did not answer within {timeout:.0f} s:\n{server.tail()}")


def start_attest(args: argparse.Namespace) -> Server:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"], "DEBUG": "false"}
    env |= {"ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"}
    env.pop("ATTEST_PRODUCTION", None)
    command = [str(VENV_BIN / "gunicorn"), "governance.wsgi", "-w", str(args.workers)]
    command += ["-b", f"127.0.0.1:{port}", "--timeout", str(args.worker_timeout)]
    server = start_server("gunicorn", command, env, f"http://127.0.0.1:{port}", cwd=None)
    wait_until_up(server, "/api/v1/", timeout=60)
    return server


def start_mlflow(args: argparse.Namespace) -> tuple[Server, str]:
    params = connection_params()
    inventory._create_postgres_database(
        {
            "NAME": MLFLOW_DATABASE,
            "HOST": params["host"],
            "PORT": params["port"],
            "USER": params["user"],
            "PASSWORD": params["password"],
        }
    )
    user = params["user"] or "postgres"
    auth = f"{user}:{params['password']}" if params["password"] else user
    where = f"{params['host'] or '127.0.0.1'}:{params['port'] or 5432}"
    store = f"postgresql+psycopg://{auth}@{where}/{MLFLOW_DATABASE}"
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="bench-mlflow-"))
    command = [str(VENV_BIN / "mlflow"), "server", "--backend-store-uri", store]
    command += ["--default-artifact-root", (workdir / "artifacts").as_uri()]
    command += ["--no-serve-artifacts", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(args.workers)]
    env = {**os.environ, "MLFLOW_TRACKING_URI": ""}
    server = start_server("mlflow", command, env, f"http://127.0.0.1:{port}", cwd=workdir)
    wait_until_up(server, "/health", timeout=180)  # the first start creates MLflow's tables
    return server, store


@contextmanager
def rss_sampler(pids: Sequence[int], every: float = 0.05) -> Iterator[dict[int, int]]:
    """Highest VmRSS seen per pid, sampled every 50 ms while the block runs."""
    peak: dict[int, int] = dict.fromkeys(pids, 0)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in pids:
                peak[pid] = max(peak[pid], proc_status_kib(pid, "VmRSS") * 1024)
            done.wait(every)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def proc_status_kib(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- Attest over HTTP -----------------------------------------------------------------------


@dataclass
class Memory:
    idle: int = 0  # the largest worker's RSS before the request
    sampled: int = 0  # the largest RSS sampled during it
    hwm: int = 0  # the largest VmHWM (the kernel's own peak) after it


@dataclass
class AttestResults:
    rates: list[Rate] = field(default_factory=list)
    memory: Memory | None = None
    body_bytes: int = 0
    body_format: str = "json"


def post_chunks(
    session: Any, url: str, key: str, points: Points, chunk: int, fmt: str = "json"
) -> int:
    """Send the points in chunks, as the CLI does; the number of requests."""
    sent = 0
    for start in range(0, len(points), chunk):
        body, media_type = points.body(fmt, start, start + chunk)
        headers = {"Authorization": f"Token {key}", "Content-Type": media_type}
        answer = session.post(url, data=body, headers=headers, timeout=900)
        if answer.status_code != 201:
            raise RuntimeError(f"HTTP {answer.status_code}: {answer.text[:500]}")
        sent += 1
    return sent


def bench_attest(args: argparse.Namespace, fixture: Fixture, points: Points) -> AttestResults:
    import requests
    from django.conf import settings

    results = AttestResults(body_format=args.format)
    server = start_attest(args)
    url = server.url + fixture.path
    try:
        print(f"gunicorn: {args.workers} workers on {server.url}, DEBUG=false, "
              f"--timeout {args.worker_timeout}")  # fmt: skip
        warm = make_points(METRIC_NAMES * 5)
        run_clients([lambda: post_chunks(requests.Session(), url, fixture.key, warm, 100)] * 8)
        delete_points(fixture.version_id)

        body, _ = points.body(args.format)
        results.body_bytes = len(body)
        limit = settings.ATTEST_MAX_UPLOAD_BYTES
        if len(body) <= limit:
            results.memory, rate = one_request(server, url, fixture, points, args.format)
            results.rates.append(rate)
            check_stored(fixture, len(points))
        else:
            print(f"single request skipped: {len(body):,} bytes > limit {limit:,}")
        del body

        session = requests.Session()
        requests_sent, seconds = run_clients(
            [lambda: post_chunks(session, url, fixture.key, points, args.chunk, args.format)]
        )
        label = f"1 client, chunks of {args.chunk:,}"
        results.rates.append(Rate(label, len(points), requests_sent, seconds))
        check_stored(fixture, len(points))

        shares = points.per_client(args.clients)
        work = [
            (
                lambda s=share: post_chunks(
                    requests.Session(), url, fixture.key, s, args.chunk, args.format
                )
            )
            for share in shares
        ]
        requests_sent, seconds = run_clients(work)
        label = f"{args.clients} clients, chunks of {args.chunk:,}"
        results.rates.append(Rate(label, len(points), requests_sent, seconds))
        check_stored(fixture, len(points))
    except Exception:
        print(f"--- gunicorn log (last lines) ---\n{server.tail()}")
        raise
    finally:
        server.stop()
    return results


def one_request(
    server: Server, url: str, fixture: Fixture, points: Points, fmt: str
) -> tuple[Memory, Rate]:
    import requests

    workers = server.workers()
    memory = Memory(idle=max(proc_status_kib(p, "VmRSS") for p in workers) * 1024)
    session = requests.Session()
    with rss_sampler(workers) as peak:
        sent, seconds = run_clients(
            [lambda: post_chunks(session, url, fixture.key, points, len(points), fmt)]
        )
    memory.sampled = max(peak.values())
    memory.hwm = max(proc_status_kib(p, "VmHWM") for p in workers) * 1024
    return memory, Rate(f"1 client, 1 request of {len(points):,}", len(points), sent, seconds)


def check_stored(fixture: Fixture, expected: int) -> None:
    stored = count_points(fixture.version_id)
    if stored != expected:
        raise RuntimeError(f"expected {expected:,} points stored, found {stored:,}")
    delete_points(fixture.version_id)


# --- MLflow ---------------------------------------------------------------------------------


def log_batches(client: Any, run_id: str, points: Points) -> int:
    from mlflow.entities import Metric

    sent = 0
    for start in range(0, len(points), MLFLOW_BATCH):
        stop = start + MLFLOW_BATCH
        metrics = [
            Metric(key, value, millis, step)
            for key, value, millis, step in zip(
                points.name[start:stop],
                points.value[start:stop],
                points.millis[start:stop],
                points.step[start:stop],
                strict=True,
            )
        ]
        client.log_batch(run_id, metrics=metrics)
        sent += 1
    return sent


def bench_mlflow(args: argparse.Namespace, points: Points) -> list[Rate]:
    from mlflow.tracking import MlflowClient

    server, store = start_mlflow(args)
    run_ids: list[str] = []
    try:
        import mlflow

        print(f"mlflow {mlflow.__version__}: {args.workers} workers on {server.url}, {store}")
        client = MlflowClient(server.url)
        experiment = client.get_experiment_by_name("attest-bench-ingest")
        experiment_id = (
            experiment.experiment_id
            if experiment
            else client.create_experiment("attest-bench-ingest")
        )

        def new_run(name: str) -> str:
            run_id = client.create_run(experiment_id, run_name=name).info.run_id
            run_ids.append(run_id)
            return run_id

        warm_run = new_run("warm-up")
        warm = make_points(MLFLOW_BATCH)
        run_clients([lambda: log_batches(MlflowClient(server.url), warm_run, warm)] * 4)

        count = min(args.mlflow_points or len(points), len(points))
        subset = points.subset(range(count))
        note = f"{count:,} points timed, rate extrapolated" if count < len(points) else ""
        rates = []
        single = new_run("1 client")
        sent, seconds = run_clients([lambda: log_batches(client, single, subset)])
        rates.append(Rate(f"1 client, batches of {MLFLOW_BATCH:,}", count, sent, seconds, note))

        shared = new_run(f"{args.clients} clients")
        work = [
            (lambda s=share: log_batches(MlflowClient(server.url), shared, s))
            for share in subset.per_client(args.clients)
        ]
        sent, seconds = run_clients(work)
        label = f"{args.clients} clients, batches of {MLFLOW_BATCH:,}"
        rates.append(Rate(label, count, sent, seconds, note))
        return rates
    except Exception:
        print(f"--- mlflow log (last lines) ---\n{server.tail()}")
        raise
    finally:
        try:
            forget_runs(server, store, run_ids)
        finally:
            server.stop()


def forget_runs(server: Server, store: str, run_ids: list[str]) -> None:
    """Delete the bench runs and purge them (`mlflow gc`), so MLflow's tables stay small."""
    if not run_ids or server.process.poll() is not None:
        return
    from mlflow.tracking import MlflowClient

    client = MlflowClient(server.url)
    for run_id in run_ids:
        client.delete_run(run_id)
    # Every deleted run of the bench's own MLflow database, including an interrupted run's.
    command = [str(VENV_BIN / "mlflow"), "gc", "--backend-store-uri", store]
    command += ["--tracking-uri", server.url]
    env = {**os.environ, "MLFLOW_TRACKING_URI": server.url}
    done = subprocess.run(  # noqa: S603 - our own venv's mlflow
        command, capture_output=True, text=True, check=False, env=env
    )
    if done.returncode:
        print(f"note: mlflow gc failed, the bench runs stay (deleted): {done.stderr[-300:]}")


# --- raw COPY -------------------------------------------------------------------------------


def bench_copy(fixture: Fixture, points: Points) -> list[Rate]:
    """The floor: the same rows from ready Python tuples into the table, in one transaction.

    The rows reference an ingestion batch, as the API's rows do: each point then pays two
    deferred foreign-key checks at commit. A second COPY without the batch shows that cost.
    """
    from django.contrib.auth import get_user_model

    from monitoring.models import IngestionBatch

    batch = IngestionBatch.objects.create(
        actor=get_user_model().objects.get(username=ACCOUNT),
        source="bench raw COPY",
        method="COPY",
        path="bench/ingest.py",
    )
    try:
        same = copy_rows(fixture, points, batch.pk)
        without = copy_rows(fixture, points, None)
    finally:
        batch.delete()
    return [
        Rate("same rows (batch_id set, 2 FKs)", len(points), 1, same),
        Rate("batch_id NULL (1 FK), for reference", len(points), 1, without),
    ]


def copy_rows(fixture: Fixture, points: Points, batch_id: int | None) -> float:
    """COPY the points, check they are all there and delete them; the COPY's seconds."""
    seconds = write_rows(fixture, points, batch_id)
    check_stored(fixture, len(points))
    return seconds


def write_rows(fixture: Fixture, points: Points, batch_id: int | None) -> float:
    """COPY the points into the version, committed; the seconds it took."""
    import psycopg

    count = len(points)
    rows = list(
        zip(
            [fixture.version_id] * count,
            [batch_id] * count,
            points.name,
            points.value,
            points.step,
            points.moment,
            [""] * count,
            ["{}"] * count,
            strict=True,
        )
    )
    statement = f"COPY monitoring_metricpoint ({', '.join(COPY_COLUMNS)}) FROM STDIN"
    with psycopg.connect(**connection_params()) as conn:
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()  # the deferred foreign-key checks run here
        return time.perf_counter() - started


# --- report ---------------------------------------------------------------------------------


def print_rates(title: str, rates: Sequence[Rate]) -> None:
    print(f"\n{title}")
    print(f"  {'case':36} {'points':>10} {'requests':>8} {'seconds':>8} {'points/s':>10}")
    for r in rates:
        note = f"  ({r.note})" if r.note else ""
        print(f"  {r.label:36} {r.points:>10,} {r.requests:>8,} {r.seconds:>8.2f} "
              f"{r.per_second:>10,.0f}{note}")  # fmt: skip


def load() -> str:
    return " / ".join(f"{n:.1f}" for n in os.getloadavg()) + " (1 / 5 / 15 min)"


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(
    attest: AttestResults, mlflow_rates: list[Rate] | None, copies: list[Rate], clients: int
) -> None:
    fmt = attest.body_format
    shown = {"json": "columnar JSON", "arrow": "Arrow IPC"}[fmt]
    print_rates(f"Attest over HTTP ({shown}, token auth, gunicorn)", attest.rates)
    if attest.body_bytes:
        print(f"  the 1-request body is {attest.body_bytes / 1e6:,.1f} MB of {shown}")
    memory = attest.memory
    if memory is not None:
        print(f"  worker RSS: {mib(memory.idle)} idle; during the single request "
              f"{mib(memory.sampled)} sampled every 50 ms, {mib(memory.hwm)} VmHWM")  # fmt: skip
    if mlflow_rates:
        print_rates("MLflow log_batch (same machine, same PostgreSQL)", mlflow_rates)
    print_rates("Raw COPY into monitoring_metricpoint (one connection)", copies)

    chunked = next(r for r in attest.rates if r.label.startswith("1 client, chunks"))
    parallel = next(r for r in attest.rates if r.label.startswith(f"{clients} clients"))
    print("\nRatios (Attest one client in chunks is the headline; 4 clients in brackets)")
    checks: list[tuple[str, bool, str]] = []
    if mlflow_rates:
        ml_one, ml_many = mlflow_rates
        one = chunked.per_second / ml_one.per_second
        many = parallel.per_second / ml_many.per_second
        print(f"  Attest / MLflow:   {one:6.1f}x  ({many:.1f}x with {clients} clients each)")
        checks.append(
            (
                f"Attest >= {TARGET_MLFLOW_RATIO:.0f}x MLflow",
                one >= TARGET_MLFLOW_RATIO,
                f"{one:.1f}x",
            )
        )
    copy, lighter = copies
    share = chunked.per_second / copy.per_second
    share_many = parallel.per_second / copy.per_second
    print(f"  Attest / raw COPY: {share:6.2f}x  ({share_many:.2f}x with {clients} clients)")
    print(f"  Attest / raw COPY without batch_id: {chunked.per_second / lighter.per_second:.2f}x")
    target = TARGET_COPY_RATIO[fmt]
    checks.append((f"Attest >= {target}x raw COPY ({fmt})", share >= target, f"{share:.2f}x"))
    if memory is not None:
        peak = max(memory.sampled, memory.hwm)
        checks.append(("worker peak RSS < 1 GiB", peak < MEMORY_LIMIT, mib(peak)))
    print("\nTargets")
    for label, ok, figure in checks:
        print(f"  {label + ':':30} {verdict(ok)} ({figure})")


def main() -> None:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    inventory.prepare_database(args)
    inventory.setup_django()
    fixture = ensure_fixture(args.reuse)
    try:
        started = time.perf_counter()
        points = make_points(args.points)
        print(f"{len(points):,} points ({METRIC_NAMES} metrics x {len(points) // METRIC_NAMES:,} "
              f"steps) built in {time.perf_counter() - started:.1f} s; "
              f"database {connection_params()['dbname']}")  # fmt: skip
        print(f"load average before: {load()} (other work on the machine skews every rate)")
        delete_points(fixture.version_id)
        attest = bench_attest(args, fixture, points)
        mlflow_rates = None if args.skip_mlflow else bench_mlflow(args, points)
        copies = bench_copy(fixture, points)
        report(attest, mlflow_rates, copies, args.clients)
        print(f"\nload average after: {load()}")
    finally:
        delete_points(fixture.version_id)
        revoke(fixture)


if __name__ == "__main__":
    main()
