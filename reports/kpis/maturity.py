"""MLOps maturity by business unit, levels 0 to 3, measured from what Attest sees.

The levels follow the MLOps maturity literature (Google's levels 0-2, Microsoft's 0-4), folded
into four steps that Attest can observe (docs/reports.md says how they map):

0. Manual: versions registered by hand, no monitoring pushed.
1. Monitored: most models have monitoring thresholds and their production models push results.
2. Automated pipeline: level 1, most versions registered by a pipeline (a service account), and
   alerts answered within two days.
3. Governed continuous delivery: level 2, nearly every version registered by a pipeline, nearly
   every model monitored, and every production deployment recorded after an open gate.

`practices` measures each business unit in one month from the month's plain rows; `assess`
scores one unit's measures; `maturity` does both for this month and the one before.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from reports.kpis.measures import MonthState

DAY = timedelta(days=1)
MOST, NEARLY_ALL = 0.5, 0.8  # shares of models or versions
ANSWERED_WITHIN = 2.0  # days, median from an alert's opening to its acknowledgement
LEVELS = {
    0: "Manual",
    1: "Monitored",
    2: "Automated pipeline",
    3: "Governed continuous delivery",
}


@dataclass(frozen=True)
class Practice:
    """What one business unit's models showed in one month; None where nothing was measured."""

    models: int  # not retired at the month's end
    monitored: float | None  # share of those models with an enabled monitoring threshold
    pushing: float | None  # share of its production models that pushed results in the month
    automated: float | None  # share of the month's new versions a pipeline registered
    answered: float | None  # median days to answer the alerts opened in the month
    gated: float | None  # share of the month's production deployments recorded at an open gate


@dataclass(frozen=True)
class Assessment:
    """A unit's level, and what keeps it from the next one (empty at level 3)."""

    level: int
    missing: tuple[str, ...]

    @property
    def label(self) -> str:
        return LEVELS[self.level]


@dataclass(frozen=True)
class UnitMaturity:
    """One business unit this month and the month before."""

    business_unit: str
    practice: Practice
    assessment: Assessment
    previous: Assessment | None  # None: the unit had no model the month before

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.assessment.level - self.previous.level


def _at_least(share: float | None, floor: float) -> bool:
    return share is not None and share >= floor


def _requirements(practice: Practice) -> tuple[tuple[tuple[bool, str], ...], ...]:
    """For each level above 0, its conditions: (met, what is missing when it is not)."""
    return (
        (
            (_at_least(practice.monitored, MOST), "most models monitored"),
            (_at_least(practice.pushing, MOST), "most production models pushing results"),
        ),
        (
            (_at_least(practice.automated, MOST), "most new versions registered by a pipeline"),
            (
                practice.answered is None or practice.answered <= ANSWERED_WITHIN,
                f"alerts answered within {ANSWERED_WITHIN:.0f} days",
            ),
        ),
        (
            (_at_least(practice.automated, NEARLY_ALL), "nearly all versions from a pipeline"),
            (_at_least(practice.monitored, NEARLY_ALL), "nearly all models monitored"),
            (practice.gated is None or practice.gated >= 1.0, "every deployment through a gate"),
        ),
    )


def assess(practice: Practice) -> Assessment:
    """The highest level whose conditions, and those of every level below it, are all met."""
    level = 0
    for conditions in _requirements(practice):
        missing = tuple(reason for met, reason in conditions if not met)
        if missing:
            return Assessment(level, missing)
        level += 1
    return Assessment(level, ())


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def practices(month: MonthState) -> dict[str, Practice]:
    """Each business unit's practice in the month, for the units with a model not retired."""
    unit_of = {m.row.id: m.business_unit for m in month.active}
    held = month.period.holds
    monitored = {p.model_id for p in month.data.policies if p.set_at < month.period.end}
    pushed = {p.model_id for p in month.data.pushes if held(p.received_at)}
    versions = [v for v in month.data.versions if held(v.registered_at) and v.model_id in unit_of]
    deployed = [d for d in month.data.production if held(d.started_at) and d.model_id in unit_of]
    answers: dict[str, list[float]] = defaultdict(list)
    for alert in month.raised:
        if alert.model_id in unit_of:
            answered = alert.answered_at or month.period.end  # unanswered: waiting still
            answers[unit_of[alert.model_id]].append((answered - alert.opened_at) / DAY)
    found = {}
    for unit in sorted(set(unit_of.values())):
        models = {m for m, u in unit_of.items() if u == unit}
        live = models & month.in_production
        mine = [v for v in versions if v.model_id in models]
        gates = [d for d in deployed if d.model_id in models]
        found[unit] = Practice(
            models=len(models),
            monitored=_share(len(models & monitored), len(models)),
            pushing=_share(len(live & pushed), len(live)),
            automated=_share(sum(v.automated for v in mine), len(mine)),
            answered=statistics.median(answers[unit]) if answers[unit] else None,
            gated=_share(sum(bool(d.gate_open) for d in gates), len(gates)),
        )
    return found


def maturity(month: MonthState, before: MonthState) -> tuple[UnitMaturity, ...]:
    """Every business unit with a model at the month's end, scored this month and the month
    before."""
    earlier = practices(before)
    return tuple(
        UnitMaturity(
            unit,
            practice,
            assess(practice),
            assess(earlier[unit]) if unit in earlier else None,
        )
        for unit, practice in practices(month).items()
    )
