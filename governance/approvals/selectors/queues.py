"""Work waiting on people: the committee's review queue and each person's own work list."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.models import User
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from governance import permissions
from governance.access import selectors as people
from governance.access.models import RequestState, RoleGrant, ValidatorRequest
from governance.approvals.models import ApprovalRequest, Condition, Gate
from governance.approvals.rules import states
from governance.approvals.selectors import signers
from governance.findings.models import Finding, PolicyException, RiskAcceptance
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, RiskAssessment, Waiver
from governance.rulebooks.models import Publication
from registry.models import MLModel, UseCaseChange


@dataclass(frozen=True)
class QueueRow:
    request: ApprovalRequest
    age_days: int
    progress: str


def _awaiting(user: User) -> QuerySet[ApprovalRequest]:
    return (
        ApprovalRequest.objects.filter(
            state__in=signers.AWAITING, model__in=permissions.models_for(user, "view")
        )
        .select_related("model", "version", "submitted_by")
        .prefetch_related("sign_offs")
        .order_by("submitted_at", "pk")
    )


def _age_days(request: ApprovalRequest, today: date) -> int:
    since = request.submitted_at or request.created_at
    return (today - timezone.localdate(since)).days


def queue(user: User, gate: str = "", tier: str = "", today: date | None = None) -> list[QueueRow]:
    """Submitted and in-review requests on models the user may see, oldest first."""
    today = today or timezone.localdate()
    found = _awaiting(user)
    if gate:
        found = found.filter(gate=gate)
    if tier:
        found = found.filter(tier=tier)
    return [QueueRow(r, _age_days(r, today), signers.progress_text(r.progress())) for r in found]


@dataclass(frozen=True)
class HeldRoles:
    """The sign-off roles one user holds, per model, read once (mirrors signoff_roles)."""

    validates: frozenset[int]
    decides: frozenset[int]
    specialist: frozenset[str]

    def on(self, model_id: int) -> frozenset[str]:
        held = set(self.specialist)
        if model_id in self.validates:
            held.add("validator")
        if model_id in self.decides:
            held.add("committee")
        return frozenset(held)


def held_roles(user: User) -> HeldRoles:
    groups = set(user.groups.values_list("name", flat=True))
    return HeldRoles(
        validates=frozenset(permissions.models_for(user, "validate").values_list("pk", flat=True)),
        decides=frozenset(permissions.models_for(user, "decide").values_list("pk", flat=True)),
        specialist=frozenset(
            role for role, group in permissions.SPECIALIST_ROLES.items() if group in groups
        ),
    )


@dataclass(frozen=True)
class WorkItem:
    request: ApprovalRequest
    roles: tuple[str, ...]  # the roles this person would sign in
    progress: str


def _excluded(user: User, request: ApprovalRequest) -> bool:
    """Segregation of duties: the owner, the submitter, a builder, or someone who signed."""
    if user.pk in (request.model.owner_id, request.submitted_by_id):
        return True
    if any(s.signer_id == user.pk for s in request.sign_offs.all()):
        return True
    return user.pk in people.builders_of(request.version)


def _awaiting_me(user: User, held: HeldRoles) -> list[WorkItem]:
    items = []
    for request in _awaiting(user).select_related("version__training_run"):
        progress = request.progress()
        mine = tuple(
            r for r in signers.outstanding_roles(progress) if r in held.on(request.model_id)
        )
        if progress.rejected_by or not mine or _excluded(user, request):
            continue
        items.append(WorkItem(request, mine, signers.progress_text(progress)))
    return items


@dataclass(frozen=True)
class Decision:
    """Something another person asked for that this person may grant or refuse."""

    kind: str
    subject: str
    asked_by: User
    asked_at: datetime
    link: str


def _second_person(user: User, asked_by: User) -> bool:
    return not people.same_person(user, asked_by)


def _model_decisions(user: User) -> list[Decision]:
    """Exceptions, waivers and risk acceptances on models the user decides and does not build."""
    mine = permissions.models_for(user, "decide")
    pending = RequestState.REQUESTED
    asked: list[tuple[MLModel, Decision]] = []
    for e in PolicyException.objects.filter(model__in=mine, state=pending).select_related(
        "model", "requested_by"
    ):
        what = f"{e.reference} {e.rule_title} for {e.model}"
        link = reverse("findings:exception-list")
        asked.append(
            (e.model, Decision("Policy exception", what, e.requested_by, e.requested_at, link))
        )
    for w in Waiver.objects.filter(control__model__in=mine, state=pending).select_related(
        "control__model", "requested_by"
    ):
        link = reverse("risk:obligations", args=[w.control.model.slug]) + f"#control-{w.control_id}"
        asked.append(
            (
                w.control.model,
                Decision("Obligation waiver", str(w), w.requested_by, w.requested_at, link),
            )
        )
    for a in RiskAcceptance.objects.filter(finding__model__in=mine, state=pending).select_related(
        "finding__model", "requested_by"
    ):
        what = f"{a.finding} on {a.finding.model}"
        link = a.finding.get_absolute_url()
        asked.append(
            (
                a.finding.model,
                Decision("Risk acceptance", what, a.requested_by, a.requested_at, link),
            )
        )
    me = people.people_behind(user).keys()
    developers: dict[int, people.People] = {}
    for model, _ in asked:
        developers.setdefault(model.pk, people.developers_of(model))
    return [d for model, d in asked if not me & developers[model.pk].keys()]


def decisions_for(user: User) -> list[Decision]:
    """Every request waiting on this person's decision, oldest first, never their own."""
    found = _model_decisions(user)
    if permissions.can_globally(user, "publish_rulebooks"):
        for p in Publication.objects.filter(state=RequestState.REQUESTED).select_related(
            "rulebook", "requested_by"
        ):
            found.append(
                Decision(
                    "Rulebook publication",
                    str(p.rulebook),
                    p.requested_by,
                    p.requested_at,
                    reverse("rulebooks:detail", args=[p.rulebook_id]),
                )
            )
    if permissions.can_globally(user, "assign_validators"):
        for v in ValidatorRequest.objects.filter(state=RequestState.REQUESTED).select_related(
            "model", "requested_by"
        ):
            found.append(
                Decision(
                    "Validator",
                    f"a validator for {v.model}",
                    v.requested_by,
                    v.requested_at,
                    v.model.get_absolute_url() + "#raci",
                )
            )
    if permissions.can_globally(user, "grant_roles"):
        for g in RoleGrant.objects.filter(state=RequestState.REQUESTED).select_related(
            "user", "role", "requested_by"
        ):
            if not people.same_person(user, g.user):
                found.append(
                    Decision(
                        "Role",
                        f"{g.role.name} for {g.user.get_full_name() or g.user.get_username()}",
                        g.requested_by,
                        g.requested_at,
                        reverse("tokens:roles") + f"#role-grant-{g.pk}",
                    )
                )
    for c in UseCaseChange.objects.filter(state=RequestState.REQUESTED).select_related(
        "use_case", "requested_by"
    ):
        if permissions.can_change_use_case(user, c.use_case):
            found.append(
                Decision(
                    "Use case change",
                    str(c.use_case),
                    c.requested_by,
                    c.requested_at,
                    c.use_case.get_absolute_url(),
                )
            )
    found += _override_decisions(user)
    return sorted((d for d in found if _second_person(user, d.asked_by)), key=lambda d: d.asked_at)


def _override_decisions(user: User) -> list[Decision]:
    proposed = RiskAssessment.objects.filter(
        review=RiskAssessment.Review.OVERRIDE_PROPOSED, status=RiskAssessment.Status.COMPLETED
    ).select_related("model", "use_case", "reviewed_by")
    return [
        Decision(
            "Risk override",
            f"{a.override_result} for {a.subject}",
            a.reviewed_by,
            a.reviewed_at or a.created_at,
            risk_selectors.result_link(a),
        )
        for a in proposed
        if a.reviewed_by is not None and risk_selectors.can_review(user, a)
    ]


@dataclass(frozen=True)
class OwnedFinding:
    """An open finding this person owns, with how long it has been open and how long is left."""

    finding: Finding
    age_days: int
    days_left: int  # negative once overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def owned_findings(user: User, today: date) -> list[OwnedFinding]:
    """Every open finding the user owns, soonest due first (not only the overdue ones)."""
    found = (
        Finding.objects.filter(owner=user, status__in=Finding.OPEN_STATUSES)
        .select_related("model")
        .order_by("due_on", "pk")
    )
    return [
        OwnedFinding(f, (today - timezone.localdate(f.raised_at)).days, (f.due_on - today).days)
        for f in found
    ]


@dataclass(frozen=True)
class EvidenceToAccept:
    """An obligation whose evidence waits for a validator to accept it."""

    control: Control
    evidenced_at: datetime | None  # when the latest evidence was attached

    @property
    def link(self) -> str:
        path = reverse("risk:obligations", args=[self.control.model.slug])
        return f"{path}#control-{self.control.pk}"


def evidence_to_accept(validates: frozenset[int]) -> list[EvidenceToAccept]:
    """Evidenced obligations still applying on the models given (those the person may
    validate: only a validator accepts evidence, controls.accept), oldest evidence first."""
    if not validates:
        return []
    found = (
        Control.objects.filter(
            model_id__in=validates, applies=True, status=Control.Status.EVIDENCED
        )
        .select_related("model")
        .annotate(evidenced_at=Max("evidence__added_at"))
        .order_by("evidenced_at", "pk")
    )
    return [EvidenceToAccept(c, c.evidenced_at) for c in found]


@dataclass
class MyWork:
    to_decide: list[Decision] = field(default_factory=list)
    to_submit: list[ApprovalRequest] = field(default_factory=list)
    to_review: list[WorkItem] = field(default_factory=list)
    to_sign_off: list[WorkItem] = field(default_factory=list)
    overdue_findings: list[Finding] = field(default_factory=list)
    owned_findings: list[OwnedFinding] = field(default_factory=list)
    evidence_to_accept: list[EvidenceToAccept] = field(default_factory=list)
    overdue_conditions: list[Condition] = field(default_factory=list)
    overdue_reviews: list[ApprovalRequest] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(vars(self).values())


def my_work(user: User, today: date | None = None) -> MyWork:
    """What waits on this person, by what they do: submit, review, sign off, catch up on."""
    today = today or timezone.localdate()
    held = held_roles(user)
    submits = set(permissions.models_for(user, "submit").values_list("pk", flat=True))
    awaiting = _awaiting_me(user, held)
    owned = owned_findings(user, today)
    return MyWork(
        to_decide=decisions_for(user),
        to_submit=list(
            ApprovalRequest.objects.filter(state=states.DRAFT, model_id__in=submits)
            .select_related("model", "version")
            .order_by("created_at", "pk")
        ),
        to_review=[item for item in awaiting if "validator" in item.roles],
        to_sign_off=[item for item in awaiting if set(item.roles) - {"validator"}],
        overdue_findings=[o.finding for o in owned if o.overdue],
        owned_findings=owned,
        evidence_to_accept=evidence_to_accept(held.validates),
        overdue_conditions=list(
            Condition.objects.filter(
                met_at__isnull=True,
                due_on__lt=today,
                request__state__in=states.APPROVALS,
                request__model_id__in=submits | held.validates | held.decides,
            ).select_related("request__model", "request__version")
        ),
        overdue_reviews=list(
            ApprovalRequest.objects.filter(
                gate=Gate.PERIODIC_REVIEW,
                state__in=states.OPEN,
                due_on__lt=today,
                model_id__in=submits | held.validates | held.decides,
            ).select_related("model", "version")
        ),
    )
