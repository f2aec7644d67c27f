"""What the executive figures are computed from: the months reported and plain rows.

`reports.executive.selectors.gather` fills a `MonthData` for a run of months with one round of
queries.
"""

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

# ---- Months ------------------------------------------------------------------------------------


def add_months(month: date, months: int) -> date:
    """The first day of the month `months` after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """One calendar month: from its first instant (`start`) up to `end`, the next month's first
    instant, or the moment the figures were taken while the month is still running."""

    month: date  # its first day
    start: datetime
    end: datetime

    @property
    def as_of_day(self) -> date:
        """The day `end` falls on: anything due before it is overdue at the month's end."""
        return self.end.date()

    @property
    def complete(self) -> bool:
        return self.end >= _first_instant(add_months(self.month, 1), self.start.tzinfo)

    def holds(self, at: datetime) -> bool:
        """Whether an event at `at` happened in the month."""
        return self.start <= at < self.end


def _first_instant(month: date, tz: tzinfo | None) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=tz)


def months_ending(month: date, count: int, tz: tzinfo, *, now: datetime) -> tuple[Period, ...]:
    """`count` months up to and including `month`'s, oldest first; the running month ends `now`."""
    if count < 2:
        raise ValueError("a month-over-month change needs at least two months")
    if _first_instant(month, tz) > now:
        raise ValueError(f"{month:%B %Y} has not started yet")
    days = [add_months(month, back) for back in range(1 - count, 1)]
    return tuple(
        Period(
            day,
            _first_instant(day, tz),
            min(_first_instant(add_months(day, 1), tz), now.astimezone(tz)),
        )
        for day in days
    )


def live_at(opened: datetime, closed: datetime | None, at: datetime) -> bool:
    """Whether something opened at `opened` and closed at `closed` (None: still open) was open
    just before `at`."""
    return opened < at and (closed is None or closed >= at)


# ---- The rows gathered -------------------------------------------------------------------------

Choices = tuple[tuple[str, str], ...]  # (value, label), in report order


@dataclass(frozen=True)
class Vocabulary:
    """The values the figures are reported in, in report order, with the names people read."""

    statuses: Choices
    retired: str
    tiers: Choices  # highest risk first
    categories: Choices  # strictest first: a model takes its strictest use case's category
    finding_severities: Choices  # worst first
    alert_severities: Choices  # worst first; the worst counts with the worst findings


@dataclass(frozen=True)
class ModelRow:
    """A model in the inventory, with its status and business unit as they are now."""

    id: int
    slug: str
    name: str
    registered_at: datetime
    status: str
    business_unit: str
    owner: str = ""  # the owner's name as people read it


@dataclass(frozen=True)
class FieldChange:
    """A model's status or business unit changed (from the audit trail); `before` is None when
    the model was registered with `after`."""

    model_id: int
    at: datetime
    field: str  # "status" or "business_unit"
    before: str | None
    after: str


@dataclass(frozen=True)
class Classification:
    """A completed assessment's result, in force from `valid_from` until `valid_to`."""

    subject_id: int  # the model (tiers) or the use case (EU AI Act categories)
    result: str
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True)
class Deployment:
    """A production deployment of one of the model's versions."""

    model_id: int
    started_at: datetime
    ended_at: datetime | None
    gate_open: bool | None = None  # the gate's answer when it was recorded; None: not asked


@dataclass(frozen=True)
class FirstProduction:
    """A version's first production deployment."""

    version_id: int
    model_id: int
    registered_at: datetime
    went_live_at: datetime


@dataclass(frozen=True)
class Decision:
    """An approval request's submission and decision (approved, with conditions or rejected)."""

    submitted_at: datetime
    decided_at: datetime


@dataclass(frozen=True)
class Review:
    """A periodic review request; `closed_at` is when it was decided or withdrawn."""

    model_id: int
    opened_at: datetime
    due_on: date | None
    closed_at: datetime | None


@dataclass(frozen=True)
class FindingRow:
    """A finding; `resolved_at` is when it was closed or its risk accepted, and `reopens_after`
    the last day of an acceptance, after which it counts as open again."""

    model_id: int
    severity: str
    raised_at: datetime
    due_on: date
    resolved_at: datetime | None = None
    reopens_after: date | None = None


@dataclass(frozen=True)
class AlertRow:
    """A monitoring alert: one breach of one threshold, from its opening to its resolution."""

    model_id: int
    key: str
    severity: str
    opened_at: datetime
    resolved_at: datetime | None
    acknowledged_at: datetime | None = None

    @property
    def answered_at(self) -> datetime | None:
        """When someone first acted on it: acknowledged it, or resolved it without that."""
        return self.acknowledged_at or self.resolved_at


@dataclass(frozen=True)
class Validation:
    """An approved validation of one of a model's versions, and the last day it holds (None:
    it does not expire)."""

    model_id: int
    approved_at: datetime
    expires_on: date | None


@dataclass(frozen=True)
class Waiver:
    """A granted policy exception on a model, in force until `expires_on` unless revoked."""

    model_id: int
    granted_at: datetime
    expires_on: date
    revoked_at: datetime | None


@dataclass(frozen=True)
class ConditionRow:
    """A condition attached to an approval, due on `due_on`, met at `met_at`."""

    model_id: int
    set_at: datetime
    due_on: date
    met_at: datetime | None


@dataclass(frozen=True)
class VersionRow:
    """A version's registration; `automated` when a pipeline registered it (a service account)."""

    model_id: int
    registered_at: datetime
    automated: bool


@dataclass(frozen=True)
class Push:
    """Monitoring results a model's pipeline pushed through the API (one ingestion batch)."""

    model_id: int
    received_at: datetime


@dataclass(frozen=True)
class Policy:
    """A monitoring threshold set on a model and enabled, as of its last change."""

    model_id: int
    set_at: datetime


@dataclass(frozen=True)
class CostSample:
    """The cost per request an LLM application's evaluation reported."""

    model_id: int
    evaluated_at: datetime
    cost_per_request: float


@dataclass(frozen=True)
class SafetyRun:
    """A safety suite's run: how many cases it ran and passed."""

    evaluated_at: datetime
    cases: int
    passed: int


@dataclass(frozen=True)
class MonthData:
    """Every row the figures of `periods` need (the last period is the month reported)."""

    periods: tuple[Period, ...]
    vocabulary: Vocabulary
    models: tuple[ModelRow, ...] = ()
    changes: tuple[FieldChange, ...] = ()
    tiers: tuple[Classification, ...] = ()
    categories: tuple[Classification, ...] = ()
    use_cases: tuple[tuple[int, int], ...] = ()  # (use case, model) pairs
    production: tuple[Deployment, ...] = ()
    first_production: tuple[FirstProduction, ...] = ()
    decisions: tuple[Decision, ...] = ()
    reviews: tuple[Review, ...] = ()
    findings: tuple[FindingRow, ...] = ()
    alerts: tuple[AlertRow, ...] = ()
    costs: tuple[CostSample, ...] = ()
    safety_runs: tuple[SafetyRun, ...] = ()
    validations: tuple[Validation, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    conditions: tuple[ConditionRow, ...] = ()
    versions: tuple[VersionRow, ...] = ()
    pushes: tuple[Push, ...] = ()
    policies: tuple[Policy, ...] = ()
