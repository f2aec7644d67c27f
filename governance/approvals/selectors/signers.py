"""Sign-off progress: who has signed, what is outstanding, and who may still sign in which role."""

from django.contrib.auth.models import User

from governance import permissions
from governance.access import selectors as people
from governance.approvals.models import ApprovalRequest
from governance.approvals.rules import signoffs, states
from governance.errors import DomainError
from governance.labels import signer_noun

AWAITING = (states.SUBMITTED, states.IN_REVIEW)


def progress_text(progress: signoffs.Progress) -> str:
    """ "validator 1/1, committee members 0/2": approvals given against approvals needed, per
    role."""
    return ", ".join(
        f"{signer_noun(r.role, r.count)} {min(progress.approvals.get(r.role, 0), r.count)}/{r.count}"
        for r in progress.requirements
    )


def outstanding_roles(progress: signoffs.Progress) -> list[str]:
    return [r.role for r in progress.outstanding]


def check_signer(actor: User, request: ApprovalRequest, role: str) -> None:
    """Refuse (DomainError on role or signer) a sign-off that segregation of duties forbids."""
    try:
        signoffs.check_signer(
            signer=actor.pk,
            role=role,
            holds=permissions.signoff_roles(actor, request.model),
            owner=request.model.owner_id,
            requester=request.submitted_by_id,
            builders=people.builders_of(request.version),
            requirements=request.required_sign_offs(),
            given=request.given_sign_offs(),
            behind=people.people_behind(actor),
        )
    except signoffs.Refused as exc:
        raise DomainError(field=exc.field, message=exc.reason) from exc


def roles_to_sign(user: User, request: ApprovalRequest) -> list[str]:
    """The roles this user holds that the request still needs: none once it is decided or once
    this person signed it in any role (one person, one role: no form left to offer)."""
    if request.state not in AWAITING:
        return []
    me = people.people_behind(user).keys()
    signers = [s.signer for s in request.sign_offs.select_related("signer")]
    if any(me & people.people_behind(signer).keys() for signer in signers):
        return []
    held = permissions.signoff_roles(user, request.model)
    return [role for role in outstanding_roles(request.progress()) if role in held]


def why_not_sign(user: User, request: ApprovalRequest, role: str) -> str:
    """Segregation of duties, said before the person fills the form in ('' if nothing stops
    them). The service checks again on submit."""
    try:
        check_signer(user, request, role)
    except DomainError as exc:
        return exc.error_text
    return ""
