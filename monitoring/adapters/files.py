"""Which table format an uploaded file is in: the `format` option, else its name's suffix."""

from collections.abc import Mapping
from pathlib import PurePosixPath

from monitoring.ingest.errors import BadInput


def table_format(filename: str, options: Mapping[str, str], suffixes: Mapping[str, str]) -> str:
    """One of `suffixes`' values (e.g. "csv"), or BadInput naming the `format` option."""
    known = sorted(set(suffixes.values()))
    if "format" in options:
        chosen = options["format"].strip().lower()
        if chosen not in known:
            raise BadInput(field="format", message=f"{chosen!r} is not one of {', '.join(known)}")
        return chosen
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix not in suffixes:
        raise BadInput(
            field="format",
            message=f"cannot be told from the file name {filename!r}: pass format "
            f"({', '.join(known)})",
        )
    return suffixes[suffix]
