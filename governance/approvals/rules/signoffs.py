"""Who must sign off a request, who may, and when the sign-offs add up to a decision.

Segregation of duties: nobody signs off a model they own, a version they built (lineage and
RACI decide who built it), or a request they submitted, and one person fills one required role
per request. Each rule is checked on people: the signer and anyone who controls the signer's
account (the people behind a service account).
"""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ROLES = ("validator", "committee", "compliance", "legal")
APPROVE = "approve"
APPROVE_WITH_CONDITIONS = "approve_with_conditions"
REJECT = "reject"
DECISIONS = (APPROVE, APPROVE_WITH_CONDITIONS, REJECT)


@dataclass(frozen=True)
class Requirement:
    """`count` distinct people in `role` must approve (a committee quorum is a count above 1)."""

    role: str
    count: int


@dataclass(frozen=True)
class Given:
    """A sign-off already on the request."""

    role: str
    signer: int
    decision: str


@dataclass(frozen=True)
class Refused(Exception):  # noqa: N818 - reads as the domain says it
    """This person may not sign off in this role; `field` says which input to look at."""

    field: str
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Progress:
    requirements: tuple[Requirement, ...]
    approvals: Mapping[str, int]
    outstanding: tuple[Requirement, ...]
    rejected_by: tuple[Given, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return not self.outstanding and not self.rejected_by


def required(policy: Mapping[str, Any], gate: str, tier: str) -> tuple[Requirement, ...]:
    """The sign-offs a gate policy asks of a request at `gate` for a model of `tier`."""
    by_tier = policy["gates"][gate]["signoffs"]
    if tier not in by_tier:
        raise KeyError(f"the gate policy names no sign-offs for {tier} at the {gate} gate")
    # In the order of ROLES, whatever order the stored policy keeps its keys in (jsonb sorts).
    wanted = by_tier[tier]
    return tuple(Requirement(role, int(wanted[role])) for role in ROLES if role in wanted)


def progress(requirements: Iterable[Requirement], given: Iterable[Given]) -> Progress:
    requirements = tuple(requirements)
    given = tuple(given)
    approvals = Counter(g.role for g in given if g.decision != REJECT)
    outstanding = tuple(
        Requirement(r.role, r.count - approvals[r.role])
        for r in requirements
        if approvals[r.role] < r.count
    )
    rejected = tuple(g for g in given if g.decision == REJECT)
    return Progress(requirements, dict(approvals), outstanding, rejected)


def check_signer(
    *,
    signer: int,
    role: str,
    holds: Iterable[str],
    owner: int,
    requester: int | None,
    builders: Mapping[int, str],
    requirements: Iterable[Requirement],
    given: Iterable[Given],
    behind: Iterable[int] = (),
) -> None:
    """Refuse a sign-off that breaks a rule; `builders` maps each person who built the version
    to why ("dev registered version 2.0"), `behind` names the people controlling the signer's
    account, who count as the signer."""
    requirements = tuple(requirements)
    given = tuple(given)
    people = {signer, *behind}
    wanted = {r.role: r.count for r in requirements}
    if role not in wanted:
        needed = ", ".join(r.role for r in requirements)
        raise Refused("role", f"this request needs no {role} sign-off (it needs: {needed})")
    if role not in set(holds):
        raise Refused("role", f"you do not hold the {role} role for this model")
    if owner in people:
        raise Refused("signer", "you own this model; its sign-offs must come from someone else")
    built = sorted(people & set(builders))
    if built:
        raise Refused("signer", f"you built this version ({builders[built[0]]})")
    if requester is not None and requester in people:
        raise Refused("signer", "you submitted this request; someone else must sign it off")
    mine = [g for g in given if g.signer in people]
    if mine:
        raise Refused(
            "signer",
            f"you already signed off as {mine[0].role}; one person fills one role per request",
        )
    done = progress(requirements, given).approvals.get(role, 0)
    if done >= wanted[role]:
        raise Refused("role", f"the {role} sign-offs are already complete ({done} of {done})")


@dataclass(frozen=True)
class Shortfall:
    """Roles whose `needed` sign-offs have only `eligible` distinct people to give them, one
    role each: a single role short of holders, or roles that only the same few people could fill."""

    roles: tuple[str, ...]
    needed: int
    eligible: int


def shortfalls(
    requirements: Iterable[Requirement], eligible: Mapping[str, Collection[int]]
) -> tuple[Shortfall, ...]:
    """The roles no assignment of distinct people can fill, `eligible` naming who may sign in each.

    A person eligible in two roles signs in one of them, so the roles' seats are matched to
    people (augmenting paths) and the seats left empty traced back to the roles that compete
    for too few people: each group of such roles is one shortfall (Hall's condition fails on it).
    """
    requirements = tuple(requirements)
    seats = [r.role for r in requirements for _ in range(r.count)]
    seated: dict[int, int] = {}  # person -> seat

    def seat(index: int, tried: set[int]) -> bool:
        for person in sorted(eligible.get(seats[index], ())):
            if person not in tried:
                tried.add(person)
                if person not in seated or seat(seated[person], tried):
                    seated[person] = index
                    return True
        return False

    empty = {seats[index] for index in range(len(seats)) if not seat(index, set())}
    return tuple(_short_groups(requirements, eligible, empty, seated, seats))


def _short_groups(
    requirements: tuple[Requirement, ...],
    eligible: Mapping[str, Collection[int]],
    empty: set[str],
    seated: Mapping[int, int],
    seats: list[str],
) -> Iterable[Shortfall]:
    """From the roles with an empty seat, the roles their people sit in instead, and so on;
    then split into groups that share no one."""
    reached, frontier = set(empty), list(empty)
    while frontier:
        for person in eligible.get(frontier.pop(), ()):
            role = seats[seated[person]]
            if role not in reached:
                reached.add(role)
                frontier.append(role)
    groups: list[tuple[set[str], set[int]]] = []
    for role in (r.role for r in requirements if r.role in reached):
        people = set(eligible.get(role, ()))
        joined = [g for g in groups if g[1] & people]
        groups = [g for g in groups if not g[1] & people]
        groups.append(
            (
                {role}.union(*(g[0] for g in joined)),
                people.union(*(g[1] for g in joined)),
            )
        )
    needed = {r.role: r.count for r in requirements}
    order = [r.role for r in requirements]
    for roles, people in sorted(groups, key=lambda g: min(order.index(r) for r in g[0])):
        named = tuple(r for r in order if r in roles)
        yield Shortfall(named, sum(needed[r] for r in named), len(people))
