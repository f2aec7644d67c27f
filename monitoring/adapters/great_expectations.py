"""Great Expectations 1.x: validation results as data validations (plain JSON; GX need not be installed).

Shapes read, each as Great Expectations 1.x writes it:

- a validation result: `ExpectationSuiteValidationResult.to_json_dict()`, which is also the file
  a checkpoint stores under `gx/uncommitted/validations/<suite>/<run>/<time>/<batch>.json`:
  `{"success", "results": [{"success", "expectation_config": {"type", "kwargs"}, "result"}],
  "suite_name", "statistics", "meta": {"validation_time", "run_id", "batch_markers", ...}}`;
- a JSON list of those (e.g. `[r.to_json_dict() for r in checkpoint_result.run_results.values()]`);
- `CheckpointResult.describe()`: `{"success", "statistics", "validation_results": [{"success",
  "statistics", "expectations": [{"expectation_type", "success", "kwargs", "result"}]}]}`,
  taken as it is. It names no suite and carries no time: the suite is "checkpoint on <batch
  id>" and the time is when it is read (said in the statistics' `evaluated_at_source`), unless
  the `suite` and `evaluated_at` options give them.

Results of Great Expectations 0.x (`expectation_suite_name`, `expectation_type`) are refused.
An expectation's `result` is trimmed to its figures (observed value, element, unexpected and
missing counts): the partial lists of unexpected values are samples of the data, not evidence.
Its `kwargs` (column, min_value, max_value, mostly, value_set, ...) are kept with it, less the
batch id, so a failed rule's threshold is on record.

Options: `dataset` and `dataset_version` (the dataset version validated, both or neither),
`evaluated_at` (ISO 8601 with offset; wins over the result's own time), `suite` (wins over the
result's suite name).
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from monitoring.adapters.errors import parse_instant, parse_json, refuse_unknown_options
from monitoring.ingest.bundle import (
    Bundle,
    DatasetVersionRef,
    DataValidation,
    ExpectationResult,
)
from monitoring.ingest.errors import BadInput

SOURCE = "great-expectations"
TOOL = "great_expectations"
OPTIONS = frozenset({"dataset", "dataset_version", "evaluated_at", "suite"})
KEPT = (
    "observed_value",
    "element_count",
    "unexpected_count",
    "unexpected_percent",
    "missing_count",
    "missing_percent",
)
MAX_OBSERVED_ITEMS = 20  # e.g. the distinct values an expectation observed: a sample is enough
LOAD_TIME = "%Y%m%dT%H%M%S.%fZ"  # batch_markers.ge_load_time, always UTC
DESCRIBED_TIME = "read by Attest: CheckpointResult.describe() carries no time"


def read(content: bytes, *, filename: str = "", options: Mapping[str, str]) -> Bundle:
    """The data validations a Great Expectations result file holds."""
    refuse_unknown_options(options, OPTIONS, source=SOURCE)
    dataset = _dataset(options)
    document = parse_json(content)
    if isinstance(document, dict) and "validation_results" in document:
        validations = _described(document, options, dataset)
    elif isinstance(document, list):
        validations = [
            _validation(_object(item, f"[{i}]"), f"[{i}].", options, dataset)
            for i, item in enumerate(document)
        ]
    elif isinstance(document, dict):
        validations = [_validation(document, "", options, dataset)]
    else:
        raise BadInput(field="file", message="is not a Great Expectations validation result")
    if not validations:
        raise BadInput(field="file", message="holds no validation results")
    return Bundle(source=SOURCE, data_validation=validations)


def _dataset(options: Mapping[str, str]) -> DatasetVersionRef | None:
    dataset, version = options.get("dataset", ""), options.get("dataset_version", "")
    if version and not dataset:
        raise BadInput(field="dataset", message="is required with dataset_version")
    if dataset and not version:
        raise BadInput(field="dataset_version", message="is required with dataset")
    return DatasetVersionRef(dataset=dataset, version=version) if dataset else None


# --- a validation result ----------------------------------------------------------------------


def _validation(
    result: dict[str, Any],
    path: str,
    options: Mapping[str, str],
    dataset: DatasetVersionRef | None,
) -> DataValidation:
    meta = _object(result.get("meta", {}), f"{path}meta")
    _check_version(meta, path)
    results = _list(_key(result, "results", path), f"{path}results")
    return DataValidation(
        evaluated_at=_evaluated_at(meta, options, path),
        suite=options.get("suite") or _text(_key(result, "suite_name", path), f"{path}suite_name"),
        success=_flag(_key(result, "success", path), f"{path}success"),
        results=[_expectation(item, f"{path}results[{i}]") for i, item in enumerate(results)],
        dataset=dataset,
        statistics=_object(result.get("statistics", {}), f"{path}statistics"),
        tool=TOOL,
    )


def _check_version(meta: dict[str, Any], path: str) -> None:
    version = str(meta.get("great_expectations_version", ""))
    if re.match(r"0\.", version) or "expectation_suite_name" in meta:
        raise BadInput(
            field=f"{path}meta.great_expectations_version",
            message=f"{version or 'a 0.x version'} is not supported: this adapter reads "
            "validation results of Great Expectations 1.x",
        )


def _expectation(item: Any, path: str) -> ExpectationResult:
    item = _object(item, path)
    config = _object(_key(item, "expectation_config", path), f"{path}.expectation_config")
    kind = _text(_key(config, "type", f"{path}.expectation_config"), f"{path}.type")
    return _result(item, kind, _object(config.get("kwargs", {}), f"{path}.kwargs"), path)


def _result(
    item: dict[str, Any], kind: str, kwargs: dict[str, Any], path: str
) -> ExpectationResult:
    observed = _observed(_object(item.get("result") or {}, f"{path}.result"))
    problem = _exception(item.get("exception_info"))
    if problem:
        observed["exception"] = problem
    return ExpectationResult(
        expectation=kind,
        success=_flag(_key(item, "success", path), f"{path}.success"),
        column=_column(kwargs),
        observed=observed,
        kwargs=_rule(kwargs),
    )


def _rule(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The expectation's arguments (bounds, mostly, value set, ...), so a failed rule's
    threshold is known; less the batch id (which batch, not what rule), long sets cut."""
    rule = {key: value for key, value in kwargs.items() if key != "batch_id"}
    for key, value in list(rule.items()):
        if isinstance(value, list) and len(value) > MAX_OBSERVED_ITEMS:
            rule[key] = value[:MAX_OBSERVED_ITEMS]
            rule[f"{key}_truncated"] = len(value)
    return rule


def _observed(result: dict[str, Any]) -> dict[str, Any]:
    """The figures of a result, without the partial lists of unexpected values."""
    kept = {key: result[key] for key in KEPT if key in result}
    value = kept.get("observed_value")
    if isinstance(value, list | dict) and len(value) > MAX_OBSERVED_ITEMS:
        sample = list(value.items() if isinstance(value, dict) else value)[:MAX_OBSERVED_ITEMS]
        kept["observed_value"] = dict(sample) if isinstance(value, dict) else sample
        kept["observed_value_truncated"] = True
    return kept


def _exception(info: Any) -> str:
    """The message of an expectation that raised; GX 1.x keys several raises by metric."""
    if not isinstance(info, dict):
        return ""
    raises = [info] if "raised_exception" in info else list(info.values())
    messages = [
        str(r.get("exception_message") or "")
        for r in raises
        if isinstance(r, dict) and r.get("raised_exception")
    ]
    return "; ".join(m for m in messages if m)


def _column(kwargs: dict[str, Any]) -> str:
    if "column" in kwargs:
        return str(kwargs["column"])
    pair = [str(kwargs[k]) for k in ("column_A", "column_B") if k in kwargs]
    columns = pair or [str(c) for c in kwargs.get("column_list") or []]
    return ", ".join(columns)


def _evaluated_at(meta: dict[str, Any], options: Mapping[str, str], path: str) -> datetime:
    if "evaluated_at" in options:
        return parse_instant(options["evaluated_at"], field="evaluated_at")
    run_id = meta.get("run_id")
    if not isinstance(run_id, dict):
        run_id = {}
    for where, stamp in (
        ("validation_time", meta.get("validation_time")),
        ("run_id.run_time", run_id.get("run_time")),
    ):
        if stamp:
            return parse_instant(str(stamp), field=f"{path}meta.{where}")
    load_time = (meta.get("batch_markers") or {}).get("ge_load_time")
    if load_time:  # batch.validate() records no run, only when the batch was loaded
        try:
            return datetime.strptime(str(load_time), LOAD_TIME).replace(tzinfo=UTC)
        except ValueError:
            field = f"{path}meta.batch_markers.ge_load_time"
            raise BadInput(field=field, message=f"{load_time!r} is not a GX time") from None
    raise BadInput(field="evaluated_at", message="is required: the result carries no time")


# --- a checkpoint result's description ------------------------------------------------------


def _described(
    document: dict[str, Any], options: Mapping[str, str], dataset: DatasetVersionRef | None
) -> list[DataValidation]:
    given = options.get("evaluated_at")
    when = parse_instant(given, field="evaluated_at") if given else datetime.now(tz=UTC)
    validations = []
    for i, item in enumerate(_list(document["validation_results"], "validation_results")):
        path = f"validation_results[{i}]"
        item = _object(item, path)
        expectations = _list(_key(item, "expectations", path), f"{path}.expectations")
        statistics = _object(item.get("statistics", {}), f"{path}.statistics")
        if not given:  # said, not hidden: the time is when Attest read it
            statistics = {**statistics, "evaluated_at_source": DESCRIBED_TIME}
        validations.append(
            DataValidation(
                evaluated_at=when,
                suite=options.get("suite") or _described_suite(expectations),
                success=_flag(_key(item, "success", path), f"{path}.success"),
                results=[
                    _described_expectation(e, f"{path}.expectations[{j}]")
                    for j, e in enumerate(expectations)
                ],
                dataset=dataset,
                statistics=statistics,
                tool=TOOL,
            )
        )
    return validations


def _described_suite(expectations: list[Any]) -> str:
    """A describe() names no suite; the batch its expectations ran on names what was checked."""
    for item in expectations:
        kwargs = item.get("kwargs") if isinstance(item, dict) else None
        if isinstance(kwargs, dict) and kwargs.get("batch_id"):
            return f"checkpoint on {kwargs['batch_id']}"
    return "checkpoint"


def _described_expectation(item: Any, path: str) -> ExpectationResult:
    item = _object(item, path)
    kind = _text(_key(item, "expectation_type", path), f"{path}.expectation_type")
    return _result(item, kind, _object(item.get("kwargs", {}), f"{path}.kwargs"), path)


# --- JSON checks ----------------------------------------------------------------------------


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(field=path or "file", message="must be a JSON object")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadInput(field=path, message="must be a JSON list")
    return value


def _key(node: dict[str, Any], key: str, path: str) -> Any:
    if key not in node:
        where = f"{path}.{key}" if path and not path.endswith(".") else f"{path}{key}"
        raise BadInput(field=where, message="is missing")
    return node[key]


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadInput(field=path, message="must be a non-empty string")
    return value


def _flag(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise BadInput(field=path, message=f"must be true or false, not {value!r}")
    return value
