"""`Authorization: Token <key>`: API tokens looked up by digest, revocable, last use recorded."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import authentication, exceptions

from governance.access.models import ApiToken
from governance.access.models.tokens import key_digest

# Recording every use would turn each gate question into a write; once a minute is enough to
# tell a live token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_key(key: str) -> User | None:
    """The active user behind an unrevoked token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=key_digest(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token.user


class ApiTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[User, None]:
        user = user_for_key(key)
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return user, None


def token_user(request: HttpRequest) -> User | None:
    """The user a request's token names, for code that runs before DRF authenticates."""
    header = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(header) == 2 and header[0] == ApiTokenAuthentication.keyword:
        return user_for_key(header[1])
    return None
