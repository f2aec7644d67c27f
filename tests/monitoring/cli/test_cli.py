"""The attest CLI without a server: configuration, keys, chunks, exit codes, errors, retries.

The pushes themselves run against a live server in test_cli_live.py; here the transport is a
scripted requests adapter, so that retries and refusals can be replayed exactly.
"""

import email.parser
import hashlib
import json
import os
import re
import socket
import time
import tomllib
from pathlib import Path

import pytest
import requests
import yaml

from monitoring.adapters.errors import MissingExtra
from monitoring.cli import commands, keys, parser, points
from monitoring.cli.client import Client
from monitoring.cli.config import Config, resolve
from monitoring.cli.errors import CliError, ExitCode, code_for_status, describe
from monitoring.cli.main import gate_lines, main, summary
from monitoring.cli.upload import MultipartFile
from monitoring.ingest.bundle import MetricColumns
from monitoring.ingest.errors import BadInput

URL = "http://attest.test"
WHEN = "2026-11-01T10:00:00+00:00"


# --- configuration ---------------------------------------------------------------------------


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "attest" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_flags_beat_the_environment_which_beats_the_config_file(tmp_path):
    config_file(tmp_path, 'url = "http://file.example"\ntoken = "from-file"\n')
    home = {"XDG_CONFIG_HOME": str(tmp_path)}

    assert resolve(url=None, token=None, environ=home) == Config("http://file.example", "from-file")
    env = {**home, "ATTEST_URL": "http://env.example/", "ATTEST_TOKEN": "from-env"}
    assert resolve(url=None, token=None, environ=env) == Config("http://env.example", "from-env")
    flagged = resolve(url="https://flag.example", token="from-flag", environ=env)
    assert flagged == Config("https://flag.example", "from-flag")


def test_attest_config_names_the_file_and_it_must_exist(tmp_path):
    path = config_file(tmp_path, 'url = "http://named.example"\ntoken = "t"\n')
    assert resolve(url=None, token=None, environ={"ATTEST_CONFIG": str(path)}).url == (
        "http://named.example"
    )
    with pytest.raises(CliError, match="does not exist"):
        resolve(url=None, token=None, environ={"ATTEST_CONFIG": str(tmp_path / "nope.toml")})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('url = "http://x"\npassword = "p"\n', "'password' is not a setting"),
        ("url = 3\n", "url must be a string"),
        ("url = \n", "cannot read the config file"),
    ],
)
def test_a_bad_config_file_is_refused_saying_what_is_wrong(tmp_path, text, message):
    config_file(tmp_path, text)
    with pytest.raises(CliError, match=message):
        resolve(url=None, token="t", environ={"XDG_CONFIG_HOME": str(tmp_path)})


def test_a_missing_url_or_token_exits_2_saying_where_to_set_it(tmp_path, capsys):
    argv = ["gate", "--model", "m", "--version", "1", "--environment", "production"]
    assert main(argv, environ={"HOME": str(tmp_path)}) == ExitCode.BAD_INPUT
    assert "no Attest url: set ATTEST_URL, pass --url" in capsys.readouterr().err

    assert main(argv, environ={"HOME": str(tmp_path), "ATTEST_URL": URL}) == 2
    err = capsys.readouterr().err
    assert "no Attest token: set ATTEST_TOKEN, pass --token" in err
    assert str(tmp_path / ".config" / "attest" / "config.toml") in err


def test_a_url_without_a_scheme_is_refused():
    with pytest.raises(CliError, match="must start with http"):
        resolve(url="attest.bank.example", token="t", environ={})


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["push", "fairness", "p.csv", "--model", "m", "--version", "1"])
    assert exited.value.code == 2
    assert "--label" in capsys.readouterr().err


# --- idempotency keys ------------------------------------------------------------------------


def key(**changes: object) -> str:
    parts: dict = {"model": "m", "version": "1", "content_sha256": "a" * 64, "options": {}}
    return keys.derive("push-metrics", **{**parts, **changes})


def test_the_same_push_always_gets_the_same_key():
    assert key() == key()
    assert key(options={"b": "2", "a": "1"}) == key(options={"a": "1", "b": "2"})
    assert key().startswith("attest-push-metrics-")
    assert len(keys.for_chunk(key(), 12345, 12345)) <= 200


@pytest.mark.parametrize(
    "change",
    [
        {"model": "other"},
        {"version": "2"},
        {"content_sha256": "b" * 64},
        {"options": {"label": "y"}},
    ],
)
def test_a_different_model_version_content_or_option_changes_the_key(change):
    assert key(**change) != key()


def test_an_explicit_key_overrides_the_derived_one_within_limits():
    assert key(override=" release-7 ") == "release-7"
    assert keys.for_chunk("release-7", 2, 3) == "release-7:2/3"
    with pytest.raises(CliError, match="1 to 160 characters"):
        key(override="x" * 161)
    with pytest.raises(CliError):
        key(override="  ")


def test_file_and_data_digests_are_of_the_content(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 3_000_000)  # more than one read block
    assert keys.file_sha256(path) == hashlib.sha256(b"x" * 3_000_000).hexdigest()
    assert keys.data_sha256({"b": 1, "a": [1, 2]}) == keys.data_sha256({"a": [1, 2], "b": 1})


# --- chunks ----------------------------------------------------------------------------------


def columns(n: int, **changes: list) -> MetricColumns:
    data = {
        "name": ["auc"] * n,
        "value": [0.5] * n,
        "timestamp": [WHEN] * n,
        "step": list(range(n)),
    }
    return MetricColumns(**{**data, **changes})


def test_chunks_cover_every_point_once_and_leave_out_empty_columns():
    found = list(points.chunks(columns(250), 100))

    assert [(start, len(body["name"])) for start, body in found] == [
        (0, 100),
        (100, 100),
        (200, 50),
    ]
    assert set(found[0][1]) == {"name", "value", "timestamp", "step"}  # no segment column
    assert found[2][1]["step"][0] == 200


def test_the_local_check_names_the_first_bad_row_as_in_the_file():
    values = [0.5] * 250
    values[149] = None  # the tabular adapter turns NaN and inf into None
    with pytest.raises(BadInput) as refused:
        points.check(columns(250, value=values))
    assert (refused.value.field, refused.value.row) == ("value", 150)
    with pytest.raises(BadInput, match="holds no metric points"):
        points.check(MetricColumns())


# --- exit codes and error printing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, 2), (404, 2), (409, 2), (413, 2), (401, 3), (403, 3), (500, 4), (503, 4)],
)
def test_status_codes_map_to_exit_codes(status, code):
    assert code_for_status(status) == code


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            {"field": "value", "row": 3, "message": "'x' is not a number"},
            "row 3, value: 'x' is not a number",
        ),
        ({"field": "timestamp", "message": "required"}, "timestamp: required"),
        ({"field": "non_field", "message": "Not found."}, "Not found."),
    ],
)
def test_each_server_error_is_printed_with_its_field_and_row(error, line):
    assert describe(error) == line


def test_the_push_summary_adds_counts_and_says_when_a_push_was_replayed():
    from monitoring.cli.client import Answer

    answers = [
        Answer(201, {"batch": 4, "counts": {"metric_points": 100, "runs": 1}}),
        Answer(201, {"batch": 5, "counts": {"metric_points": 50}}, replayed=True),
    ]
    line = summary("retail-pd", "7", answers)
    assert line == (
        "retail-pd 7: recorded metric points: 150, runs: 1 (batch 4, 5); "
        "1 of 2 request(s) had been recorded before (replayed)"
    )


def test_a_closed_gate_lists_each_unmet_requirement_with_its_reason():
    answer = {
        "model": "retail-pd",
        "version": "7",
        "environment": "production",
        "open": False,
        "policy": {"name": "default", "version": 2},
        "unmet": [{"id": "approval", "title": "Approved for deployment", "reason": "none yet"}],
    }
    assert gate_lines(answer) == [
        "gate CLOSED: retail-pd 7 -> production (policy default v2); 1 requirement(s) unmet:",
        "  - Approved for deployment: none yet",
    ]


# --- retries, over a scripted transport ------------------------------------------------------


class Scripted(requests.adapters.BaseAdapter):
    """Answers each request with the next outcome: (status, body, headers) or an exception."""

    def __init__(self, *outcomes: object) -> None:
        super().__init__()
        self.outcomes = list(outcomes)
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        self.sent.append(request)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        status, body, headers = outcome
        response = requests.Response()
        response.status_code, response.reason = status, "Scripted"
        response._content = json.dumps(body).encode()
        response.headers.update({"Content-Type": "application/json", **headers})
        response.request, response.url = request, request.url
        return response

    def close(self) -> None:
        pass


def scripted_client(*outcomes: object, attempts: int = 3) -> tuple[Client, Scripted, list]:
    waits: list[float] = []
    client = Client(URL, "att_x", attempts=attempts, sleep=waits.append, warn=lambda _: None)
    transport = Scripted(*outcomes)
    client.session.mount(URL, transport)
    return client, transport, waits


CREATED = (201, {"batch": 1, "counts": {"metric_points": 1}}, {})


def test_transient_failures_are_retried_with_backoff_under_the_same_key():
    client, transport, waits = scripted_client(
        requests.ConnectionError("reset"), (503, {}, {}), CREATED
    )

    answer = client.post_json("/api/v1/x/", {"a": 1}, key="k1")

    assert answer.body["batch"] == 1
    assert waits == [1.0, 2.0]
    assert {r.headers["Idempotency-Key"] for r in transport.sent} == {"k1"}
    assert transport.sent[0].headers["Authorization"] == "Token att_x"


def test_a_429_waits_as_long_as_retry_after_says():
    client, _, waits = scripted_client((429, {}, {"Retry-After": "7"}), CREATED)
    client.post_json("/api/v1/x/", {}, key="k")
    assert waits == [7.0]


def test_a_4xx_is_not_retried_and_carries_the_servers_errors():
    errors = [{"field": "value", "row": 3, "message": "'x' is not a number"}]
    client, transport, _ = scripted_client((400, {"errors": errors}, {}), CREATED)

    with pytest.raises(CliError) as refused:
        client.post_json("/api/v1/x/", {}, key="k")

    assert len(transport.sent) == 1
    assert (refused.value.code, refused.value.errors) == (ExitCode.BAD_INPUT, errors)
    assert refused.value.lines() == [
        "error: POST /api/v1/x/ was refused: 400 Scripted",
        "  row 3, value: 'x' is not a number",
    ]


def test_failures_that_outlast_the_retries_exit_4():
    client, transport, _ = scripted_client(*[(502, {}, {})] * 3)
    with pytest.raises(CliError) as failed:
        client.get("/api/v1/gate/", {})
    assert len(transport.sent) == 3
    assert failed.value.code == ExitCode.FAILURE
    assert "failed after 3 attempt(s): 502 Scripted" in failed.value.message


def test_a_replayed_answer_is_marked_so():
    client, _, _ = scripted_client((201, {"batch": 9}, {"Idempotent-Replayed": "true"}))
    assert client.post_json("/api/v1/x/", {}, key="k").replayed is True


def test_a_success_that_is_not_json_is_a_failure_not_a_crash():
    client, transport, _ = scripted_client()
    transport.outcomes.append((200, "<html>", {"Content-Type": "text/html"}))
    with pytest.raises(CliError, match="is the URL an Attest server"):
        client.get("/api/v1/gate/", {})


def test_a_redirect_is_not_followed_but_explained():
    client, transport, _ = scripted_client(
        (301, {}, {"Location": "https://attest.test/api/v1/x/"}), CREATED
    )
    with pytest.raises(CliError, match=r"redirects to https://attest\.test/api/v1/x/") as refused:
        client.post_json("/api/v1/x/", {}, key="k")
    assert refused.value.code == ExitCode.BAD_INPUT
    assert len(transport.sent) == 1


def test_a_file_that_is_not_there_exits_2(tmp_path, capsys):
    env = {"ATTEST_URL": URL, "ATTEST_TOKEN": "t", "HOME": str(tmp_path)}
    argv = ["push", "metrics", str(tmp_path / "nope.csv"), "--model", "m", "--version", "1"]
    assert main(argv, environ=env) == ExitCode.BAD_INPUT
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope.csv'} does not exist\n"


# --- MLflow read where the pipeline runs ------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: connections to it are refused


def test_an_unreachable_mlflow_server_exits_4_within_the_timeout(tmp_path, monkeypatch, capsys):
    pytest.importorskip("mlflow", reason="the mlflow extra is not installed")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    uri = f"http://127.0.0.1:{closed_port()}"
    env = {"ATTEST_URL": URL, "ATTEST_TOKEN": "t", "HOME": str(tmp_path)}
    argv = ["push", "mlflow", "--tracking-uri", uri, "--run-id", "3f2a9c", "--model", "m"]
    started = time.monotonic()

    code = main([*argv, "--version", "1", "--retries", "2", "--timeout", "2"], environ=env)

    assert code == ExitCode.FAILURE
    assert time.monotonic() - started < 30  # MLflow alone retries for about 4 minutes
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot read from {uri}: ")
    assert "(2 attempt(s) of at most 2 s)" in err


@pytest.mark.parametrize(("progress", "bar_drawn"), [(False, False), (True, True)])
def test_mlflows_download_bar_follows_the_progress_flag(progress, bar_drawn, tmp_path, capsys):
    mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed")
    for name in ("a", "b"):
        (tmp_path / "store" / name).mkdir(parents=True)
        (tmp_path / "store" / name / "MLmodel").write_text("flavors: {}\n")
    client = Client(URL, "t", attempts=4, timeout=2.5, progress=progress)

    with commands.mlflow_settings(client):
        assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "3"
        assert os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == "3"
        mlflow.artifacts.download_artifacts(
            artifact_uri=(tmp_path / "store").as_uri(), dst_path=str(tmp_path / "got")
        )

    assert ("Downloading artifacts" in capsys.readouterr().err) is bar_drawn
    assert "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR" not in os.environ  # put back as it was


# --- packaging ------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
BARE_INSTALL = re.compile(r"pip install ['\"]?attest(?![\w-])")  # the unrelated 2012 package


def test_the_distribution_has_its_own_name_and_every_install_line_uses_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    workflow = yaml.safe_load((ROOT / "examples/github-actions/gate.yml").read_text())

    assert (
        parser.DISTRIBUTIONS
        == ("attest-mrm-cli", project["name"])
        == ("attest-mrm-cli", "attest-mrm")
    )
    assert project["scripts"] == {"attest": "monitoring.cli.main:main"}  # the command stays
    assert project["optional-dependencies"]["trackers"][0].startswith("attest-mrm[")
    assert workflow["env"]["ATTEST_PACKAGE"].startswith("attest-mrm-cli[mlflow] @ ")
    assert workflow["env"]["ATTEST_PACKAGE"].endswith("#subdirectory=packaging/cli")
    assert "pip install 'attest-mrm-cli[mlflow]'" in str(MissingExtra("mlflow"))
    texts = [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("examples/**/*.*")]
    assert [p.name for p in texts if BARE_INSTALL.search(p.read_text())] == []


# --- the streamed multipart body -------------------------------------------------------------


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def update(self, n: int) -> None:
        self.n += n


def test_the_multipart_body_streams_the_file_and_counts_every_byte(tmp_path):
    path = tmp_path / 'odd "name".bin'
    content = bytes(range(256)) * 4096  # 1 MiB, every byte value
    path.write_bytes(content)
    counted = Counter()

    with MultipartFile(
        path, fields={"title": "Card", "kind": "model-card"}, progress=counted
    ) as body:
        raw = b"".join(body)
        length, content_type = len(body), body.content_type

    assert len(raw) == length == counted.n
    message = email.parser.BytesParser().parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    parts = {p.get_param("name", header="content-disposition"): p for p in message.get_payload()}
    assert parts["title"].get_payload() == "Card"
    assert parts["file"].get_filename() == "odd %22name%22.bin"
    assert parts["file"].get_payload(decode=True) == content
