"""Weights & Biases: a run as a bundle, from an offline run directory or a JSON export.

`read_offline_run(path)` reads a directory that `wandb.init` writes with `WANDB_MODE=offline`
(`wandb/offline-run-<time>-<id>/`) or its `run-<id>.wandb` file. Current wandb keeps the whole
run in that file (files/ holds no config or summary) and ships no reader for it, so it is read
here: a LevelDB-style log (the format of wandb's former `sdk/internal/datastore.py`, which
wandb-core still writes). The file opens with a 7-byte header, `:W&B`, the magic 0xBEE1
(little-endian) and version 0; then 32 KiB blocks of chunks, each with a 7-byte header (CRC-32
(zlib's, not CRC-32C) of the chunk type byte and data, little-endian length, type FULL=1,
FIRST=2, MIDDLE=3, LAST=4); a block's last bytes, when fewer than a chunk header, are zero
padding. Each record is one `wandb.proto.wandb_internal_pb2.Record`, parsed with wandb's own
classes. A truncated or corrupt file is refused, naming the byte offset.

`read(content, *, filename, options)` reads a run exported as JSON from the W&B public API:

    run = wandb.Api().run("acme/credit-pd/train-1")
    json.dump({
        "id": run.id, "project": run.project, "entity": run.entity, "name": run.name,
        "created_at": run.created_at, "commit": run.commit, "tags": run.tags,
        "config": run.config, "summary": run.summary._json_dict,
        "history": list(run.scan_history()),
    }, file)

`id` and `project` are required; `created_at` is ISO 8601 (the API gives UTC without an
offset, so a time without one is taken as UTC); `history` is a list of rows, each with `_step`,
`_timestamp` (epoch seconds) and the metrics logged at that step. It takes no options.

Both give: the run (tracker "wandb", external id `<project>/<run id>`, as a W&B run id is only
unique within its project and a custom `wandb.init(id=...)` is often reused across projects;
params from the config, less wandb's own `_wandb`; the git commit; start and end time) and
metric points: every numeric history value at its step and time (wandb's `_`-keys, booleans,
text and media left out; a nested key reads "val.auc" as in the W&B UI), plus each numeric
summary value that is not simply the last logged value of that metric (e.g. `best_auc`), with no
step, at the end of the run. A NaN or infinite value is refused, naming the metric and step (a
metric point must be finite, as the server holds every number); with `allow_non_finite` (for the
export, the option `allow_non_finite=true`) it is recorded in words in the run's tag
`attest.non_finite_metrics` ("loss step 3: NaN") instead, never dropped silently.

Tables and media (`wandb.Table`, `wandb.Image`, ...: a value with a `_type`) are not metrics: the
offline file spreads them over nested keys (`val_predictions.nrows`, `.ncols`, `.size`), which
are read as one object and skipped, and named in the run's tag `attest.media_skipped`
("val_predictions (table-file)").

The run's state is recorded in its tag `attest.run_state`: in an offline run, `finished` (exit
code 0), `failed` (another exit code: the script raised) or `crashed` (no exit record: the
process died, or is still running); in an export, the API's `state` when it is given. A failed,
crashed or killed run is refused unless `allow_failed` (for the export, the option
`allow_failed=true`).
"""

import importlib
import json
import math
import struct
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard

from monitoring.adapters.errors import MissingExtra, parse_json, refuse_unknown_options
from monitoring.ingest.bundle import Bundle, MetricColumns, Run
from monitoring.ingest.errors import BadInput

SOURCE, EXPORT_SOURCE, TRACKER = "wandb", "wandb-export", "wandb"
FILE_HEADER = struct.Struct("<4sHB")  # ident, magic, version
FILE_IDENT, FILE_MAGIC, FILE_VERSION = b":W&B", 0xBEE1, 0
CHUNK_HEADER = struct.Struct("<IHB")  # crc32, length, type
BLOCK = 32 * 1024
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
# wandb seeds each chunk's CRC-32 with the CRC-32 of its type byte, as LevelDB does.
TYPE_CRC = {kind: zlib.crc32(bytes([kind])) for kind in (FULL, FIRST, MIDDLE, LAST)}
INTERNAL_CONFIG = "_wandb"
STATE_TAG, MEDIA_TAG = "attest.run_state", "attest.media_skipped"
NON_FINITE_TAG = "attest.non_finite_metrics"
FAILED_STATES = frozenset({"failed", "crashed", "killed"})
EXPORT_OPTIONS = ("allow_failed", "allow_non_finite")


def read_offline_run(
    path: Path, *, allow_failed: bool = False, allow_non_finite: bool = False
) -> Bundle:
    """The run in an offline run directory (or its run-<id>.wandb file)."""
    record_class = _record_class()
    run = _OfflineRun()
    with _run_file(Path(path)).open("rb") as stream:
        for offset, record in _records(stream, record_class):
            run.add(record, offset)
    bundle = run.bundle()
    if bundle.run is not None:
        _check_state(bundle.run, allow_failed=allow_failed)
        _check_non_finite(bundle.run, run.collected.non_finite, allow=allow_non_finite)
    return bundle


def _check_non_finite(run: Run, found: list[tuple[str, str]], *, allow: bool) -> None:
    """Refuse NaN or infinity naming the first (where, word), or name them all in a tag."""
    if found and not allow:
        where, word = found[0]
        raise BadInput(
            field=f"metrics.{where.split(' ')[0]}",
            message=f"{where} is {word}, not a finite number: refused "
            "(--allow-non-finite records it in the run's tags instead)",
        )
    if found:
        run.tags[NON_FINITE_TAG] = "; ".join(f"{where}: {word}" for where, word in found)


def _check_state(run: Run, *, allow_failed: bool) -> None:
    state = run.tags.get(STATE_TAG, "")
    if state in FAILED_STATES and not allow_failed:
        raise BadInput(
            field="run",
            message=f"W&B run {run.external_id} {state}: refused, a failed run is not "
            "a model version (--allow-failed pushes it, its state recorded)",
        )


def _record_class() -> type:
    """wandb's Record message: the offline reader needs the wandb extra, the export does not."""
    try:
        internal = importlib.import_module("wandb.proto.wandb_internal_pb2")
    except ImportError as exc:
        raise MissingExtra("wandb") from exc
    # protobuf builds the message classes when the module runs: no name to import statically.
    record: type = internal.Record
    return record


def read(content: bytes, *, filename: str = "", options: Mapping[str, str]) -> Bundle:
    """The run in a JSON export of the W&B public API (shape in the module docstring)."""
    refuse_unknown_options(options, EXPORT_OPTIONS, source=EXPORT_SOURCE)
    allow_failed, allow_non_finite = (_flag(options, name) for name in EXPORT_OPTIONS)
    data = parse_json(content)
    if not isinstance(data, dict):
        raise BadInput(field="file", message="must be a JSON object (a run)")
    collected = _Collected(started_at=_created_at(data.get("created_at")))
    history = data.get("history", [])
    if not isinstance(history, list):
        raise BadInput(field="history", message="must be a list of rows")
    for row, values in enumerate(history):
        collected.add_row(_export_row(values, f"history[{row}]"))
    summary = _object(data, "summary")
    finished_at = _finished_at(collected, _export_runtime(summary))
    run = _export_run(data, collected.started_at, finished_at)
    metrics = collected.points(summary, at=finished_at)
    run.tags.update(collected.tags())
    _check_state(run, allow_failed=allow_failed)
    _check_non_finite(run, collected.non_finite, allow=allow_non_finite)
    return Bundle(source=EXPORT_SOURCE, run=run, metrics=metrics)


def _flag(options: Mapping[str, str], name: str) -> bool:
    value = options.get(name, "false").strip().lower()
    if value not in ("true", "false"):
        raise BadInput(field=name, message=f"{value!r} is not true or false")
    return value == "true"


def _export_run(
    data: Mapping[str, Any], started_at: datetime | None, finished_at: datetime | None
) -> Run:
    project, run_id = _text(data, "project", required=True), _text(data, "id", required=True)
    tags = {
        "wandb.entity": _text(data, "entity"),
        "wandb.project": project,
        "wandb.name": _text(data, "name"),
        "wandb.tags": _texts(data, "tags"),
        STATE_TAG: _text(data, "state").lower(),
    }
    return Run(
        tracker=TRACKER,
        external_id=f"{project}/{run_id}",
        params={k: v for k, v in _object(data, "config").items() if k != INTERNAL_CONFIG},
        tags={k: v for k, v in tags.items() if v},
        code_commit=_text(data, "commit"),
        started_at=started_at,
        finished_at=finished_at,
    )


def _finished_at(collected: "_Collected", runtime: float | None) -> datetime | None:
    """The end of a run that exited: wandb counts whole seconds, the history is finer."""
    started_at, last = collected.started_at, collected.last_timestamp
    if runtime is None or started_at is None:
        return None
    ended = started_at + timedelta(seconds=runtime)
    return max(ended, last) if last else ended


# --- the offline run file: blocks, chunks, records ----------------------------------------


def _run_file(path: Path) -> Path:
    if path.is_file():
        return path
    found = sorted(path.glob("run-*.wandb")) if path.is_dir() else []
    if len(found) != 1:
        what = "no" if not found else f"{len(found)}"
        raise BadInput(field="path", message=f"{path} holds {what} run-*.wandb files, not one")
    return found[0]


def _corrupt(message: str, offset: int) -> BadInput:
    return BadInput(field="file", message=f"{message} at byte offset {offset}")


def _chunks(stream: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """(byte offset, type, data) of each chunk, checked, block by block."""
    block = stream.read(BLOCK)
    _check_file_header(block)
    start, pos = 0, FILE_HEADER.size
    while block:
        while pos + CHUNK_HEADER.size <= len(block):
            crc, length, kind = CHUNK_HEADER.unpack_from(block, pos)
            data = block[pos + CHUNK_HEADER.size : pos + CHUNK_HEADER.size + length]
            if len(data) < length:
                # A chunk never crosses a block: short data is a cut-off file or a bad length.
                raise _corrupt(f"a chunk of {length} bytes is cut short", start + pos)
            if kind not in TYPE_CRC or zlib.crc32(data, TYPE_CRC[kind]) != crc:
                raise _corrupt("a chunk fails its checksum", start + pos)
            yield start + pos, kind, data
            pos += CHUNK_HEADER.size + length
        if len(block) < BLOCK:
            if pos < len(block):
                raise _corrupt("the file ends inside a chunk header", start + pos)
            return
        if block[pos:].strip(b"\0"):
            raise _corrupt("block padding is not zeros", start + pos)
        start, pos, block = start + BLOCK, 0, stream.read(BLOCK)


def _check_file_header(block: bytes) -> None:
    if len(block) < FILE_HEADER.size:
        raise _corrupt("the file is too short for a W&B header", 0)
    ident, magic, version = FILE_HEADER.unpack_from(block)
    if ident != FILE_IDENT or magic != FILE_MAGIC:
        raise _corrupt("not a W&B run file (no :W&B header)", 0)
    if version != FILE_VERSION:
        raise _corrupt(f"unknown W&B file version {version}", FILE_HEADER.size - 1)


def _records(stream: BinaryIO, record_class: type) -> Iterator[tuple[int, Any]]:
    """(byte offset, Record) of each record, its chunks joined."""
    parts: list[bytes] | None = None
    first = 0
    for offset, kind, data in _chunks(stream):
        if kind in (FULL, FIRST) and parts is not None:
            raise _corrupt("a record starts before the previous one ends", offset)
        if kind == FULL:
            yield offset, _parse(record_class, data, offset)
        elif kind == FIRST:
            parts, first = [data], offset
        elif parts is None:
            raise _corrupt("a record continues without a start", offset)
        else:
            parts.append(data)
            if kind == LAST:
                yield first, _parse(record_class, b"".join(parts), first)
                parts = None
    if parts is not None:
        raise _corrupt("the file ends inside a record", first)


def _parse(record_class: Any, data: bytes, offset: int) -> Any:
    from google.protobuf.message import DecodeError  # protobuf comes with wandb

    try:
        return record_class.FromString(data)
    except DecodeError:
        raise _corrupt("a record cannot be decoded", offset) from None


# --- what the records say -----------------------------------------------------------------


@dataclass
class _Collected:
    """Metric points as history rows arrive, and what the summary adds at the end."""

    started_at: datetime | None = None
    columns: MetricColumns = field(default_factory=MetricColumns)
    last: dict[str, float] = field(default_factory=dict)  # each metric's last logged value
    last_timestamp: datetime | None = None
    media: dict[str, str] = field(default_factory=dict)  # tables, images: name -> W&B _type
    non_finite: list[tuple[str, str]] = field(default_factory=list)  # ("loss step 3", "NaN")

    def add_row(self, row: "_Row") -> None:
        self.media.update(row.media)
        stamp = row.timestamp.isoformat()
        for name, value in row.values:
            if not math.isfinite(value):
                self.non_finite.append((f"{name} step {row.step}", _word(value)))
                self.last[name] = value
                continue
            self.columns.name.append(name)
            self.columns.value.append(value)
            self.columns.timestamp.append(stamp)
            self.columns.step.append(row.step)
            self.columns.segment.append("")
            self.last[name] = value
        if self.last_timestamp is None or row.timestamp > self.last_timestamp:
            self.last_timestamp = row.timestamp

    def points(self, summary: Mapping[str, Any], *, at: datetime | None) -> MetricColumns:
        """The history, plus summary values that are not a metric's last logged value."""
        self.media.update(_media(summary))
        when = at or self.last_timestamp or self.started_at
        for name, value in _numbers(summary):
            if _same(self.last.get(name), value) or when is None:
                continue
            if not math.isfinite(value):
                self.non_finite.append((f"{name} (summary)", _word(value)))
                continue
            self.columns.name.append(name)
            self.columns.value.append(value)
            self.columns.timestamp.append(when.isoformat())
            self.columns.step.append(None)
            self.columns.segment.append("")
        return self.columns

    def tags(self) -> dict[str, str]:
        """What was not imported as metrics, in words (call after `points`)."""
        skipped = ", ".join(f"{name} ({kind})" for name, kind in sorted(self.media.items()))
        return {MEDIA_TAG: skipped} if skipped else {}


def _same(last: float | None, value: float) -> bool:
    return last == value or (last is not None and math.isnan(last) and math.isnan(value))


def _word(value: float) -> str:
    return "NaN" if math.isnan(value) else ("+inf" if value > 0 else "-inf")


@dataclass(frozen=True)
class _Row:
    step: int | None
    timestamp: datetime
    values: list[tuple[str, float]]
    media: dict[str, str] = field(default_factory=dict)


class _OfflineRun:
    """The state a run's records build up, in file order (config and summary are updates)."""

    def __init__(self) -> None:
        self.run: Any = None
        self.config: dict[str, Any] = {}
        self.summary: dict[str, Any] = {}
        self.runtime: int | None = None
        self.exit_code: int | None = None
        self.collected = _Collected()

    def add(self, record: Any, offset: int) -> None:
        kind = record.WhichOneof("record_type")
        if kind == "run":
            self._run(record.run, offset)
        elif kind == "config":
            _apply(self.config, record.config, offset, "config")
        elif kind == "summary":
            _apply(self.summary, record.summary, offset, "summary")
        elif kind == "history":
            self.collected.add_row(_history_row(record.history, offset))
        elif kind == "exit":
            self.runtime = record.exit.runtime
            self.exit_code = record.exit.exit_code

    def _run(self, run: Any, offset: int) -> None:
        if self.run is None:
            self.run = run
            self.collected.started_at = _timestamp_of(run) if run.HasField("start_time") else None
        _apply(self.config, run.config, offset, "config")
        _apply(self.summary, run.summary, offset, "summary")

    def bundle(self) -> Bundle:
        if self.run is None:
            raise BadInput(field="file", message="holds no run record: is it a W&B run file?")
        run, started_at = self.run, self.collected.started_at
        tags = {
            "wandb.entity": run.entity,
            "wandb.project": run.project,
            "wandb.name": run.display_name,
            "wandb.tags": list(run.tags),
            "wandb.notes": run.notes,
            "wandb.git.remote_url": run.git.remote_url,
            STATE_TAG: self._state(),
        }
        finished_at = _finished_at(self.collected, self.runtime)
        metrics = self.collected.points(self.summary, at=finished_at)
        tags.update(self.collected.tags())
        return Bundle(
            source=SOURCE,
            run=Run(
                tracker=TRACKER,
                external_id=f"{run.project}/{run.run_id}",
                params={k: v for k, v in self.config.items() if k != INTERNAL_CONFIG},
                tags={k: v for k, v in tags.items() if v},
                code_commit=run.git.commit,
                started_at=started_at,
                finished_at=finished_at,
            ),
            metrics=metrics,
        )

    def _state(self) -> str:
        if self.exit_code is None:
            return "crashed"  # no exit record: the process died (or is still running)
        return "finished" if self.exit_code == 0 else "failed"


def _timestamp_of(run: Any) -> datetime:
    seconds = run.start_time.seconds + run.start_time.nanos / 1e9
    return datetime.fromtimestamp(seconds, tz=UTC)


def _apply(target: dict[str, Any], record: Any, offset: int, kind: str) -> None:
    """A config or summary record's updates and removals, applied to what came before."""
    for item in record.update:
        path = _path(item)
        parent = _parent(target, path)
        parent[path[-1]] = _json_value(item.value_json, f"{kind}.{'.'.join(path)}", offset)
    for item in record.remove:
        path = _path(item)
        _parent(target, path).pop(path[-1], None)


def _path(item: Any) -> list[str]:
    return [item.key] if item.key else list(item.nested_key)


def _parent(target: dict[str, Any], path: Sequence[str]) -> dict[str, Any]:
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    return target


def _json_value(text: str, where: str, offset: int) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        raise _corrupt(f"{where} holds invalid JSON", offset) from None


def _history_row(history: Any, offset: int) -> _Row:
    # Nested as logged: a table's keys (val_predictions._type, .nrows) are one object again.
    values: dict[str, Any] = {}
    for item in history.item:
        path = _path(item)
        _parent(values, path)[path[-1]] = _item_value(item, ".".join(path), offset)
    stamp = values.get("_timestamp")
    if not _is_number(stamp):
        raise _corrupt("a history row has no _timestamp", offset)
    step = values.get("_step")
    return _Row(
        step=int(step) if _is_number(step) else history.step.num,
        timestamp=datetime.fromtimestamp(stamp, tz=UTC),
        values=list(_numbers(values)),
        media=dict(_media(values)),
    )


def _item_value(item: Any, name: str, offset: int) -> Any:
    """A history value: newer wandb may type it (number, integer, ...) instead of JSON."""
    kind = item.WhichOneof("value")
    if kind in ("number", "integer", "boolean", "text"):
        return getattr(item, kind)
    if kind == "json":
        return _json_value(item.json, f"history.{name}", offset)
    if kind == "none":
        return None
    return _json_value(item.value_json, f"history.{name}", offset)


def _numbers(values: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, float]]:
    """Numeric values by dotted name; wandb's _-keys and media ({"_type": ...}) skipped."""
    for key, value in values.items():
        if key.startswith("_"):
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            if "_type" not in value:
                yield from _numbers(value, f"{name}.")
        elif _is_number(value):
            yield name, float(value)


def _media(values: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Tables, images and other media by dotted name, with their W&B `_type`."""
    for key, value in values.items():
        if key.startswith("_") or not isinstance(value, dict):
            continue
        if "_type" in value:
            yield f"{prefix}{key}", str(value["_type"])
        else:
            yield from _media(value, f"{prefix}{key}.")


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- the JSON export ----------------------------------------------------------------------


def _export_row(values: Any, where: str) -> _Row:
    if not isinstance(values, dict):
        raise BadInput(field=where, message="must be an object (one history row)")
    stamp, step = values.get("_timestamp"), values.get("_step")
    if not _is_number(stamp):
        raise BadInput(field=f"{where}._timestamp", message="must be epoch seconds")
    if step is not None and not (_is_number(step) and float(step).is_integer()):
        raise BadInput(field=f"{where}._step", message=f"{step!r} is not a whole number")
    return _Row(
        step=None if step is None else int(step),
        timestamp=datetime.fromtimestamp(stamp, tz=UTC),
        values=list(_numbers(values)),
        media=dict(_media(values)),
    )


def _text(data: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise BadInput(field=key, message="is required")
        return ""
    if not isinstance(value, str | int):
        raise BadInput(field=key, message=f"must be text, not {type(value).__name__}")
    return str(value)


def _texts(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(field=key, message="must be a list of text")
    return value


def _object(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise BadInput(field=key, message="must be an object")
    return value


def _export_runtime(summary: Mapping[str, Any]) -> float | None:
    """The run's length in seconds, as the summary of a finished run records it."""
    internal = summary.get(INTERNAL_CONFIG)
    runtime = internal.get("runtime") if isinstance(internal, dict) else None
    return float(runtime) if _is_number(runtime) else None


def _created_at(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(field="created_at", message=f"{value!r} is not an ISO 8601 time") from None
    # The W&B API gives UTC without an offset.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
