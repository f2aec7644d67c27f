"""What every rules module returns and raises: plain, frozen data the Django layer stores."""

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
