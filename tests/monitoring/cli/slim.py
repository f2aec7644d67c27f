"""The CLI's own distribution (packaging/cli) laid out as its wheel would install it."""

import subprocess
import sys
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGING = ROOT / "packaging" / "cli"


@dataclass(frozen=True)
class SlimBuild:
    lib: Path  # the modules, as site-packages would hold them
    name: str
    requires: list[str]  # what every install brings (extras left out)
    entry_points: str


def build(out: Path) -> SlimBuild:
    """setuptools from the shared venv (no network, no `wheel` package): the wheel's modules
    (build_py) and its metadata (egg_info), from packaging/cli's own configuration."""
    lib = out / "lib"  # the metadata beside the modules, where importlib.metadata finds it
    lib.mkdir()
    steps = ["egg_info", "--egg-base", str(lib), "build_py", "--build-lib", str(lib)]
    subprocess.run(  # noqa: S603 - setuptools on our own packaging folder
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", *steps],
        cwd=PACKAGING,
        check=True,
        capture_output=True,
    )
    (info,) = lib.glob("*.egg-info")
    # requires.txt holds what every install brings, then one [section] per extra.
    requires = (info / "requires.txt").read_text().partition("\n[")[0].split()
    return SlimBuild(
        lib=lib,
        name=HeaderParser().parsestr((info / "PKG-INFO").read_text())["Name"],
        requires=requires,
        entry_points=(info / "entry_points.txt").read_text(),
    )
