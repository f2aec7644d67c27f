"""The deployment gate over the API: open and closed answers, bad queries, hidden models, and
what a deployment recorded through the API kept of the gate's answer."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

from governance.auditlog.models import AuditEvent
from governance.findings.models import Finding
from tests.api_errors import error_fields

pytestmark = pytest.mark.django_db
GATE = "/api/v1/gate/"
PRODUCTION = {"model": "retail-pd", "version": "1.0", "environment": "production"}


def test_without_a_deployment_approval_the_gate_is_closed_and_says_why(
    api_client, validated, auditor
):
    response = api_client(auditor).get(GATE, PRODUCTION)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["open"] is False
    assert [(r["id"], r["reason"]) for r in body["unmet"]] == [
        ("approval", "no approval of this version for deployment to production")
    ]
    passed = {r["id"] for r in body["requirements"] if r["passed"]}
    assert {"tier-in-force", "validation-current", "obligations-evidenced"} <= passed


def test_with_validation_and_deployment_approvals_the_gate_opens(
    api_client, approved_for_production, developer
):
    body = api_client(developer).get(GATE, PRODUCTION).json()
    assert (body["open"], body["unmet"]) == (True, [])
    assert (body["model"], body["version"], body["environment"]) == (
        "retail-pd",
        "1.0",
        "production",
    )
    approval = next(r for r in body["requirements"] if r["id"] == "approval")
    assert approval["reason"] == f"approved: {approved_for_production.reference}"
    assert body["policy"]["name"] == "default" and len(body["policy"]["sha256"]) == 64


def test_an_approval_for_production_does_not_open_staging_rules_only_where_they_apply(
    api_client, approved_for_production, owner
):
    staging = api_client(owner).get(GATE, {**PRODUCTION, "environment": "staging"}).json()
    # The approval rule applies to production only: staging is open without one.
    assert staging["open"] is True
    assert "approval" not in {r["id"] for r in staging["requirements"]}


def test_asking_the_gate_writes_nothing(api_client, validated, owner):
    before = AuditEvent.objects.count()
    api_client(owner).get(GATE, PRODUCTION)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"version": "1.0", "environment": "production"}, "model"),
        ({"model": "retail-pd", "environment": "production"}, "version"),
        ({"model": "retail-pd", "version": "1.0"}, "environment"),
        ({**PRODUCTION, "environment": "moon"}, "environment"),
        ({**PRODUCTION, "gate": "launch"}, "gate"),
    ],
)
def test_a_bad_gate_query_is_400_naming_the_parameter(api_client, validated, owner, query, field):
    response = api_client(owner).get(GATE, query)
    assert response.status_code == 400
    assert error_fields(response) == [field]


@pytest.mark.parametrize(
    "query", [{**PRODUCTION, "model": "no-such-model"}, {**PRODUCTION, "version": "9.9"}]
)
def test_an_unknown_model_or_version_is_404(api_client, validated, owner, query):
    assert api_client(owner).get(GATE, query).status_code == 404


def test_a_model_the_caller_may_not_see_is_404(api_client, approved_for_production, outsider):
    response = api_client(outsider).get(GATE, PRODUCTION)
    assert response.status_code == 404
    assert "open" not in response.json()


def test_the_gate_needs_authentication(api_client, validated):
    assert api_client(None).get(GATE, PRODUCTION).status_code == 401


def test_a_deployment_through_a_closed_gate_keeps_its_answer_and_raises_a_finding(
    api_client, validated, owner
):
    response = api_client(owner).post(
        "/api/v1/deployments/",
        {"model": "retail-pd", "version": "1.0", "environment": "production"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["gate_open"] is False
    assert [r["id"] for r in body["gate_answer"]["unmet"]] == ["approval"]
    breach = Finding.objects.get(model=validated.model)
    assert (breach.source, breach.severity) == ("gate", "high")


def test_a_deployment_through_an_open_gate_shows_it_open(
    api_client, approved_for_production, owner
):
    body = (
        api_client(owner)
        .post(
            "/api/v1/deployments/",
            {"model": "retail-pd", "version": "1.0", "environment": "production"},
            format="json",
        )
        .json()
    )
    assert body["gate_open"] is True and body["gate_answer"]["open"] is True
    listed = api_client(owner).get("/api/v1/deployments/").json()["results"]
    assert listed[0]["gate_open"] is True
    assert not Finding.objects.exists()


def test_the_openapi_schema_documents_the_approval_endpoints_without_warnings(api_client, auditor):
    GENERATOR_STATS.reset()
    schema = api_client(auditor).get("/api/schema/", {"format": "json"}).json()
    assert not GENERATOR_STATS, "drf-spectacular warned; run manage.py spectacular --fail-on-warn"
    validate_schema(schema)
    for path in (
        "/api/v1/gate/",
        "/api/v1/approval-requests/",
        "/api/v1/approval-requests/{id}/sign-offs/",
        "/api/v1/conditions/{id}/meet/",
        "/api/v1/findings/{id}/accept-risk/",
        "/api/v1/exceptions/{id}/revoke/",
        "/api/v1/revalidation-flags/{id}/clear/",
    ):
        assert path in schema["paths"]
    sign_off = schema["paths"]["/api/v1/approval-requests/{id}/sign-offs/"]["post"]
    assert "409" in sign_off["responses"]
    assert "multipart/form-data" in sign_off["requestBody"]["content"]
