"""examples/airflow/attest_task.py as a DAG run executes it, after the training job it follows.

In a fresh workspace the training script writes its files to `build/` and logs to a relative
MLflow store (as gate.yml's train step does); then the DAG file runs on a worker whose Python
holds the CLI's distribution and, in place of Airflow (not installed here), a stand-in for its
TaskFlow decorators that runs each task in order with the run's params: `out` is `build`, a
relative path. Its push task reaches the live server; its gate task fails the run.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.models import FairnessResult, MetricPoint
from registry.models import ModelVersion

pytestmark = pytest.mark.django_db(transaction=True)
AIRFLOW_STUB = Path(__file__).parent / "airflow_stub"


def run(argv: list[str], env: dict[str, str], workspace: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own example files with fixed arguments
        [sys.executable, *argv],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_dag_pushes_the_training_run_and_its_files_then_fails_at_the_closed_gate(
    pipeline_env, workspace
):
    env = {**pipeline_env, "MLFLOW_TRACKING_URI": "sqlite:///mlflow.db"}
    train = ["examples/train_credit_model.py", "--version", "2.8.0", "--out", "build"]
    trained = run([*train, "--skip-push"], env, workspace)
    assert trained.returncode == 0, trained.stderr
    run_id = json.loads((workspace / "build" / "summary.json").read_text())["run_id"]
    worker = {
        **env,
        "PYTHONPATH": os.pathsep.join([str(AIRFLOW_STUB), env["PYTHONPATH"]]),
        "AIRFLOW_STUB_RUN_CONF": json.dumps({"version": "2.8.0", "run_id": run_id, "out": "build"}),
    }

    dag_run = run(["examples/airflow/attest_task.py"], worker, workspace)

    assert dag_run.returncode == 1, dag_run.stderr
    assert dag_run.stdout.splitlines() == ["task push: success", "task gate: failed"]
    assert "GateClosedError: gate CLOSED: retail-pd 2.8.0 -> production" in dag_run.stderr
    version = ModelVersion.objects.get(model__slug="retail-pd", version="2.8.0")
    assert version.training_run is not None
    assert version.training_run.external_id == run_id
    assert MetricPoint.objects.filter(version=version, name="val_auc").count() == 60
    assert MetricPoint.objects.filter(version=version, segment="age_band=50+").count() == 3
    assert FairnessResult.objects.filter(version=version).count() == 3
