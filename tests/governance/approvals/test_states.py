"""The request state machine, every (state, action) pair: legal moves and refusals with reasons."""

import itertools
import re

import pytest

from governance.approvals.rules import states

LEGAL = {
    ("draft", "submit"): "submitted",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "start_review"): "in_review",
    ("submitted", "withdraw"): "withdrawn",
    ("in_review", "approve"): "approved",
    ("in_review", "approve_with_conditions"): "approved_with_conditions",
    ("in_review", "reject"): "rejected",
    ("in_review", "withdraw"): "withdrawn",
}

ILLEGAL = [pair for pair in itertools.product(states.STATES, states.ACTIONS) if pair not in LEGAL]


@pytest.mark.parametrize(("state", "action"), list(LEGAL))
def test_legal_transition(state: str, action: str) -> None:
    assert states.next_state(state, action) == LEGAL[(state, action)]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transition_is_refused_with_a_reason(state: str, action: str) -> None:
    with pytest.raises(states.IllegalTransition) as refused:
        states.next_state(state, action)
    assert refused.value.reason
    assert refused.value.state == state


@pytest.mark.parametrize(
    ("state", "action", "reason"),
    [
        ("approved", "reject", "already decided (approved); open a new request"),
        ("rejected", "submit", "already decided (rejected)"),
        ("withdrawn", "approve", "was withdrawn"),
        ("draft", "approve", "only a request in review can be decided; this one is draft"),
        ("in_review", "submit", "only a draft can be submitted; this one is in review"),
        ("draft", "start_review", "only a submitted request can go into review"),
    ],
)
def test_reasons_say_what_is_wrong(state: str, action: str, reason: str) -> None:
    with pytest.raises(states.IllegalTransition, match=re.escape(reason)):
        states.next_state(state, action)


def test_unknown_state_and_action() -> None:
    with pytest.raises(states.IllegalTransition, match="unknown state"):
        states.next_state("lost", "submit")
    with pytest.raises(states.IllegalTransition, match="unknown action"):
        states.next_state("draft", "escalate")


def test_decided_and_withdrawn_requests_allow_nothing() -> None:
    for state in (*states.DECIDED, states.WITHDRAWN):
        assert states.allowed_actions(state) == ()
    assert set(states.allowed_actions("in_review")) == {
        "approve",
        "approve_with_conditions",
        "reject",
        "withdraw",
    }
