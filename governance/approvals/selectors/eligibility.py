"""Who could sign a submitted request in each role it needs, and which roles nobody can fill."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from governance import permissions, roles
from governance.access import selectors as people
from governance.access.models import RaciAssignment
from governance.approvals.models import ApprovalRequest
from governance.approvals.rules import signoffs
from governance.approvals.selectors import signers

# Only members of these groups can hold a sign-off role (permissions.role_allows and
# permissions.SPECIALIST_ROLES): the pool to test, not the answer.
SIGNING_GROUPS = roles.MAY_VALIDATE | roles.MAY_DECIDE


def _candidates() -> list[User]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=SIGNING_GROUPS)
        .distinct()
        .order_by("username")
    )


def eligible_signers(request: ApprovalRequest, role: str, pool: list[User]) -> list[User]:
    """The people in `pool` who hold `role` on the model and whom segregation of duties lets
    sign this request (the same check the sign-off service makes)."""
    return [
        person
        for person in pool
        if role in permissions.signoff_roles(person, request.model)
        and not signers.why_not_sign(person, request, role)
    ]


def shortfalls(request: ApprovalRequest) -> tuple[signoffs.Shortfall, ...]:
    """The roles of a submitted request that no assignment of distinct eligible people fills
    (one person signs in one role, so someone eligible in two counts once)."""
    pool = _candidates()
    required = request.required_sign_offs()
    eligible = {
        r.role: {person.pk for person in eligible_signers(request, r.role, pool)} for r in required
    }
    return signoffs.shortfalls(required, eligible)


def committee_chairs(request: ApprovalRequest) -> list[User]:
    """Whoever is Accountable for approval on the model through RACI, or else the committee."""
    rows = RaciAssignment.objects.filter(
        model_id=request.model_id,
        area=RaciAssignment.Area.APPROVAL,
        role=RaciAssignment.Role.ACCOUNTABLE,
    ).select_related("user", "group")
    ids: set[int] = set()
    for row in rows:
        ids |= people.people_in(row).keys()
    found = get_user_model().objects.filter(is_active=True)
    if ids:
        return list(found.filter(pk__in=ids).order_by("username"))
    return list(found.filter(groups__name=roles.COMMITTEE).order_by("username"))


def heads_of_validation() -> list[User]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.HEAD_OF_VALIDATION)
        .order_by("username")
    )
