"""The report's figures: each KPI month by month with its change, breakdowns and top risks."""

import inspect
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from governance.labels import signal_label
from reports.kpis.maturity import UnitMaturity, maturity
from reports.kpis.measures import (
    DAY,
    MonthState,
    approval_cycle,
    by_business_unit,
    by_category,
    by_status,
    by_tier,
    conditions_late,
    conditions_overdue,
    cost_per_request,
    decisions,
    drift_incidents,
    expired_validation,
    failing_monitoring,
    fairness_incidents,
    findings_by_severity,
    findings_open,
    findings_overdue,
    high_findings_overdue,
    history_of,
    in_production,
    inventory,
    monitoring_sla,
    month_state,
    ranks,
    reviews_due,
    reviews_overdue,
    safety_pass_rate,
    shipped,
    time_to_production,
    validations_expired,
    waivers_expiring,
)
from reports.kpis.rows import AlertRow, Choices, ConditionRow, MonthData, Period, Vocabulary

TOP_RISKS = 5
NOT_TIERED, NOT_CLASSIFIED = "Not tiered", "Not classified"
# Units: how a figure reads and how its change is written.
COUNT, DAYS, SHARE, COST = "count", "days", "share", "cost"


# ---- What the report shows ---------------------------------------------------------------------


def shown(value: float | None, unit: str) -> str:
    """A figure as the report prints it."""
    if value is None:
        return "no data"
    if unit == DAYS:
        return f"{value:.1f} days"
    if unit == SHARE:
        return f"{value:.1%}"
    if unit == COST:
        return _decimal(value)
    return f"{value:,.0f}"


def shown_change(change: float | None, unit: str) -> str:
    """A month-over-month change as the report prints it (shares in percentage points)."""
    if change is None:
        return ""
    sign = "±" if change == 0 else "+" if change > 0 else "-"
    size = abs(change)
    if unit == DAYS:
        return f"{sign}{size:.1f} days"
    if unit == SHARE:
        return f"{sign}{size * 100:.1f} pp"
    if unit == COST:
        return f"{sign}{_decimal(size)}"
    return f"{sign}{size:,.0f}"


def _decimal(value: float) -> str:
    """Fractions of a cent as decimals, never with an exponent: 0.0021, not 2.1e-03."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Figure:
    """One figure for each month reported, oldest first: the last is the month reported."""

    key: str
    label: str
    series: tuple[float | None, ...]
    unit: str = COUNT
    better: str = ""  # "higher" or "lower": which way is good news; "" for neither
    section: str = ""
    definition: str = ""

    @property
    def value(self) -> float | None:
        return self.series[-1]

    @property
    def previous(self) -> float | None:
        return self.series[-2] if len(self.series) > 1 else None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def verdict(self) -> str:
        """Whether the change is good or bad news ("good", "bad"); "" when nothing changed or
        neither direction is better."""
        change = self.change
        if not change or not self.better:
            return ""
        return "good" if (change > 0) == (self.better == "higher") else "bad"

    @property
    def shown(self) -> str:
        return shown(self.value, self.unit)

    @property
    def shown_previous(self) -> str:
        return shown(self.previous, self.unit)

    @property
    def shown_change(self) -> str:
        return shown_change(self.change, self.unit)


@dataclass(frozen=True)
class Breakdown:
    """Models (or findings) counted by one attribute: one row per value, each a Figure."""

    key: str
    label: str
    attribute: str  # what the rows are values of ("Risk tier")
    definition: str
    rows: tuple[Figure, ...]


@dataclass(frozen=True)
class TopRisk:
    """A model among those most at risk at the month's end, and why."""

    rank: int
    model_id: int
    slug: str
    name: str
    business_unit: str
    tier: str  # as people read it
    reasons: tuple[str, ...]
    previous_rank: int | None  # None: nothing was open on it at the previous month's end
    owner: str = ""
    since: date | None = None  # the day the oldest of its reasons began


@dataclass(frozen=True)
class MonthlyFigures:
    """Every figure of the executive report for the months of `periods` (the last one is the
    month reported, the one before it gives the change)."""

    periods: tuple[Period, ...]
    figures: tuple[Figure, ...]
    breakdowns: tuple[Breakdown, ...]
    top_risks: tuple[TopRisk, ...]
    maturity: tuple[UnitMaturity, ...] = ()

    @property
    def period(self) -> Period:
        return self.periods[-1]

    @property
    def previous_period(self) -> Period:
        return self.periods[-2]

    def figure(self, key: str) -> Figure:
        return {figure.key: figure for figure in self.figures}[key]

    def breakdown(self, key: str) -> Breakdown:
        return {breakdown.key: breakdown for breakdown in self.breakdowns}[key]

    @property
    def ranking(self) -> str:
        """How the top risks are ranked."""
        return _doc(ranked_risks)


@dataclass(frozen=True)
class Kpi:
    """How one figure is computed for a month, and how it is reported."""

    key: str
    label: str
    section: str
    compute: Callable[[MonthState], float | None]
    unit: str = COUNT
    better: str = ""

    def figure(self, months: Sequence[MonthState]) -> Figure:
        series = tuple(self.compute(month) for month in months)
        return Figure(
            self.key, self.label, series, self.unit, self.better, self.section, _doc(self.compute)
        )


def _doc(function: Callable[..., object]) -> str:
    """A function's docstring on one line: the definition the report prints is the code's."""
    return " ".join((inspect.getdoc(function) or "").split())


DECISIONS = "Needs a decision"
INVENTORY, DELIVERY, FINDINGS = "Inventory", "Delivery and approvals", "Findings and reviews"
MONITORING, LLM = "Monitoring", "LLM applications"
KPIS = (
    Kpi(
        "expired_validation",
        "Production models on an expired validation",
        DECISIONS,
        expired_validation,
        better="lower",
    ),
    Kpi(
        "high_findings_overdue",
        "Overdue findings of the highest severity",
        DECISIONS,
        high_findings_overdue,
        better="lower",
    ),
    Kpi(
        "failing_monitoring",
        "Production models with a critical alert",
        DECISIONS,
        failing_monitoring,
        better="lower",
    ),
    Kpi(
        "conditions_overdue",
        "Approval conditions past due",
        DECISIONS,
        conditions_overdue,
        better="lower",
    ),
    Kpi("waivers_expiring", "Waivers expiring within 30 days", DECISIONS, waivers_expiring),
    Kpi("inventory", "Models in the inventory", INVENTORY, inventory),
    Kpi("in_production", "Models in production", INVENTORY, in_production),
    Kpi("shipped", "Versions shipped to production", DELIVERY, shipped, better="higher"),
    Kpi("time_to_production", "Time to production", DELIVERY, time_to_production, DAYS, "lower"),
    Kpi("decisions", "Approval decisions", DELIVERY, decisions),
    Kpi("approval_cycle", "Approval cycle time", DELIVERY, approval_cycle, DAYS, "lower"),
    Kpi("findings_open", "Open findings", FINDINGS, findings_open, better="lower"),
    Kpi("findings_overdue", "Overdue findings", FINDINGS, findings_overdue, better="lower"),
    Kpi("reviews_due", "Periodic reviews due", FINDINGS, reviews_due),
    Kpi("reviews_overdue", "Periodic reviews overdue", FINDINGS, reviews_overdue, better="lower"),
    Kpi("drift_incidents", "Drift incidents", MONITORING, drift_incidents, better="lower"),
    Kpi("fairness_incidents", "Fairness incidents", MONITORING, fairness_incidents, better="lower"),
    Kpi("monitoring_sla", "Monitoring SLA adherence", MONITORING, monitoring_sla, SHARE, "higher"),
    Kpi("cost_per_request", "Cost per request", LLM, cost_per_request, COST, "lower"),
    Kpi("safety_pass_rate", "Safety-evaluation pass rate", LLM, safety_pass_rate, SHARE, "higher"),
)


@dataclass(frozen=True)
class Split:
    """How one breakdown counts a month, and the values it always lists, in order."""

    key: str
    label: str
    attribute: str
    count: Callable[[MonthState], Counter[str]]
    listed: Callable[[Vocabulary], Choices]

    def breakdown(self, months: Sequence[MonthState]) -> Breakdown:
        counts = [self.count(month) for month in months]
        listed = self.listed(months[-1].data.vocabulary)
        known = {value for value, _ in listed}
        latest = counts[-1]
        others = sorted(
            {value for count in counts for value in count} - known,
            key=lambda value: (-latest[value], value),
        )
        rows = (*listed, *((value, value) for value in others))
        return Breakdown(
            self.key,
            self.label,
            self.attribute,
            _doc(self.count),
            tuple(
                Figure(value, label, tuple(float(c[value]) for c in counts))
                for value, label in rows
            ),
        )


SPLITS = (
    Split("status", "Models by status", "Status", by_status, lambda v: v.statuses),
    Split(
        "tier", "Models by risk tier", "Risk tier", by_tier, lambda v: (*v.tiers, ("", NOT_TIERED))
    ),
    Split(
        "category",
        "Models by EU AI Act category",
        "EU AI Act category",
        by_category,
        lambda v: (*v.categories, ("", NOT_CLASSIFIED)),
    ),
    Split(
        "business_unit", "Models by business unit", "Business unit", by_business_unit, lambda v: ()
    ),
    Split(
        "severity",
        "Open findings by severity",
        "Severity",
        findings_by_severity,
        lambda v: v.finding_severities,
    ),
)


# ---- Top risks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Exposure:
    """What is open on one model at a month's end."""

    findings: Counter[str]
    overdue: int
    alerts: tuple[AlertRow, ...]
    expired_on: date | None  # the last day of an expired validation it runs on in production
    conditions: tuple[ConditionRow, ...]  # past their due date, not met
    opened: tuple[datetime, ...]  # when each open finding and alert began


def _exposures(month: MonthState) -> dict[int, _Exposure]:
    findings: dict[int, Counter[str]] = defaultdict(Counter)
    overdue: Counter[int] = Counter()
    alerts: dict[int, list[AlertRow]] = defaultdict(list)
    opened: dict[int, list[datetime]] = defaultdict(list)
    conditions: dict[int, list[ConditionRow]] = defaultdict(list)
    for open_finding in month.open_findings:
        findings[open_finding.finding.model_id][open_finding.finding.severity] += 1
        overdue[open_finding.finding.model_id] += open_finding.overdue
        opened[open_finding.finding.model_id].append(open_finding.finding.raised_at)
    for alert in month.unresolved_alerts:
        alerts[alert.model_id].append(alert)
        opened[alert.model_id].append(alert.opened_at)
    for condition in conditions_late(month):
        conditions[condition.model_id].append(condition)
    expired = validations_expired(month)
    return {
        model_id: _Exposure(
            findings[model_id],
            overdue[model_id],
            tuple(alerts[model_id]),
            expired.get(model_id),
            tuple(conditions[model_id]),
            tuple(opened[model_id]),
        )
        for model_id in sorted(findings.keys() | alerts.keys() | expired.keys() | conditions.keys())
        if model_id in month.models
    }


def _levels(exposure: _Exposure, vocabulary: Vocabulary) -> list[int]:
    """Open items per severity level, worst first: findings and alerts of the same rank add up."""
    size = max(len(vocabulary.finding_severities), len(vocabulary.alert_severities))
    levels = [0] * size
    for rank, (value, _) in enumerate(vocabulary.finding_severities):
        levels[rank] += exposure.findings[value]
    for rank, (value, _) in enumerate(vocabulary.alert_severities):
        levels[rank] += sum(a.severity == value for a in exposure.alerts)
    return levels


def ranked_risks(month: MonthState) -> list[tuple[int, _Exposure]]:
    """Models with findings open, alerts unresolved, approval conditions past due or an expired
    validation in production at the month's end, the most severe first: by open high findings
    plus critical alerts, then by an expired validation, then by overdue findings and
    conditions, then by medium findings plus warning alerts, then by low findings; ties go to
    the higher tier, then the name."""
    vocabulary = month.data.vocabulary
    tier_rank = ranks(vocabulary.tiers)

    def severity(item: tuple[int, _Exposure]) -> tuple[int | str, ...]:
        model_id, exposure = item
        worst, *rest = _levels(exposure, vocabulary)
        model = month.models[model_id]
        tier = tier_rank.get(model.tier, len(tier_rank))
        late = exposure.overdue + len(exposure.conditions)
        expired = exposure.expired_on is not None
        return (-worst, -expired, -late, *(-n for n in rest), tier, model.row.name, model_id)

    return sorted(_exposures(month).items(), key=severity)


def _in_sentence(label: str) -> str:
    """A signal's label inside a sentence: "Drift: PSI" is "drift: PSI" after "alert on"."""
    return label[:1].lower() + label[1:]


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _reasons(exposure: _Exposure, vocabulary: Vocabulary) -> tuple[str, ...]:
    reasons = []
    if exposure.expired_on is not None:
        reasons.append(f"in production on a validation that expired on {_day(exposure.expired_on)}")
    counted = [
        f"{exposure.findings[value]} {label.lower()}"
        for value, label in vocabulary.finding_severities
        if exposure.findings[value]
    ]
    if counted:
        plural = "s" if exposure.findings.total() > 1 else ""
        overdue = f" ({exposure.overdue} overdue)" if exposure.overdue else ""
        reasons.append(f"{', '.join(counted)} finding{plural} open{overdue}")
    if exposure.conditions:
        reasons.append(f"{_plural(len(exposure.conditions), 'approval condition')} past due")
    order, labels = ranks(vocabulary.alert_severities), dict(vocabulary.alert_severities)
    alerts = sorted(exposure.alerts, key=lambda a: (order.get(a.severity, len(order)), a.key))
    reasons.extend(
        f"{labels.get(a.severity, a.severity)} alert on {_in_sentence(signal_label(a.key))}"
        for a in alerts
    )
    return tuple(reasons)


def _since(exposure: _Exposure, month: MonthState) -> date | None:
    """The day the oldest open item began: a finding raised, an alert opened, a validation or a
    condition past its date."""
    zone = month.period.end.tzinfo
    days = [at.astimezone(zone).date() for at in exposure.opened]
    days += [c.due_on + DAY for c in exposure.conditions]
    if exposure.expired_on is not None:
        days.append(exposure.expired_on + DAY)
    return min(days, default=None)


def top_risks(month: MonthState, before: MonthState, limit: int = TOP_RISKS) -> tuple[TopRisk, ...]:
    """The `limit` models most at risk at the month's end (see `ranked_risks`), each with its
    owner, since when, and its rank at the previous month's end."""
    vocabulary = month.data.vocabulary
    tiers = dict(vocabulary.tiers)
    previous = {model_id: rank for rank, (model_id, _) in enumerate(ranked_risks(before), 1)}
    found = []
    for rank, (model_id, exposure) in enumerate(ranked_risks(month)[:limit], 1):
        model = month.models[model_id]
        found.append(
            TopRisk(
                rank=rank,
                model_id=model_id,
                slug=model.row.slug,
                name=model.row.name,
                business_unit=model.business_unit,
                tier=tiers.get(model.tier, model.tier or NOT_TIERED),
                reasons=_reasons(exposure, vocabulary),
                previous_rank=previous.get(model_id),
                owner=model.row.owner,
                since=_since(exposure, month),
            )
        )
    return tuple(found)


def monthly_figures(data: MonthData, *, top: int = TOP_RISKS) -> MonthlyFigures:
    """Every figure of the report for each month of `data.periods`."""
    past = history_of(data)
    months = [month_state(data, past, period) for period in data.periods]
    return MonthlyFigures(
        periods=data.periods,
        figures=tuple(kpi.figure(months) for kpi in KPIS),
        breakdowns=tuple(split.breakdown(months) for split in SPLITS),
        top_risks=top_risks(months[-1], months[-2], top),
        maturity=maturity(months[-1], months[-2]),
    )
