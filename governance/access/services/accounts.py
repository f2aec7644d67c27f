"""Changes to people's access (active flag, staff, roles), made in the admin, audited here."""

from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from governance import audit, roles

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


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_roles() -> None:
    """Create missing role groups and restore declared permissions they lack, audited.

    The declaration is the reviewed baseline of each role; permissions an administrator added
    beyond it are kept. Either way the audit trail shows who changed a role and when.
    """
    for name, dotted_perms in roles.ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=name)
        before = None if created else role_snapshot(group)
        held = set(group.permissions.values_list("content_type__app_label", "codename"))
        missing = [p for p in dotted_perms if tuple(p.split(".")) not in held]
        if created or missing:
            group.permissions.add(*[_permission(p) for p in missing])
            record_role_change(actor=None, group=group, before=before)
