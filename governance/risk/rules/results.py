"""What every rules module returns and raises: plain, frozen data the Django layer stores."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# `shown_if=(key, ANY)`: shown once `key` has an answer other than NONE ("none of these").
ANY = "*"
NONE = "none"
# "Not known yet": an answer that leaves the question open and the result provisional.
UNKNOWN = "unknown"
NOT_KNOWN = "Not known yet"  # how UNKNOWN reads


@dataclass(frozen=True)
class Question:
    """One questionnaire item; the UI renders it generically and saves answers as you go.

    kind: "bool", "choice" (one of `choices`), "multi" (several of `choices`), "number", "text".
    `shown_if` names another question and the answer that makes this one relevant
    (e.g. ("annex_iii_area", ANY) means "shown when annex_iii_area has an answer other than
    NONE"). One rule for the rules modules, the UI and the API: `shown`.
    """

    key: str
    text: str
    kind: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    shown_if: tuple[str, object] | None = None
    required: bool = True
    # A yes/no or number question that also takes UNKNOWN ("not known yet"): the rules then give
    # a provisional result on the cautious side. Choice questions offer UNKNOWN as a choice.
    unknown: bool = False


@dataclass(frozen=True)
class Reason:
    """One rule that fired: which answers led to it, and the legal basis it rests on."""

    rule: str  # stable id, e.g. "eu.art5.1.c" or "tier.score.threshold"
    basis: str  # e.g. "Art. 5(1)(c)", "SR 26-2 §III", "PRA SS1/23 Principle 1.3"
    because: str  # a sentence for people, naming the answers
    answers: tuple[str, ...] = ()  # questionnaire keys that led here


@dataclass(frozen=True)
class Outcome:
    """A classification under one framework.

    `result` is the headline (an EU AI Act category id such as "high_risk_annex_iii", or a tier
    "tier_1" / "tier_2" / "tier_3", or for scoping "in_scope" / "out_of_scope");
    `labels` is every category/tier label that obligations may key on (headline first;
    e.g. ("high_risk_annex_iii", "transparency", "ai_literacy")); `details` holds the
    framework's extras (score breakdown, cadence, approvers, application dates, role).
    """

    framework: str
    result: str
    legal_basis: tuple[str, ...]
    reasons: tuple[Reason, ...]
    labels: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class AnswersIncomplete(ValueError):  # noqa: N818 - reads as the domain says it
    """Required answers are missing: the assessment stays a draft and yields no result."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"unanswered: {', '.join(missing)}")
        self.missing = missing


class AnswersContradict(ValueError):  # noqa: N818 - reads as the domain says it
    """Two answers cannot both be true; `field` names the answer to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def is_blank(value: object) -> bool:
    return value is None or value == "" or value == []


def _condition_holds(wanted: object, value: object) -> bool:
    if wanted == ANY:
        # A multi answer holds when it ticks something other than "none of these".
        if isinstance(value, list):
            return any(choice != NONE for choice in value)
        return not is_blank(value) and value != NONE
    if isinstance(value, list):
        return wanted in value
    return value == wanted


def shown(questions: Iterable[Question], answers: Mapping[str, Any]) -> list[Question]:
    """The questions relevant to these answers, in order.

    A question hidden by its condition hides those that depend on it too, so a stale answer to
    a hidden question never reveals another. Conditions refer to earlier questions.
    """
    asked = list(questions)
    known = {q.key for q in asked}
    relevant: list[Question] = []
    visible: set[str] = set()
    for question in asked:
        if question.shown_if is not None:
            key, wanted = question.shown_if
            hidden_parent = key in known and key not in visible
            if hidden_parent or not _condition_holds(wanted, answers.get(key)):
                continue
        relevant.append(question)
        visible.add(question.key)
    return relevant


def unanswered(questions: Iterable[Question], answers: Mapping[str, Any]) -> list[Question]:
    """Shown, required questions without an answer: no result can be given yet."""
    return [q for q in shown(questions, answers) if q.required and is_blank(answers.get(q.key))]


# ---- Reading a result on a given day -----------------------------------------------------------


def in_force(applies_from: Mapping[str, str], on: datetime.date) -> dict[str, bool]:
    """Whether each label's obligations apply on `on`, from its application date (ISO text).

    Computed whenever a result is read, never stored: a flag stored when the assessment was
    completed would still say "not yet" after the date had passed.
    """
    return {label: datetime.date.fromisoformat(day) <= on for label, day in applies_from.items()}


def details_on(details: Mapping[str, Any], on: datetime.date) -> dict[str, Any]:
    """An outcome's details as read on `on`: `in_force` follows `applies_from`, computed for that
    day; an `in_force` stored by earlier versions of Attest is ignored."""
    read: dict[str, Any] = {}
    for key, value in details.items():
        if key == "in_force":
            continue
        read[key] = value
        if key == "applies_from":
            read["in_force"] = in_force(value, on)
    return read


@dataclass(frozen=True)
class Changes:
    """What differs between the result on one day (`then`) and on another (`now`)."""

    result: tuple[str, str] | None  # (then, now), only when the headline changed
    labels_added: tuple[str, ...]  # labels now that were not there then
    labels_removed: tuple[str, ...]
    citations_added: tuple[str, ...]
    citations_removed: tuple[str, ...]
    in_force_changed: tuple[tuple[str, bool, bool], ...]  # (label, in force then, now)

    @property
    def any(self) -> bool:
        return bool(
            self.result
            or self.labels_added
            or self.labels_removed
            or self.citations_added
            or self.citations_removed
            or self.in_force_changed
        )


def _gained(before: Iterable[str], after: Iterable[str]) -> tuple[str, ...]:
    seen = set(before)
    return tuple(item for item in after if item not in seen)


def changes(then: Outcome, then_on: datetime.date, now: Outcome, now_on: datetime.date) -> Changes:
    """The differences between two results, each read on its own day."""
    forced_then = in_force(then.details.get("applies_from", {}), then_on)
    forced_now = in_force(now.details.get("applies_from", {}), now_on)
    return Changes(
        result=(then.result, now.result) if then.result != now.result else None,
        labels_added=_gained(then.labels, now.labels),
        labels_removed=_gained(now.labels, then.labels),
        citations_added=_gained(then.legal_basis, now.legal_basis),
        citations_removed=_gained(now.legal_basis, then.legal_basis),
        in_force_changed=tuple(
            (label, forced_then[label], forced_now[label])
            for label in now.labels
            if label in forced_then
            and label in forced_now
            and forced_then[label] != forced_now[label]
        ),
    )
