"""The demo's history as one list of dated steps, run in time order with the clock set to each.

Each part of the portfolio (people, inventory, risk, monitoring, approvals) adds the steps it
took and when; `run` sorts them by their instant (ties keep the order they were added in) and
performs each with the clock travelled to that instant. So every record, decision and audit event
carries the date it happened, and the audit chain runs in time order.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import time_machine

from governance.demo.spec import at

Action = Callable[[], object]


@dataclass(frozen=True)
class Step:
    instant: datetime
    order: int
    label: str
    action: Action = field(compare=False)


@dataclass
class Timeline:
    """Dated steps, run oldest first; `start` is the day Attest went live at the bank."""

    start: date
    steps: list[Step] = field(default_factory=list)

    def add(self, instant: datetime, label: str, action: Action) -> None:
        self.steps.append(Step(instant, len(self.steps), label, action))

    def on(self, day: date | str, hour: int = 9, minute: int = 0) -> datetime:
        """The instant of `day` at `hour`, or of the go-live day when `day` is before it (work
        done before Attest was recorded on the day it went live: back-filled)."""
        day = date.fromisoformat(day) if isinstance(day, str) else day
        return at(max(day, self.start).isoformat(), hour) + timedelta(minutes=minute)

    def run(self) -> int:
        """Perform every step in time order; return how many ran."""
        for step in sorted(self.steps, key=lambda s: (s.instant, s.order)):
            with time_machine.travel(step.instant, tick=False):
                try:
                    step.action()
                except Exception as error:
                    error.add_note(f"demo step {step.label!r} at {step.instant:%Y-%m-%d %H:%M}")
                    raise
        return len(self.steps)
