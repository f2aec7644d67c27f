"""Registering datasets and their immutable versions."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from governance import audit, permissions
from governance.errors import DomainError, clean_or_raise, save_new
from registry.models import Dataset, DatasetVersion

DATASET_VERSION_FIELDS = ("uri", "content_sha256", "external_ref", "row_count", "schema")


@transaction.atomic
def register_dataset(
    *,
    actor: User,
    slug: str,
    name: str,
    description: str = "",
    contains_personal_data: bool = False,
) -> Dataset:
    """Add a data source that models train or score on."""
    permissions.require_globally(actor, "register_dataset")
    taken = f"a dataset with slug {slug!r} already exists"
    if Dataset.objects.filter(slug=slug).exists():
        raise DomainError(field="slug", message=taken)
    dataset = Dataset(
        slug=slug,
        name=name,
        description=description,
        contains_personal_data=contains_personal_data,
        created_by=actor,
    )
    clean_or_raise(dataset)
    save_new(dataset, field="slug", message=taken)
    audit.record(
        actor=actor, verb="dataset.registered", target=dataset, after=audit.snapshot(dataset)
    )
    return dataset


@transaction.atomic
def register_dataset_version(
    *, actor: User, dataset: Dataset, version: str, uri: str, **fields: Any
) -> DatasetVersion:
    """Pin one snapshot of a dataset by its content hash or external reference."""
    permissions.require_globally(actor, "register_dataset")
    unknown = set(fields) - set(DATASET_VERSION_FIELDS)
    if unknown:
        raise DomainError(field=sorted(unknown)[0], message="is not a dataset version field")
    taken = f"{dataset.slug} already has a version {version!r}"
    if DatasetVersion.objects.filter(dataset=dataset, version=version).exists():
        raise DomainError(field="version", message=taken)
    if not isinstance(fields.get("schema", {}), dict):
        raise DomainError(field="schema", message="must be an object mapping column to type")
    obj = DatasetVersion(dataset=dataset, version=version, uri=uri, created_by=actor, **fields)
    clean_or_raise(obj)
    save_new(obj, field="version", message=taken)
    audit.record(
        actor=actor, verb="datasetversion.registered", target=obj, after=audit.snapshot(obj)
    )
    return obj
