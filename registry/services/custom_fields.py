"""Defining custom inventory fields, and checking a model's values against them."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from governance import audit, permissions
from governance.errors import DomainError, clean_or_raise
from registry import custom_values
from registry.models import CustomField

EDITABLE = ("label", "field_type", "choices", "is_required", "help_text", "is_active", "position")


def active_specs() -> list[custom_values.FieldSpec]:
    return [
        custom_values.FieldSpec(f.key, f.label, f.field_type, tuple(f.choices), f.is_required)
        for f in CustomField.objects.filter(is_active=True)
    ]


def clean_values(
    values: Mapping[str, object], *, stored: Mapping[str, object] | None = None
) -> dict[str, object]:
    """Custom values in canonical form; stored values of since-retired fields are kept."""
    specs = active_specs()
    active_keys = {spec.key for spec in specs}
    retired = {k: v for k, v in (stored or {}).items() if k not in active_keys}
    try:
        return {**retired, **custom_values.clean_custom_values(specs, values)}
    except custom_values.CustomValueError as exc:
        raise DomainError(field=f"custom_fields.{exc.key}", message=exc.message) from exc


def _check_choices(field: CustomField) -> None:
    if field.field_type != CustomField.FieldType.CHOICE:
        return
    if not field.choices or not all(isinstance(c, str) and c for c in field.choices):
        raise DomainError(field="choices", message="a choice field needs a list of options")


@transaction.atomic
def define_custom_field(
    *, actor: User, key: str, label: str, field_type: str, **extra: Any
) -> CustomField:
    """Add a custom field to every model's record."""
    permissions.require_globally(actor, "define_custom_field")
    unknown = set(extra) - set(EDITABLE)
    if unknown:
        raise DomainError(field=sorted(unknown)[0], message="is not a custom field attribute")
    if CustomField.objects.filter(key=key).exists():
        raise DomainError(field="key", message=f"a custom field {key!r} already exists")
    field = CustomField(key=key, label=label, field_type=field_type, **extra)
    clean_or_raise(field)
    _check_choices(field)
    field.save()
    audit.record(actor=actor, verb="customfield.defined", target=field, after=audit.snapshot(field))
    return field


@transaction.atomic
def update_custom_field(*, actor: User, field: CustomField, **changes: Any) -> CustomField:
    """Change a custom field's definition (its key stays: stored values refer to it)."""
    permissions.require_globally(actor, "define_custom_field")
    audit.audited_update(
        actor=actor,
        row=field,
        changes=changes,
        editable=EDITABLE,
        verb="customfield.updated",
        check=_check_choices,
    )
    return field
