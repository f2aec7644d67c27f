"""Registering, changing and retiring models, and the dependencies between them."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from governance import audit, permissions, roles
from governance.access import selectors as people
from governance.access.services import raci
from governance.errors import DomainError, clean_or_raise, save_new
from governance.risk.services import assessments
from registry import selectors
from registry.models import MLModel, ModelDependency
from registry.services.custom_fields import clean_values

EDITABLE = (
    "name",
    "description",
    "intended_purpose",
    "business_unit",
    "model_type",
    "status",
    "vendor",
    "owner",
    "custom_fields",
)


def _check_owner(owner: User) -> None:
    """Ownership passes only to an active person who holds the model owner role."""
    if not owner.is_active:
        raise DomainError(field="owner", message=f"{owner} is not an active user")
    if not permissions.roles_of(owner) & roles.MAY_OWN:
        raise DomainError(
            field="owner",
            message=f"{owner} does not hold the {roles.OWNER} role: only a model owner can own a model",
        )


def _require_hand_over(actor: User, model: MLModel) -> None:
    """Only the owner or an administrator hands a model over; RACI change rights do not."""
    if not permissions.can_manage_raci(actor, model):
        raise PermissionDenied(f"{actor} may not hand {model} over to a new owner")


def _check_owner_independent(model: MLModel) -> None:
    """The owner develops the model, so cannot also validate or approve it (SR 26-2, PRA SS1/23
    P5): checked on the new owner as a person, groups included."""
    for area in raci.CHALLENGING:
        acting = people.acting_in(model, area)
        if model.owner_id in acting:
            raise DomainError(field="owner", message=f"{acting[model.owner_id]}: cannot own it")


@transaction.atomic
def register_model(
    *,
    actor: User,
    slug: str,
    name: str,
    business_unit: str,
    model_type: str,
    **fields: Any,
) -> MLModel:
    """Add a model to the inventory; its owner (default: the actor) gets the owner's rights."""
    permissions.require_globally(actor, "register_model")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(field=sorted(unknown)[0], message="is not a model field")
    taken = f"a model with slug {slug!r} already exists"
    if MLModel.objects.filter(slug=slug).exists():
        raise DomainError(field="slug", message=taken)
    fields.setdefault("owner", actor)
    _check_owner(fields["owner"])
    fields["custom_fields"] = clean_values(fields.get("custom_fields") or {})
    model = MLModel(
        slug=slug, name=name, business_unit=business_unit, model_type=model_type, **fields
    )
    clean_or_raise(model)
    save_new(model, field="slug", message=taken)
    audit.record(
        actor=actor,
        verb="model.registered",
        target=model,
        after=audit.snapshot(model),
        mlmodel_id=model.pk,
    )
    permissions.sync_model_grants(model, user=model.owner)
    if actor.pk != model.owner_id and isinstance(actor, get_user_model()):
        raci.make_registrar_responsible(actor=actor, model=model)
    return model


@transaction.atomic
def update_model(*, actor: User, model: MLModel, **changes: Any) -> MLModel:
    """Change a model's record; a new owner takes over the owner's rights."""
    permissions.require(actor, "change", model)
    model = MLModel.objects.select_for_update().get(pk=model.pk)
    previous_owner = model.owner
    handing_over = "owner" in changes and changes["owner"].pk != model.owner_id
    if handing_over:
        _require_hand_over(actor, model)
    if "custom_fields" in changes:
        changes["custom_fields"] = clean_values(
            changes["custom_fields"] or {}, stored=model.custom_fields
        )

    def check(changed: MLModel) -> None:
        _check_owner(changed.owner)
        if handing_over:
            _check_owner_independent(changed)

    new = audit.audited_update(
        actor=actor,
        row=model,
        changes=changes,
        editable=EDITABLE,
        verb="model.updated",
        mlmodel_id=model.pk,
        check=check,
        clean_exclude=["slug"],
    )
    if "intended_purpose" in new:
        assessments.flag_material_change(model=model, reason="intended purpose changed")
    if handing_over:
        permissions.sync_model_grants(model, user=previous_owner)
        permissions.sync_model_grants(model, user=model.owner)
    return model


@transaction.atomic
def delete_model(*, actor: User, model: MLModel) -> None:
    """Remove a model registered by mistake; one with versions must be retired instead."""
    permissions.require(actor, "change", model)
    if not actor.has_perm("registry.delete_mlmodel"):
        raise PermissionDenied(f"{actor} may not delete models: only administrators may")
    if model.versions.exists() or model.training_runs.exists():
        raise DomainError(field="model", message="has versions or runs: retire it instead")
    if model.upstream_links.exists() or model.downstream_links.exists() or model.use_cases.exists():
        raise DomainError(
            field="model", message="is linked to other models or use cases: unlink it first"
        )
    before = audit.snapshot(model)
    pk = model.pk
    raci.withdraw_all(actor=actor, model=model)
    audit.record(actor=actor, verb="model.deleted", target=model, before=before, mlmodel_id=pk)
    model.delete()


@transaction.atomic
def add_dependency(
    *, actor: User, upstream: MLModel, downstream: MLModel, description: str = ""
) -> ModelDependency:
    """Record that `downstream` consumes `upstream`'s output; cycles are refused."""
    permissions.require(actor, "change", downstream)
    permissions.require(actor, "view", upstream)
    if upstream.pk == downstream.pk:
        raise DomainError(field="upstream", message="a model cannot depend on itself")
    if ModelDependency.objects.filter(upstream=upstream, downstream=downstream).exists():
        raise DomainError(field="upstream", message=f"{downstream} already depends on {upstream}")
    if downstream.pk in selectors.upstream_model_ids(upstream):
        raise DomainError(
            field="upstream", message=f"{upstream} already depends on {downstream}: a cycle"
        )
    dependency = ModelDependency(upstream=upstream, downstream=downstream, description=description)
    clean_or_raise(dependency)
    dependency.save()
    after = audit.snapshot(dependency)
    audit.record(
        actor=actor,
        verb="dependency.added",
        target=dependency,
        after=after,
        mlmodel_id=downstream.pk,
    )
    return dependency


@transaction.atomic
def remove_dependency(*, actor: User, dependency: ModelDependency) -> None:
    """Forget that one model consumes another's output."""
    permissions.require(actor, "change", dependency.downstream)
    before = audit.snapshot(dependency)
    audit.record(
        actor=actor,
        verb="dependency.removed",
        target=dependency,
        before=before,
        mlmodel_id=dependency.downstream_id,
    )
    dependency.delete()
