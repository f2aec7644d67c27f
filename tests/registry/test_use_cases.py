"""Registering use cases (AI systems) and changing them, with the models they use."""

import pytest
from django.core.exceptions import PermissionDenied

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import services
from registry.models import UseCase
from tests.factories.registry import MLModelFactory


def counts() -> tuple[int, int, int]:
    links = UseCase.models.through.objects.count()
    return UseCase.objects.count(), links, AuditEvent.objects.count()


def test_owner_registers_a_use_case_with_its_models_and_it_is_audited(owner, credit_pd_model):
    use_case = services.register_use_case(
        actor=owner,
        slug="collections",
        name="Collections prioritisation",
        business_purpose="Order the collections queue",
        business_unit="Retail Credit",
        affected_people="Borrowers in arrears",
        models=[credit_pd_model],
    )
    stored = UseCase.objects.get(slug="collections")
    assert (stored, stored.owner, list(stored.models.all())) == (use_case, owner, [credit_pd_model])
    event = AuditEvent.objects.get(verb="usecase.registered")
    assert (event.actor, event.target_id, event.mlmodel_id) == (owner, str(use_case.pk), None)
    assert (event.after["models"], event.after["affected_people"]) == (
        [credit_pd_model.pk],
        "Borrowers in arrears",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "loan-decisions"}, "slug"),
        ({"slug": "Loan decisions"}, "slug"),
        ({"business_purpose": ""}, "business_purpose"),
        ({"risk_class": "high"}, "risk_class"),
        ({"models": "hidden"}, "models"),
    ],
)
def test_invalid_use_case_is_refused_naming_the_field_and_writes_nothing(
    lending, owner, overrides, field
):
    if overrides.get("models") == "hidden":
        overrides = overrides | {"models": [MLModelFactory(slug="someone-elses")]}
    args = {"slug": "pricing", "name": "Pricing", "business_purpose": "Price loans"}
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.register_use_case(actor=owner, business_unit="Retail", **(args | overrides))
    assert refused.value.field == field
    assert counts() == before


@pytest.mark.parametrize("persona", ["developer", "auditor", "validator"])
def test_personas_without_the_right_cannot_register_or_change_use_cases(persona, request, lending):
    actor = request.getfixturevalue(persona)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.register_use_case(
            actor=actor, slug="x", name="X", business_purpose="X", business_unit="X"
        )
    with pytest.raises(PermissionDenied):
        services.update_use_case(actor=actor, use_case=lending, name="Renamed")
    assert counts() == before


def test_updating_records_only_the_changed_keys(lending, owner):
    services.update_use_case(
        actor=owner, use_case=lending, name="Loan decisions", deployer_context="Branch staff"
    )
    stored = UseCase.objects.get(pk=lending.pk)
    assert (stored.name, stored.deployer_context) == ("Loan decisions", "Branch staff")
    event = AuditEvent.objects.get(verb="usecase.updated")
    assert event.before == {"name": "Retail loan decisions", "deployer_context": ""}
    assert event.after == {"name": "Loan decisions", "deployer_context": "Branch staff"}


def test_changing_the_models_used_is_recorded(lending, owner, credit_pd_model):
    other = services.register_model(
        actor=owner,
        slug="affordability",
        name="Affordability",
        business_unit="R",
        model_type="vendor",
    )
    services.update_use_case(actor=owner, use_case=lending, models=[credit_pd_model, other])
    assert set(UseCase.objects.get(pk=lending.pk).models.all()) == {credit_pd_model, other}
    event = AuditEvent.objects.get(verb="usecase.updated")
    assert event.before == {"models": [credit_pd_model.pk]}
    assert event.after == {"models": sorted([credit_pd_model.pk, other.pk])}


def test_links_to_models_the_editor_cannot_see_survive_their_edit(lending, owner, credit_pd_model):
    hidden = MLModelFactory(slug="someone-elses")
    lending.models.add(hidden)
    services.update_use_case(actor=owner, use_case=lending, models=[])
    assert list(UseCase.objects.get(pk=lending.pk).models.all()) == [hidden]


def test_an_update_that_changes_nothing_records_no_event(lending, owner, credit_pd_model):
    before = counts()
    services.update_use_case(
        actor=owner, use_case=lending, name="Retail loan decisions", models=[credit_pd_model]
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"slug": "renamed"}, "slug"), ({"name": ""}, "name"), ({"models": "hidden"}, "models")],
)
def test_invalid_update_is_refused_and_writes_nothing(lending, owner, changes, field):
    if changes.get("models") == "hidden":
        changes = changes | {"models": [MLModelFactory(slug="someone-elses")]}
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.update_use_case(actor=owner, use_case=lending, **changes)
    assert refused.value.field == field
    assert counts() == before
    assert UseCase.objects.get(pk=lending.pk).name == "Retail loan decisions"
