"""Which Attest roles a person's directory groups give them: plain data in, plain data out.

Directory group names are compared without regard to case (LDAP distinguished names are
case-insensitive; group ids from other directories do not depend on case either).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

GroupRoles = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class RoleSync:
    """What one sign-in changes: roles to add and to remove, and the groups that give each role."""

    add: frozenset[str]
    remove: frozenset[str]
    sources: Mapping[str, tuple[str, ...]]

    @property
    def changes(self) -> bool:
        return bool(self.add or self.remove)


def claim_groups(value: object) -> tuple[str, ...]:
    """The groups claim as names: a list of names, or one name (some directories send one)."""
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(item for item in value if isinstance(item, str) and item.strip())
    return ()


def mapped_roles(group_roles: GroupRoles) -> frozenset[str]:
    """Every role the directory governs: those named in the mapping."""
    return frozenset(role for _, role in group_roles)


def role_sources(groups: Iterable[str], group_roles: GroupRoles) -> dict[str, tuple[str, ...]]:
    """Each role the groups give, with the directory groups that give it (mapping order)."""
    held = {group.casefold() for group in groups}
    sources: dict[str, tuple[str, ...]] = {}
    for group, role in group_roles:
        if group.casefold() in held:
            sources[role] = (*sources.get(role, ()), group)
    return sources


def plan(*, held_roles: Iterable[str], groups: Iterable[str], group_roles: GroupRoles) -> RoleSync:
    """Add the mapped roles the groups give; remove mapped roles no group gives any more. Roles
    the mapping does not name are left alone (they are granted in Attest)."""
    sources = role_sources(groups, group_roles)
    held = set(held_roles) & mapped_roles(group_roles)
    return RoleSync(
        add=frozenset(sources) - held, remove=frozenset(held - set(sources)), sources=sources
    )
