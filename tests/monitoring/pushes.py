"""Tracker pushes for tests that read pushed data: real bundles through the real ingestion API."""

import json
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from monitoring.ingest.bundle import (
    Bundle,
    ColumnDrift,
    DatasetVersionRef,
    DataValidation,
    DriftCheck,
    Evaluation,
    ExpectationResult,
    FairnessCheck,
    GroupFigures,
    MetricColumns,
    Run,
    VersionInfo,
)

WHEN = "2026-11-01T09:00:00+00:00"
TRAIN = DatasetVersionRef(dataset="loan-book", version="2026-10", name="Loan book")


def full_bundle(when: str = WHEN, *, run_id: str = "3f2a9c", auc: float = 0.8123456) -> Bundle:
    """One MLflow push holding every kind of result: run, version info, metrics, fairness,
    drift, data validation and an evaluation, all evaluated at `when`."""
    at = datetime.fromisoformat(when)
    return Bundle(
        source="mlflow",
        run=Run(
            tracker="mlflow",
            external_id=run_id,
            params={"C": "0.5", "max_iter": 200},
            tags={"team": "retail", "run_url": f"https://mlflow.example/runs/{run_id}"},
            code_commit="9b1e77d0c4",
            started_at=at,
            input_datasets=[TRAIN],
        ),
        version=VersionInfo(external_id="retail-pd/7", aliases=["champion"]),
        metrics=MetricColumns(
            name=["auc", "auc", "log_loss"],
            value=[0.79, auc, 0.41],
            timestamp=[when, when, when],
            step=[0, 1, 1],
        ),
        fairness=[
            FairnessCheck(
                evaluated_at=at,
                sensitive_features=["sex"],
                metrics={"demographic_parity_difference": 0.0412345},
                by_group=[
                    GroupFigures(group={"sex": "F"}, count=500, metrics={"selection_rate": 0.3})
                ],
            )
        ],
        drift=[
            DriftCheck(
                evaluated_at=at,
                columns=[
                    ColumnDrift(
                        column="income", method="psi", score=0.3123, threshold=0.2, drifted=True
                    )
                ],
                dataset_drift=True,
                drift_share=0.5,
                tool="evidently",
            )
        ],
        data_validation=[
            DataValidation(
                evaluated_at=at,
                suite="loan_book_checks",
                success=False,
                results=[
                    ExpectationResult(
                        expectation="expect_column_values_to_not_be_null",
                        success=True,
                        column="income",
                    ),
                    ExpectationResult(
                        expectation="expect_column_mean_to_be_between",
                        success=False,
                        column="age",
                        observed={"observed_value": 131.5},
                        kwargs={"column": "age", "min_value": 18, "max_value": 100},
                    ),
                ],
                dataset=TRAIN,
            )
        ],
        evaluations=[
            Evaluation(
                evaluated_at=at,
                suite="holdout",
                kind="quality",
                cases=200,
                passed=194,
                cost_per_request=0.002,
            )
        ],
    )


def push(user: AbstractBaseUser, bundle: Bundle, *, model: str = "retail-pd", version: str = "7"):
    """POST a bundle to the ingestion API as `user` (signed in, so the write gets its ingestion
    batch as a token's would); the response, for callers to check."""
    client = Client()
    client.force_login(user)
    url = f"/api/v1/models/{model}/versions/{version}/bundles/"
    return client.post(url, json.dumps(bundle.as_json()), content_type="application/json")
