"""The registers people download: what each one lists, its columns, and the rows a reader sees.

Every register starts from `permissions.models_for(user)`, so an export never holds a row the
reader could not open in the UI. Related rows are joined or prefetched, so an export costs a
fixed number of queries for every CHUNK rows, however many models there are.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter, methodcaller
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict

from governance import permissions
from governance.approvals.models import ApprovalRequest, SignOff
from governance.approvals.selectors import signers
from governance.findings import selectors as finding_selectors
from governance.findings.forms import FindingFilterForm
from governance.labels import label_for, result_words
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, Evidence, Framework, RiskAssessment
from governance.risk.rules import eu_ai_act
from governance.tables import Column
from registry import custom_values, export
from registry.filters import MLModelFilter
from registry.models import CustomField, MLModel, UseCase

CHUNK = 2000  # rows read (and prefetched for) at a time


@dataclass(frozen=True)
class Table:
    columns: Sequence[Column[Any]]
    rows: Iterable[Any]


@dataclass(frozen=True)
class Register:
    """One downloadable register: its URL key, its title, and how it is read for one reader."""

    key: str
    title: str
    about: str
    filters: tuple[str, ...]  # the GET parameters it honours, as on the register's own page
    read: Callable[[User, QueryDict, date], Table]


def person(user: Any) -> str:
    """A person as the pages name them; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


MODEL_COLUMNS: tuple[Column[Any], ...] = (
    Column("Model", lambda row: row.model.name, 28),
    Column("Model slug", lambda row: row.model.slug, 20),
)


def _only_model(found: QuerySet[Any], params: QueryDict, field: str = "model__slug") -> QuerySet:
    slug = params.get("model", "")
    return found.filter(**{field: slug}) if slug else found


# ---- Inventory ---------------------------------------------------------------------------------


def _tier(model: MLModel) -> str:
    in_force = model.tiers_in_force  # type: ignore[attr-defined]
    return label_for(in_force[0].effective_result) if in_force else ""


def _eu_category(model: MLModel) -> str:
    """The strictest category in force among the model's use cases, as the model page says."""
    strictest = eu_ai_act.strictest(
        risk_selectors.effective_outcome(assessment)
        for use_case in model.use_cases.all()
        for assessment in use_case.eu_in_force  # type: ignore[attr-defined]
    )
    return result_words(strictest.result, strictest.details) if strictest else ""


def _custom_column(field: CustomField) -> Column[MLModel]:
    return Column(
        field.label,
        lambda model: custom_values.typed(field.field_type, model.custom_fields.get(field.key)),
    )


INVENTORY_COLUMNS: tuple[Column[MLModel], ...] = (
    Column("Slug", attrgetter("slug"), 20),
    Column("Name", attrgetter("name"), 30),
    Column("Business unit", attrgetter("business_unit"), 18),
    Column("Type", methodcaller("get_model_type_display"), 16),
    Column("Status", methodcaller("get_status_display"), 12),
    Column("Owner", lambda model: person(model.owner), 20),
    Column("Vendor", attrgetter("vendor"), 16),
    Column("Intended purpose", attrgetter("intended_purpose"), 50),
    Column("Risk tier", _tier, 16),
    Column("EU AI Act category", _eu_category, 30),
    Column("Versions", attrgetter("version_count"), 10),
    Column("Latest version", attrgetter("latest_version"), 14),
    Column("Live in production", attrgetter("live_production_version"), 18),
    Column("Use cases", lambda model: "; ".join(u.name for u in model.use_cases.all()), 30),
    Column("Registered (UTC)", attrgetter("created_at"), 20),
    Column("Updated (UTC)", attrgetter("updated_at"), 20),
)


def _in_force(framework: str, to_attr: str) -> Prefetch:
    completed = RiskAssessment.objects.filter(
        framework=framework, status=RiskAssessment.Status.COMPLETED
    )
    return Prefetch("risk_assessments", queryset=completed, to_attr=to_attr)


def inventory(user: User, params: QueryDict, today: date) -> Table:
    """The inventory page's filters (search, status, type, unit, owner, category, tier)."""
    found = MLModelFilter(params, queryset=permissions.models_for(user)).qs
    use_cases = UseCase.objects.order_by("name").prefetch_related(
        _in_force(Framework.EU_AI_ACT, "eu_in_force")
    )
    rows = export.with_columns(_only_model(found, params, "slug")).prefetch_related(
        _in_force(Framework.TIERING, "tiers_in_force"), Prefetch("use_cases", queryset=use_cases)
    )
    custom = [_custom_column(field) for field in CustomField.objects.filter(is_active=True)]
    return Table((*INVENTORY_COLUMNS, *custom), rows.iterator(chunk_size=CHUNK))


# ---- Findings -----------------------------------------------------------------------------------


def _finding_columns(today: date) -> tuple[Column[Any], ...]:
    return (
        Column("Reference", attrgetter("reference"), 10),
        *MODEL_COLUMNS,
        Column("Version", lambda f: f.version.version if f.version else "", 12),
        Column("Title", attrgetter("title"), 40),
        Column("Description", attrgetter("description"), 50),
        Column("Severity", methodcaller("get_severity_display"), 10),
        Column("Source", methodcaller("get_source_display"), 14),
        Column("Status", methodcaller("get_status_display"), 14),
        Column("Owner", lambda f: person(f.owner), 20),
        Column("Raised by", lambda f: person(f.raised_by), 20),
        Column("Raised at (UTC)", attrgetter("raised_at"), 20),
        Column("Due on", attrgetter("due_on"), 12),
        Column("Days overdue", lambda f: finding_selectors.days_overdue(f, today), 12),
        Column("Accepted until", attrgetter("accepted_until"), 14),
        Column("Remediation plan", attrgetter("remediation_plan"), 50),
        Column("Resolution", attrgetter("resolution"), 50),
        Column("Resolved by", lambda f: person(f.resolved_by), 20),
        Column("Resolved at (UTC)", attrgetter("resolved_at"), 20),
        Column("Obligations", lambda f: "; ".join(c.reference for c in f.controls.all()), 20),
        Column("Approval request", lambda f: f.request.reference if f.request else "", 14),
    )


def findings(user: User, params: QueryDict, today: date) -> Table:
    """The findings register's filters: status, severity, source, model, overdue."""
    filters = FindingFilterForm(params).filters()
    found = finding_selectors.findings_for(user, today, **filters)
    rows = found.select_related("raised_by", "resolved_by", "request").prefetch_related(
        Prefetch("controls", queryset=Control.objects.order_by("reference"))
    )
    return Table(_finding_columns(today), rows.iterator(chunk_size=CHUNK))


# ---- Exceptions and waivers ----------------------------------------------------------------------

EXCEPTION_KINDS = {"exception": "Policy exception", "waiver": "Obligation waiver"}
EXCEPTION_COLUMNS: tuple[Column[finding_selectors.ExceptionRow], ...] = (
    Column("Reference", attrgetter("reference"), 14),
    Column("Kind", lambda row: EXCEPTION_KINDS[row.kind], 18),
    *MODEL_COLUMNS,
    Column("Waives", attrgetter("waives"), 36),
    Column("Reason", attrgetter("reason"), 50),
    Column("Requested by", lambda row: person(row.requested_by), 20),
    Column("Decided by", lambda row: person(row.decided_by), 20),
    Column("Decided at (UTC)", lambda row: row.obj.decided_at, 20),
    Column("Expires on", attrgetter("expires_on"), 12),
    Column("State", lambda row: row.state.capitalize(), 10),
    Column("Days left", attrgetter("days_left"), 10),
    Column("Revoked at (UTC)", lambda row: getattr(row.obj, "revoked_at", None), 20),
)


def exceptions(user: User, params: QueryDict, today: date) -> Table:
    """The exceptions register's filter (state), and one model."""
    found = finding_selectors.exceptions_for(user, today, params.get("state", ""))
    slug = params.get("model", "")
    return Table(EXCEPTION_COLUMNS, [row for row in found if not slug or row.model.slug == slug])


# ---- Approval requests ------------------------------------------------------------------------


def _sign_offs(request: ApprovalRequest) -> str:
    return "; ".join(
        f"{s.get_role_display()}: {person(s.signer)}, {s.get_decision_display().lower()}"
        for s in request.sign_offs.all()
    )


def _conditions_met(request: ApprovalRequest) -> str:
    conditions = request.conditions.all()
    if not conditions:
        return ""
    return f"{sum(c.met_at is not None for c in conditions)} of {len(conditions)}"


APPROVAL_COLUMNS: tuple[Column[ApprovalRequest], ...] = (
    Column("Reference", attrgetter("reference"), 10),
    *MODEL_COLUMNS,
    Column("Version", lambda r: r.version.version, 12),
    Column("Gate", methodcaller("get_gate_display"), 16),
    Column("Environment", attrgetter("environment"), 12),
    Column("State", methodcaller("get_state_display"), 16),
    Column("Tier at submission", lambda r: label_for(r.tier) if r.tier else "", 16),
    Column("Requested by", lambda r: person(r.requested_by), 20),
    Column("Submitted at (UTC)", attrgetter("submitted_at"), 20),
    Column(
        "Sign-offs given / needed",
        lambda r: signers.progress_text(r.progress()),
        28,
    ),
    Column("Signed by", _sign_offs, 50),
    Column("Decided at (UTC)", attrgetter("decided_at"), 20),
    Column("Expires on", attrgetter("expires_on"), 12),
    Column("Conditions met", _conditions_met, 14),
    Column("Summary", attrgetter("summary"), 40),
    Column("Decision note", attrgetter("decision_note"), 40),
    Column("Gate policy", lambda r: str(r.policy) if r.policy else "", 24),
    Column("Snapshot SHA-256", attrgetter("snapshot_sha256"), 66),
)


def approvals(user: User, params: QueryDict, _today: date) -> Table:
    """Every approval request, newest first; filters: model, gate, state, tier."""
    found = ApprovalRequest.objects.filter(model__in=permissions.models_for(user))
    for name in ("gate", "state", "tier"):
        if params.get(name):
            found = found.filter(**{name: params[name]})
    rows = (
        _only_model(found, params)
        .select_related("model", "version", "requested_by", "policy")
        .prefetch_related(
            Prefetch("sign_offs", queryset=SignOff.objects.select_related("signer")),
            "conditions",
        )
        .order_by("-created_at", "-pk")
    )
    return Table(APPROVAL_COLUMNS, rows.iterator(chunk_size=CHUNK))


# ---- Obligations and their evidence ---------------------------------------------------------


def _latest_evidence(control: Control) -> Any:
    return max((e.added_at for e in control.evidence.all()), default=None)


def _obligation_columns(today: date) -> tuple[Column[Control], ...]:
    return (
        *MODEL_COLUMNS,
        Column("Framework", lambda c: label_for(c.framework), 14),
        Column("Reference", attrgetter("reference"), 16),
        Column("Obligation", attrgetter("title"), 40),
        Column("Due on", attrgetter("due_on"), 12),
        Column("Status", lambda c: Control.Status(risk_selectors.status_of(c, today)).label, 20),
        Column("Evidence items", lambda c: len(c.evidence.all()), 10),
        Column("Evidence", lambda c: "; ".join(e.title for e in c.evidence.all()), 40),
        Column("Latest evidence (UTC)", _latest_evidence, 20),
        Column(
            "Evidence SHA-256",
            lambda c: "; ".join(e.sha256 for e in c.evidence.all() if e.sha256),
            66,
        ),
        Column("Reviewed by", lambda c: person(c.reviewed_by), 20),
        Column("Reviewed at (UTC)", attrgetter("reviewed_at"), 20),
        Column("Waiver approved by", lambda c: person(c.waiver_approved_by), 20),
        Column("Waiver expires on", attrgetter("waiver_expires_on"), 16),
        Column("Waiver reason", attrgetter("waiver_reason"), 40),
    )


def obligations(user: User, params: QueryDict, today: date) -> Table:
    """Every obligation that applies to a visible model; filters: model, framework, status (as
    the checklist counts it, so `missing` includes expired waivers)."""
    found = Control.objects.filter(model__in=permissions.models_for(user), applies=True)
    if params.get("framework"):
        found = found.filter(framework=params["framework"])
    evidence = Evidence.objects.order_by("added_at", "pk")
    rows = (
        _only_model(found, params)
        .select_related("model", "reviewed_by", "waiver_approved_by")
        .prefetch_related(Prefetch("evidence", queryset=evidence))
        .order_by("model__name", "framework", "pk")
        .iterator(chunk_size=CHUNK)
    )
    status = params.get("status", "")
    kept = (c for c in rows if not status or risk_selectors.status_of(c, today) == status)
    return Table(_obligation_columns(today), kept)


REGISTERS = (
    Register(
        "inventory",
        "Inventory",
        "Every model with its owner, status, tier, EU AI Act category, versions and custom fields.",
        ("model", "q", "status", "model_type", "business_unit", "owner", "eu_category", "tier"),
        inventory,
    ),
    Register(
        "findings",
        "Findings",
        "Findings with severity, owner, due date, days overdue, remediation and resolution.",
        ("model", "status", "severity", "source", "overdue"),
        findings,
    ),
    Register(
        "exceptions",
        "Exceptions and waivers",
        "Policy exceptions to gate rules and obligation waivers, with approver and expiry.",
        ("model", "state"),
        exceptions,
    ),
    Register(
        "approvals",
        "Approval requests",
        "Approval requests with their sign-offs, conditions, decision and snapshot hash.",
        ("model", "gate", "state", "tier"),
        approvals,
    ),
    Register(
        "obligations",
        "Obligations",
        "Every obligation that applies, with its status and the evidence recorded for it.",
        ("model", "framework", "status"),
        obligations,
    ),
)
BY_KEY = {register.key: register for register in REGISTERS}
