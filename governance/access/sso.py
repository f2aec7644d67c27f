"""Single sign-on through the organisation's OpenID Connect provider (mozilla-django-oidc).

Off unless ATTEST_OIDC_CLIENT_ID is set (docs/security.md, "Single sign-on"). The provider's
endpoints are read from the issuer's /.well-known/openid-configuration when a sign-in first
needs them, and kept for the life of the process; a password sign-in never waits on the provider,
so the break-glass accounts still sign in while it is down. The account and its roles are the
directory service's (`services/directory.py`); this module speaks the protocol.
"""

import functools
import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from governance.access.rules.directory import claim_groups
from governance.access.services import directory
from governance.errors import DomainError

logger = logging.getLogger(__name__)

FROM_DISCOVERY = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
ENDPOINTS = ("OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT")
# Why the provider's answer signed nobody in, kept on the request for the callback's message.
REFUSAL = "attest_sso_refusal"
UNREACHABLE = (requests.RequestException, ValueError, KeyError, ImproperlyConfigured)


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


@functools.cache
def discovery(issuer: str) -> dict[str, Any]:
    """The issuer's OpenID configuration (cached once fetched; a failure is tried again)."""
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
    )
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ImproperlyConfigured(f"{issuer} names another issuer: {document.get('issuer')}")
    return document


def setting(name: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting; an endpoint left unset comes from the issuer's discovery."""
    value = import_from_settings(name, *default)
    if name in FROM_DISCOVERY and not value and settings.ATTEST_OIDC_ISSUER:
        return discovery(settings.ATTEST_OIDC_ISSUER)[FROM_DISCOVERY[name]]
    return value


def claims_of(user_info: dict[str, Any], id_token: dict[str, Any]) -> directory.DirectoryClaims:
    """What the provider said about the person, in the names the directory service uses."""
    groups_claim = settings.ATTEST_OIDC_GROUPS_CLAIM
    return directory.DirectoryClaims(
        issuer=str(id_token.get("iss", "")).rstrip("/"),
        subject=str(user_info["sub"]),
        username=str(user_info.get(settings.ATTEST_OIDC_USERNAME_CLAIM) or "").strip(),
        email=str(user_info.get("email") or ""),
        first_name=str(user_info.get("given_name") or ""),
        last_name=str(user_info.get("family_name") or ""),
        groups=claim_groups(user_info.get(groups_claim, id_token.get(groups_claim))),
    )


def _audiences(payload: dict[str, Any]) -> list[str]:
    audience = payload.get("aud")
    return [audience] if isinstance(audience, str) else list(audience or [])


def _refuse(request: HttpRequest, reason: str) -> None:
    setattr(request, REFUSAL, reason)


class DirectoryBackend(OIDCAuthenticationBackend):
    """Signs in whoever the provider vouches for, through `directory.sign_in`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The parent reads every endpoint here; they wait until a sign-in through the provider.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return setting(attr, *args)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or "password" in kwargs or not enabled():
            return None
        if not {"code", "state"} <= set(request.GET):
            return None
        try:
            for name in ENDPOINTS:
                setattr(self, name, setting(name))
            user: User | None = super().authenticate(request, **kwargs)
        except UNREACHABLE:
            logger.exception("single sign-on: the provider cannot be reached or read")
            _refuse(request, "the provider cannot be reached; try later.")
            return None
        except (SuspiciousOperation, jwt.InvalidTokenError):
            logger.warning("single sign-on: the provider's answer failed a check", exc_info=True)
            _refuse(request, "the provider's answer could not be verified.")
            return None
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The parent checks signature, expiry and nonce; the issuer and audience are ours."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        issuer = settings.ATTEST_OIDC_ISSUER
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
            raise SuspiciousOperation(f"token issued by {payload.get('iss')}, not {issuer}")
        if self.OIDC_RP_CLIENT_ID not in _audiences(payload):
            raise SuspiciousOperation("token issued for another client")
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        user_info = self.get_userinfo(access_token, id_token, payload)
        if not user_info.get("sub") or user_info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the provider's user info is not about the signed-in person")
        try:
            return directory.sign_in(
                claims=claims_of(user_info, payload),
                group_roles=settings.ATTEST_OIDC_GROUP_ROLES,
                break_glass=settings.ATTEST_BREAK_GLASS_USERS,
            )
        except DomainError as refusal:
            _refuse(self.request, " ".join(refusal.messages))
        except ImproperlyConfigured as wrong:
            logger.exception("single sign-on: the role mapping is wrong")
            _refuse(self.request, f"Attest's settings are wrong: {wrong}")
        return None


class SignInStart(OIDCAuthenticationRequestView):
    """Off to the provider's sign-in page (404 when single sign-on is off)."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the parent reads the endpoint here: it may be unreachable
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404("single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except UNREACHABLE:
            logger.exception("single sign-on: the provider's configuration cannot be read")
            messages.error(request, f"{settings.ATTEST_OIDC_NAME} cannot be reached: try later.")
            return redirect(settings.LOGIN_URL)
        response: HttpResponse = super().get(request)
        return response


class SignInCallback(OIDCAuthenticationCallbackView):
    """Back from the provider: signed in, or back on the sign-in page saying why not."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404("single sign-on is not configured")
        response: HttpResponse = super().get(request)
        return response

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, REFUSAL, "") or (
            "The sign-in was cancelled or could not be completed."
        )
        messages.error(self.request, f"{settings.ATTEST_OIDC_NAME} did not sign you in: {reason}")
        response: HttpResponse = super().login_failure()
        return response
