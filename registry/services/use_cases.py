"""Registering use cases (AI systems) and linking them to the models they use."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from governance import audit, permissions
from governance.access.services import decisions
from governance.errors import DomainError, clean_or_raise, save_new
from registry.models import MLModel, UseCase, UseCaseChange

EDITABLE = (
    "name",
    "business_purpose",
    "business_unit",
    "deployer_context",
    "affected_people",
    "owner",
)


def _check_models(actor: User, models: Sequence[MLModel]) -> None:
    for model in models:
        if not permissions.can(actor, "view", model):
            raise DomainError(field="models", message=f"unknown model {model.slug!r}")


@transaction.atomic
def register_use_case(
    *,
    actor: User,
    slug: str,
    name: str,
    business_purpose: str,
    business_unit: str,
    models: Sequence[MLModel] = (),
    **fields: Any,
) -> UseCase:
    """Add an AI system to the inventory, with the models it uses."""
    permissions.require_globally(actor, "register_use_case")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(field=sorted(unknown)[0], message="is not a use case field")
    taken = f"a use case with slug {slug!r} already exists"
    if UseCase.objects.filter(slug=slug).exists():
        raise DomainError(field="slug", message=taken)
    _check_models(actor, models)
    fields.setdefault("owner", actor)
    use_case = UseCase(
        slug=slug,
        name=name,
        business_purpose=business_purpose,
        business_unit=business_unit,
        **fields,
    )
    clean_or_raise(use_case)
    save_new(use_case, field="slug", message=taken)
    use_case.models.set(models)
    audit.record(
        actor=actor, verb="usecase.registered", target=use_case, after=audit.snapshot(use_case)
    )
    return use_case


@transaction.atomic
def update_use_case(
    *,
    actor: User,
    use_case: UseCase,
    models: Sequence[MLModel] | None = None,
    **changes: Any,
) -> UseCase:
    """Change a use case's description or the models it uses.

    `models` replaces the links the actor can see; links to models hidden from them stay, since
    they can neither know nor judge those.
    """
    permissions.require_change_use_case(actor, use_case)
    if models is not None:
        _check_models(actor, models)

    def link_models() -> None:
        if models is not None:
            hidden = use_case.models.exclude(pk__in=permissions.models_for(actor))
            use_case.models.set([*models, *hidden])

    audit.audited_update(
        actor=actor,
        row=use_case,
        changes=changes,
        editable=EDITABLE,
        verb="usecase.updated",
        clean_exclude=["slug"],
        after_save=link_models,
    )
    return use_case


@transaction.atomic
def propose_use_case_change(
    *, actor: User, use_case: UseCase, note: str = "", **changes: Any
) -> UseCaseChange:
    """Someone other than the use case's owner proposes a change; its owner decides."""
    permissions.require_globally(actor, "change_use_case")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(field=sorted(unknown)[0], message="cannot be changed here")
    if not changes:
        raise DomainError(field="non_field", message="propose at least one change")
    proposed = {
        name: value.pk if isinstance(value, User) else value for name, value in changes.items()
    }
    change = UseCaseChange.objects.create(
        use_case=use_case, changes=proposed, note=note.strip(), requested_by=actor
    )
    audit.record(
        actor=actor,
        verb="usecase.change_proposed",
        target=change,
        after={"changes": proposed, "note": change.note},
    )
    decisions.announce(
        request=change,
        deciders=[use_case.owner],
        kind="usecase.change_proposed",
        subject=f"{actor.get_username()} proposes a change to {use_case}",
        link=use_case.get_absolute_url(),
    )
    return change


@transaction.atomic
def decide_use_case_change(
    *, actor: User, change: UseCaseChange, grant: bool, reason: str = ""
) -> UseCaseChange:
    """The use case's owner (or compliance, or an administrator) accepts the proposal, which then
    applies as their own change, or refuses it saying why."""
    change = decisions.locked(change)
    use_case = UseCase.objects.select_for_update().get(pk=change.use_case_id)
    permissions.require_change_use_case(actor, use_case)
    decisions.require_pending(change)
    if grant:
        values = dict(change.changes)
        if "owner" in values:
            values["owner"] = User.objects.get(pk=values["owner"])
        update_use_case(actor=actor, use_case=use_case, **values)
    return decisions.decide(
        actor=actor,
        request=change,
        grant=grant,
        reason=reason,
        verb="usecase.change",
        link=use_case.get_absolute_url(),
    )


def may_link(actor: User, use_case: UseCase, model: MLModel) -> bool:
    """Who links a model to a use case: whoever may change the use case (its owner, compliance,
    an administrator) or may change the model, provided they can see the model."""
    if not permissions.can(actor, "view", model):
        return False
    return permissions.can_change_use_case(actor, use_case) or permissions.can(
        actor, "change", model
    )


def may_unlink(actor: User, use_case: UseCase, model: MLModel) -> bool:
    """Who takes a model out of a use case: only those who may change the use case.

    Unlinking can drop the model out of a stricter EU AI Act category (the model takes the
    strictest of its use cases), so the model's own team may add links but not remove them.
    """
    return permissions.can(actor, "view", model) and permissions.can_change_use_case(
        actor, use_case
    )


def _record_link(
    actor: User, use_case: UseCase, model: MLModel, verb: str, before: list[int]
) -> None:
    after = sorted(use_case.models.values_list("pk", flat=True))
    audit.record(
        actor=actor,
        verb=verb,
        target=use_case,
        before={"models": before},
        after={"models": after},
        mlmodel_id=model.pk,
    )


@transaction.atomic
def link_model(*, actor: User, use_case: UseCase, model: MLModel) -> UseCase:
    """Record that the use case uses the model (its EU AI Act category then reaches the model)."""
    if not may_link(actor, use_case, model):
        raise PermissionDenied(f"{actor} may not link {model} to {use_case}")
    use_case = UseCase.objects.select_for_update().get(pk=use_case.pk)
    before = sorted(use_case.models.values_list("pk", flat=True))
    if model.pk in before:
        raise DomainError(field="model", message=f"{model.name} is already linked to this use case")
    use_case.models.add(model)
    _record_link(actor, use_case, model, "usecase.model_linked", before)
    return use_case


@transaction.atomic
def unlink_model(*, actor: User, use_case: UseCase, model: MLModel) -> UseCase:
    """Record that the use case no longer uses the model."""
    if not may_unlink(actor, use_case, model):
        raise PermissionDenied(f"{actor} may not unlink {model} from {use_case}")
    use_case = UseCase.objects.select_for_update().get(pk=use_case.pk)
    before = sorted(use_case.models.values_list("pk", flat=True))
    if model.pk not in before:
        raise DomainError(field="model", message=f"{model.name} is not linked to this use case")
    use_case.models.remove(model)
    _record_link(actor, use_case, model, "usecase.model_unlinked", before)
    return use_case
