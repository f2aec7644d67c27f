"""Reads for the approval pages: the review queue, each person's work, and one request in full.

Reads only. Who may sign what follows permissions.signoff_roles; for lists it is worked out once
per user (models they validate, models they decide, their specialist groups) so a page costs a
fixed number of queries however many requests it shows.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from governance import permissions
from governance.approvals.models import ApprovalRequest, Attachment, Condition, Gate, SignOff
from governance.approvals.rules import policy, signoffs, states
from governance.approvals.selectors import facts as approval_facts
from governance.approvals.services import gate
from governance.approvals.services import workflow as approvals
from governance.errors import DomainError
from governance.findings.models import Finding
from monitoring.models import FairnessResult, MetricPoint
from registry.models import MLModel, ModelVersion

AWAITING = (states.SUBMITTED, states.IN_REVIEW)


# ---- Sign-off progress -------------------------------------------------------------------------


def requirements_of(request: ApprovalRequest) -> list[signoffs.Requirement]:
    return [signoffs.Requirement(r["role"], int(r["count"])) for r in request.requirements]


def given_of(sign_offs: Iterable[SignOff]) -> list[signoffs.Given]:
    return [signoffs.Given(s.role, s.signer_id, s.decision) for s in sign_offs]


def progress_of(request: ApprovalRequest) -> signoffs.Progress:
    """Uses the prefetched sign-offs when the caller prefetched them."""
    return signoffs.progress(requirements_of(request), given_of(request.sign_offs.all()))


def progress_text(progress: signoffs.Progress) -> str:
    """ "validator 1/1, committee 0/2": approvals given against approvals needed, per role."""
    return ", ".join(
        f"{r.role} {min(progress.approvals.get(r.role, 0), r.count)}/{r.count}"
        for r in progress.requirements
    )


def outstanding_roles(progress: signoffs.Progress) -> list[str]:
    return [r.role for r in progress.outstanding]


# ---- The committee review queue ----------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    request: ApprovalRequest
    age_days: int
    progress: str


def _awaiting(user: AbstractBaseUser) -> QuerySet[ApprovalRequest]:
    return (
        ApprovalRequest.objects.filter(
            state__in=AWAITING, model__in=permissions.models_for(user, "view")
        )
        .select_related("model", "version", "submitted_by")
        .prefetch_related("sign_offs")
        .order_by("submitted_at", "pk")
    )


def _age_days(request: ApprovalRequest, today: date) -> int:
    since = request.submitted_at or request.created_at
    return (today - timezone.localdate(since)).days


def queue(
    user: AbstractBaseUser, gate: str = "", tier: str = "", today: date | None = None
) -> list[QueueRow]:
    """Submitted and in-review requests on models the user may see, oldest first."""
    today = today or timezone.localdate()
    found = _awaiting(user)
    if gate:
        found = found.filter(gate=gate)
    if tier:
        found = found.filter(tier=tier)
    return [QueueRow(r, _age_days(r, today), progress_text(progress_of(r))) for r in found]


# ---- My work -------------------------------------------------------------------------------------


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


def held_roles(user: AbstractBaseUser) -> HeldRoles:
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


def _excluded(user: AbstractBaseUser, request: ApprovalRequest) -> bool:
    """Segregation of duties: the owner, the submitter, a builder, or someone who signed."""
    if user.pk in (request.model.owner_id, request.submitted_by_id):
        return True
    if any(s.signer_id == user.pk for s in request.sign_offs.all()):
        return True
    return user.pk in approval_facts.builders_of(request.version)


def _awaiting_me(user: AbstractBaseUser, held: HeldRoles) -> list[WorkItem]:
    items = []
    for request in _awaiting(user).select_related("version__training_run"):
        progress = progress_of(request)
        mine = tuple(r for r in outstanding_roles(progress) if r in held.on(request.model_id))
        if progress.rejected_by or not mine or _excluded(user, request):
            continue
        items.append(WorkItem(request, mine, progress_text(progress)))
    return items


@dataclass
class MyWork:
    to_submit: list[ApprovalRequest] = field(default_factory=list)
    to_review: list[WorkItem] = field(default_factory=list)
    to_sign_off: list[WorkItem] = field(default_factory=list)
    overdue_findings: list[Finding] = field(default_factory=list)
    overdue_conditions: list[Condition] = field(default_factory=list)
    overdue_reviews: list[ApprovalRequest] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(vars(self).values())


def my_work(user: AbstractBaseUser, today: date | None = None) -> MyWork:
    """What waits on this person, by what they do: submit, review, sign off, catch up on."""
    today = today or timezone.localdate()
    held = held_roles(user)
    submits = set(permissions.models_for(user, "submit").values_list("pk", flat=True))
    awaiting = _awaiting_me(user, held)
    return MyWork(
        to_submit=list(
            ApprovalRequest.objects.filter(state=states.DRAFT, model_id__in=submits)
            .select_related("model", "version")
            .order_by("created_at", "pk")
        ),
        to_review=[item for item in awaiting if "validator" in item.roles],
        to_sign_off=[item for item in awaiting if set(item.roles) - {"validator"}],
        overdue_findings=list(
            Finding.objects.filter(
                owner=user, status__in=Finding.OPEN_STATUSES, due_on__lt=today
            ).select_related("model")
        ),
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


# ---- One request --------------------------------------------------------------------------------


def request_for_user_or_404(user: AbstractBaseUser, pk: int) -> ApprovalRequest:
    """The request, 404 when its model is hidden from the user."""
    found = ApprovalRequest.objects.select_related(
        "model", "model__owner", "version", "version__training_run", "requested_by", "submitted_by"
    ).filter(model__in=permissions.models_for(user, "view"))
    return get_object_or_404(found, pk=pk)


def latest_metrics(version: ModelVersion) -> list[MetricPoint]:
    """The newest point of each metric (and segment) reported for the version."""
    newest = MetricPoint.objects.filter(
        version=version, name=OuterRef("name"), segment=OuterRef("segment")
    ).order_by("-timestamp", "-pk")
    return list(
        MetricPoint.objects.filter(version=version, pk=Subquery(newest.values("pk")[:1])).order_by(
            "name", "segment"
        )
    )


def latest_fairness(version: ModelVersion) -> FairnessResult | None:
    return FairnessResult.objects.filter(version=version).order_by("-evaluated_at", "-pk").first()


def open_findings(model: MLModel) -> list[Finding]:
    return list(
        Finding.objects.filter(model=model, status__in=Finding.OPEN_STATUSES).select_related(
            "owner"
        )
    )


def lineage(version: ModelVersion) -> dict[str, Any]:
    """Version -> training run -> the dataset versions it read."""
    run = version.training_run
    datasets = list(run.input_datasets.select_related("dataset")) if run else []
    return {"run": run, "datasets": datasets}


@dataclass(frozen=True)
class GateNow:
    answer: policy.Answer | None
    problem: str = ""


def gate_now(request: ApprovalRequest) -> GateNow | None:
    """For deployment requests: what the gate says for this version and environment now."""
    if request.gate != Gate.DEPLOYMENT:
        return None
    try:
        answer, _book = gate.check(request.version, request.environment)
    except DomainError as exc:
        return GateNow(None, exc.error_text)
    return GateNow(answer)


def sign_offs_of(request: ApprovalRequest) -> list[SignOff]:
    return list(request.sign_offs.select_related("signer").prefetch_related("attachments"))


def roles_to_sign(user: AbstractBaseUser, request: ApprovalRequest) -> list[str]:
    """The roles this user holds that the request still needs (empty once it is decided)."""
    if request.state not in AWAITING:
        return []
    held = permissions.signoff_roles(user, request.model)
    return [role for role in outstanding_roles(progress_of(request)) if role in held]


def why_not_sign(user: AbstractBaseUser, request: ApprovalRequest, role: str) -> str:
    """Segregation of duties, said before the person fills the form in ('' if nothing stops
    them). The service checks again on submit."""
    try:
        approvals.check_signer(user, request, role)
    except DomainError as exc:
        return exc.error_text
    return ""


def requests_of(
    user: AbstractBaseUser, model: MLModel, version: ModelVersion | None = None
) -> list[tuple[ApprovalRequest, tuple[str, ...]]]:
    """A model's (or one version's) requests, newest first, each with why it no longer holds."""
    found = ApprovalRequest.objects.filter(model=model).select_related("version", "model")
    if version is not None:
        found = found.filter(version=version)
    today = timezone.localdate()
    return [(r, approval_facts.lapses_of(r, today)) for r in found]


def attachment_for(user: AbstractBaseUser, pk: int) -> Attachment | None:
    """A sign-off's stored file, for someone who may see the model (never from MEDIA_URL)."""
    found = Attachment.objects.filter(
        sign_off__request__model__in=permissions.models_for(user)
    ).exclude(file="")
    return found.filter(pk=pk).first()
