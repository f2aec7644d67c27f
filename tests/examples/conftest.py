"""A CI job's surroundings: a live server, a service account's token, a fresh workspace."""

import os
import shutil
import sys
from pathlib import Path

import pytest
from django.conf import settings

from governance.access.models import RaciAssignment
from governance.access.services import raci, tokens
from governance.rulebooks import services as rulebooks
from tests.monitoring.cli import slim

EXAMPLES = Path(settings.BASE_DIR) / "examples"


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A checkout as CI has it: the examples copied in, and the working directory of each step."""
    root = tmp_path / "workspace"
    shutil.copytree(EXAMPLES, root / "examples")
    return root


@pytest.fixture(scope="session")
def cli_modules(tmp_path_factory) -> Path:
    """What `pip install attest-mrm-cli` puts in site-packages: the CLI's modules, no server's."""
    return slim.build(tmp_path_factory.mktemp("attest-mrm-cli")).lib


@pytest.fixture
def pipeline_env(
    live_server, admin_user, owner, credit_pd_model, cli_modules, tmp_path
) -> dict[str, str]:
    """A CI job's environment: the server, a token, the `attest` command and its modules (the
    CLI's distribution alone, not the checkout)."""
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
    bin_dir = tmp_path / "bin"  # `pip install` in CI puts `attest` on PATH; this stands in
    bin_dir.mkdir()
    shim = bin_dir / "attest"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m monitoring.cli "$@"\n')
    shim.chmod(0o755)
    python_dir = Path(sys.executable).parent
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "TMPDIR")}
    return {
        **keep,
        "PATH": os.pathsep.join([str(bin_dir), str(python_dir), os.environ["PATH"]]),
        "PYTHONPATH": str(cli_modules),
        "HOME": str(tmp_path),
        "ATTEST_URL": live_server.url,
        "ATTEST_TOKEN": key,
        "MLFLOW_DISABLE_TELEMETRY": "true",  # nothing leaves the machine
        "DO_NOT_TRACK": "true",
    }
