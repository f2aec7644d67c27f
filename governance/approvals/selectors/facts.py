"""What approvals and the gate look at, read from the database as the pure rules want it.

Reads only: the tier in force, the EU AI Act block, obligations due without evidence, who
built a version, what an approval covered (its snapshot) and why it no longer holds.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import DateTimeField, F, Q, Value
from django.utils import timezone

from governance.access.models import RequestState
from governance.approvals.models import ApprovalRequest, Condition, Gate, SignOff
from governance.approvals.rules import states, validity
from governance.approvals.rules.policy import stages_due
from governance.findings.models import PolicyException, RevalidationFlag
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, Framework, ReassessmentFlag
from governance.risk.rules.coverage import Item, effective_status
from governance.risk.rules.results import Outcome
from governance.rulebooks.content import content_sha256
from registry.models import MLModel, ModelVersion


def tier_of(model: MLModel, at: datetime | None = None) -> Outcome | None:
    found = risk_selectors.in_force_at(model, Framework.TIERING, at)
    return risk_selectors.effective_outcome(found) if found else None


def eu_outcome(model: MLModel, at: datetime | None = None) -> Outcome | None:
    return risk_selectors.eu_category_of(model, at)


def prohibited(model: MLModel) -> bool:
    outcome = eu_outcome(model)
    return bool(outcome and outcome.details.get("blocked"))


def missing_obligations(model: MLModel, today: date, gate: str | None = None) -> list[str]:
    """References of obligations due by `today` with no evidence and no running waiver.

    For a gate, only the stages it counts (`stages_due`: validation asks for what is due
    before validation only); without one, every stage, ongoing duties included.
    """
    rows = Control.objects.filter(model=model, applies=True).filter(
        Q(due_on__isnull=True) | Q(due_on__lte=today)
    )
    if gate is not None:
        rows = rows.filter(stage__in=stages_due(gate))
    return [
        reference
        for reference, title, status, due_on, expires in rows.values_list(
            "reference", "title", "status", "due_on", "waiver_expires_on"
        )
        if effective_status(Item(reference, title, status, due_on, expires), today) == "missing"
    ]


# ---- What an approval covered -----------------------------------------------------------------


def _assessments(model: MLModel) -> list[dict[str, Any]]:
    found = [
        risk_selectors.in_force_at(model, Framework.SCOPING),
        risk_selectors.in_force_at(model, Framework.TIERING),
        *(risk_selectors.in_force_at(u, Framework.EU_AI_ACT) for u in model.use_cases.all()),
    ]
    return [
        {
            "id": a.pk,
            "framework": a.framework,
            "subject": str(a.subject),
            "rulebook": str(a.rulebook),
            "result": risk_selectors.effective_outcome(a).result,
            "outcome_sha256": content_sha256(a.outcome),
        }
        for a in found
        if a is not None
    ]


def _evidence(model: MLModel) -> list[dict[str, Any]]:
    controls = Control.objects.filter(model=model, applies=True).prefetch_related("evidence")
    return [
        {
            "control": c.pk,
            "obligation": c.obligation_id,
            "status": c.status,
            "waiver_expires_on": c.waiver_expires_on.isoformat() if c.waiver_expires_on else None,
            "evidence": [
                {"id": e.pk, "sha256": e.sha256, "url": e.url, "record": e.record_id}
                for e in c.evidence.all()
            ],
        }
        for c in controls
    ]


def snapshot_of(request: ApprovalRequest) -> dict[str, Any]:
    """Exactly what an approval approves: version, assessments, evidence, waivers, sign-offs."""
    version, model, policy = request.version, request.model, request.policy
    if policy is None:  # set on submission, and only submitted requests are decided
        raise ValueError(f"{request} was never submitted: it has no gate policy")
    today = timezone.localdate()
    exceptions = PolicyException.objects.filter(
        model=model, state=RequestState.GRANTED, revoked_at__isnull=True, expires_on__gte=today
    )
    sign_offs = SignOff.objects.filter(request=request).prefetch_related("attachments")
    return {
        "version": {
            "id": version.pk,
            "label": version.version,
            "artifact_uri": version.artifact_uri,
            "artifact_sha256": version.artifact_sha256,
            "training_run": version.training_run_id,
            "prompt_templates": sorted(version.prompt_templates.values_list("sha256", flat=True)),
        },
        "policy": {"id": request.policy_id, "sha256": policy.content_sha256},
        "tier": request.tier,
        "assessments": _assessments(model),
        "obligations": _evidence(model),
        "exceptions": [{"id": e.pk, "rule": e.rule_id} for e in exceptions],
        "sign_offs": [
            {
                "role": s.role,
                "signer": s.signer_id,
                "decision": s.decision,
                "attachments": [a.sha256 for a in s.attachments.all()],
            }
            for s in sign_offs
        ],
    }


# ---- Why an approval no longer holds -----------------------------------------------------------


@dataclass(frozen=True)
class ModelEvents:
    """What every approval of one model is checked against, read once per question."""

    cadence_months: int | None
    breaches: tuple[tuple[datetime, str, datetime | None], ...]  # raised, reason, cleared
    changes: tuple[tuple[datetime, str], ...]

    @property
    def revalidation_required(self) -> tuple[str, ...]:
        return tuple(reason for _, reason, cleared in self.breaches if cleared is None)


def events_of(model: MLModel, tier: Outcome | None) -> ModelEvents:
    """Both flag tables in one round trip: the gate asks this before every deployment."""
    breaches = (
        RevalidationFlag.objects.filter(model=model)
        .order_by()
        .annotate(kind=Value("breach"), cleared=F("cleared_at"))
    )
    changes = (
        ReassessmentFlag.objects.filter(model=model)
        .order_by()
        .annotate(kind=Value("change"), cleared=Value(None, output_field=DateTimeField()))
    )
    fields = ("kind", "raised_at", "reason", "cleared")
    rows = list(breaches.values_list(*fields).union(changes.values_list(*fields), all=True))
    return ModelEvents(
        cadence_months=tier.details.get("cadence_months") if tier else None,
        breaches=tuple(
            (at, reason, cleared) for kind, at, reason, cleared in rows if kind == "breach"
        ),
        changes=tuple((at, reason) for kind, at, reason, _ in rows if kind == "change"),
    )


def _relied_waivers(snapshot: dict[str, Any]) -> list[validity.Dated]:
    """The waivers the approval counted on, as they stand now (evidence since is fine)."""
    waived = [
        o["control"]
        for o in snapshot.get("obligations", [])
        if o["status"] == Control.Status.WAIVED
    ]
    exception_ids = [e["id"] for e in snapshot.get("exceptions", [])]
    found = []
    for control in Control.objects.filter(pk__in=waived) if waived else ():
        label = f"waiver of {control.reference}"
        if control.status == Control.Status.WAIVED:
            found.append(validity.Dated(label, control.waiver_expires_on))
        elif control.status == Control.Status.MISSING:
            found.append(validity.Dated(label, None))
    for exception in PolicyException.objects.filter(pk__in=exception_ids) if exception_ids else ():
        on = None if exception.revoked_at else exception.expires_on
        found.append(validity.Dated(f"exception {exception.reference}", on))
    return found


_UNREAD = object()  # `validation` not read yet by the caller


def current_validation(
    version: ModelVersion,
    today: date,
    events: ModelEvents | None = None,
    approvals: Iterable[ApprovalRequest] | None = None,
) -> ApprovalRequest | None:
    """The version's latest validation approval that still holds (the cadence aside).

    `approvals` may be the version's approvals already read, newest first (the gate reads its
    own gate's and validation's in one query).
    """
    events = events or events_of(version.model, tier_of(version.model))
    if approvals is None:
        approvals = ApprovalRequest.objects.filter(
            version=version, state__in=states.APPROVALS
        ).order_by("-decided_at")
    for approval in approvals:
        if approval.gate != Gate.VALIDATION:
            continue
        if not lapses_of(approval, today, events=events, revalidation=False):
            return approval
    return None


def _revalidation_due(
    request: ApprovalRequest, today: date, events: ModelEvents, validation: Any
) -> date | None:
    if not events.cadence_months:
        return None
    basis: ApprovalRequest | None
    if request.gate == Gate.VALIDATION:
        basis = request
    elif validation is _UNREAD:
        basis = current_validation(request.version, today, events)
    else:
        basis = validation
    if basis is None:
        return None
    return validity.add_months(timezone.localdate(basis.decided_at), events.cadence_months)


def _since(decided_at: datetime, events: Iterable[tuple]) -> tuple[validity.Dated, ...]:
    return tuple(
        validity.Dated(reason, timezone.localdate(raised_at))
        for raised_at, reason, *_ in events
        if raised_at > decided_at
    )


def lapses_of(
    request: ApprovalRequest,
    today: date | None = None,
    *,
    events: ModelEvents | None = None,
    revalidation: bool = True,
    validation: object = _UNREAD,
) -> tuple[str, ...]:
    """Why an approval no longer holds on `today` (empty while it does; empty if no approval).

    `events` and the version's current `validation` may be passed in when the caller has
    already read them (the gate does), so one answer reads each once.
    """
    if request.state not in states.APPROVALS or request.decided_at is None:
        return ()
    today = today or timezone.localdate()
    events = events or events_of(request.model, tier_of(request.model))
    conditions = (
        request.conditions.all()
        if request.state == states.APPROVED_WITH_CONDITIONS
        else Condition.objects.none()
    )
    facts = validity.ApprovalFacts(
        decided_on=timezone.localdate(request.decided_at),
        expires_on=request.expires_on,
        conditions=tuple(
            validity.Dated(c.text, c.due_on, c.met_at is not None) for c in conditions
        ),
        waivers=tuple(_relied_waivers(request.snapshot)),
        revalidation_due=(
            _revalidation_due(request, today, events, validation) if revalidation else None
        ),
        breaches=_since(request.decided_at, events.breaches),
        material_changes=_since(request.decided_at, events.changes),
    )
    return validity.lapses(facts, today)
