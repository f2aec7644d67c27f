"""What counts as a material change that asks for a new risk assessment (plain data in, reasons out)."""

import re
from collections.abc import Iterable

_MAJOR = re.compile(r"^[vV]?(\d+)")


def major(label: str) -> int | None:
    """The major number of a version label ("2.1.0", "v3", "2026.11" -> 2, 3, 2026)."""
    found = _MAJOR.match(label)
    return int(found.group(1)) if found else None


def new_major_version(label: str, earlier: Iterable[str]) -> str | None:
    """A reason when `label` starts a major version above every earlier one, else None."""
    new = major(label)
    majors = [m for m in map(major, earlier) if m is not None]
    if new is None or not majors or new <= max(majors):
        return None
    return f"new major version {label} (was {max(majors)}.x)"


def new_data_sources(read_now: Iterable[str], read_before: Iterable[str]) -> str | None:
    """A reason when a run reads datasets no earlier run of the model read, else None."""
    before = set(read_before)
    new = sorted(set(read_now) - before)
    if not new or not before:
        return None
    return f"new data sources: {', '.join(new)}"
