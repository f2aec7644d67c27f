"""Reads behind the findings, exceptions and revalidation pages."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from governance import permissions
from governance.access.models import RequestState
from governance.access.models.decisions import SecondPersonRequest
from governance.findings.models import Finding, PolicyException, RevalidationFlag
from governance.risk.models import Waiver
from governance.rulebooks.models import Rulebook
from registry.models import MLModel


def overdue(today: date) -> Q:
    """Open past their due date, or accepted as a risk past the acceptance's end."""
    return Q(status__in=Finding.OPEN_STATUSES, due_on__lt=today) | Q(
        status=Finding.Status.ACCEPTED_RISK, accepted_until__lt=today
    )


def findings_for(user: User, today: date, **filters: Any) -> QuerySet[Finding]:
    """Findings on models the user may see, filtered as the register's form asks."""
    found = Finding.objects.filter(model__in=permissions.models_for(user))
    for name in ("status", "severity", "source"):
        if filters.get(name):
            found = found.filter(**{name: filters[name]})
    if filters.get("model"):
        found = found.filter(model__slug=filters["model"])
    if filters.get("overdue"):
        found = found.filter(overdue(today))
    return found.select_related("model", "owner", "version").order_by("due_on", "pk")


def open_by_severity(findings: QuerySet[Finding]) -> dict[str, int]:
    rows = (
        findings.filter(status__in=Finding.OPEN_STATUSES)
        .order_by()
        .values("severity")
        .annotate(n=Count("pk"))
    )
    counts = {row["severity"]: row["n"] for row in rows}
    return {severity: counts.get(severity, 0) for severity in Finding.Severity.values}


def days_overdue(finding: Finding, today: date) -> int:
    """How many days past due (0 when not overdue), as the register highlights it."""
    if finding.status in Finding.OPEN_STATUSES and finding.due_on < today:
        return (today - finding.due_on).days
    until = finding.accepted_until  # set whenever the risk is accepted (a check constraint)
    if finding.status == Finding.Status.ACCEPTED_RISK and until is not None and until < today:
        return (today - until).days
    return 0


def finding_for_user_or_404(user: User, pk: int) -> Finding:
    found = Finding.objects.filter(model__in=permissions.models_for(user))
    related = found.select_related("model", "version", "request", "owner", "raised_by")
    return get_object_or_404(related.prefetch_related("controls"), pk=pk)


def owner_choices(model: MLModel) -> QuerySet[User]:
    """Who can own a finding on the model: its owner and the people named in its RACI."""
    named = model.raci_assignments.filter(user__isnull=False).values("user_id")
    people = get_user_model().objects.filter(Q(pk=model.owner_id) | Q(pk__in=named))
    return people.filter(is_active=True).order_by("first_name", "username")


# ---- Exceptions and waivers ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExceptionRow:
    """A policy exception or an obligation waiver as the register lists it, asked for by one
    person and decided by another."""

    kind: str  # "exception" or "waiver"
    reference: str
    model: MLModel
    waives: str
    reason: str
    requested_by: Any
    decided_by: Any
    expires_on: date | None
    state: str  # one of EXCEPTION_STATES
    days_left: int
    obj: Any

    @property
    def waiting(self) -> bool:
        return self.state == "requested"


# Asked for, then refused or withdrawn, or granted and then running, expiring, expired, revoked.
EXCEPTION_STATES = [
    "requested",
    "running",
    "expiring",
    "expired",
    "revoked",
    "refused",
    "withdrawn",
]


def _state(
    asked: SecondPersonRequest, expires_on: date | None, revoked: bool, today: date
) -> tuple[str, int]:
    if asked.state != RequestState.GRANTED:
        return str(asked.state), 0
    if revoked:
        return "revoked", 0
    if expires_on is None or expires_on < today:
        return "expired", 0
    left = (expires_on - today).days
    return ("expiring" if left <= 30 else "running"), left


def exceptions_for(user: User, today: date, state: str = "") -> list[ExceptionRow]:
    """Policy exceptions and obligation waivers on the models the user may see, soonest first;
    those waiting for a decision come first."""
    visible = permissions.models_for(user)
    rows = []
    exceptions = PolicyException.objects.filter(model__in=visible).select_related(
        "model", "requested_by", "decided_by"
    )
    for e in exceptions:
        status, left = _state(e, e.expires_on, e.revoked_at is not None, today)
        rows.append(
            ExceptionRow(
                "exception", e.reference, e.model, e.rule_title, e.reason,
                e.requested_by, e.decided_by, e.expires_on, status, left, e,
            )
        )  # fmt: skip
    waivers = Waiver.objects.filter(control__model__in=visible).select_related(
        "control__model", "requested_by", "decided_by"
    )
    for w in waivers:
        status, left = _state(w, w.expires_on, False, today)
        rows.append(
            ExceptionRow(
                "waiver", w.reference, w.control.model, f"{w.control.reference} {w.control.title}",
                w.reason, w.requested_by, w.decided_by, w.expires_on, status, left, w,
            )
        )  # fmt: skip
    if state:
        rows = [row for row in rows if row.state == state]
    return sorted(rows, key=lambda r: (not r.waiting, r.expires_on or date.min, r.reference))


def waivable_rules() -> list[tuple[str, str]]:
    """The gate rules a policy exception may waive, under the policy in force."""
    rules = Rulebook.objects.in_force(Rulebook.Kind.GATE_POLICY).content["rules"]
    return [(rule["id"], rule["title"]) for rule in rules if rule.get("waivable")]


def open_flags(user: User, model_slug: str = "") -> QuerySet[RevalidationFlag]:
    flags = RevalidationFlag.objects.filter(
        model__in=permissions.models_for(user), cleared_at__isnull=True
    )
    if model_slug:
        flags = flags.filter(model__slug=model_slug)
    return flags.select_related("model", "raised_by")
