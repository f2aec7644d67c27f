"""The use-cases and custom-fields API."""

import pytest

from governance.auditlog.models import AuditEvent
from registry import services
from registry.models import CustomField, UseCase
from tests.api_errors import error_fields
from tests.factories.registry import MLModelFactory

URL = "/api/v1/use-cases/"
LENDING = "/api/v1/use-cases/loan-decisions/"
FIELDS = "/api/v1/custom-fields/"
NEW_USE_CASE = {
    "slug": "collections",
    "name": "Collections prioritisation",
    "business_purpose": "Order the collections queue",
    "business_unit": "Retail Credit",
}


def written() -> tuple[int, int, int]:
    links = UseCase.models.through.objects.count()
    return UseCase.objects.count(), links, AuditEvent.objects.count()


def test_owner_registers_a_use_case_naming_models_by_slug(api_client, owner, credit_pd_model):
    payload = {**NEW_USE_CASE, "models": ["retail-pd"]}
    response = api_client(owner).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["models"], response.json()["owner"]) == (["retail-pd"], "olivia")
    stored = UseCase.objects.get(slug="collections")
    assert list(stored.models.all()) == [credit_pd_model]
    assert AuditEvent.objects.get(verb="usecase.registered").actor == owner


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"models": ["ghost-model"]}, "models"),
        ({"models": ["hidden"]}, "models"),
        ({"slug": "Collections!"}, "slug"),
        ({"owner": "nobody"}, "owner"),
        ({"business_unit": "b" * 101}, "business_unit"),
    ],
)
def test_bad_use_case_is_400_naming_the_field_and_writes_nothing(
    api_client, owner, credit_pd_model, change, field
):
    MLModelFactory(slug="hidden")
    before = written()
    response = api_client(owner).post(URL, {**NEW_USE_CASE, **change}, format="json")
    assert (response.status_code, error_fields(response)) == (400, [field])
    assert written() == before


def test_use_cases_list_only_the_models_the_caller_may_see(api_client, outsider, lending):
    listed = api_client(outsider).get(URL).json()["results"]
    assert [(u["slug"], u["models"]) for u in listed] == [("loan-decisions", [])]


def test_owner_changes_a_use_case_and_its_models(api_client, owner, lending, credit_pd_model):
    other = services.register_model(
        actor=owner,
        slug="affordability",
        name="Affordability",
        business_unit="R",
        model_type="vendor",
    )
    change = {"affected_people": "Loan applicants", "models": ["affordability"]}
    response = api_client(owner).patch(LENDING, change, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["models"] == ["affordability"]
    lending.refresh_from_db()
    assert (lending.affected_people, list(lending.models.all())) == ("Loan applicants", [other])
    assert AuditEvent.objects.filter(verb="usecase.updated").count() == 1


@pytest.mark.parametrize("persona", ["developer", "auditor"])
def test_personas_without_the_right_cannot_change_a_use_case(api_client, request, lending, persona):
    client = api_client(request.getfixturevalue(persona))
    assert client.get(LENDING).status_code == 200
    assert client.patch(LENDING, {"name": "Renamed"}, format="json").status_code == 403
    assert UseCase.objects.get(pk=lending.pk).name == "Retail loan decisions"


def test_administrator_defines_a_custom_field_and_anyone_reads_it(
    api_client, admin_user, developer
):
    payload = {"key": "tier", "label": "Tier", "field_type": "choice", "choices": ["low", "high"]}
    response = api_client(admin_user).post(FIELDS, payload, format="json")
    assert response.status_code == 201, response.json()
    assert CustomField.objects.get(key="tier").choices == ["low", "high"]
    assert AuditEvent.objects.get(verb="customfield.defined").actor == admin_user
    listed = api_client(developer).get(FIELDS).json()["results"]
    assert [f["key"] for f in listed] == ["tier"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"key": "Tier", "label": "Tier", "field_type": "text"}, "key"),
        ({"key": "tier", "label": "Tier", "field_type": "colour"}, "field_type"),
        ({"key": "tier", "label": "Tier", "field_type": "choice"}, "choices"),
        ({"key": "tier", "label": "l" * 101, "field_type": "text"}, "label"),
    ],
)
def test_bad_custom_field_is_400_naming_the_field(api_client, admin_user, payload, field):
    response = api_client(admin_user).post(FIELDS, payload, format="json")
    assert (response.status_code, error_fields(response)) == (400, [field])
    assert not CustomField.objects.exists()


def test_administrator_relabels_a_field_but_cannot_change_its_key(api_client, admin_user):
    services.define_custom_field(actor=admin_user, key="sox", label="SOX", field_type="boolean")
    client = api_client(admin_user)
    response = client.patch(f"{FIELDS}sox/", {"label": "SOX relevant"}, format="json")
    assert response.json()["label"] == "SOX relevant"
    refused = client.patch(f"{FIELDS}sox/", {"key": "sarbox"}, format="json")
    assert (refused.status_code, error_fields(refused)) == (400, ["key"])
    assert CustomField.objects.get().key == "sox"


def test_owner_cannot_define_custom_fields(api_client, owner):
    payload = {"key": "tier", "label": "Tier", "field_type": "text"}
    assert api_client(owner).post(FIELDS, payload, format="json").status_code == 403
    assert not CustomField.objects.exists()
