"""The DVC adapter reads the dvc.lock and .dvc files the installed DVC writes."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from monitoring.adapters import dvc as adapter
from monitoring.ingest.bundle import Bundle
from monitoring.ingest.errors import BadInput

DVC = Path(sys.executable).parent / "dvc"
COMMIT = "c0ffee" * 10 + "beef"  # 64 hex digits, as LakeFS names a commit
PIPELINE = f"""\
stages:
  prepare:
    cmd: {sys.executable} prepare.py
    deps: [data/loans.csv, prepare.py]
    outs: [data/train.csv]
  train:
    cmd: {sys.executable} train.py
    deps: [data/train.csv, train.py]
    outs: [model.pkl]
"""
pytestmark = pytest.mark.skipif(not DVC.exists(), reason="dvc is not installed in this venv")


# The `dvc` command's own entry point, run for each command in turn in one process: importing
# DVC takes a second or more, which a process per command would pay again each time.
COMMANDS = """\
import json, sys
from dvc.cli import main
for argv in json.loads(sys.argv[1]):
    if code := main(argv):
        sys.exit(f"dvc {' '.join(argv)} exited {code}")
"""


def dvc(repo: Path, *commands: list[str]) -> None:
    """Run the installed DVC's commands in `repo`, in order, stopping at one that fails."""
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    subprocess.run(  # noqa: S603 - our own venv's dvc
        [sys.executable, "-c", COMMANDS, json.dumps(commands)],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """`dvc add` of a file and a directory, a two-stage pipeline reproduced, a local remote."""
    repo = tmp_path_factory.mktemp("dvc-repo")
    (repo / "data").mkdir()
    (repo / "data" / "loans.csv").write_text("id,income\n1,52000\n2,61000\n")
    (repo / "documents").mkdir()
    for name in ("a.txt", "b.txt"):
        (repo / "documents" / name).write_text(name)
    (repo / "prepare.py").write_text(
        "import shutil\nshutil.copy('data/loans.csv', 'data/train.csv')\n"
    )
    (repo / "train.py").write_text("open('model.pkl', 'wb').write(b'model')\n")
    (repo / "dvc.yaml").write_text(PIPELINE)
    dvc(
        repo,
        ["init", "--no-scm"],
        ["add", "documents"],
        ["repro"],
        ["remote", "add", "-d", "store", str(repo.parent / "store")],
        ["push"],
    )
    return repo


def read(repo: Path, name: str, **options: str) -> Bundle:
    return adapter.read((repo / name).read_bytes(), filename=name, options=options)


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324 - DVC's content hash


def test_lock_gives_the_data_the_stages_read_not_their_code(repo):
    bundle = read(repo, "dvc.lock")

    assert [d.dataset for d in bundle.datasets] == ["data-loans-csv", "data-train-csv"]
    loans = bundle.datasets[0]
    digest = md5(repo / "data" / "loans.csv")
    assert (loans.version, loans.external_ref) == (digest[:12], f"md5:{digest}")
    assert (loans.name, loans.uri, loans.row_count) == ("data/loans.csv", "data/loans.csv", None)
    assert bundle.source == "dvc"


def test_lock_outputs_of_one_stage_on_request(repo):
    bundle = read(repo, "dvc.lock", stage="prepare", take="outs")

    assert [(d.dataset, d.external_ref) for d in bundle.datasets] == [
        ("data-train-csv", f"md5:{md5(repo / 'data' / 'train.csv')}")
    ]


def test_a_stage_whose_only_output_is_a_model_pins_no_data(repo):
    with pytest.raises(BadInput) as caught:
        read(repo, "dvc.lock", stage="train", take="outs")

    assert caught.value.message == "lists no data (only code, models and metrics)"


def test_dvc_file_of_a_directory_keeps_the_dir_hash(repo):
    bundle = read(repo, "documents.dvc", dataset="contracts", version="2026-11")

    (documents,) = bundle.datasets
    assert (documents.dataset, documents.version, documents.name) == (
        "contracts",
        "2026-11",
        "documents",
    )
    assert documents.external_ref.startswith("md5:")
    assert documents.external_ref.endswith(".dir")


def test_remote_uri_points_at_the_content_dvc_pushed(repo):
    remote = str(repo.parent / "store")

    bundle = read(repo, "dvc.lock", remote=remote)

    for dataset in bundle.datasets:
        assert dataset.uri.startswith(f"{remote}/files/md5/")
        assert Path(dataset.uri).read_bytes() == (repo / dataset.name).read_bytes()


def test_lakefs_commit_becomes_the_external_reference(repo):
    bundle = read(repo, "documents.dvc", lakefs_commit=COMMIT)

    written = yaml.safe_load((repo / "documents.dvc").read_text())["outs"][0]["md5"]
    assert bundle.datasets[0].external_ref == f"lakefs:{COMMIT}"
    assert bundle.datasets[0].version == written[:12]  # the content still names the version


def test_lakefs_remote_at_a_commit_pins_the_data(repo):
    bundle = read(repo, "documents.dvc", remote=f"lakefs://lake/{COMMIT}/dvc")

    (documents,) = bundle.datasets
    assert documents.external_ref == f"lakefs:{COMMIT}"
    assert documents.uri.startswith(f"lakefs://lake/{COMMIT}/dvc/files/md5/")


def test_lakefs_remote_on_a_branch_pins_nothing(repo):
    bundle = read(repo, "documents.dvc", remote="lakefs://lake/main/dvc")

    assert bundle.datasets[0].external_ref.startswith("md5:")


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"lakefs_commit": "main"}, "lakefs_commit"),
        ({"dataset": "loans"}, "dataset"),  # the lock pins two datasets
        ({"stage": "evaluate"}, "stage"),
        ({"take": "params"}, "take"),
        ({"dataset": "Loans Book"}, "dataset"),
        ({"branch": "main"}, "branch"),
    ],
)
def test_bad_options_are_named(repo, options, field):
    with pytest.raises(BadInput) as caught:
        read(repo, "dvc.lock", **options)

    assert caught.value.field == field


def test_unknown_option_says_whose_option_it_is_not(repo):
    with pytest.raises(BadInput) as caught:
        read(repo, "dvc.lock", branch="main")

    assert caught.value.message == "is not an option of dvc"


def test_truncated_yaml_names_the_file_and_the_line(repo):
    content = (repo / "dvc.lock").read_bytes().replace(b"deps:", b"deps: [", 1)

    with pytest.raises(BadInput) as caught:
        adapter.read(content, filename="dvc.lock", options={})

    assert caught.value.field == "file"
    assert caught.value.message.startswith("is not valid YAML:")
    assert "at line" in caught.value.message


def test_lock_of_dvc_1_is_refused_naming_the_schema(repo):
    content = (repo / "dvc.lock").read_text().replace("schema: '2.0'\n", "")

    with pytest.raises(BadInput) as caught:
        adapter.read(content.encode(), filename="dvc.lock", options={})

    assert caught.value.field == "schema"


def test_entry_without_a_hash_is_named(repo):
    content = (repo / "documents.dvc").read_text().replace("md5:", "size_again:")

    with pytest.raises(BadInput) as caught:
        adapter.read(content.encode(), filename="documents.dvc", options={})

    assert caught.value.field == "outs[0]"


def test_bundle_survives_the_json_round_trip(repo):
    bundle = read(repo, "dvc.lock")

    assert Bundle.from_json(json.loads(json.dumps(bundle.as_json()))) == bundle
