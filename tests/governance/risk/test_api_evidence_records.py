"""The risk API does what the obligations page does: due stages, records proposed and linked as
evidence, one file attached to several obligations, and a validator's acceptance."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.auditlog.models import AuditEvent
from governance.risk.models import Control, Evidence
from tests.api_errors import error_fields
from tests.risk_answers import PDF

pytestmark = pytest.mark.usefixtures("shipped_rulebooks", "evidence_storage")
MODEL = "/api/v1/models/retail-pd"
TIER = "pra.p1.3"  # satisfied by the tier assessment in force


def written() -> tuple[int, int]:
    return Evidence.objects.count(), AuditEvent.objects.count()


def stored_files(settings) -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def by_stage(model, stage: str) -> list[str]:
    rows = Control.objects.filter(model=model, applies=True, stage=stage).order_by("pk")
    return list(rows.values_list("obligation_id", flat=True))


def proposals(client, **query) -> list[dict]:
    response = client.get(f"{MODEL}/evidence-proposals/", query)
    assert response.status_code == 200, response.json()
    return response.json()


def link(client, obligation_id: str, payload: dict):
    return client.post(f"{MODEL}/obligations/{obligation_id}/link/", payload, format="json")


def attach_many(client, obligations: list[str], **fields):
    payload = {"title": "Model development document", "file": SimpleUploadedFile("mdd.pdf", PDF)}
    return client.post(
        f"{MODEL}/obligations/evidence/",
        {**payload, "obligations": obligations, **fields},
        format="multipart",
    )


# ---- Due stages ---------------------------------------------------------------------------------


def test_each_obligation_says_when_it_is_due_and_which_records_satisfy_it(
    api_client, auditor, tiered_pd_model
):
    rows = api_client(auditor).get(f"{MODEL}/obligations/").json()["controls"]
    found = {row["obligation_id"]: row for row in rows}
    independent = found["pra.p4.1"]
    assert (independent["stage"], independent["stage_label"], independent["satisfied_by"]) == (
        "before_deployment",
        "Before deployment",
        ["validation_approval"],
    )
    assert (found[TIER]["stage"], found[TIER]["satisfied_by"]) == (
        "before_validation",
        ["tier_assessment"],
    )
    assert {row["stage_label"] for row in rows} == {
        "Before validation",
        "Before deployment",
        "Ongoing, once in use",
    }


# ---- Proposals and linking ----------------------------------------------------------------------


def test_a_pipeline_links_the_proposed_record_and_a_validator_accepts_it(
    api_client, owner, validator, tiered_pd_model
):
    client = api_client(owner)
    (proposal,) = proposals(client, obligation=TIER)
    assert (proposal["record_type"], proposal["record_type_label"], proposal["reference"]) == (
        "tier_assessment",
        "Risk tier assessment",
        Control.objects.get(model=tiered_pd_model, obligation_id=TIER).reference,
    )
    assert "Tier 1" in proposal["title"]
    assert any(p["obligation_id"] == TIER for p in proposals(client))

    linked = link(
        client, TIER, {"record_type": "tier_assessment", "record_id": proposal["record_id"]}
    )
    assert linked.status_code == 201, linked.json()
    body = linked.json()
    assert (body["kind"], body["record_type"], body["record_id"], body["control_status"]) == (
        "record",
        "tier_assessment",
        str(proposal["record_id"]),
        "evidenced",
    )
    assert AuditEvent.objects.filter(verb="evidence.linked", target_id=body["id"]).exists()
    assert proposals(client, obligation=TIER) == []  # linked: no longer proposed

    accepted = api_client(validator).post(f"{MODEL}/obligations/{TIER}/accept/", format="json")
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["status"], accepted.json()["reviewed_by"]) == ("accepted", "vera")
    assert AuditEvent.objects.filter(verb="control.accepted").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        # A kind that does not satisfy the obligation, then one Attest does not know.
        ({"record_type": "training_run", "record_id": 1}, "record_type"),
        ({"record_type": "invoice", "record_id": 1}, "record_type"),
        ({"record_type": "tier_assessment", "record_id": 999999}, "record_id"),
        ({"record_type": "tier_assessment", "record_id": "first"}, "record_id"),
        ({"record_type": "tier_assessment"}, "record_id"),
        ({"record_type": "tier_assessment", "record_id": 1, "title": "Mine"}, "title"),
    ],
)
def test_a_refused_link_is_400_naming_the_field_and_writes_nothing(
    api_client, owner, tiered_pd_model, payload, field
):
    before = written()
    response = link(api_client(owner), TIER, payload)
    assert (response.status_code, error_fields(response)) == (400, [field])
    assert written() == before


def test_a_record_linked_already_is_refused(api_client, owner, tiered_pd_model):
    client = api_client(owner)
    (proposal,) = proposals(client, obligation=TIER)
    payload = {"record_type": proposal["record_type"], "record_id": proposal["record_id"]}
    assert link(client, TIER, payload).status_code == 201
    again = link(client, TIER, payload)
    assert (again.status_code, error_fields(again)) == (400, ["record_id"])


@pytest.mark.parametrize(
    ("persona", "status"), [("auditor", 403), ("validator", 403), ("outsider", 404)]
)
def test_only_those_who_change_the_model_see_proposals_and_link_records(
    api_client, owner, request, tiered_pd_model, persona, status
):
    (proposal,) = proposals(api_client(owner), obligation=TIER)
    client = api_client(request.getfixturevalue(persona))
    before = written()
    assert client.get(f"{MODEL}/evidence-proposals/").status_code == status
    payload = {"record_type": proposal["record_type"], "record_id": proposal["record_id"]}
    assert link(client, TIER, payload).status_code == status
    assert written() == before


def test_proposals_of_an_obligation_that_does_not_apply_are_400_naming_it(
    api_client, owner, tiered_pd_model
):
    response = api_client(owner).get(f"{MODEL}/evidence-proposals/", {"obligation": "eu.art5"})
    assert (response.status_code, error_fields(response)) == (400, ["obligation"])
    assert link(api_client(owner), "eu.art5", {}).status_code == 404


# ---- One file, several obligations --------------------------------------------------------------


def test_one_file_is_attached_to_several_obligations_stored_once(
    api_client, owner, tiered_pd_model, settings
):
    chosen = by_stage(tiered_pd_model, "before_validation")[:3]
    response = attach_many(api_client(owner), chosen)
    assert response.status_code == 201, response.json()
    rows = response.json()
    assert sorted(r["obligation"] for r in rows) == sorted(chosen)
    assert {r["sha256"] for r in rows} == {hashlib.sha256(PDF).hexdigest()}
    assert {r["control_status"] for r in rows} == {"evidenced"}
    assert len(stored_files(settings)) == 1
    assert AuditEvent.objects.filter(verb="evidence.attached").count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"obligations": ["FIRST", "eu.art5"]}, "obligations"),  # one that does not apply
        ({"obligations": []}, "obligations"),
        ({"file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00")}, "file"),
        ({"title": ""}, "title"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_refused_multi_attach_is_400_naming_the_field_and_writes_nothing(
    api_client, owner, tiered_pd_model, settings, change, field
):
    first, second = by_stage(tiered_pd_model, "before_validation")[:2]
    given = [first if o == "FIRST" else o for o in change.pop("obligations", [first, second])]
    before = written()
    response = attach_many(api_client(owner), given, **change)
    assert (response.status_code, error_fields(response)) == (400, [field])
    assert written() == before
    assert stored_files(settings) == []


def test_the_obligation_refused_in_a_multi_attach_is_named_by_its_row(
    api_client, owner, tiered_pd_model
):
    first, second = by_stage(tiered_pd_model, "before_validation")[:2]
    response = attach_many(api_client(owner), [first, "eu.art5", second])
    (error,) = response.json()["errors"]
    assert (error["field"], error["row"]) == ("obligations", 2)
    assert "eu.art5" in error["message"]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("auditor", 403), ("validator", 403), ("outsider", 404)]
)
def test_only_those_who_change_the_model_attach_one_file_to_several_obligations(
    api_client, request, tiered_pd_model, settings, persona, status
):
    chosen = by_stage(tiered_pd_model, "before_validation")[:2]
    before = written()
    response = attach_many(api_client(request.getfixturevalue(persona)), chosen)
    assert response.status_code == status
    assert written() == before
    assert stored_files(settings) == []


# ---- Acceptance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"), [("owner", 403), ("auditor", 403), ("outsider", 404)]
)
def test_only_a_validator_of_the_model_accepts_evidence(
    api_client, request, owner, tiered_pd_model, persona, status
):
    attach_many(api_client(owner), [TIER])
    response = api_client(request.getfixturevalue(persona)).post(
        f"{MODEL}/obligations/{TIER}/accept/", format="json"
    )
    assert response.status_code == status
    assert Control.objects.get(model=tiered_pd_model, obligation_id=TIER).status == "evidenced"


def test_accepting_an_obligation_without_evidence_is_400_naming_the_evidence(
    api_client, validator, tiered_pd_model
):
    response = api_client(validator).post(f"{MODEL}/obligations/{TIER}/accept/", format="json")
    assert (response.status_code, error_fields(response)) == (400, ["evidence"])
    assert not AuditEvent.objects.filter(verb="control.accepted").exists()
