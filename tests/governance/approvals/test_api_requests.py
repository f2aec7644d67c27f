"""Approval requests over the API: a full flow to an open gate, who may decide what, conflicts,
conditions, multipart sign-offs with files, and nothing written when a call is refused."""

import hashlib
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from governance import roles
from governance.approvals.models import ApprovalRequest, Attachment, Condition, SignOff
from governance.auditlog.models import AuditEvent
from tests.api_errors import error_fields
from tests.governance.approvals.conftest import (
    approve,
    evidence_everything,
    in_days,
    submitted,
)
from tests.risk_answers import PDF, assess

pytestmark = pytest.mark.django_db
REQUESTS = "/api/v1/approval-requests/"
# 0.3*3 + 0.2*4 + 0.2*3 + 0.15*3 + 0.15*3 = 3.2: tier 2, whose deployment needs a validator and
# one committee member, and whose gate has no fairness rule.
TIER_2 = {
    "exposure": "moderate",
    "purpose": "customer_decisions",
    "complexity": "moderate",
    "reliance": "significant",
    "uncertainty": "moderate",
}


@pytest.fixture
def tier2_ready(scoped_pd_model, owner):
    assess(owner, scoped_pd_model, "tiering", TIER_2)
    evidence_everything(owner, scoped_pd_model)
    return scoped_pd_model


@pytest.fixture
def validated_tier2(tier2_ready, pd_v1, owner, validator):
    approve(submitted(owner, pd_v1, "validation"), (validator, "validator"))
    return pd_v1


@pytest.fixture
def production_request(validated_tier2, owner) -> ApprovalRequest:
    """A submitted Tier 2 deployment request: a validator and one committee member to sign."""
    return submitted(owner, validated_tier2, "deployment", "production")


def open_payload(gate: str = "validation", **extra) -> dict:
    return {"model": "retail-pd", "version": "1.0", "gate": gate, **extra}


def sign(client, request_id: int, **payload):
    return client.post(f"{REQUESTS}{request_id}/sign-offs/", payload, format="json")


def written() -> tuple[int, int, int, int]:
    return (
        ApprovalRequest.objects.count(),
        SignOff.objects.count(),
        Condition.objects.count(),
        AuditEvent.objects.count(),
    )


def fresh(user):
    """The user re-read, so group changes made in the test count (permissions are cached)."""
    return get_user_model().objects.get(pk=user.pk)


# ---- The whole flow -----------------------------------------------------------------------------


def test_a_pipeline_takes_a_version_through_validation_and_deployment_to_an_open_gate(
    api_client, tier2_ready, pd_v1, owner, validator, committee_member
):
    olivia, vera, carl = api_client(owner), api_client(validator), api_client(committee_member)
    created = olivia.post(REQUESTS, open_payload(submit=True), format="json")
    assert created.status_code == 201, created.json()
    validation = created.json()
    assert (validation["state"], validation["tier"]) == ("submitted", "tier_2")
    assert validation["requirements"] == [{"role": "validator", "count": 1, "approved": 0}]
    signed = sign(vera, validation["id"], role="validator", decision="approve")
    assert signed.status_code == 201, signed.json()
    assert signed.json()["request"]["state"] == "approved"

    deployment = olivia.post(
        REQUESTS, open_payload("deployment", environment="production", submit=True), format="json"
    ).json()
    assert deployment["outstanding"] == ["validator", "committee"]
    gate = {"model": "retail-pd", "version": "1.0", "environment": "production"}
    assert olivia.get("/api/v1/gate/", gate).json()["open"] is False

    after_validator = sign(vera, deployment["id"], role="validator", decision="approve").json()
    assert after_validator["request"]["state"] == "in_review"
    decided = sign(
        carl,
        deployment["id"],
        role="committee",
        decision="approve_with_conditions",
        comment="Approved for one year",
        expires_on=in_days(365).isoformat(),
        conditions=[{"text": "Monthly back-test to the committee", "due_on": str(in_days(30))}],
    )
    assert decided.status_code == 201, decided.json()
    body = decided.json()["request"]
    assert body["state"] == "approved_with_conditions"
    assert (body["expires_on"], body["valid"], body["lapses"]) == (str(in_days(365)), True, [])
    assert len(body["snapshot_sha256"]) == 64
    assert [(c["text"], c["met"]) for c in body["conditions"]] == [
        ("Monthly back-test to the committee", False)
    ]
    assert [(s["signer"], s["role"]) for s in body["sign_offs"]] == [
        ("vera", "validator"),
        ("carl", "committee"),
    ]
    answer = olivia.get("/api/v1/gate/", gate).json()
    assert (answer["open"], answer["unmet"]) == (True, [])


def test_a_draft_is_submitted_separately_and_a_second_submit_is_409(
    api_client, tier3_ready, pd_v1, owner
):
    client = api_client(owner)
    draft = client.post(REQUESTS, open_payload(summary="Annual validation"), format="json").json()
    assert (draft["state"], draft["requirements"], draft["summary"]) == (
        "draft",
        [],
        "Annual validation",
    )
    assert client.post(f"{REQUESTS}{draft['id']}/submit/").json()["state"] == "submitted"
    again = client.post(f"{REQUESTS}{draft['id']}/submit/")
    assert again.status_code == 409
    assert error_fields(again) == ["state"]


def test_a_refused_submission_on_create_keeps_no_draft(api_client, scoped_pd_model, pd_v1, owner):
    before = written()
    response = api_client(owner).post(REQUESTS, open_payload(submit=True), format="json")
    assert response.status_code == 400
    assert error_fields(response) == ["tier"]  # no tiering assessment yet
    assert written() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (open_payload(version="9.9"), "version"),
        (open_payload("deployment"), "environment"),
        (open_payload("launch"), "gate"),
        (open_payload(model="bureau"), "model"),  # hidden from Olivia: unknown to her
        (open_payload(approver="carl"), "approver"),
    ],
)
def test_a_bad_request_to_open_is_400_naming_the_field(
    api_client, tier3_ready, pd_v1, hidden_model, owner, payload, field
):
    before = written()
    response = api_client(owner).post(REQUESTS, payload, format="json")
    assert response.status_code == 400
    assert error_fields(response) == [field]
    assert written() == before


def test_only_who_may_submit_opens_requests(api_client, tier3_ready, pd_v1, auditor, validator):
    for person in (auditor, validator):
        assert api_client(person).post(REQUESTS, open_payload(), format="json").status_code == 403
    assert not ApprovalRequest.objects.exists()


# ---- Reading --------------------------------------------------------------------------------------


def test_the_list_filters_and_shows_only_visible_models(
    api_client, production_request, owner, outsider, auditor
):
    client = api_client(auditor)
    states = lambda q: [r["state"] for r in client.get(REQUESTS, q).json()["results"]]  # noqa: E731
    assert states({}) == ["submitted", "approved"]
    assert states({"gate": "deployment"}) == ["submitted"]
    assert states({"state": "approved", "model": "retail-pd"}) == ["approved"]
    assert states({"model": "bureau"}) == []
    assert api_client(outsider).get(REQUESTS).json()["results"] == []
    assert api_client(outsider).get(f"{REQUESTS}{production_request.pk}/").status_code == 404


def test_a_request_shows_its_progress(api_client, production_request, owner, validator):
    approve(production_request, (validator, "validator"))
    body = api_client(owner).get(f"{REQUESTS}{production_request.pk}/").json()
    assert body["reference"] == f"AR-{production_request.pk}"
    assert body["requirements"] == [
        {"role": "validator", "count": 1, "approved": 1},
        {"role": "committee", "count": 1, "approved": 0},
    ]
    assert (body["outstanding"], body["valid"]) == (["committee"], False)


# ---- Who may sign off -----------------------------------------------------------------------------


def test_a_committee_member_signs_off_as_committee(
    api_client, production_request, committee_member
):
    response = sign(
        api_client(committee_member), production_request.pk, role="committee", decision="approve"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sign_off"]["signer"] == "carl"
    assert response.json()["request"]["state"] == "in_review"  # the validator is still due


def test_the_owner_cannot_sign_off_their_own_model_even_holding_the_role(
    api_client, production_request, owner
):
    owner.groups.add(Group.objects.get(name=roles.COMMITTEE))
    before = written()
    response = sign(
        api_client(fresh(owner)), production_request.pk, role="committee", decision="approve"
    )
    assert response.status_code == 400
    assert error_fields(response) == ["signer"]
    assert written() == before


def test_a_role_the_signer_does_not_hold_is_400_naming_role(
    api_client, production_request, validator
):
    response = sign(
        api_client(validator), production_request.pk, role="committee", decision="approve"
    )
    assert response.status_code == 400
    assert error_fields(response) == ["role"]


@pytest.mark.parametrize(
    ("persona", "code"), [("outsider", 404), ("auditor", 403), ("developer", 403)]
)
def test_who_may_not_sign_at_all_is_refused_before_the_payload(
    request, api_client, production_request, persona, code
):
    before = written()
    client = api_client(request.getfixturevalue(persona))
    assert sign(client, production_request.pk, role="nonsense").status_code == code
    assert written() == before


def test_the_author_of_the_code_commit_cannot_validate_the_version(
    api_client, tier3_ready, owner, developer, validator
):
    """The run's code author arrives through the API and counts as a builder of the version."""
    dev = api_client(developer)
    run = dev.post(
        "/api/v1/models/retail-pd/runs/",
        {"external_id": "run-42", "code_commit": "a1b2c3d4e5f6a7b8", "code_author": "VERA"},
        format="json",
    )
    assert run.status_code == 201, run.json()
    assert run.json()["code_author"] == "VERA"
    version = dev.post(
        "/api/v1/models/retail-pd/versions/",
        {"version": "2.0", "training_run": run.json()["id"]},
        format="json",
    )
    assert version.status_code == 201, version.json()
    opened = (
        api_client(owner)
        .post(REQUESTS, open_payload(version="2.0", submit=True), format="json")
        .json()
    )
    response = sign(api_client(validator), opened["id"], role="validator", decision="approve")
    assert response.status_code == 400
    assert error_fields(response) == ["signer"]
    assert "code commit" in response.json()["errors"][0]["message"]


# ---- Decided requests, conditions ---------------------------------------------------------------


def test_signing_off_a_decided_request_is_409_and_writes_nothing(
    api_client, tier3_ready, pd_v1, owner, validator, second_validator
):
    decided = approve(submitted(owner, pd_v1, "validation"), (validator, "validator"))
    before = written()
    response = sign(api_client(second_validator), decided.pk, role="validator", decision="approve")
    assert response.status_code == 409
    assert error_fields(response) == ["state"]
    assert "already decided" in response.json()["errors"][0]["message"]
    assert written() == before
    withdrawn = api_client(owner).post(f"{REQUESTS}{decided.pk}/withdraw/", {"reason": "late"})
    assert withdrawn.status_code == 409


def test_an_approval_with_conditions_needs_an_expiry(
    api_client, production_request, committee_member
):
    before = written()
    response = sign(
        api_client(committee_member),
        production_request.pk,
        role="committee",
        decision="approve_with_conditions",
        conditions=[{"text": "Back-test monthly", "due_on": str(in_days(30))}],
    )
    assert response.status_code == 400
    assert error_fields(response) == ["expires_on"]
    assert written() == before


def test_malformed_conditions_are_400_naming_the_field_and_row(
    api_client, production_request, committee_member
):
    response = sign(
        api_client(committee_member),
        production_request.pk,
        role="committee",
        decision="approve_with_conditions",
        expires_on=str(in_days(365)),
        conditions=[{"text": "ok", "due_on": str(in_days(30))}, {"text": "no date"}],
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "conditions.due_on", "message": "This field is required.", "row": 2}
    ]


def test_conditions_are_met_by_a_validator_and_not_by_others(
    api_client, production_request, validator, committee_member, auditor, outsider
):
    approve(production_request, (validator, "validator"))
    sign(
        api_client(committee_member),
        production_request.pk,
        role="committee",
        decision="approve_with_conditions",
        expires_on=str(in_days(365)),
        conditions=[{"text": "Back-test monthly", "due_on": str(in_days(30))}],
    )
    condition = Condition.objects.get()
    url = f"/api/v1/conditions/{condition.pk}/meet/"
    assert api_client(outsider).post(url, {"note": "done"}).status_code == 404
    assert api_client(auditor).post(url, {"note": "done"}).status_code == 403
    assert error_fields(api_client(validator).post(url, {"note": " "})) == ["note"]
    met = api_client(validator).post(url, {"note": "First report received"})
    assert met.status_code == 200, met.json()
    assert (met.json()["met"], met.json()["met_by"]) == (True, "vera")
    assert error_fields(api_client(validator).post(url, {"note": "again"})) == ["met_at"]


# ---- Multipart sign-offs with files ---------------------------------------------------------------


@pytest.mark.usefixtures("evidence_storage")
def test_a_multipart_sign_off_keeps_its_files_with_their_sha256(
    api_client, tier3_ready, pd_v1, owner, validator, outsider
):
    request = submitted(owner, pd_v1, "validation")
    conditions = [{"text": "Re-run the back-test on Q3 data", "due_on": str(in_days(60))}]
    response = api_client(validator).post(
        f"{REQUESTS}{request.pk}/sign-offs/",
        {
            "role": "validator",
            "decision": "approve_with_conditions",
            "comment": "Report attached",
            "expires_on": str(in_days(365)),
            "conditions": json.dumps(conditions),
            "attachments": [SimpleUploadedFile("validation-report.pdf", PDF)],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["request"]["state"] == "approved_with_conditions"
    [attachment] = body["sign_off"]["attachments"]
    assert (attachment["title"], attachment["sha256"], attachment["media_type"]) == (
        "validation-report.pdf",
        hashlib.sha256(PDF).hexdigest(),
        "application/pdf",
    )
    stored = Attachment.objects.get()
    assert hashlib.sha256(stored.file.read()).hexdigest() == attachment["sha256"]
    download = api_client(owner).get(attachment["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == PDF
    assert api_client(outsider).get(attachment["download"]).status_code == 404


@pytest.mark.usefixtures("evidence_storage")
def test_multipart_conditions_that_are_not_json_are_400(
    api_client, tier3_ready, pd_v1, owner, validator
):
    request = submitted(owner, pd_v1, "validation")
    response = api_client(validator).post(
        f"{REQUESTS}{request.pk}/sign-offs/",
        {"role": "validator", "decision": "approve_with_conditions", "conditions": "[{oops"},
        format="multipart",
    )
    assert response.status_code == 400
    assert error_fields(response) == ["conditions"]
    assert not SignOff.objects.exists()


# ---- Withdrawing and reviewing --------------------------------------------------------------------


def test_withdrawing_needs_a_reason_and_submit_rights(
    api_client, production_request, owner, auditor
):
    url = f"{REQUESTS}{production_request.pk}/withdraw/"
    assert api_client(auditor).post(url, {"reason": "x"}).status_code == 403
    assert error_fields(api_client(owner).post(url, {"reason": ""})) == ["reason"]
    done = api_client(owner).post(url, {"reason": "Superseded by 1.1"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["decision_note"]) == (
        "withdrawn",
        "Superseded by 1.1",
    )


def test_a_signer_takes_a_request_into_review(api_client, production_request, validator, auditor):
    url = f"{REQUESTS}{production_request.pk}/start-review/"
    assert api_client(auditor).post(url).status_code == 403
    assert api_client(validator).post(url).json()["state"] == "in_review"
    assert api_client(validator).post(url).status_code == 409
