"""The pushes and the gate question, as functions a training script can call directly.

Trackers whose data the server cannot reach (an MLflow server inside the pipeline's network, a
W&B offline directory) are read here and sent as a bundle; a tool's artifact file is uploaded
as it is, so the server's adapter validates it; metric files are read here and sent in chunks.
Every write carries a key derived from its content (monitoring.cli.keys).
"""

import contextlib
import dataclasses
import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from monitoring.adapters.errors import MissingExtra, parse_json
from monitoring.cli import keys, points
from monitoring.cli.client import Answer, Client, Target
from monitoring.cli.errors import CliError, ExitCode
from monitoring.ingest.bundle import Bundle, MetricColumns
from monitoring.ingest.errors import BadInput

if TYPE_CHECKING:  # pandas loads only where points are read (monitoring.cli.points)
    import pandas as pd

CHUNK_SIZE = points.CHUNK_SIZE
# MLflow's error codes that mean "you asked for something wrong", not "MLflow is down".
MLFLOW_BAD_INPUT = frozenset({"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "BAD_REQUEST"})
MLFLOW_RETRY_LIMIT = 10  # MLflow refuses more retries than this
NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout)


def push_bundle(
    client: Client,
    target: Target,
    bundle: Bundle,
    *,
    command: str = "push-bundle",
    chunk_size: int = CHUNK_SIZE,
) -> list[Answer]:
    """One bundle; one with more points than a chunk goes first without them, then the points."""
    data = bundle.as_json()
    key = keys.derive(
        command,
        model=target.model,
        version=target.version,
        content_sha256=keys.data_sha256(data),
        options={},
        override=target.key,
    )
    url = target.path("bundles/")
    if len(bundle.metrics) <= chunk_size:
        return [client.post_json(url, data, key=key)]
    # The bundle registers the version that the metrics endpoint needs, so it goes first.
    points.check(bundle.metrics, known_names=points.defined_names(client, target.model))
    lean = dataclasses.replace(bundle, metrics=MetricColumns())
    first = client.post_json(url, lean.as_json(), key=key)
    rest = points.push(client, target, bundle.metrics, base_key=key, chunk_size=chunk_size)
    return [first, *rest]


def push_mlflow(
    client: Client,
    target: Target,
    *,
    tracking_uri: str,
    run_id: str,
    chunk_size: int = CHUNK_SIZE,
    allow_non_finite: bool = False,
    allow_failed: bool = False,
) -> list[Answer]:
    """An MLflow run read with MlflowClient where the pipeline runs, pushed as a bundle."""
    from monitoring.adapters.mlflow import read_run  # needs the `mlflow` extra

    try:
        from mlflow.exceptions import MlflowException
    except ImportError:
        raise MissingExtra("mlflow") from None
    try:
        with mlflow_settings(client):
            bundle = read_run(
                tracking_uri, run_id, allow_non_finite=allow_non_finite, allow_failed=allow_failed
            )
    except MlflowException as exc:
        code = ExitCode.BAD_INPUT if exc.error_code in MLFLOW_BAD_INPUT else ExitCode.FAILURE
        message = f"MLflow at {tracking_uri} could not give run {run_id}: {exc.message}"
        raise CliError(message, code=code) from None
    except BadInput as exc:
        if not _network_failure(exc):
            raise
        tries = f"{client.attempts} attempt(s) of at most {client.timeout:g} s"
        raise CliError(f"{exc.message} ({tries})", code=ExitCode.FAILURE) from None
    return push_bundle(client, target, bundle, command="push-mlflow", chunk_size=chunk_size)


@contextlib.contextmanager
def mlflow_settings(client: Client) -> Iterator[None]:
    """MLflow's own HTTP retries, timeout and download bar follow the client's, while it reads.

    MLflow reads these from the environment on every request; left alone it retries 7 times
    (about 4 minutes against a server that is down) and draws its bar on any stream. The
    previous values come back afterwards, so a training script calling this keeps its own.
    """
    wanted = {
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": str(min(client.attempts - 1, MLFLOW_RETRY_LIMIT)),
        "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": str(max(0, round(client.backoff))),
        "MLFLOW_HTTP_REQUEST_TIMEOUT": str(max(1, math.ceil(client.timeout))),
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": str(client.shows_progress()).lower(),
    }
    before = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _network_failure(exc: BaseException) -> bool:
    """A refused connection or a timeout anywhere in the chain MLflow and the adapter raised."""
    seen: BaseException | None = exc
    for _ in range(20):  # a chain is short; this also ends one that loops
        if seen is None:
            return False
        if isinstance(seen, NETWORK_ERRORS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def push_wandb(
    client: Client,
    target: Target,
    path: Path,
    *,
    chunk_size: int = CHUNK_SIZE,
    allow_failed: bool = False,
    allow_non_finite: bool = False,
) -> list[Answer]:
    """A W&B offline run directory (read here), or a run exported as JSON (read by the server)."""
    if path.is_dir():
        from monitoring.adapters.wandb import read_offline_run  # needs the `wandb` extra

        bundle = read_offline_run(
            path, allow_failed=allow_failed, allow_non_finite=allow_non_finite
        )
        return push_bundle(client, target, bundle, command="push-wandb", chunk_size=chunk_size)
    flags = {"allow_failed": allow_failed, "allow_non_finite": allow_non_finite}
    options = {name: "true" for name, given in flags.items() if given}
    return [push_file(client, target, "wandb-export", path, options=options)]


def push_dvc(
    client: Client, target: Target, path: Path, *, options: Mapping[str, str]
) -> list[Answer]:
    """A DVC project directory (its dvc.lock, dvc.yaml and .dvc files, read here as one push),
    or one dvc.lock or .dvc file (read by the server)."""
    if path.is_dir():
        from monitoring.adapters.dvc import read_repo

        bundle = read_repo(path, options=options)
        return push_bundle(client, target, bundle, command="push-dvc")
    if path.suffix == ".dvc" and "folder" not in options:
        options = {**options, **_dvc_folder(path)}
    return [push_file(client, target, "dvc", path, options=options)]


def _dvc_folder(path: Path) -> dict[str, str]:
    """A .dvc file's folder in its project (the nearest parent holding `.dvc/`): its paths are
    relative to it, and only the file's name is uploaded."""
    here = path.resolve().parent
    for root in (here, *here.parents):
        if (root / ".dvc").is_dir():
            folder = here.relative_to(root).as_posix()
            return {} if folder == "." else {"folder": folder}
    return {}


def push_file(
    client: Client, target: Target, source: str, path: Path, *, options: Mapping[str, str]
) -> Answer:
    """Upload a tool's artifact to imports/{source}/ with the adapter's options as form fields."""
    key = _file_key(f"push-{source}", target, path, options)
    return client.post_file(target.path(f"imports/{source}/"), path, fields=options, key=key)


def push_metrics(
    client: Client,
    target: Target,
    path: Path,
    *,
    options: Mapping[str, str] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> list[Answer]:
    """A CSV, Parquet, Arrow IPC or JSON file of metric points, read with pandas here and sent in
    chunks."""
    from monitoring.adapters import tabular

    options = dict(options or {})
    key = _file_key("push-metrics", target, path, options)
    columns = tabular.read(path.read_bytes(), filename=path.name, options=options).metrics
    points.check(columns, known_names=points.defined_names(client, target.model))
    return points.push(client, target, columns, base_key=key, chunk_size=chunk_size)


def push_metric_frame(
    client: Client, target: Target, frame: "pd.DataFrame", *, chunk_size: int = CHUNK_SIZE
) -> list[Answer]:
    """Metric points already in a DataFrame (name, value, timestamp, step?, segment?)."""
    from monitoring.adapters import tabular

    columns = tabular.frame_to_columns(frame)
    points.check(columns, known_names=points.defined_names(client, target.model))
    key = keys.derive(
        "push-metrics",
        model=target.model,
        version=target.version,
        content_sha256=keys.data_sha256(points.as_columns(columns)),
        options={},
        override=target.key,
    )
    return points.push(client, target, columns, base_key=key, chunk_size=chunk_size)


def push_bundle_file(
    client: Client, target: Target, path: Path, *, chunk_size: int = CHUNK_SIZE
) -> list[Answer]:
    """A bundle written as JSON, checked here with the server's own strict reader first."""
    bundle = Bundle.from_json(parse_json(_readable(path).read_bytes()))
    return push_bundle(client, target, bundle, command="push-bundle", chunk_size=chunk_size)


def push_evidence(client: Client, target: Target, path: Path, *, title: str, kind: str) -> Answer:
    """A free-form evidence file (a model card, a test report) attached to the version."""
    fields = {"title": title, "kind": kind}
    key = _file_key("push-evidence", target, path, fields)
    return client.post_file(target.path("evidence-files/"), path, fields=fields, key=key)


def gate(
    client: Client, *, model: str, version: str, environment: str, gate: str | None = None
) -> dict[str, Any]:
    """The gate's answer for the version in the environment: `open`, `unmet`, `policy`, ..."""
    query = {"model": model, "version": version, "environment": environment}
    if gate:
        query["gate"] = gate
    return client.get("/api/v1/gate/", query).body


def _file_key(command: str, target: Target, path: Path, options: Mapping[str, str]) -> str:
    # The file's name counts too: the server fingerprints an upload by its name and content.
    _readable(path)
    return keys.derive(
        command,
        model=target.model,
        version=target.version,
        content_sha256=keys.data_sha256([path.name, keys.file_sha256(path)]),
        options=options,
        override=target.key,
    )


def _readable(path: Path) -> Path:
    if not path.exists():
        raise CliError(f"{path} does not exist")
    if not path.is_file():
        raise CliError(f"{path} is not a file")
    return path


__all__ = [
    "CHUNK_SIZE",
    "Target",
    "gate",
    "push_bundle",
    "push_bundle_file",
    "push_dvc",
    "push_evidence",
    "push_file",
    "push_metric_frame",
    "push_metrics",
    "push_mlflow",
    "push_wandb",
]
