"""examples/train_credit_model.py end to end: trains, logs to MLflow, pushes to a live Attest.

The script runs as a pipeline would, in its own process with only ATTEST_URL and ATTEST_TOKEN,
against pytest-django's live server; then the test reads what arrived in the database.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from governance.access.models import RaciAssignment
from governance.access.services import raci, tokens
from governance.rulebooks import services as rulebooks
from monitoring.models import FairnessResult, MetricPoint
from registry.models import ModelVersion, TrainingRun

pytestmark = pytest.mark.django_db(transaction=True)
SCRIPT = Path(settings.BASE_DIR) / "examples" / "train_credit_model.py"


@pytest.fixture
def pipeline_env(live_server, admin_user, owner, credit_pd_model, tmp_path) -> dict[str, str]:
    """A CI job's environment: the server, a service account's token, nothing of Django."""
    rulebooks.load_shipped()  # the gate needs a policy in force
    account = tokens.create_service_account(actor=admin_user, username="ci-training")
    raci.assign_raci(
        actor=owner,
        model=credit_pd_model,
        user=account,
        role="R",
        area=RaciAssignment.Area.DEVELOPMENT,
    )
    _, key = tokens.issue_token(actor=admin_user, user=account, name="training job")
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "TMPDIR")}
    return {
        **keep,
        "PYTHONPATH": str(settings.BASE_DIR),
        "HOME": str(tmp_path),
        "ATTEST_URL": live_server.url,
        "ATTEST_TOKEN": key,
        "MLFLOW_DISABLE_TELEMETRY": "true",  # nothing leaves the machine
        "DO_NOT_TRACK": "true",
    }


def run_script(env: dict[str, str], out: Path) -> subprocess.CompletedProcess:
    argv = [sys.executable, str(SCRIPT), "--version", "2.4.0", "--out", str(out)]
    return subprocess.run(  # noqa: S603 - our own script with a fixed argv
        argv, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_training_script_pushes_run_fairness_and_metrics_then_asks_the_gate(
    pipeline_env, tmp_path
):
    done = run_script(pipeline_env, tmp_path / "out")

    assert done.returncode == 1, done.stderr  # pushed everything; the gate is closed
    assert "gate CLOSED: retail-pd 2.4.0 -> production" in done.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
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
