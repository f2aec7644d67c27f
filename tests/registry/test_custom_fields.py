"""Custom inventory fields: the pure value checks, defining fields, and models' values."""

import pytest
from django.core.exceptions import PermissionDenied

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import services
from registry.custom_values import CustomValueError, FieldSpec, clean_custom_values
from registry.models import CustomField, MLModel

TIER = FieldSpec("tier", "Tier", "choice", choices=("low", "medium", "high"))


def spec(field_type: str, **kwargs) -> FieldSpec:
    return FieldSpec("value", "Value", field_type, **kwargs)


@pytest.mark.parametrize(
    ("field_type", "given", "stored"),
    [
        ("text", "  SR 11-7 ref  ", "SR 11-7 ref"),
        ("text", 42, "42"),
        ("text", "x" * 500, "x" * 500),
        ("integer", "42", 42),
        ("integer", " -7 ", -7),
        ("integer", 12, 12),
        ("decimal", "1.50", "1.5"),
        ("decimal", "0.0250", "0.025"),
        ("decimal", "100", "100"),
        ("decimal", 2.5, "2.5"),
        ("boolean", True, True),
        ("boolean", False, False),
        ("boolean", "Yes", True),
        ("boolean", "0", False),
        ("boolean", " false ", False),
        ("date", "2026-01-31", "2026-01-31"),
        ("choice", "medium", "medium"),
        ("choice", " high ", "high"),
    ],
)
def test_valid_value_is_stored_in_canonical_form(field_type, given, stored):
    choices = TIER.choices if field_type == "choice" else ()
    result = clean_custom_values([spec(field_type, choices=choices)], {"value": given})
    assert result == {"value": stored}


@pytest.mark.parametrize(
    ("field_type", "given", "message"),
    [
        ("integer", "4.5", "is not a valid integer"),
        ("integer", True, "is not a valid integer"),
        ("integer", "twelve", "is not a valid integer"),
        ("decimal", "1,5", "is not a valid decimal"),
        ("decimal", "NaN", "is not a valid decimal"),
        ("decimal", "Infinity", "is not a valid decimal"),
        ("boolean", "maybe", "is not a valid boolean"),
        ("boolean", 2, "is not a valid boolean"),
        ("date", "31/01/2026", "is not a valid date"),
        ("date", "2026-02-30", "is not a valid date"),
        ("choice", "extreme", "must be one of low, medium, high"),
        ("text", "x" * 501, "is longer than 500 characters"),
    ],
)
def test_invalid_value_is_refused_naming_the_key(field_type, given, message):
    choices = TIER.choices if field_type == "choice" else ()
    with pytest.raises(CustomValueError) as refused:
        clean_custom_values([spec(field_type, choices=choices)], {"value": given})
    assert (refused.value.key, refused.value.message) == ("value", message)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_optional_value_is_left_out_and_blank_required_value_is_refused(blank):
    assert clean_custom_values([spec("text")], {"value": blank}) == {}
    with pytest.raises(CustomValueError, match="value: is required"):
        clean_custom_values([spec("text", is_required=True)], {"value": blank})


def test_missing_required_value_is_refused():
    with pytest.raises(CustomValueError, match="value: is required"):
        clean_custom_values([spec("integer", is_required=True)], {})


def test_unknown_key_is_refused_before_any_value_is_checked():
    with pytest.raises(CustomValueError) as refused:
        clean_custom_values([TIER], {"tier": "extreme", "zeta": 1, "alpha": 2})
    assert (refused.value.key, refused.value.message) == ("alpha", "is not a defined custom field")


def test_the_first_bad_value_in_field_order_is_named():
    specs = [spec("integer"), TIER]
    with pytest.raises(CustomValueError) as refused:
        clean_custom_values(specs, {"tier": "extreme", "value": "x"})
    assert refused.value.key == "value"


def define(actor, **overrides) -> CustomField:
    args = {"key": "risk_tier", "label": "Risk tier", "field_type": "choice"}
    return services.define_custom_field(
        actor=actor, **(args | {"choices": ["low", "high"]} | overrides)
    )


def counts() -> tuple[int, int, int]:
    return CustomField.objects.count(), MLModel.objects.count(), AuditEvent.objects.count()


def test_administrator_defines_a_field_and_it_is_audited(admin_user):
    field = define(admin_user, is_required=True, help_text="From the tiering memo")
    stored = CustomField.objects.get(key="risk_tier")
    assert (stored, stored.choices, stored.is_required) == (field, ["low", "high"], True)
    event = AuditEvent.objects.get(verb="customfield.defined")
    assert (event.actor, event.target_id, event.mlmodel_id) == (admin_user, str(field.pk), None)
    assert event.after["choices"] == ["low", "high"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"key": "existing"}, "key"),
        ({"key": "Risk-Tier"}, "key"),
        ({"label": ""}, "label"),
        ({"field_type": "float"}, "field_type"),
        ({"choices": []}, "choices"),
        ({"choices": ["low", ""]}, "choices"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_definition_is_refused_naming_the_field_and_writes_nothing(
    admin_user, overrides, field
):
    define(admin_user, key="existing")
    before = counts()
    with pytest.raises(DomainError) as refused:
        define(admin_user, **overrides)
    assert refused.value.field == field
    assert counts() == before


@pytest.mark.parametrize("persona", ["owner", "auditor", "committee_member"])
def test_only_administrators_define_or_change_custom_fields(persona, request, admin_user):
    field = define(admin_user)
    before = counts()
    with pytest.raises(PermissionDenied):
        define(request.getfixturevalue(persona), key="other")
    with pytest.raises(PermissionDenied):
        services.update_custom_field(actor=request.getfixturevalue(persona), field=field, label="X")
    assert counts() == before


def test_updating_a_definition_records_only_the_changed_keys(admin_user):
    field = define(admin_user)
    services.update_custom_field(actor=admin_user, field=field, label="Tier", is_required=True)
    stored = CustomField.objects.get(pk=field.pk)
    assert (stored.label, stored.is_required) == ("Tier", True)
    event = AuditEvent.objects.get(verb="customfield.updated")
    assert event.before == {"label": "Risk tier", "is_required": False}
    assert event.after == {"label": "Tier", "is_required": True}


@pytest.mark.parametrize(
    ("changes", "field"), [({"key": "tier"}, "key"), ({"choices": []}, "choices")]
)
def test_invalid_definition_change_is_refused_and_writes_nothing(admin_user, changes, field):
    original = define(admin_user)
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.update_custom_field(actor=admin_user, field=original, **changes)
    assert refused.value.field == field
    assert counts() == before
    assert CustomField.objects.get(pk=original.pk).choices == ["low", "high"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({}, "custom_fields.risk_tier", "is required"),
        ({"risk_tier": "extreme"}, "custom_fields.risk_tier", "must be one of low, high"),
        (
            {"risk_tier": "low", "review_months": "soon"},
            "custom_fields.review_months",
            "is not a valid integer",
        ),
        (
            {"risk_tier": "low", "colour": "red"},
            "custom_fields.colour",
            "is not a defined custom field",
        ),
    ],
)
def test_a_model_with_bad_custom_values_is_refused_and_writes_nothing(
    admin_user, owner, values, field, message
):
    define(admin_user, is_required=True)
    define(admin_user, key="review_months", label="Review months", field_type="integer")
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.register_model(
            actor=owner,
            slug="m",
            name="M",
            business_unit="B",
            model_type="vendor",
            custom_fields=values,
        )
    assert (refused.value.field, refused.value.error_text) == (field, message)
    assert counts() == before


def test_a_retired_field_is_no_longer_required_or_accepted(admin_user, owner):
    field = define(admin_user, is_required=True)
    services.update_custom_field(actor=admin_user, field=field, is_active=False)
    model = services.register_model(
        actor=owner, slug="m", name="M", business_unit="B", model_type="vendor"
    )
    assert model.custom_fields == {}
    with pytest.raises(DomainError, match="risk_tier: is not a defined custom field"):
        services.update_model(actor=owner, model=model, custom_fields={"risk_tier": "low"})


@pytest.mark.parametrize("text", ["1_000", "١٢٣", "1.0", " "])
def test_whole_number_accepts_only_ascii_digits(text):
    spec = FieldSpec("headcount", "Headcount", "integer", is_required=True)
    with pytest.raises(CustomValueError):
        clean_custom_values([spec], {"headcount": text})
