"""The report's first page in words: the portfolio's status and sentences written from its figures.

Plain data in, sentences out. Every number a sentence holds is a figure's value as the report
prints it, so the words never say anything the tables do not.

The status is red when a model in production runs on an expired validation or a finding of the
highest severity is overdue; amber when anything else waits past its date (findings, periodic
reviews, approval conditions), a model in production has a critical alert unresolved, a waiver
ends within 30 days or monitoring SLA adherence falls below 90%; green otherwise; and no status at
all while the inventory is empty.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from reports.kpis.figures import Figure

GREEN, AMBER, RED, NO_DATA = "green", "amber", "red", "none"
STATUS_LABELS = {GREEN: "Green", AMBER: "Amber", RED: "Red", NO_DATA: "No data"}
EMPTY = "no model was in the inventory at the month's end"
SLA_FLOOR = 0.9
CALM = (
    "nothing is past its date, no production model has a critical alert and no waiver ends "
    "within 30 days"
)


@dataclass(frozen=True)
class Phrase:
    """How one count reads in a sentence, singular and plural ("{n}" stands for the number)."""

    one: str
    many: str

    def says(self, count: float) -> str:
        return (self.one if count == 1 else self.many).replace("{n}", f"{count:,.0f}")


# What needs a decision, worst first: the KPI keys and how their counts read.
RED_FLAGS = {
    "expired_validation": Phrase(
        "1 model in production runs on an expired validation",
        "{n} models in production run on an expired validation",
    ),
    "high_findings_overdue": Phrase(
        "1 {severity} finding is overdue", "{n} {severity} findings are overdue"
    ),
}
AMBER_FLAGS = {
    "findings_overdue": Phrase("1 finding is overdue", "{n} findings are overdue"),
    "failing_monitoring": Phrase(
        "1 model in production has a critical monitoring alert",
        "{n} models in production have a critical monitoring alert",
    ),
    "reviews_overdue": Phrase("1 periodic review is overdue", "{n} periodic reviews are overdue"),
    "conditions_overdue": Phrase(
        "1 approval condition is past its due date",
        "{n} approval conditions are past their due date",
    ),
    "waivers_expiring": Phrase(
        "1 waiver expires within 30 days", "{n} waivers expire within 30 days"
    ),
}


@dataclass(frozen=True)
class Status:
    """The portfolio's overall status and why."""

    level: str  # GREEN, AMBER or RED
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.level]


@dataclass(frozen=True)
class Narrative:
    """The first page's words: the status and three lists of sentences."""

    status: Status
    better: tuple[str, ...]
    worse: tuple[str, ...]
    decisions: tuple[str, ...]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _flags(figures: dict[str, Figure], phrases: dict[str, Phrase], severity: str) -> list[str]:
    return [
        phrase.says(value).replace("{severity}", severity.lower())
        for key, phrase in phrases.items()
        if key in figures and (value := figures[key].value)
    ]


def _sla(figures: dict[str, Figure]) -> list[str]:
    sla = figures.get("monitoring_sla")
    if sla is None or sla.value is None or sla.value >= SLA_FLOOR:
        return []
    return [f"monitoring SLA adherence is {sla.shown}, below {SLA_FLOOR:.0%}"]


def _concerns(figures: Sequence[Figure], severity: str) -> tuple[list[str], list[str]]:
    """The red facts and the amber facts among the figures."""
    keyed = {figure.key: figure for figure in figures}
    return _flags(keyed, RED_FLAGS, severity), _flags(keyed, AMBER_FLAGS, severity) + _sla(keyed)


def status(figures: Sequence[Figure], *, severity: str) -> Status:
    """Red, amber or green by the rule in this module's docstring, with the facts behind it;
    `severity` is the highest finding severity as people read it ("High"). An empty inventory
    has no status: there is nothing to be calm about."""
    inventory = next((f for f in figures if f.key == "inventory"), None)
    if inventory is not None and not inventory.value:
        return Status(NO_DATA, (EMPTY,))
    red, amber = _concerns(figures, severity)
    if red:
        return Status(RED, tuple(red))
    if amber:
        return Status(AMBER, tuple(amber))
    return Status(GREEN, (CALM,))


def _moved(figure: Figure) -> str:
    """How a figure that moved reads: "Open findings fell from 5 to 3"."""
    verb = "rose" if (figure.change or 0) > 0 else "fell"
    return _sentence(f"{figure.label} {verb} from {figure.shown_previous} to {figure.shown}")


def narrative(figures: Sequence[Figure], *, severity: str) -> Narrative:
    """What got better and worse since the month before (figures whose change is good or bad
    news), and what needs a decision: every red fact, then every amber one."""
    found = status(figures, severity=severity)
    better = tuple(_moved(f) for f in figures if f.verdict == "good")
    worse = tuple(_moved(f) for f in figures if f.verdict == "bad")
    red, amber = _concerns(figures, severity)
    return Narrative(found, better, worse, tuple(_sentence(fact) for fact in red + amber))
