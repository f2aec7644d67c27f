"""Assigning and removing RACI roles; each change also re-grants the per-model permissions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from governance import audit, permissions, roles
from governance.access import selectors as people
from governance.access.models import RaciAssignment, RequestState, ValidatorRequest
from governance.access.services import decisions
from governance.errors import DomainError, clean_or_raise
from registry.models import MLModel

ACTING = {RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE}
CHALLENGING: dict[str, str] = {
    RaciAssignment.Area.VALIDATION: "validate",
    RaciAssignment.Area.APPROVAL: "approve",
}
# The role a person must hold to act in an area (validation and approval are independent
# challenge; auditors and executives stay read-only in every area).
NEEDS: dict[str, tuple[frozenset[str], str]] = {
    RaciAssignment.Area.VALIDATION: (roles.MAY_VALIDATE, "only validators validate models"),
    RaciAssignment.Area.APPROVAL: (
        roles.MAY_DECIDE,
        "only the committee, compliance and legal approve models",
    ),
}


def _check_roles(named: people.People, area: str, field: str) -> None:
    """Roles bound what an assignment can give: each person named must be allowed to act."""
    for person in get_user_model().objects.filter(pk__in=named).prefetch_related("groups"):
        held = {group.name for group in person.groups.all()}
        who = named[person.pk].rstrip(",")
        if read_only := sorted(held & roles.READ_ONLY):
            raise DomainError(
                field=field,
                message=f"{who} is in {read_only[0]}, a read-only role: cannot act for {area}",
            )
        needed, rule = NEEDS.get(area, (frozenset(), ""))
        if needed and not held & needed:
            raise DomainError(field=field, message=f"{who} cannot be appointed: {rule}")


def _check_independence(model: MLModel, named: people.People, area: str, field: str) -> None:
    """Validation and approval are independent of development (SR 26-2, PRA SS1/23 P5),
    checked on every person named, through groups and service accounts."""
    if area in CHALLENGING:
        builders = people.builders_of_model(model)
        for person in sorted(set(named) & set(builders)):
            raise DomainError(
                field=field, message=f"{builders[person]}: cannot {CHALLENGING[area]} it"
            )
    if area == RaciAssignment.Area.DEVELOPMENT:
        for challenge in CHALLENGING:
            acting = people.acting_in(model, challenge)
            for person in sorted(set(named) & set(acting)):
                raise DomainError(field=field, message=f"{acting[person]}: cannot develop it")


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
    """Make a user or a group R, A, C or I for one area of a model.

    An acting role (R or A) is checked on the people it names, the group's members included:
    their roles must allow it, and validators and approvers must not build the model.
    """
    permissions.require_assign(actor, model, role, area)
    if (user is None) == (group is None):
        raise DomainError(field="user", message="name either a user or a group")
    if user is not None and not user.is_active:
        raise DomainError(field="user", message=f"{user} is not an active user")
    principal = {"user": user} if user is not None else {"group": group}
    if role in ACTING:
        named = people.people_behind(user) if user is not None else people.named_in(group)
        field = "user" if user is not None else "group"
        _check_roles(named, area, field)
        _check_independence(model, named, area, field)
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
    # Its model and principal are saved rows the caller holds, exactly one of user and group:
    # full_clean would read each back and query every constraint (seven queries); the choices
    # are checked here and the one constraint a caller can break, uniqueness, in one query.
    clean_or_raise(assignment, exclude=["model", "user", "group"])
    principal = {"user": assignment.user} if assignment.user_id else {"group": assignment.group}
    if RaciAssignment.objects.filter(
        model=assignment.model, role=assignment.role, area=assignment.area, **principal
    ).exists():
        raise DomainError(field="role", message="this assignment already exists")
    assignment.save()
    after = {**audit.snapshot(assignment), "principal": assignment.principal_name}
    audit.record(
        actor=actor,
        verb="raci.assigned",
        target=assignment,
        after=after,
        mlmodel_id=assignment.model_id,
    )
    permissions.sync_model_grants(assignment.model, **principal)
    return assignment


@transaction.atomic
def remove_raci(*, actor: User, assignment: RaciAssignment) -> None:
    """Withdraw a RACI role; the rights it gave are withdrawn with it."""
    permissions.require_assign(actor, assignment.model, assignment.role, assignment.area)
    _remove(actor, assignment)


@transaction.atomic
def withdraw_all(*, actor: User, model: MLModel) -> None:
    """Every RACI role on a model being deleted (by someone who may delete models), audited."""
    if not actor.has_perm("registry.delete_mlmodel"):
        raise PermissionDenied(f"{actor} may not delete {model}, nor withdraw all its roles")
    for assignment in list(model.raci_assignments.select_related("user", "group")):
        _remove(actor, assignment)


def _remove(actor: User, assignment: RaciAssignment) -> None:
    model = assignment.model
    before = {**audit.snapshot(assignment), "principal": assignment.principal_name}
    principal = {"user": assignment.user} if assignment.user_id else {"group": assignment.group}
    audit.record(
        actor=actor, verb="raci.removed", target=assignment, before=before, mlmodel_id=model.pk
    )
    assignment.delete()
    permissions.sync_model_grants(model, **principal)


# ---- Asking the validation function for a validator --------------------------------------------


@transaction.atomic
def request_validator(*, actor: User, model: MLModel, note: str = "") -> ValidatorRequest:
    """The owner asks for a validator; the validation function appoints one (or says why not)."""
    permissions.require_manage_raci(actor, model)
    if model.validator_requests.filter(state=RequestState.REQUESTED).exists():
        raise DomainError(field="note", message=f"a validator for {model} is asked for already")
    asked = ValidatorRequest.objects.create(model=model, note=note.strip(), requested_by=actor)
    audit.record(
        actor=actor,
        verb="validator.requested",
        target=asked,
        after={"note": asked.note},
        mlmodel_id=model.pk,
    )
    decisions.announce(
        request=asked,
        deciders=people.holders_of("assign_validators"),
        kind="validator.requested",
        subject=f"{actor.get_username()} asks for a validator for {model}",
        link=model.get_absolute_url() + "#raci",
    )
    return asked


@transaction.atomic
def decide_validator_request(
    *,
    actor: User,
    asked: ValidatorRequest,
    grant: bool,
    validator: User | None = None,
    reason: str = "",
) -> ValidatorRequest:
    """Whoever appoints validators grants the request by naming one, made Responsible for
    validation under every independence rule, or refuses it saying why."""
    permissions.require_globally(actor, "assign_validators")
    asked = decisions.locked(asked)
    decisions.require_pending(asked)
    if grant:
        if validator is None:
            raise DomainError(field="validator", message="name the validator you appoint")
        assign_raci(
            actor=actor,
            model=asked.model,
            user=validator,
            role=RaciAssignment.Role.RESPONSIBLE,
            area=RaciAssignment.Area.VALIDATION,
        )
        asked.validator = validator
        asked.save(update_fields=["validator"])
    return decisions.decide(
        actor=actor,
        request=asked,
        grant=grant,
        reason=reason,
        verb="validator",
        mlmodel_id=asked.model_id,
        link=asked.model.get_absolute_url() + "#raci",
    )
