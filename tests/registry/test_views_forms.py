"""Inventory forms: registering and editing models, versions and RACI through the pages."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from governance.access.models import RaciAssignment
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import services
from registry.forms import ModelRegisterForm
from registry.models import MLModel, ModelVersion
from tests.factories.accounts import UserFactory

CREATE = reverse("registry:model-create")


def model_form(owner, /, **overrides) -> dict[str, object]:
    data = {
        "slug": "mortgage-lgd",
        "name": "Mortgage LGD",
        "description": "Loss given default for residential mortgages",
        "intended_purpose": "IFRS 9 provisioning",
        "business_unit": "Retail Credit",
        "model_type": "classical_ml",
        "status": "development",
        "vendor": "",
        "owner": owner.pk,
    }
    return data | overrides


def counts() -> tuple[int, int]:
    return MLModel.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def risk_tier(admin_user):
    return services.define_custom_field(
        actor=admin_user,
        key="risk_tier",
        label="Risk tier",
        field_type="choice",
        choices=["1", "2", "3"],
        is_required=True,
    )


def test_registering_through_the_form_creates_the_model_and_its_audit_event(client, owner):
    client.force_login(owner)
    response = client.post(CREATE, model_form(owner))
    model = MLModel.objects.get(slug="mortgage-lgd")
    assert response.status_code == 302
    assert response["Location"] == model.get_absolute_url()
    assert (model.owner, model.intended_purpose) == (owner, "IFRS 9 provisioning")
    event = AuditEvent.objects.get(verb="model.registered")
    assert (event.actor, event.mlmodel_id) == (owner, model.pk)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slug": "Not a slug!"}, "slug", "use lowercase letters"),
        ({"slug": "retail-pd"}, "slug", "already exists"),
        ({"slug": "new"}, "slug", "reserved"),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_input_rerenders_with_the_fields_error_and_writes_nothing(
    client, owner, credit_pd_model, overrides, field, message
):
    client.force_login(owner)
    before = counts()
    response = client.post(CREATE, model_form(owner, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert counts() == before


def test_register_form_has_a_field_per_active_custom_field_and_keeps_the_value(
    client, owner, risk_tier
):
    client.force_login(owner)
    assert "cf_risk_tier" in client.get(CREATE).context["form"].fields
    client.post(CREATE, model_form(owner, cf_risk_tier="2"))
    assert MLModel.objects.get(slug="mortgage-lgd").custom_fields == {"risk_tier": "2"}


def test_required_custom_field_left_empty_is_an_error_on_that_field(client, owner, risk_tier):
    client.force_login(owner)
    response = client.post(CREATE, model_form(owner))
    assert "cf_risk_tier" in response.context["form"].errors
    assert not MLModel.objects.filter(slug="mortgage-lgd").exists()


def test_service_error_naming_a_custom_field_lands_on_its_form_field(risk_tier):
    form = ModelRegisterForm({}, custom_fields=[risk_tier])
    form.is_valid()
    form.add_domain_error(DomainError(field="custom_fields.risk_tier", message="is required"))
    form.add_domain_error(DomainError(field="custom_fields.gone", message="is not defined"))
    assert "is required" in form.errors["cf_risk_tier"]
    assert form.non_field_errors() == ["is not defined"]


@pytest.mark.parametrize("persona", ["auditor", "validator"])
def test_readers_get_403_on_register_and_edit(client, request, persona, credit_pd_model):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {}).status_code == 403
    edit = reverse("registry:model-edit", args=[credit_pd_model.slug])
    assert client.get(edit).status_code == 403


def test_outsider_gets_404_on_edit(client, outsider, credit_pd_model):
    client.force_login(outsider)
    edit = reverse("registry:model-edit", args=[credit_pd_model.slug])
    assert client.get(edit).status_code == 404


def test_editing_changes_the_record_and_records_what_changed(client, owner, credit_pd_model):
    client.force_login(owner)
    edit = reverse("registry:model-edit", args=[credit_pd_model.slug])
    assert client.get(edit).context["form"]["name"].value() == "Retail PD scorecard"
    data = model_form(owner, name="Retail PD scorecard v2", status="validation")
    response = client.post(edit, data)
    assert response.status_code == 302
    credit_pd_model.refresh_from_db()
    assert (credit_pd_model.name, credit_pd_model.status) == (
        "Retail PD scorecard v2",
        "validation",
    )
    event = AuditEvent.objects.filter(verb="model.updated").get()
    assert event.after["name"] == "Retail PD scorecard v2"


def test_handing_the_model_to_its_validator_is_refused_on_the_owner_field(
    client, owner, validator, credit_pd_model
):
    validator.groups.add(Group.objects.get(name="Model owners"))  # she could own another model
    client.force_login(owner)
    edit = reverse("registry:model-edit", args=[credit_pd_model.slug])
    response = client.post(edit, model_form(owner, owner=validator.pk))
    assert "vera validates retail-pd: cannot own it" in response.context["form"].errors["owner"][0]
    credit_pd_model.refresh_from_db()
    assert credit_pd_model.owner == owner


def test_developer_registers_a_version_from_the_form(client, developer, credit_pd_model):
    client.force_login(developer)
    url = reverse("registry:version-create", args=[credit_pd_model.slug])
    response = client.post(url, {"version": "1.0.0", "framework": "scikit-learn 1.5"})
    version = ModelVersion.objects.get(model=credit_pd_model)
    assert response["Location"] == version.get_absolute_url()
    assert (version.version, version.created_by) == ("1.0.0", developer)


def test_duplicate_version_label_is_an_error_on_the_version_field(client, owner, credit_pd_model):
    services.register_version(actor=owner, model=credit_pd_model, version="1.0.0")
    client.force_login(owner)
    url = reverse("registry:version-create", args=[credit_pd_model.slug])
    response = client.post(url, {"version": "1.0.0"})
    assert "already has a version" in response.context["form"].errors["version"][0]


def test_llm_version_keeps_its_prompt_templates_with_their_sha256(client, owner):
    model = services.register_model(
        actor=owner,
        slug="complaints-llm",
        name="Complaints triage",
        business_unit="Ops",
        model_type=MLModel.ModelType.LLM_APPLICATION,
    )
    client.force_login(owner)
    url = reverse("registry:version-create", args=[model.slug])
    data = {
        "version": "1",
        "base_model": "gpt-x",
        "provider": "Azure",
        "prompt_2_name": "triage",
        "prompt_2_template": "Classify: {text}",
    }
    client.post(url, data)
    version = model.versions.get()
    (prompt,) = version.prompt_templates.all()
    assert prompt.name == "triage"
    body = client.get(version.get_absolute_url()).content.decode()
    assert prompt.sha256 in body and "Classify: {text}" in body


def test_llm_version_without_base_model_is_refused_on_that_field(client, owner):
    model = services.register_model(
        actor=owner,
        slug="complaints-llm",
        name="Complaints triage",
        business_unit="Ops",
        model_type=MLModel.ModelType.LLM_APPLICATION,
    )
    client.force_login(owner)
    url = reverse("registry:version-create", args=[model.slug])
    response = client.post(url, {"version": "1", "provider": "Azure"})
    assert "base model" in response.context["form"].errors["base_model"][0]
    assert not model.versions.exists()


def test_owner_assigns_and_removes_a_raci_role(client, owner, credit_pd_model):
    lead = UserFactory(username="lee", roles=["Developers"])
    client.force_login(owner)
    url = reverse("registry:raci-assign", args=[credit_pd_model.slug])
    data = {"user": lead.pk, "role": "A", "area": "development"}
    response = client.post(url, data)
    assert response.status_code == 302
    assignment = RaciAssignment.objects.get(user=lead)
    remove = reverse("registry:raci-remove", args=[credit_pd_model.slug, assignment.pk])
    assert client.get(remove).status_code == 405
    client.post(remove)
    assert not RaciAssignment.objects.filter(user=lead).exists()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"raci.assigned", "raci.removed"} <= verbs


def test_raci_independence_error_is_shown_on_the_user_field(
    client, head_of_validation, developer, credit_pd_model
):
    developer.groups.add(Group.objects.get(name="Validators"))
    client.force_login(head_of_validation)
    url = reverse("registry:raci-assign", args=[credit_pd_model.slug])
    response = client.post(url, {"user": developer.pk, "role": "R", "area": "validation"})
    assert (
        "dev develops retail-pd: cannot validate it" in response.context["form"].errors["user"][0]
    )


def test_a_read_only_role_cannot_be_made_responsible(client, owner, auditor, credit_pd_model):
    client.force_login(owner)
    url = reverse("registry:raci-assign", args=[credit_pd_model.slug])
    response = client.post(url, {"user": auditor.pk, "role": "R", "area": "development"})
    error = response.context["form"].errors["user"][0]
    assert "audrey is in Auditors, a read-only role" in error


def test_developer_may_not_manage_raci(client, developer, credit_pd_model):
    client.force_login(developer)
    url = reverse("registry:raci-assign", args=[credit_pd_model.slug])
    assert client.get(url).status_code == 403
    assignment = credit_pd_model.raci_assignments.first()
    remove = reverse("registry:raci-remove", args=[credit_pd_model.slug, assignment.pk])
    assert client.post(remove).status_code == 403
