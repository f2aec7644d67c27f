"""Assigning and removing RACI roles; each change also re-grants the per-model permissions."""

from django.contrib.auth.models import Group, User
from django.db import transaction

from governance import audit, permissions
from governance.access.models import RaciAssignment
from governance.errors import DomainError, clean_or_raise
from registry.models import MLModel

ACTING = {RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE}
BUILDING = {RaciAssignment.Area.DEVELOPMENT}
CHALLENGING: dict[str, str] = {
    RaciAssignment.Area.VALIDATION: "validate",
    RaciAssignment.Area.APPROVAL: "approve",
}


def _check_independence(model: MLModel, user: User, role: str, area: str) -> None:
    """Validation and approval must be independent of development (SR 26-2, PRA SS1/23 P5)."""
    if role not in ACTING:
        return
    acting = RaciAssignment.objects.filter(model=model, user=user, role__in=ACTING)
    if area in CHALLENGING and (
        model.owner_id == user.pk or acting.filter(area__in=BUILDING).exists()
    ):
        raise DomainError(
            field="user", message=f"{user} develops this model, so cannot {CHALLENGING[area]} it"
        )
    if area in BUILDING and acting.filter(area__in=CHALLENGING).exists():
        raise DomainError(
            field="user", message=f"{user} validates or approves this model, so cannot develop it"
        )


@transaction.atomic
def assign_raci(
    *,
    actor: User,
    model: MLModel,
    role: str,
    area: str,
    user: User | None = None,
    group: Group | None = None,
) -> RaciAssignment:
    """Make a user or a group R, A, C or I for one area of a model."""
    permissions.require_manage_raci(actor, model)
    if (user is None) == (group is None):
        raise DomainError(field="user", message="name either a user or a group")
    if user is not None and not user.is_active:
        raise DomainError(field="user", message=f"{user} is not an active user")
    if user is not None:
        _check_independence(model, user, role, area)
    principal = {"user": user} if user is not None else {"group": group}
    if RaciAssignment.objects.filter(model=model, role=role, area=area, **principal).exists():
        raise DomainError(field="role", message="this assignment already exists")
    return _create(actor, RaciAssignment(model=model, role=role, area=area, **principal))


@transaction.atomic
def make_registrar_responsible(*, actor: User, model: MLModel) -> RaciAssignment:
    """Whoever registers a model for its owner is Responsible for its development.

    Registering is the authority here: a developer registering for an owner may not manage
    RACI in general, and cannot see the new model before this assignment.
    """
    assignment = RaciAssignment(
        model=model,
        user=actor,
        role=RaciAssignment.Role.RESPONSIBLE,
        area=RaciAssignment.Area.DEVELOPMENT,
    )
    return _create(actor, assignment)


def _create(actor: User, assignment: RaciAssignment) -> RaciAssignment:
    clean_or_raise(assignment)
    assignment.save()
    after = {**audit.snapshot(assignment), "principal": assignment.principal_name}
    audit.record(
        actor=actor,
        verb="raci.assigned",
        target=assignment,
        after=after,
        mlmodel_id=assignment.model_id,
    )
    principal = {"user": assignment.user} if assignment.user_id else {"group": assignment.group}
    permissions.sync_model_grants(assignment.model, **principal)
    return assignment


@transaction.atomic
def remove_raci(*, actor: User, assignment: RaciAssignment) -> None:
    """Withdraw a RACI role; the rights it gave are withdrawn with it."""
    model = assignment.model
    permissions.require_manage_raci(actor, model)
    before = {**audit.snapshot(assignment), "principal": assignment.principal_name}
    principal = {"user": assignment.user} if assignment.user_id else {"group": assignment.group}
    audit.record(
        actor=actor, verb="raci.removed", target=assignment, before=before, mlmodel_id=model.pk
    )
    assignment.delete()
    permissions.sync_model_grants(model, **principal)
