"""Changes to people's access (active flag, staff, roles), audited here. A role that takes part
in controls is asked for by one administrator and granted by a second (`request_role`,
`decide_role`); whatever channel adds it (the admin included) goes through that request."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from governance import audit, permissions, roles
from governance.access.models import RequestState, RoleGrant
from governance.access.selectors import same_person
from governance.access.services import decisions
from governance.errors import DomainError

ACCESS_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
)


def access_snapshot(user: User) -> dict[str, Any]:
    """What decides a person's access: identity, flags and role groups (never the password)."""
    data = audit.snapshot(user, ACCESS_FIELDS)
    data["groups"] = sorted(user.groups.values_list("name", flat=True)) if user.pk else []
    return data


@transaction.atomic
def record_access_change(*, actor: User | None, user: User, before: dict[str, Any] | None) -> None:
    """Audit a user created or changed in the admin (or by the system: actor None), with the
    access fields that changed."""
    after = access_snapshot(user)
    if before is None:
        audit.record(actor=actor, verb="user.created", target=user, after=after)
        return
    old, new = audit.changed(before, after)
    if new:
        audit.record(actor=actor, verb="user.updated", target=user, before=old, after=new)


@transaction.atomic
def record_password_change(*, actor: User | None, user: User) -> None:
    """Audit a password set for someone (in the admin, or by `changepassword`: actor None);
    the password itself is never recorded."""
    audit.record(actor=actor, verb="user.password_changed", target=user)


@transaction.atomic
def record_deletion(*, actor: User | None, target: User | Group) -> None:
    """Audit a person or a role deleted in the admin, with what it was, before it goes."""
    if isinstance(target, Group):
        audit.record(actor=actor, verb="role.deleted", target=target, before=role_snapshot(target))
    else:
        audit.record(
            actor=actor, verb="user.deleted", target=target, before=access_snapshot(target)
        )


def role_snapshot(group: Group) -> dict[str, Any]:
    """A role's name and the permissions it holds."""
    return {
        "name": group.name,
        "permissions": sorted(group.permissions.values_list("codename", flat=True)),
    }


@transaction.atomic
def record_role_change(*, actor: User | None, group: Group, before: dict[str, Any] | None) -> None:
    """Audit a change to a role group's permissions (in the admin, or by migrate: actor None)."""
    after = role_snapshot(group)
    old, new = audit.changed(before or {}, after)
    if new:
        verb = "role.created" if before is None else "role.updated"
        audit.record(actor=actor, verb=verb, target=group, before=old or None, after=new)


def _permissions(dotted: Iterable[str]) -> dict[str, Permission]:
    """The permissions named `app_label.codename`, in one query; each must exist."""
    wanted = {tuple(p.split(".")) for p in dotted}
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _, codename in wanted},
            content_type__app_label__in={app_label for app_label, _ in wanted},
        )
    }
    missing = sorted({".".join(p) for p in wanted} - set(found))
    if missing:
        raise Permission.DoesNotExist(f"no permission {', '.join(missing)}")
    return found


def ensure_roles() -> None:
    """Create missing role groups and restore declared permissions they lack, audited.

    The declaration is the reviewed baseline of each role; permissions an administrator added
    beyond it are kept. Either way the audit trail shows who changed a role and when.
    """
    # After a flush every role is created again: the permissions are read once, not per role.
    declared: dict[str, Permission] | None = None
    for name, dotted_perms in roles.ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=name)
        before = None if created else role_snapshot(group)
        held = (
            set()
            if created  # a new group holds nothing yet
            else set(group.permissions.values_list("content_type__app_label", "codename"))
        )
        missing = [p for p in dotted_perms if tuple(p.split(".")) not in held]
        if missing:
            if declared is None:
                declared = _permissions(p for ps in roles.ROLE_PERMISSIONS.values() for p in ps)
            group.permissions.add(*[declared[p] for p in missing])
        if created or missing:
            record_role_change(actor=None, group=group, before=before)


def granters() -> QuerySet[User]:
    """Everyone who may ask for and grant roles that take part in controls."""
    return User.objects.with_perm(
        "governance.grant_roles", backend="django.contrib.auth.backends.ModelBackend"
    )


def _check_role_request(user: User, role: Group) -> None:
    if role.name not in roles.TAKES_PART_IN_CONTROLS:
        raise DomainError(field="role", message=f"{role.name} takes part in no control")
    if hasattr(user, "service_account"):
        raise DomainError(
            field="user",
            message=f"{user.get_username()} is a service account: it holds no such role",
        )
    if user.groups.filter(pk=role.pk).exists():
        raise DomainError(field="role", message=f"{user.get_username()} holds {role.name} already")
    if RoleGrant.objects.filter(user=user, role=role, state=RequestState.REQUESTED).exists():
        raise DomainError(
            field="role",
            message=f"{role.name} for {user.get_username()} is asked for already",
        )


@transaction.atomic
def request_role(*, actor: User, user: User, role: Group, note: str = "") -> RoleGrant:
    """Ask for a person to hold a role that takes part in controls; a second administrator, who
    is neither the asker nor that person, grants it (`decide_role`)."""
    permissions.require_globally(actor, "grant_roles")
    _check_role_request(user, role)
    asked = RoleGrant.objects.create(user=user, role=role, note=note.strip(), requested_by=actor)
    audit.record(
        actor=actor,
        verb="role_grant.requested",
        target=asked,
        after={"user": user.get_username(), "role": role.name, "note": asked.note},
    )
    decisions.announce(
        request=asked,
        deciders=[p for p in granters() if not same_person(p, user)],
        kind="role_grant.requested",
        subject=f"{actor.get_username()} asks for {asked}",
        link=reverse("tokens:roles"),
    )
    return asked


@transaction.atomic
def decide_role(*, actor: User, asked: RoleGrant, grant: bool, reason: str = "") -> RoleGrant:
    """Grant (the person joins the role group, audited as a change of their access) or refuse."""
    permissions.require_globally(actor, "grant_roles")
    asked = decisions.locked(asked)
    decisions.require_pending(asked)
    who = same_person(actor, asked.user)
    if who:
        raise DomainError(
            field="decided_by", message=f"{who} would hold the role: another administrator decides"
        )
    before = access_snapshot(asked.user)
    decided = decisions.decide(
        actor=actor,
        request=asked,
        grant=grant,
        reason=reason,
        verb="role_grant",
        link=reverse("tokens:roles"),
    )
    if grant:
        asked.user.groups.add(asked.role)
        record_access_change(actor=actor, user=asked.user, before=before)
    return decided


def withdraw_role(*, actor: User, asked: RoleGrant) -> RoleGrant:
    return decisions.withdraw(actor=actor, request=decisions.locked(asked), verb="role_grant")


@transaction.atomic
def hold_added_roles(*, actor: User, user: User, before: Iterable[str]) -> list[RoleGrant]:
    """After a form (the admin's) added roles to a person directly: those that take part in
    controls are taken off again and asked for instead, for a second administrator to grant."""
    added = list(
        user.groups.filter(name__in=roles.TAKES_PART_IN_CONTROLS).exclude(name__in=list(before))
    )
    user.groups.remove(*added)
    return [request_role(actor=actor, user=user, role=role) for role in added]


def refuse_control_permissions(before: Iterable[str], after: Iterable[str]) -> None:
    """Rights that bear on a control come only with the declared roles: a group may lose them
    in the admin, never gain them (`roles.CONTROL_PERMISSIONS`)."""
    gained = sorted((set(after) - set(before)) & roles.CONTROL_PERMISSIONS)
    if gained:
        raise DomainError(
            field="permissions",
            message=(
                f"{', '.join(gained)} bear on controls: only the roles declared in "
                "governance/roles.py hold them, changed by a reviewed code change"
            ),
        )
