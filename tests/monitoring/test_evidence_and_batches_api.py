"""Evidence files pushed by pipelines, and the batches that record every accepted write."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.auditlog.models import AuditEvent
from monitoring.models import EvidenceFile, IngestionBatch

URL = "/api/v1/models/retail-pd/versions/1.0.0/evidence-files/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
pytestmark = pytest.mark.usefixtures("pd_version")


def upload(content: bytes = PDF, name: str = "card.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_an_evidence_file_is_kept_with_its_hash_and_audited(pipeline_client, pipeline):
    response = pipeline_client.post(
        URL, {"file": upload(), "title": "Model card", "kind": "model-card"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    stored = EvidenceFile.objects.get()
    assert (stored.media_type, stored.size, stored.batch_id) == (
        "application/pdf",
        len(PDF),
        body["batch"],
    )
    assert stored.file.read() == PDF
    assert AuditEvent.objects.get(verb="evidence_file.attached").actor == pipeline
    assert IngestionBatch.objects.get().counts == {"evidence_files": 1}


def test_a_multipart_retry_with_a_new_boundary_replays(pipeline_client):
    fields = {"title": "Model card", "kind": "model-card"}
    first = pipeline_client.post(URL, {"file": upload(), **fields}, HTTP_IDEMPOTENCY_KEY="card")
    again = pipeline_client.post(URL, {"file": upload(), **fields}, HTTP_IDEMPOTENCY_KEY="card")
    other = pipeline_client.post(
        URL, {"file": upload(PDF + b"%"), **fields}, HTTP_IDEMPOTENCY_KEY="card"
    )

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json() == first.json()
    assert EvidenceFile.objects.count() == 1


def test_missing_title_is_named(pipeline_client):
    response = pipeline_client.post(URL, {"file": upload(), "kind": "model-card"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "title"
    assert not EvidenceFile.objects.exists()


def test_callers_list_their_own_batches_and_auditors_everyones(
    pipeline_client, api_client, auditor, owner
):
    pipeline_client.post(URL, {"file": upload(), "title": "Card", "kind": "model-card"})

    mine = pipeline_client.get("/api/v1/ingestion-batches/").json()["results"]
    assert [(b["source"], b["model"], b["version"]) for b in mine] == [
        ("version-evidence-files", "retail-pd", "1.0.0")
    ]
    assert api_client(owner).get("/api/v1/ingestion-batches/").json()["results"] == []
    assert len(api_client(auditor).get("/api/v1/ingestion-batches/").json()["results"]) == 1
