"""The bundle: what one push from a tracker carries, as plain data both sides of the API share.

An adapter (MLflow, W&B, Evidently, fairlearn, Great Expectations, DVC, plain files) turns its
tool's artifact into a `Bundle`; the CLI sends it as JSON and the server reads it back with
`Bundle.from_json`, which refuses unknown fields and wrong types naming the path
(`drift[2].columns[5].score`). Metric points travel columnar (`MetricColumns`): a million
points are seven lists, not a million objects.
"""

from collections.abc import Callable, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from governance.api.hostile import find
from monitoring.ingest.errors import BadInput

BUNDLE_FORMAT = 1


@dataclass(frozen=True)
class DatasetVersionRef:
    """A dataset version a run read: registered on push when missing (slug + version are keys)."""

    dataset: str
    version: str
    uri: str = ""
    name: str = ""
    content_sha256: str = ""
    external_ref: str = ""  # a DVC md5, a LakeFS commit id, a Delta table version
    row_count: int | None = None
    schema: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    """A training run, keyed by tracker + external id."""

    tracker: str
    external_id: str
    params: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, Any] = field(default_factory=dict)
    code_commit: str = ""
    code_author: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    input_datasets: list[DatasetVersionRef] = field(default_factory=list)


@dataclass(frozen=True)
class VersionInfo:
    """What the tracker knows of the model version (the label itself comes with the push)."""

    artifact_uri: str = ""
    artifact_sha256: str = ""
    framework: str = ""
    external_id: str = ""  # e.g. the MLflow registered model "name/3"
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MetricColumns:
    """Metric points column by column; every list has the same length."""

    name: list[str] = field(default_factory=list)
    value: list[float | None] = field(default_factory=list)  # None: the source had no value
    timestamp: list[str] = field(default_factory=list)  # ISO 8601, with an offset
    step: list[int | None] = field(default_factory=list)
    segment: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.name)


@dataclass(frozen=True)
class GroupFigures:
    """One group's figures: the group's value per sensitive feature and metric values."""

    group: dict[str, str]
    count: int
    metrics: dict[str, float | None]


@dataclass(frozen=True)
class FairnessCheck:
    evaluated_at: datetime
    sensitive_features: list[str]
    metrics: dict[str, float | None]  # e.g. demographic_parity_difference
    by_group: list[GroupFigures] = field(default_factory=list)
    overall: dict[str, float | None] = field(default_factory=dict)
    passed: bool | None = None  # None: the adapter does not judge; the server's thresholds do


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    method: str  # psi, ks, chisquare, wasserstein, jensenshannon, ...
    score: float | None
    threshold: float | None = None
    drifted: bool | None = None
    kind: str = ""  # num / cat


@dataclass(frozen=True)
class DriftCheck:
    evaluated_at: datetime
    columns: list[ColumnDrift]
    dataset_drift: bool | None = None
    drift_share: float | None = None
    reference: str = ""
    tool: str = ""
    tests: list[dict[str, Any]] = field(default_factory=list)  # a test suite's pass/fail lines


@dataclass(frozen=True)
class ExpectationResult:
    expectation: str
    success: bool
    column: str = ""
    observed: dict[str, Any] = field(default_factory=dict)
    # The rule as configured (min_value, max_value, mostly, value_set, ...): what a failure missed.
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DataValidation:
    evaluated_at: datetime
    suite: str
    success: bool
    results: list[ExpectationResult]
    dataset: DatasetVersionRef | None = None
    statistics: dict[str, Any] = field(default_factory=dict)
    tool: str = ""


@dataclass(frozen=True)
class Evaluation:
    """An evaluation or safety suite of an LLM application."""

    evaluated_at: datetime
    suite: str
    kind: str  # quality / safety
    cases: int
    passed: int
    cost_per_request: float | None = None  # in the account's currency
    tokens_per_request: float | None = None
    metrics: dict[str, float | None] = field(default_factory=dict)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


@dataclass(frozen=True)
class Bundle:
    source: str
    datasets: list[DatasetVersionRef] = field(default_factory=list)
    run: Run | None = None
    version: VersionInfo | None = None
    metrics: MetricColumns = field(default_factory=MetricColumns)
    fairness: list[FairnessCheck] = field(default_factory=list)
    drift: list[DriftCheck] = field(default_factory=list)
    data_validation: list[DataValidation] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records of each kind the bundle carries (zeros left out)."""
        sizes = {
            "datasets": len(self.datasets),
            "runs": int(self.run is not None),
            "metric_points": len(self.metrics),
            "fairness_results": len(self.fairness),
            "drift_results": len(self.drift),
            "data_validations": len(self.data_validation),
            "evaluations": len(self.evaluations),
        }
        return {kind: n for kind, n in sizes.items() if n}

    def dataset_keys(self) -> list[tuple[str, str]]:
        """Every dataset version the bundle names (slug, label), wherever it names it, once."""
        refs = [*self.datasets, *(self.run.input_datasets if self.run else [])]
        refs += [check.dataset for check in self.data_validation if check.dataset]
        return list(dict.fromkeys((ref.dataset, ref.version) for ref in refs))

    def as_json(self) -> dict[str, Any]:
        return {"format": BUNDLE_FORMAT, **_plain(asdict(self))}

    @classmethod
    def from_json(cls, data: Any) -> "Bundle":
        data = _object(data, "bundle")
        fmt = data.pop("format", BUNDLE_FORMAT)
        if fmt != BUNDLE_FORMAT:
            raise BadInput(field="format", message=f"unknown bundle format {fmt!r}")
        bundle: Bundle = _build(cls, data, "")
        _check_columns(bundle.metrics)
        return bundle


def checked(bundle: Bundle) -> Bundle:
    """An adapter's bundle held to what a pushed one is: no NUL, lone surrogate, NaN or number
    beyond its column's range (the file it was read from was never seen by the API's parsers)."""
    data = bundle.as_json()
    found = find(data)
    if found is not None:
        raise BadInput(field=found.field, message=found.message)
    return Bundle.from_json(data)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --- reading it back, strictly ------------------------------------------------------------


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise BadInput(field=path, message="must be an object")
    return dict(value)


def _datetime(value: Any, path: str) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(field=path, message=f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise BadInput(field=path, message=f"{value!r} has no UTC offset")
    return parsed


def _scalar(kind: type) -> Callable[[Any, str], Any]:
    def check(value: Any, path: str) -> Any:
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise BadInput(field=path, message=f"must be {kind.__name__}, not {value!r}")
        return value

    return check


def _list_of(item: Callable[[Any, str], Any]) -> Callable[[Any, str], list[Any]]:
    def check(value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise BadInput(field=path, message="must be a list")
        return [item(v, f"{path}[{i}]") for i, v in enumerate(value)]

    return check


def _optional(item: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    return lambda value, path: None if value is None else item(value, path)


def _nested(kind: type) -> Callable[[Any, str], Any]:
    return lambda value, path: _build(kind, _object(value, path), path)


def _dict(value: Any, path: str) -> dict[str, Any]:
    return _object(value, path)


def _number_map(value: Any, path: str) -> dict[str, float | None]:
    data = _object(value, path)
    number = _optional(_scalar(float))
    return {str(k): number(v, f"{path}.{k}") for k, v in data.items()}


def _string_map(value: Any, path: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in _object(value, path).items()}


def _int_within(low: int, high: int) -> Callable[[Any, str], int]:
    """An integer the column storing it can hold (int32 on PostgreSQL for a count of cases)."""

    def check(value: Any, path: str) -> int:
        number: int = _scalar(int)(value, path)
        if not low <= number <= high:
            raise BadInput(field=path, message=f"must be from {low} to {high}, not {number}")
        return number

    return check


_TEXT, _FLOAT, _BOOL = _scalar(str), _scalar(float), _scalar(bool)
_COUNT = _int_within(0, 2**31 - 1)  # PositiveIntegerField
_BIG_COUNT = _int_within(0, 2**63 - 1)  # PositiveBigIntegerField
_STEP = _int_within(-(2**63), 2**63 - 1)  # BigIntegerField

# How each field of each record reads from JSON.
READERS: dict[type, dict[str, Callable[[Any, str], Any]]] = {
    DatasetVersionRef: {
        "dataset": _TEXT,
        "version": _TEXT,
        "uri": _TEXT,
        "name": _TEXT,
        "content_sha256": _TEXT,
        "external_ref": _TEXT,
        "row_count": _optional(_BIG_COUNT),
        "schema": _dict,
    },
    Run: {
        "tracker": _TEXT,
        "external_id": _TEXT,
        "params": _dict,
        "tags": _dict,
        "code_commit": _TEXT,
        "code_author": _TEXT,
        "started_at": _optional(_datetime),
        "finished_at": _optional(_datetime),
        "input_datasets": _list_of(_nested(DatasetVersionRef)),
    },
    VersionInfo: {
        "artifact_uri": _TEXT,
        "artifact_sha256": _TEXT,
        "framework": _TEXT,
        "external_id": _TEXT,
        "aliases": _list_of(_TEXT),
    },
    MetricColumns: {
        "name": _list_of(_TEXT),
        "value": _list_of(_optional(_FLOAT)),
        "timestamp": _list_of(_TEXT),
        "step": _list_of(_optional(_STEP)),
        "segment": _list_of(_TEXT),
    },
    GroupFigures: {"group": _string_map, "count": _BIG_COUNT, "metrics": _number_map},
    FairnessCheck: {
        "evaluated_at": _datetime,
        "sensitive_features": _list_of(_TEXT),
        "metrics": _number_map,
        "by_group": _list_of(_nested(GroupFigures)),
        "overall": _number_map,
        "passed": _optional(_BOOL),
    },
    ColumnDrift: {
        "column": _TEXT,
        "method": _TEXT,
        "score": _optional(_FLOAT),
        "threshold": _optional(_FLOAT),
        "drifted": _optional(_BOOL),
        "kind": _TEXT,
    },
    DriftCheck: {
        "evaluated_at": _datetime,
        "columns": _list_of(_nested(ColumnDrift)),
        "dataset_drift": _optional(_BOOL),
        "drift_share": _optional(_FLOAT),
        "reference": _TEXT,
        "tool": _TEXT,
        "tests": _list_of(_dict),
    },
    ExpectationResult: {
        "expectation": _TEXT,
        "success": _BOOL,
        "column": _TEXT,
        "observed": _dict,
        "kwargs": _dict,
    },
    DataValidation: {
        "evaluated_at": _datetime,
        "suite": _TEXT,
        "success": _BOOL,
        "results": _list_of(_nested(ExpectationResult)),
        "dataset": _optional(_nested(DatasetVersionRef)),
        "statistics": _dict,
        "tool": _TEXT,
    },
    Evaluation: {
        "evaluated_at": _datetime,
        "suite": _TEXT,
        "kind": _TEXT,
        "cases": _COUNT,
        "passed": _COUNT,
        "cost_per_request": _optional(_FLOAT),
        "tokens_per_request": _optional(_FLOAT),
        "metrics": _number_map,
    },
    Bundle: {
        "source": _TEXT,
        "datasets": _list_of(_nested(DatasetVersionRef)),
        "run": _optional(_nested(Run)),
        "version": _optional(_nested(VersionInfo)),
        "metrics": _nested(MetricColumns),
        "fairness": _list_of(_nested(FairnessCheck)),
        "drift": _list_of(_nested(DriftCheck)),
        "data_validation": _list_of(_nested(DataValidation)),
        "evaluations": _list_of(_nested(Evaluation)),
    },
}


def _build(kind: type, data: dict[str, Any], path: str) -> Any:
    readers = READERS[kind]
    unknown = sorted(set(data) - set(readers))
    if unknown:
        where = f"{path}.{unknown[0]}" if path else unknown[0]
        raise BadInput(field=where, message="is not a known field")
    required = [f.name for f in fields(kind) if _required(f)]
    for name in required:
        if name not in data:
            raise BadInput(field=f"{path}.{name}" if path else name, message="required")
    values = {
        name: readers[name](value, f"{path}.{name}" if path else name)
        for name, value in data.items()
    }
    return kind(**values)


def _required(f: Any) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


def _check_columns(metrics: MetricColumns) -> None:
    lengths = {name: len(getattr(metrics, name)) for name in READERS[MetricColumns]}
    expected = lengths["name"]
    for name, n in lengths.items():
        if n not in (expected, 0) or (n == 0 and name in ("value", "timestamp") and expected):
            raise BadInput(
                field=f"metrics.{name}",
                message=f"has {n} values but metrics.name has {expected}",
            )
