"""Adapters: each turns a real artifact of one tool into a Bundle (plain Python, no Django).

File adapters share `read(content, *, filename, options) -> Bundle` and back both the server's
import endpoint and the CLI. They are imported on first use: an adapter's library (an optional
extra such as `attest-mrm[evidently]`) is only needed by whoever uses that adapter.
"""

import importlib
from collections.abc import Callable, Mapping

from monitoring.ingest.bundle import Bundle
from monitoring.ingest.errors import BadInput

FileReader = Callable[..., Bundle]

FILE_ADAPTERS = {
    "evidently": "monitoring.adapters.evidently",
    "great-expectations": "monitoring.adapters.great_expectations",
    "dvc": "monitoring.adapters.dvc",
    "fairness": "monitoring.adapters.fairness",
    "drift": "monitoring.adapters.drift",
    "wandb-export": "monitoring.adapters.wandb",
    "metrics": "monitoring.adapters.tabular",
    "nannyml": "monitoring.adapters.nannyml",
    "inspect": "monitoring.adapters.inspect_logs",
}


def read_file(source: str, content: bytes, *, filename: str, options: Mapping[str, str]) -> Bundle:
    """Run the file adapter named `source`; BadInput when there is none by that name."""
    if source not in FILE_ADAPTERS:
        known = ", ".join(sorted(FILE_ADAPTERS))
        raise BadInput(field="source", message=f"{source!r} is not one of {known}")
    reader: FileReader = importlib.import_module(FILE_ADAPTERS[source]).read
    return reader(content, filename=filename, options=options)
