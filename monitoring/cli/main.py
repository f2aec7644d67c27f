"""`attest`: push what a pipeline produced to Attest, and ask the deployment gate.

Exit codes and configuration: see `parser.EPILOG` (what `attest --help` prints).
"""

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from monitoring.adapters.errors import MissingExtra
from monitoring.cli import commands, parser
from monitoring.cli.client import Answer, Client, Target
from monitoring.cli.errors import CliError, ExitCode
from monitoring.cli.summary import summary
from monitoring.ingest.errors import BadInput

Run = Callable[[Client, argparse.Namespace], int]
DVC_FLAGS = ("dataset", "take", "stage", "folder", "remote", "lakefs_commit")


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    """Run one command; the exit code is returned (the console script exits with it)."""
    args = parser.build(RUNS).parse_args(argv)  # usage errors exit 2 from argparse
    try:
        client = Client.from_env(
            url=args.url,
            token=args.token,
            environ=os.environ if environ is None else environ,
            attempts=args.retries,
            timeout=args.timeout,
            backoff=args.backoff,
            progress=args.progress,
        )
        status: int = args.run(client, args)
        return status
    except CliError as exc:
        _err(*exc.lines())
        return exc.code
    except (BadInput, MissingExtra) as exc:  # a bad file (by field and row), a missing extra
        _err(f"error: {exc}")
        return ExitCode.BAD_INPUT
    except OSError as exc:  # a file that cannot be read (network errors are CliErrors by now)
        _err(f"error: cannot read {exc.filename or 'a file'}: {exc.strerror or exc}")
        return ExitCode.BAD_INPUT
    except KeyboardInterrupt:
        _err("interrupted: running the same command again resends only what was not recorded")
        return 130


def _target(args: argparse.Namespace) -> Target:
    return Target(model=args.model, version=args.version, key=args.idempotency_key)


def _options(args: argparse.Namespace, **named: Any) -> dict[str, str]:
    """`-o key=value` options, with the named flags (those given) taking precedence."""
    options = dict(args.option or [])
    options.update({k: str(v) for k, v in named.items() if v is not None})
    return options


def _pushed(args: argparse.Namespace, answers: list[Answer]) -> int:
    if args.json:
        _out(json.dumps([a.body for a in answers], indent=2))
        return ExitCode.OK
    _out(summary(args.model, args.version, answers))
    return ExitCode.OK


def run_mlflow(client: Client, args: argparse.Namespace) -> int:
    answers = commands.push_mlflow(
        client,
        _target(args),
        tracking_uri=args.tracking_uri,
        run_id=args.run_id,
        chunk_size=args.chunk_size,
        allow_non_finite=args.allow_non_finite,
        allow_failed=args.allow_failed,
    )
    return _pushed(args, answers)


def run_wandb(client: Client, args: argparse.Namespace) -> int:
    answers = commands.push_wandb(
        client,
        _target(args),
        args.path,
        chunk_size=args.chunk_size,
        allow_failed=args.allow_failed,
        allow_non_finite=args.allow_non_finite,
    )
    return _pushed(args, answers)


def run_file(source: str, *flags: str) -> Run:
    """A push of a tool's artifact to the server's adapter; `flags` are options given as flags."""

    def run(client: Client, args: argparse.Namespace) -> int:
        options = _options(args, **{name: getattr(args, name) for name in flags})
        answer = commands.push_file(client, _target(args), source, args.file, options=options)
        return _pushed(args, [answer])

    return run


def run_dvc(client: Client, args: argparse.Namespace) -> int:
    # The adapter's `version` is the dataset's; --version is the model's.
    named = {name: getattr(args, name) for name in DVC_FLAGS} | {"version": args.dataset_version}
    answers = commands.push_dvc(client, _target(args), args.file, options=_options(args, **named))
    return _pushed(args, answers)


def run_metrics(client: Client, args: argparse.Namespace) -> int:
    named = {name: getattr(args, name) for name in ("format", "timestamp", "wide")}
    options = _options(args, **named)
    answers = commands.push_metrics(
        client, _target(args), args.file, options=options, chunk_size=args.chunk_size
    )
    return _pushed(args, answers)


def run_bundle(client: Client, args: argparse.Namespace) -> int:
    answers = commands.push_bundle_file(
        client, _target(args), args.file, chunk_size=args.chunk_size
    )
    return _pushed(args, answers)


def run_evidence(client: Client, args: argparse.Namespace) -> int:
    answer = commands.push_evidence(
        client, _target(args), args.file, title=args.title, kind=args.kind
    )
    return _pushed(args, [answer])


def run_gate(client: Client, args: argparse.Namespace) -> int:
    answer = commands.gate(
        client,
        model=args.model,
        version=args.version,
        environment=args.environment,
        gate=args.gate,
    )
    if args.json:
        _out(json.dumps(answer, indent=2))
    else:
        _out(*gate_lines(answer))
    return ExitCode.OK if answer.get("open") else ExitCode.GATE_CLOSED


def gate_lines(answer: Mapping[str, Any]) -> list[str]:
    """The verdict, then each unmet requirement's title and reason."""
    policy = answer.get("policy") or {}
    subject = f"{answer.get('model')} {answer.get('version')} -> {answer.get('environment')}"
    rulebook = f"policy {policy.get('name', '?')} v{policy.get('version', '?')}"
    waived = [r for r in answer.get("requirements") or [] if r.get("waived_by")]
    notes = [f"  waived: {r.get('title') or r.get('id')} ({r['waived_by']})" for r in waived]
    if answer.get("open"):
        return [f"gate OPEN: {subject} ({rulebook})", *notes]
    unmet = answer.get("unmet") or []
    lines = [f"gate CLOSED: {subject} ({rulebook}); {len(unmet)} requirement(s) unmet:"]
    lines += [f"  - {r.get('title') or r.get('id')}: {r.get('reason', '')}" for r in unmet]
    return lines + notes


RUNS: dict[str, Run] = {
    "mlflow": run_mlflow,
    "wandb": run_wandb,
    "evidently": run_file("evidently", "reference", "evaluated_at"),
    "great-expectations": run_file(
        "great-expectations", "dataset", "dataset_version", "suite", "evaluated_at"
    ),
    "dvc": run_dvc,
    "fairness": run_file(
        "fairness",
        "label",
        "prediction",
        "sensitive",
        "positive_label",
        "min_group_size",
        "format",
        "evaluated_at",
    ),
    "drift": run_file(
        "drift",
        "window",
        "reference_label",
        "current_label",
        "columns",
        "categorical",
        "reference",
        "format",
        "evaluated_at",
    ),
    "nannyml": run_file("nannyml", "period", "format"),
    "inspect": run_file("inspect", "safety", "allow_failed"),
    "metrics": run_metrics,
    "bundle": run_bundle,
    "evidence": run_evidence,
    "gate": run_gate,
}


def _out(*lines: str) -> None:
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    sys.stdout.flush()


def _err(*lines: str) -> None:
    sys.stderr.write("".join(f"{line}\n" for line in lines))
    sys.stderr.flush()
