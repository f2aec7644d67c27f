"""Inspect AI: an evaluation log as evaluation results (pass rate per task and scorer) and
per-sample usage as metric points (plain zip and JSON; Inspect need not be installed).

Read: a `.eval` log (a zip: `header.json` and `samples/<id>_epoch_<n>.json`) or a `.json` log
(`inspect eval --log-format json`, or `inspect log convert --to json`), log format version 2.
Inspect 0.3.x writes `.eval` members compressed with Zstandard, which Python 3.11's zipfile
cannot open: the `zstandard` package reads them.

Each scorer of the task is one evaluation result, suite `<task>/<scorer>`: every sample and
epoch is a case, passed when its score is Inspect's CORRECT ("C"), true or 1 (INCORRECT,
PARTIAL, NOANSWER, false or a number below 1 is not a pass; a score of another shape is refused
naming the sample). A sample that errored (a log taken with `allow_failed`) is a case not
passed, counted in `metrics.errors`; one the scorer left unscored is no case, as in Inspect's
own metrics, and is counted in `metrics.unscored`. A scorer that scored nothing is refused. Kind `safety` for the scorers named in the `safety`
option, else `quality`: the executive report's safety pass rate sums the safety ones. The
scorer's own metrics (`accuracy`, `stderr`, ...) are kept in `metrics`; tokens per request is
the mean of the samples' total tokens, cost per request the mean of their `total_cost` (USD,
what Inspect prices from the model's cost data), when every sample has one.

Per sample and model, metric points at the sample's completion: Inspect's usage fields
(`input_tokens`, `output_tokens`, `total_tokens`, `reasoning_tokens`,
`input_tokens_cache_read`, `input_tokens_cache_write`, `total_cost`), `total_time` and
`working_time` (seconds) and `score.<scorer>` (Inspect's value as a number: C 1, P 0.5, I and
N 0), segment `task=<task>, sample=<id>, epoch=<n>` (and `model=<model>` for usage).

Not read: the transcript (messages, events, model output text, attachments, store), sample
input, target and metadata, scorer answers and explanations, the plan and generate config:
text, not figures, and the log itself can be attached with `attest push evidence`.

Options: `safety` (scorer names, comma separated), `allow_failed` (`true` to take a log whose
status is not `success`: an errored or cancelled run).
"""

import io
import math
import statistics
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import zstandard

from monitoring.adapters.errors import parse_instant, parse_json, refuse_unknown_options
from monitoring.ingest.bundle import Bundle, Evaluation, MetricColumns
from monitoring.ingest.errors import BadInput

SOURCE = "inspect"
OPTIONS = frozenset({"safety", "allow_failed"})
LOG_VERSION = 2
ZSTD = 93  # the zip method number of Zstandard

# Inspect's score values as numbers (inspect_ai.scorer.value_to_float) and which ones pass.
LETTERS = {"C": 1.0, "P": 0.5, "I": 0.0, "N": 0.0}
USAGE = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "reasoning_tokens",
    "input_tokens_cache_read",
    "input_tokens_cache_write",
    "total_cost",
)
TIMES = ("total_time", "working_time")
TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass
class _Tally:
    """One scorer's cases over the samples."""

    cases: int = 0
    passed: int = 0
    errors: int = 0
    unscored: int = 0


@dataclass
class _Log:
    header: dict[str, Any]
    samples: list[dict[str, Any]] = field(default_factory=list)


def read(content: bytes, *, filename: str = "", options: Mapping[str, str]) -> Bundle:
    """The evaluation results and per-sample usage of one Inspect log."""
    refuse_unknown_options(options, OPTIONS, source=SOURCE)
    log = _log(content)
    _check_status(log.header, allow_failed=options.get("allow_failed", "").lower() in TRUE)
    if not log.samples:
        raise BadInput(
            field="samples",
            message="are not in the log (a run with --no-log-samples): pass rates need them",
        )
    task = str(_dig(log.header, "eval", "task"))
    scorers = _scorers(log.header)
    safety = _safety(options, scorers)
    when = _evaluated_at(log.header)
    tallies = {name: _Tally() for name in scorers}
    points = MetricColumns()
    for i, sample in enumerate(log.samples):
        _sample(sample, f"samples[{i}]", task, tallies, points, when)
    figures = _Figures(
        when=when,
        tokens=_per_request([_usage_total(s, "total_tokens") for s in log.samples]),
        cost=_per_request([_usage_total(s, "total_cost") for s in log.samples]),
        metrics=_scorer_metrics(log.header),
    )
    evaluations = [
        _evaluation(task, name, tally, figures, safety=name in safety)
        for name, tally in tallies.items()
    ]
    return Bundle(source=SOURCE, evaluations=evaluations, metrics=points)


@dataclass(frozen=True)
class _Figures:
    """What every scorer's result of one log shares: its time, usage and Inspect's metrics."""

    when: datetime
    tokens: float | None
    cost: float | None
    metrics: dict[str, dict[str, float | None]]


def _evaluation(
    task: str, scorer: str, tally: _Tally, figures: _Figures, *, safety: bool
) -> Evaluation:
    if not tally.cases:
        raise BadInput(field=f"eval.scorers.{scorer}", message="scored no sample of the log")
    return Evaluation(
        evaluated_at=figures.when,
        suite=f"{task}/{scorer}",
        kind="safety" if safety else "quality",
        cases=tally.cases,
        passed=tally.passed,
        cost_per_request=figures.cost,
        tokens_per_request=figures.tokens,
        metrics={
            **figures.metrics.get(scorer, {}),
            "errors": tally.errors,
            "unscored": tally.unscored,
        },
    )


# --- the log ------------------------------------------------------------------------------


def _log(content: bytes) -> _Log:
    if content[:2] == b"PK":
        return _eval_log(content)
    document = parse_json(content)
    if not isinstance(document, dict) or "eval" not in document:
        raise BadInput(field="file", message="is not an Inspect log (.eval or .json)")
    samples = document.get("samples") or []
    if not isinstance(samples, list):
        raise BadInput(field="samples", message="must be a JSON list")
    _check_version(document)
    return _Log(header=document, samples=samples)


def _eval_log(content: bytes) -> _Log:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise BadInput(field="file", message=f"is not a readable .eval log: {exc}") from None
    with archive:
        names = archive.namelist()
        if "header.json" not in names:
            raise BadInput(
                field="header.json",
                message="is missing: the log is of a run still going or killed before it "
                "ended (Inspect writes the header last)",
            )
        header = _object(_member(archive, "header.json", content), "header.json")
        _check_version(header)
        members = sorted(n for n in names if n.startswith("samples/"))
        samples = [_member(archive, n, content) for n in members]
    return _Log(header=header, samples=samples)


def _member(archive: zipfile.ZipFile, name: str, content: bytes) -> Any:
    info = archive.getinfo(name)
    try:
        data = _zstd(info, content) if info.compress_type == ZSTD else archive.read(info)
    except (zipfile.BadZipFile, NotImplementedError, OSError, zlib.error, EOFError) as exc:
        raise BadInput(field=name, message=f"cannot be read from the log: {exc}") from None
    return parse_json(data)


def _zstd(info: zipfile.ZipInfo, content: bytes) -> bytes:
    """A Zstandard member, which Python's zipfile opens only from 3.14: its stored bytes
    (after the local header, whose name and extra field lengths sit at offsets 26 and 28)."""
    start = info.header_offset
    name_length = int.from_bytes(content[start + 26 : start + 28], "little")
    extra_length = int.from_bytes(content[start + 28 : start + 30], "little")
    begin = start + 30 + name_length + extra_length
    stored = io.BytesIO(content[begin : begin + info.compress_size])
    try:
        with zstandard.ZstdDecompressor().stream_reader(stored, read_across_frames=True) as raw:
            data: bytes = raw.read()
    except zstandard.ZstdError as exc:
        raise BadInput(field=info.filename, message=f"is not valid Zstandard: {exc}") from None
    return data


def _check_version(header: dict[str, Any]) -> None:
    version = header.get("version")
    if version != LOG_VERSION:
        raise BadInput(
            field="version",
            message=f"is {version!r}: this adapter reads Inspect log format {LOG_VERSION}",
        )


def _check_status(header: dict[str, Any], *, allow_failed: bool) -> None:
    status = header.get("status")
    if status == "success" or (allow_failed and status in ("error", "cancelled")):
        return
    error = _dig(header, "error", "message", required=False) or ""
    raise BadInput(
        field="status",
        message=f"is {status!r}{f' ({error})' if error else ''}: a run that did not finish is "
        "not an evaluation; pass allow_failed=true (attest push inspect --allow-failed) to "
        "take its scored samples, the errored ones counted as not passed",
    )


def _scorers(header: dict[str, Any]) -> list[str]:
    scorers = _dig(header, "eval", "scorers", required=False) or []
    if not isinstance(scorers, list):
        raise BadInput(field="eval.scorers", message="must be a JSON list")
    names = [str(s.get("name")) for s in scorers if isinstance(s, dict) and s.get("name")]
    if not names:
        raise BadInput(field="eval.scorers", message="is empty: the task scored nothing")
    return names


def _safety(options: Mapping[str, str], scorers: list[str]) -> set[str]:
    named = {n.strip() for n in options.get("safety", "").split(",") if n.strip()}
    unknown = sorted(named - set(scorers))
    if unknown:
        raise BadInput(
            field="safety",
            message=f"{unknown[0]!r} is not a scorer of the log ({', '.join(scorers)})",
        )
    return named


def _evaluated_at(header: dict[str, Any]) -> datetime:
    stamp = _dig(header, "stats", "completed_at", required=False) or _dig(header, "eval", "created")
    return parse_instant(str(stamp), field="stats.completed_at")


def _scorer_metrics(header: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """Each scorer's own metrics (accuracy, stderr, mean, ...) as Inspect computed them."""
    found: dict[str, dict[str, float | None]] = {}
    scores = _dig(header, "results", "scores", required=False) or []
    if not isinstance(scores, list):
        raise BadInput(field="results.scores", message="must be a JSON list")
    for i, item in enumerate(scores):
        score = _object(item, f"results.scores[{i}]")
        metrics = _object(score.get("metrics"), f"results.scores[{i}].metrics")
        found.setdefault(str(score.get("name")), {}).update(
            {str(k): _finite(m.get("value")) for k, m in metrics.items() if isinstance(m, dict)}
        )
    return found


# --- the samples --------------------------------------------------------------------------


def _sample(
    sample: Any,
    path: str,
    task: str,
    tallies: dict[str, _Tally],
    points: MetricColumns,
    when: datetime,
) -> None:
    if not isinstance(sample, dict):
        raise BadInput(field=path, message="must be a JSON object")
    where = f"task={task}, sample={sample.get('id')}, epoch={sample.get('epoch')}"
    at = str(sample.get("completed_at") or when.isoformat())
    scores = _object(sample.get("scores"), f"{path}.scores")
    for name, tally in tallies.items():
        if sample.get("error"):
            tally.cases, tally.errors = tally.cases + 1, tally.errors + 1
            continue
        if scores.get(name) is None:  # as Inspect's own metrics, not a case
            tally.unscored += 1
            continue
        value = _score(scores[name], f"{path} ({where}).scores.{name}")
        tally.cases += 1
        tally.passed += value == 1.0
        _point(points, f"score.{name}", value, at, where)
    for model, usage in _object(sample.get("model_usage"), f"{path}.model_usage").items():
        for part in USAGE:
            number = _finite(_object(usage, f"{path}.model_usage.{model}").get(part))
            if number is not None:
                _point(points, part, number, at, f"{where}, model={model}")
    for part in TIMES:
        number = _finite(sample.get(part))
        if number is not None:
            _point(points, part, number, at, where)


def _score(score: Any, path: str) -> float:
    """A score's value as a number; refused when it is not pass/fail or between 0 and 1."""
    value = score.get("value") if isinstance(score, dict) else None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value in LETTERS:
        return LETTERS[value]
    if isinstance(value, int | float) and 0 <= value <= 1:
        return float(value)
    raise BadInput(
        field=f"{path}.value",
        message=f"{value!r} is not a pass/fail score (C, I, P, N, true, false or 0 to 1)",
    )


def _point(points: MetricColumns, name: str, value: float, at: str, segment: str) -> None:
    points.name.append(name)
    points.value.append(value)
    points.timestamp.append(at)
    points.step.append(None)
    points.segment.append(segment)


def _usage_total(sample: Any, part: str) -> float | None:
    """A sample's usage summed over the models it called; None if a model did not say."""
    usages = _object(sample.get("model_usage"), "model_usage")
    values = [_finite(_object(u, "model_usage").get(part)) for u in usages.values()]
    if not values or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _per_request(values: list[float | None]) -> float | None:
    """The mean over the samples, only when every sample has a value."""
    if not values or any(v is None for v in values):
        return None
    return statistics.fmean(v for v in values if v is not None)


def _object(value: Any, path: str) -> dict[str, Any]:
    """A JSON object (absent: empty), or BadInput naming where another shape stands."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadInput(field=path, message="must be a JSON object")
    return value


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _dig(node: Any, *keys: str, required: bool = True) -> Any:
    for i, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            if not required:
                return None
            raise BadInput(field=".".join(keys[: i + 1]), message="is missing")
        node = node[key]
    return node
