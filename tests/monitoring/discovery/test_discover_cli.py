"""`attest discover` against a live Attest: finds the shadow model in each registry, exits 1 on
it, and with --register makes it a draft owned by the person named, audited."""

import json

import pytest

from governance.access.services import tokens
from governance.auditlog.models import AuditEvent
from monitoring.cli.main import main
from monitoring.discovery import sagemaker
from registry.models import MLModel, ModelVersion
from tests.monitoring.discovery import registries

pytestmark = pytest.mark.django_db(transaction=True)
REAL_SAGEMAKER_CLIENT = sagemaker.client_for  # before a test stubs it


@pytest.fixture
def env(live_server, admin_user, known, tmp_path) -> dict[str, str]:
    """Ada's token: an administrator reads every model and may register models."""
    _, key = tokens.issue_token(actor=admin_user, user=admin_user, name="discovery")
    return {"ATTEST_URL": live_server.url, "ATTEST_TOKEN": key, "HOME": str(tmp_path)}


@pytest.fixture
def registry_flags(request, monkeypatch, mlflow_uri, databricks_host, databricks_env):
    """The flags that point `attest discover` at each test registry."""
    monkeypatch.setattr(sagemaker, "client_for", lambda *limits: registries.stubbed_sagemaker())
    return {
        "mlflow": ["--tracking-uri", mlflow_uri],
        "sagemaker": ["--region", "eu-west-1"],
        "databricks": ["--host", databricks_host],
    }


def discover(env, registry, flags, *extra) -> int:
    return main(["discover", registry, *flags[registry], "--backoff", "0", *extra], environ=env)


@pytest.mark.parametrize("registry", ["mlflow", "sagemaker", "databricks"])
def test_discover_finds_the_unregistered_production_model_and_exits_1(
    env, registry_flags, registry, capsys
):
    assert discover(env, registry, registry_flags) == 1

    lines = capsys.readouterr().out.splitlines()
    shadow = next(line for line in lines if line.startswith(registries.SHADOWS[registry]))
    assert "NOT REGISTERED: shadow model" in shadow
    assert any("retail-pd" in line for line in lines)  # the known one, matched
    assert lines[-1].endswith("1 serving in production unregistered")


def test_discover_json_marks_the_shadow_and_the_match(env, registry_flags, capsys):
    assert discover(env, "mlflow", registry_flags, "--json") == 1

    answer = json.loads(capsys.readouterr().out)
    models = {m["name"]: m for m in answer["models"]}
    assert models["fraud-scorer"]["shadow"] is True
    assert models["credit-pd"]["attest_model"] == "retail-pd"
    # Attest holds credit-pd 1; the champion, 2, serves unregistered.
    assert models["credit-pd"]["unregistered_production_versions"] == ["2"]
    assert models["churn"] == {**models["churn"], "in_production": False, "shadow": False}


def test_register_makes_the_shadow_a_draft_owned_by_the_named_person(
    env, registry_flags, owner, admin_user, capsys
):
    flags = ["--register", "--owner", "olivia", "--business-unit", "Fraud"]
    assert discover(env, "sagemaker", registry_flags, *flags) == 0

    draft = MLModel.objects.get(slug="fraud-scorer")
    assert (draft.status, draft.owner, draft.business_unit) == ("development", owner, "Fraud")
    version = ModelVersion.objects.get(model=draft)
    assert version.external_id == f"{registries.ACCOUNT}:model/fraud-scorer"
    assert version.source_tracker == "sagemaker"
    event = AuditEvent.objects.get(verb="model.discovered")
    assert (event.actor, event.mlmodel_id) == (admin_user, draft.pk)
    assert "registered now as fraud-scorer (draft)" in capsys.readouterr().out

    assert discover(env, "sagemaker", registry_flags) == 0  # known now


def test_register_refuses_an_owner_who_does_not_exist(env, registry_flags, capsys):
    flags = ["--register", "--owner", "nobody", "--business-unit", "Fraud"]

    assert discover(env, "sagemaker", registry_flags, *flags) == 2
    assert "unknown user 'nobody'" in capsys.readouterr().err
    assert not MLModel.objects.filter(slug="fraud-scorer").exists()


def test_a_token_that_cannot_read_every_model_is_refused(env, registry_flags, pipeline_key, capsys):
    assert discover({**env, "ATTEST_TOKEN": pipeline_key}, "sagemaker", registry_flags) == 3


def test_sagemaker_is_asked_with_the_timeout_and_retries_the_flags_give(
    env, registry_flags, monkeypatch
):
    asked = []
    monkeypatch.setattr(
        sagemaker,
        "client_for",
        lambda *limits: asked.append(limits) or registries.stubbed_sagemaker(),
    )
    discover(env, "sagemaker", registry_flags, "--timeout", "7", "--retries", "2")
    assert asked == [("eu-west-1", 7.0, 2)]
    client = REAL_SAGEMAKER_CLIENT("eu-west-1", 7.0, 2)  # a real client, never called here
    config = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (7.0, 7.0)
    assert config.retries == {"total_max_attempts": 2, "mode": "standard"}


def test_an_unreachable_databricks_workspace_fails_with_exit_4_as_the_flags_say(
    env, databricks_env, capsys
):
    closed = "http://127.0.0.1:9"  # nothing listens on the discard port
    # --timeout also bounds the CLI's own requests to Attest: a second was too short for the
    # test server on a loaded machine.
    flags = ["--host", closed, "--timeout", "3", "--retries", "1", "--backoff", "0"]
    assert main(["discover", "databricks", *flags], environ=env) == 4
    assert f"databricks at {closed} could not be read" in capsys.readouterr().err
