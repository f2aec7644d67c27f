"""Why the four eyes held on a request: each required role, who filled it, each rule checked.

An examiner reads this beside the sign-offs: not the owner, not anyone who built the version
through any path (lineage, RACI development through groups, the people behind a service
account), not the requester, one person per role, and the quorum each role needs.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from governance.access import selectors as people
from governance.approvals.models import ApprovalRequest, SignOff
from governance.approvals.rules import signoffs
from governance.labels import signer_noun

PATHS = (
    "registered the version, its training run or data, wrote its code, or develop the model "
    "through RACI, groups and service accounts included"
)


@dataclass(frozen=True)
class Filled:
    """One required role: how many approvals it needs and who gave them."""

    role: str
    needed: int
    signers: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return len(self.signers) >= self.needed


@dataclass(frozen=True)
class Check:
    """One rule of independence, whether it held, and on what it was checked."""

    rule: str
    held: bool
    detail: str


@dataclass(frozen=True)
class Statement:
    roles: tuple[Filled, ...]
    checks: tuple[Check, ...]

    @property
    def held(self) -> bool:
        return all(check.held for check in self.checks)


def _name(user: object) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return full or getattr(user, "username", "")


def _overlap(signers: Iterable[SignOff], others: set[int]) -> list[str]:
    return sorted(
        {_name(s.signer) for s in signers if people.people_behind(s.signer).keys() & others}
    )


def statement_of(request: ApprovalRequest, sign_offs: Iterable[SignOff] | None = None) -> Statement:
    """The independence statement of a request, from its sign-offs (the approving ones count)."""
    given = [
        s
        for s in (
            sign_offs if sign_offs is not None else request.sign_offs.select_related("signer")
        )
        if s.decision != signoffs.REJECT
    ]
    filled = tuple(
        Filled(r.role, r.count, tuple(_name(s.signer) for s in given if s.role == r.role))
        for r in request.required_sign_offs()
    )
    return Statement(filled, _checks(request, given, filled))


def _checks(
    request: ApprovalRequest, given: list[SignOff], filled: tuple[Filled, ...]
) -> tuple[Check, ...]:
    owner = people.people_behind(request.model.owner)
    builders = people.builders_of(request.version)
    requester = people.people_behind(request.submitted_by) if request.submitted_by else {}
    roles_of: dict[int, set[str]] = {}
    names: dict[int, str] = {}
    for s in given:
        for person in people.people_behind(s.signer):
            roles_of.setdefault(person, set()).add(s.role)
            names.setdefault(person, _name(s.signer))
    twice = sorted(names[p] for p, held in roles_of.items() if len(held) > 1)
    owners_signing = _overlap(given, set(owner))
    builders_signing = _overlap(given, set(builders))
    requester_signing = _overlap(given, set(requester))
    quorum = (
        ", ".join(f"{len(f.signers)} of {f.needed} {signer_noun(f.role, f.needed)}" for f in filled)
        or "none required yet"
    )
    return (
        Check(
            "Not the model's owner",
            not owners_signing,
            f"{_name(request.model.owner)} owns the model"
            + (
                f"; signed by {', '.join(owners_signing)}"
                if owners_signing
                else ": not among the signers"
            ),
        ),
        Check(
            "Not a builder of the version, through any path",
            not builders_signing,
            f"{len(builders)} {'person' if len(builders) == 1 else 'people'} built it ({PATHS})"
            + (
                f"; signed by {', '.join(builders_signing)}"
                if builders_signing
                else ": none signed"
            ),
        ),
        Check(
            "Not the requester",
            not requester_signing,
            f"submitted by {_name(request.submitted_by)}"
            if request.submitted_by
            else "not submitted",
        ),
        Check(
            "One person per role",
            not twice,
            "each person signed in one role at most"
            if not twice
            else f"{', '.join(twice)} signed in more than one role",
        ),
        Check("Quorum", all(f.complete for f in filled) and bool(filled), quorum),
    )
