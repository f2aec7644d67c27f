"""Fairness: group metrics and disparities of a binary classifier, as fairlearn defines them.

`read` takes a CSV or Parquet file of raw outcomes, one row per scored case: the true label,
the model's predicted label (a hard decision, not a score) and one or more sensitive features.
It yields one `FairnessCheck` per sensitive feature and, with two or more, one for their
intersection (every combination present in the data). Per group: `selection_rate`,
`true_positive_rate`, `false_positive_rate`, `accuracy` and the count, as fairlearn's
`MetricFrame` reports them. Per check: `demographic_parity_difference`,
`demographic_parity_ratio` and `equalized_odds_difference` (fairlearn's between-groups,
worst-case definitions), `four_fifths_ratio` (lowest / highest selection rate, the EEOC's
four-fifths rule) with `four_fifths_passed` (1.0 when the ratio is at least 0.8), and the number
of groups judged and excluded. `passed` stays None: the server's thresholds judge.

Groups smaller than `min_group_size` are listed in `by_group` (with `judged` 0.0) but left out
of the disparities: a rate over a handful of cases is noise, and one tiny group would
otherwise set the worst case.

The figures come from one grouped count of the confusion cells (vectorised, about a second for
a million rows and three features) rather than from `MetricFrame`, which calls each metric per
group and takes seconds per frame at that size; the arithmetic is fairlearn's, including its
rates of 0.0 where a group has no positives (or no negatives), as sklearn's normalised
confusion matrix gives them.

Options: `label`, `prediction` (column names; required), `sensitive` (a comma list of column
names; required), `positive_label` (the value meaning "selected", default 1), `min_group_size`
(default 30), `evaluated_at` (ISO 8601 with offset; default now), `format` (csv or parquet;
else taken from the file name).

`from_metric_frame` turns a `MetricFrame` a user already computed into a `FairnessCheck`.
"""

import io
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from fairlearn.metrics import MetricFrame

from monitoring.adapters.errors import parse_instant, refuse_unknown_options
from monitoring.adapters.files import table_format
from monitoring.ingest.bundle import Bundle, FairnessCheck, GroupFigures
from monitoring.ingest.errors import BadInput

SOURCE = "fairness"
OPTIONS = frozenset(
    {
        "label",
        "prediction",
        "sensitive",
        "positive_label",
        "min_group_size",
        "evaluated_at",
        "format",
    }
)
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
DEFAULT_MIN_GROUP_SIZE = 30
FOUR_FIFTHS = 0.8
MISSING_GROUP = "(missing)"  # a blank sensitive value is a group of its own, shown, not dropped
CELLS = ("tp", "fp", "fn", "tn")
RATES = ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy")
TRUE_WORDS = frozenset({"1", "true", "yes"})


def read(content: bytes, *, filename: str = "", options: Mapping[str, str]) -> Bundle:
    """Fairness checks of the outcomes in a CSV or Parquet file, per feature and intersectional."""
    refuse_unknown_options(options, OPTIONS, source=SOURCE)
    label, prediction = _required(options, "label"), _required(options, "prediction")
    sensitive = _sensitive(options)
    min_group_size = _min_group_size(options)
    evaluated_at = _evaluated_at(options)
    frame = _table(
        content, table_format(filename, options, FORMATS), [label, prediction], sensitive
    )
    positive = options.get("positive_label", "1")
    cells = confusion_cells(
        _selected(frame[label], label, positive),
        _selected(frame[prediction], prediction, positive),
        frame[sensitive],
    )
    features = [[name] for name in sensitive]
    if len(sensitive) > 1:
        features.append(list(sensitive))
    checks = [_check(cells, f, min_group_size, evaluated_at) for f in features]
    return Bundle(source=SOURCE, fairness=checks)


def from_metric_frame(frame: MetricFrame, *, evaluated_at: datetime) -> FairnessCheck:
    """A check from a MetricFrame a user computed; include `fairlearn.metrics.count` in it.

    Each metric's between-groups difference and ratio become `<metric>_difference` and
    `<metric>_ratio`; a `selection_rate` metric also gives the demographic parity figures and
    the four-fifths ratio, and true and false positive rates give the equalized odds difference.
    """
    if frame.control_levels:
        raise BadInput(
            field="control_features",
            message="a MetricFrame with control features has no single overall: leave them out",
        )
    by_group = frame.by_group
    if isinstance(by_group, pd.Series):
        by_group = by_group.to_frame(by_group.name or "metric")
    if "count" not in by_group:
        raise BadInput(
            field="count",
            message="the MetricFrame has no count metric: add fairlearn.metrics.count so each "
            "group's size is known",
        )
    try:
        rates = by_group.drop(columns="count").astype("float64")
    except (TypeError, ValueError):
        raise BadInput(
            field="metrics", message="every metric of the MetricFrame must give one number"
        ) from None
    return FairnessCheck(
        evaluated_at=evaluated_at,
        sensitive_features=[str(name) for name in frame.sensitive_levels],
        metrics=_frame_disparities(rates),
        by_group=[
            GroupFigures(
                group=_group_of(key, by_group.index),
                count=int(row["count"]),
                metrics=_numbers(row.drop("count")),
            )
            for key, row in by_group.iterrows()
        ],
        overall=_numbers(_as_series(frame.overall)),
    )


def confusion_cells(
    actual: np.ndarray, predicted: np.ndarray, sensitive: pd.DataFrame
) -> pd.DataFrame:
    """Counts of tp, fp, fn, tn per combination of sensitive values present (one grouped sum)."""
    groups = {name: _group_labels(sensitive[name]) for name in sensitive.columns}
    indicators = pd.DataFrame(
        {
            **groups,
            "tp": actual & predicted,
            "fp": ~actual & predicted,
            "fn": actual & ~predicted,
            "tn": ~actual & ~predicted,
        }
    )
    counts = indicators.groupby(list(groups), sort=True, observed=True)[list(CELLS)].sum()
    return counts.astype("int64")


def group_rates(cells: pd.DataFrame) -> pd.DataFrame:
    """Rates per group from its confusion cells, with fairlearn's 0.0 where a rate is 0/0."""
    tp, fp, fn, tn = (cells[c].to_numpy(dtype="float64") for c in CELLS)
    count = tp + fp + fn + tn
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = {
            "selection_rate": (tp + fp) / count,
            "true_positive_rate": np.nan_to_num(tp / (tp + fn)),
            "false_positive_rate": np.nan_to_num(fp / (fp + tn)),
            "accuracy": (tp + tn) / count,
        }
    return pd.DataFrame({**rates, "count": count.astype("int64")}, index=cells.index)


def disparities(rates: pd.DataFrame) -> dict[str, float | None]:
    """fairlearn's between-groups disparities (and the four-fifths ratio) over these groups."""
    if len(rates) < 2:
        return dict.fromkeys(
            (
                "demographic_parity_difference",
                "demographic_parity_ratio",
                "equalized_odds_difference",
                "four_fifths_ratio",
                "four_fifths_passed",
            )
        )
    selection = rates["selection_rate"]
    ratio = _ratio(selection.min(), selection.max())
    return {
        "demographic_parity_difference": _spread(selection),
        "demographic_parity_ratio": ratio,
        "equalized_odds_difference": max(
            _spread(rates["true_positive_rate"]), _spread(rates["false_positive_rate"])
        ),
        "four_fifths_ratio": ratio,
        "four_fifths_passed": None if ratio is None else float(ratio >= FOUR_FIFTHS),
    }


# --- one check ------------------------------------------------------------------------------


def _check(
    cells: pd.DataFrame, features: list[str], min_group_size: int, evaluated_at: datetime
) -> FairnessCheck:
    rates = group_rates(_cells_by(cells, features))
    judged = rates["count"] >= min_group_size
    metrics = {
        **disparities(rates[judged]),
        "groups_judged": float(judged.sum()),
        "groups_excluded": float((~judged).sum()),
    }
    by_group = [
        GroupFigures(
            group=_group_of(key, rates.index),
            count=int(row["count"]),
            metrics={**_numbers(row[list(RATES)]), "judged": float(is_judged)},
        )
        for (key, row), is_judged in zip(rates.iterrows(), judged, strict=True)
    ]
    overall = group_rates(cells.sum().to_frame().T).iloc[0]
    return FairnessCheck(
        evaluated_at=evaluated_at,
        sensitive_features=features,
        metrics=metrics,
        by_group=by_group,
        overall={**_numbers(overall[list(RATES)]), "count": float(overall["count"])},
    )


def _cells_by(cells: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """The cells per group of `features`: the intersectional counts summed over the others."""
    if len(features) == cells.index.nlevels:
        return cells
    return cells.groupby(level=features, sort=True).sum()


def _frame_disparities(rates: pd.DataFrame) -> dict[str, float | None]:
    metrics: dict[str, float | None] = {}
    for name in rates.columns:
        metrics[f"{name}_difference"] = _spread(rates[name])
        metrics[f"{name}_ratio"] = _ratio(rates[name].min(), rates[name].max())
    if "selection_rate" in rates:
        selection = metrics["selection_rate_ratio"]
        metrics["demographic_parity_difference"] = metrics["selection_rate_difference"]
        metrics["demographic_parity_ratio"] = selection
        metrics["four_fifths_ratio"] = selection
        metrics["four_fifths_passed"] = (
            None if selection is None else float(selection >= FOUR_FIFTHS)
        )
    if {"true_positive_rate", "false_positive_rate"} <= set(rates.columns):
        spreads = [
            metrics["true_positive_rate_difference"],
            metrics["false_positive_rate_difference"],
        ]
        metrics["equalized_odds_difference"] = None if None in spreads else max(spreads)
    return metrics


def _spread(values: pd.Series) -> float | None:
    return _number(values.max() - values.min())


def _ratio(low: float, high: float) -> float | None:
    return _number(low / high) if high else None


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _numbers(values: pd.Series) -> dict[str, float | None]:
    return {str(name): _number(value) for name, value in values.items()}


def _as_series(overall: Any) -> pd.Series:
    return overall if isinstance(overall, pd.Series) else pd.Series({"metric": overall})


def _group_of(key: Any, index: pd.Index) -> dict[str, str]:
    keys = key if isinstance(key, tuple) else (key,)
    names = [str(name) for name in index.names]
    return {name: str(value) for name, value in zip(names, keys, strict=True)}


# --- reading the file -----------------------------------------------------------------------


def _required(options: Mapping[str, str], name: str) -> str:
    value = options.get(name, "").strip()
    if not value:
        raise BadInput(field=name, message="is required: the column's name")
    return value


def _sensitive(options: Mapping[str, str]) -> list[str]:
    names = [n.strip() for n in _required(options, "sensitive").split(",") if n.strip()]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise BadInput(field="sensitive", message=f"names {repeated[0]!r} twice")
    return names


def _min_group_size(options: Mapping[str, str]) -> int:
    raw = options.get("min_group_size", str(DEFAULT_MIN_GROUP_SIZE)).strip()
    if not raw.isdigit():
        raise BadInput(field="min_group_size", message=f"{raw!r} is not a whole number")
    return int(raw)


def _evaluated_at(options: Mapping[str, str]) -> datetime:
    if "evaluated_at" in options:
        return parse_instant(options["evaluated_at"], field="evaluated_at")
    return datetime.now(tz=UTC)


def _table(
    content: bytes, fmt: str, outcomes: Sequence[str], sensitive: Sequence[str]
) -> pd.DataFrame:
    """The named columns of the file (only those are read); BadInput for one that is missing."""
    if not content.strip():
        raise BadInput(field="file", message="is empty")
    columns = [*outcomes, *sensitive]
    if fmt == "parquet":
        frame = _parquet(content, columns)
    else:
        frame = _csv(content, columns, text=sensitive)
    for column in columns:
        if column not in frame:
            raise BadInput(field=column, message="required column is missing")
    if frame.empty:
        raise BadInput(field="file", message="holds no rows")
    return frame


def _csv(content: bytes, columns: Sequence[str], *, text: Sequence[str]) -> pd.DataFrame:
    wanted = set(columns)
    try:
        # Sensitive values stay text: a region "007" is not the number 7.
        return pd.read_csv(
            io.BytesIO(content),
            usecols=lambda name: name in wanted,
            dtype=dict.fromkeys(text, str),
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise BadInput(field="file", message=f"is not readable CSV: {exc}") from None


def _parquet(content: bytes, columns: Sequence[str]) -> pd.DataFrame:
    try:
        source = pq.ParquetFile(io.BytesIO(content))
        present = [c for c in columns if c in source.schema_arrow.names]
        return source.read(columns=present).to_pandas()
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise BadInput(field="file", message=f"is not readable Parquet: {exc}") from None


# --- labels and groups ----------------------------------------------------------------------


def _selected(column: pd.Series, name: str, positive: str) -> np.ndarray:
    """True where the column holds the positive label; BadInput unless it holds two values."""
    _refuse_blanks(column, name)
    seen = pd.unique(column)
    if len(seen) > 2:
        stray = np.flatnonzero(~column.isin(seen[:2]).to_numpy())[0]
        raise BadInput(
            field=name,
            row=int(stray) + 1,
            message=f"{column.iloc[stray]!r} is a third value: labels must be binary decisions, "
            f"not scores ({seen[0]!r} and {seen[1]!r} came first)",
        )
    selected = (column == _positive_value(column, name, positive)).to_numpy(dtype=bool)
    if len(seen) == 2 and not selected.any():
        raise BadInput(
            field="positive_label",
            message=f"{positive!r} is not a value of {name} (it holds {seen[0]!r} and {seen[1]!r})",
        )
    return selected


def _refuse_blanks(column: pd.Series, name: str) -> None:
    blank = column.isna().to_numpy()
    if blank.any():
        raise BadInput(field=name, row=int(np.flatnonzero(blank)[0]) + 1, message="is empty")


def _positive_value(column: pd.Series, name: str, positive: str) -> Any:
    """The positive label in the column's own type (1 and "1" and True are one label)."""
    if pd.api.types.is_bool_dtype(column):
        return positive.strip().lower() in TRUE_WORDS
    if pd.api.types.is_numeric_dtype(column):
        try:
            return float(positive)
        except ValueError:
            raise BadInput(
                field="positive_label", message=f"{positive!r} is not a number, as {name} holds"
            ) from None
    return positive


def _group_labels(column: pd.Series) -> pd.Series:
    """Sensitive values as text, so groups read the same from CSV and Parquet (2, not 2.0)."""
    if pd.api.types.is_float_dtype(column):
        values = column.dropna()
        if (values == np.floor(values)).all():
            column = column.astype("Int64")
    return column.astype("string").fillna(MISSING_GROUP).reset_index(drop=True)
