"""Fairness: group metrics and disparities of a binary classifier, read from a file.

`read` takes a CSV or Parquet file of raw outcomes, one row per scored case: the true label,
the model's predicted label (a hard decision, not a score) and one or more sensitive features.
It yields one `FairnessCheck` per sensitive feature and, with two or more, one for their
intersection (every combination present in the data). Per group: `selection_rate`,
`true_positive_rate`, `false_positive_rate`, `accuracy`, the count and `judged` (0.0 for a group
smaller than `min_group_size`, listed but left out of the disparities). Per check:
`demographic_parity_difference`, `demographic_parity_ratio`, `equalized_odds_difference`,
`four_fifths_ratio` with `four_fifths_passed` (1.0 when the ratio is at least 0.8), and the
number of groups judged and excluded. The figures are fairlearn's, computed by
`monitoring.stats.fairness`. `passed` stays None: the server's thresholds judge.

Options: `label`, `prediction` (column names; required), `sensitive` (a comma list of column
names; required), `positive_label` (the value meaning "selected", default 1), `min_group_size`
(default 30), `evaluated_at` (ISO 8601 with offset; default now), `format` (csv or parquet;
else taken from the file name).

`from_metric_frame` turns a `MetricFrame` a user already computed into a `FairnessCheck`.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame

from monitoring.adapters.errors import parse_instant, refuse_unknown_options
from monitoring.adapters.files import read_table, table_format
from monitoring.ingest.bundle import Bundle, FairnessCheck, GroupFigures
from monitoring.ingest.errors import BadInput
from monitoring.stats import fairness

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
    figures = fairness.assess(
        _selected(frame[label], label, positive),
        _selected(frame[prediction], prediction, positive),
        {name: _group_labels(frame[name]) for name in sensitive},
        min_group_size=min_group_size,
    )
    return Bundle(source=SOURCE, fairness=[_check(f, evaluated_at) for f in figures])


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


def _check(figures: fairness.FairnessFigures, evaluated_at: datetime) -> FairnessCheck:
    disparities = {name: _number(value) for name, value in asdict(figures.disparities).items()}
    return FairnessCheck(
        evaluated_at=evaluated_at,
        sensitive_features=list(figures.features),
        metrics={
            **disparities,
            "groups_judged": float(figures.groups_judged),
            "groups_excluded": float(figures.groups_excluded),
        },
        by_group=[
            GroupFigures(
                group={name: str(value) for name, value in group.group.items()},
                count=group.count,
                metrics={**_rates(group), "judged": float(group.judged)},
            )
            for group in figures.groups
        ],
        overall={**_rates(figures.overall), "count": float(figures.overall.count)},
    )


def _rates(rates: fairness.Rates) -> dict[str, float | None]:
    return {name: getattr(rates, name) for name in RATES}


# --- a user's MetricFrame -------------------------------------------------------------------


def _frame_disparities(rates: pd.DataFrame) -> dict[str, float | None]:
    metrics: dict[str, float | None] = {}
    for name in rates.columns:
        metrics[f"{name}_difference"] = fairness.difference(rates[name])
        metrics[f"{name}_ratio"] = fairness.ratio(rates[name])
    if "selection_rate" in rates:
        selection = metrics["selection_rate_ratio"]
        metrics["demographic_parity_difference"] = metrics["selection_rate_difference"]
        metrics["demographic_parity_ratio"] = selection
        metrics["four_fifths_ratio"] = selection
        metrics["four_fifths_passed"] = _number(fairness.four_fifths_passed(selection))
    if {"true_positive_rate", "false_positive_rate"} <= set(rates.columns):
        tpr = metrics["true_positive_rate_difference"]
        fpr = metrics["false_positive_rate_difference"]
        metrics["equalized_odds_difference"] = None if tpr is None or fpr is None else max(tpr, fpr)
    return metrics


def _number(value: Any) -> float | None:
    if value is None:
        return None
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
    raw = options.get("min_group_size", str(fairness.MIN_GROUP_SIZE)).strip()
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
    columns = [*outcomes, *sensitive]
    frame = read_table(content, fmt, columns, text=sensitive)
    for column in columns:
        if column not in frame:
            raise BadInput(field=column, message="required column is missing")
    if frame.empty:
        raise BadInput(field="file", message="holds no rows")
    return frame


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
    selected: np.ndarray = (column == _positive_value(column, name, positive)).to_numpy(dtype=bool)
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
    return column.astype("string").fillna(fairness.MISSING_GROUP).reset_index(drop=True)
