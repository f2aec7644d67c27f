"""Assigning and removing RACI roles; each change also re-grants the per-model permissions."""

from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

from governance import audit, permissions
from governance.errors import DomainError, clean_or_raise
from governance.models import RaciAssignment
from registry.models import MLModel


def _require_manage(actor: AbstractBaseUser, model: MLModel) -> None:
    if not permissions.can_globally(actor, "assign_raci"):
        permissions.require(actor, "change", model)


@transaction.atomic
def assign_raci(
    *,
    actor: AbstractBaseUser,
    model: MLModel,
    role: str,
    area: str,
    user: AbstractBaseUser | None = None,
    group: Group | None = None,
) -> RaciAssignment:
    """Make a user or a group R, A, C or I for one area of a model."""
    _require_manage(actor, model)
    if (user is None) == (group is None):
        raise DomainError(field="user", message="name either a user or a group")
    if user is not None and not user.is_active:
        raise DomainError(field="user", message=f"{user} is not an active user")
    principal = {"user": user} if user is not None else {"group": group}
    if RaciAssignment.objects.filter(model=model, role=role, area=area, **principal).exists():
        raise DomainError(field="role", message="this assignment already exists")
    assignment = RaciAssignment(model=model, role=role, area=area, **principal)
    clean_or_raise(assignment)
    assignment.save()
    after = {**audit.snapshot(assignment), "principal": assignment.principal_name}
    audit.record(
        actor=actor, verb="raci.assigned", target=assignment, after=after, mlmodel_id=model.pk
    )
    permissions.sync_model_grants(model, **principal)
    return assignment


@transaction.atomic
def remove_raci(*, actor: AbstractBaseUser, assignment: RaciAssignment) -> None:
    """Withdraw a RACI role; the rights it gave are withdrawn with it."""
    model = assignment.model
    _require_manage(actor, model)
    before = {**audit.snapshot(assignment), "principal": assignment.principal_name}
    principal = {"user": assignment.user} if assignment.user_id else {"group": assignment.group}
    audit.record(
        actor=actor, verb="raci.removed", target=assignment, before=before, mlmodel_id=model.pk
    )
    assignment.delete()
    permissions.sync_model_grants(model, **principal)
