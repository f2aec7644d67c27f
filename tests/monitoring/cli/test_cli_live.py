"""The attest CLI against a live server: every push records, re-runs replay, refusals exit right.

`main(argv, environ=...)` runs as the console script does; requests go over HTTP to
pytest-django's live server, authenticated with a service account's real token.
"""

import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
import requests
from django.utils import timezone

from governance.access.services import tokens
from governance.rulebooks import services as rulebooks
from monitoring.cli.main import main
from monitoring.models import (
    DataValidationResult,
    EvidenceFile,
    FairnessResult,
    IngestionBatch,
    MetricPoint,
)
from monitoring.services import metric_definitions
from registry.models import ModelVersion, TrainingRun
from tests.governance.approvals.conftest import approve, evidence_everything, submitted
from tests.risk_answers import TIER_3, US_BANK_SCORECARD, assess

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("pd_version")]
TARGET = ["--model", "retail-pd", "--version", "1.0.0"]
FAST = ["--backoff", "0"]


@pytest.fixture
def env(live_server, pipeline_key, tmp_path) -> dict[str, str]:
    """What CI sets: the server and the pipeline's token (HOME isolates any config file)."""
    return {"ATTEST_URL": live_server.url, "ATTEST_TOKEN": pipeline_key, "HOME": str(tmp_path)}


def attest(env: dict[str, str], *argv: object) -> int:
    return main([str(a) for a in argv], environ=env)


def metrics_csv(path: Path, n: int, changed: dict[int, dict[str, str]] | None = None) -> Path:
    """n points of auc; `changed` replaces cells of some rows (1-based, as a person counts)."""
    rows = ["name,value,timestamp,step"]
    for i in range(1, n + 1):
        cells = {"name": "auc", "value": f"{0.5 + i / 10_000}", "timestamp": "2026-11-01T10:00:00Z"}
        cells.update((changed or {}).get(i, {}))
        rows.append(f"{cells['name']},{cells['value']},{cells['timestamp']},{i}")
    path.write_text("\n".join(rows) + "\n")
    return path


# --- metric files, in chunks -----------------------------------------------------------------


def test_a_metrics_file_goes_in_chunks_and_a_rerun_records_nothing_twice(env, tmp_path, capsys):
    csv = metrics_csv(tmp_path / "metrics.csv", 250)

    assert attest(env, "push", "metrics", csv, *TARGET, "--chunk-size", 100) == 0
    assert "metric points: 250 (batch" in capsys.readouterr().out
    assert MetricPoint.objects.count() == 250
    keys = sorted(IngestionBatch.objects.values_list("key", flat=True))
    assert [k.rsplit(":", 1)[1] for k in keys] == ["1/3", "2/3", "3/3"]

    assert attest(env, "push", "metrics", csv, *TARGET, "--chunk-size", 100) == 0
    assert "3 of 3 request(s) had been recorded before (replayed)" in capsys.readouterr().out
    assert MetricPoint.objects.count() == 250
    assert IngestionBatch.objects.count() == 3


def test_a_bad_row_stops_the_push_before_anything_is_sent(env, tmp_path, capsys):
    csv = metrics_csv(tmp_path / "metrics.csv", 250, {150: {"value": "high"}})

    assert attest(env, "push", "metrics", csv, *TARGET, "--chunk-size", 100) == 2

    assert "error: row 150, value: 'high' is not a number" in capsys.readouterr().err
    assert IngestionBatch.objects.count() == MetricPoint.objects.count() == 0


def test_a_name_the_model_does_not_define_is_refused_before_anything_is_sent(
    env, tmp_path, capsys, owner
):
    metric_definitions.define_metric(
        actor=owner, model=ModelVersion.objects.get().model, name="auc", direction="higher"
    )
    csv = metrics_csv(tmp_path / "metrics.csv", 250, {150: {"name": "gini"}})

    assert attest(env, "push", "metrics", csv, *TARGET, "--chunk-size", 100) == 2

    err = capsys.readouterr().err
    assert "row 150, name: 'gini' is not a metric defined for this model (auc)" in err
    assert MetricPoint.objects.count() == 0


def test_rows_only_the_server_refuses_are_numbered_as_in_the_file(env, tmp_path, capsys):
    """The server's clock allows 300 s of skew, the CLI's an hour: chunk 2 is refused there."""
    soon = (timezone.now() + timedelta(minutes=30)).isoformat()
    csv = metrics_csv(tmp_path / "metrics.csv", 250, {150: {"timestamp": soon}})

    assert attest(env, "push", "metrics", csv, *TARGET, "--chunk-size", 100) == 2

    err = capsys.readouterr().err
    assert "chunk 2/3 (from point 101)" in err
    assert "chunks 1-1 (100 points) are recorded" in err
    assert "row 150, timestamp:" in err and "is in the future" in err
    assert MetricPoint.objects.count() == 100


def test_an_answer_lost_on_the_way_back_is_retried_and_replayed(env, tmp_path, capsys, monkeypatch):
    """The server records chunk 1, the connection drops before its answer: nothing twice."""
    send, dropped = requests.Session.request, []

    def lossy(self, method, *args, **kwargs):
        response = send(self, method, *args, **kwargs)
        if method == "POST" and not dropped:
            dropped.append(response.status_code)
            raise requests.ConnectionError("connection reset by peer")
        return response

    monkeypatch.setattr(requests.Session, "request", lossy)
    csv = metrics_csv(tmp_path / "metrics.csv", 250)

    assert attest(env, "push", "metrics", csv, *TARGET, "--chunk-size", 100, *FAST) == 0

    captured = capsys.readouterr()
    assert dropped == [201]
    assert "connection reset by peer; retrying in 0 s" in captured.err
    assert "1 of 3 request(s) had been recorded before (replayed)" in captured.out
    assert MetricPoint.objects.count() == 250


def test_an_unknown_version_exits_2_and_a_bad_token_exits_3(env, tmp_path, capsys):
    csv = metrics_csv(tmp_path / "metrics.csv", 3)

    assert attest(env, "push", "metrics", csv, "--model", "retail-pd", "--version", "9.9") == 2
    assert "404" in capsys.readouterr().err
    assert attest({**env, "ATTEST_TOKEN": "att_wrong"}, "push", "metrics", csv, *TARGET) == 3
    assert "Invalid or revoked token" in capsys.readouterr().err


def test_a_token_that_may_read_but_not_write_exits_3(env, tmp_path, auditor, capsys):
    _, key = tokens.issue_token(actor=auditor, user=auditor, name="laptop")
    csv = metrics_csv(tmp_path / "metrics.csv", 3)
    assert attest({**env, "ATTEST_TOKEN": key}, "push", "metrics", csv, *TARGET) == 3
    assert "403" in capsys.readouterr().err


# --- bundles ---------------------------------------------------------------------------------


def bundle_json(path: Path, points: int) -> Path:
    when = "2026-11-01T09:00:00+00:00"
    bundle = {
        "format": 1,
        "source": "mlflow",
        "run": {"tracker": "mlflow", "external_id": "3f2a9c", "params": {"C": "0.5"}},
        "version": {"artifact_uri": "models:/retail-pd/2", "aliases": ["challenger"]},
        "metrics": {
            "name": ["auc"] * points,
            "value": [0.8] * points,
            "timestamp": [when] * points,
            "step": list(range(points)),
        },
    }
    path.write_text(json.dumps(bundle))
    return path


def test_a_bundle_registers_its_version_and_run(env, tmp_path, capsys):
    path = bundle_json(tmp_path / "bundle.json", 3)

    assert attest(env, "push", "bundle", path, "--model", "retail-pd", "--version", "2.0") == 0

    run = TrainingRun.objects.get(external_id="3f2a9c")
    version = ModelVersion.objects.get(model__slug="retail-pd", version="2.0")
    assert MetricPoint.objects.filter(version=version).count() == 3
    assert run.model.slug == "retail-pd"
    assert "metric points: 3, runs: 1" in capsys.readouterr().out


def test_a_bundle_with_more_points_than_a_chunk_is_sent_in_parts(env, tmp_path, capsys):
    path = bundle_json(tmp_path / "bundle.json", 250)
    argv = ["push", "bundle", path, "--model", "retail-pd", "--version", "2.0", "--chunk-size", 100]

    assert attest(env, *argv, "--json") == 0
    answers = json.loads(capsys.readouterr().out)
    assert [a["counts"] for a in answers] == [
        {"runs": 1},
        {"metric_points": 100},
        {"metric_points": 100},
        {"metric_points": 50},
    ]
    assert attest(env, *argv) == 0
    assert (TrainingRun.objects.count(), MetricPoint.objects.count()) == (1, 250)


def test_a_malformed_bundle_is_refused_locally_naming_its_path(env, tmp_path, capsys):
    path = tmp_path / "bundle.json"
    path.write_text(
        json.dumps({"source": "x", "drift": [{"evaluated_at": "2026-11-01", "columns": []}]})
    )
    assert attest(env, "push", "bundle", path, *TARGET) == 2
    assert "error: drift[0].evaluated_at: '2026-11-01' has no UTC offset" in capsys.readouterr().err
    assert IngestionBatch.objects.count() == 0


# --- trackers read where the pipeline runs --------------------------------------------------

OFFLINE = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true", "WANDB_SILENT": "true"}
WANDB_TRAINING = """
import wandb
run = wandb.init(project="churn", id="train-3", config={"lr": 0.05})
for step in range(40):
    run.log({"loss": 1 / (step + 1), "val": {"auc": 0.6 + step / 100}})
run.summary["best_auc"] = 0.99
run.finish()
"""


@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")
def test_an_mlflow_run_is_read_here_and_sent_in_parts(
    env, tmp_path, capsys, monkeypatch, mlflow_store
):
    mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed")
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)
    uri = mlflow_store(tmp_path)
    tracker = mlflow.MlflowClient(tracking_uri=uri)
    experiment = tracker.create_experiment("pd", artifact_location=(tmp_path / "a").as_uri())
    run_id = tracker.create_run(experiment).info.run_id
    tracker.log_param(run_id, "C", "0.5")
    losses = [mlflow.entities.Metric("loss", 1 / (s + 1), 1_790_000_000_000, s) for s in range(250)]
    tracker.log_batch(run_id, metrics=losses)
    tracker.set_terminated(run_id)
    argv = ["push", "mlflow", "--tracking-uri", uri, "--model", "retail-pd", "--version", "3.0"]

    assert attest(env, *argv, "--run-id", run_id, "--chunk-size", 100) == 0
    assert attest(env, *argv, "--run-id", run_id, "--chunk-size", 100) == 0

    assert "4 of 4 request(s) had been recorded before (replayed)" in capsys.readouterr().out
    run = TrainingRun.objects.get(tracker="mlflow", external_id=run_id)
    assert run.params == {"C": "0.5"}
    assert MetricPoint.objects.filter(version__version="3.0", name="loss").count() == 250
    assert attest(env, *argv, "--run-id", "0" * 32) == 2
    assert f"no run {'0' * 32} at {uri}" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")
def test_a_failed_mlflow_run_is_refused_unless_allow_failed(
    env, tmp_path, capsys, monkeypatch, mlflow_store
):
    mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed")
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)
    uri = mlflow_store(tmp_path)
    tracker = mlflow.MlflowClient(tracking_uri=uri)
    experiment = tracker.create_experiment("pd", artifact_location=(tmp_path / "a").as_uri())
    run_id = tracker.create_run(experiment).info.run_id
    tracker.log_metric(run_id, "loss", 0.4, timestamp=1_790_000_000_000, step=0)
    tracker.log_metric(run_id, "loss", float("inf"), timestamp=1_790_000_000_000, step=1)
    tracker.set_terminated(run_id, status="FAILED")
    argv = ["push", "mlflow", "--tracking-uri", uri, "--run-id", run_id, *TARGET[:2]]
    argv += ["--version", "3.2"]

    assert attest(env, *argv) == 2
    assert f"MLflow run {run_id} is FAILED" in capsys.readouterr().err
    assert attest(env, *argv, "--allow-failed") == 2
    assert "loss step 1 is +inf" in capsys.readouterr().err
    assert not TrainingRun.objects.filter(external_id=run_id).exists()

    assert attest(env, *argv, "--allow-failed", "--allow-non-finite") == 0

    run = TrainingRun.objects.get(tracker="mlflow", external_id=run_id)
    assert run.tags["attest.run_state"] == "FAILED"
    assert run.tags["attest.non_finite_metrics"] == "loss step 1: +inf"
    assert list(
        MetricPoint.objects.filter(version__version="3.2").values_list("value", flat=True)
    ) == [0.4]


def test_a_wandb_offline_directory_is_read_here_and_pushed(env, tmp_path, capsys):
    pytest.importorskip("wandb", reason="the wandb extra is not installed")
    (tmp_path / "train.py").write_text(WANDB_TRAINING)
    wandb_env = {**os.environ, **OFFLINE, "WANDB_MODE": "offline", "WANDB_DIR": str(tmp_path)}
    subprocess.run(
        [sys.executable, "train.py"], cwd=tmp_path, env=wandb_env, check=True, timeout=120
    )
    (directory,) = (tmp_path / "wandb").glob("offline-run-*")

    argv = ["push", "wandb", directory, "--model", "retail-pd", "--version", "3.1"]
    assert attest(env, *argv) == 0

    run = TrainingRun.objects.get(tracker="wandb", external_id="churn/train-3")
    assert run.params == {"lr": 0.05}
    points = MetricPoint.objects.filter(version__version="3.1")
    assert points.filter(name="val.auc").count() == 40
    assert points.filter(name="best_auc").count() == 1
    assert "runs: 1" in capsys.readouterr().out


# --- files the server's adapters read --------------------------------------------------------


def test_fairness_is_imported_with_its_options_as_form_fields(env, tmp_path, capsys):
    rows = 400
    frame = pd.DataFrame(
        {
            "y": [i % 2 for i in range(rows)],
            "y_hat": [(i // 2) % 2 for i in range(rows)],
            "sex": ["F" if i % 4 < 2 else "M" for i in range(rows)],
            "age_band": ["<40" if i % 8 < 4 else "40+" for i in range(rows)],
        }
    )
    frame.to_parquet(tmp_path / "predictions.parquet")
    argv = ["push", "fairness", tmp_path / "predictions.parquet", *TARGET]
    flags = ["--label", "y", "--prediction", "y_hat", "--sensitive", "sex,age_band"]

    assert attest(env, *argv, *flags, "--min-group-size", 30) == 0

    checks = sorted(r.summary["sensitive"] for r in FairnessResult.objects.all())
    assert checks == [["age_band"], ["sex"], ["sex", "age_band"]]  # each, and intersectional
    assert "fairness results: 3" in capsys.readouterr().out
    assert attest(env, *argv, *flags, "--min-group-size", 20) == 0  # another option: new push
    assert FairnessResult.objects.count() == 6


def test_a_truncated_evidently_report_exits_2_with_the_servers_reason(env, tmp_path, capsys):
    path = tmp_path / "drift_report.json"
    path.write_text('{"metrics": [{"metric_id": "DriftedColumnsCount(drift_share=0.5)", ')

    assert attest(env, "push", "evidently", path, *TARGET) == 2

    err = capsys.readouterr().err
    assert "/imports/evidently/ was refused: 400" in err
    assert "file: is not valid JSON" in err


# The shape of Great Expectations 1.x's CheckpointResult.describe() (the adapter's tests read
# the real thing): no suite name and no time, so both must come as flags.
DESCRIBED = {
    "success": True,
    "statistics": {"evaluated_validations": 1, "success_percent": 100.0},
    "validation_results": [
        {
            "success": True,
            "statistics": {"evaluated_expectations": 1, "successful_expectations": 1},
            "expectations": [
                {
                    "expectation_type": "expect_column_values_to_not_be_null",
                    "success": True,
                    "kwargs": {"column": "age", "batch_id": "loans-book"},
                    "result": {"element_count": 25, "unexpected_count": 0},
                }
            ],
        }
    ],
}


def test_a_checkpoint_description_is_taken_as_it_is_or_with_suite_and_time_as_flags(
    env, tmp_path, capsys
):
    path = tmp_path / "described.json"
    path.write_text(json.dumps(DESCRIBED))
    argv = ["push", "great-expectations", path, *TARGET]

    assert attest(env, *argv) == 0
    when = ["--suite", "nightly", "--evaluated-at", "2026-11-01T02:00:00Z"]
    assert attest(env, *argv, *when) == 0

    found = DataValidationResult.objects.order_by("pk")
    assert found[0].statistics["evaluated_at_source"].startswith("read by Attest")
    check = found[1]
    assert (check.suite, check.evaluated_at.isoformat()) == ("nightly", "2026-11-01T02:00:00+00:00")


def test_an_evidence_file_streams_up_and_a_rerun_replays(env, tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    content = b"%PDF-1.4\n" + bytes(range(256)) * 12_000  # about 3 MB
    path = tmp_path / "model_card.pdf"
    path.write_bytes(content)
    argv = ["push", "evidence", path, *TARGET, "--title", "Model card", "--kind", "model-card"]

    assert attest(env, *argv, "--progress") == 0
    stored = EvidenceFile.objects.get()
    assert stored.sha256 == hashlib.sha256(content).hexdigest() and stored.size == len(content)
    shown = capsys.readouterr()
    assert f"sha256 {stored.sha256}" in shown.out
    assert "model_card.pdf: 100%" in shown.err and "2.93M/2.93M" in shown.err  # bytes sent

    assert attest(env, *argv) == 0
    assert "(replayed)" in capsys.readouterr().out
    assert EvidenceFile.objects.count() == 1


def test_reusing_a_key_for_other_content_exits_2_naming_the_key(env, tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("first")
    second.write_text("second")
    flags = [*TARGET, "--title", "Notes", "--kind", "notes", "--idempotency-key", "release-7"]

    assert attest(env, "push", "evidence", first, *flags) == 0
    assert attest(env, "push", "evidence", second, *flags) == 2
    assert "Idempotency-Key: 'release-7' was already used for a different request" in (
        capsys.readouterr().err
    )


def test_an_oversize_body_exits_2_naming_the_limit(env, tmp_path, settings, capsys):
    settings.ATTEST_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 5000)

    assert attest(env, "push", "evidence", path, *TARGET, "--title", "Big", "--kind", "notes") == 2
    assert "the limit is 1,000 bytes (ATTEST_MAX_UPLOAD_BYTES)" in capsys.readouterr().err


# --- the gate --------------------------------------------------------------------------------


@pytest.fixture
def validated(credit_pd_model, pd_version, owner, validator) -> ModelVersion:
    """Version 1.0.0 of the Tier 3 PD model, validated by Vera: open for staging only."""
    rulebooks.load_shipped()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_3)
    evidence_everything(owner, credit_pd_model)
    approve(submitted(owner, pd_version, "validation"), (validator, "validator"))
    return pd_version


def test_a_closed_gate_exits_1_and_prints_each_unmet_requirement(env, validated, capsys):
    argv = ["gate", *TARGET, "--environment", "production"]

    assert attest(env, *argv) == 1
    out = capsys.readouterr().out
    assert out.startswith("gate CLOSED: retail-pd 1.0.0 -> production")
    assert "no approval of this version for deployment to production" in out

    assert attest(env, *argv, "--json") == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["open"] is False and [r["id"] for r in answer["unmet"]] == ["approval"]


def test_an_open_gate_exits_0(env, validated, capsys):
    assert attest(env, "gate", *TARGET, "--environment", "staging") == 0
    assert capsys.readouterr().out.startswith("gate OPEN: retail-pd 1.0.0 -> staging")


def test_a_bad_gate_question_exits_2_naming_the_parameter(env, validated, capsys):
    assert attest(env, "gate", *TARGET, "--environment", "moon") == 2
    assert "environment:" in capsys.readouterr().err


def test_the_gate_of_a_model_the_token_does_not_reach_exits_2(env, hidden_model, capsys):
    argv = ["gate", "--model", "bureau", "--version", "1", "--environment", "production"]
    assert attest(env, *argv) == 2
    assert "404" in capsys.readouterr().err
