"""Registering a model that discovery found serving in a registry, as a draft for its owner."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from governance import audit
from registry.models import MLModel
from registry.services.models import register_model
from registry.services.versions import register_version


@transaction.atomic
def register_discovered_model(
    *,
    actor: User,
    owner: User,
    slug: str,
    name: str,
    business_unit: str,
    model_type: str,
    found_in: str,
    tracker: str,
    versions: Sequence[Mapping[str, Any]],
) -> MLModel:
    """Register a shadow model as a draft (in development) owned by `owner`, with the versions
    found serving and their external ids, so that the next discovery recognises it.

    Args:
        found_in: where it was found, in words ("mlflow at http://mlflow:5000").
        versions: `version`, `external_id` and `aliases` of each version to register.
    """
    model = register_model(
        actor=actor,
        slug=slug,
        name=name,
        business_unit=business_unit,
        model_type=model_type,
        owner=owner,
        status=MLModel.Status.DEVELOPMENT,
        description=f"Found serving in production ({found_in}) by discovery; not yet governed.",
    )
    for found in versions:
        register_version(
            actor=actor,
            model=model,
            version=found["version"],
            source_tracker=tracker,
            external_id=found["external_id"],
            aliases=list(found.get("aliases", [])),
        )
    audit.record(
        actor=actor,
        verb="model.discovered",
        target=model,
        after={"found_in": found_in, "versions": [dict(v) for v in versions]},
        mlmodel_id=model.pk,
    )
    return model
