"""Sign-in with a password: lockout (django-axes), what a locked-out person sees and its audit
event; and, with ATTEST_LOCAL_LOGIN=off, passwords refused but for the break-glass accounts."""

from typing import Any

from axes.conf import settings as axes_settings
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from governance import audit


def _retry_after() -> int:
    return int(axes_settings.AXES_COOLOFF_TIME.total_seconds())


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """429 with Retry-After: a page for the sign-in form, the API's error shape for the API."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "errors": [
                    {"field": "username", "message": "too many failed sign-ins: locked out for now"}
                ]
            },
            status=429,
        )
    else:
        response = render(
            request, "registration/locked_out.html", {"minutes": _retry_after() // 60}, status=429
        )
    response["Retry-After"] = str(_retry_after())
    return response


@transaction.atomic
def record_lockout(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **_: Any
) -> None:
    """Signal receiver (axes' user_locked_out): the lockout in the audit trail, on the account
    when it exists, otherwise on the attempts recorded for the name that was tried. Attempts
    refused during the lockout are not each recorded: an attacker would flood the trail."""
    if getattr(request, "axes_failures_since_start", None) != axes_settings.AXES_FAILURE_LIMIT:
        return  # refused while locked out already: recorded once, when the lockout began
    target = (
        User.objects.filter(username=username).first()
        or AccessAttempt.objects.filter(username=username).first()
    )
    if target is None:
        return
    audit.record(
        actor=None,
        verb="signin.locked_out",
        target=target,
        after={"username": username, "ip_address": ip_address},
    )


def password_allowed(username: str) -> bool:
    """Whether a password may sign this username in (ATTEST_LOCAL_LOGIN, ATTEST_BREAK_GLASS_USERS)."""
    return bool(settings.ATTEST_LOCAL_LOGIN) or username in settings.ATTEST_BREAK_GLASS_USERS


def passwords_off_message() -> str:
    return (
        f"Passwords are switched off here: sign in with {settings.ATTEST_OIDC_NAME}. "
        "Only the break-glass administrators sign in with a password."
    )


class LocalPasswordGate:
    """An authentication backend that signs nobody in: with passwords switched off it refuses a
    password (PermissionDenied stops Django trying the backends after it) for anyone but the
    break-glass accounts. The sign-in form and the token exchange say so first, in words.

    It has no `get_user`: no session is ever its, and a test's `force_login` skips it."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **credentials: Any
    ) -> None:
        if "password" in credentials and not password_allowed(username or ""):
            raise PermissionDenied(passwords_off_message())
