"""Escalation: a submitted request that nobody eligible can sign in some role is raised at once
with the committee chair and the heads of validation, instead of waiting unseen in a queue.

One person signs in one role, so roles that only the same person could fill are short too."""

from django.contrib.auth.models import User

from governance import audit
from governance.approvals.models import ApprovalRequest
from governance.approvals.rules import signoffs
from governance.approvals.selectors import eligibility
from governance.labels import signer_noun
from governance.notices import services as notices

KIND = "approval.escalated"


def describe(shortfall: signoffs.Shortfall) -> str:
    """'no eligible validator', 'only 1 eligible committee member of the 2 needed', or 'only 1
    eligible person for the validator and committee member sign-offs (one person signs one
    role)'."""
    if len(shortfall.roles) > 1:
        names = [signer_noun(role) for role in shortfall.roles]
        together = f"{', '.join(names[:-1])} and {names[-1]}"
        people = "person" if shortfall.eligible == 1 else "people"
        return (
            f"only {shortfall.eligible} eligible {people} for the {shortfall.needed} {together} "
            "sign-offs (one person signs one role)"
        )
    name = signer_noun(shortfall.roles[0])
    if shortfall.eligible == 0:
        return f"no eligible {name}"
    return f"only {shortfall.eligible} eligible {name} of the {shortfall.needed} needed"


def escalate_if_unfillable(*, actor: User, request: ApprovalRequest) -> list[str]:
    """Call inside the submitting transaction: when some required role cannot be filled (too
    few holders with rights on the model whom segregation of duties lets sign), tell the chair
    and the heads of validation which, and audit it. The roles escalated, or none.

    Roles are short when no assignment of distinct people fills them all: a person eligible in
    two roles fills only one."""
    short = eligibility.shortfalls(request)
    if not short:
        return []
    said = "; ".join(describe(s) for s in short)
    roles = [role for s in short for role in s.roles]
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
            "roles": roles,
            "shortfalls": [
                {"roles": list(s.roles), "needed": s.needed, "eligible": s.eligible} for s in short
            ],
            "notified": sorted(recipients),
        },
        mlmodel_id=request.model_id,
    )
    return roles
