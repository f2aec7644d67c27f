"""Write the NannyML artifacts the adapter's tests read, with the real NannyML (see README.md).

Each is exported the way NannyML's users export results: `results.to_df()` written with pandas
(multi-level columns: two header rows in CSV, three for drift) and NannyML's own
`nml.io.RawFilesWriter` (flat `chunk_key`, `roc_auc_value` columns, in CSV or Parquet).
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

# NannyML sends usage statistics to segment.io unless told not to (and this runs offline).
os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"

import nannyml as nml  # after the switch above

HERE = Path(__file__).resolve().parent


def cbpe() -> nml.base.AbstractResult:
    """Estimated ROC AUC and F1 of the bundled work-from-home classifier, monthly chunks; the
    analysis period has no labels, so `realized` is empty there (as in production)."""
    reference, analysis, _ = nml.load_synthetic_binary_classification_dataset()
    estimator = nml.CBPE(
        y_pred_proba="y_pred_proba",
        y_pred="y_pred",
        y_true="work_home_actual",
        problem_type="classification_binary",
        metrics=["roc_auc", "f1"],
        timestamp_column_name="timestamp",
        chunk_period="Q",
    )
    return estimator.fit(reference).estimate(analysis)


def dle() -> nml.base.AbstractResult:
    """Estimated MAE and RMSE of the bundled car-price regressor; the analysis period's labels
    are joined in, so realized values sit beside the estimates."""
    reference, analysis, targets = nml.load_synthetic_car_price_dataset()
    analysis = analysis.merge(targets, on="id")
    features = ["car_age", "km_driven", "price_new", "accident_count", "door_count"]
    estimator = nml.DLE(
        feature_column_names=[*features, "fuel", "transmission"],
        y_pred="y_pred",
        y_true="y_true",
        timestamp_column_name="timestamp",
        metrics=["mae", "rmse"],
        chunk_size=6000,
        tune_hyperparameters=False,
    )
    return estimator.fit(reference).estimate(analysis)


def univariate_drift() -> nml.base.AbstractResult:
    """Drift of a continuous and two categorical features by several methods, quarterly."""
    reference, analysis, _ = nml.load_synthetic_binary_classification_dataset()
    calculator = nml.UnivariateDriftCalculator(
        column_names=["distance_from_office", "salary_range", "wfh_prev_workday"],
        timestamp_column_name="timestamp",
        continuous_methods=["jensen_shannon", "kolmogorov_smirnov", "wasserstein"],
        categorical_methods=["jensen_shannon", "chi2", "l_infinity"],
        chunk_period="Q",
    )
    return calculator.fit(reference).calculate(analysis)


def raw_files(result: nml.base.AbstractResult, filename: str, fmt: str) -> None:
    """NannyML's own writer: `to_df(multilevel=False)` into a folder; the file is copied here."""
    with tempfile.TemporaryDirectory() as folder:
        nml.io.RawFilesWriter(path=folder).write(result, filename=filename, format=fmt)
        shutil.copy(Path(folder) / filename, HERE / filename)


def main() -> None:
    performance, regression, drift = cbpe(), dle(), univariate_drift()
    performance.to_df().to_csv(HERE / "nannyml_cbpe.csv")
    performance.to_df().to_parquet(HERE / "nannyml_cbpe.parquet")
    raw_files(regression, "nannyml_dle_raw.csv", "csv")
    raw_files(regression, "nannyml_dle_raw.parquet", "parquet")
    drift.to_df().to_csv(HERE / "nannyml_univariate_drift.csv")
    raw_files(drift, "nannyml_univariate_drift_raw.parquet", "parquet")
    sys.stdout.write(f"nannyml {nml.__version__}: artifacts written to {HERE}\n")


if __name__ == "__main__":
    main()
