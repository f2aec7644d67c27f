"""Errors of the adapters, and the input checks every file adapter shares."""

import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from monitoring.ingest.errors import BadInput


class MissingExtra(ImportError):  # noqa: N818 - the name the contract gives it
    """An adapter's library is not installed: the base install leaves the trackers out."""

    def __init__(self, lib: str, extra: str | None = None) -> None:
        self.lib = lib
        self.extra = extra or lib
        # Where the CLI runs, the CLI's own distribution; the server's would bring Django along.
        super().__init__(
            f"this adapter needs {lib}: pip install 'attest-mrm-cli[{self.extra}]'"
            f" (or 'attest-mrm[{self.extra}]' beside the server)"
        )


def refuse_unknown_options(
    options: Mapping[str, str], known: Collection[str], *, source: str
) -> None:
    """BadInput naming the first option the adapter of `source` does not take."""
    for name in options:
        if name not in known:
            raise BadInput(field=name, message=f"is not an option of {source}")


def parse_json(content: bytes) -> Any:
    """The JSON document of an uploaded file, or BadInput saying where it breaks."""
    if not content.strip():
        raise BadInput(field="file", message="is empty")
    try:
        return json.loads(content)
    except UnicodeDecodeError as exc:
        raise BadInput(field="file", message=f"is not UTF-8 text: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        where = f"at line {exc.lineno} column {exc.colno}"
        raise BadInput(field="file", message=f"is not valid JSON: {exc.msg} {where}") from None
    except RecursionError:
        raise BadInput(field="file", message="nests too deep to be a report") from None


def parse_instant(value: str, *, field: str) -> datetime:
    """An ISO 8601 date-time that carries its UTC offset (an option or a stamp in a file)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(field=field, message=f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        example = "e.g. 2026-11-01T10:15:00Z"
        raise BadInput(field=field, message=f"{value!r} has no UTC offset ({example})")
    return parsed
