"""The validation report: drawn from the records as PDF and Word, its text written by the model's
validator until a validator signs the validation off, then frozen.

Olivia's retail PD model at Tier 3, version 1.0 submitted for validation with a metric, a
fairness check and a finding recorded; Vera is its validator, Audrey (audit) reads, Dev builds.
"""

import io
import re
from datetime import UTC, datetime

import docx
import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from governance.approvals.models import ApprovalRequest, ValidationReport
from governance.approvals.rules import narrative
from governance.approvals.rules.narrative import Narrative
from governance.approvals.services import report, workflow
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.findings import services as findings
from monitoring.models import FairnessResult, MetricPoint
from registry import services
from reports.exports import pdf, validation_records, word
from reports.exports.validation import SECTIONS
from tests.governance.approvals.conftest import evidence_everything, in_days, submitted
from tests.reports.conftest import load_rulebooks
from tests.risk_answers import TIER_3, US_BANK_SCORECARD, assess

TEXT = Narrative(
    scope="Discriminatory power and calibration on the 2025 portfolio; not the data pipeline.",
    evidence_note="The model file was complete.",
    tests_note="AUC holds on the out-of-time sample.",
    findings_note="Calibration needs a fix before deployment.",
    conclusion="Fit for its intended purpose, subject to the calibration fix.",
)
EVALUATED = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
# A stored code as Attest keeps it ("tier_3", "approve_with_conditions", "record:...").
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\brecord:[a-z_]+")


@pytest.fixture
def validation(credit_pd_model, owner, developer, validator) -> ApprovalRequest:
    """Version 1.0 submitted for validation, with a metric, a fairness check and a finding."""
    load_rulebooks()
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_3)
    evidence_everything(owner, credit_pd_model)
    version = services.register_version(actor=developer, model=credit_pd_model, version="1.0")
    MetricPoint.objects.create(version=version, name="auc_roc", value=0.8123, timestamp=EVALUATED)
    FairnessResult.objects.create(
        version=version, evaluated_at=EVALUATED, passed=True, source="fairlearn",
        summary={"metrics": {"demographic_parity_difference": 0.031}}, recorded_by=developer,
    )  # fmt: skip
    findings.raise_finding(
        actor=validator, model=credit_pd_model, version=version, title="Calibration drifts",
        severity="medium", owner=owner, due_on=in_days(20),
    )  # fmt: skip
    return submitted(owner, version, "validation")


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def edit(client, request: ApprovalRequest, text: Narrative = TEXT):
    url = reverse("reports:validation-report-page", args=[request.pk])
    return client.post(url, vars(text))


# ---- The document ---------------------------------------------------------------------------------


def test_the_pdf_holds_every_section_the_figures_and_no_codes(client, validation, validator):
    report.edit_validation_report(actor=validator, request=validation, text=TEXT)
    client.force_login(validator)
    response = client.get(reverse("reports:validation-report-pdf", args=[validation.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    for number, heading in enumerate(SECTIONS, start=1):
        assert f"{number}. {heading}" in text
    for shown in (
        "Retail PD scorecard", "Tier 3 (low)", "Retail Credit", "AUC ROC", "0.8123", "Fairness",
        "Passed", "Demographic parity difference: 0.031", "Calibration drifts", "Medium",
        "Please review", TEXT.scope, TEXT.conclusion, f"Validator's note: {TEXT.tests_note}",
        "Not signed off yet",
    ):  # fmt: skip
        assert shown in text, shown
    assert CODE.findall(text) == []


def test_the_word_file_opens_and_holds_the_same_sections(client, validation, auditor):
    client.force_login(auditor)
    response = client.get(reverse("reports:validation-report", args=[validation.pk]))
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == list(SECTIONS)
    text = docx_text(response.content)
    assert "Calibration drifts" in text and "0.8123" in text
    assert "The validator has not written a conclusion." in text
    assert CODE.findall(text) == []


def test_the_signed_report_names_who_signed_and_the_hash_of_the_signed_text(validation, validator):
    report.edit_validation_report(actor=validator, request=validation, text=TEXT)
    workflow.sign_off(actor=validator, request=validation, role="validator", decision="approve")
    validation.refresh_from_db()
    document = validation_records.validation_report(validation)
    text = docx_text(word.to_docx(document))
    assert "Independent validator" in text and "Vera Validator" in text
    assert narrative.text_sha256(narrative.cleaned(TEXT)) in text
    assert "frozen when Vera Validator signed off as validator" in text
    assert "Approved on" in text


def test_the_same_records_give_the_same_pdf(validation):
    document = validation_records.validation_report(validation)
    assert pdf.to_pdf(document) == pdf.to_pdf(validation_records.validation_report(validation))


# ---- Editing the text --------------------------------------------------------------------------------


def test_the_validator_edits_the_text_and_it_is_audited(client, validation, validator):
    client.force_login(validator)
    response = edit(client, validation)
    assert response.status_code == 302
    stored = ValidationReport.objects.get(request=validation)
    assert stored.text() == TEXT and stored.edited_by == validator
    event = AuditEvent.objects.get(verb="validation_report.edited")
    assert event.actor == validator and event.after["conclusion"] == TEXT.conclusion
    page = client.get(reverse("reports:validation-report-page", args=[validation.pk]))
    assert TEXT.scope in page.content.decode()


def test_someone_who_is_not_the_validator_may_not_edit(client, validation, owner, auditor):
    for person in (owner, auditor):
        client.force_login(person)
        assert edit(client, validation).status_code == 403
        with pytest.raises(PermissionDenied):
            report.edit_validation_report(actor=person, request=validation, text=TEXT)
    assert not ValidationReport.objects.exists()


def test_the_text_is_frozen_once_the_validator_signs_off(client, validation, validator):
    report.edit_validation_report(actor=validator, request=validation, text=TEXT)
    sign = workflow.sign_off(
        actor=validator, request=validation, role="validator", decision="approve"
    )
    stored = ValidationReport.objects.get(request=validation)
    assert stored.signed_with == sign
    assert stored.text_sha256 == narrative.text_sha256(TEXT)
    assert AuditEvent.objects.filter(verb="validation_report.frozen").count() == 1
    client.force_login(validator)
    response = edit(client, validation, Narrative(conclusion="Changed after the fact"))
    assert response.status_code == 400
    shown = response.content.decode()
    assert "the validation report is frozen as signed" in shown
    assert TEXT.conclusion in shown and "Changed after the fact" not in shown
    with pytest.raises(DomainError, match="frozen as signed"):
        report.edit_validation_report(actor=validator, request=validation, text=TEXT)
    stored.refresh_from_db()
    assert stored.conclusion == TEXT.conclusion


def test_a_withdrawn_validation_keeps_its_text(validation, validator, owner):
    workflow.withdraw(actor=owner, request=validation, reason="Superseded by 1.1")
    with pytest.raises(DomainError, match="can no longer change"):
        report.edit_validation_report(actor=validator, request=validation, text=TEXT)


def test_readers_see_the_downloads_but_no_form(client, validation, auditor, outsider):
    url = reverse("reports:validation-report-page", args=[validation.pk])
    client.force_login(auditor)
    page = client.get(url).content.decode()
    assert reverse("reports:validation-report-pdf", args=[validation.pk]) in page
    assert 'aria-label="Validation report text"' not in page
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_request_page_links_to_its_validation_report(client, validation, validator):
    client.force_login(validator)
    page = client.get(validation.get_absolute_url()).content.decode()
    assert reverse("reports:validation-report-page", args=[validation.pk]) in page
    assert "Signing off as validator freezes the" in page  # said beside the sign-off form
