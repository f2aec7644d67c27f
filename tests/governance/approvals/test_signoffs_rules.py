"""Required sign-offs per tier and gate, segregation of duties and quorum (pure rules)."""

import itertools
import random

import pytest
import yaml
from django.conf import settings

from governance.approvals.rules import signoffs
from governance.approvals.rules.signoffs import ROLES, Given, Refused, Requirement

POLICY_FILE = settings.BASE_DIR / "governance/rulebooks/data/gate_policy/default-2026.yaml"
POLICY = yaml.safe_load(POLICY_FILE.read_text())


@pytest.mark.parametrize(
    ("gate", "tier", "expected"),
    [
        ("validation", "tier_1", {"validator": 2}),
        ("validation", "tier_3", {"validator": 1}),
        ("deployment", "tier_1", {"validator": 1, "committee": 2, "compliance": 1, "legal": 1}),
        ("deployment", "tier_2", {"validator": 1, "committee": 1}),
        ("deployment", "tier_3", {"validator": 1}),
        ("periodic_review", "tier_1", {"validator": 1, "committee": 1}),
        ("material_change", "tier_1", {"validator": 1, "committee": 2, "compliance": 1}),
        ("retirement", "tier_2", {"committee": 1}),
        ("retirement", "tier_3", {"validator": 1}),
    ],
)
def test_required_sign_offs_follow_tier_and_gate(gate: str, tier: str, expected: dict) -> None:
    required = signoffs.required(POLICY, gate, tier)
    assert {r.role: r.count for r in required} == expected


def test_a_tier_the_policy_does_not_name_is_an_error() -> None:
    with pytest.raises(KeyError, match="tier_9"):
        signoffs.required(POLICY, "deployment", "tier_9")


TIER_1_DEPLOYMENT = (
    Requirement("validator", 1),
    Requirement("committee", 2),
    Requirement("compliance", 1),
    Requirement("legal", 1),
)


def check(signer: int, role: str, *, given=(), holds=None, builders=None, requester=None) -> None:
    signoffs.check_signer(
        signer=signer,
        role=role,
        holds=holds if holds is not None else {role},
        owner=1,
        requester=requester,
        builders=builders or {},
        requirements=TIER_1_DEPLOYMENT,
        given=given,
    )


def test_an_eligible_independent_person_may_sign() -> None:
    check(10, "committee")  # no exception


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        ({"signer": 1, "role": "committee"}, "signer", "you own this model"),
        (
            {"signer": 5, "role": "validator", "builders": {5: "you registered version 2.0"}},
            "signer",
            "you built this version (you registered version 2.0)",
        ),
        ({"signer": 6, "role": "legal", "requester": 6}, "signer", "you submitted this request"),
        (
            {"signer": 7, "role": "validator", "holds": {"committee"}},
            "role",
            "do not hold the validator role",
        ),
        (
            {"signer": 8, "role": "auditor", "holds": {"auditor"}},
            "role",
            "needs no auditor sign-off",
        ),
    ],
)
def test_segregation_of_duties(kwargs: dict, field: str, reason: str) -> None:
    with pytest.raises(Refused) as refused:
        check(**kwargs)
    assert refused.value.field == field
    assert reason in refused.value.reason


def test_one_person_cannot_fill_two_required_roles() -> None:
    given = [Given("committee", 10, "approve")]
    with pytest.raises(Refused, match="already signed off as committee"):
        check(10, "compliance", given=given, holds={"committee", "compliance"})


def test_a_role_cannot_be_signed_beyond_its_count() -> None:
    given = [Given("validator", 11, "approve")]
    with pytest.raises(Refused, match="validator sign-offs are already complete"):
        check(12, "validator", given=given)


def test_committee_quorum_needs_two_distinct_members() -> None:
    one = signoffs.progress(TIER_1_DEPLOYMENT, [Given("committee", 10, "approve")])
    assert Requirement("committee", 1) in one.outstanding
    assert not one.complete
    given = [
        Given("validator", 11, "approve"),
        Given("committee", 10, "approve_with_conditions"),
        Given("committee", 12, "approve"),
        Given("compliance", 13, "approve"),
        Given("legal", 14, "approve"),
    ]
    assert signoffs.progress(TIER_1_DEPLOYMENT, given).complete


def test_a_rejection_decides_whatever_else_is_outstanding() -> None:
    given = [Given("validator", 11, "approve"), Given("committee", 10, "reject")]
    progress = signoffs.progress(TIER_1_DEPLOYMENT, given)
    assert not progress.complete
    assert progress.rejected_by == (Given("committee", 10, "reject"),)


# ---- Seating distinct people in every role (escalation) -----------------------------------------


def short(requirements: tuple[Requirement, ...], eligible: dict) -> list[tuple]:
    return [(s.roles, s.needed, s.eligible) for s in signoffs.shortfalls(requirements, eligible)]


VALIDATOR_AND_COMMITTEE = (Requirement("validator", 1), Requirement("committee", 1))


@pytest.mark.parametrize(
    ("requirements", "eligible", "expected"),
    [
        # Enough distinct people: nobody is short.
        (VALIDATOR_AND_COMMITTEE, {"validator": {1}, "committee": {2}}, []),
        # One person eligible in both roles and someone else in one: seated apart.
        (VALIDATOR_AND_COMMITTEE, {"validator": {1}, "committee": {1, 2}}, []),
        (VALIDATOR_AND_COMMITTEE, {"validator": {1, 2}, "committee": {1}}, []),
        # The same one person is the only candidate for both: one role stays empty.
        (
            VALIDATOR_AND_COMMITTEE,
            {"validator": {1}, "committee": {1}},
            [(("validator", "committee"), 2, 1)],
        ),
        # A role nobody holds, and one with too few for its quorum.
        (
            (Requirement("validator", 1), Requirement("committee", 2), Requirement("legal", 1)),
            {"validator": {1}, "committee": {2}},
            [(("committee",), 2, 1), (("legal",), 1, 0)],
        ),
        # A quorum of two and a validator among the same two people.
        (
            (Requirement("validator", 1), Requirement("committee", 2)),
            {"validator": {1, 2}, "committee": {1, 2}},
            [(("validator", "committee"), 3, 2)],
        ),
        # Only the roles that compete for too few people are named, each group on its own.
        (
            TIER_1_DEPLOYMENT,
            {"validator": {1}, "committee": {2, 3}, "compliance": {4}, "legal": {4}},
            [(("compliance", "legal"), 2, 1)],
        ),
        (
            TIER_1_DEPLOYMENT,
            {"validator": {1}, "committee": {1, 2}, "compliance": {4}, "legal": {4}},
            [(("validator", "committee"), 3, 2), (("compliance", "legal"), 2, 1)],
        ),
        # Only 1 can sit on the committee, so 2 validates and 3 takes compliance.
        (
            (
                Requirement("validator", 1),
                Requirement("committee", 1),
                Requirement("compliance", 1),
            ),
            {"validator": {1, 2}, "committee": {1}, "compliance": {2, 3}},
            [],
        ),
        ((), {}, []),
    ],
)
def test_shortfalls_seat_distinct_people_in_every_required_role(
    requirements: tuple[Requirement, ...], eligible: dict, expected: list[tuple]
) -> None:
    assert short(requirements, eligible) == expected


def fillable_by_brute_force(requirements: tuple[Requirement, ...], eligible: dict) -> bool:
    seats = [r.role for r in requirements for _ in range(r.count)]
    people = sorted(set().union(*eligible.values())) if eligible else []
    return any(
        all(person in eligible.get(role, ()) for role, person in zip(seats, chosen, strict=True))
        for chosen in itertools.permutations(people, len(seats))
    )


@pytest.mark.parametrize("seed", range(200))
def test_shortfalls_agree_with_trying_every_assignment(seed: int) -> None:
    rng = random.Random(seed)
    roles = rng.sample(ROLES, rng.randint(1, 4))
    requirements = tuple(Requirement(role, rng.randint(1, 2)) for role in roles)
    eligible = {role: set(rng.sample(range(5), rng.randint(0, 3))) for role in roles}
    found = signoffs.shortfalls(requirements, eligible)
    assert (found == ()) == fillable_by_brute_force(requirements, eligible)
    for shortfall in found:  # each names roles that together have too few people
        people = set().union(*(eligible[role] for role in shortfall.roles))
        assert shortfall.eligible == len(people) < shortfall.needed
