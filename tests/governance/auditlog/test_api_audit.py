"""The governance API: the audit trail, the caller's profile, API tokens and the schema."""

import re

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from governance.access.models import ApiToken
from governance.auditlog.models import AuditEvent
from registry import services

EVENTS = "/api/v1/audit-events/"


def test_auditor_reads_the_whole_trail_newest_first(api_client, auditor, credit_pd_model):
    client, seqs, url = api_client(auditor), [], EVENTS
    while url:
        page = client.get(url).json()
        seqs += [e["seq"] for e in page["results"]]
        url = page["next"]
    assert seqs == sorted(seqs, reverse=True)
    assert len(seqs) == AuditEvent.objects.count() == page["count"]


def test_audit_trail_filters_by_verb_target_type_and_model(
    api_client, admin_user, owner, credit_pd_model
):
    services.register_model(
        actor=owner, slug="other", name="Other", business_unit="X", model_type="vendor"
    )
    client = api_client(admin_user)
    registered = client.get(EVENTS, {"verb": "model.registered"}).json()["results"]
    assert [e["target_repr"] for e in registered] == ["Other", "Retail PD scorecard"]
    raci = client.get(EVENTS, {"target_type": "governance.raciassignment"}).json()
    assert raci["count"] == 2
    about_pd = client.get(EVENTS, {"mlmodel_id": credit_pd_model.pk}).json()["results"]
    assert {e["mlmodel_id"] for e in about_pd} == {credit_pd_model.pk}


@pytest.mark.parametrize("persona", ["owner", "developer", "validator", "committee_member"])
def test_people_without_the_audit_right_get_403(api_client, request, persona, credit_pd_model):
    response = api_client(request.getfixturevalue(persona)).get(EVENTS)
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "non_field"


def test_me_says_who_the_caller_is_and_what_they_may_reach(api_client, auditor):
    me = api_client(auditor).get("/api/v1/me/").json()
    assert (me["username"], me["roles"]) == ("audrey", ["Auditors"])
    assert me["navigation"]["can_view_audit"] is True
    assert me["navigation"]["can_register_model"] is False


def test_a_pipeline_exchanges_credentials_for_a_token_and_uses_it(owner, credit_pd_model):
    anonymous = APIClient()
    payload = {"username": "olivia", "password": "correct-horse-battery"}
    response = anonymous.post("/api/v1/api-token/", payload, format="json")
    assert response.status_code == 200
    [token] = ApiToken.objects.filter(user=owner)
    assert (token.name, response.json()["token"].startswith(token.prefix)) == (
        "password exchange",
        True,
    )
    pipeline = APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert pipeline.get("/api/v1/models/retail-pd/").json()["slug"] == "retail-pd"


def test_wrong_password_gets_no_token(owner):
    payload = {"username": "olivia", "password": "guess"}
    response = APIClient().post("/api/v1/api-token/", payload, format="json")
    assert response.status_code == 400
    assert "errors" in response.json()
    assert not ApiToken.objects.exists()


def test_openapi_schema_renders_valid_and_without_warnings(api_client, auditor):
    GENERATOR_STATS.reset()
    response = api_client(auditor).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert not GENERATOR_STATS, "drf-spectacular warned; run manage.py spectacular --fail-on-warn"
    schema = response.json()
    validate_schema(schema)
    assert "/api/v1/models/{model_slug}/versions/{version}/lineage/" in schema["paths"]


def test_swagger_ui_renders(api_client, auditor):
    assert api_client(auditor).get("/api/docs/").status_code == 200


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_api_reference_pages_load_nothing_from_outside(client, auditor, page):
    """Air-gapped banks: every script, style and font comes from this server."""
    client.force_login(auditor)
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html), html[:3000]
