"""examples/train_credit_model.py end to end: trains, logs to MLflow, pushes to a live Attest.

The script runs as a pipeline would, in its own process with only ATTEST_URL and ATTEST_TOKEN,
against pytest-django's live server; then the test reads what arrived in the database.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.models import FairnessResult, MetricPoint
from registry.models import ModelVersion, TrainingRun

pytestmark = pytest.mark.django_db(transaction=True)
SCRIPT = "examples/train_credit_model.py"


def run_script(env: dict[str, str], workspace: Path) -> subprocess.CompletedProcess:
    """As a pipeline step runs it: from the checkout, with a relative output directory."""
    argv = [sys.executable, SCRIPT, "--version", "2.4.0", "--out", "out"]
    return subprocess.run(  # noqa: S603 - our own script with a fixed argv
        argv, env=env, cwd=workspace, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_training_script_pushes_run_fairness_and_metrics_then_asks_the_gate(
    pipeline_env, workspace
):
    done = run_script(pipeline_env, workspace)

    assert done.returncode == 1, done.stderr  # pushed everything; the gate is closed
    assert "gate CLOSED: retail-pd 2.4.0 -> production" in done.stdout
    summary = json.loads((workspace / "out" / "summary.json").read_text())
    version = ModelVersion.objects.get(model__slug="retail-pd", version="2.4.0")
    run = TrainingRun.objects.get(tracker="mlflow", external_id=summary["run_id"])
    assert version.training_run == run
    assert run.params["n_estimators"] == "60"  # MLflow keeps params as text
    pushed = sum(
        answer["counts"].get("metric_points", 0)
        for answers in summary["pushed"].values()
        for answer in answers
    )
    points = MetricPoint.objects.filter(version=version)
    assert points.count() == pushed
    assert points.filter(name="val_auc").count() == 60  # the full history, one per stage
    assert points.filter(segment="age_band=50+").count() == 3  # auc, brier, accuracy
    checks = sorted(r.summary["sensitive"] for r in FairnessResult.objects.filter(version=version))
    assert checks == [["age_band"], ["sex"], ["sex", "age_band"]]
