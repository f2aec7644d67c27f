"""Accounts of people who sign in through the organisation's directory (single sign-on), and
their roles kept in step with their directory groups at each sign-in; audited here.

Four eyes. A role that takes part in controls is otherwise granted by a second administrator
(`accounts.request_role`). For the roles named in ATTEST_OIDC_GROUP_ROLES the directory is that
second source: the mapping is a deploy-time setting changed by a reviewed deployment, and
membership of each directory group is granted by the group's owners in the identity provider,
never by the person who signs in. Each change is audited with the directory group that caused it.
Single sign-on never opens a superuser, staff, service or break-glass account, and never makes
anyone staff or superuser.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from governance import audit, roles
from governance.access.models import DirectoryIdentity
from governance.access.rules.directory import GroupRoles, RoleSync, mapped_roles, plan
from governance.access.services.accounts import access_snapshot
from governance.errors import DomainError, clean_or_raise, save_new

# Service accounts act through tokens only: no directory group may put a person among them.
NOT_FROM_DIRECTORY = frozenset({roles.PIPELINE})


@dataclass(frozen=True)
class DirectoryClaims:
    """Who the identity provider says signed in."""

    issuer: str
    subject: str
    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    groups: tuple[str, ...] = ()


def check_group_roles(group_roles: GroupRoles) -> None:
    """The mapping names declared roles only (a typo would silently grant nothing)."""
    wrong = sorted(
        role
        for role in mapped_roles(group_roles)
        if role not in roles.ROLE_PERMISSIONS or role in NOT_FROM_DIRECTORY
    )
    if wrong:
        raise ImproperlyConfigured(
            f"ATTEST_OIDC_GROUP_ROLES names {', '.join(wrong)}: not a role the directory may give"
        )


def _refuse_privileged(user: User, break_glass: Collection[str]) -> None:
    if user.is_superuser or user.is_staff or user.get_username() in break_glass:
        raise DomainError(
            field="user",
            message=f"{user.get_username()} is an administrator's account: it signs in with its "
            "password only",
        )
    if hasattr(user, "service_account"):
        raise DomainError(
            field="user", message=f"{user.get_username()} is a service account: it never signs in"
        )


def _create(claims: DirectoryClaims) -> User:
    user = User(username=claims.username)
    user.set_unusable_password()
    clean_or_raise(user, exclude=["password"])
    save_new(user, field="username", message=f"a user named {claims.username!r} already exists")
    audit.record(actor=None, verb="user.created", target=user, after=access_snapshot(user))
    return user


def _link(user: User, claims: DirectoryClaims) -> None:
    DirectoryIdentity.objects.create(user=user, issuer=claims.issuer, subject=claims.subject)
    audit.record(
        actor=None,
        verb="user.directory_linked",
        target=user,
        after={"username": user.get_username(), "issuer": claims.issuer, "subject": claims.subject},
    )


def _account(claims: DirectoryClaims, break_glass: Collection[str]) -> User:
    """The account bound to this directory identity; on first sign-in, the account of that name
    (created if there is none), bound to it from then on."""
    known = DirectoryIdentity.objects.filter(issuer=claims.issuer, subject=claims.subject).first()
    if known is not None:
        return known.user
    if not claims.username:
        raise DomainError(field="username", message="the directory sent no username")
    user = User.objects.filter(username=claims.username).first()
    if user is not None and hasattr(user, "directory_identity"):
        raise DomainError(
            field="username",
            message=f"{claims.username} belongs to another person in the directory",
        )
    if user is not None:
        _refuse_privileged(user, break_glass)
    user = user or _create(claims)
    _link(user, claims)
    return user


def _profile(user: User, claims: DirectoryClaims) -> None:
    for field in ("email", "first_name", "last_name"):
        value = getattr(claims, field)
        if value:
            setattr(user, field, value)
    user.save(update_fields=["email", "first_name", "last_name"])


def _apply(user: User, sync: RoleSync) -> None:
    user.groups.add(*Group.objects.filter(name__in=sync.add))
    user.groups.remove(*Group.objects.filter(name__in=sync.remove))


def _held_roles(user: User) -> list[str]:
    return list(user.groups.values_list("name", flat=True))


def _why(sync: RoleSync, group_roles: GroupRoles) -> dict[str, dict[str, list[str]]]:
    """Each role added with the groups that gave it; each removed with the groups it needs."""
    why = {
        "granted_by_directory_groups": {role: list(sync.sources[role]) for role in sync.add},
        "removed_on_leaving_directory_groups": {
            role: [group for group, mapped in group_roles if mapped == role] for role in sync.remove
        },
    }
    return {key: dict(sorted(value.items())) for key, value in why.items() if value}


@transaction.atomic
def sign_in(
    *, claims: DirectoryClaims, group_roles: GroupRoles, break_glass: Iterable[str] = ()
) -> User:
    """The account of a person the directory signed in, its profile and mapped roles brought in
    step with the directory; refused (DomainError) for accounts single sign-on may not open."""
    check_group_roles(group_roles)
    break_glass = frozenset(break_glass)
    user = _account(claims, break_glass)
    _refuse_privileged(user, break_glass)
    if not user.is_active:
        raise DomainError(field="user", message=f"{user.get_username()} is deactivated in Attest")
    before = access_snapshot(user)
    _profile(user, claims)
    sync = plan(held_roles=_held_roles(user), groups=claims.groups, group_roles=group_roles)
    _apply(user, sync)
    old, new = audit.changed(before, access_snapshot(user))
    if new:
        after = {**new, **_why(sync, group_roles), "issuer": claims.issuer}
        audit.record(actor=None, verb="user.directory_synced", target=user, before=old, after=after)
    return user
