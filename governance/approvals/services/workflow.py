"""Approval requests: opening, submitting, reviewing, signing off and withdrawing them.

Every state change asks the state machine (governance.workflow.states) and is audited; the
request row is locked first, so two people deciding at once are serialised and the second sees
what the first did.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions, uploads
from governance.approvals.models import ApprovalRequest, Attachment, Condition, Gate, SignOff
from governance.approvals.rules import signoffs, states
from governance.approvals.selectors import facts as approval_facts
from governance.approvals.selectors import signers
from governance.approvals.services import escalation, report
from governance.errors import DomainError, clean_or_raise, save_new
from governance.rulebooks.content import as_rules, content_sha256
from governance.rulebooks.models import Rulebook
from registry.models import Deployment, ModelVersion


@dataclass(frozen=True)
class NewCondition:
    text: str
    due_on: date | None


def _locked(request: ApprovalRequest) -> ApprovalRequest:
    return (
        ApprovalRequest.objects.select_for_update()
        .select_related("model", "version")
        .get(pk=request.pk)
    )


def _next_state(request: ApprovalRequest, action: str) -> str:
    """Where `action` takes the request, or a refusal naming the state and why."""
    try:
        return states.next_state(request.state, action)
    except states.IllegalTransition as exc:
        raise DomainError(field="state", message=str(exc)) from exc


def _move(actor: User | None, request: ApprovalRequest, action: str, **after: Any) -> None:
    """Take one step of the state machine and audit it."""
    new_state = _next_state(request, action)
    before = request.state
    request.state = new_state
    request.save()
    audit.record(
        actor=actor,
        verb=f"approval.{action}",
        target=request,
        before={"state": before},
        after={"state": new_state, **after},
        mlmodel_id=request.model_id,
    )


# ---- Opening and submitting ------------------------------------------------------------------


def _check_gate(gate: str, environment: str) -> None:
    if gate not in Gate.values:
        raise DomainError(field="gate", message=f"unknown gate {gate!r}; one of {Gate.values}")
    if gate == Gate.DEPLOYMENT and environment not in Deployment.Environment.values:
        raise DomainError(
            field="environment",
            message=f"a deployment request names one of {Deployment.Environment.values}",
        )
    if gate != Gate.DEPLOYMENT and environment:
        raise DomainError(field="environment", message="only deployment requests name one")


@transaction.atomic
def open_request(
    *,
    actor: User | None,
    version: ModelVersion,
    gate: str,
    environment: str = "",
    summary: str = "",
    due_on: date | None = None,
) -> ApprovalRequest:
    """A draft request for `version` to pass `gate`; `actor` None is the review scheduler."""
    if actor is not None:
        permissions.require(actor, "submit", version.model)
    _check_gate(gate, environment)
    taken = ApprovalRequest.objects.filter(
        version=version, gate=gate, environment=environment, state__in=states.OPEN
    ).first()
    if taken is not None:
        raise DomainError(field="gate", message=f"{taken.reference} is already open for this gate")
    request = ApprovalRequest(
        model=version.model,
        version=version,
        gate=gate,
        environment=environment,
        summary=summary.strip(),
        due_on=due_on,
        requested_by=actor,
    )
    clean_or_raise(request, exclude=["policy", "requested_by"])
    save_new(request, field="gate", message="a request is already open for this gate")
    after = audit.snapshot(request, ["version", "gate", "environment", "summary", "due_on"])
    audit.record(
        actor=actor,
        verb="approval.opened",
        target=request,
        after=after,
        mlmodel_id=request.model_id,
    )
    return request


def _require_submittable(request: ApprovalRequest, book: Rulebook, tier: str | None) -> str:
    """The model's tier, when the request may be submitted under this gate policy."""
    model, today = request.model, timezone.localdate()
    if tier is None:
        raise DomainError(
            field="tier",
            message="complete the model's tiering assessment first: sign-offs follow its tier",
        )
    if request.gate != Gate.RETIREMENT and approval_facts.prohibited(model):
        raise DomainError(
            field="eu_ai_act",
            message="a use case of this model is a prohibited AI practice (EU AI Act Art. 5); "
            "it cannot be validated or deployed",
        )
    if request.gate in as_rules(book.content).get("evidence_required_at", []):
        missing = approval_facts.missing_obligations(model, today, gate=request.gate)
        if missing:
            raise DomainError(
                field="evidence",
                message=f"{len(missing)} obligation(s) due have no evidence or running waiver: "
                + ", ".join(missing),
            )
    return tier


@transaction.atomic
def submit(*, actor: User, request: ApprovalRequest) -> ApprovalRequest:
    """Fix the sign-offs the tier needs and route the request to them."""
    request = _locked(request)
    permissions.require(actor, "submit", request.model)
    _next_state(request, "submit")
    book = Rulebook.objects.in_force(Rulebook.Kind.GATE_POLICY)
    tiering = approval_facts.tier_of(request.model)
    tier = _require_submittable(request, book, tiering.result if tiering else None)
    required = signoffs.required(as_rules(book.content), request.gate, tier)
    request.tier, request.policy = tier, book
    request.requirements = [{"role": r.role, "count": r.count} for r in required]
    request.submitted_by, request.submitted_at = actor, timezone.now()
    _move(actor, request, "submit", tier=tier, policy=str(book), requires=request.requirements)
    escalation.escalate_if_unfillable(actor=actor, request=request)
    return request


@transaction.atomic
def start_review(*, actor: User, request: ApprovalRequest) -> ApprovalRequest:
    """Someone who will sign it off takes the request into review."""
    request = _locked(request)
    roles = {r["role"] for r in request.requirements}
    if not roles & permissions.signoff_roles(actor, request.model):
        raise PermissionDenied(f"{actor} signs off none of the roles {request} needs")
    request.review_started_at = timezone.now()
    _move(actor, request, "start_review")
    return request


@transaction.atomic
def withdraw(*, actor: User, request: ApprovalRequest, reason: str) -> ApprovalRequest:
    request = _locked(request)
    permissions.require(actor, "submit", request.model)
    if not reason.strip():
        raise DomainError(field="reason", message="say why the request is withdrawn")
    request.withdrawn_at, request.decision_note = timezone.now(), reason.strip()
    _move(actor, request, "withdraw", reason=reason.strip())
    return request


# ---- Signing off -------------------------------------------------------------------------------


def _clean_conditions(
    decision: str, conditions: Sequence[NewCondition], expires_on: date | None
) -> list[tuple[str, date]]:
    """The conditions as (text, due date) once each is checked; none unless approving with them."""
    today = timezone.localdate()
    with_conditions = decision == signoffs.APPROVE_WITH_CONDITIONS
    if conditions and not with_conditions:
        raise DomainError(field="conditions", message="only an approval with conditions has them")
    if not with_conditions:
        if expires_on is not None and expires_on <= today:
            raise DomainError(field="expires_on", message="must be a future date")
        return []
    if not conditions:
        raise DomainError(field="conditions", message="name at least one condition")
    if expires_on is None or expires_on <= today:
        raise DomainError(
            field="expires_on", message="an approval with conditions needs a future expiry date"
        )
    checked = []
    for row, condition in enumerate(conditions, start=1):
        if not condition.text.strip():
            raise DomainError(field="conditions", row=row, message="say what must be done")
        if condition.due_on is None or condition.due_on <= today:
            raise DomainError(
                field="due_on", row=row, message="a condition needs a future due date"
            )
        if condition.due_on > expires_on:
            raise DomainError(
                field="due_on", row=row, message="must fall on or before the approval's expiry"
            )
        checked.append((condition.text, condition.due_on))
    return checked


def _attach(
    actor: User, sign: SignOff, attachments: Iterable[tuple[str, UploadedFile]]
) -> list[dict[str, Any]]:
    stored = []
    for title, upload in attachments:
        attachment = Attachment(
            sign_off=sign,
            title=(title or upload.name or "").strip(),
            **uploads.describe(upload, field="attachments"),
        )
        attachment.save()
        stored.append({"title": attachment.title, "sha256": attachment.sha256})
    return stored


def _decide(actor: User, request: ApprovalRequest, action: str, note: str) -> None:
    request.decided_at, request.decision_note = timezone.now(), note
    if action != signoffs.REJECT:
        request.snapshot = approval_facts.snapshot_of(request)
        request.snapshot_sha256 = content_sha256(request.snapshot)
    _move(actor, request, action, snapshot_sha256=request.snapshot_sha256)


@transaction.atomic
def sign_off(
    *,
    actor: User,
    request: ApprovalRequest,
    role: str,
    decision: str,
    comment: str = "",
    conditions: Sequence[NewCondition] = (),
    expires_on: date | None = None,
    attachments: Iterable[tuple[str, UploadedFile]] = (),
) -> SignOff:
    """Record one sign-off; the one that completes the required set decides the request."""
    request = _locked(request)
    permissions.require(actor, "view", request.model)
    if request.state != states.SUBMITTED:  # a submitted request goes into review first
        _next_state(request, signoffs.REJECT if decision == signoffs.REJECT else signoffs.APPROVE)
    if decision not in signoffs.DECISIONS:
        raise DomainError(field="decision", message=f"one of {', '.join(signoffs.DECISIONS)}")
    if decision == signoffs.REJECT and not comment.strip():
        raise DomainError(field="comment", message="say why you reject the request")
    due = _clean_conditions(decision, conditions, expires_on)
    signers.check_signer(actor, request, role)
    if request.state == states.SUBMITTED:
        request.review_started_at = timezone.now()
        _move(actor, request, "start_review")
    sign = SignOff.objects.create(
        request=request, role=role, signer=actor, decision=decision, comment=comment.strip()
    )
    stored = _attach(actor, sign, attachments)
    for text, due_on in due:
        Condition.objects.create(request=request, sign_off=sign, text=text.strip(), due_on=due_on)
    if expires_on is not None:
        request.expires_on = min(filter(None, [request.expires_on, expires_on]))
        request.save(update_fields=["expires_on", "updated_at"])
    audit.record(
        actor=actor,
        verb="approval.signed_off",
        target=sign,
        after={
            "request": request.pk,
            "role": role,
            "decision": decision,
            "comment": sign.comment,
            "conditions": [{"text": text, "due_on": due_on.isoformat()} for text, due_on in due],
            "expires_on": expires_on.isoformat() if expires_on else None,
            "attachments": stored,
        },
        mlmodel_id=request.model_id,
    )
    report.freeze_validation_report(request=request, sign=sign)
    progress = request.progress()
    if progress.rejected_by:
        _decide(actor, request, signoffs.REJECT, sign.comment)
    elif progress.complete:
        with_conditions = Condition.objects.filter(request=request).exists()
        action = signoffs.APPROVE_WITH_CONDITIONS if with_conditions else signoffs.APPROVE
        _decide(actor, request, action, sign.comment)
    return sign


@transaction.atomic
def meet_condition(*, actor: User, condition: Condition, note: str) -> Condition:
    """A validator or decider confirms a condition of an approval is met."""
    condition = (
        Condition.objects.select_for_update().select_related("request__model").get(pk=condition.pk)
    )
    model = condition.request.model
    if not (permissions.can(actor, "validate", model) or permissions.can(actor, "decide", model)):
        raise PermissionDenied(f"{actor} may not confirm conditions on {model}")
    if condition.met_at is not None:
        raise DomainError(field="met_at", message="this condition is already met")
    if not note.strip():
        raise DomainError(field="note", message="say how the condition was met")
    condition.met_at, condition.met_by, condition.met_note = timezone.now(), actor, note.strip()
    condition.save()
    audit.record(
        actor=actor,
        verb="approval.condition_met",
        target=condition,
        after={"request": condition.request_id, "text": condition.text, "note": condition.met_note},
        mlmodel_id=model.pk,
    )
    return condition
