"""A DVC project read whole, as `dvc init` and `dvc repro` leave it in a git repository: one
dataset per file however often it is named, the stages as the run that read them, and models
and metrics kept out of the datasets."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.adapters import dvc as adapter
from tests.monitoring.adapters.test_dvc import dvc

PIPELINE = f"""\
stages:
  prepare:
    cmd: {sys.executable} prepare.py
    deps: [data/loans.csv, prepare.py]
    outs: [data/train.csv]
  train:
    cmd: {sys.executable} train.py
    deps: [data/train.csv, train.py]
    params: [train.C, seed]
    outs: [model.pkl]
    metrics:
      - scores.json:
          cache: false
"""
TRAIN = """\
import json
open('model.pkl', 'wb').write(b'model')
json.dump({'auc': 0.81}, open('scores.json', 'w'))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A git repository: loans.csv `dvc add`ed and read by a stage, params, a model, metrics."""
    root = tmp_path_factory.mktemp("dvc-project")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)  # noqa: S607 - the system git
    (root / "data").mkdir()
    (root / "data" / "loans.csv").write_text("id,income\n1,52000\n2,61000\n3,47000\n")
    (root / "prepare.py").write_text(
        "import shutil\nshutil.copy('data/loans.csv', 'data/train.csv')\n"
    )
    (root / "train.py").write_text(TRAIN)
    (root / "params.yaml").write_text("train:\n  C: 0.5\nseed: 7\n")
    (root / "dvc.yaml").write_text(PIPELINE)
    dvc(root, ["init"], ["add", "data/loans.csv"], ["repro"])
    return root


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324 - DVC's content hash


def test_a_file_both_added_and_read_by_a_stage_is_one_dataset(project):
    bundle = adapter.read_repo(project, options={"take": "all"})

    assert [(d.name, d.external_ref) for d in bundle.datasets] == [
        ("data/loans.csv", f"md5:{md5(project / 'data' / 'loans.csv')}"),
        ("data/train.csv", f"md5:{md5(project / 'data' / 'train.csv')}"),
    ]


def test_models_and_declared_metrics_are_not_datasets(project):
    names = {d.name for d in adapter.read_repo(project, options={"take": "all"}).datasets}

    assert not {"model.pkl", "scores.json"} & names


def test_the_stages_are_the_run_with_params_commands_and_the_data_they_read(project):
    run = adapter.read_repo(project, options={}).run

    assert run is not None
    assert (run.tracker, run.params) == ("dvc", {"train.C": 0.5, "seed": 7})
    assert run.tags == {
        "dvc.stage.prepare.cmd": f"{sys.executable} prepare.py",
        "dvc.stage.train.cmd": f"{sys.executable} train.py",
    }
    assert [d.name for d in run.input_datasets] == ["data/loans.csv", "data/train.csv"]
    lock = (project / "dvc.lock").read_bytes()
    assert run.external_id == f"dvc.lock:{hashlib.sha256(lock).hexdigest()[:16]}"


def test_a_lock_alone_tells_models_and_metrics_by_their_names(project):
    content = (project / "dvc.lock").read_bytes()

    bundle = adapter.read(content, filename="dvc.lock", options={"take": "all"})

    assert [d.name for d in bundle.datasets] == ["data/loans.csv", "data/train.csv"]
    assert bundle.run is not None and bundle.run.params["seed"] == 7


def test_a_dataset_named_by_option_is_that_one_among_the_runs_inputs(project):
    bundle = adapter.read_repo(project, options={"stage": "prepare", "dataset": "loan-book"})

    assert [d.dataset for d in bundle.datasets] == ["loan-book"]
    assert [d.dataset for d in bundle.run.input_datasets] == ["loan-book"]
    everything = adapter.read_repo(project, options={"take": "outs", "stage": "prepare"})
    assert [d.dataset for d in everything.run.input_datasets] == ["data-loans-csv"]


def test_a_project_without_lock_or_dvc_files_is_refused(tmp_path):
    with pytest.raises(adapter.BadInput) as caught:
        adapter.read_repo(tmp_path, options={})

    assert "holds no dvc.lock and no .dvc file" in caught.value.message


IMPORT = "/api/v1/models/retail-pd/versions/1.0.0/imports/dvc/"


def upload(project: Path, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(Path(name).name, (project / name).read_bytes())


@pytest.mark.django_db
def test_a_dvc_file_then_the_lock_imported_register_loans_once_and_link_the_run(
    project, pd_version, pipeline_client
):
    from registry.models import DatasetVersion

    dvc_file = {"file": upload(project, "data/loans.csv.dvc"), "folder": "data"}
    added = pipeline_client.post(IMPORT, dvc_file)
    locked = pipeline_client.post(IMPORT, {"file": upload(project, "dvc.lock"), "take": "all"})

    assert (added.status_code, locked.status_code) == (201, 201), locked.content
    slugs = list(DatasetVersion.objects.values_list("dataset__slug", flat=True).order_by("pk"))
    assert slugs == ["data-loans-csv", "data-train-csv"]
    pd_version.refresh_from_db()
    run = pd_version.training_run
    assert run.params == {"train.C": 0.5, "seed": 7}
    assert sorted(str(d) for d in run.input_datasets.all()) == sorted(
        str(d) for d in DatasetVersion.objects.all()
    )
    assert [d["dataset"] for d in locked.json()["records"]["datasets"]] == slugs
