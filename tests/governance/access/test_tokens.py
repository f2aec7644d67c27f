"""Service accounts and API tokens: who issues them, what they reach, revocation, last use."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from governance import roles
from governance.access.models import ApiToken
from governance.access.services import tokens
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError


def client(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def bot(admin_user):
    return tokens.create_service_account(actor=admin_user, username="ci-bot", description="CI")


def test_a_service_account_cannot_log_in_and_holds_the_pipelines_role(bot):
    assert not bot.has_usable_password()
    assert list(bot.groups.values_list("name", flat=True)) == [roles.PIPELINE]
    event = AuditEvent.objects.get(verb="service_account.created")
    assert event.after["username"] == "ci-bot"


def test_only_administrators_create_service_accounts_and_issue_their_tokens(owner, bot):
    with pytest.raises(PermissionDenied):
        tokens.create_service_account(actor=owner, username="rogue")
    with pytest.raises(PermissionDenied):
        tokens.issue_token(actor=owner, user=bot, name="ci")


def test_the_key_is_shown_once_and_only_its_digest_is_stored(admin_user, bot):
    token, key = tokens.issue_token(actor=admin_user, user=bot, name="github actions")
    assert key.startswith(token.prefix) and key.startswith("att_")
    assert key not in {token.digest, token.prefix}
    assert not ApiToken.objects.filter(digest=key).exists()
    assert AuditEvent.objects.filter(verb="api_token.issued").get().after["prefix"] == token.prefix


def test_a_token_reaches_only_models_its_account_is_named_on(
    admin_user, bot, owner, credit_pd_model, hidden_model
):
    from governance.access.services import raci

    raci.assign_raci(actor=owner, model=credit_pd_model, user=bot, role="R", area="monitoring")
    _, key = tokens.issue_token(actor=admin_user, user=bot, name="ci")
    slugs = [m["slug"] for m in client(key).get("/api/v1/models/").json()["results"]]
    assert slugs == ["retail-pd"]
    assert client(key).get("/api/v1/models/bureau/").status_code == 404


def test_a_revoked_token_is_refused(admin_user, bot):
    token, key = tokens.issue_token(actor=admin_user, user=bot, name="ci")
    assert client(key).get("/api/v1/me/").status_code == 200
    tokens.revoke_token(actor=admin_user, token=token)

    response = client(key).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "Invalid or revoked token."
    with pytest.raises(DomainError):
        tokens.revoke_token(actor=admin_user, token=token)


def test_last_use_is_recorded_at_most_once_a_minute(admin_user, bot):
    token, key = tokens.issue_token(actor=admin_user, user=bot, name="ci")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client(key).get("/api/v1/me/")
        first = ApiToken.objects.get(pk=token.pk).last_used_at
        clock.shift(timedelta(seconds=30))
        client(key).get("/api/v1/me/")
        assert ApiToken.objects.get(pk=token.pk).last_used_at == first
        clock.shift(timedelta(seconds=31))
        client(key).get("/api/v1/me/")
        assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_people_issue_and_revoke_their_own_tokens(owner):
    token, key = tokens.issue_token(actor=owner, user=owner, name="notebook")
    assert client(key).get("/api/v1/me/").json()["username"] == "olivia"
    tokens.revoke_token(actor=owner, token=token)
    assert client(key).get("/api/v1/me/").status_code == 401


def test_the_management_command_creates_issues_lists_and_revokes(admin_user, capsys):
    call_command("service_account", "create", "airflow", "--description", "DAGs", "--by", "ada")
    call_command("service_account", "token", "airflow", "--name", "prod", "--by", "ada")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert client(key).get("/api/v1/me/").json()["username"] == "airflow"
    call_command("service_account", "list")
    assert "prod" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no active token has that id or key"):
        call_command("service_account", "revoke", key[:10], "--by", "ada")  # a prefix: refused
    call_command("service_account", "revoke", key, "--by", "ada")
    assert client(key).get("/api/v1/me/").status_code == 401


def test_the_management_command_revokes_by_the_id_the_list_shows(admin_user, capsys):
    call_command("service_account", "create", "airflow", "--by", "ada")
    call_command("service_account", "token", "airflow", "--name", "prod", "--by", "ada")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get(name="prod")
    call_command("service_account", "list")
    assert f"  {token.pk}  {token.prefix}…  prod" in capsys.readouterr().out
    call_command("service_account", "revoke", str(token.pk), "--by", "ada")
    assert client(key).get("/api/v1/me/").status_code == 401
