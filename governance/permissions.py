"""Who may do what to which model. The only module that talks to django-guardian."""

from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user, get_perms, remove_perm
from rest_framework.request import Request

from governance import roles
from governance.access.models import RaciAssignment
from registry.models import (
    MLModel,
    MLModelGroupObjectPermission,
    MLModelUserObjectPermission,
    ModelVersion,
    UseCase,
)

# Whom a check is about: a signed-in user, or an anonymous visitor, who may do nothing.
Visitor = User | AnonymousUser

PERMS = {
    "view": "registry.view_mlmodel",
    "change": "registry.change_mlmodel",
    "submit": "registry.submit_mlmodel",
    "validate": "registry.validate_mlmodel",
    "decide": "registry.decide_mlmodel",
}
OWNER_ACTIONS = frozenset({"view", "change", "submit"})

# Global (not per-model) rights, named by the domain action they allow.
GLOBAL_PERMS = {
    "register_model": "registry.add_mlmodel",
    "register_dataset": "registry.add_dataset",
    "change_dataset": "registry.change_dataset",
    "register_use_case": "registry.add_usecase",
    "change_use_case": "registry.change_usecase",
    "view_datasets": "registry.view_dataset",
    "view_use_cases": "registry.view_usecase",
    "view_audit": "governance.view_auditevent",
    "define_custom_field": "registry.change_customfield",
    "assign_raci": "governance.add_raciassignment",
    "assign_validators": "governance.assign_validators",
    "publish_rulebooks": "governance.publish_rulebook",
    "edit_rulebooks": "governance.add_rulebook",
    "manage_service_accounts": "governance.manage_service_accounts",
    "grant_roles": "governance.grant_roles",
    # Every model at once (the executive dashboard and report): the view right held globally.
    "view_portfolio": PERMS["view"],
}


def actions_for_raci(role: str, area: str) -> frozenset[str]:
    """The per-model actions one RACI assignment grants.

    Everyone named in the RACI sees the model; Responsible and Accountable act in their area;
    only the Accountable person for development submits it (SR 26-2: the first line owns it).
    """
    actions = {"view"}
    acting = role in {RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE}
    if acting and area in {RaciAssignment.Area.DEVELOPMENT, RaciAssignment.Area.MONITORING}:
        actions.add("change")
    if role == RaciAssignment.Role.ACCOUNTABLE and area == RaciAssignment.Area.DEVELOPMENT:
        actions.add("submit")
    if acting and area == RaciAssignment.Area.VALIDATION:
        actions.add("validate")
    if acting and area == RaciAssignment.Area.APPROVAL:
        actions.add("decide")
    return frozenset(actions)


# Per-model grants read for a person are kept on the user object (one request's user), like
# Django's own permission cache, and dropped whenever any grant or group membership changes in
# this process (`grants_changed`, connected in GovernanceConfig.ready): a page asking about one
# model forty times reads its grants once, and a revocation is never answered from the memo.
_grants_generation = 0


def grants_changed(**_: object) -> None:
    """Signal receiver: a per-model grant or a group membership changed."""
    global _grants_generation
    _grants_generation += 1


def roles_of(user: Visitor) -> frozenset[str]:
    """The role groups a person is in, read once per user object (a request's user)."""
    if not user.is_authenticated:
        return frozenset()
    memo: tuple[int, frozenset[str]] | None = getattr(user, "_attest_roles", None)
    if memo is None or memo[0] != _grants_generation:  # a membership changed since
        memo = (_grants_generation, frozenset(user.groups.values_list("name", flat=True)))
        setattr(user, "_attest_roles", memo)  # noqa: B010  # a per-request memo
    return memo[1]


def role_allows(user: Visitor, action: str) -> bool:
    """What a person's roles let them do on any model, whatever RACI or ownership grant.

    Auditors and executives stay read-only; only validators validate; only the committee,
    compliance and legal decide (SR 26-2 and PRA SS1/23: independent challenge).
    """
    if action == "view":
        return True
    held = roles_of(user)
    if held & roles.READ_ONLY:
        return False
    if action == "validate":
        return bool(held & roles.MAY_VALIDATE)
    if action == "decide":
        return bool(held & roles.MAY_DECIDE)
    return True


def _model_grants(user: User, model: MLModel) -> frozenset[str]:
    memo: tuple[int, dict[int, frozenset[str]]] | None = getattr(user, "_attest_grants", None)
    if memo is None or memo[0] != _grants_generation:
        memo = (_grants_generation, {})
        setattr(user, "_attest_grants", memo)  # noqa: B010  # a per-request memo
    found = memo[1].get(model.pk)
    if found is None:
        found = memo[1][model.pk] = frozenset(ObjectPermissionChecker(user).get_perms(model))
    return found


def can(user: Visitor, action: str, model: MLModel) -> bool:
    """Global role permissions and per-model grants both count, within what the person's roles
    allow."""
    perm = PERMS[action]
    if not (user.is_active and role_allows(user, action)):
        return False
    if user.has_perm(perm):
        return True
    return isinstance(user, User) and perm.split(".")[1] in _model_grants(user, model)


def require(user: Visitor, action: str, model: MLModel) -> None:
    if not can(user, action, model):
        raise PermissionDenied(f"{user} may not {action} {model}")


def can_globally(user: Visitor, action: str) -> bool:
    return bool(user.is_active) and user.has_perm(GLOBAL_PERMS[action])


def require_globally(user: Visitor, action: str) -> None:
    if not can_globally(user, action):
        raise PermissionDenied(f"{user} may not {action.replace('_', ' ')}")


def actor(request: HttpRequest | Request) -> User:
    """The signed-in user behind a request: the one who acts in the services it calls.

    Pages are login_required and the API authenticates every call, so an anonymous visitor
    never gets this far; if one did, refusing is the safe answer.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in to do this.")
    return user


def can_manage_raci(user: Visitor, model: MLModel) -> bool:
    """The model's owner and administrators decide who develops, monitors, is consulted or
    informed; developers do not (validators and approvers: see `can_assign`)."""
    if not can(user, "view", model) or not role_allows(user, "change"):
        return False
    return model.owner_id == user.pk or can_globally(user, "assign_raci")


def require_manage_raci(user: Visitor, model: MLModel) -> None:
    if not can_manage_raci(user, model):
        raise PermissionDenied(f"{user} may not change who is accountable for {model}")


def can_appoint(user: Visitor, model: MLModel) -> bool:
    """Whether this user may give any RACI role on the model (each area is checked on its own)."""
    return can_manage_raci(user, model) or any(
        can_assign(user, model, RaciAssignment.Role.RESPONSIBLE, area) for area in CHALLENGE_AREAS
    )


def require_appoint(user: Visitor, model: MLModel) -> None:
    if not can_appoint(user, model):
        raise PermissionDenied(f"{user} may not change who is accountable for {model}")


# Who appoints those who challenge a model: the validation function its validators, the
# administrators (under the gate policy) its approvers; never the model's own owner.
CHALLENGE_AREAS = {
    RaciAssignment.Area.VALIDATION: "assign_validators",
    RaciAssignment.Area.APPROVAL: "assign_raci",
}
ACTING_ROLES = (RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE)


def can_assign(user: Visitor, model: MLModel, role: str, area: str) -> bool:
    """May this user give (or take away) this RACI role in this area of the model?"""
    right = CHALLENGE_AREAS.get(RaciAssignment.Area(area)) if area in RaciAssignment.Area else None
    if role in ACTING_ROLES and right is not None:
        return (
            can(user, "view", model) and role_allows(user, "change") and can_globally(user, right)
        )
    return can_manage_raci(user, model)


def require_assign(user: Visitor, model: MLModel, role: str, area: str) -> None:
    if can_assign(user, model, role, area):
        return
    if area == RaciAssignment.Area.VALIDATION and role in ACTING_ROLES:
        raise PermissionDenied(
            f"{user} may not appoint validators to {model}: the head of validation does "
            "(the owner may ask for a validator)"
        )
    if area == RaciAssignment.Area.APPROVAL and role in ACTING_ROLES:
        raise PermissionDenied(
            f"{user} may not appoint approvers of {model}: the gate policy names the committee"
        )
    raise PermissionDenied(f"{user} may not change who is accountable for {model}")


# The sign-off roles a gate policy can ask for, and the group that holds each specialist role.
SPECIALIST_ROLES = {"compliance": roles.COMPLIANCE, "legal": roles.LEGAL}


def signoff_roles(user: Visitor, model: MLModel) -> frozenset[str]:
    """The roles in which this user may sign off requests on this model.

    Validators hold validation rights on it (RACI), the committee decision rights; compliance
    and legal sign-offs come from membership of their group.
    """
    if not can(user, "view", model):
        return frozenset()
    held = {"validator"} if can(user, "validate", model) else set()
    if can(user, "decide", model) and roles.COMMITTEE in roles_of(user):
        held.add("committee")
    groups = roles_of(user)
    held |= {role for role, group in SPECIALIST_ROLES.items() if group in groups}
    return frozenset(held)


def can_change_use_case(user: Visitor, use_case: UseCase) -> bool:
    """A use case (and its EU AI Act classification) is changed by its owner, compliance
    officers and administrators; anyone else proposes a change its owner accepts."""
    if not user.is_active or not role_allows(user, "change"):
        return False
    held = roles_of(user)
    return use_case.owner_id == user.pk or bool(held & {roles.COMPLIANCE, roles.ADMINISTRATOR})


def require_change_use_case(user: Visitor, use_case: UseCase) -> None:
    if not can_change_use_case(user, use_case):
        raise PermissionDenied(
            f"{user} may not change {use_case}: its owner {use_case.owner} does "
            "(propose the change to them)"
        )


def can_read_rulebooks(user: Visitor) -> bool:
    """Administrators who edit them, those who decide their publication, and auditors who check
    what produced a classification."""
    return any(
        can_globally(user, right) for right in ("view_audit", "edit_rulebooks", "publish_rulebooks")
    )


def models_for(user: Visitor, action: str = "view") -> QuerySet[MLModel]:
    """Every model this user may see (or act on): a queryset to filter, sort and paginate."""
    if not user.is_active or not role_allows(user, action):
        return MLModel.objects.none()
    return get_objects_for_user(
        user, PERMS[action], klass=MLModel.objects.all(), accept_global_perms=True
    )


def model_for_user_or_404(user: Visitor, slug: str, action: str = "view") -> MLModel:
    """The model, 404 when the user may not even see it, 403 when they may see but not act."""
    model = MLModel.objects.filter(slug=slug).first()
    if model is None or not can(user, "view", model):
        raise Http404("No such model.")
    require(user, action, model)
    return model


def version_for_user_or_404(
    user: Visitor, slug: str, version: str, action: str = "view"
) -> ModelVersion:
    """One indexed lookup, then the same rights check as the model (pipelines ask per deploy)."""
    found = (
        ModelVersion.objects.select_related("model")
        .filter(model__slug=slug, version=version)
        .first()
    )
    if found is None or not can(user, "view", found.model):
        raise Http404("No such model version.")
    require(user, action, found.model)
    return found


def sync_model_grants(
    model: MLModel, *, user: User | None = None, group: Group | None = None
) -> None:
    """Make one principal's guardian grants on a model match its ownership and RACI rows."""
    principal = user if user is not None else group
    assignments = RaciAssignment.objects.filter(model=model)
    assignments = (
        assignments.filter(user=user) if user is not None else assignments.filter(group=group)
    )
    wanted: set[str] = (
        set(OWNER_ACTIONS) if user is not None and model.owner_id == user.pk else set()
    )
    for role, area in assignments.values_list("role", "area"):
        wanted |= actions_for_raci(role, area)
    wanted_codenames = {PERMS[a].split(".")[1] for a in wanted}
    held = set(get_perms(principal, model)) if user is None else _user_object_perms(user, model)
    _grant(wanted_codenames - held, model, user=user, group=group)
    for codename in held - wanted_codenames:
        remove_perm(codename, principal, model)


def _grant(codenames: set[str], model: MLModel, *, user: User | None, group: Group | None) -> None:
    """Guardian's rows for a principal's missing rights on a model, in one insert (guardian's
    assign_perm reads the permission and the row back for each right: about 4 ms apiece)."""
    if not codenames:
        return
    found = list(
        Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(MLModel), codename__in=codenames
        )
    )
    if len(found) != len(codenames):
        missing = sorted(codenames - {p.codename for p in found})
        raise Permission.DoesNotExist(f"no registry.mlmodel permission {missing}")
    rows: list[MLModelUserObjectPermission] | list[MLModelGroupObjectPermission]
    if user is not None:
        rows = [
            MLModelUserObjectPermission(user=user, permission=p, content_object=model)
            for p in found
        ]
        MLModelUserObjectPermission.objects.bulk_create(rows, ignore_conflicts=True)
    else:
        rows = [
            MLModelGroupObjectPermission(group=group, permission=p, content_object=model)
            for p in found
        ]
        MLModelGroupObjectPermission.objects.bulk_create(rows, ignore_conflicts=True)
    grants_changed()  # bulk_create sends no post_save: drop the memos as a save would


def _user_object_perms(user: User, model: MLModel) -> set[str]:
    # get_perms() for a user would include group grants; only the user's own rows matter here.
    rows = MLModelUserObjectPermission.objects.filter(user=user, content_object=model)
    return set(rows.values_list("permission__codename", flat=True))


def navigation_for(user: Visitor) -> dict[str, object]:
    """What the navigation shows this user: their roles and the pages they may reach."""
    role_names = sorted(user.groups.values_list("name", flat=True)) if user.is_authenticated else []
    return {
        "roles": role_names,
        "can_register_model": can_globally(user, "register_model"),
        "can_register_dataset": can_globally(user, "register_dataset"),
        "can_register_use_case": can_globally(user, "register_use_case"),
        "can_view_audit": can_globally(user, "view_audit"),
        "can_view_rulebooks": can_read_rulebooks(user),
        "can_grant_roles": can_globally(user, "grant_roles"),
        "is_admin": bool(user.is_staff) or roles.ADMINISTRATOR in role_names,
    }
