"""The W&B adapter reads an offline run the installed wandb writes, and the API's JSON export."""

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitoring.adapters import wandb as adapter
from monitoring.adapters.errors import MissingExtra
from monitoring.ingest.bundle import Bundle
from monitoring.ingest.errors import BadInput

STEPS = 300  # enough history to fill several 32 KiB blocks
TRAINING = f"""
import wandb

run = wandb.init(
    project="credit-pd",
    id="train-7",
    name="baseline",
    tags=["retail"],
    config={{"lr": 0.05, "optimizer": {{"name": "adam", "beta": 0.9}}, "notes": "x" * 80_000}},
)
for step in range({STEPS}):
    run.log({{
        "loss": 1 / (step + 1),
        "val": {{"auc": 0.6 + step / 1000}},
        "converged": step > 100,
        "phase": "warmup" if step < 10 else "main",
    }})
run.config.update({{"epochs": 3}})
run.summary["best_auc"] = 0.93
run.finish()
"""


CRASHING = """
import wandb

run = wandb.init(project="credit-pd", id="train-8")
table = wandb.Table(columns=["id", "score"], data=[[1, 0.2], [2, 0.9]])
run.log({"loss": 0.5, "val_predictions": table})
run.log({"loss": 0.4})
run.log({"loss": float("nan")})
raise RuntimeError("out of memory")
"""


def wandb_env(repo: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WANDB_MODE": "offline",
        "WANDB_SILENT": "true",
        "WANDB_DIR": str(repo),
        "WANDB_CONFIG_DIR": str(repo / ".config"),
        "WANDB_CACHE_DIR": str(repo / ".cache"),
        "WANDB_DATA_DIR": str(repo / ".data"),
    }


def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=dev", "-c", "user.email=dev@bank.example", *args]
    done = subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True)  # noqa: S603 - fixed arguments
    return done.stdout.strip()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """A git repository where wandb logged, in one process of its own, a finished run (train-7)
    and then one that logged a wandb.Table and raised (train-8): the process exits 1, which wandb
    writes as that run's exit code. One process for both: each starts wandb's service, seconds."""
    pytest.importorskip("wandb", reason="the wandb extra is not installed")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("wandb-repo")
    git(repo, "init", "-q")
    git(repo, "commit", "-q", "--allow-empty", "-m", "train")
    (repo / "train.py").write_text(TRAINING + CRASHING)
    done = subprocess.run(
        [sys.executable, "train.py"],
        cwd=repo,
        env=wandb_env(repo),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    return repo


@pytest.fixture(scope="module")
def offline_run(runs) -> tuple[Path, str]:
    """The finished run's offline directory and the commit it was logged at."""
    (directory,) = (runs / "wandb").glob("offline-run-*-train-7")
    return directory, git(runs, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def bundle(offline_run) -> Bundle:
    return adapter.read_offline_run(offline_run[0])


def points(bundle: Bundle, name: str) -> list[tuple[int | None, float]]:
    m = bundle.metrics
    return [(m.step[i], m.value[i]) for i in range(len(m)) if m.name[i] == name]


def test_run_has_project_id_config_and_commit(bundle, offline_run):
    run = bundle.run

    assert (run.tracker, run.external_id) == ("wandb", "credit-pd/train-7")
    assert run.params["lr"] == 0.05
    assert run.params["optimizer"] == {"name": "adam", "beta": 0.9}
    assert run.params["epochs"] == 3
    assert len(run.params["notes"]) == 80_000
    assert "_wandb" not in run.params
    assert run.tags["wandb.name"] == "baseline"
    assert run.tags["wandb.tags"] == ["retail"]
    assert run.code_commit == offline_run[1]
    assert run.started_at.tzinfo is UTC
    assert run.started_at <= run.finished_at <= datetime.now(tz=UTC)


def test_full_history_comes_with_every_step(bundle):
    assert points(bundle, "loss") == [(s, 1 / (s + 1)) for s in range(STEPS)]
    assert points(bundle, "val.auc") == [(s, 0.6 + s / 1000) for s in range(STEPS)]


def test_history_times_lie_within_the_run(bundle):
    stamps = {datetime.fromisoformat(t) for t in bundle.metrics.timestamp}

    assert min(stamps) >= bundle.run.started_at
    assert max(stamps) <= bundle.run.finished_at


def test_booleans_text_and_wandb_keys_are_not_metrics(bundle):
    assert set(bundle.metrics.name) == {"loss", "val.auc", "best_auc"}


def test_summary_value_not_in_history_is_a_point_at_the_end(bundle):
    assert points(bundle, "best_auc") == [(None, 0.93)]
    (i,) = [i for i, name in enumerate(bundle.metrics.name) if name == "best_auc"]
    assert datetime.fromisoformat(bundle.metrics.timestamp[i]) == bundle.run.finished_at


def test_bundle_survives_the_trip_as_json(bundle):
    assert Bundle.from_json(bundle.as_json()) == bundle


def test_finished_run_records_its_state(bundle):
    assert bundle.run.tags["attest.run_state"] == "finished"
    assert "attest.media_skipped" not in bundle.run.tags


@pytest.fixture(scope="module")
def crashed_run(runs) -> Path:
    """The offline directory of the run that logged a table, then raised."""
    (directory,) = (runs / "wandb").glob("offline-run-*-train-8")
    return directory


def test_crashed_run_is_refused_unless_allowed(crashed_run):
    with pytest.raises(BadInput) as caught:
        adapter.read_offline_run(crashed_run)

    assert "W&B run credit-pd/train-8 failed" in caught.value.message
    assert "--allow-failed" in caught.value.message
    run = adapter.read_offline_run(crashed_run, allow_failed=True, allow_non_finite=True).run
    assert run.tags["attest.run_state"] == "failed"


def test_nan_is_refused_naming_metric_and_step_or_recorded_in_words(crashed_run):
    with pytest.raises(BadInput) as caught:
        adapter.read_offline_run(crashed_run, allow_failed=True)

    assert caught.value.field == "metrics.loss"
    assert "loss step 2 is NaN" in caught.value.message
    bundle = adapter.read_offline_run(crashed_run, allow_failed=True, allow_non_finite=True)
    assert points(bundle, "loss") == [(0, 0.5), (1, 0.4)]
    assert bundle.run.tags["attest.non_finite_metrics"] == "loss step 2: NaN"


def test_a_table_is_skipped_not_turned_into_metrics(crashed_run):
    bundle = adapter.read_offline_run(crashed_run, allow_failed=True, allow_non_finite=True)

    assert set(bundle.metrics.name) == {"loss"}  # no val_predictions.nrows/ncols/size
    assert bundle.run.tags["attest.media_skipped"] == "val_predictions (table-file)"


def test_records_span_blocks(offline_run):
    (run_file,) = offline_run[0].glob("run-*.wandb")
    with run_file.open("rb") as stream:
        kinds = {kind for _, kind, _ in adapter._chunks(stream)}

    assert run_file.stat().st_size > 3 * adapter.BLOCK
    assert kinds == {adapter.FULL, adapter.FIRST, adapter.MIDDLE, adapter.LAST}


def test_truncated_file_names_the_byte_offset(offline_run, tmp_path):
    (run_file,) = offline_run[0].glob("run-*.wandb")
    cut = tmp_path / run_file.name
    cut.write_bytes(run_file.read_bytes()[: adapter.BLOCK + 1000])

    with pytest.raises(BadInput) as caught:
        adapter.read_offline_run(cut)

    assert caught.value.field == "file"
    assert "at byte offset" in caught.value.message


def test_flipped_byte_fails_the_checksum(offline_run, tmp_path):
    (run_file,) = offline_run[0].glob("run-*.wandb")
    content = bytearray(run_file.read_bytes())
    content[500] ^= 0xFF
    broken = tmp_path / run_file.name
    broken.write_bytes(bytes(content))

    with pytest.raises(BadInput, match="checksum at byte offset"):
        adapter.read_offline_run(broken)


def test_other_file_is_not_a_run(tmp_path):
    other = tmp_path / "run-x.wandb"
    other.write_bytes(b"PK\x03\x04 not a wandb file")

    with pytest.raises(BadInput, match="no :W&B header"):
        adapter.read_offline_run(tmp_path)


# --- the JSON export --------------------------------------------------------------------------

EXPORT = {
    "id": "train-7",
    "project": "credit-pd",
    "entity": "acme",
    "name": "baseline",
    "created_at": "2026-11-01T10:00:00",
    "commit": "3f2c9a1b7d4e5f60718293a4b5c6d7e8f9a0b1c2",
    "tags": ["retail"],
    "config": {"lr": 0.05, "optimizer": {"name": "adam"}},
    "summary": {"loss": 0.5, "best_auc": 0.93, "_step": 1, "_wandb": {"runtime": 2}},
    "history": [
        {"_step": 0, "_timestamp": 1793527201.5, "_runtime": 1.5, "loss": 1.0, "phase": "warmup"},
        {"_step": 1, "_timestamp": 1793527202.5, "_runtime": 2.5, "loss": 0.5, "val": {"auc": 0.7}},
    ],
}


def read_export(data: dict) -> Bundle:
    return adapter.read(json.dumps(data).encode(), filename="run.json", options={})


def test_export_reads_like_the_offline_run():
    bundle = read_export(EXPORT)
    run, m = bundle.run, bundle.metrics

    assert (bundle.source, run.tracker, run.external_id) == (
        "wandb-export",
        "wandb",
        "credit-pd/train-7",
    )
    assert run.params == {"lr": 0.05, "optimizer": {"name": "adam"}}
    assert run.code_commit == EXPORT["commit"]
    assert run.started_at == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert run.finished_at == datetime.fromtimestamp(1793527202.5, tz=UTC)
    assert list(zip(m.name, m.step, m.value, strict=True)) == [
        ("loss", 0, 1.0),
        ("loss", 1, 0.5),
        ("val.auc", 1, 0.7),
        ("best_auc", None, 0.93),
    ]
    assert m.timestamp[0] == "2026-11-01T10:00:01.500000+00:00"
    assert Bundle.from_json(bundle.as_json()) == bundle


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": None}, "id"),
        ({"project": ""}, "project"),
        ({"history": {"loss": [1]}}, "history"),
        ({"history": [{"_step": 0, "loss": 1.0}]}, "history[0]._timestamp"),
        ({"history": [{"_step": 0.5, "_timestamp": 1.0}]}, "history[0]._step"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"tags": "retail"}, "tags"),
    ],
)
def test_export_faults_are_named(change, field):
    with pytest.raises(BadInput) as caught:
        read_export({**EXPORT, **change})

    assert caught.value.field == field


def test_export_takes_no_options_but_allow_failed():
    with pytest.raises(BadInput) as caught:
        adapter.read(json.dumps(EXPORT).encode(), options={"project": "x"})

    assert caught.value.field == "project"


def test_export_of_a_crashed_run_is_refused_unless_allowed():
    crashed = json.dumps({**EXPORT, "state": "crashed"}).encode()

    with pytest.raises(BadInput, match="credit-pd/train-7 crashed"):
        adapter.read(crashed, filename="run.json", options={})

    run = adapter.read(crashed, filename="run.json", options={"allow_failed": "true"}).run
    assert run.tags["attest.run_state"] == "crashed"


def test_export_with_an_infinite_value_is_refused_unless_allowed():
    rows = [*EXPORT["history"], {"_step": 2, "_timestamp": 1793527203.5, "loss": float("inf")}]
    diverged = json.dumps({**EXPORT, "history": rows}).encode()

    with pytest.raises(BadInput, match=r"loss step 2 is \+inf"):
        adapter.read(diverged, filename="run.json", options={})

    options = {"allow_non_finite": "true"}
    run = adapter.read(diverged, filename="run.json", options=options).run
    assert run.tags["attest.non_finite_metrics"] == "loss step 2: +inf"


def test_offline_reader_without_wandb_says_which_extra_to_install(monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m == "wandb" or m.startswith("wandb.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if the extra were not installed
    monkeypatch.setitem(sys.modules, "wandb", None)

    with pytest.raises(MissingExtra, match=r"attest-mrm\[wandb\]"):
        adapter.read_offline_run(tmp_path)
