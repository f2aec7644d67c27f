"""The metrics a model reports: once any is defined, pushes of other names are refused."""

from django.contrib.auth.models import User
from django.db import transaction

from governance import audit, permissions
from governance.errors import DomainError, clean_or_raise, save_new
from monitoring.models import MetricDefinition
from registry.models import MLModel


@transaction.atomic
def define_metric(
    *,
    actor: User,
    model: MLModel,
    name: str,
    direction: str,
    description: str = "",
    unit: str = "",
) -> MetricDefinition:
    permissions.require(actor, "change", model)
    name = name.strip()
    taken = f"{model.slug} already defines {name!r}"
    if MetricDefinition.objects.filter(model=model, name=name).exists():
        raise DomainError(field="name", message=taken)
    definition = MetricDefinition(
        model=model,
        name=name,
        direction=direction,
        description=description,
        unit=unit,
        defined_by=actor,
    )
    clean_or_raise(definition)
    save_new(definition, field="name", message=taken)
    audit.record(
        actor=actor,
        verb="metric.defined",
        target=definition,
        after=audit.snapshot(definition, ["name", "direction", "description", "unit"]),
        mlmodel_id=model.pk,
    )
    return definition
