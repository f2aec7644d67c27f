"""How much of a model's checklist is covered, and what is due next. Plain data in and out."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

from governance.risk.rules.obligations import (
    BEFORE_DEPLOYMENT,
    BEFORE_VALIDATION,
    DEFAULT_STAGE,
    STAGES,
)

# The stages due by where a model stands (its status): in development it heads for validation,
# which asks for what is due before validation; in validation it heads for deployment, which also
# asks for what is due before deployment (the gates count the same stages,
# approvals.rules.policy.STAGES_DUE_AT); ongoing duties fall due once the model is in use.
STAGES_DUE_BY_STATUS: dict[str, tuple[str, ...]] = {
    "development": (BEFORE_VALIDATION,),
    "validation": (BEFORE_VALIDATION, BEFORE_DEPLOYMENT),
}


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
    missing: int  # due, with nothing yet or a waiver that has expired
    expired_waivers: int
    not_due: int = 0  # nothing yet, and not due yet (a later stage, or a date still to come)
    due_next: list[Item] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        later = f", {self.not_due} not due yet" if self.not_due else ""
        return (
            f"{self.evidenced} of {self.total} obligations evidenced, "
            f"{self.waived} waived, {self.missing} missing{later}"
        )


def stages_due(model_status: str) -> tuple[str, ...]:
    """The obligation stages due for a model with this status; every stage once it is in use."""
    return STAGES_DUE_BY_STATUS.get(model_status, STAGES)


def is_due(item: Item, today: date, stages: Collection[str] = STAGES) -> bool:
    """Due now: its stage is among those due, and the date it applies from (if any) has come."""
    return item.stage in stages and (item.due_on is None or item.due_on <= today)


def effective_status(item: Item, today: date) -> str:
    """An expired waiver stops counting: the obligation is missing again."""
    if item.status == "waived" and (
        item.waiver_expires_on is None or item.waiver_expires_on < today
    ):
        return "missing"
    return item.status


def summarise(
    items: Iterable[Item], today: date, *, stages: Collection[str] = STAGES, due_count: int = 3
) -> Coverage:
    """The counts for a checklist; `stages` are those due (`stages_due`), the rest not due yet."""
    items = list(items)
    statuses = [effective_status(item, today) for item in items]
    open_items = [item for item, s in zip(items, statuses, strict=True) if s == "missing"]
    due = [item for item in open_items if is_due(item, today, stages)]
    # What is due comes first; undated obligations apply now, so they come before anything with
    # a future date; among those due together, what the next gate needs first (ongoing last).
    due_next = sorted(
        open_items,
        key=lambda i: (
            not is_due(i, today, stages),
            i.due_on is not None,
            i.due_on or today,
            STAGES.index(i.stage),
            i.reference,
        ),
    )
    return Coverage(
        total=len(items),
        evidenced=sum(s in {"evidenced", "accepted"} for s in statuses),
        accepted=statuses.count("accepted"),
        waived=statuses.count("waived"),
        missing=len(due),
        not_due=len(open_items) - len(due),
        expired_waivers=sum(
            item.status == "waived" and s == "missing"
            for item, s in zip(items, statuses, strict=True)
        ),
        due_next=due_next[:due_count],
    )
