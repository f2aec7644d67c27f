"""Approvals decay: whether an approval still holds is computed from what happened since."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Dated:
    """Something with a date that matters to an approval: a condition, a waiver, an event."""

    label: str
    on: date | None
    done: bool = False


@dataclass(frozen=True)
class ApprovalFacts:
    decided_on: date
    expires_on: date | None = None
    conditions: tuple[Dated, ...] = ()  # due dates; done once met
    waivers: tuple[Dated, ...] = ()  # the waivers it relied on, with their current expiry
    revalidation_due: date | None = None
    breaches: tuple[Dated, ...] = ()  # critical monitoring breaches, when raised
    material_changes: tuple[Dated, ...] = ()  # when made


def add_months(day: date, months: int) -> date:
    return day + relativedelta(months=months)


def _after(events: Iterable[Dated], decided_on: date) -> list[Dated]:
    return [e for e in events if e.on is not None and e.on >= decided_on]


def lapses(facts: ApprovalFacts, today: date) -> tuple[str, ...]:
    """Why the approval no longer holds on `today`; empty while it does."""
    why: list[str] = []
    if facts.expires_on is not None and facts.expires_on < today:
        why.append(f"the approval expired on {facts.expires_on:%Y-%m-%d}")
    why += [
        f"condition '{c.label}' was due on {c.on:%Y-%m-%d} and is not met"
        for c in facts.conditions
        if not c.done and c.on is not None and c.on < today
    ]
    why += [
        f"the waiver it relied on ({w.label}) "
        + (f"expired on {w.on:%Y-%m-%d}" if w.on is not None else "was withdrawn")
        for w in facts.waivers
        if w.on is None or w.on < today
    ]
    if facts.revalidation_due is not None and facts.revalidation_due < today:
        why.append(f"revalidation fell due on {facts.revalidation_due:%Y-%m-%d}")
    why += [
        f"critical monitoring breach on {b.on:%Y-%m-%d}: {b.label}"
        for b in _after(facts.breaches, facts.decided_on)
    ]
    why += [
        f"material change on {m.on:%Y-%m-%d}: {m.label}"
        for m in _after(facts.material_changes, facts.decided_on)
    ]
    return tuple(why)
