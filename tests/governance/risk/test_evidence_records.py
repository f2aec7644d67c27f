"""Evidence that links itself: obligations due by stage, Attest records proposed and linked as
evidence, and one file attached to several obligations at once."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from governance.approvals.selectors import facts as approval_facts
from governance.approvals.services import workflow
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.risk import records
from governance.risk.models import Control, Evidence
from governance.risk.services import controls
from governance.rulebooks.models import Rulebook
from monitoring.models import DataValidationResult, DriftResult, FairnessResult, MonitoringPolicy
from registry.models import MLModel, ModelVersion
from tests.factories.governance import ControlFactory
from tests.factories.registry import (
    DatasetVersionFactory,
    DeploymentFactory,
    MLModelFactory,
    ModelVersionFactory,
    TrainingRunFactory,
)
from tests.governance.approvals.conftest import (  # noqa: F401 - fixtures
    approve,
    evidence_everything,
    pd_v1,
    second_validator,
    submitted,
)
from tests.risk_answers import PDF

pytestmark = pytest.mark.usefixtures("evidence_storage")


def control_for(model: MLModel, *kinds: str) -> Control:
    return ControlFactory(model=model, satisfied_by=list(kinds))


def proposed(model: MLModel, control: Control) -> list[records.Record]:
    return records.proposed_records(model, [control])[control.pk]


def by_stage(model: MLModel, *stages: str) -> list[Control]:
    return list(Control.objects.filter(model=model, applies=True, stage__in=stages))


def written() -> tuple[int, int]:
    return Evidence.objects.count(), AuditEvent.objects.count()


# ---- Stages on the checklist --------------------------------------------------------------------


def test_the_checklist_follows_version_2_of_each_catalog_with_stages_and_records(tiered_pd_model):
    assert {
        book.version for book in Rulebook.objects.filter(kind="obligations", name="pra_ss1_23")
    } == {1, 2}
    independent = Control.objects.get(model=tiered_pd_model, obligation_id="pra.p4.1")
    assert independent.catalog.version == 2
    assert (independent.stage, independent.satisfied_by) == (
        "before_deployment",
        ["validation_approval"],
    )
    tier = Control.objects.get(model=tiered_pd_model, obligation_id="pra.p1.3")
    assert (tier.stage, tier.satisfied_by) == ("before_validation", ["tier_assessment"])
    stages = set(Control.objects.filter(model=tiered_pd_model).values_list("stage", flat=True))
    assert stages == {"before_validation", "before_deployment", "ongoing"}


def test_a_checklist_left_on_an_old_catalog_version_moves_onto_the_one_in_force(tiered_pd_model):
    old = Rulebook.objects.get(kind="obligations", name="pra_ss1_23", version=1)
    Control.objects.filter(model=tiered_pd_model, framework="pra_ss1_23").update(
        catalog=old, stage="before_validation"
    )
    assert controls.resync_stale_checklists() == 1
    moved = Control.objects.get(model=tiered_pd_model, obligation_id="pra.p4.1")
    assert (moved.catalog.version, moved.stage) == (2, "before_deployment")


# ---- Records proposed per kind ------------------------------------------------------------------


def _version(model: MLModel) -> ModelVersion:
    return ModelVersionFactory(model=model)


def _fairness(model, owner):
    version, now = _version(model), timezone.now()
    FairnessResult.objects.create(
        version=version, evaluated_at=now, passed=False, recorded_by=owner
    )  # newer but failed: never proposed
    return FairnessResult.objects.create(
        version=version, evaluated_at=now - timedelta(days=1), passed=True, recorded_by=owner
    )


def _drift(model, owner):
    older = DriftResult.objects.create(
        version=_version(model),
        evaluated_at=timezone.now() - timedelta(days=9),
        recorded_by=owner,
        dataset_drift=True,
    )
    return DriftResult.objects.create(
        version=older.version, evaluated_at=timezone.now(), recorded_by=owner, dataset_drift=False
    )


def _data_validation(model, owner):
    return DataValidationResult.objects.create(
        version=_version(model),
        evaluated_at=timezone.now(),
        recorded_by=owner,
        suite="applications",
        success=True,
    )


def _monitoring_policy(model, owner):
    return MonitoringPolicy.objects.create(
        model=model, signal="drift", measure="psi", direction="above", critical=0.25, set_by=owner
    )


def _deployment(model, owner):
    return DeploymentFactory(version=_version(model))


def _training_run(model, owner):
    return TrainingRunFactory(model=model)


def _dataset_version(model, owner):
    data = DatasetVersionFactory()
    TrainingRunFactory(model=model).input_datasets.add(data)
    return data


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("fairness_result", _fairness),
        ("drift_result", _drift),
        ("data_validation_result", _data_validation),
        ("monitoring_policy", _monitoring_policy),
        ("deployment", _deployment),
        ("training_run", _training_run),
        ("dataset_version", _dataset_version),
    ],
)
def test_the_newest_record_of_each_kind_is_proposed_for_the_obligations_it_satisfies(
    owner, credit_pd_model, kind, make
):
    record = make(credit_pd_model, owner)
    control = control_for(credit_pd_model, kind)
    (found,) = proposed(credit_pd_model, control)
    assert (found.kind, found.id) == (kind, record.pk)
    assert found.title and found.url is not None
    elsewhere = control_for(MLModelFactory(), kind)
    assert proposed(elsewhere.model, elsewhere) == []  # another model's records are not its own


def test_the_tier_and_scoping_assessments_in_force_are_proposed(tiered_pd_model):
    control = control_for(
        tiered_pd_model, "tier_assessment", "scoping_assessment", "fairness_result"
    )
    found = {r.kind: r for r in proposed(tiered_pd_model, control)}
    assert set(found) == {"tier_assessment", "scoping_assessment"}  # no fairness check yet
    assert "Tier 1" in found["tier_assessment"].title
    assert found["tier_assessment"].url.startswith(
        f"/inventory/models/{tiered_pd_model.slug}/risk/"
    )


def test_nothing_is_proposed_for_an_obligation_no_record_satisfies(tiered_pd_model):
    design = Control.objects.get(model=tiered_pd_model, obligation_id="sr26.development.design")
    assert design.satisfied_by == [] and proposed(tiered_pd_model, design) == []


# ---- Linking a record ---------------------------------------------------------------------------


@pytest.fixture
def tier_control(tiered_pd_model) -> Control:
    return Control.objects.get(model=tiered_pd_model, obligation_id="pra.p1.3")


def test_linking_the_proposed_record_evidences_the_obligation_and_is_audited(owner, tier_control):
    (record,) = proposed(tier_control.model, tier_control)
    evidence = controls.link_record(
        actor=owner, control=tier_control, kind=record.kind, record_id=record.id
    )
    assert (evidence.kind, evidence.record_type, evidence.record_id) == (
        "record",
        "tier_assessment",
        str(record.id),
    )
    assert (evidence.title, evidence.url) == (record.title, record.url)
    assert Control.objects.get(pk=tier_control.pk).status == Control.Status.EVIDENCED
    event = AuditEvent.objects.get(verb="evidence.linked")
    assert event.after["record_type"] == "tier_assessment"
    assert event.after["control_status"] == "evidenced"
    assert proposed(tier_control.model, tier_control) == []  # linked: no longer proposed


def test_a_validator_accepts_a_linked_record_like_any_evidence(owner, validator, tier_control):
    (record,) = proposed(tier_control.model, tier_control)
    controls.link_record(actor=owner, control=tier_control, kind=record.kind, record_id=record.id)
    accepted = controls.accept(actor=validator, control=tier_control)
    assert (accepted.status, accepted.reviewed_by) == (Control.Status.ACCEPTED, validator)


def test_a_record_of_the_wrong_kind_another_model_or_twice_is_refused(owner, tier_control):
    (record,) = proposed(tier_control.model, tier_control)
    foreign = TrainingRunFactory()
    refusals = [
        ({"kind": "training_run", "record_id": foreign.pk}, "kind"),  # not what satisfies it
        ({"kind": "tier_assessment", "record_id": 999999}, "record_id"),
    ]
    for kwargs, field in refusals:
        before = written()
        with pytest.raises(DomainError) as refused:
            controls.link_record(actor=owner, control=tier_control, **kwargs)
        assert refused.value.field == field
        assert written() == before
    controls.link_record(actor=owner, control=tier_control, kind=record.kind, record_id=record.id)
    with pytest.raises(DomainError, match="already"):
        controls.link_record(
            actor=owner, control=tier_control, kind=record.kind, record_id=record.id
        )


@pytest.mark.parametrize("persona", ["auditor", "validator", "outsider"])
def test_only_people_who_may_attach_evidence_link_records(request, tier_control, persona):
    (record,) = proposed(tier_control.model, tier_control)
    before = written()
    with pytest.raises(PermissionDenied):
        controls.link_record(
            actor=request.getfixturevalue(persona),
            control=tier_control,
            kind=record.kind,
            record_id=record.id,
        )
    assert written() == before


# ---- Submitting by stage ------------------------------------------------------------------------


def test_a_new_tier_1_model_goes_to_validation_with_what_is_due_before_it_and_4_1_follows(
    owner,
    validator,
    second_validator,  # noqa: F811 - a fixture
    tiered_pd_model,
    pd_v1,  # noqa: F811 - a fixture
):
    model = tiered_pd_model
    evidence_everything(owner, model, by_stage(model, "before_validation"))
    deployment = workflow.open_request(
        actor=owner, version=pd_v1, gate="deployment", environment="production"
    )
    with pytest.raises(DomainError) as refused:
        workflow.submit(actor=owner, request=deployment)
    assert "Principle 4.1" in refused.value.error_text  # validation's own evidence is missing
    validation = approve(
        submitted(owner, pd_v1, "validation"),
        (validator, "validator"),
        (second_validator, "validator"),
    )
    assert validation.state == "approved"

    independent = Control.objects.get(model=model, obligation_id="pra.p4.1")
    (record,) = proposed(model, independent)
    assert (record.kind, record.id) == ("validation_approval", validation.pk)
    controls.link_record(actor=owner, control=independent, kind=record.kind, record_id=record.id)
    rest = [c for c in by_stage(model, "before_deployment") if not c.evidence.exists()]
    evidence_everything(owner, model, rest)

    assert workflow.submit(actor=owner, request=deployment).state == "submitted"
    ongoing = {c.reference for c in by_stage(model, "ongoing")}
    still_due = set(approval_facts.missing_obligations(model, timezone.localdate()))
    assert ongoing and ongoing <= still_due  # shown as due, but they did not block the request
    assert approval_facts.missing_obligations(model, timezone.localdate(), gate="deployment") == []


def test_the_validation_report_attached_to_a_sign_off_is_proposed(
    owner,
    validator,
    second_validator,  # noqa: F811 - a fixture
    tiered_pd_model,
    pd_v1,  # noqa: F811 - a fixture
):
    evidence_everything(owner, tiered_pd_model, by_stage(tiered_pd_model, "before_validation"))
    request = submitted(owner, pd_v1, "validation")
    workflow.sign_off(actor=validator, request=request, role="validator", decision="approve")
    report = SimpleUploadedFile("validation-report.pdf", PDF)
    workflow.sign_off(
        actor=second_validator,
        request=request,
        role="validator",
        decision="approve",
        attachments=[("Validation report 2026", report)],
    )
    outcomes = Control.objects.get(model=tiered_pd_model, obligation_id="sr26.validation.outcomes")
    found = {r.kind: r for r in proposed(tiered_pd_model, outcomes)}
    assert set(found) == {"validation_report", "validation_approval"}
    assert found["validation_report"].title.startswith("Validation report 2026")


# ---- One file, several obligations --------------------------------------------------------------


def test_one_file_attached_to_several_obligations_is_stored_once_with_one_row_each(
    owner, tiered_pd_model, settings
):
    chosen = by_stage(tiered_pd_model, "before_validation")[:3]
    attached = controls.attach_file_to_many(
        actor=owner,
        controls=chosen,
        title="Model development document",
        file=SimpleUploadedFile("mdd.pdf", PDF),
    )
    assert [e.control_id for e in attached] == sorted(c.pk for c in chosen)
    assert {e.sha256 for e in attached} == {hashlib.sha256(PDF).hexdigest()}
    assert len({e.file.name for e in attached}) == 1
    stored = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    assert AuditEvent.objects.filter(verb="evidence.attached").count() == 3
    assert set(
        Control.objects.filter(pk__in=[c.pk for c in chosen]).values_list("status", flat=True)
    ) == {"evidenced"}


def test_a_refused_multi_attach_writes_nothing(owner, outsider, tiered_pd_model, settings):
    mine = by_stage(tiered_pd_model, "before_validation")[:2]
    other = ControlFactory()
    refusals = [
        ({"controls": [*mine, other]}, "controls"),
        ({"controls": []}, "controls"),
        ({"controls": mine, "file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00")}, "file"),
        ({"controls": mine, "title": " "}, "title"),
    ]
    for kwargs, field in refusals:
        before = written()
        arguments = {"title": "Doc", "file": SimpleUploadedFile("doc.pdf", PDF), **kwargs}
        with pytest.raises(DomainError) as refused:
            controls.attach_file_to_many(actor=owner, **arguments)
        assert refused.value.field == field
        assert written() == before
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    with pytest.raises(PermissionDenied):
        controls.attach_file_to_many(
            actor=outsider,
            controls=mine,
            title="Doc",
            file=SimpleUploadedFile("doc.pdf", PDF),
        )


# ---- The obligations page -----------------------------------------------------------------------


def page_url(model: MLModel) -> str:
    return reverse("risk:obligations", args=[model.slug])


def test_the_page_proposes_records_and_links_one(client, owner, tiered_pd_model, tier_control):
    client.force_login(owner)
    page = client.get(page_url(tiered_pd_model))
    assert b"Proposed from Attest" in page.content
    assert b"Attach one file to several obligations" in page.content
    (record,) = proposed(tiered_pd_model, tier_control)
    done = client.post(
        reverse("risk:record-link", args=[tiered_pd_model.slug, tier_control.pk]),
        {"kind": record.kind, "record_id": record.id},
    )
    assert done.status_code == 302
    assert tier_control.evidence.get().record_id == str(record.id)


def test_the_page_attaches_one_file_to_the_obligations_ticked(client, owner, tiered_pd_model):
    client.force_login(owner)
    chosen = by_stage(tiered_pd_model, "before_validation")[:2]
    done = client.post(
        reverse("risk:evidence-attach-many", args=[tiered_pd_model.slug]),
        {
            "title": "Model development document",
            "file": SimpleUploadedFile("mdd.pdf", PDF),
            "obligations": [c.pk for c in chosen],
        },
    )
    assert done.status_code == 302
    assert Evidence.objects.filter(control__in=chosen).count() == 2
    refused = client.post(
        reverse("risk:evidence-attach-many", args=[tiered_pd_model.slug]),
        {"title": "Nothing ticked", "file": SimpleUploadedFile("mdd.pdf", PDF)},
    )
    assert refused.status_code == 200
    assert "Choose at least one obligation." in refused.content.decode()


def test_a_validator_sees_no_proposals_and_no_multi_attach_form(client, validator, tiered_pd_model):
    client.force_login(validator)
    page = client.get(page_url(tiered_pd_model))
    assert page.status_code == 200
    assert b"Proposed from Attest" not in page.content
    assert page.context["attach_many"] is None
