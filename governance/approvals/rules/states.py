"""The approval request's state machine: every legal move in one table, every other one refused."""

from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
APPROVED = "approved"
APPROVED_WITH_CONDITIONS = "approved_with_conditions"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

STATES = (DRAFT, SUBMITTED, IN_REVIEW, APPROVED, APPROVED_WITH_CONDITIONS, REJECTED, WITHDRAWN)
OPEN = frozenset({DRAFT, SUBMITTED, IN_REVIEW})
DECIDED = frozenset({APPROVED, APPROVED_WITH_CONDITIONS, REJECTED})
APPROVALS = frozenset({APPROVED, APPROVED_WITH_CONDITIONS})

# (state, action) -> next state. Approvals do not move on: they lapse (see validity), and a
# fresh request is how they are renewed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, "submit"): SUBMITTED,
    (DRAFT, "withdraw"): WITHDRAWN,
    (SUBMITTED, "start_review"): IN_REVIEW,
    (SUBMITTED, "withdraw"): WITHDRAWN,
    (IN_REVIEW, "approve"): APPROVED,
    (IN_REVIEW, "approve_with_conditions"): APPROVED_WITH_CONDITIONS,
    (IN_REVIEW, "reject"): REJECTED,
    (IN_REVIEW, "withdraw"): WITHDRAWN,
}
ACTIONS = tuple(dict.fromkeys(action for _, action in TRANSITIONS))


@dataclass(frozen=True)
class IllegalTransition(Exception):  # noqa: N818 - reads as the domain says it
    """The request cannot take this action from where it stands; `reason` says why."""

    state: str
    action: str
    reason: str

    def __str__(self) -> str:
        return self.reason


def _why_not(state: str, action: str) -> str:
    if state in DECIDED:
        return f"the request was already decided ({state.replace('_', ' ')}); open a new request"
    if state == WITHDRAWN:
        return "the request was withdrawn; open a new request"
    if action in {"approve", "approve_with_conditions", "reject"}:
        return f"only a request in review can be decided; this one is {state.replace('_', ' ')}"
    if action == "submit":
        return f"only a draft can be submitted; this one is {state.replace('_', ' ')}"
    if action == "start_review":
        return f"only a submitted request can go into review; this one is {state.replace('_', ' ')}"
    return f"cannot {action.replace('_', ' ')} a request that is {state.replace('_', ' ')}"


def next_state(state: str, action: str) -> str:
    """Where `action` takes a request in `state`, or IllegalTransition with the reason."""
    if state not in STATES:
        raise IllegalTransition(state, action, f"unknown state {state!r}")
    if action not in ACTIONS:
        raise IllegalTransition(state, action, f"unknown action {action!r}")
    found = TRANSITIONS.get((state, action))
    if found is None:
        raise IllegalTransition(state, action, _why_not(state, action))
    return found


def allowed_actions(state: str) -> tuple[str, ...]:
    return tuple(action for (source, action) in TRANSITIONS if source == state)
