"""Drift computed by Attest from raw rows: a reference window against a current window.

`read` takes a CSV or Parquet file of feature values, one row per scored case, with a column
saying which window the row belongs to (`window`, values `reference` and `current`). Every
other column (or those `columns` names) is a feature; text, boolean and category columns and
those named in `categorical` are categorical, the rest numeric. The statistics are
`monitoring.stats.drift`'s (docs/monitoring.md): per numeric feature PSI, Kolmogorov-Smirnov,
Wasserstein and Jensen-Shannon, per categorical one PSI, chi-square and Jensen-Shannon; a
feature drifted when its PSI says so, and the dataset drifted when at least half of the judged
features did (Evidently's default share).

Each statistic becomes one column line of the drift result, with the measure names monitoring
thresholds read: `psi`, `ks` (the statistic D) and `ks_p_value`, `wasserstein` (normalised by
the reference's standard deviation), `jensen_shannon` (base 2) and `chi_square_p_value`.

Options: `window` (the window column; default "window"), `reference_label` and
`current_label` (default "reference" and "current"), `columns` and `categorical` (comma lists),
`reference` (what the reference window is, e.g. "training data 2026-Q1"), `evaluated_at`
(ISO 8601 with offset; default now), `format` (csv or parquet; else from the file name).
"""

from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd

from monitoring.adapters.errors import parse_instant, refuse_unknown_options
from monitoring.adapters.files import read_table, table_format
from monitoring.ingest.bundle import Bundle, ColumnDrift, DriftCheck
from monitoring.ingest.errors import BadInput
from monitoring.stats import drift
from monitoring.stats.drift import DriftStat, FeatureDrift

SOURCE = "drift"
OPTIONS = frozenset(
    {
        "window",
        "reference_label",
        "current_label",
        "columns",
        "categorical",
        "reference",
        "evaluated_at",
        "format",
    }
)
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
DATASET_DRIFT_SHARE = 0.5
KINDS = {"numeric": "num", "categorical": "cat"}


def read(content: bytes, *, filename: str = "", options: Mapping[str, str]) -> Bundle:
    """One drift result: every feature of the file, reference window against current."""
    refuse_unknown_options(options, OPTIONS, source=SOURCE)
    window = options.get("window", "window")
    wanted = _names(options, "columns")
    columns = None if wanted is None else [window, *wanted]
    frame = read_table(content, table_format(filename, options, FORMATS), columns)
    for column in columns or [window]:
        if column not in frame:
            raise BadInput(field=column, message="required column is missing")
    reference, current = _windows(frame, window, options)
    categorical = _categorical(frame.drop(columns=[window]), _names(options, "categorical") or [])
    features = drift.compare_frame(
        reference.drop(columns=[window]),
        current.drop(columns=[window]),
        categorical=categorical,
    )
    evaluated_at = (
        parse_instant(options["evaluated_at"], field="evaluated_at")
        if "evaluated_at" in options
        else datetime.now(tz=UTC)
    )
    return Bundle(source=SOURCE, drift=[_check(features, evaluated_at, options)])


def _names(options: Mapping[str, str], name: str) -> list[str] | None:
    if name not in options:
        return None
    names = [n.strip() for n in options[name].split(",") if n.strip()]
    if not names:
        raise BadInput(field=name, message="name at least one column")
    return names


def _windows(
    frame: pd.DataFrame, window: str, options: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    labels = (options.get("reference_label", "reference"), options.get("current_label", "current"))
    values = frame[window].astype(str)
    unknown = ~values.isin(labels)
    if unknown.any():
        row = int(unknown.to_numpy().argmax())
        raise BadInput(
            field=window,
            message=f"{values.iloc[row]!r} is neither {labels[0]!r} nor {labels[1]!r}",
            row=row + 1,
        )
    reference, current = (frame[values == label] for label in labels)
    for label, rows in zip(labels, (reference, current), strict=True):
        if rows.empty:
            raise BadInput(field=window, message=f"no row belongs to the {label!r} window")
    return reference, current


def _categorical(features: pd.DataFrame, named: list[str]) -> list[str]:
    missing = [name for name in named if name not in features]
    if missing:
        raise BadInput(field="categorical", message=f"{missing[0]!r} is not a column of the file")
    inferred = [
        str(name)
        for name, dtype in features.dtypes.items()
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
    ]
    return sorted(set(named) | set(inferred))


def _check(
    features: list[FeatureDrift], evaluated_at: datetime, options: Mapping[str, str]
) -> DriftCheck:
    verdicts = [f.drifted for f in features if f.drifted is not None]
    drift_share = sum(verdicts) / len(verdicts) if verdicts else None
    return DriftCheck(
        evaluated_at=evaluated_at,
        columns=[line for feature in features for line in _lines(feature)],
        dataset_drift=None if drift_share is None else drift_share >= DATASET_DRIFT_SHARE,
        drift_share=drift_share,
        reference=options.get("reference", ""),
        tool="attest",
    )


def _lines(feature: FeatureDrift) -> list[ColumnDrift]:
    kind = KINDS.get(feature.kind, feature.kind)
    lines = []
    for stat in feature.stats:
        for method, score in _scores(stat):
            lines.append(
                ColumnDrift(
                    column=feature.feature,
                    method=method,
                    score=score,
                    threshold=stat.threshold,
                    drifted=stat.drifted,
                    kind=kind,
                )
            )
    return lines


def _scores(stat: DriftStat) -> list[tuple[str, float | None]]:
    """A test's p-value is what decides it; KS also keeps its distance D."""
    if stat.statistic == "chi_square":
        return [("chi_square_p_value", stat.p_value)]
    if stat.statistic == "ks":
        return [("ks", stat.value), ("ks_p_value", stat.p_value)]
    return [(stat.statistic, stat.value)]
