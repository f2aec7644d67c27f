"""The drafts on the obligations page: shown apart from evidence, opened as a page or a Word file,
generated and adopted by those who change the model."""

import io
import re

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.risk.models import Control, DraftEvidence
from tests.governance.risk.test_draft_work_products import DEPLOYED_SCORING
from tests.reports.codes import shown_codes
from tests.risk_answers import EU_CREDIT_SCORING, PDF, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")


def words(html: str) -> str:
    """The page's text, without tags and attributes (urls and ids are not read)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def fria(owner, lending, credit_pd_model) -> DraftEvidence:
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    return DraftEvidence.objects.get(control__model=credit_pd_model)


def test_obligations_page_shows_the_draft_to_review(client, owner, fria):
    client.force_login(owner)
    page = client.get(reverse("risk:obligations", args=["retail-pd"])).content.decode()
    assert "Draft prepared by Attest: review and complete." in page
    assert reverse("risk:draft-detail", args=["retail-pd", fria.pk]) in page
    assert "0 of " in page  # the coverage counts no draft


@pytest.mark.parametrize("answers", [DEPLOYED_SCORING, EU_CREDIT_SCORING])
def test_draft_pages_and_word_files_show_no_internal_code(
    client, owner, lending, credit_pd_model, answers
):
    assess(owner, lending, "eu_ai_act", answers)
    client.force_login(owner)
    for draft in DraftEvidence.objects.filter(control__model=credit_pd_model):
        page = client.get(reverse("risk:draft-detail", args=["retail-pd", draft.pk]))
        assert "Art. 27(1)(a)" in page.content.decode() or "Annex IV(1)" in page.content.decode()
        assert shown_codes(words(page.content.decode())) == set()
        file = client.get(reverse("risk:draft-download", args=["retail-pd", draft.pk]))
        text = " ".join(p.text for p in docx.Document(io.BytesIO(file.content)).paragraphs)
        assert shown_codes(text) == set()


def test_owner_generates_drafts_from_the_page(client, owner, fria):
    client.force_login(owner)
    response = client.post(reverse("risk:drafts-generate", args=["retail-pd"]))
    assert response.status_code == 302
    assert DraftEvidence.objects.count() == 1


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("auditor", 403)])
def test_others_cannot_generate_or_adopt(request, client, fria, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("risk:drafts-generate", args=["retail-pd"])).status_code == status
    adopt = client.post(reverse("risk:draft-adopt", args=["retail-pd", fria.pk]))
    assert adopt.status_code == status


def test_outsider_cannot_open_a_draft(client, outsider, fria):
    client.force_login(outsider)
    assert client.get(reverse("risk:draft-detail", args=["retail-pd", fria.pk])).status_code == 404


def test_adopting_the_completed_upload_evidences_the_obligation(client, owner, fria):
    client.force_login(owner)
    upload = SimpleUploadedFile("fria.pdf", PDF, content_type="application/pdf")
    client.post(reverse("risk:draft-adopt", args=["retail-pd", fria.pk]), {"file": upload})
    assert Control.objects.get(pk=fria.control_id).status == Control.Status.EVIDENCED


def test_api_generates_drafts_for_those_who_change_the_model(api_client, owner, auditor, fria):
    url = "/api/v1/models/retail-pd/drafts/"
    assert api_client(auditor).post(url).status_code == 403
    response = api_client(owner).post(url)
    assert response.status_code == 200
    assert response.json() == []  # nothing changed since the classification prepared it


def test_api_adopts_a_draft_with_the_completed_file(api_client, owner, outsider, fria):
    url = f"/api/v1/models/retail-pd/drafts/{fria.pk}/adopt/"
    assert api_client(outsider).post(url).status_code == 404
    refused = api_client(owner).post(url)
    assert refused.status_code == 400  # items are still to be completed
    upload = SimpleUploadedFile("fria.pdf", PDF, content_type="application/pdf")
    response = api_client(owner).post(url, {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert response.json()["control_status"] == "evidenced"
