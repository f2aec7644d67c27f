"""The models API: list, register, read and change models, by persona."""

import pytest
from django.contrib.auth.models import Group

from governance import roles
from governance.access.services import raci
from governance.auditlog.models import AuditEvent
from registry import services
from registry.models import MLModel
from tests.api_errors import error_fields
from tests.factories.accounts import UserFactory
from tests.factories.registry import MLModelFactory

URL = "/api/v1/models/"
PD = "/api/v1/models/retail-pd/"

NEW_MODEL = {
    "slug": "fraud-score",
    "name": "Card fraud score",
    "business_unit": "Payments",
    "model_type": "deep_learning",
}


def written() -> tuple[int, int]:
    return MLModel.objects.count(), AuditEvent.objects.count()


def test_owner_lists_her_model_with_its_owner_by_username(api_client, owner, credit_pd_model):
    response = api_client(owner).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["slug"] == "retail-pd"
    assert body["results"][0]["owner"] == "olivia"


def test_outsider_lists_nothing_and_auditor_lists_everything(
    api_client, outsider, auditor, credit_pd_model
):
    MLModelFactory(slug="other-team")
    assert api_client(outsider).get(URL).json()["count"] == 0
    assert api_client(auditor).get(URL).json()["count"] == 2


def test_list_filters_by_status_and_searches_free_text(api_client, auditor, credit_pd_model):
    MLModelFactory(slug="old-lgd", name="Old LGD", status=MLModel.Status.RETIRED)
    client = api_client(auditor)
    retired = client.get(URL, {"status": "retired"}).json()["results"]
    assert [m["slug"] for m in retired] == ["old-lgd"]
    found = client.get(URL, {"q": "default"}).json()["results"]
    assert [m["slug"] for m in found] == ["retail-pd"]


def test_list_rejects_an_unknown_status_naming_the_filter(api_client, auditor, credit_pd_model):
    response = api_client(auditor).get(URL, {"status": "shipped"})
    assert response.status_code == 400
    assert error_fields(response) == ["status"]


def test_anonymous_caller_is_told_to_bring_a_token(api_client, credit_pd_model):
    response = api_client(None).get(URL)
    assert (response.status_code, response.headers["WWW-Authenticate"]) == (401, "Token")


def test_models_list_query_count_does_not_grow_with_rows(
    api_client, auditor, django_assert_max_num_queries
):
    client = api_client(auditor)
    MLModelFactory.create_batch(3)
    with django_assert_max_num_queries(8) as few:
        client.get(URL)
    MLModelFactory.create_batch(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).json()["count"] == 33


def test_owner_registers_a_model_for_a_colleague_with_custom_values(api_client, owner):
    colleague = UserFactory(username="omar", roles=[roles.OWNER])
    services.define_custom_field(
        actor=UserFactory(roles=[roles.ADMINISTRATOR]),
        key="sox",
        label="SOX relevant",
        field_type="boolean",
    )
    payload = {**NEW_MODEL, "owner": "omar", "custom_fields": {"sox": "yes"}}
    response = api_client(owner).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    model = MLModel.objects.get(slug="fraud-score")
    assert (model.owner, model.custom_fields) == (colleague, {"sox": True})
    assert response.json()["owner"] == "omar"
    event = AuditEvent.objects.get(verb="model.registered")
    assert (event.actor, event.mlmodel_id) == (owner, model.pk)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Fraud Score!"}, "slug"),
        ({"slug": "x" * 81}, "slug"),
        ({"name": "n" * 201}, "name"),
        ({"model_type": "oracle"}, "model_type"),
        ({"owner": "nobody"}, "owner"),
        ({"custom_fields": {"undefined_key": 1}}, "custom_fields.undefined_key"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_registration_is_400_naming_the_field_and_writes_nothing(
    api_client, owner, change, field
):
    before = written()
    response = api_client(owner).post(URL, {**NEW_MODEL, **change}, format="json")
    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert written() == before


def test_registering_a_taken_slug_is_400_naming_slug(api_client, owner, credit_pd_model):
    response = api_client(owner).post(URL, {**NEW_MODEL, "slug": "retail-pd"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "slug"
    assert "already exists" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("persona", ["auditor", "validator", "committee_member"])
def test_personas_without_the_right_cannot_register_even_with_bad_input(
    api_client, request, persona
):
    user = request.getfixturevalue(persona)
    before = written()
    assert api_client(user).post(URL, {**NEW_MODEL, "slug": "!"}, format="json").status_code == 403
    assert written() == before


MATRIX = {
    # persona: (GET detail, PATCH description)
    "owner": (200, 200),
    "developer": (200, 200),
    "validator": (200, 403),
    "committee_member": (200, 403),
    "auditor": (200, 403),
    "admin_user": (200, 200),
    "outsider": (404, 404),
}


@pytest.mark.parametrize("persona", MATRIX)
def test_detail_and_change_follow_the_permission_matrix(
    api_client, request, credit_pd_model, persona
):
    client = api_client(request.getfixturevalue(persona))
    read = client.get(PD).status_code
    change = client.patch(PD, {"description": "Recalibrated"}, format="json").status_code
    assert (read, change) == MATRIX[persona]
    changed = MLModel.objects.get(pk=credit_pd_model.pk).description == "Recalibrated"
    assert changed == (change == 200)


def test_owner_changes_the_record_and_the_event_holds_the_change(
    api_client, owner, credit_pd_model
):
    response = api_client(owner).patch(PD, {"status": "validation"}, format="json")
    assert response.json()["status"] == "validation"
    event = AuditEvent.objects.get(verb="model.updated")
    assert (event.before, event.after) == ({"status": "development"}, {"status": "validation"})


def test_owner_hands_the_model_over_by_username(api_client, owner, credit_pd_model):
    successor = UserFactory(username="sam", roles=[roles.OWNER])
    response = api_client(owner).patch(PD, {"owner": "sam"}, format="json")
    assert response.json()["owner"] == "sam"
    assert MLModel.objects.get(pk=credit_pd_model.pk).owner == successor


def test_developer_responsible_for_development_cannot_take_ownership(
    api_client, developer, credit_pd_model, owner
):
    response = api_client(developer).patch(PD, {"owner": "dev"}, format="json")
    assert response.status_code == 403
    assert MLModel.objects.get(pk=credit_pd_model.pk).owner == owner
    assert not AuditEvent.objects.filter(verb="model.updated").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "renamed"}, "slug"),
        ({"owner": "ghost"}, "owner"),
        ({"vendor": "v" * 201}, "vendor"),
    ],
)
def test_bad_change_is_400_naming_the_field_and_changes_nothing(
    api_client, owner, credit_pd_model, change, field
):
    before = written()
    response = api_client(owner).patch(PD, change, format="json")
    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert written() == before


def test_handing_over_to_the_models_validator_is_refused_by_the_service(
    api_client, owner, validator, credit_pd_model
):
    response = api_client(owner).patch(PD, {"owner": "vera"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "owner"


def test_group_grant_makes_a_model_visible_to_its_members(api_client, owner, credit_pd_model):
    team = Group.objects.create(name="Retail risk team")
    member = UserFactory(username="rita")
    member.groups.add(team)
    raci.assign_raci(actor=owner, model=credit_pd_model, group=team, role="I", area="monitoring")
    assert api_client(member).get(PD).status_code == 200


@pytest.mark.parametrize(
    "suffix",
    [
        "",
        "versions/",
        "runs/",
        "raci/",
        "dependencies/",
        "history/",
        "serving/?environment=staging",
    ],
)
@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("auditor", 200)])
def test_every_url_of_a_model_is_404_to_outsiders_and_readable_by_auditors(
    api_client, request, credit_pd_model, suffix, persona, status
):
    client = api_client(request.getfixturevalue(persona))
    assert client.get(f"{PD}{suffix}").status_code == status
