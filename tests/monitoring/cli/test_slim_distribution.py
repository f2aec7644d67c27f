"""packaging/cli: the `attest` command as its own distribution, without Django, WeasyPrint or scipy.

setuptools (the shared venv's) lays out exactly the modules the wheel would hold and writes its
metadata; the CLI then runs from that layout alone, with the server's heavy libraries refused at
import, against a loopback stand-in for Attest's API: the pushes and the gate a pipeline makes.
"""

import ast
import json
import re
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.monitoring.cli import slim as slim_cli

ROOT, PACKAGING = slim_cli.ROOT, slim_cli.PACKAGING
HEAVY = ("django", "weasyprint", "scipy")
FIRST_PARTY = ("governance", "monitoring", "registry", "reports")
# Runs the CLI from the layout on PYTHONPATH with the heavy libraries missing, then fails
# (exit 99) if any module of ours came from anywhere but that layout.
RUNNER = """\
import importlib.abc, os, sys

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {heavy!r}:
            raise ImportError(f"No module named {{name!r}} (not in attest-mrm-cli)")
        return None

sys.meta_path.insert(0, NotInstalled())
sys.argv[0] = "attest"
try:
    from monitoring.cli.main import main
    code = main()
finally:
    ours = [m for m in list(sys.modules.values()) if m.__name__.split(".")[0] in ("monitoring", "governance")]
    stray = [f for m in ours if (f := getattr(m, "__file__", None)) and not f.startswith(os.environ["PYTHONPATH"])]
    if stray:
        print("imported from outside the distribution:", stray, file=sys.stderr)
        os._exit(99)
sys.exit(code)
"""


@pytest.fixture(scope="module")
def slim(tmp_path_factory) -> slim_cli.SlimBuild:
    return slim_cli.build(tmp_path_factory.mktemp("slim"))


class FakeAttest(BaseHTTPRequestHandler):
    """Answers the few API calls the pushes and the gate make, and keeps what it was sent."""

    seen: list[tuple[str, str, bytes]] = []  # reset by the fixture

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        self.seen.append(("GET", path, b""))
        if path.endswith("/metric-definitions/"):
            self._answer(200, {"results": [{"name": "auc"}], "next": None})
        elif path == "/api/v1/gate/":
            unmet = [{"title": "Validator sign-off", "reason": "no validation approval yet"}]
            policy = {"name": "gate", "version": 3}
            answer = {"open": False, "model": "credit-pd", "version": "7", "unmet": unmet}
            self._answer(200, {**answer, "environment": "production", "policy": policy})
        else:
            self._answer(404, {"detail": "not found"})

    def do_POST(self) -> None:
        path = urlparse(self.path).path
        self.seen.append(("POST", path, self.rfile.read(int(self.headers["Content-Length"]))))
        kind = "metric_points" if path.endswith("/metrics/") else "fairness_results"
        self._answer(201, {"counts": {kind: 2}, "batch": len(self.seen)})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass  # quiet in the test output


@pytest.fixture
def fake_attest() -> Iterator[str]:
    FakeAttest.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAttest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_attest(lib: Path, workspace: Path, url: str, *argv: str) -> subprocess.CompletedProcess:
    """`attest ARGV` as a pipeline step runs it, from the distribution's modules alone."""
    runner = workspace / "attest_runner.py"
    runner.write_text(RUNNER.format(heavy=HEAVY))
    env = {"PYTHONPATH": str(lib), "HOME": str(workspace), "ATTEST_URL": url, "ATTEST_TOKEN": "t"}
    return subprocess.run(  # noqa: S603 - our own CLI with a fixed argv
        [sys.executable, "-P", runner.name, *argv],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def requirement_name(requirement: str) -> str:
    return re.split(r"[<>=\[; ]", requirement, maxsplit=1)[0].lower()


def test_the_cli_distribution_has_a_free_name_the_attest_command_and_no_server_libraries(slim):
    project = tomllib.loads((PACKAGING / "pyproject.toml").read_text())["project"]
    server = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert slim.name == "attest-mrm-cli"  # "attest" and "attest-cli" are others' on PyPI
    assert "[console_scripts]\nattest = monitoring.cli.main:main" in slim.entry_points
    assert project["scripts"] == server["scripts"]
    names = {requirement_name(r) for r in slim.requires}
    assert names & {*HEAVY, "celery", "djangorestframework", "scikit-learn"} == set()
    pins = {requirement_name(d): d for d in server["dependencies"]}
    mine = {requirement_name(d): d for d in project["dependencies"]}
    assert {n: d for n, d in mine.items() if n in pins} == {n: pins[n] for n in mine if n in pins}


def test_the_distribution_holds_the_cli_and_none_of_the_servers_modules(slim):
    modules = {p.relative_to(slim.lib).as_posix() for p in slim.lib.rglob("*.py")}

    assert {"monitoring/cli/main.py", "monitoring/adapters/mlflow.py"} <= modules
    assert "governance/api/hostile.py" in modules  # the strict JSON reader bundles share
    server = {
        "monitoring/models/__init__.py",
        "monitoring/stats/drift.py",
        "governance/settings.py",
    }
    assert modules & server == set()
    assert {"monitoring/__init__.py", "governance/__init__.py"} & modules == set()  # namespaces


def first_party_imports(module: Path) -> set[str]:
    """Every module of ours `module` imports, at its top or inside a function (the adapters
    import their trackers' libraries and each other on first use)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] in FIRST_PARTY}


def test_every_module_the_cli_imports_is_in_the_distribution(slim):
    held = {
        ".".join(p.relative_to(slim.lib).with_suffix("").parts).removesuffix(".__init__")
        for p in slim.lib.rglob("*.py")
    }
    wanted = set().union(*(first_party_imports(p) for p in slim.lib.rglob("*.py")))

    # `from package import name` names a module or an attribute: only missing modules count.
    missing = {n for n in wanted if n not in held and n.rpartition(".")[0] not in held}
    assert missing == set()


def test_help_metrics_fairness_and_the_gate_run_without_django_weasyprint_or_scipy(
    slim, fake_attest, tmp_path
):
    (tmp_path / "metrics.csv").write_text(
        "name,value,timestamp\nauc,0.81,2026-11-01T10:00:00Z\nauc,0.82,2026-11-02T10:00:00Z\n"
    )
    (tmp_path / "predictions.csv").write_text("y,y_hat,sex\n1,1,F\n0,1,M\n")
    target = ("--model", "credit-pd", "--version", "7")
    fairness = ("--label", "y", "--prediction", "y_hat", "--sensitive", "sex")

    def attest(*argv: str) -> subprocess.CompletedProcess:
        return run_attest(slim.lib, tmp_path, fake_attest, *argv)

    helped = attest("--help")
    version = attest("--cli-version")
    metrics = attest("push", "metrics", "metrics.csv", *target)
    fair = attest("push", "fairness", "predictions.csv", *fairness, *target)
    gate = attest("gate", *target, "--environment", "production")

    for done in (helped, metrics, fair):
        assert done.returncode == 0, done.stderr
    assert "usage: attest" in helped.stdout
    assert version.stdout == "attest 0.1.0 (attest-mrm-cli)\n"
    assert "metric points: 2" in metrics.stdout
    assert "fairness results: 2" in fair.stdout
    assert (gate.returncode, gate.stderr) == (1, "")
    assert "gate CLOSED: credit-pd 7 -> production" in gate.stdout
    sent = [json.loads(body) for _, path, body in FakeAttest.seen if path.endswith("/metrics/")]
    assert [(s["name"], s["value"]) for s in sent] == [(["auc", "auc"], [0.81, 0.82])]
