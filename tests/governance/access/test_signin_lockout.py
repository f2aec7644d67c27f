"""Guessing passwords is stopped: the sign-in page and the token exchange lock an account, and an
address, out after repeated failures (429 with Retry-After, audited), and the API is rate limited
per token and per address."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from governance.auditlog.models import AuditEvent
from tests.factories.accounts import UserFactory

LOGIN = "/accounts/login/"
EXCHANGE = "/api/v1/api-token/"


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", password="the-right-one")


def test_the_sign_in_page_locks_an_account_out_after_repeated_failures(client, olga, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(LOGIN, {"username": "olga", "password": "guess"}).status_code == 200
    assert client.post(LOGIN, {"username": "olga", "password": "guess"}).status_code == 429
    refused = client.post(LOGIN, {"username": "olga", "password": "the-right-one"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "Too many failed sign-ins" in refused.content.decode()
    event = AuditEvent.objects.get(verb="signin.locked_out")
    assert (event.target_repr, event.after["username"]) == ("olga", "olga")


def test_an_address_is_locked_out_whatever_names_it_tries(client, olga, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": f"nobody{n}", "password": "guess"})
    assert client.post(LOGIN, {"username": "olga", "password": "the-right-one"}).status_code == 429


def test_a_success_before_the_limit_starts_the_count_again(client, olga, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": "olga", "password": "guess"})
    assert client.post(LOGIN, {"username": "olga", "password": "the-right-one"}).status_code == 302
    client.logout()
    assert client.post(LOGIN, {"username": "olga", "password": "guess"}).status_code == 200


def test_the_token_exchange_locks_out_too(olga, settings):
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api.post(EXCHANGE, {"username": "olga", "password": "guess"}).status_code == 400
    assert api.post(EXCHANGE, {"username": "olga", "password": "guess"}).status_code == 429
    refused = api.post(EXCHANGE, {"username": "olga", "password": "the-right-one"})
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert refused.json()["errors"][0]["field"] == "username"


def test_the_token_exchange_is_rate_limited_per_address(olga, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token-exchange": "2/min"})
    api = APIClient()
    for _ in range(2):
        assert (
            api.post(EXCHANGE, {"username": "olga", "password": "the-right-one"}).status_code == 200
        )
    refused = api.post(EXCHANGE, {"username": "olga", "password": "the-right-one"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60


def test_the_api_is_rate_limited_per_token(api_client, owner, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    api = api_client(owner)
    assert [api.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
