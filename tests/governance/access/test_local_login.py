"""Passwords switched off (ATTEST_LOCAL_LOGIN=off): the sign-in page and the token exchange refuse
a password, saying why, to everyone but the break-glass accounts, whose lockout still works; the
page offers single sign-on when it is configured, and its routes are not there when it is not."""

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from governance.access import sso
from governance.settings import env_pairs
from tests.factories.accounts import UserFactory

LOGIN = "/accounts/login/"
EXCHANGE = "/api/v1/api-token/"
OFF = "Passwords are switched off here: sign in with Northwind directory."


@pytest.fixture
def passwords_off(settings, db):
    settings.OIDC_RP_CLIENT_ID = "attest"
    settings.ATTEST_OIDC_ISSUER = "http://127.0.0.1:9/o"
    settings.ATTEST_OIDC_NAME = "Northwind directory"
    settings.ATTEST_LOCAL_LOGIN = False
    settings.ATTEST_BREAK_GLASS_USERS = ["ada"]
    UserFactory(username="olga", password="the-right-one")
    UserFactory(username="ada", password="the-right-one", is_staff=True, is_superuser=True)
    sso.discovery.cache_clear()


def test_the_page_refuses_a_password_to_anyone_but_break_glass(client, passwords_off):
    refused = client.post(LOGIN, {"username": "olga", "password": "the-right-one"})
    assert refused.status_code == 200
    assert OFF in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.post(LOGIN, {"username": "ada", "password": "the-right-one"}).status_code == 302


def test_the_page_offers_single_sign_on(client, passwords_off):
    page = client.get(LOGIN + "?next=/inventory/").content.decode()
    assert "Sign in with Northwind directory" in page
    assert "/accounts/sso/?next=/inventory/" in page
    assert "Break-glass administrators only" in page


def test_the_break_glass_account_is_still_locked_out_after_repeated_failures(
    client, passwords_off, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "ada", "password": "guess"})
    assert client.post(LOGIN, {"username": "ada", "password": "the-right-one"}).status_code == 429


def test_the_token_exchange_refuses_a_password_too(passwords_off):
    api = APIClient()
    refused = api.post(EXCHANGE, {"username": "olga", "password": "the-right-one"})
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert error["field"] == "password"
    assert error["message"].startswith(OFF)
    assert api.post(EXCHANGE, {"username": "ada", "password": "the-right-one"}).status_code == 200


def test_an_unreachable_provider_sends_the_person_back_saying_so(client, passwords_off):
    answer = client.get("/accounts/sso/", follow=True)
    assert answer.redirect_chain[-1][0] == LOGIN
    assert "Northwind directory cannot be reached: try later." in answer.content.decode()


def test_single_sign_on_routes_are_not_there_when_it_is_off(client, db):
    assert client.get("/accounts/sso/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404
    assert "Sign in with" not in client.get(LOGIN).content.decode()


def test_endpoints_come_from_the_issuer_unless_given(settings, monkeypatch, passwords_off):
    class Answer:
        def raise_for_status(self) -> None: ...

        def json(self) -> dict[str, str]:
            return {"issuer": "http://127.0.0.1:9/o", "token_endpoint": "http://idp/token"}

    monkeypatch.setattr(requests, "get", lambda url, timeout: Answer())
    assert sso.setting("OIDC_OP_TOKEN_ENDPOINT") == "http://idp/token"
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://explicit/token"
    assert sso.setting("OIDC_OP_TOKEN_ENDPOINT") == "http://explicit/token"


def test_a_discovery_document_naming_another_issuer_is_refused(monkeypatch, passwords_off):
    class Answer:
        def raise_for_status(self) -> None: ...

        def json(self) -> dict[str, str]:
            return {"issuer": "http://elsewhere/o", "token_endpoint": "http://elsewhere/token"}

    monkeypatch.setattr(requests, "get", lambda url, timeout: Answer())
    with pytest.raises(ImproperlyConfigured, match="names another issuer"):
        sso.setting("OIDC_OP_TOKEN_ENDPOINT")


def test_group_roles_are_read_as_pairs_and_a_malformed_one_fails(monkeypatch):
    monkeypatch.setenv("X", "cn=a,ou=g:Validators; cn=b:Committee members;")
    assert env_pairs("X") == [("cn=a,ou=g", "Validators"), ("cn=b", "Committee members")]
    monkeypatch.setenv("X", "cn=a,ou=g")
    with pytest.raises(ImproperlyConfigured, match="is not group:role"):
        env_pairs("X")
