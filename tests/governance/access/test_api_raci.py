"""The RACI API of a model: who may assign and remove roles, and what that grants."""

import pytest
from django.contrib.auth.models import Group

from governance import permissions
from governance.access.models import RaciAssignment
from governance.auditlog.models import AuditEvent
from tests.api_errors import error_fields
from tests.factories.accounts import UserFactory

RACI = "/api/v1/models/retail-pd/raci/"


def written() -> tuple[int, int]:
    return RaciAssignment.objects.count(), AuditEvent.objects.count()


def test_readers_see_the_models_raci(api_client, auditor, credit_pd_model):
    listed = api_client(auditor).get(RACI).json()["results"]
    assert {(a["user"], a["role"], a["area"]) for a in listed} == {
        ("dev", "R", "development"),
        ("vera", "R", "validation"),
    }


def test_owner_makes_a_colleague_accountable_and_they_gain_the_rights(
    api_client, owner, credit_pd_model
):
    lead = UserFactory(username="lee")
    payload = {"user": "lee", "role": "A", "area": "development"}
    response = api_client(owner).post(RACI, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["principal"] == lead.get_full_name()
    assert permissions.can(lead, "submit", credit_pd_model)
    event = AuditEvent.objects.filter(verb="raci.assigned").latest("seq")
    assert (event.actor, event.mlmodel_id) == (owner, credit_pd_model.pk)


def test_owner_assigns_a_group_by_name(api_client, owner, credit_pd_model):
    Group.objects.create(name="Model monitoring team")
    payload = {"group": "Model monitoring team", "role": "R", "area": "monitoring"}
    response = api_client(owner).post(RACI, payload, format="json")
    assert (response.status_code, response.json()["group"]) == (201, "Model monitoring team")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"user": "ghost", "role": "R", "area": "monitoring"}, "user"),
        ({"group": "Ghosts", "role": "R", "area": "monitoring"}, "group"),
        ({"user": "carl", "role": "Z", "area": "monitoring"}, "role"),
        ({"user": "carl", "role": "R", "area": "marketing"}, "area"),
        ({"role": "R", "area": "monitoring"}, "user"),
        ({"user": "audrey", "role": "R", "area": "development"}, "user"),
        ({"user": "dev", "role": "R", "area": "development"}, "role"),
    ],
)
def test_bad_assignment_is_400_naming_the_field_and_writes_nothing(
    api_client, owner, committee_member, auditor, credit_pd_model, payload, field
):
    before = written()
    response = api_client(owner).post(RACI, payload, format="json")
    assert (response.status_code, error_fields(response)) == (400, [field])
    assert written() == before


def test_an_owner_cannot_appoint_her_models_validator(api_client, owner, credit_pd_model):
    before = written()
    payload = {"user": "vera", "role": "A", "area": "validation"}
    response = api_client(owner).post(RACI, payload, format="json")
    assert response.status_code == 403
    assert "the head of validation does" in response.json()["errors"][0]["message"]
    assert written() == before


@pytest.mark.parametrize(("persona", "status"), [("developer", 403), ("outsider", 404)])
def test_only_the_owner_manages_raci(api_client, request, credit_pd_model, persona, status):
    client = api_client(request.getfixturevalue(persona))
    assignment = RaciAssignment.objects.filter(model=credit_pd_model).first()
    before = written()
    payload = {"user": "vera", "role": "C", "area": "development"}
    assert client.post(RACI, payload, format="json").status_code == status
    assert client.delete(f"{RACI}{assignment.pk}/").status_code == status
    assert written() == before


def test_a_developer_hears_403_even_for_a_malformed_assignment(
    api_client, developer, credit_pd_model
):
    response = api_client(developer).post(RACI, {"role": "Z"}, format="json")
    assert response.status_code == 403


def test_removing_an_assignment_withdraws_its_rights(api_client, owner, developer, credit_pd_model):
    assignment = RaciAssignment.objects.get(model=credit_pd_model, user=developer)
    assert api_client(owner).delete(f"{RACI}{assignment.pk}/").status_code == 204
    assert not permissions.can(developer, "view", credit_pd_model)
    assert AuditEvent.objects.filter(verb="raci.removed").count() == 1
