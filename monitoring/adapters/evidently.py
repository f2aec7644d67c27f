"""Evidently: a saved report as a drift check and metric points (plain JSON; Evidently need not be
installed).

Shapes read, each as Evidently 0.7 writes it:

- `Snapshot.json()` / `Snapshot.save_json()`: `{"metrics": [{"id", "metric_name", "config":
  {"type": "evidently:metric_v2:ValueDrift", ...}, "value"}], "tests": [...]}`. It carries no
  timestamp, so the `evaluated_at` option is required.
- `Snapshot.dumps()` / `dump_dict()` (what `Snapshot.load` and Evidently's UI read):
  `{"timestamp", "metric_results": {id: ...}, "top_level_metrics": [...], ...}`.
- The legacy API (`evidently.legacy`, also written by Evidently 0.4 to 0.6): `Report.json()`
  `{"version", "timestamp", "metrics": [{"metric": "DataDriftTable", "result"}]}` and
  `TestSuite.json()` `{"version", "timestamp", "tests": [...], "summary"}`.

Kept: per-column drift (ValueDrift, DataDriftTable, ColumnDriftMetric, the legacy drift tests),
the share of drifted columns with the dataset verdict (DriftedColumnsCount, DatasetDriftMetric;
in a legacy TestSuite, the "Share of Drifted Columns" test: the share of its columns detected
as drifted, and dataset drift when the test failed) and every test the report ran, as a pass/fail line: one drift check, made only when the report
holds drift results.

Every other metric of an Evidently 0.7 report (ClassificationPreset's accuracy, ROC AUC, F1 per
label; RegressionPreset's MAE, RMSE, R2; DataSummaryPreset's row counts, means, quantiles) is a
metric point at the report's time: named after Evidently's metric in snake case (`Accuracy` ->
`accuracy`, `RocAuc` -> `roc_auc`, `F1ByLabel` -> `f1_by_label`), a value's parts as a suffix
(`mean_error.mean`, `missing_value_count.share`), and the segment holding what the metric is
of, as `key=value` pairs: its parameters (`column=income, quantile=0.25`; a classification or
regression named other than "default") and a label or category (`label=1`). A value that is
not a finite number is refused, naming the metric. The legacy API's quality metrics are not
read (only its drift).

A report that ran tests but holds no drift results has its tests kept as a data validation
("Evidently tests", a result per test) rather than as a drift check with no columns.

Options: `evaluated_at` (ISO 8601 with offset; wins over the report's own stamp), `reference`
(what the reference data was, e.g. "training window 2026-09").
"""

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from monitoring.adapters.errors import parse_instant, parse_json, refuse_unknown_options
from monitoring.ingest.bundle import (
    Bundle,
    ColumnDrift,
    DataValidation,
    DriftCheck,
    ExpectationResult,
    MetricColumns,
)
from monitoring.ingest.errors import BadInput

SOURCE = "evidently"
OPTIONS = frozenset({"evaluated_at", "reference"})
METRIC_PREFIX = "evidently:metric_v2:"
METRIC_FAMILY = "evidently:metric_v"  # another version of Evidently's metric classes
VALUE_DRIFT_TEST = "evidently:bound_test:ValueDriftBoundTest"
DRIFT_METRICS = frozenset({"ValueDrift", "DriftedColumnsCount"})
TESTS_SUITE = "Evidently tests"
FAILED_STATUSES = frozenset({"fail", "error"})
SHARE_TEST = "Share of Drifted Columns"  # the legacy TestShareOfDriftedColumns' name
LEGACY_VERSIONS = ((0, 4), (0, 7))  # the legacy JSON shape is the same from 0.4 to 0.7
STATUSES = {
    "SUCCESS": "pass",
    "FAIL": "fail",
    "WARNING": "warning",
    "ERROR": "error",
    "SKIPPED": "skipped",
}

Judge = Callable[[float, float], bool]
# How each of Evidently's stattests decides drift, and the column kind it takes ("" for both).
# p-values drift below the threshold, distances at or above it: the comparisons are Evidently's
# own (ks and Cramer-von Mises use <=, energy distance >). A report names the method as the user
# gave it ("psi") or, when Evidently chose it, by its display name ("K-S p_value"): both listed.
_LT, _LE, _GE, _GT = operator.lt, operator.le, operator.ge, operator.gt
METHODS: dict[str, tuple[Judge, str]] = {
    "ks": (_LE, "num"),
    "K-S p_value": (_LE, "num"),
    "chisquare": (_LT, "cat"),
    "chi-square p_value": (_LT, "cat"),
    "z": (_LT, "cat"),
    "Z-test p_value": (_LT, "cat"),
    "fisher_exact": (_LT, "cat"),
    "Fisher's Exact test": (_LT, "cat"),
    "g_test": (_LT, "cat"),
    "TVD": (_LT, "cat"),
    "Total-Variation-Distance": (_LT, "cat"),
    "t_test": (_LT, "num"),
    "mannw": (_LT, "num"),
    "Mann-Whitney U-rank test": (_LT, "num"),
    "anderson": (_LT, "num"),
    "Anderson-Darling": (_LT, "num"),
    "cramer_von_mises": (_LE, "num"),
    "Cramer-von Mises": (_LE, "num"),
    "es": (_LT, "num"),
    "Epps-Singleton": (_LT, "num"),
    "empirical_mmd": (_LT, "num"),
    "wasserstein": (_GE, "num"),
    "Wasserstein distance (normed)": (_GE, "num"),
    "ed": (_GT, "num"),
    "Energy-distance": (_GT, "num"),
    "psi": (_GE, ""),
    "PSI": (_GE, ""),
    "jensenshannon": (_GE, ""),
    "Jensen-Shannon distance": (_GE, ""),
    "kl_div": (_GE, ""),
    "Kullback-Leibler divergence": (_GE, ""),
    "hellinger": (_GE, ""),
    "Hellinger distance": (_GE, ""),
}


def read(content: bytes, *, filename: str = "", options: Mapping[str, str]) -> Bundle:
    """The drift check an Evidently report holds."""
    refuse_unknown_options(options, OPTIONS, source=SOURCE)
    document = parse_json(content)
    if not isinstance(document, dict):
        raise BadInput(field="file", message="is not an Evidently report: expected a JSON object")
    found = _findings(document)
    if not found.columns and not found.tests and not found.points:
        raise BadInput(
            field="metrics",
            message="hold no results this adapter reads (drift, classification, regression or "
            "summary metrics) and the report ran no tests: add a preset such as "
            "DataDriftPreset() to the Report",
        )
    when = _evaluated_at(found.stamp, options)
    drifted = found.columns or found.dataset_drift is not None or found.drift_share is not None
    drift = [
        DriftCheck(
            evaluated_at=when,
            columns=found.columns,
            dataset_drift=found.dataset_drift,
            drift_share=found.drift_share,
            reference=options.get("reference", ""),
            tool=SOURCE,
            tests=found.tests,
        )
    ]
    return Bundle(
        source=SOURCE,
        drift=drift if drifted else [],
        data_validation=[] if drifted or not found.tests else [_validation(found.tests, when)],
        metrics=_points(found.points, when),
    )


def _validation(tests: list[dict[str, Any]], when: datetime) -> DataValidation:
    """The tests of a report without drift results, one result per test."""
    results = [
        ExpectationResult(
            expectation=t["name"],
            success=t["status"] not in FAILED_STATUSES,
            observed={"status": t["status"], "description": t["description"]},
        )
        for t in tests
    ]
    return DataValidation(
        evaluated_at=when,
        suite=TESTS_SUITE,
        success=all(r.success for r in results),
        results=results,
        tool=SOURCE,
    )


def _points(points: list[tuple[str, str, float]], when: datetime) -> MetricColumns:
    columns = MetricColumns()
    for name, segment, value in points:
        columns.name.append(name)
        columns.value.append(value)
        columns.timestamp.append(when.isoformat())
        columns.step.append(None)
        columns.segment.append(segment)
    return columns


@dataclass
class _Findings:
    """What a report says about drift, whatever its shape."""

    columns: list[ColumnDrift] = field(default_factory=list)
    tests: list[dict[str, Any]] = field(default_factory=list)
    dataset_drift: bool | None = None
    drift_share: float | None = None
    stamp: Any = None
    points: list[tuple[str, str, float]] = field(default_factory=list)  # name, segment, value


@dataclass(frozen=True)
class _Metric:
    """One 0.7 metric result: its id, type without the prefix, parameters and value."""

    id: str
    kind: str
    params: dict[str, Any]
    value: Any


def _findings(document: dict[str, Any]) -> _Findings:
    if "metric_results" in document:
        metrics, tests = _dumped(document)
        return _from_v2(metrics, tests, stamp=document.get("timestamp"))
    if "suite" in document and "metrics_ids" in document:
        raise BadInput(
            field="suite",
            message="is a legacy Evidently snapshot (Report.save()), which this adapter does "
            "not read: export the report with report.json() or report.save_json()",
        )
    if "version" in document:
        return _from_legacy(document)
    if isinstance(document.get("metrics"), list):
        metrics = [_listed(item, f"metrics[{i}]") for i, item in enumerate(document["metrics"])]
        tests = _list(document, "tests", "tests")
        return _from_v2(metrics, tests, stamp=document.get("timestamp"))
    raise BadInput(
        field="metrics",
        message="is missing: not an Evidently report (expected the JSON of Snapshot.json(), "
        "Snapshot.dumps() or a legacy Report.json())",
    )


# --- Evidently 0.7 ----------------------------------------------------------------------------


def _listed(item: Any, path: str) -> _Metric:
    """A metric of `Snapshot.json()`."""
    item = _object(item, path)
    config = _object(_key(item, "config", path), f"{path}.config")
    kind = _metric_type(_key(config, "type", f"{path}.config"), f"{path}.config.type")
    return _Metric(id=str(item.get("id", "")), kind=kind, params=config, value=item.get("value"))


def _dumped(document: dict[str, Any]) -> tuple[list[_Metric], list[Any]]:
    """The top-level metrics and their tests of `Snapshot.dumps()`."""
    results = _object(document["metric_results"], "metric_results")
    metrics, tests = [], []
    for metric_id in _list(document, "top_level_metrics", "top_level_metrics"):
        path = f"metric_results.{metric_id}"
        result = _object(_key(results, str(metric_id), "metric_results"), path)
        params = _object(
            _dig(result, ("metric_value_location", "metric", "params"), path),
            f"{path}.metric_value_location.metric.params",
        )
        kind = _metric_type(
            _key(params, "type", f"{path}.metric_value_location.metric.params"),
            f"{path}.metric_value_location.metric.params.type",
        )
        metrics.append(_Metric(id=str(metric_id), kind=kind, params=params, value=_value(result)))
        tests.extend(_list(result, "tests", f"{path}.tests"))
    return metrics, tests


def _value(result: dict[str, Any]) -> Any:
    """A dumped result's value as `Snapshot.json()` gives it: a count keeps its parts
    ({"count": .., "share": ..}), a value by label its labels ({"0": .., "1": ..})."""
    if "value" in result:
        return result["value"]
    parts = {
        k: v if k == "values" else _value(v)
        for k, v in result.items()
        if isinstance(v, dict) and k != "metric_value_location"
    }
    if set(parts) == {"values"} and isinstance(parts["values"], dict):  # ByLabelValue
        return {k: _value(v) if isinstance(v, dict) else v for k, v in parts["values"].items()}
    parts = {k: v for k, v in parts.items() if v is not None}
    return parts or None


def _metric_type(kind: Any, path: str) -> str:
    """A metric's type without its prefix; "" for a custom metric (kept out, not refused)."""
    if not isinstance(kind, str):
        raise BadInput(field=path, message=f"must be a metric type, not {kind!r}")
    if kind.startswith(METRIC_PREFIX):
        return kind.removeprefix(METRIC_PREFIX)
    if kind.startswith(METRIC_FAMILY):
        raise BadInput(
            field=path,
            message=f"{kind!r} is not an Evidently 0.7 metric ({METRIC_PREFIX}...): the report "
            "comes from an Evidently version this adapter does not read",
        )
    return ""


def _from_v2(metrics: list[_Metric], tests: list[Any], *, stamp: Any) -> _Findings:
    tests = [_object(t, f"tests[{i}]") for i, t in enumerate(tests)]
    verdicts = _drift_verdicts(tests)
    lines = [_test_line(t, f"tests[{i}]") for i, t in enumerate(tests)]
    found = _Findings(tests=lines, stamp=stamp)
    for metric in metrics:
        if metric.kind == "ValueDrift":
            found.columns.append(_value_drift(metric, verdicts.get(metric.id)))
        elif metric.kind == "DriftedColumnsCount":
            if found.drift_share is None:
                found.drift_share, found.dataset_drift = _drifted_share(metric)
        elif metric.kind:
            found.points.extend(_metric_points(metric))
    return found


def _metric_points(metric: _Metric) -> list[tuple[str, str, float]]:
    """A quality or summary metric's values: (name, segment, value) each."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", metric.kind).lower()  # RocAuc -> roc_auc
    of = [
        f"{key}={value}"
        for key, value in metric.params.items()
        if key != "type"
        and isinstance(value, str | int | float)
        and not isinstance(value, bool)
        and not (key.endswith("_name") and value == "default")
    ]
    by_label = metric.kind.endswith("ByLabel")
    points = []
    for parts, value in _leaves(metric.value):
        labels = parts[:1] if by_label else parts[1:]
        suffix = parts[1:] if by_label else parts[:1]
        where = f"{metric.kind} {', '.join(of)}".strip()
        number = _number(value, ".".join([where, *parts]))
        if number is None:
            continue
        segment = ", ".join([*of, *(f"label={label}" for label in labels)])
        points.append((".".join([name, *suffix]), segment, number))
    return points


def _leaves(value: Any, parts: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """The values of a metric result: a number, or its parts and labels by path."""
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*parts, str(k)))]
    return [(parts, value)]


def _drift_verdicts(tests: list[dict[str, Any]]) -> dict[str, bool]:
    """Evidently's own drift verdict per ValueDrift metric id, where the report ran its tests."""
    verdicts = {}
    for test in tests:
        bound = test.get("bound_test")
        if isinstance(bound, dict) and bound.get("type") == VALUE_DRIFT_TEST:
            metric_id = str(bound.get("metric_fingerprint", ""))
            if test.get("status") in ("FAIL", "SUCCESS"):
                verdicts[metric_id] = test["status"] == "FAIL"
    return verdicts


def _value_drift(metric: _Metric, verdict: bool | None) -> ColumnDrift:
    method = str(metric.params.get("method") or "")
    column = str(metric.params.get("column", ""))
    score = _number(metric.value, f"{column}.score")
    threshold = _number(metric.params.get("threshold"), f"{column}.threshold")
    judge, kind = METHODS.get(method, (None, ""))
    if verdict is None and judge and score is not None and threshold is not None:
        verdict = judge(score, threshold)
    return ColumnDrift(
        column=column,
        method=method,
        score=score,
        threshold=threshold,
        drifted=verdict,
        kind=kind,
    )


def _drifted_share(metric: _Metric) -> tuple[float | None, bool | None]:
    value = metric.value if isinstance(metric.value, dict) else {}
    share = _number(value.get("share"), f"{metric.kind}.share")
    limit = _number(metric.params.get("drift_share", 0.5), f"{metric.kind}.drift_share")
    if share is None or limit is None:
        return share, None
    return share, share >= limit  # Evidently's rule: drift when the share reaches drift_share


# --- the legacy API (evidently.legacy, and 0.4 to 0.6) ------------------------------------------


def _from_legacy(document: dict[str, Any]) -> _Findings:
    _check_legacy_version(document["version"])
    found = _Findings(stamp=document.get("timestamp"))
    for i, item in enumerate(_list(document, "metrics", "metrics")):
        path = f"metrics[{i}].result"
        item = _object(item, f"metrics[{i}]")
        result = _object(item.get("result", {}), path)
        if item.get("metric") in ("DataDriftTable", "ColumnDriftMetric"):
            # a table lists its columns; a ColumnDriftMetric's result is one column's figures
            by_column = _object(result.get("drift_by_columns", {"": result}), path)
            found.columns.extend(_legacy_column(c, path) for c in by_column.values())
        if "dataset_drift" in result and found.dataset_drift is None:
            found.dataset_drift = bool(result["dataset_drift"])
            found.drift_share = _number(
                result.get("share_of_drifted_columns"), f"{path}.share_of_drifted_columns"
            )
    tests = [_object(t, f"tests[{i}]") for i, t in enumerate(_list(document, "tests", "tests"))]
    found.tests = [_test_line(t, f"tests[{i}]") for i, t in enumerate(tests)]
    if not found.columns:  # a TestSuite: the drift tests carry the per-column figures
        found.columns = _columns_from_legacy_tests(tests)
    if found.dataset_drift is None:
        found.drift_share, found.dataset_drift = _share_from_legacy_tests(found.tests, tests)
    return found


def _share_from_legacy_tests(
    lines: list[dict[str, Any]], tests: list[dict[str, Any]]
) -> tuple[float | None, bool | None]:
    """A TestSuite's share of drifted columns, and its dataset verdict: the share test
    (TestShareOfDriftedColumns, the preset's) lists every column's verdict and fails when the
    share breaks its condition, which is what the legacy Report calls dataset drift."""
    for line, test in zip(lines, tests, strict=True):
        parameters = test.get("parameters")
        if not isinstance(parameters, dict) or "condition" not in parameters:
            continue
        features = parameters.get("features")
        if line["name"] == SHARE_TEST and isinstance(features, dict) and features:
            drifted = sum(1 for f in features.values() if isinstance(f, dict) and f.get("detected"))
            return drifted / len(features), line["status"] in FAILED_STATUSES
    return None, None


def _check_legacy_version(version: Any) -> None:
    match = re.match(r"(\d+)\.(\d+)", str(version))
    low, high = LEGACY_VERSIONS
    if not match or not low <= (int(match[1]), int(match[2])) <= high:
        raise BadInput(
            field="version",
            message=f"Evidently {version} is not supported: this adapter reads reports of "
            "Evidently 0.4 to 0.7",
        )


def _legacy_column(drift: Any, path: str) -> ColumnDrift:
    drift = _object(drift, f"{path}.drift_by_columns")
    column = str(drift.get("column_name", ""))
    return ColumnDrift(
        column=column,
        method=str(drift.get("stattest_name", "")),
        score=_number(drift.get("drift_score"), f"{column}.drift_score"),
        threshold=_number(drift.get("stattest_threshold"), f"{column}.stattest_threshold"),
        drifted=_flag(drift.get("drift_detected")),
        kind=str(drift.get("column_type") or ""),
    )


def _columns_from_legacy_tests(tests: list[dict[str, Any]]) -> list[ColumnDrift]:
    """Per-column drift from TestColumnDrift lines, else from a share test's feature table."""
    figures: dict[str, dict[str, Any]] = {}
    for test in tests:
        parameters = test.get("parameters")
        if not isinstance(parameters, dict):
            continue
        if "column_name" in parameters and "stattest" in parameters:
            figures[str(parameters["column_name"])] = parameters
        for column, figure in (parameters.get("features") or {}).items():
            figures.setdefault(str(column), figure)
    return [
        ColumnDrift(
            column=column,
            method=str(figure.get("stattest", "")),
            score=_number(figure.get("score"), f"{column}.score"),  # rounded to 3 places
            threshold=_number(figure.get("threshold"), f"{column}.threshold"),
            drifted=_flag(figure.get("detected")),
            kind=METHODS.get(str(figure.get("stattest")), (None, ""))[1],
        )
        for column, figure in figures.items()
    ]


# --- shared --------------------------------------------------------------------------------


def _test_line(test: dict[str, Any], path: str) -> dict[str, Any]:
    status = test.get("status")
    if not isinstance(status, str):
        raise BadInput(field=f"{path}.status", message="is missing")
    return {
        "name": str(test.get("name", "")),
        "status": STATUSES.get(status, status.lower()),
        "description": str(test.get("description", "")),
    }


def _evaluated_at(stamp: Any, options: Mapping[str, str]) -> datetime:
    if "evaluated_at" in options:
        return parse_instant(options["evaluated_at"], field="evaluated_at")
    if stamp is None:
        raise BadInput(
            field="evaluated_at",
            message="is required: this report carries no timestamp (Snapshot.json() leaves it "
            "out); pass evaluated_at, or save the report with Snapshot.dumps()",
        )
    try:
        when = datetime.fromisoformat(str(stamp))
    except ValueError:
        raise BadInput(field="timestamp", message=f"{stamp!r} is not a date-time") from None
    # Evidently stamps datetime.now(), a naive local time. Pipelines run on UTC clocks as a
    # rule, so a naive stamp is read as UTC; the evaluated_at option corrects one that is not.
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _number(value: Any, path: str) -> float | None:
    """A finite float, None when the report leaves it out; anything else (NaN, "high") is
    refused naming the column, not stored as no score."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadInput(field=path, message=f"{value!r} is not a finite number")
    return float(value)


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(field=path, message="must be a JSON object")
    return value


def _key(node: dict[str, Any], key: str, path: str) -> Any:
    if key not in node:
        raise BadInput(field=f"{path}.{key}", message="is missing")
    return node[key]


def _dig(node: dict[str, Any], keys: tuple[str, ...], path: str) -> Any:
    """node[k1][k2]...; BadInput naming the first step that is missing or not an object."""
    value: Any = node
    for key in keys:
        value = _key(_object(value, path), key, path)
        path = f"{path}.{key}"
    return value


def _list(node: dict[str, Any], key: str, path: str) -> list[Any]:
    value = node.get(key, [])
    if not isinstance(value, list):
        raise BadInput(field=path, message="must be a JSON list")
    return value
