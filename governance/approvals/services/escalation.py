"""Escalation: a submitted request that nobody eligible can sign in some role is raised at once
with the committee chair and the heads of validation, instead of waiting unseen in a queue."""

from django.contrib.auth.models import User

from governance import audit
from governance.approvals.models import ApprovalRequest
from governance.approvals.selectors import eligibility
from governance.notices import services as notices

KIND = "approval.escalated"

# How a sign-off role reads in a sentence ("no eligible committee member").
ROLE_NAMES = {
    "validator": "validator",
    "committee": "committee member",
    "compliance": "compliance officer",
    "legal": "legal reviewer",
}


def _role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def describe(shortfall: eligibility.Shortfall) -> str:
    """'no eligible validator' or 'only 1 eligible committee member of the 2 needed'."""
    name = _role_name(shortfall.role)
    if shortfall.eligible == 0:
        return f"no eligible {name}"
    return f"only {shortfall.eligible} eligible {name} of the {shortfall.needed} needed"


def escalate_if_unfillable(*, actor: User, request: ApprovalRequest) -> list[str]:
    """Call inside the submitting transaction: when some required role cannot be filled (too
    few holders with rights on the model whom segregation of duties lets sign), tell the chair
    and the heads of validation which, and audit it. The roles escalated, or none."""
    short = eligibility.shortfalls(request)
    if not short:
        return []
    said = "; ".join(describe(s) for s in short)
    recipients = {
        p.pk: p
        for p in [*eligibility.committee_chairs(request), *eligibility.heads_of_validation()]
    }
    notices.notify(
        people=recipients.values(),
        kind=KIND,
        subject=f"{request.reference} cannot be signed off: {said}",
        link=request.get_absolute_url(),
        body=(
            f"{request.reference} ({request.get_gate_display()} of {request.model} "
            f"{request.version.version}) was submitted, but {said}. Appoint someone who may "
            "sign it (holds the role, has rights on the model and no hand in building it)."
        ),
    )
    audit.record(
        actor=actor,
        verb=KIND,
        target=request,
        after={
            "roles": [s.role for s in short],
            "shortfalls": [
                {"role": s.role, "needed": s.needed, "eligible": s.eligible} for s in short
            ],
            "notified": sorted(recipients),
        },
        mlmodel_id=request.model_id,
    )
    return [s.role for s in short]
