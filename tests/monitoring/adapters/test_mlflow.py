"""The MLflow adapter reads a run that the installed MLflow logged to a local SQLite store."""

import importlib
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitoring.adapters.errors import MissingExtra
from monitoring.ingest.bundle import Bundle
from monitoring.ingest.errors import BadInput

# MLflow's own chatter while logging the fixture run.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Hint. Inferred schema contains integer:UserWarning"),
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning"),
]
COMMIT_TAG = "mlflow.source.git.commit"
COMMIT = "3f2c9a1b7d4e5f60718293a4b5c6d7e8f9a0b1c2"
LOSSES = [0.69, 0.52, 0.44, 0.41, 0.40]
OFFLINE = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "5",
}


@pytest.fixture(scope="module")
def adapter():
    """The adapter, imported when a test first needs it: with MLflow and scikit-learn it takes
    most of a second to load, which every test process would pay while collecting."""
    pytest.importorskip("mlflow", reason="the mlflow extra is not installed")
    from monitoring.adapters import mlflow

    return mlflow


@dataclass(frozen=True)
class Logged:
    tracking_uri: str
    run_id: str
    artifacts: Path


@pytest.fixture(scope="module")
def logged(adapter, mlflow_store, tmp_path_factory) -> Logged:
    """A training run: params, a loss history, a dataset input, a registered sklearn model."""
    from mlflow.tracking import MlflowClient

    root = tmp_path_factory.mktemp("mlflow")
    uri = mlflow_store(root)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**OFFLINE, "MLFLOW_TRACKING_URI": uri}.items():
            patch.setenv(name, value)
        client = MlflowClient(tracking_uri=uri)
        experiment = client.create_experiment("pd", artifact_location=str(root / "artifacts"))
        run_id = _train(experiment)
        client.set_registered_model_alias("retail-pd", "champion", "1")
        client.set_registered_model_alias("retail-pd", "challenger", "1")
    return Logged(tracking_uri=uri, run_id=run_id, artifacts=root / "artifacts")


def _train(experiment: str) -> str:
    import mlflow.data
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    loans = pd.DataFrame({"income": rng.normal(50, 15, 200), "debt": rng.normal(10, 4, 200)})
    loans["defaulted"] = (loans["debt"] * 3 > loans["income"]).astype(int)
    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_params({"C": 0.5, "solver": "lbfgs"})
        mlflow.set_tags(
            {"team": "retail-credit", COMMIT_TAG: COMMIT, "attest.code_author": "dev@bank.example"}
        )
        for step, loss in enumerate(LOSSES):
            mlflow.log_metric("loss", loss, step=step)
        data = mlflow.data.from_pandas(
            loans,
            source="s3://lake/loans/2026-10.parquet",
            name="Retail Loans",
            targets="defaulted",
        )
        mlflow.log_input(data, context="training")
        model = LogisticRegression(C=0.5).fit(loans[["income", "debt"]], loans["defaulted"])
        mlflow.log_metric("auc", 0.91)
        # The adapter reads the flavors, not the requirements or the model's bytes: requirements
        # declared, not inferred (that starts a Python process loading the model, most of ten
        # seconds), and cloudpickle, not skops (whose import alone takes seconds).
        mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name="retail-pd",
            pip_requirements=["scikit-learn"],
            serialization_format="cloudpickle",
        )
    return run.info.run_id


@pytest.fixture(scope="module")
def bundle(adapter, logged) -> Bundle:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in OFFLINE.items():
            patch.setenv(name, value)
        return adapter.read_run(logged.tracking_uri, logged.run_id)


def test_run_carries_params_tags_commit_and_times(bundle, logged):
    run = bundle.run

    assert (run.tracker, run.external_id) == ("mlflow", logged.run_id)
    assert run.params == {"C": "0.5", "solver": "lbfgs"}
    assert run.tags["team"] == "retail-credit"
    assert COMMIT_TAG not in run.tags
    assert (run.code_commit, run.code_author) == (COMMIT, "dev@bank.example")
    assert run.started_at.tzinfo is UTC
    assert run.started_at <= run.finished_at <= datetime.now(tz=UTC)


def test_full_metric_history_comes_with_steps_and_timestamps(bundle, logged):
    metrics = bundle.metrics
    loss = [i for i, name in enumerate(metrics.name) if name == "loss"]

    assert [metrics.value[i] for i in loss] == LOSSES
    assert [metrics.step[i] for i in loss] == [0, 1, 2, 3, 4]
    assert "auc" in metrics.name
    stamps = [datetime.fromisoformat(metrics.timestamp[i]) for i in loss]
    assert all(s.utcoffset().total_seconds() == 0 for s in stamps)
    assert stamps == sorted(stamps)
    assert bundle.run.started_at <= stamps[0]


def test_dataset_input_becomes_a_dataset_version(bundle):
    (dataset,) = bundle.run.input_datasets

    assert (dataset.dataset, dataset.name) == ("retail-loans", "Retail Loans")
    assert dataset.external_ref == f"mlflow-digest:{dataset.version}"
    assert dataset.uri == "s3://lake/loans/2026-10.parquet"
    assert dataset.row_count == 200
    columns = [c["name"] for c in dataset.schema["mlflow_colspec"]]
    assert columns == ["income", "debt", "defaulted"]


def _read(logged: Logged, run_id: str, **kwargs) -> Bundle:
    from monitoring.adapters import mlflow as adapter

    with pytest.MonkeyPatch.context() as patch:
        for name, value in OFFLINE.items():
            patch.setenv(name, value)
        return adapter.read_run(logged.tracking_uri, run_id, **kwargs)


def _new_run(logged: Logged, monkeypatch: pytest.MonkeyPatch, name: str):
    import mlflow
    from mlflow.tracking import MlflowClient

    for key, value in {**OFFLINE, "MLFLOW_TRACKING_URI": logged.tracking_uri}.items():
        monkeypatch.setenv(key, value)
    experiment = MlflowClient(logged.tracking_uri).get_experiment_by_name("pd")
    return mlflow.start_run(experiment_id=experiment.experiment_id, run_name=name)


def test_only_training_inputs_are_trained_on_and_unnamed_datasets_stay_apart(logged, monkeypatch):
    """Autolog's contexts ("train", "eval"), unnamed datasets (MLflow names them "dataset")."""
    import mlflow.data

    rng = np.random.default_rng(5)
    frames = [pd.DataFrame({"x": rng.normal(size=n)}) for n in (30, 20, 10)]
    with _new_run(logged, monkeypatch, "contexts") as run:
        for frame, context in zip(frames, ("train", "eval", "test"), strict=True):
            mlflow.log_input(mlflow.data.from_pandas(frame), context=context)

    read = _read(logged, run.info.run_id).run

    (trained_on,) = read.input_datasets
    assert trained_on.row_count == 30
    assert trained_on.dataset == f"dataset-{trained_on.version}"
    assert "30 rows" not in read.tags.get("attest.inputs.validation", "")
    assert "20 rows" in read.tags["attest.inputs.validation"]
    assert "10 rows" in read.tags["attest.inputs.test"]
    assert trained_on.version not in read.tags["attest.inputs.test"]


@pytest.fixture(scope="module")
def diverged(logged) -> str:
    """A run whose loss went NaN then +inf (MLflow's SQL store keeps +inf as the largest double)."""
    import mlflow
    from mlflow.tracking import MlflowClient

    with pytest.MonkeyPatch.context() as patch:
        for key, value in {**OFFLINE, "MLFLOW_TRACKING_URI": logged.tracking_uri}.items():
            patch.setenv(key, value)
        experiment = MlflowClient(logged.tracking_uri).get_experiment_by_name("pd")
        with mlflow.start_run(experiment_id=experiment.experiment_id, run_name="nan") as run:
            for step, loss in enumerate([0.7, float("nan"), float("inf")]):
                mlflow.log_metric("loss", loss, step=step)
    return run.info.run_id


def test_non_finite_metric_is_refused_naming_metric_and_step(logged, diverged):
    with pytest.raises(BadInput) as caught:
        _read(logged, diverged)

    assert caught.value.field == "metrics.loss"
    assert "loss step 1 is NaN" in caught.value.message


def test_non_finite_metric_is_recorded_explicitly_when_allowed(logged, diverged):
    bundle = _read(logged, diverged, allow_non_finite=True)

    assert bundle.metrics.value == [0.7]  # not clamped to 1.797e308
    assert bundle.run.tags["attest.non_finite_metrics"] == "loss step 1: NaN; loss step 2: +inf"


def test_failed_run_is_refused_unless_allowed_and_its_state_recorded(logged, monkeypatch):
    import mlflow
    from mlflow.tracking import MlflowClient

    with _new_run(logged, monkeypatch, "failed") as run:
        mlflow.log_metric("loss", 0.9)
    MlflowClient(logged.tracking_uri).set_terminated(run.info.run_id, status="FAILED")

    with pytest.raises(BadInput) as caught:
        _read(logged, run.info.run_id)

    assert caught.value.field == "run_id"
    assert f"MLflow run {run.info.run_id} is FAILED" in caught.value.message
    assert "--allow-failed" in caught.value.message
    allowed = _read(logged, run.info.run_id, allow_failed=True)
    assert allowed.run.tags["attest.run_state"] == "FAILED"
    assert allowed.metrics.value == [0.9]


def test_finished_run_records_its_state(bundle):
    assert bundle.run.tags["attest.run_state"] == "FINISHED"


def test_registered_version_with_aliases_and_framework(bundle, logged):
    version = bundle.version

    assert version.external_id == "retail-pd/1"
    assert version.aliases == ["challenger", "champion"]
    assert version.framework.startswith("sklearn ")
    assert Path(version.artifact_uri).is_relative_to(logged.artifacts)
    assert (Path(version.artifact_uri) / "MLmodel").is_file()


def test_bundle_survives_the_trip_as_json(bundle):
    assert Bundle.from_json(bundle.as_json()) == bundle


def test_unknown_run_is_named(adapter, logged):
    with pytest.raises(BadInput) as caught:
        adapter.read_run(logged.tracking_uri, "0" * 32)

    assert caught.value.field == "run_id"


def test_malformed_run_id_is_refused_before_any_call(adapter):
    with pytest.raises(BadInput) as caught:
        adapter.read_run("sqlite:///unused.db", "abc' OR name='x")

    assert caught.value.field == "run_id"


def test_unreachable_tracking_server_is_named(adapter, monkeypatch):
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(BadInput) as caught:
        adapter.read_run("http://127.0.0.1:9", "0" * 32)

    assert caught.value.field == "tracking_uri"
    assert "127.0.0.1:9" in caught.value.message


def test_missing_mlflow_says_which_extra_to_install(adapter, monkeypatch):
    for name in [m for m in sys.modules if m == "mlflow" or m.startswith("mlflow.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if the extra were not installed
    monkeypatch.delitem(sys.modules, "monitoring.adapters.mlflow")

    with pytest.raises(MissingExtra, match=r"attest-mrm\[mlflow\]"):
        importlib.import_module("monitoring.adapters.mlflow")
