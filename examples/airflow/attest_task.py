"""An Airflow DAG whose tasks push a training run to Attest and stop at a closed gate.

Drop this file in the DAGs folder of an Airflow deployment whose workers have
`pip install 'attest-mrm-cli[mlflow]'` (the `attest` CLI alone, see docs/ingestion.md). The
workers need MLFLOW_TRACKING_URI, and ATTEST_URL and ATTEST_TOKEN in their environment or an
Airflow connection `attest_default` (host: Attest's URL, password: the token). Trigger it with
the run's params: the version label, the MLflow run id and `out`, the folder where the training
job wrote metrics.csv and predictions.parquet (relative to the worker's working directory, or
absolute), e.g. `airflow dags trigger credit_pd_release --conf '{"version": "2.8.0",
"run_id": "3f2a9c", "out": "build"}'`.

Each task is a plain function below that the DAG only wraps, so the same functions serve any
other orchestrator (Kubeflow, Prefect, Dagster, a cron job) as they are; Airflow is imported
only when it is installed.
"""

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitoring.cli import commands
from monitoring.cli.client import Client, Target
from monitoring.cli.main import gate_lines
from monitoring.cli.summary import summary

MODEL = "retail-pd"


class GateClosedError(RuntimeError):
    """The version may not be deployed: the task fails, and the unmet requirements say why."""


def attest_client() -> Client:
    """From the connection `attest_default` when Airflow has one, else from the environment."""
    connection = _airflow_connection()
    if connection is None:
        return Client.from_env(progress=False)
    url = connection.host if "://" in connection.host else f"https://{connection.host}"
    return Client(url, connection.password, progress=False)


def _airflow_connection() -> Any:
    try:
        from airflow.exceptions import AirflowNotFoundException
        from airflow.hooks.base import BaseHook
    except ImportError:
        return None
    try:
        return BaseHook.get_connection("attest_default")
    except AirflowNotFoundException:
        return None


def push_training(
    *, version: str, tracking_uri: str, run_id: str, metrics: str, predictions: str
) -> list[str]:
    """The MLflow run, its metrics file and its fairness file; safe for Airflow to retry."""
    client, target = attest_client(), Target(model=MODEL, version=version)
    answers = [
        *commands.push_mlflow(client, target, tracking_uri=tracking_uri, run_id=run_id),
        *commands.push_metrics(client, target, Path(metrics)),
        commands.push_file(
            client,
            target,
            "fairness",
            Path(predictions),
            options={"label": "y", "prediction": "y_hat", "sensitive": "sex,age_band"},
        ),
    ]
    return [summary(MODEL, version, answers)]


def require_open_gate(*, version: str, environment: str = "production") -> dict[str, Any]:
    """The gate's answer when open; GateClosedError (failing the task, not retried) when closed."""
    answer = commands.gate(attest_client(), model=MODEL, version=version, environment=environment)
    if not answer["open"]:
        raise GateClosedError("\n".join(gate_lines(answer)))
    return answer


try:  # Airflow 3 has the task SDK; Airflow 2.x the decorators module.
    from airflow.sdk import dag, task
except ImportError:
    try:
        from airflow.decorators import dag, task
    except ImportError:
        dag = task = None

if dag is not None and task is not None:

    @dag(
        schedule=None,
        start_date=datetime(2026, 1, 1, tzinfo=UTC),
        catchup=False,
        tags=["attest", "model-risk"],
        params={"version": "", "run_id": "", "out": "/data/credit-pd"},
    )
    def credit_pd_release() -> None:
        """Push the training run of a version, then deploy it only through an open gate."""

        @task(retries=3)
        def push(params: dict | None = None) -> list[str]:
            p = params or {}
            return push_training(
                version=p["version"],
                tracking_uri=os.environ["MLFLOW_TRACKING_URI"],
                run_id=p["run_id"],
                metrics=f"{p['out']}/metrics.csv",
                predictions=f"{p['out']}/predictions.parquet",
            )

        @task(retries=0)  # a closed gate is an answer, not a hiccup: do not retry it
        def gate(params: dict | None = None) -> dict:
            return require_open_gate(version=(params or {})["version"])

        @task
        def deploy(answer: dict) -> None:
            print(f"deploying {answer['model']} {answer['version']}")  # noqa: T201 - your deployment here

        pushed = push()
        opened = gate()
        pushed >> opened
        deploy(opened)

    credit_pd_release()
