"""Changing, handing over and deleting a model; its history is the audit events scoped to it."""

import pytest
from django.core.exceptions import PermissionDenied

from governance import permissions
from governance.access.models import RaciAssignment
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import selectors, services
from registry.models import MLModel
from tests.factories.accounts import UserFactory
from tests.factories.registry import ModelVersionFactory


def audit_count() -> int:
    return AuditEvent.objects.count()


def test_owner_changes_the_record_and_the_event_holds_only_the_changed_keys(credit_pd_model, owner):
    services.update_model(
        actor=owner, model=credit_pd_model, name="Retail PD v2", description="Rebuilt on 2025 data"
    )
    stored = MLModel.objects.get(pk=credit_pd_model.pk)
    assert (stored.name, stored.description) == ("Retail PD v2", "Rebuilt on 2025 data")
    event = AuditEvent.objects.get(verb="model.updated")
    assert event.before == {"name": "Retail PD scorecard", "description": ""}
    assert event.after == {"name": "Retail PD v2", "description": "Rebuilt on 2025 data"}
    assert (event.actor, event.mlmodel_id) == (owner, credit_pd_model.pk)


def test_an_update_that_changes_nothing_records_no_event(credit_pd_model, owner):
    before = audit_count()
    services.update_model(actor=owner, model=credit_pd_model, name="Retail PD scorecard")
    assert audit_count() == before


def test_developer_responsible_for_development_may_change_the_record(credit_pd_model, developer):
    services.update_model(actor=developer, model=credit_pd_model, status="validation")
    assert MLModel.objects.get(pk=credit_pd_model.pk).status == "validation"
    assert AuditEvent.objects.get(verb="model.updated").actor == developer


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "retail-pd-2"}, "slug"),
        ({"created_at": None}, "created_at"),
        ({"name": ""}, "name"),
        ({"status": "approved"}, "status"),
        ({"model_type": "rules"}, "model_type"),
        ({"custom_fields": {"unknown_key": "x"}}, "custom_fields.unknown_key"),
    ],
)
def test_invalid_change_is_refused_naming_the_field_and_writes_nothing(
    credit_pd_model, owner, changes, field
):
    before = audit_count()
    with pytest.raises(DomainError) as refused:
        services.update_model(actor=owner, model=credit_pd_model, **changes)
    assert refused.value.field == field
    assert audit_count() == before
    stored = MLModel.objects.get(pk=credit_pd_model.pk)
    assert (stored.slug, stored.name, stored.status) == (
        "retail-pd",
        "Retail PD scorecard",
        "development",
    )


def test_handing_over_to_an_inactive_user_is_refused(credit_pd_model, owner):
    leaver = UserFactory(username="leaver", is_active=False)
    with pytest.raises(DomainError) as refused:
        services.update_model(actor=owner, model=credit_pd_model, owner=leaver)
    assert refused.value.field == "owner"
    assert MLModel.objects.get(pk=credit_pd_model.pk).owner == owner


def test_new_owner_gains_the_owner_rights_and_the_old_owner_loses_them(
    credit_pd_model, owner, developer
):
    successor = UserFactory(username="sam", roles=["Model owners"])
    services.update_model(actor=owner, model=credit_pd_model, owner=successor)
    for action in ("view", "change", "submit"):
        assert permissions.can(successor, action, credit_pd_model)
        assert not permissions.can(owner, action, credit_pd_model)
    assert permissions.can(developer, "change", credit_pd_model)
    event = AuditEvent.objects.get(verb="model.updated")
    assert (event.before, event.after) == ({"owner": owner.pk}, {"owner": successor.pk})


def test_handing_over_to_the_models_validator_is_refused_to_keep_validation_independent(
    credit_pd_model, owner, validator
):
    before = audit_count()
    with pytest.raises(DomainError) as refused:
        services.update_model(actor=owner, model=credit_pd_model, owner=validator)
    assert refused.value.field == "owner"
    assert MLModel.objects.get(pk=credit_pd_model.pk).owner == owner
    assert not permissions.can(validator, "change", credit_pd_model)
    assert audit_count() == before


@pytest.mark.parametrize("persona", ["auditor", "outsider", "validator", "committee_member"])
def test_personas_without_change_rights_cannot_update_the_model(persona, request, credit_pd_model):
    actor = request.getfixturevalue(persona)
    before = audit_count()
    with pytest.raises(PermissionDenied):
        services.update_model(actor=actor, model=credit_pd_model, name="Hijacked")
    assert MLModel.objects.get(pk=credit_pd_model.pk).name == "Retail PD scorecard"
    assert audit_count() == before


def test_replacing_custom_values_keeps_the_values_of_retired_fields(
    credit_pd_model, owner, admin_user
):
    field = services.define_custom_field(
        actor=admin_user, key="legacy_id", label="Legacy id", field_type="text"
    )
    services.define_custom_field(actor=admin_user, key="sox", label="SOX", field_type="boolean")
    services.update_model(actor=owner, model=credit_pd_model, custom_fields={"legacy_id": "L-7"})
    services.update_custom_field(actor=admin_user, field=field, is_active=False)
    services.update_model(actor=owner, model=credit_pd_model, custom_fields={"sox": "yes"})
    stored = MLModel.objects.get(pk=credit_pd_model.pk).custom_fields
    assert stored == {"legacy_id": "L-7", "sox": True}


def test_administrator_deletes_a_model_registered_by_mistake(credit_pd_model, admin_user):
    pk = credit_pd_model.pk
    services.delete_model(actor=admin_user, model=credit_pd_model)
    assert not MLModel.objects.filter(pk=pk).exists()
    assert not RaciAssignment.objects.filter(model_id=pk).exists()
    event = AuditEvent.objects.get(verb="model.deleted")
    assert (event.mlmodel_id, event.before["slug"], event.actor) == (pk, "retail-pd", admin_user)


def test_owner_may_not_delete_and_a_model_with_versions_must_be_retired(
    credit_pd_model, owner, admin_user
):
    with pytest.raises(PermissionDenied, match="only administrators"):
        services.delete_model(actor=owner, model=credit_pd_model)
    ModelVersionFactory(model=credit_pd_model)
    before = audit_count()
    with pytest.raises(DomainError, match="retire it instead"):
        services.delete_model(actor=admin_user, model=credit_pd_model)
    assert MLModel.objects.filter(pk=credit_pd_model.pk).exists()
    assert audit_count() == before


def test_auditor_cannot_delete_a_model(credit_pd_model, auditor):
    with pytest.raises(PermissionDenied):
        services.delete_model(actor=auditor, model=credit_pd_model)
    assert MLModel.objects.filter(pk=credit_pd_model.pk).exists()


def test_model_history_lists_the_models_own_events_newest_first(credit_pd_model, owner):
    other = services.register_model(
        actor=owner, slug="other", name="Other", business_unit="X", model_type="vendor"
    )
    services.update_model(actor=owner, model=credit_pd_model, description="Recalibrated")
    verbs = list(selectors.model_history(credit_pd_model).values_list("verb", flat=True))
    assert verbs == ["model.updated", "raci.assigned", "raci.assigned", "model.registered"]
    assert not selectors.model_history(credit_pd_model).filter(mlmodel_id=other.pk).exists()
    assert AuditEvent.objects.filter(mlmodel_id=other.pk).exists()
