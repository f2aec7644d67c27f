"""Metric points sent in chunks to the bulk endpoint, checked locally before the first one goes.

Each chunk is its own request and batch, so a refusal in chunk 7 cannot undo chunks 1-6. The
points are therefore checked here first with the server's own vectorised checks (values,
types, timestamps, and the names the model defines, read from the server): a bad row stops the
push before anything is written. Only the server's clock is judged there alone.
"""

from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from monitoring.cli import keys
from monitoring.cli.client import Answer, Client, Target
from monitoring.cli.errors import CliError
from monitoring.ingest.bundle import MetricColumns
from monitoring.ingest.errors import BadInput

CHUNK_SIZE = 100_000
# Generous, so a skewed pipeline clock does not refuse what the server (300 s) would take.
LOCAL_FUTURE_TOLERANCE = timedelta(hours=1)
COLUMNS = ("name", "value", "timestamp", "step", "segment")


def check(columns: MetricColumns, *, known_names: Collection[str] = ()) -> None:
    """BadInput naming the first bad row (1-based, as in the file), before anything is sent."""
    if not len(columns):
        raise BadInput(field="metrics", message="holds no metric points")
    # Loaded here, not at the top: pandas and pyarrow take about 1.3 s to import, and commands
    # that send no points (`attest gate`, every --help) should not wait for them.
    import pandas as pd

    from monitoring.ingest import frames

    frames.validate(
        pd.DataFrame(as_columns(columns)),
        now=datetime.now(tz=UTC),
        future_tolerance=LOCAL_FUTURE_TOLERANCE,
        known_names=known_names,
    )


def defined_names(client: Client, model: str) -> frozenset[str]:
    """The metric names the model defines (none: any name goes), read page by page."""
    names: set[str] = set()
    path = f"/api/v1/models/{quote(model, safe='')}/metric-definitions/"
    page = 1
    while page:
        body = client.get(path, {"page": str(page)}).body
        names.update(d["name"] for d in body.get("results", []))
        page = page + 1 if body.get("next") else 0
    return frozenset(names)


def as_columns(columns: MetricColumns) -> dict[str, list[Any]]:
    """The columnar JSON body; optional columns left out when empty."""
    return {name: getattr(columns, name) for name in COLUMNS if getattr(columns, name)}


def chunks(columns: MetricColumns, size: int) -> Iterator[tuple[int, dict[str, list[Any]]]]:
    """(offset of the chunk's first point, its columnar body), `size` points at a time."""
    data = as_columns(columns)
    for start in range(0, len(columns), size):
        yield start, {name: values[start : start + size] for name, values in data.items()}


def push(
    client: Client, target: Target, columns: MetricColumns, *, base_key: str, chunk_size: int
) -> list[Answer]:
    """Send the points in chunks under a progress bar; chunk i of n carries `<key>:i/n`."""
    if chunk_size < 1:
        raise CliError("--chunk-size must be at least 1")
    total = -(-len(columns) // chunk_size)
    answers: list[Answer] = []
    with client.bar(total=len(columns), unit="pt", unit_scale=True, desc="metric points") as bar:
        for index, (start, body) in enumerate(chunks(columns, chunk_size), start=1):
            key = keys.for_chunk(base_key, index, total)
            try:
                answers.append(client.post_json(target.path("metrics/"), body, key=key))
            except CliError as exc:
                raise _in_file_terms(exc, index, total, start, answers) from None
            bar.update(len(body["name"]))
    return answers


def _in_file_terms(
    exc: CliError, index: int, total: int, start: int, done: list[Answer]
) -> CliError:
    """The server numbers rows within the chunk; a person wants the row in their file."""
    errors = [
        {**e, "row": e["row"] + start} if isinstance(e.get("row"), int) else e for e in exc.errors
    ]
    recorded = sum(a.body.get("counts", {}).get("metric_points", 0) for a in done)
    note = f"chunk {index}/{total} (from point {start + 1:,}): {exc.message}"
    if done:
        note += f"; chunks 1-{index - 1} ({recorded:,} points) are recorded"
    return CliError(note, code=exc.code, errors=errors)
