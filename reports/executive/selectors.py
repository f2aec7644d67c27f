"""Executive-report reads: the figures from the database in one round of queries for a run of
months, the month's stored report, and who receives it.

`gather` reads what the figures of a month and the months before it need: rows that carry their
own timestamps (deployments, decisions, reviews, findings, alerts, evaluations, the assessments
in force and when) and the status and business-unit changes the audit trail recorded, so a past
month reads as it stood at its end. It makes a fixed number of queries, whatever the number of
models. `reports.kpis` computes the figures; the dashboard, the PDF report and the monthly
e-mail all start from `figures`.
"""

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from governance.access.models import RequestState, ServiceAccount
from governance.approvals.models import ApprovalRequest, Condition, Gate
from governance.approvals.rules.states import APPROVALS
from governance.auditlog.models import AuditEvent
from governance.findings.models import Finding, PolicyException
from governance.labels import label_for
from governance.risk.models import Framework, RiskAssessment
from governance.risk.rules import eu_ai_act, tiering
from monitoring.models import Alert, EvaluationResult, IngestionBatch, MonitoringPolicy
from registry.models import Deployment, MLModel, ModelVersion, UseCase
from reports import kpis
from reports.models import ExecutiveReport

TREND_MONTHS = 6  # the month reported and the five before it
TRACKED = ("status", "business_unit")  # the model fields read as they stood at a month's end
PRODUCTION = Deployment.Environment.PRODUCTION

VOCABULARY = kpis.Vocabulary(
    statuses=tuple(MLModel.Status.choices),
    retired=MLModel.Status.RETIRED,
    tiers=tuple((tier, label_for(tier)) for tier in tiering.TIERS),
    categories=tuple((category, label_for(category)) for category in eu_ai_act.SEVERITY),
    finding_severities=tuple(Finding.Severity.choices),
    alert_severities=tuple(Alert.Severity.choices),
)


def figures(month: date, *, months: int = TREND_MONTHS) -> kpis.MonthlyFigures:
    """Every figure of the executive report for `month`, and for the `months - 1` before it."""
    return kpis.monthly_figures(gather(month, months=months))


def gather(month: date, *, months: int = 2) -> kpis.MonthData:
    """The rows the figures of `month` and of the `months - 1` before it need.

    A month still running is read up to now; a month not started yet is a ValueError.
    """
    periods = kpis.months_ending(month, months, timezone.get_current_timezone(), now=timezone.now())
    # Rows that ended before the first month's end, or began after the last one's, count nowhere.
    start, first_end, end = periods[0].start, periods[0].end, periods[-1].end
    return kpis.MonthData(
        periods=periods,
        vocabulary=VOCABULARY,
        models=_models(end),
        changes=_changes(),
        tiers=_in_force(Framework.TIERING, "model", first_end, end),
        categories=_in_force(Framework.EU_AI_ACT, "use_case", first_end, end),
        use_cases=tuple(UseCase.models.through.objects.values_list("usecase_id", "mlmodel_id")),
        production=_production(first_end, end),
        first_production=_first_production(start, end),
        decisions=_decisions(start, end),
        reviews=_reviews(first_end, end),
        findings=_findings(first_end, end),
        alerts=_alerts(start, end),
        costs=_costs(start, end),
        safety_runs=_safety_runs(start, end),
        validations=_validations(end),
        waivers=_waivers(first_end, end),
        conditions=_conditions(first_end, end),
        versions=_versions(start, end),
        pushes=_pushes(start, end),
        policies=_policies(end),
    )


def _models(end: datetime) -> tuple[kpis.ModelRow, ...]:
    rows = MLModel.objects.filter(created_at__lt=end).order_by("pk")
    fields = ("pk", "slug", "name", "created_at", "status", "business_unit")
    people = ("owner__first_name", "owner__last_name", "owner__username")
    return tuple(
        kpis.ModelRow(pk, slug, name, created_at, status, unit, _person(first, last, username))
        for pk, slug, name, created_at, status, unit, first, last, username in rows.values_list(
            *fields, *people
        )
    )


def _person(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _changes() -> tuple[kpis.FieldChange, ...]:
    """Every status and business-unit change the audit trail holds, registrations included: a
    month's end needs the last change before it, or what the first change after it replaced."""
    events = AuditEvent.objects.filter(
        target_type=MLModel._meta.label_lower,
        verb__in=("model.registered", "model.updated"),
        mlmodel_id__isnull=False,
        after__has_any_keys=TRACKED,
    )
    values = {
        f"{side}_{name}": KT(f"{side}__{name}") for name in TRACKED for side in ("before", "after")
    }
    rows = events.annotate(**values).order_by("seq").values("mlmodel_id", "occurred_at", *values)
    return tuple(
        kpis.FieldChange(
            row["mlmodel_id"], row["occurred_at"], name, row[f"before_{name}"], row[f"after_{name}"]
        )
        for row in rows
        for name in TRACKED
        if row[f"after_{name}"] is not None
    )


def _in_force(
    framework: str, subject: str, first_end: datetime, end: datetime
) -> tuple[kpis.Classification, ...]:
    """Completed assessments of models (or use cases) in force at some month's end asked."""
    found = (
        RiskAssessment.objects.filter(
            framework=framework, valid_from__lt=end, **{f"{subject}__isnull": False}
        )
        .exclude(status=RiskAssessment.Status.DRAFT)
        .exclude(valid_to__lt=first_end)
        .only(subject, "result", "review", "override_result", "valid_from", "valid_to")
        .order_by()
    )
    return tuple(
        kpis.Classification(
            getattr(a, f"{subject}_id"), a.effective_result, a.valid_from, a.valid_to
        )
        for a in found
        if a.valid_from is not None  # always, as the filter asks for valid_from < end
    )


def _production(first_end: datetime, end: datetime) -> tuple[kpis.Deployment, ...]:
    live = (
        Deployment.objects.in_environment(PRODUCTION)
        .filter(started_at__lt=end)
        .exclude(ended_at__lt=first_end)
        .order_by()
    )
    fields = ("version__model_id", "started_at", "ended_at", "gate_open")
    return tuple(kpis.Deployment(*row) for row in live.values_list(*fields))


def _first_production(start: datetime, end: datetime) -> tuple[kpis.FirstProduction, ...]:
    firsts = (
        Deployment.objects.in_environment(PRODUCTION)
        .order_by()  # the default ordering would split the groups
        .values("version_id", "version__model_id", "version__created_at")
        .annotate(went_live_at=Min("started_at"))
        .filter(went_live_at__gte=start, went_live_at__lt=end)
    )
    return tuple(
        kpis.FirstProduction(
            row["version_id"],
            row["version__model_id"],
            row["version__created_at"],
            row["went_live_at"],
        )
        for row in firsts
    )


def _decisions(start: datetime, end: datetime) -> tuple[kpis.Decision, ...]:
    decided = ApprovalRequest.objects.filter(
        decided_at__gte=start, decided_at__lt=end, submitted_at__isnull=False
    ).order_by()
    return tuple(
        kpis.Decision(submitted_at, decided_at)
        for submitted_at, decided_at in decided.values_list("submitted_at", "decided_at")
        if submitted_at is not None and decided_at is not None  # always, as filtered
    )


def _reviews(first_end: datetime, end: datetime) -> tuple[kpis.Review, ...]:
    reviews = (
        ApprovalRequest.objects.filter(gate=Gate.PERIODIC_REVIEW, created_at__lt=end)
        .exclude(decided_at__lt=first_end)
        .exclude(withdrawn_at__lt=first_end)
        .order_by()
    )
    fields = ("model_id", "created_at", "due_on", "decided_at", "withdrawn_at")
    return tuple(
        kpis.Review(model_id, opened_at, due_on, decided_at or withdrawn_at)
        for model_id, opened_at, due_on, decided_at, withdrawn_at in reviews.values_list(*fields)
    )


def _findings(first_end: datetime, end: datetime) -> tuple[kpis.FindingRow, ...]:
    found = (
        Finding.objects.filter(raised_at__lt=end)
        .exclude(status=Finding.Status.CLOSED, resolved_at__lt=first_end)
        .order_by()
    )
    fields = ("model_id", "severity", "raised_at", "due_on", "status", "resolved_at")
    return tuple(_finding(*row) for row in found.values_list(*fields, "accepted_until"))


def _finding(
    model_id: int,
    severity: str,
    raised_at: datetime,
    due_on: date,
    status: str,
    resolved_at: datetime | None,
    accepted_until: date | None,
) -> kpis.FindingRow:
    """A finding as of any date: open until resolved, and an accepted risk open again after
    its acceptance ends."""
    accepted = status == Finding.Status.ACCEPTED_RISK
    resolved = accepted or status == Finding.Status.CLOSED
    return kpis.FindingRow(
        model_id,
        severity,
        raised_at,
        due_on,
        resolved_at if resolved else None,
        accepted_until if accepted else None,
    )


def _alerts(start: datetime, end: datetime) -> tuple[kpis.AlertRow, ...]:
    alerts = Alert.objects.filter(opened_at__lt=end).exclude(resolved_at__lt=start).order_by()
    fields = ("model_id", "key", "severity", "opened_at", "resolved_at", "acknowledged_at")
    return tuple(kpis.AlertRow(*row) for row in alerts.values_list(*fields))


def _evaluated(start: datetime, end: datetime) -> QuerySet[EvaluationResult]:
    return EvaluationResult.objects.filter(evaluated_at__gte=start, evaluated_at__lt=end).order_by()


def _costs(start: datetime, end: datetime) -> tuple[kpis.CostSample, ...]:
    reported = _evaluated(start, end).filter(
        cost_per_request__isnull=False,
        version__model__model_type=MLModel.ModelType.LLM_APPLICATION,
    )
    fields = ("version__model_id", "evaluated_at", "cost_per_request")
    return tuple(kpis.CostSample(*row) for row in reported.values_list(*fields))


def _safety_runs(start: datetime, end: datetime) -> tuple[kpis.SafetyRun, ...]:
    runs = _evaluated(start, end).filter(kind=EvaluationResult.Kind.SAFETY)
    return tuple(
        kpis.SafetyRun(*row) for row in runs.values_list("evaluated_at", "cases", "passed")
    )


def _validations(end: datetime) -> tuple[kpis.Validation, ...]:
    approved = ApprovalRequest.objects.filter(
        gate=Gate.VALIDATION, state__in=APPROVALS, decided_at__lt=end
    ).order_by()
    return tuple(
        kpis.Validation(model_id, decided_at, expires_on)
        for model_id, decided_at, expires_on in approved.values_list(
            "model_id", "decided_at", "expires_on"
        )
        if decided_at is not None  # always, as filtered
    )


def _waivers(first_end: datetime, end: datetime) -> tuple[kpis.Waiver, ...]:
    granted = (
        PolicyException.objects.filter(state=RequestState.GRANTED, decided_at__lt=end)
        .exclude(revoked_at__lt=first_end)
        .order_by()
    )
    fields = ("model_id", "decided_at", "expires_on", "revoked_at")
    return tuple(kpis.Waiver(*row) for row in granted.values_list(*fields))


def _conditions(first_end: datetime, end: datetime) -> tuple[kpis.ConditionRow, ...]:
    set_ = (
        Condition.objects.filter(sign_off__signed_at__lt=end)
        .exclude(met_at__lt=first_end)
        .order_by()
    )
    fields = ("request__model_id", "sign_off__signed_at", "due_on", "met_at")
    return tuple(kpis.ConditionRow(*row) for row in set_.values_list(*fields))


def _versions(start: datetime, end: datetime) -> tuple[kpis.VersionRow, ...]:
    registered = ModelVersion.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    automated = Exists(ServiceAccount.objects.filter(user=OuterRef("created_by")))
    rows = registered.annotate(automated=automated).values_list(
        "model_id", "created_at", "automated"
    )
    return tuple(kpis.VersionRow(*row) for row in rows)


def _pushes(start: datetime, end: datetime) -> tuple[kpis.Push, ...]:
    batches = IngestionBatch.objects.filter(
        received_at__gte=start, received_at__lt=end, version__isnull=False
    ).order_by()
    rows = batches.values_list("version__model_id", "received_at")
    return tuple(kpis.Push(model_id, at) for model_id, at in rows if model_id is not None)


def _policies(end: datetime) -> tuple[kpis.Policy, ...]:
    """Enabled thresholds, dated by their last change: one changed after a month's end counts
    from then, an undercount of earlier months rather than a guess."""
    enabled = MonitoringPolicy.objects.filter(enabled=True, updated_at__lt=end).order_by()
    return tuple(kpis.Policy(*row) for row in enabled.values_list("model_id", "updated_at"))


def report_of(month: date) -> ExecutiveReport | None:
    """`month`'s report row (any state), if it was ever asked for."""
    return ExecutiveReport.objects.filter(month=month).first()


def stored_report(month: date) -> ExecutiveReport | None:
    """`month`'s report with a stored file, even while a new one is drawn."""
    return ExecutiveReport.objects.filter(month=month).exclude(file="").first()


def recipients() -> list[str]:
    """The e-mail addresses of the active members of the executive group."""
    members = (
        get_user_model()
        .objects.filter(groups__name=settings.ATTEST_EXECUTIVE_GROUP, is_active=True)
        .exclude(email="")
    )
    return sorted(set(members.values_list("email", flat=True)))
