"""The portfolio as it stood at a month's end, and the definition of every figure.

Each public function here is one figure (or one breakdown) for one month; its docstring is the
definition the report prints beside it.
"""

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from reports.kpis.rows import (
    AlertRow,
    Choices,
    Classification,
    ConditionRow,
    CostSample,
    Decision,
    FieldChange,
    FindingRow,
    FirstProduction,
    ModelRow,
    MonthData,
    Period,
    Review,
    Validation,
    Waiver,
    live_at,
)

DAY = timedelta(days=1)
WAIVER_NOTICE = timedelta(
    days=30
)  # a waiver ending this soon after the month's end needs a decision
# Alert keys start with the threshold's signal (`drift:psi`, `freshness:days_since_data`).
DRIFT, FAIRNESS, FRESHNESS = "drift", "fairness", "freshness"


# ---- The portfolio at a month's end ------------------------------------------------------------


@dataclass(frozen=True)
class ModelAt:
    """A model as it stood at a month's end."""

    row: ModelRow
    status: str
    business_unit: str
    tier: str  # "" when not tiered
    category: str  # "" when no use case it serves is classified


@dataclass(frozen=True)
class OpenFinding:
    finding: FindingRow
    overdue: bool


@dataclass(frozen=True)
class MonthState:
    """The portfolio as it stood at one month's end, with the rows of what happened in it."""

    period: Period
    data: MonthData
    models: dict[int, ModelAt]  # registered by the month's end
    in_production: frozenset[int]
    open_findings: tuple[OpenFinding, ...]
    unresolved_alerts: tuple[AlertRow, ...]
    open_reviews: tuple[Review, ...]
    # What happened in the month:
    shipped: tuple[FirstProduction, ...]
    decided: tuple[Decision, ...]
    raised: tuple[AlertRow, ...]

    @property
    def active(self) -> list[ModelAt]:
        retired = self.data.vocabulary.retired
        return [m for m in self.models.values() if m.status != retired]


@dataclass(frozen=True)
class History:
    """The rows that describe models over time, grouped once for all the months asked."""

    changes: dict[tuple[int, str], list[FieldChange]]
    tiers: dict[int, list[Classification]]
    categories: dict[int, list[Classification]]
    use_cases_of: dict[int, list[int]]
    category_rank: dict[str, int]


def _grouped(rows: Iterable[Classification]) -> dict[int, list[Classification]]:
    grouped: dict[int, list[Classification]] = defaultdict(list)
    for row in rows:
        grouped[row.subject_id].append(row)
    return grouped


def history_of(data: MonthData) -> History:
    """Group the rows that describe models over time, once for all the months asked."""
    changes: dict[tuple[int, str], list[FieldChange]] = defaultdict(list)
    for change in sorted(data.changes, key=lambda c: c.at):
        changes[(change.model_id, change.field)].append(change)
    use_cases_of: dict[int, list[int]] = defaultdict(list)
    for use_case, model in data.use_cases:
        use_cases_of[model].append(use_case)
    return History(
        changes,
        _grouped(data.tiers),
        _grouped(data.categories),
        use_cases_of,
        ranks(data.vocabulary.categories),
    )


def ranks(choices: Choices) -> dict[str, int]:
    """Each value's position in report order (0 is the first: the worst, the highest)."""
    return {value: rank for rank, (value, _) in enumerate(choices)}


def _field_at(changes: Sequence[FieldChange], at: datetime, now: str) -> str:
    """The value just before `at`: set by the last change before it, else replaced by the first
    change after it, else (the trail says nothing) the value now."""
    earlier = [c for c in changes if c.at < at]
    if earlier:
        return earlier[-1].after
    if changes and changes[0].before is not None:
        return changes[0].before
    return now


def _in_force(classifications: Sequence[Classification], at: datetime) -> str:
    current = [c for c in classifications if live_at(c.valid_from, c.valid_to, at)]
    return max(current, key=lambda c: c.valid_from).result if current else ""


def _category(history: History, model_id: int, at: datetime) -> str:
    found = [_in_force(history.categories[u], at) for u in history.use_cases_of[model_id]]
    found = [category for category in found if category]
    worst = len(history.category_rank)
    return min(found, key=lambda c: (history.category_rank.get(c, worst), c), default="")


def _model_at(history: History, row: ModelRow, at: datetime) -> ModelAt:
    return ModelAt(
        row,
        _field_at(history.changes[(row.id, "status")], at, row.status),
        _field_at(history.changes[(row.id, "business_unit")], at, row.business_unit),
        _in_force(history.tiers[row.id], at),
        _category(history, row.id, at),
    )


def _open_finding(finding: FindingRow, at: datetime, day: date) -> OpenFinding | None:
    if finding.raised_at >= at:
        return None
    if finding.resolved_at is None or finding.resolved_at >= at:
        return OpenFinding(finding, overdue=finding.due_on < day)
    if finding.reopens_after is not None and finding.reopens_after < day:
        return OpenFinding(finding, overdue=True)  # the accepted risk is back, past its date
    return None


def _in_production(data: MonthData, models: dict[int, ModelAt], at: datetime) -> frozenset[int]:
    # A retired model is out of production even if a deployment was left open; a deployment
    # recorded after the fact may predate the model's registration: not counted either.
    retired = data.vocabulary.retired
    return frozenset(
        d.model_id
        for d in data.production
        if d.model_id in models
        and models[d.model_id].status != retired
        and live_at(d.started_at, d.ended_at, at)
    )


def month_state(data: MonthData, history: History, period: Period) -> MonthState:
    """The portfolio at the end of `period`, with the rows of what happened in it."""
    at, day = period.end, period.as_of_day
    models = {row.id: _model_at(history, row, at) for row in data.models if row.registered_at < at}
    found = (_open_finding(f, at, day) for f in data.findings)
    return MonthState(
        period=period,
        data=data,
        models=models,
        in_production=_in_production(data, models, at),
        open_findings=tuple(f for f in found if f is not None),
        unresolved_alerts=tuple(a for a in data.alerts if live_at(a.opened_at, a.resolved_at, at)),
        open_reviews=tuple(r for r in data.reviews if live_at(r.opened_at, r.closed_at, at)),
        shipped=tuple(v for v in data.first_production if period.holds(v.went_live_at)),
        decided=tuple(d for d in data.decisions if period.holds(d.decided_at)),
        raised=tuple(a for a in data.alerts if period.holds(a.opened_at)),
    )


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def _signal(alert: AlertRow) -> str:
    return alert.key.split(":", 1)[0]


# ---- The figures -------------------------------------------------------------------------------


def inventory(month: MonthState) -> float:
    """Models registered by the month's end and not retired then."""
    return len(month.active)


def in_production(month: MonthState) -> float:
    """Models registered by the month's end and not retired then, with a version live in
    production then: a production deployment started before then and not ended by then."""
    return len(month.in_production)


def shipped(month: MonthState) -> float:
    """Versions shipped: versions whose first production deployment started in the month (a
    version that goes back to production later is not counted again)."""
    return len(month.shipped)


def time_to_production(month: MonthState) -> float | None:
    """Median days from a version's registration to its first production deployment, over the
    versions shipped in the month. A version registered after it went live (history recorded
    after the fact) has no lead time and is left out; None when no version shipped."""
    return _median(
        (v.went_live_at - v.registered_at) / DAY
        for v in month.shipped
        if v.went_live_at >= v.registered_at
    )


def decisions(month: MonthState) -> float:
    """Approval requests decided in the month (approved, approved with conditions or
    rejected), at any gate."""
    return len(month.decided)


def approval_cycle(month: MonthState) -> float | None:
    """Median days from submission to decision of the approval requests decided in the month,
    at any gate; None, not 0, when none was decided."""
    return _median((d.decided_at - d.submitted_at) / DAY for d in month.decided)


def findings_open(month: MonthState) -> float:
    """Findings open at the month's end: raised by then and neither closed nor accepted as a
    risk by then. An accepted risk counts as open again once its acceptance has ended."""
    return len(month.open_findings)


def findings_overdue(month: MonthState) -> float:
    """Findings open at the month's end that were due before the next month's first day, and
    accepted risks whose acceptance had ended by then."""
    return sum(f.overdue for f in month.open_findings)


def _overdue(review: Review, day: date) -> bool:
    return review.due_on is not None and review.due_on < day


def reviews_due(month: MonthState) -> float:
    """Periodic reviews open at the month's end (opened by then, not decided or withdrawn by
    then) and not yet overdue. The scheduler opens each one a lead time before its due date."""
    day = month.period.as_of_day
    return sum(not _overdue(r, day) for r in month.open_reviews)


def reviews_overdue(month: MonthState) -> float:
    """Periodic reviews open at the month's end that were due before the next month's first
    day."""
    day = month.period.as_of_day
    return sum(_overdue(r, day) for r in month.open_reviews)


def _raised(month: MonthState, signal: str) -> float:
    return sum(_signal(a) == signal for a in month.raised)


def drift_incidents(month: MonthState) -> float:
    """Drift alerts (on drift thresholds) raised in the month, warning or critical. A
    repeated breach updates its unresolved alert, so each counts once however often it fires."""
    return _raised(month, DRIFT)


def fairness_incidents(month: MonthState) -> float:
    """Fairness alerts (on fairness thresholds) raised in the month, warning or critical,
    each counted once as for drift."""
    return _raised(month, FAIRNESS)


def monitoring_sla(month: MonthState) -> float | None:
    """Share of the models in production at the month's end that had no freshness alert
    (warning or critical) unresolved then: their data arrived as often as their tier asks,
    since every tier's defaults carry a staleness threshold. None when no model was in
    production."""
    if not month.in_production:
        return None
    stale = {a.model_id for a in month.unresolved_alerts if _signal(a) == FRESHNESS}
    return len(month.in_production - stale) / len(month.in_production)


def cost_per_request(month: MonthState) -> float | None:
    """Mean, over the LLM applications that reported a cost in the month, of the cost per
    request of each one's latest evaluation in the month; None when none reported one."""
    latest: dict[int, CostSample] = {}
    for sample in month.data.costs:
        if month.period.holds(sample.evaluated_at):
            known = latest.get(sample.model_id)
            if known is None or sample.evaluated_at >= known.evaluated_at:
                latest[sample.model_id] = sample
    return statistics.fmean(s.cost_per_request for s in latest.values()) if latest else None


def safety_pass_rate(month: MonthState) -> float | None:
    """Cases passed over cases run, summed over every safety evaluation of the month (a large
    suite weighs more than a small one); None when no case ran."""
    runs = [r for r in month.data.safety_runs if month.period.holds(r.evaluated_at)]
    cases = sum(r.cases for r in runs)
    return sum(r.passed for r in runs) / cases if cases else None


# ---- What needs a decision ---------------------------------------------------------------------


def validations_expired(month: MonthState) -> dict[int, date]:
    """Each model in production at the month's end whose latest validation approved by then had
    expired by then, with the last day that validation held."""
    latest: dict[int, Validation] = {}
    for validation in month.data.validations:
        known = latest.get(validation.model_id)
        if validation.approved_at < month.period.end and (
            known is None or validation.approved_at > known.approved_at
        ):
            latest[validation.model_id] = validation
    day = month.period.as_of_day
    return {
        model_id: validation.expires_on
        for model_id, validation in sorted(latest.items())
        if model_id in month.in_production
        and validation.expires_on is not None
        and validation.expires_on < day
    }


def conditions_late(month: MonthState) -> list[ConditionRow]:
    """Conditions of approvals set by the month's end, due before the next month's first day
    and not met by the month's end."""
    at, day = month.period.end, month.period.as_of_day
    return [
        c
        for c in month.data.conditions
        if c.set_at < at and c.due_on < day and (c.met_at is None or c.met_at >= at)
    ]


def waivers_ending(month: MonthState) -> list[Waiver]:
    """Policy exceptions in force at the month's end (granted, not revoked, not expired) that
    expire within 30 days of it."""
    at, day = month.period.end, month.period.as_of_day
    return [
        w
        for w in month.data.waivers
        if w.granted_at < at
        and (w.revoked_at is None or w.revoked_at >= at)
        and day <= w.expires_on < day + WAIVER_NOTICE
    ]


def high_findings(month: MonthState) -> list[OpenFinding]:
    """Findings of the worst severity open at the month's end and overdue then."""
    worst = month.data.vocabulary.finding_severities[0][0]
    return [f for f in month.open_findings if f.overdue and f.finding.severity == worst]


def expired_validation(month: MonthState) -> float:
    """Models in production at the month's end whose latest approved validation had expired by
    then (its expiry date was before the next month's first day)."""
    return len(validations_expired(month))


def high_findings_overdue(month: MonthState) -> float:
    """Findings of the highest severity open at the month's end and past their due date then."""
    return len(high_findings(month))


def failing_monitoring(month: MonthState) -> float:
    """Models in production at the month's end with an alert of the highest severity
    (critical) unresolved then."""
    worst = month.data.vocabulary.alert_severities[0][0]
    failing = {a.model_id for a in month.unresolved_alerts if a.severity == worst}
    return len(failing & month.in_production)


def conditions_overdue(month: MonthState) -> float:
    """Conditions attached to approvals that were due before the next month's first day and not
    met by the month's end."""
    return len(conditions_late(month))


def waivers_expiring(month: MonthState) -> float:
    """Policy exceptions (waivers) in force at the month's end that expire within 30 days of
    it: each needs renewing, or the rule it waives applies again."""
    return len(waivers_ending(month))


def by_status(month: MonthState) -> Counter[str]:
    """Models registered by the month's end, by their status then (retired ones included)."""
    return Counter(m.status for m in month.models.values())


def by_tier(month: MonthState) -> Counter[str]:
    """Models not retired at the month's end, by the risk tier in force then."""
    return Counter(m.tier for m in month.active)


def by_category(month: MonthState) -> Counter[str]:
    """Models not retired at the month's end, by the strictest EU AI Act category in force then
    among the use cases they serve."""
    return Counter(m.category for m in month.active)


def by_business_unit(month: MonthState) -> Counter[str]:
    """Models not retired at the month's end, by their business unit then."""
    return Counter(m.business_unit for m in month.active)


def findings_by_severity(month: MonthState) -> Counter[str]:
    """Findings open at the month's end, by severity."""
    return Counter(f.finding.severity for f in month.open_findings)
