"""Service accounts and API tokens: created, issued and revoked by administrators, audited."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions, roles
from governance.access.models import ApiToken, ServiceAccount
from governance.access.models.tokens import key_digest
from governance.errors import DomainError, clean_or_raise, save_new

KEY_PREFIX = "att_"


@transaction.atomic
def create_service_account(*, actor: User, username: str, description: str = "") -> User:
    """A user that cannot log in, in the Pipelines role; its model rights come from RACI."""
    permissions.require_globally(actor, "manage_service_accounts")
    taken = f"a user named {username!r} already exists"
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise DomainError(field="username", message=taken)
    user = user_model(username=username)
    user.set_unusable_password()
    clean_or_raise(user, exclude=["password"])
    save_new(user, field="username", message=taken)
    user.groups.add(Group.objects.get(name=roles.PIPELINE))
    account = ServiceAccount.objects.create(user=user, description=description, created_by=actor)
    audit.record(
        actor=actor,
        verb="service_account.created",
        target=account,
        after={"username": username, "description": description, "role": roles.PIPELINE},
    )
    return user


def _may_issue(actor: User, user: User) -> bool:
    # People issue their own tokens; only administrators issue them for service accounts.
    if actor.pk == user.pk:
        return not hasattr(user, "service_account")
    return permissions.can_globally(actor, "manage_service_accounts") and hasattr(
        user, "service_account"
    )


@transaction.atomic
def issue_token(*, actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the key is returned once and only its digest is stored."""
    if not _may_issue(actor, user):
        raise PermissionDenied(f"{actor} may not issue tokens for {user}")
    if not name.strip():
        raise DomainError(field="name", message="required: say where the token will be used")
    if not user.is_active:
        raise DomainError(field="user", message=f"{user} is deactivated")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=key[: len(KEY_PREFIX) + 6],
        digest=key_digest(key),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        verb="api_token.issued",
        target=token,
        after={"user": user.get_username(), "name": token.name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop a token working from now on; it stays listed with who revoked it and when."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    own = actor.pk == token.user_id
    if not (own or permissions.can_globally(actor, "manage_service_accounts")):
        raise PermissionDenied(f"{actor} may not revoke {token}")
    if token.revoked_at is not None:
        raise DomainError(field="token", message=f"{token} was already revoked")
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor,
        verb="api_token.revoked",
        target=token,
        after={"user": token.user.get_username(), "name": token.name, "prefix": token.prefix},
    )
    return token
