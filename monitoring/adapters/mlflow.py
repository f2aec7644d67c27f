"""MLflow: one tracked run as a bundle, read through the tracking server's own client.

`read_run(tracking_uri, run_id)` reads, with `MlflowClient(tracking_uri=...)`:

- the run: params, tags, start and end time (UTC), and the git commit MLflow records
  (`mlflow.source.git.commit`). MLflow records no commit author (`mlflow.user` is who launched
  the run, not who wrote the code), so `code_author` comes from an `attest.code_author` tag a
  pipeline may set (e.g. to `git log -1 --format=%ae`), or `mlflow.source.git.author`, and is
  empty otherwise. MLflow's other system tags stay in `tags` (run name, source, user), less the
  bulky ones (the log-model history, a git diff) and the commit, which has its own field;
- the full history of every metric (`get_metric_history`: every step, with its timestamp).
  A metric logged against a dataset (MLflow 3) carries the dataset's name as its segment.
  A value that is not a finite number (NaN, or an infinity, which MLflow's SQL stores keep as
  +/-1.7976931348623157e308) is refused, naming the metric and step, as the server refuses
  non-finite numbers. With `allow_non_finite=True` such a value is recorded explicitly, in
  the run's tag `attest.non_finite_metrics` ("loss step 3: +inf"), not as a metric point
  (a point must carry a finite number); it is never dropped silently nor clamped;
- the dataset inputs (`mlflow.log_input`): dataset slug from the name, version from MLflow's
  digest (also kept as `external_ref="mlflow-digest:<digest>"`), uri from the source, schema
  and row count from the schema and profile MLflow computed. An input's context (MLflow's
  `mlflow.data.context` input tag) is kept: only training inputs (`training`, or autolog's
  `train`) become the run's input datasets, the data it was trained on. Validation, test and
  other inputs (and inputs logged with no context) are not training data: the Run has no
  place for them, so each context's inputs are recorded in words in the run's tags
  (`attest.inputs.validation`, `attest.inputs.test`, `attest.inputs.other`). Autolog names
  every dataset `dataset`; such an input's slug carries its digest (`dataset-<digest>`), so
  two different datasets never become versions of one;
- the run's state (`FINISHED`, `FAILED`, `KILLED`, `RUNNING`), recorded in the run's tag
  `attest.run_state`. A FAILED or KILLED run is refused unless `allow_failed=True`: its
  model and numbers are what a run that broke left behind;
- the registered model version created from the run (`search_model_versions`), with its
  aliases, its storage location (`get_model_version_download_uri`, so a `models:/m-...` source
  of MLflow 3 becomes the artifact path) and its framework from the logged model's flavors.
  A run registered under several model names needs `registered_model` to say which.
"""

import json
import math
import re
import sys
import tempfile
from datetime import UTC, datetime
from typing import Any

from monitoring.adapters.errors import MissingExtra
from monitoring.ingest.bundle import Bundle, DatasetVersionRef, MetricColumns, Run, VersionInfo
from monitoring.ingest.errors import BadInput

try:
    from mlflow.artifacts import download_artifacts
    from mlflow.entities import Dataset, Metric
    from mlflow.entities import Run as MlflowRun
    from mlflow.entities.model_registry import ModelVersion
    from mlflow.exceptions import MlflowException
    from mlflow.models import Model
    from mlflow.tracking import MlflowClient
except ImportError as exc:
    raise MissingExtra("mlflow") from exc

SOURCE = TRACKER = "mlflow"
NOT_FOUND = "RESOURCE_DOES_NOT_EXIST"
COMMIT_TAG = "mlflow.source.git.commit"
AUTHOR_TAGS = ("attest.code_author", "mlflow.source.git.author")  # first one set wins
BULKY_TAGS = frozenset({"mlflow.log-model.history", "mlflow.source.git.diff"})
SOURCE_KEYS = ("uri", "url", "path", "table_name", "delta_table_name")  # per MLflow source type
RUN_ID = re.compile(r"[A-Za-z0-9_-]+\Z")  # also keeps the registry filter below well-formed
SLUG_LIMIT = 80
NON_FINITE_TAG = "attest.non_finite_metrics"
STATE_TAG = "attest.run_state"
FAILED_STATES = frozenset({"FAILED", "KILLED"})
CONTEXT_TAG = "mlflow.data.context"  # mlflow.utils.mlflow_tags.MLFLOW_DATASET_CONTEXT
DEFAULT_DATASET_NAME = "dataset"  # what MLflow names a dataset logged without a name
CONTEXTS = {  # MLflow's free-text context -> training / validation / test
    "training": "training",
    "train": "training",  # autolog
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "eval": "validation",  # autolog, mlflow.evaluate
    "evaluation": "validation",
    "test": "test",
    "testing": "test",
}
INPUTS_TAG = "attest.inputs."  # + validation / test / other: the inputs that are not training


def read_run(
    tracking_uri: str,
    run_id: str,
    *,
    registered_model: str | None = None,
    allow_non_finite: bool = False,
    allow_failed: bool = False,
) -> Bundle:
    """The run, its metric histories, inputs and registered model version, from MLflow."""
    if not RUN_ID.match(run_id):
        raise BadInput(field="run_id", message=f"{run_id!r} is not an MLflow run id")
    client = _client(tracking_uri)
    run = _get_run(client, tracking_uri, run_id)
    state = str(run.info.status or "")
    if state in FAILED_STATES and not allow_failed:
        raise BadInput(
            field="run_id",
            message=f"MLflow run {run_id} is {state}: refused, a failed run is not a model "
            "version (--allow-failed pushes it, its state recorded)",
        )
    non_finite: list[str] = []
    metrics = _metrics(client, tracking_uri, run, non_finite if allow_non_finite else None)
    recorded = _run(run)
    recorded.tags[STATE_TAG] = state
    if non_finite:
        recorded.tags[NON_FINITE_TAG] = "; ".join(non_finite)
    return Bundle(
        source=SOURCE,
        run=recorded,
        version=_version(client, tracking_uri, run_id, registered_model),
        metrics=metrics,
    )


def _client(tracking_uri: str) -> MlflowClient:
    try:
        return MlflowClient(tracking_uri=tracking_uri)
    except MlflowException as exc:
        raise BadInput(field="tracking_uri", message=_first_line(exc)) from None


def _get_run(client: MlflowClient, tracking_uri: str, run_id: str) -> MlflowRun:
    try:
        return client.get_run(run_id)
    except MlflowException as exc:
        if exc.error_code == NOT_FOUND:
            raise BadInput(field="run_id", message=f"no run {run_id} at {tracking_uri}") from None
        raise _unreachable(tracking_uri, exc) from None


def _unreachable(tracking_uri: str, exc: MlflowException) -> BadInput:
    # MLflow reports a refused connection, a timeout or a bad store URI alike, as an
    # MlflowException whose first line says which.
    return BadInput(
        field="tracking_uri", message=f"cannot read from {tracking_uri}: {_first_line(exc)}"
    )


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


# --- the run ------------------------------------------------------------------------------


def _run(run: MlflowRun) -> Run:
    tags = dict(run.data.tags)
    inputs = run.inputs.dataset_inputs if run.inputs else []
    by_context: dict[str, list[DatasetVersionRef]] = {}
    for i in inputs:
        by_context.setdefault(_context(i.tags), []).append(_dataset(i.dataset))
    kept = {k: v for k, v in tags.items() if k not in BULKY_TAGS and k != COMMIT_TAG}
    for context, refs in sorted(by_context.items()):
        if context != "training":
            kept[INPUTS_TAG + context] = "; ".join(_in_words(d) for d in _unique(refs))
    return Run(
        tracker=TRACKER,
        external_id=run.info.run_id,
        params=dict(run.data.params),
        tags=kept,
        code_commit=tags.get(COMMIT_TAG, ""),
        code_author=next((tags[t] for t in AUTHOR_TAGS if tags.get(t)), ""),
        started_at=_instant(run.info.start_time),
        finished_at=_instant(run.info.end_time),
        input_datasets=_unique(by_context.get("training", [])),
    )


def _context(tags: list[Any] | None) -> str:
    """training / validation / test / other, from the input's `mlflow.data.context` tag."""
    value = next((t.value for t in tags or [] if t.key == CONTEXT_TAG), "") or ""
    return CONTEXTS.get(value.strip().lower(), "other")


def _in_words(d: DatasetVersionRef) -> str:
    """A dataset input that is not training data, as the run's tags record it."""
    rows = f", {d.row_count} rows" if d.row_count is not None else ""
    where = f" at {d.uri}" if d.uri else ""
    return f"{d.name or d.dataset} (digest {d.version}{rows}){where}"


def _instant(millis: int | None) -> datetime | None:
    """MLflow's epoch milliseconds as a UTC time; None for a run still running."""
    return None if millis is None else datetime.fromtimestamp(millis / 1000, tz=UTC)


def _dataset(dataset: Dataset) -> DatasetVersionRef:
    profile = _json_object(dataset.profile, "profile")
    rows = profile.get("num_rows")
    named = dataset.name and dataset.name != DEFAULT_DATASET_NAME
    return DatasetVersionRef(
        dataset=_slug(dataset.name if named else f"{DEFAULT_DATASET_NAME}-{dataset.digest}"),
        version=dataset.digest,
        name=dataset.name,
        uri=_source_uri(_json_object(dataset.source, "source")),
        external_ref=f"mlflow-digest:{dataset.digest}",
        row_count=rows if isinstance(rows, int) and not isinstance(rows, bool) else None,
        schema=_json_object(dataset.schema, "schema"),
    )


def _unique(datasets: list[DatasetVersionRef]) -> list[DatasetVersionRef]:
    """One reference per dataset version: a run may log one dataset for training and eval."""
    return list({(d.dataset, d.version): d for d in datasets}.values())


def _json_object(text: str | None, name: str) -> dict[str, Any]:
    """A JSON object MLflow stores as text on a dataset (source, schema, profile)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise BadInput(field=f"dataset.{name}", message="is not valid JSON") from None
    return value if isinstance(value, dict) else {}


def _source_uri(source: dict[str, Any]) -> str:
    for key in SOURCE_KEYS:
        uri = source.get(key)
        if isinstance(uri, str) and uri:
            return uri
    return ""


def _slug(name: str) -> str:
    """A dataset slug from MLflow's dataset name: "Loans Train" -> loans-train."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")[:SLUG_LIMIT].rstrip("-_")
    if not slug:
        raise BadInput(field="dataset.name", message=f"cannot make a dataset slug of {name!r}")
    return slug


# --- metrics ------------------------------------------------------------------------------


def _metrics(
    client: MlflowClient, tracking_uri: str, run: MlflowRun, non_finite: list[str] | None
) -> MetricColumns:
    """Every logged value of every metric, in name then logging order.

    `non_finite` is None to refuse a value that is not a finite number, else where those
    values are named instead of becoming points.
    """
    columns = MetricColumns()
    for key in sorted(run.data.metrics):
        try:
            history = client.get_metric_history(run.info.run_id, key)
        except MlflowException as exc:
            raise _unreachable(tracking_uri, exc) from None
        for point in history:
            _append(columns, point, non_finite)
    return columns


def _append(columns: MetricColumns, point: Metric, non_finite: list[str] | None) -> None:
    word = _non_finite(point.value)
    if word:
        where = f"{point.key} step {point.step}"
        if non_finite is None:
            raise BadInput(
                field=f"metrics.{point.key}",
                message=f"{where} is {word}, not a finite number: refused "
                "(--allow-non-finite records it in the run's tags instead)",
            )
        non_finite.append(f"{where}: {word}")
        return
    columns.name.append(point.key)
    columns.value.append(float(point.value))
    columns.timestamp.append(datetime.fromtimestamp(point.timestamp / 1000, tz=UTC).isoformat())
    columns.step.append(point.step)
    columns.segment.append(getattr(point, "dataset_name", None) or "")


def _non_finite(value: float) -> str:
    """NaN, +inf or -inf in words, or "" for a finite number.

    MLflow's SQL stores keep an infinity as the largest double, which no metric reaches honestly.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value) or abs(value) == sys.float_info.max:
        return "+inf" if value > 0 else "-inf"
    return ""


# --- the registered model version ---------------------------------------------------------


def _version(
    client: MlflowClient, tracking_uri: str, run_id: str, registered_model: str | None
) -> VersionInfo | None:
    try:
        found = client.search_model_versions(f"run_id='{run_id}'")
    except MlflowException as exc:
        raise _unreachable(tracking_uri, exc) from None
    chosen = _chosen(found, run_id, registered_model)
    if chosen is None:
        return None
    # A search leaves aliases out (the SQL store does); reading the version gives them.
    version = client.get_model_version(chosen.name, str(chosen.version))
    location = _download_uri(client, version)
    return VersionInfo(
        artifact_uri=location,
        framework=_framework(location, tracking_uri),
        external_id=f"{version.name}/{version.version}",
        aliases=sorted(version.aliases or []),
    )


def _chosen(
    found: list[ModelVersion], run_id: str, registered_model: str | None
) -> ModelVersion | None:
    if registered_model is not None:
        found = [v for v in found if v.name == registered_model]
        if not found:
            raise BadInput(
                field="registered_model",
                message=f"run {run_id} registered no version of {registered_model!r}",
            )
    names = sorted({v.name for v in found})
    if len(names) > 1:
        raise BadInput(
            field="registered_model",
            message=f"run {run_id} registered versions of {', '.join(names)}: name one",
        )
    # Registering the same run twice under one name makes two versions: the newest counts.
    return max(found, key=lambda v: int(v.version), default=None)


def _download_uri(client: MlflowClient, version: ModelVersion) -> str:
    try:
        uri: str = client.get_model_version_download_uri(version.name, str(version.version))
    except MlflowException:
        return version.source or ""
    return uri


def _framework(location: str, tracking_uri: str) -> str:
    """The model's flavor and its library version (e.g. "sklearn 1.9.1"), from its MLmodel file.

    Reading MLmodel downloads one small file; a model stored where this client cannot read
    simply has no framework recorded.
    """
    if not location:
        return ""
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = download_artifacts(
                artifact_uri=f"{location.rstrip('/')}/MLmodel",
                dst_path=folder,
                tracking_uri=tracking_uri,
            )
            flavors = Model.load(path).flavors
        except (MlflowException, OSError):
            return ""
    for name, flavor in flavors.items():
        if name == "python_function":
            continue
        library = next(
            (v for k, v in flavor.items() if k.endswith("_version") and k != "python_version"),
            "",
        )
        return f"{name} {library}".strip()
    return "python_function" if flavors else ""
