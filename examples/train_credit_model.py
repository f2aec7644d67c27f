"""Train a credit-default model, log it to MLflow, check its fairness, and push it all to Attest.

What a real training pipeline does, end to end, on synthetic loan data:

1. trains a scikit-learn gradient-boosting classifier and logs the run to MLflow (params, the
   validation AUC per boosting stage, the training dataset, the registered model version with
   the alias `candidate`);
2. computes fairness by sex and age band with fairlearn's MetricFrame;
3. writes `predictions.parquet` (labels, predictions, sensitive features) and `metrics.csv`
   (holdout metrics per age band);
4. pushes to Attest with the CLI's functions: the MLflow run, the fairness file, the metrics;
5. asks the deployment gate, and exits as `attest gate` does (0 open, 1 closed).

    export ATTEST_URL=http://127.0.0.1:8000 ATTEST_TOKEN=att_...
    python examples/train_credit_model.py --model retail-pd --version 2.4.0

The MLflow tracking URI comes from --tracking-uri or MLFLOW_TRACKING_URI, else a SQLite store
in the output directory. `summary.json` there records the run id and what Attest recorded.
"""

import argparse
import json
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, demographic_parity_difference, selection_rate
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, brier_score_loss, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split

from monitoring.cli import commands
from monitoring.cli.client import Answer, Client, Target
from monitoring.cli.errors import CliError, ExitCode
from monitoring.cli.main import gate_lines, summary

FEATURES = ["income", "debt_ratio", "utilisation", "months_on_book", "delinquencies"]
SENSITIVE = ["sex", "age_band"]
EXPERIMENT = "credit-default"
# MLflow hints that integer columns (the 0/1 label, predicted classes) cannot hold missing
# values; they never do here.
warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer column")


@dataclass(frozen=True)
class Trained:
    run_id: str
    tracking_uri: str
    predictions: Path
    metrics: Path


def loan_book(rows: int, seed: int) -> pd.DataFrame:
    """Synthetic applicants; default depends on the features, not on sex or age band."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10.4, 0.45, rows).round(0),
            "debt_ratio": rng.beta(2, 5, rows).round(4),
            "utilisation": rng.beta(2, 3, rows).round(4),
            "months_on_book": rng.integers(3, 240, rows).astype(float),
            "delinquencies": rng.poisson(0.3, rows).astype(float),
            "sex": rng.choice(["F", "M"], rows),
            "age_band": rng.choice(["18-29", "30-49", "50+"], rows, p=[0.25, 0.45, 0.30]),
        }
    )
    logit = (
        -2.2
        - 0.9 * (np.log(frame["income"]) - 10.4)
        + 3.0 * (frame["debt_ratio"] - 0.3)
        + 1.8 * (frame["utilisation"] - 0.4)
        - 0.004 * (frame["months_on_book"] - 120)
        + 0.6 * frame["delinquencies"]
    )
    frame["default"] = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def tracking_uri(asked: str | None, out: Path) -> str:
    return asked or os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{out / 'mlflow.db'}"


def train_and_log(args: argparse.Namespace, out: Path) -> Trained:
    """Fit, log everything to MLflow, and write the files Attest will read."""
    import mlflow
    from mlflow.entities import Metric

    uri = tracking_uri(args.tracking_uri, out)
    mlflow.set_tracking_uri(uri)
    if mlflow.get_experiment_by_name(EXPERIMENT) is None:
        mlflow.create_experiment(EXPERIMENT, artifact_location=(out / "artifacts").as_uri())
    mlflow.set_experiment(EXPERIMENT)
    book = loan_book(args.rows, args.seed)
    train, test = train_test_split(book, test_size=0.3, random_state=args.seed)
    params = {"n_estimators": 60, "max_depth": 3, "learning_rate": 0.1, "random_state": args.seed}
    with mlflow.start_run() as run:
        mlflow.log_params(params)
        mlflow.set_tags({"attest.model": args.model, "attest.version": args.version})
        dataset = mlflow.data.from_pandas(train, name="loan-book-synthetic", targets="default")
        mlflow.log_input(dataset, context="training")
        model = GradientBoostingClassifier(**params).fit(train[FEATURES], train["default"])
        history = _auc_per_stage(model, test)
        now_ms = int(datetime.now(tz=UTC).timestamp() * 1000)
        mlflow.MlflowClient().log_batch(
            run.info.run_id,
            metrics=[Metric("val_auc", v, now_ms, step) for step, v in enumerate(history)],
        )
        scores = model.predict_proba(test[FEATURES])[:, 1]
        test = test.assign(score=scores, y_hat=(scores >= args.threshold).astype(int))
        mlflow.log_metrics(_holdout(test) | _fairness(test))
        _register(mlflow, model, train, args.model)
    return Trained(
        run_id=run.info.run_id,
        tracking_uri=uri,
        predictions=_write_predictions(test, out),
        metrics=_write_metrics(test, out),
    )


def _auc_per_stage(model: GradientBoostingClassifier, test: pd.DataFrame) -> list[float]:
    stages = model.staged_predict_proba(test[FEATURES])
    return [float(roc_auc_score(test["default"], p[:, 1])) for p in stages]


def _holdout(test: pd.DataFrame) -> dict[str, float]:
    y, score, y_hat = test["default"], test["score"], test["y_hat"]
    return {
        "auc": float(roc_auc_score(y, score)),
        "brier": float(brier_score_loss(y, score)),
        "accuracy": float(accuracy_score(y, y_hat)),
    }


def _fairness(test: pd.DataFrame) -> dict[str, float]:
    """fairlearn's view by sex and age band; logged to MLflow and printed for the reader."""
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "recall": recall_score},
        y_true=test["default"],
        y_pred=test["y_hat"],
        sensitive_features=test[SENSITIVE],
    )
    sys.stdout.write(f"fairness by group:\n{frame.by_group.round(3)}\n")
    parity = demographic_parity_difference(
        test["default"], test["y_hat"], sensitive_features=test[SENSITIVE]
    )
    return {
        "demographic_parity_difference": float(parity),
        "recall_difference": float(frame.difference()["recall"]),
    }


def _register(
    mlflow: Any, model: GradientBoostingClassifier, train: pd.DataFrame, name: str
) -> None:
    """The registered model version, aliased `candidate`: what the adapter reads as the version."""
    info = mlflow.sklearn.log_model(
        model,
        name="model",
        registered_model_name=name,
        input_example=train[FEATURES].head(3),
        pip_requirements=["scikit-learn"],  # skips inferring requirements, which is slow
        # MLflow saves with skops, which asks to name the types a loader may trust: the trees of
        # a model this script fitted itself.
        skops_trusted_types=["sklearn.tree._tree.Tree"],
    )
    version = info.registered_model_version
    mlflow.MlflowClient().set_registered_model_alias(name, "candidate", str(version))


def _write_predictions(test: pd.DataFrame, out: Path) -> Path:
    path = out / "predictions.parquet"
    test.rename(columns={"default": "y"})[["y", "y_hat", "score", *SENSITIVE]].to_parquet(path)
    return path


def _write_metrics(test: pd.DataFrame, out: Path) -> Path:
    """Holdout metrics overall and per age band, one point per row, as any tracker could export."""
    now = datetime.now(tz=UTC).isoformat()
    rows = [
        {"name": k, "value": v, "timestamp": now, "segment": ""} for k, v in _holdout(test).items()
    ]
    for band, group in test.groupby("age_band"):
        rows += [
            {"name": k, "value": v, "timestamp": now, "segment": f"age_band={band}"}
            for k, v in _holdout(group).items()
        ]
    path = out / "metrics.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def push(client: Client, target: Target, trained: Trained, sensitive: str) -> dict[str, list]:
    """The run, the fairness file and the metrics; each re-runnable without duplicates."""
    pushed: dict[str, list[Answer]] = {
        "mlflow": commands.push_mlflow(
            client, target, tracking_uri=trained.tracking_uri, run_id=trained.run_id
        ),
        "fairness": [
            commands.push_file(
                client,
                target,
                "fairness",
                trained.predictions,
                options={"label": "y", "prediction": "y_hat", "sensitive": sensitive},
            )
        ],
        "metrics": commands.push_metrics(client, target, trained.metrics),
    }
    for name, answers in pushed.items():
        sys.stdout.write(f"{name}: {summary(target.model, target.version, answers)}\n")
    return {name: [a.body for a in answers] for name, answers in pushed.items()}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="retail-pd", help="the model's slug in Attest")
    parser.add_argument("--version", required=True, help="the version label to push")
    parser.add_argument("--environment", default="production", help="the gate to ask")
    parser.add_argument("--tracking-uri", help="MLflow (default: MLFLOW_TRACKING_URI or SQLite)")
    parser.add_argument("--out", type=Path, help="where files go (default: a temp directory)")
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=0.3, help="score cut-off for y_hat")
    parser.add_argument("--skip-push", action="store_true", help="train and write files only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # Absolute from here on: CI passes `--out build`, and MLflow wants file URIs and store paths
    # that do not depend on the working directory.
    out = (args.out or Path(tempfile.mkdtemp(prefix="attest-train-"))).resolve()
    out.mkdir(parents=True, exist_ok=True)
    trained = train_and_log(args, out)
    result: dict[str, Any] = {"run_id": trained.run_id, "tracking_uri": trained.tracking_uri}
    code = ExitCode.OK
    if not args.skip_push:
        try:
            code = _push_and_ask(args, trained, result)
        except CliError as exc:
            sys.stderr.write("\n".join(exc.lines()) + "\n")
            code = exc.code
    (out / "summary.json").write_text(json.dumps(result, indent=2))
    sys.stdout.write(f"run {trained.run_id}; files and summary.json in {out}\n")
    return code


def _push_and_ask(args: argparse.Namespace, trained: Trained, result: dict[str, Any]) -> int:
    client = Client.from_env()
    target = Target(model=args.model, version=args.version)
    result["pushed"] = push(client, target, trained, ",".join(SENSITIVE))
    answer = commands.gate(
        client, model=args.model, version=args.version, environment=args.environment
    )
    result["gate"] = answer
    sys.stdout.write("\n".join(gate_lines(answer)) + "\n")
    return ExitCode.OK if answer["open"] else ExitCode.GATE_CLOSED


if __name__ == "__main__":
    sys.exit(main())
