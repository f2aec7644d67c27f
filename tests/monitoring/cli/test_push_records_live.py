"""What a push tells the person who ran it: every record by id, and a tracker version already
pushed under another label refused (409, exit 2) naming that label."""

import pytest

from monitoring.models import MetricPoint
from registry.models import DatasetVersion, ModelVersion
from tests.monitoring.cli.test_cli_live import OFFLINE, attest, env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pd_version"),
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning"),
]
__all__ = ["env"]  # the live server and token fixture


@pytest.fixture
def registered_run(tmp_path, monkeypatch, mlflow_store) -> tuple[str, str]:
    """An MLflow run with a loss history, registered as version 1 of `retail-pd` in MLflow."""
    mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed")
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)
    uri = mlflow_store(tmp_path)
    tracker = mlflow.MlflowClient(tracking_uri=uri)
    experiment = tracker.create_experiment("pd", artifact_location=(tmp_path / "a").as_uri())
    run_id = tracker.create_run(experiment).info.run_id
    for step in range(3):
        tracker.log_metric(run_id, "loss", 0.5 - step / 10, 1_790_000_000_000, step)
    tracker.set_terminated(run_id)
    tracker.create_registered_model("retail-pd")
    tracker.create_model_version("retail-pd", (tmp_path / "a" / "model").as_uri(), run_id)
    return uri, run_id


def test_a_push_names_its_version_run_and_points_per_metric(env, registered_run, capsys):
    uri, run_id = registered_run

    argv = ["push", "mlflow", "--tracking-uri", uri, "--run-id", run_id, "--model", "retail-pd"]
    assert attest(env, *argv, "--version", "3.0") == 0

    version = ModelVersion.objects.get(model__slug="retail-pd", version="3.0")
    lines = capsys.readouterr().out.splitlines()
    page = f"{env['ATTEST_URL']}/inventory/models/retail-pd/versions/3.0/"
    assert lines[1] == f"  version 3.0 (retail-pd/1), id {version.pk}: {page}"
    assert lines[2] == f"  run {version.training_run.pk}: mlflow {run_id}"
    assert lines[3] == "  metric points: loss 3"


def test_the_same_mlflow_version_under_a_second_label_exits_2_naming_the_first(
    env, registered_run, capsys
):
    uri, run_id = registered_run
    argv = ["push", "mlflow", "--tracking-uri", uri, "--run-id", run_id, "--model", "retail-pd"]
    assert attest(env, *argv, "--version", "3.0") == 0
    capsys.readouterr()

    assert attest(env, *argv, "--version", "3.1") == 2

    err = capsys.readouterr().err
    assert "409 Conflict" in err
    assert "version.external_id: retail-pd/1 is already retail-pd version 3.0" in err
    assert not ModelVersion.objects.filter(version="3.1").exists()
    assert MetricPoint.objects.filter(name="loss").count() == 3


def test_a_dvc_project_directory_is_read_here_and_pushed_as_one_run(env, tmp_path, capsys):
    from tests.monitoring.adapters.test_dvc import DVC, dvc

    if not DVC.exists():
        pytest.skip("dvc is not installed in this venv")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "loans.csv").write_text("id,income\n1,52000\n")
    dvc(tmp_path, ["init", "--no-scm"], ["add", "data/loans.csv"])

    argv = ["push", "dvc", tmp_path, "--model", "retail-pd", "--version", "1.0.0"]
    assert attest(env, *argv) == 0

    assert "dataset versions: data-loans-csv " in capsys.readouterr().out
    # The .dvc file alone names the same file: the folder it sits in goes with it.
    assert attest(env, *argv[:2], tmp_path / "data" / "loans.csv.dvc", *argv[3:]) == 0
    assert DatasetVersion.objects.count() == 1
