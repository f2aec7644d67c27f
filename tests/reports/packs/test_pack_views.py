"""The evidence-pack pages: ask for a pack, see it ready, download it, verify an upload."""

import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.auditlog.models import AuditEvent
from reports.models import EvidencePack
from reports.packs import verify
from tests.reports.packs.conftest import AFTER

pytestmark = pytest.mark.usefixtures("pack_media", "pack_clock")


def packs_url(version) -> str:
    return f"/reports/packs/{version.model.slug}/{version.version}/"


@pytest.fixture
def generated(client, auditor, scorecard, django_capture_on_commit_callbacks) -> EvidencePack:
    """The auditor asks for the pack as of 1 November from the version's packs page."""
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(packs_url(scorecard), {"as_of": "2026-11-01T12:00"})
    pack = EvidencePack.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/reports/packs/{pack.pack_id}/"
    return pack


def test_the_pack_is_generated_and_downloaded(client, generated):
    assert generated.as_of == AFTER
    page = client.get(f"/reports/packs/{generated.pack_id}/").content.decode()
    assert "Ready" in page
    assert generated.sha256 in page and generated.manifest_sha256 in page
    download = client.get(f"/reports/packs/{generated.pack_id}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment; filename=")
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(verb="evidence_pack.downloaded").count() == 1


def test_the_version_page_links_to_its_packs(client, owner, scorecard):
    client.force_login(owner)
    page = client.get(f"/inventory/models/{scorecard.model.slug}/versions/1.0/").content.decode()
    assert packs_url(scorecard) in page


def test_a_future_as_of_is_refused_on_the_field(client, owner, scorecard):
    client.force_login(owner)
    answer = client.post(packs_url(scorecard), {"as_of": "2030-01-01T00:00"})
    assert answer.status_code == 400
    assert "is in the future" in answer.content.decode()
    assert not EvidencePack.objects.exists()


def test_outsiders_see_no_pack(client, outsider, generated):
    client.force_login(outsider)
    assert client.get(f"/reports/packs/{generated.pack_id}/").status_code == 404
    assert client.get(f"/reports/packs/{generated.pack_id}/download/").status_code == 404
    assert client.get(packs_url(generated.version)).status_code == 404


def test_the_upload_form_says_intact_or_names_the_change(client, generated):
    pdf = generated.file.read()
    upload = SimpleUploadedFile("pack.pdf", pdf, content_type="application/pdf")
    page = client.post("/reports/packs/verify/", {"file": upload}).content.decode()
    assert "Intact." in page and str(generated.pack_id) in page

    tampered = bytearray(pdf)
    tampered[-200:-190] = b"0123456789"
    upload = SimpleUploadedFile("pack.pdf", bytes(tampered), content_type="application/pdf")
    page = client.post("/reports/packs/verify/", {"file": upload}).content.decode()
    assert "Not intact." in page


def test_a_damaged_pack_is_never_a_server_error(client, generated):
    """Every byte of the trailer and cross-reference table changed in turn: each file is named
    not intact, whatever pypdf raises on the way."""
    pdf = generated.file.read()
    for at in range(len(pdf) - 400, len(pdf), 3):
        damaged = bytearray(pdf)
        damaged[at] = (damaged[at] + 0x55) % 256
        assert not verify.verify_pack(bytes(damaged)).intact, at
    damaged = pdf[:-300] + b"x" * 300
    upload = SimpleUploadedFile("pack.pdf", damaged, content_type="application/pdf")
    page = client.post("/reports/packs/verify/", {"file": upload})
    assert page.status_code == 200
    assert "Not intact." in page.content.decode()


@pytest.mark.parametrize(
    "listing", [b"[]", b'{"attachments": [1]}', b'{"attachments": {}}', b'{"attachments": [{}]}']
)
def test_a_forged_manifest_of_another_shape_is_named(db, listing):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("manifest.json", listing)
    out = io.BytesIO()
    writer.write(out)
    verdict = verify.verify_pack(out.getvalue())
    assert verdict.differences == ("manifest.json is not a manifest Attest wrote",)


def test_a_file_that_is_not_a_pack_is_named_as_such(client, auditor):
    client.force_login(auditor)
    upload = SimpleUploadedFile("note.pdf", io.BytesIO(b"hello").read())
    page = client.post("/reports/packs/verify/", {"file": upload}).content.decode()
    assert "Not intact." in page
    assert "not a readable PDF" in page
