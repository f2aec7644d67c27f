"""The layout keeps its promises at run time: pure packages load no framework, no import cycles.

import-linter (`make lint`) checks the layers on the import graph; these check what it cannot:
that importing a pure package really leaves Django and Celery unloaded (an `__init__` that loads
the Celery app would pass the contract and break the promise), and that no two modules import
each other, even through an import hidden inside a function.
"""

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("governance", "registry", "monitoring", "reports")
FRAMEWORKS = ("django", "rest_framework", "celery", "guardian")


def _pure_packages() -> list[str]:
    """The source modules of the "stay free of Django" contract in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (pure,) = [c for c in contracts if c["type"] == "forbidden"]
    return list(pure["source_modules"])


IMPORT_ALL = """
import importlib, json, pkgutil, sys
root = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(getattr(root, "__path__", []), root.__name__ + "."):
    if not info.name.endswith(".__main__"):  # runs a program when imported
        importlib.import_module(info.name)
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[2:]))
print(json.dumps(loaded))
"""


@pytest.mark.parametrize("package", _pure_packages())
def test_a_pure_package_loads_neither_django_nor_celery_in_a_fresh_interpreter(package):
    done = subprocess.run(  # noqa: S603 (our own interpreter and modules)
        [sys.executable, "-c", IMPORT_ALL, package, *FRAMEWORKS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert json.loads(done.stdout) == []


def test_no_two_modules_import_each_other_even_inside_a_function():
    # grimp records every import statement of a module, those inside functions included.
    graph = grimp.build_graph(*APPS, cache_dir=None)
    on_a_cycle = sorted(
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(importer=imported, imported=importer)
    )
    assert on_a_cycle == []


# Bulk writes skip `save()` and so skip the audit record a service makes beside each write. These
# are the places meant for them, each with why its rows need no event of their own.
BULK_WRITES_ALLOWED = {
    # The chain's own head row, created once (conflict-ignoring) before the first event.
    ("governance/audit.py", "AuditChainHead.objects.bulk_create"),
    # When a token was last used: bookkeeping on every API call, not a change of anyone's rights.
    ("governance/api/auth.py", "ApiToken.objects.filter.update"),
    # A version's prompts: hashed into the "version.registered" event that creates them.
    ("registry/services/versions.py", "PromptTemplate.objects.bulk_create"),
    # A checklist's new obligations: listed by the "controls.synced" event that adds them.
    ("governance/risk/services/controls.py", "Control.objects.bulk_create"),
    # Per-model grants: derived from ownership and RACI rows, whose changes are audited.
    ("governance/permissions.py", "MLModelUserObjectPermission.objects.bulk_create"),
    ("governance/permissions.py", "MLModelGroupObjectPermission.objects.bulk_create"),
    # Health checks: verdicts recomputed from data; the alerts they open or close are audited.
    ("monitoring/services/health.py", "HealthCheck.objects.bulk_create"),
    # Notices: messages about audited actions (created in bulk, marked e-mailed and read).
    ("governance/notices/services.py", "Notice.objects.bulk_create"),
    ("governance/notices/services.py", "Notice.objects.filter.update"),
    # Drawing progress of a pack or report: the asks, downloads and failures are audited.
    ("reports/drawing.py", "type._default_manager.filter.update"),
    # The gate's kept answers: a copy of what it computes from audited rows, never evidence.
    ("governance/approvals/services/verdicts.py", "KeptGateAnswer.objects.bulk_create"),
    ("governance/approvals/services/verdicts.py", "KeptGateAnswer.objects.filter.update"),
}
BULK = {"update", "bulk_create", "bulk_update"}


def _receiver(node: ast.expr) -> str:
    """`Model.objects.filter(...).update` -> "Model.objects.filter.update"."""
    parts = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts))
        else:
            return ""


def _bulk_writes() -> set[tuple[str, str]]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    chain = _receiver(node.func)
                    managers = (".objects.", "._default_manager.")
                    if node.func.attr in BULK and any(m in f".{chain}." for m in managers):
                        found.add((str(path.relative_to(ROOT)), chain))
    return found


def test_no_service_writes_rows_in_bulk_beside_the_audit_trail():
    assert _bulk_writes() - BULK_WRITES_ALLOWED == set()
