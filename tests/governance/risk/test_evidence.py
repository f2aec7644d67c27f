"""Evidence on a model's obligations: files hashed and type-checked, links, records; review; waivers."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, Evidence
from governance.risk.services import controls
from tests.factories.governance import ControlFactory
from tests.factories.registry import TrainingRunFactory
from tests.governance.approvals.conftest import granted_waiver
from tests.risk_answers import PDF


@pytest.fixture
def control(credit_pd_model) -> Control:
    return ControlFactory(model=credit_pd_model)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def written() -> tuple[int, int]:
    return Evidence.objects.count(), AuditEvent.objects.count()


def test_an_uploaded_pdf_is_stored_with_its_sha256_and_the_obligation_becomes_evidenced(
    owner, control
):
    upload = SimpleUploadedFile("validation-report.pdf", PDF)
    evidence = controls.attach_evidence(
        actor=owner, control=control, title="Validation report 2026", file=upload
    )
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (evidence.size, evidence.media_type, evidence.kind) == (
        len(PDF),
        "application/pdf",
        "file",
    )
    assert evidence.file.read() == PDF
    assert Control.objects.get(pk=control.pk).status == Control.Status.EVIDENCED
    event = AuditEvent.objects.get(verb="evidence.attached")
    assert event.after["sha256"] == evidence.sha256
    assert (event.before, event.after["control_status"]) == (
        {"control_status": "missing"},
        "evidenced",
    )


def test_a_link_and_a_record_of_the_model_count_as_evidence(owner, control, credit_pd_model):
    link = controls.attach_evidence(
        actor=owner, control=control, title="Model card", url="https://wiki.example/retail-pd"
    )
    run = TrainingRunFactory(model=credit_pd_model)
    record = controls.attach_evidence(
        actor=owner,
        control=control,
        title="Training run",
        record_type="training_run",
        record_id=str(run.pk),
    )
    assert (link.kind, record.kind, record.record_id) == ("link", "record", str(run.pk))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"file": SimpleUploadedFile("report.pdf", b"MZ\x90\x00not a pdf")}, "file"),
        ({"file": SimpleUploadedFile("tool.exe", b"MZ")}, "file"),
        ({"url": "not a url"}, "url"),
        ({"record_type": "training_run", "record_id": "999999"}, "record_id"),
        ({"record_type": "invoice", "record_id": "1"}, "record_type"),
        ({}, "file"),
        ({"url": "https://x.example", "record_type": "training_run", "record_id": "1"}, "file"),
        ({"url": "https://x.example", "title": " "}, "title"),
    ],
)
def test_bad_evidence_is_refused_naming_the_field_and_nothing_is_written(
    owner, control, kwargs, field
):
    before = written()
    kwargs = {"title": "Evidence", **kwargs}
    with pytest.raises(DomainError) as refused:
        controls.attach_evidence(actor=owner, control=control, **kwargs)
    assert refused.value.field == field
    assert written() == before
    assert Control.objects.get(pk=control.pk).status == Control.Status.MISSING


def test_a_file_over_the_limit_is_refused(owner, control, settings):
    settings.ATTEST_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(DomainError, match="larger than") as refused:
        controls.attach_evidence(
            actor=owner, control=control, title="Big", file=SimpleUploadedFile("a.pdf", PDF * 100)
        )
    assert refused.value.field == "file"


def test_a_record_of_another_model_is_not_evidence_for_this_one(owner, control):
    elsewhere = TrainingRunFactory()
    with pytest.raises(DomainError) as refused:
        controls.attach_evidence(
            actor=owner,
            control=control,
            title="Run",
            record_type="training_run",
            record_id=str(elsewhere.pk),
        )
    assert refused.value.field == "record_id"


@pytest.mark.parametrize("persona", ["auditor", "validator", "committee_member", "outsider"])
def test_only_people_who_may_change_the_model_attach_evidence(request, control, persona):
    before = written()
    with pytest.raises(PermissionDenied):
        controls.attach_evidence(
            actor=request.getfixturevalue(persona),
            control=control,
            title="x",
            url="https://x.example",
        )
    assert written() == before


def test_a_validator_accepts_evidenced_obligations_only(owner, validator, control):
    with pytest.raises(DomainError, match="no evidence"):
        controls.accept(actor=validator, control=control)
    controls.attach_evidence(actor=owner, control=control, title="Card", url="https://x.example")
    accepted = controls.accept(actor=validator, control=control)
    assert (accepted.status, accepted.reviewed_by) == (Control.Status.ACCEPTED, validator)
    with pytest.raises(PermissionDenied):
        controls.accept(actor=owner, control=control)


def test_a_waiver_needs_a_reason_a_future_expiry_and_a_second_person_with_decision_rights(
    owner, committee_member, developer, control
):
    later = timezone.localdate() + dt.timedelta(days=90)
    refusals = [
        ({"reason": "", "expires_on": later}, "waiver_reason"),
        ({"reason": "Vendor model", "expires_on": None}, "waiver_expires_on"),
        ({"reason": "Vendor model", "expires_on": timezone.localdate()}, "waiver_expires_on"),
    ]
    for kwargs, field in refusals:
        with pytest.raises(DomainError) as refused:
            controls.request_waiver(actor=owner, control=control, **kwargs)
        assert refused.value.field == field, kwargs
    waiver = controls.request_waiver(
        actor=owner, control=control, reason="Vendor model", expires_on=later
    )
    control.refresh_from_db()
    assert (waiver.state, control.status) == ("requested", "missing")  # asking waives nothing
    for no_rights in (owner, developer):
        with pytest.raises(PermissionDenied):
            controls.decide_waiver(actor=no_rights, waiver=waiver, grant=True)
    controls.decide_waiver(actor=committee_member, waiver=waiver, grant=True)
    waived = Control.objects.get(pk=control.pk)
    assert (waived.status, waived.waiver_approved_by, waived.waiver_expires_on) == (
        "waived",
        committee_member,
        later,
    )
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="waiver.").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["waiver.granted", "waiver.requested"]
    assert AuditEvent.objects.filter(verb="control.waived").count() == 1


def test_coverage_reads_the_models_checklist(owner, committee_member, credit_pd_model):
    evidenced, waived, _missing = ControlFactory.create_batch(3, model=credit_pd_model)
    ControlFactory(model=credit_pd_model, applies=False)  # retired: not counted
    controls.attach_evidence(actor=owner, control=evidenced, title="Card", url="https://x.example")
    granted_waiver(
        owner,
        committee_member,
        waived,
        reason="Vendor",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    summary = risk_selectors.coverage(credit_pd_model)
    assert summary.sentence == "1 of 3 obligations evidenced, 1 waived, 1 missing"
    after_expiry = risk_selectors.coverage(
        credit_pd_model, timezone.localdate() + dt.timedelta(days=31)
    )
    assert (after_expiry.waived, after_expiry.missing) == (0, 2)
