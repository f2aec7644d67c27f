"""What every rules module returns and raises: plain, frozen data the Django layer stores."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Question:
    """One questionnaire item; the UI renders it generically and saves answers as you go.

    kind: "bool", "choice" (one of `choices`), "multi" (several of `choices`), "number", "text".
    `shown_if` names another question and the answer that makes this one relevant
    (e.g. ("annex_iii_area", "*") means "shown when annex_iii_area has any value").
    """

    key: str
    text: str
    kind: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    shown_if: tuple[str, object] | None = None
    required: bool = True


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
