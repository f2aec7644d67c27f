"""The `attest` command line's grammar: `attest push SOURCE ...` and `attest gate ...`."""

import argparse
import contextlib
import os
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from monitoring.cli import discover
from monitoring.cli.points import CHUNK_SIZE

EPILOG = """\
exit codes (for CI):
  0  success, or the gate is open
  1  the gate is closed (each unmet requirement is printed with its reason)
  2  usage or bad input: a bad flag or file, or the server's 400, 404, 409 or 413
  3  authentication or permission: the server's 401 or 403
  4  the server or the network failed, even after the retries

configuration: --url/--token, else ATTEST_URL/ATTEST_TOKEN, else the TOML file named by
ATTEST_CONFIG or ~/.config/attest/config.toml (keys: url, token). Prefer the environment
or the file for the token: command lines show up in process lists and CI logs.

Every write carries an Idempotency-Key derived from the command, model, version, options and
content: running the same command again after a failure never records anything twice.

examples:
  attest push mlflow --tracking-uri http://mlflow:5000 --run-id 3f2a9c --model credit-pd --version 7
  attest push drift windows.parquet --categorical region --model fraud-gbm --version 12
  attest push fairness predictions.parquet --label y --prediction y_hat --sensitive sex,age_band \\
      --model cv-screening --version 2
  attest push metrics metrics.csv --model credit-pd --version 7
  attest gate --model credit-pd --version 7 --environment production
"""
FORMATTER = argparse.RawDescriptionHelpFormatter


# What pip installs, either of them giving the command `attest`: the CLI alone
# (packaging/cli) or the server, which carries the CLI too.
DISTRIBUTIONS = ("attest-mrm-cli", "attest-mrm")


def _version() -> str:
    for distribution in DISTRIBUTIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            return f"{metadata.version(distribution)} ({distribution})"
    return "source checkout"


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _option(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return name.strip(), value


def _connection() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    group = shared.add_argument_group("connection")
    group.add_argument("--url", help="Attest's base URL (default: ATTEST_URL or the config file)")
    group.add_argument("--token", help="API token (default: ATTEST_TOKEN or the config file)")
    group.add_argument(
        "--retries",
        type=_positive,
        default=3,
        metavar="N",
        help="attempts per request on connection errors, 429 and 502/503/504 (default 3)",
    )
    group.add_argument(
        "--backoff",
        type=float,
        default=1.0,
        metavar="S",
        help="seconds before the first retry, doubled before each next one (default 1)",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="S",
        help="seconds per request, to Attest and to the tracker (default 300)",
    )
    group.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bars on stderr (default: only on a terminal)",
    )
    return shared


def _target() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    group = shared.add_argument_group("target")
    group.add_argument("--model", required=True, help="the model's slug")
    group.add_argument("--version", required=True, help="the model version's label")
    group.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="use KEY instead of the key derived from the content (chunks add :i/n)",
    )
    group.add_argument("--json", action="store_true", help="print the server's answers as JSON")
    return shared


def _chunked() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument(
        "--chunk-size",
        type=_positive,
        default=CHUNK_SIZE,
        metavar="N",
        help=f"metric points per request (default {CHUNK_SIZE:,})",
    )
    return shared


def _optioned() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument(
        "-o",
        "--option",
        type=_option,
        action="append",
        metavar="KEY=VALUE",
        help="an adapter option by its name in docs/ingestion.md (repeatable); the flags win",
    )
    return shared


def _file(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help=help_text)


# Each source: (help, extra parents, a function adding its own arguments).
Adder = Callable[[argparse.ArgumentParser], None]


def _mlflow(p: argparse.ArgumentParser) -> None:
    tracking = os.environ.get("MLFLOW_TRACKING_URI")
    p.add_argument(
        "--tracking-uri",
        default=tracking,
        required=tracking is None,
        help="MLflow tracking URI (default: MLFLOW_TRACKING_URI)",
    )
    p.add_argument("--run-id", required=True, help="the MLflow run id")
    _allow_non_finite(p)
    _allow_failed(p, "a FAILED or KILLED run")


def _allow_non_finite(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-non-finite",
        action="store_true",
        help="record NaN/infinite metric values in the run's tags (attest.non_finite_metrics) "
        "instead of refusing the run",
    )


def _allow_failed(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--allow-failed",
        action="store_true",
        help=f"push {what} (its state recorded in the run's tag attest.run_state) "
        "instead of refusing it",
    )


def _wandb(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        help="an offline run directory (wandb/offline-run-...) or a run exported as JSON",
    )
    _allow_failed(p, "a crashed or failed run")
    _allow_non_finite(p)


def _great_expectations(p: argparse.ArgumentParser) -> None:
    _file(p, "a Great Expectations validation result (JSON)")
    p.add_argument("--dataset", help="the dataset's slug the validation is evidence for")
    p.add_argument("--dataset-version", help="that dataset's version label")
    p.add_argument(
        "--suite",
        help="the expectation suite's name (wins over the result's; "
        "required for CheckpointResult.describe() output)",
    )
    p.add_argument(
        "--evaluated-at",
        metavar="TIME",
        help="when it ran, ISO 8601 with offset (wins over the result's time; "
        "required for CheckpointResult.describe() output)",
    )


def _fairness(p: argparse.ArgumentParser) -> None:
    _file(p, "CSV or Parquet of labels, predictions and sensitive features")
    p.add_argument("--label", required=True, help="column of true labels")
    p.add_argument("--prediction", required=True, help="column of predictions")
    p.add_argument("--sensitive", required=True, help="sensitive feature columns, comma separated")
    p.add_argument("--positive-label", help="the favourable outcome (default 1)")
    p.add_argument("--min-group-size", type=_positive, help="smaller groups are not judged")
    _table_format(p)
    _evaluated_at(p, "when the predictions were judged (default: now)")


def _drift(p: argparse.ArgumentParser) -> None:
    _file(p, "CSV or Parquet of feature values, each row in the reference or current window")
    p.add_argument("--window", help='column naming each row\'s window (default "window")')
    p.add_argument("--columns", help="feature columns, comma separated (default: all others)")
    p.add_argument("--categorical", help="columns to treat as categorical, comma separated")
    p.add_argument(
        "--reference-label", help='the reference rows\' window value (default "reference")'
    )
    p.add_argument("--current-label", help='the current rows\' window value (default "current")')
    p.add_argument("--reference", help='what the reference window is, e.g. "training data"')
    _table_format(p)
    _evaluated_at(p, "when the current window was observed (default: now)")


def _evidently(p: argparse.ArgumentParser) -> None:
    _file(p, "an Evidently 0.7 Report or TestSuite saved as JSON")
    p.add_argument("--reference", help='what the reference data is, e.g. "training data"')
    _evaluated_at(
        p,
        "when it ran (wins over the report's time; required for Snapshot.json(), "
        "which carries none)",
    )


def _dvc(p: argparse.ArgumentParser) -> None:
    _file(p, "a DVC project directory (read here), or a dvc.lock or .dvc file")
    p.add_argument("--dataset", help="the dataset's slug (default: from the path)")
    p.add_argument("--dataset-version", help="the dataset version's label (default: from the md5)")
    p.add_argument(
        "--take",
        choices=("deps", "outs", "all"),
        help="which entries are the datasets: a stage's inputs (deps, the default for "
        "dvc.lock), its outputs, or both",
    )
    p.add_argument("--stage", help="only this stage of dvc.lock")
    p.add_argument(
        "--folder", help="where a .dvc file sits in its project, e.g. data (default: found here)"
    )
    p.add_argument("--remote", help="the DVC remote's URL, e.g. s3://bucket/dvcstore")
    p.add_argument(
        "--lakefs-commit", metavar="COMMIT", help="the LakeFS commit the data was read at"
    )


def _metrics(p: argparse.ArgumentParser) -> None:
    _file(p, "CSV, Parquet, Arrow IPC or JSON with name, value, timestamp[, step, segment]")
    p.add_argument(
        "--format",
        choices=("csv", "parquet", "arrow", "json"),
        help="default: from the file's name (.arrow, .arrows, .feather and .ipc are Arrow IPC)",
    )
    p.add_argument(
        "--timestamp",
        metavar="TIME",
        help="ISO 8601 with offset: the time of points that have none (a final-metrics file)",
    )
    p.add_argument(
        "--wide",
        action="store_const",
        const="true",
        help="one column per metric (beside step, timestamp, segment), as trackers export "
        "a history",
    )


def _table_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("csv", "parquet"), help="default: from the file's name")


def _evaluated_at(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("--evaluated-at", metavar="TIME", help=f"ISO 8601 with offset: {help_text}")


def _nannyml(p: argparse.ArgumentParser) -> None:
    _file(p, "a NannyML result: to_df() as CSV or Parquet, or what RawFilesWriter wrote")
    p.add_argument("--period", help="the chunks to take: all (default), analysis or reference")
    _table_format(p)


def _inspect(p: argparse.ArgumentParser) -> None:
    _file(p, "an Inspect AI log (.eval or .json)")
    p.add_argument(
        "--safety", metavar="SCORERS", help="scorers that are safety checks, comma separated"
    )
    p.add_argument(
        "--allow-failed",
        action="store_const",
        const="true",
        help="take a log whose run errored or was cancelled (errored samples count as failed)",
    )


def _evidence(p: argparse.ArgumentParser) -> None:
    _file(p, "any file: a model card, a test report, a sign-off PDF")
    p.add_argument("--title", required=True)
    p.add_argument("--kind", required=True, help='e.g. "model-card", "test-report"')


def _just_file(help_text: str) -> Adder:
    return lambda p: _file(p, help_text)


SOURCES: dict[str, tuple[str, tuple[str, ...], Adder]] = {
    "mlflow": ("an MLflow run, read where the pipeline runs", ("chunked",), _mlflow),
    "wandb": ("a W&B offline run directory or JSON export", ("chunked",), _wandb),
    "evidently": ("an Evidently Report/TestSuite JSON", ("optioned",), _evidently),
    "great-expectations": (
        "a Great Expectations validation result",
        ("optioned",),
        _great_expectations,
    ),
    "dvc": (
        "dataset versions and the pipeline's run from a DVC project, dvc.lock or .dvc file",
        ("optioned",),
        _dvc,
    ),
    "fairness": ("fairness computed with fairlearn from predictions", ("optioned",), _fairness),
    "drift": ("drift computed by Attest from reference and current rows", ("optioned",), _drift),
    "nannyml": (
        "NannyML estimated or realised performance, or univariate drift",
        ("optioned",),
        _nannyml,
    ),
    "inspect": ("an Inspect AI evaluation log: pass rates, tokens, cost", ("optioned",), _inspect),
    "metrics": (
        "metric points from CSV, Parquet, Arrow IPC or JSON, in chunks",
        ("chunked", "optioned"),
        _metrics,
    ),
    "bundle": ("a bundle written as JSON", ("chunked",), _just_file("the bundle (JSON)")),
    "evidence": ("a free-form evidence file", (), _evidence),
}


def build(runs: Mapping[str, Any]) -> argparse.ArgumentParser:
    """The parser; each leaf command's `run` default is taken from `runs` by its name."""
    parser = argparse.ArgumentParser(
        prog="attest",
        description="Push what a pipeline produced to Attest, and ask the deployment gate.",
        epilog=EPILOG,
        formatter_class=FORMATTER,
    )
    parser.add_argument("-V", "--cli-version", action="version", version=f"attest {_version()}")
    top = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    connection, target = _connection(), _target()
    extras = {"chunked": _chunked(), "optioned": _optioned()}
    push = top.add_parser(
        "push",
        help="push a tracker run or a tool's artifact",
        epilog=EPILOG,
        formatter_class=FORMATTER,
    )
    sources = push.add_subparsers(dest="source", required=True, metavar="SOURCE")
    for name, (help_text, extra, add) in SOURCES.items():
        parents = [connection, target, *(extras[e] for e in extra)]
        leaf = sources.add_parser(
            name, help=help_text, parents=parents, epilog=EPILOG, formatter_class=FORMATTER
        )
        add(leaf)
        leaf.set_defaults(run=runs[name])
    _gate(top, connection, runs["gate"])
    discover.add_parser(top, connection)
    return parser


def _gate(top: Any, connection: argparse.ArgumentParser, run: Any) -> None:
    gate = top.add_parser(
        "gate",
        help="may this version be deployed? exit 0 open, 1 closed",
        parents=[connection],
        epilog=EPILOG,
        formatter_class=FORMATTER,
    )
    gate.add_argument("--model", required=True, help="the model's slug")
    gate.add_argument("--version", required=True, help="the model version's label")
    gate.add_argument("--environment", required=True, help="e.g. production, staging")
    gate.add_argument("--gate", help="which gate (default: deployment)")
    gate.add_argument("--json", action="store_true", help="print the server's answer as JSON")
    gate.set_defaults(run=run)
