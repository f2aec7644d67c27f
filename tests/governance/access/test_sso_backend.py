"""The single sign-on backend's own checks on what the provider sends: ID tokens signed (here
with the client secret, HS256, by PyJWT) but from another issuer or for another client are
refused; user info about another subject is refused; a wrong role mapping refuses, saying so."""

import time

import jwt
import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory

from governance.access import sso

ISSUER = "https://login.northwind.example"
SECRET = "a-client-secret-long-enough-for-hs256"


@pytest.fixture
def backend(settings) -> sso.DirectoryBackend:
    settings.OIDC_RP_CLIENT_ID = "attest"
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.ATTEST_OIDC_ISSUER = ISSUER
    settings.ATTEST_OIDC_GROUP_ROLES = [("cn=mrm-validators", "Validatorz")]
    backend = sso.DirectoryBackend()
    backend.request = RequestFactory().get("/accounts/sso/callback/")
    return backend


def id_token(**claims: object) -> str:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": "attest", "sub": "s-1", "nonce": "n", "iat": now}
    return jwt.encode({**base, "exp": now + 60, **claims}, SECRET, algorithm="HS256")


def test_a_token_from_the_issuer_for_this_client_passes(backend):
    assert backend.verify_token(id_token(aud=["attest", "other"]), nonce="n")["sub"] == "s-1"


@pytest.mark.parametrize(
    ("claims", "refusal"),
    [
        ({"iss": "https://evil.example"}, "not https://login.northwind.example"),
        ({"aud": "another-app"}, "another client"),
        ({"nonce": "replayed"}, "Nonce"),
        ({"exp": int(time.time()) - 600}, "expired"),
    ],
    ids=["issuer", "audience", "nonce", "expired"],
)
def test_a_token_from_elsewhere_for_another_client_or_replayed_is_refused(backend, claims, refusal):
    with pytest.raises(Exception, match=refusal) as raised:
        backend.verify_token(id_token(**claims), nonce="n")
    assert isinstance(raised.value, SuspiciousOperation | jwt.ExpiredSignatureError)


def test_user_info_about_someone_else_is_refused(backend, monkeypatch):
    monkeypatch.setattr(backend, "get_userinfo", lambda *args: {"sub": "s-2"})
    with pytest.raises(SuspiciousOperation, match="not about the signed-in person"):
        backend.get_or_create_user("access", "id", {"sub": "s-1", "iss": ISSUER})


def test_a_wrong_role_mapping_refuses_the_sign_in_naming_the_role(backend, monkeypatch, db):
    info = {"sub": "s-1", "preferred_username": "nina", "groups": ["cn=mrm-validators"]}
    monkeypatch.setattr(backend, "get_userinfo", lambda *args: info)
    assert backend.get_or_create_user("access", "id", {"sub": "s-1", "iss": ISSUER}) is None
    assert "Validatorz" in getattr(backend.request, sso.REFUSAL)


def test_an_answer_that_fails_a_check_sends_the_person_back_saying_so(backend, monkeypatch):
    monkeypatch.setattr(backend, "get_token", lambda payload: {"id_token": id_token(aud="x")})
    real = sso.setting
    endpoint = "http://idp/endpoint"
    monkeypatch.setattr(
        sso, "setting", lambda name, *d: endpoint if name in sso.FROM_DISCOVERY else real(name, *d)
    )
    request = RequestFactory().get("/accounts/sso/callback/?code=c&state=s")
    assert backend.authenticate(request, nonce="n") is None
    assert getattr(request, sso.REFUSAL) == "the provider's answer could not be verified."


def test_a_password_sign_in_never_reaches_the_provider(backend, monkeypatch):
    monkeypatch.setattr(sso, "setting", lambda *args: pytest.fail("the provider was asked"))
    request = RequestFactory().post("/accounts/login/")
    assert backend.authenticate(request, username="ada", password="x") is None
