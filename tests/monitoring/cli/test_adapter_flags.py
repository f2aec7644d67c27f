"""Every option an adapter takes has a flag of `attest push`, and reaches the adapter by name.

`-o KEY=VALUE` stays for scripts that use it, but nobody should need docs/ingestion.md's option
names to push an artifact: each source's flags, all given, must hand the adapter its whole
OPTIONS set, and each flag must be in the command's --help.
"""

import pytest

from monitoring.adapters import (
    drift,
    dvc,
    evidently,
    fairness,
    great_expectations,
    inspect_logs,
    nannyml,
    tabular,
    wandb,
)
from monitoring.cli import commands, main, parser
from monitoring.cli.client import Answer

TARGET = ["--model", "credit-pd", "--version", "7"]
ENV = {"ATTEST_URL": "http://attest.test", "ATTEST_TOKEN": "t"}
WHEN = "2026-11-01T10:00:00+00:00"
# source: (the adapter's options, every flag of the source with a value it accepts)
SOURCES = {
    "evidently": (evidently.OPTIONS, f"--reference 2026-09 --evaluated-at {WHEN}"),
    "great-expectations": (
        great_expectations.OPTIONS,
        f"--dataset loan-book --dataset-version 2026-10 --suite s --evaluated-at {WHEN}",
    ),
    "dvc": (
        dvc.OPTIONS,
        (
            "--dataset loan-book --dataset-version 2026-10 --take all --stage prepare --folder data "
            f"--remote s3://bucket/dvc --lakefs-commit {'a' * 64}"
        ),
    ),
    "fairness": (
        fairness.OPTIONS,
        (
            "--label y --prediction y_hat --sensitive sex --positive-label 1 --min-group-size 20 "
            f"--format csv --evaluated-at {WHEN}"
        ),
    ),
    "drift": (
        drift.OPTIONS,
        (
            "--window w --reference-label ref --current-label cur --columns a --categorical a "
            f"--reference training --format csv --evaluated-at {WHEN}"
        ),
    ),
    "metrics": (tabular.OPTIONS, f"--format csv --timestamp {WHEN} --wide"),
    "wandb": (set(wandb.EXPORT_OPTIONS), "--allow-failed --allow-non-finite"),
    "nannyml": (nannyml.OPTIONS, "--period analysis --format csv"),
    "inspect": (inspect_logs.OPTIONS, "--safety refusal_safety --allow-failed"),
}


@pytest.fixture
def handed(monkeypatch) -> dict[str, dict[str, str]]:
    """The options each push would send, by source, instead of sending them."""
    seen: dict[str, dict[str, str]] = {}

    def push_file(client, target, source, path, *, options):
        seen[source] = dict(options)
        return Answer(201, {})

    def by_source(source):
        def push(client, target, path, *, options, **kwargs):
            seen[source] = dict(options)
            return []

        return push

    monkeypatch.setattr(commands, "push_file", push_file)
    monkeypatch.setattr(commands, "push_dvc", by_source("dvc"))
    monkeypatch.setattr(commands, "push_metrics", by_source("metrics"))
    return seen


@pytest.mark.parametrize("source", SOURCES)
def test_every_adapter_option_is_a_flag_that_reaches_the_adapter(source, handed, tmp_path):
    options, flags = SOURCES[source]
    artifact = tmp_path / "artifact.json"
    artifact.write_text("{}")

    argv = ["push", source, str(artifact), *flags.split(), *TARGET, "--json"]
    code = main.main(argv, environ=ENV)

    assert code == 0
    sent = handed["wandb-export" if source == "wandb" else source]
    assert set(sent) == set(options)


@pytest.mark.parametrize("source", SOURCES)
def test_every_flag_of_a_push_is_in_its_help(source, capsys):
    _, flags = SOURCES[source]
    with pytest.raises(SystemExit):
        parser.build(main.RUNS).parse_args(["push", source, "--help"])
    shown = capsys.readouterr().out

    assert [f for f in flags.split() if f.startswith("--") and f not in shown] == []
