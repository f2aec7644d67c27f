"""examples/github-actions/gate.yml, its `run:` steps executed as the runner would.

Each step runs with bash from a fresh workspace holding the checkout's examples, with the
workflow's own environment (its `${{ }}` expressions filled in) and relative paths, exactly as
written; only the `pip install` step is left out (the `attest` command is already on PATH).
"""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitoring.models import FairnessResult, MetricPoint
from registry.models import ModelVersion
from tests.examples.conftest import EXAMPLES

pytestmark = pytest.mark.django_db(transaction=True)
WORKFLOW = yaml.safe_load((EXAMPLES / "github-actions" / "gate.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([\w.]+)\s*\}\}")


def job_env(job: str, context: dict[str, str]) -> dict[str, str]:
    raw = {**WORKFLOW["env"], **WORKFLOW["jobs"][job].get("env", {})}
    return {k: EXPRESSION.sub(lambda m: context[m.group(1)], str(v)) for k, v in raw.items()}


def run_steps(job: str, env: dict[str, str], workspace: Path) -> list[Any]:
    """Every `run:` step but the install, in order; stops at the first that fails."""
    done = []
    for step in WORKFLOW["jobs"][job]["steps"]:
        if "run" not in step or "pip install" in step["run"]:
            continue
        result = subprocess.run(  # noqa: S603 - the workflow's own steps, in a temp workspace
            ["bash", "-e", "-c", step["run"]],  # noqa: S607
            env=env,
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        done.append((step.get("name", step["run"]), result))
        if result.returncode:
            break
    return done


def test_the_workflow_trains_pushes_and_stops_at_the_closed_gate(pipeline_env, workspace):
    context = {
        "vars.ATTEST_URL": pipeline_env["ATTEST_URL"],
        "secrets.ATTEST_TOKEN": pipeline_env["ATTEST_TOKEN"],
        "github.run_number": "7",
        "github.workspace": str(workspace),
    }

    train = run_steps("train", {**pipeline_env, **job_env("train", context)}, workspace)
    deploy = run_steps("deploy", {**pipeline_env, **job_env("deploy", context)}, workspace)

    for name, result in train:
        assert result.returncode == 0, f"{name}: {result.stderr}"
    assert [r.returncode for _, r in deploy[:1]] == [1]  # the gate is closed: deploy never runs
    assert "gate CLOSED: retail-pd 2.7.0 -> production" in deploy[0][1].stdout
    version = ModelVersion.objects.get(model__slug="retail-pd", version="2.7.0")
    assert version.training_run is not None
    assert MetricPoint.objects.filter(version=version, name="val_auc").count() == 60
    assert FairnessResult.objects.filter(version=version).count() == 3
