"""How much of a model's checklist is covered, and what is due next. Plain data in and out."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from governance.risk.rules.obligations import DEFAULT_STAGE, STAGES


@dataclass(frozen=True)
class Item:
    """One applicable obligation as the summary needs it."""

    reference: str
    title: str
    status: str  # missing / evidenced / accepted / waived
    due_on: date | None = None
    waiver_expires_on: date | None = None
    stage: str = DEFAULT_STAGE  # before_validation / before_deployment / ongoing


@dataclass(frozen=True)
class Coverage:
    total: int
    evidenced: int  # evidenced or accepted
    accepted: int
    waived: int  # waivers still running
    missing: int  # nothing yet, or a waiver that has expired
    expired_waivers: int
    due_next: list[Item] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return (
            f"{self.evidenced} of {self.total} obligations evidenced, "
            f"{self.waived} waived, {self.missing} missing"
        )


def effective_status(item: Item, today: date) -> str:
    """An expired waiver stops counting: the obligation is missing again."""
    if item.status == "waived" and (
        item.waiver_expires_on is None or item.waiver_expires_on < today
    ):
        return "missing"
    return item.status


def summarise(items: Iterable[Item], today: date, *, due_count: int = 3) -> Coverage:
    items = list(items)
    statuses = [effective_status(item, today) for item in items]
    open_items = [item for item, s in zip(items, statuses, strict=True) if s == "missing"]
    # Undated obligations apply now, so they come before anything with a future date; among
    # those due together, what the next gate needs first (ongoing duties last).
    due_next = sorted(
        open_items,
        key=lambda i: (i.due_on is not None, i.due_on or today, STAGES.index(i.stage), i.reference),
    )
    return Coverage(
        total=len(items),
        evidenced=sum(s in {"evidenced", "accepted"} for s in statuses),
        accepted=statuses.count("accepted"),
        waived=statuses.count("waived"),
        missing=statuses.count("missing"),
        expired_waivers=sum(
            item.status == "waived" and s == "missing"
            for item, s in zip(items, statuses, strict=True)
        ),
        due_next=due_next[:due_count],
    )
