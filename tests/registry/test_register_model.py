"""Registering a model: the row, the owner's rights, the audit event, and what is refused."""

import pytest
from django.core.exceptions import PermissionDenied

from governance import permissions
from governance.access.models import RaciAssignment
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import services
from registry.models import MLModel, MLModelUserObjectPermission
from tests.factories.accounts import UserFactory
from tests.factories.registry import MLModelFactory


def register(actor, **overrides) -> MLModel:
    args = {
        "slug": "fraud-gbm",
        "name": "Card fraud GBM",
        "business_unit": "Payments",
        "model_type": MLModel.ModelType.CLASSICAL_ML,
    }
    return services.register_model(actor=actor, **(args | overrides))


def written() -> tuple[int, int, int, int]:
    return (
        MLModel.objects.count(),
        AuditEvent.objects.count(),
        RaciAssignment.objects.count(),
        MLModelUserObjectPermission.objects.count(),
    )


def test_owner_registers_a_model_that_she_owns_in_development(owner):
    model = register(owner, intended_purpose="Flag fraudulent card payments")
    stored = MLModel.objects.get(slug="fraud-gbm")
    assert stored == model
    assert (stored.owner, stored.status) == (owner, MLModel.Status.DEVELOPMENT)
    assert stored.intended_purpose == "Flag fraudulent card payments"


def test_the_new_owner_may_view_change_and_submit_but_not_validate(owner):
    model = register(owner)
    actions = ("view", "change", "submit", "validate", "decide")
    assert [permissions.can(owner, a, model) for a in actions] == [True, True, True, False, False]


def test_registering_records_model_registered_scoped_to_the_model(owner):
    model = register(owner)
    event = AuditEvent.objects.get(verb="model.registered")
    assert (event.actor, event.mlmodel_id, event.target_id) == (owner, model.pk, str(model.pk))
    assert event.after["slug"] == "fraud-gbm"
    assert event.after["owner"] == owner.pk
    assert event.before is None


def test_administrator_registering_for_an_owner_becomes_responsible_for_development(
    admin_user, owner
):
    model = register(admin_user, owner=owner)
    assert permissions.can(owner, "submit", model)
    assignment = RaciAssignment.objects.get(model=model)
    assert (assignment.user, assignment.role, assignment.area) == (admin_user, "R", "development")
    assert AuditEvent.objects.filter(verb="raci.assigned", mlmodel_id=model.pk).count() == 1


def test_developer_registering_for_an_owner_becomes_responsible_for_development(developer, owner):
    model = register(developer, owner=owner)
    assert model.owner == owner
    assert permissions.can(developer, "change", model)
    assert not permissions.can(developer, "submit", model)
    assert RaciAssignment.objects.get(model=model).user == developer


def test_custom_field_values_are_stored_in_canonical_form(admin_user, owner):
    services.define_custom_field(
        actor=admin_user, key="review_cycle_months", label="Review cycle", field_type="integer"
    )
    model = register(owner, custom_fields={"review_cycle_months": " 12 "})
    assert MLModel.objects.get(pk=model.pk).custom_fields == {"review_cycle_months": 12}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "retail-pd"}, "slug"),
        ({"slug": "Fraud GBM!"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": "Fraud-GBM"}, "slug"),
        ({"slug": "new"}, "slug"),
        ({"name": ""}, "name"),
        ({"model_type": "expert_judgement"}, "model_type"),
        ({"status": "approved"}, "status"),
        ({"risk_tier": "high"}, "risk_tier"),
        ({"custom_fields": {"sox_relevant": "yes"}}, "custom_fields.sox_relevant"),
    ],
)
def test_invalid_registration_is_refused_naming_the_field_and_writes_nothing(
    credit_pd_model, owner, overrides, field
):
    before = written()
    with pytest.raises(DomainError) as refused:
        register(owner, **overrides)
    assert refused.value.field == field
    assert written() == before


def test_registering_for_an_inactive_owner_is_refused_and_writes_nothing(owner):
    leaver = UserFactory(username="leaver", is_active=False)
    before = written()
    with pytest.raises(DomainError) as refused:
        register(owner, owner=leaver)
    assert refused.value.field == "owner"
    assert "not an active user" in refused.value.error_text
    assert written() == before


@pytest.mark.parametrize("persona", ["auditor", "validator", "committee_member"])
def test_personas_without_the_register_right_are_refused_and_nothing_is_written(persona, request):
    actor = request.getfixturevalue(persona)
    before = written()
    with pytest.raises(PermissionDenied):
        register(actor)
    assert written() == before


def test_a_concurrent_registration_of_the_same_slug_is_a_field_error_not_a_crash(
    owner, monkeypatch
):
    """Another writer commits the slug between the uniqueness check and the insert."""
    from registry.services import models as model_services

    def competitor_commits_first(obj, **kwargs) -> None:
        MLModelFactory(slug=obj.slug)

    monkeypatch.setattr(model_services, "clean_or_raise", competitor_commits_first)
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        register(owner, slug="fraud-gbm")
    assert (refused.value.field, refused.value.error_text) == (
        "slug",
        "a model with slug 'fraud-gbm' already exists",
    )
    assert AuditEvent.objects.count() == before  # nothing of ours was written
