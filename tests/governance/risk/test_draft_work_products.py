"""Draft work products from the EU AI Act classification: prepared on the matching obligations
when a use case is classified, never counted as evidence until a person adopts one."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, DraftEvidence, Evidence
from governance.risk.services import assessments, controls, drafts
from tests.risk_answers import EU_CREDIT_SCORING, EU_MINIMAL, PDF, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")

# A deployer's credit scoring (Annex III 5(b)) that profiles people: high-risk, FRIA owed.
DEPLOYED_SCORING = {**EU_CREDIT_SCORING, "role": "deployer", "public_service_deployer": False}
# A provider's recruitment tool doing only a narrow procedural task: not high-risk (Art. 6(3)).
CV_SORTER = {
    **EU_MINIMAL,
    "role": "provider",
    "annex_iii_area": ["employment"],
    "annex_iii_point": ["recruitment"],
    "art6_3_conditions": ["narrow_procedural_task"],
    "profiles_natural_persons": False,
    "art6_3_significant_risk": False,
}


def drafts_of(model) -> dict[str, str]:
    rows = DraftEvidence.objects.filter(control__model=model, adopted_as__isnull=True)
    return {d.control.obligation_id: d.product for d in rows.select_related("control")}


def test_not_high_risk_use_gets_the_art_6_4_record_only(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", CV_SORTER)
    assert drafts_of(credit_pd_model) == {"eu.art6.4": "not_high_risk_record"}


def test_deployer_of_credit_scoring_gets_the_fria_only(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    assert drafts_of(credit_pd_model) == {"eu.art27.1": "fria"}


def test_high_risk_provider_and_deployer_gets_annex_iv_and_fria(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    found = drafts_of(credit_pd_model)
    assert found.pop("eu.art27.1") == "fria"
    assert set(found) == {"eu.art11", *(f"eu.annex4.{n}" for n in range(1, 10))}
    assert set(found.values()) == {"annex_iv"}


def test_minimal_risk_gets_no_draft(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", EU_MINIMAL)
    assert drafts_of(credit_pd_model) == {}


def test_prefilled_from_the_inventory(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    draft = DraftEvidence.objects.get(control__model=credit_pd_model)
    items = {item.citation: item for item in drafts.product_of(draft).items}
    assert items["Art. 27(1)(a)"].known[:2] == (
        "AI system (use case): Retail loan decisions",
        "Model: Retail PD scorecard",
    )
    assert "Intended purpose: Probability of default for unsecured retail loans" in (
        items["Art. 27(1)(a)"].known
    )
    assert "Responsible for development: Dev" in " ".join(items["Art. 27(1)(e)"].known)
    assert items["Art. 27(1)(c)"].known == ()  # the use case names no affected people


def test_a_draft_is_not_evidence(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    control = Control.objects.get(model=credit_pd_model, obligation_id="eu.art27.1")
    assert control.status == Control.Status.MISSING
    assert not Evidence.objects.filter(control=control).exists()
    assert risk_selectors.coverage(credit_pd_model).evidenced == 0


def test_rederiving_replaces_the_draft_and_never_duplicates(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    lending.affected_people = "Retail loan applicants"
    lending.save()
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    draft = DraftEvidence.objects.get(control__model=credit_pd_model)
    items = {item.citation: item for item in drafts.product_of(draft).items}
    assert items["Art. 27(1)(c)"].known == ("Affected people: Retail loan applicants",)
    assert AuditEvent.objects.filter(verb="draft.prepared").count() == 2


def test_unchanged_classification_writes_nothing_again(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    assert drafts.prepare_drafts(actor=owner, model=credit_pd_model) == []
    assert AuditEvent.objects.filter(verb="draft.prepared").count() == 1


def test_draft_no_longer_called_for_is_withdrawn(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    assess(owner, lending, "eu_ai_act", EU_MINIMAL)
    assert drafts_of(credit_pd_model) == {}
    assert AuditEvent.objects.filter(verb="draft.withdrawn").count() == 1


def test_adopting_the_completed_version_counts_as_evidence(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    draft = DraftEvidence.objects.get(control__model=credit_pd_model)
    upload = SimpleUploadedFile("fria.pdf", PDF, content_type="application/pdf")
    evidence = controls.adopt_draft(actor=owner, draft=draft, file=upload)
    control = Control.objects.get(pk=draft.control_id)
    assert control.status == Control.Status.EVIDENCED
    assert evidence.title.startswith("Fundamental rights impact assessment")
    assert DraftEvidence.objects.get(pk=draft.pk).adopted_as == evidence
    assert AuditEvent.objects.filter(verb="draft.adopted", actor=owner).exists()


def test_a_draft_with_items_to_complete_cannot_be_adopted_as_it_stands(
    owner, lending, credit_pd_model
):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    draft = DraftEvidence.objects.get(control__model=credit_pd_model)
    with pytest.raises(DomainError) as refused:
        controls.adopt_draft(actor=owner, draft=draft)
    assert "Art. 27(1)(c)" in str(refused.value)
    assert not Evidence.objects.exists()


def test_a_complete_draft_is_adopted_as_its_word_file(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", CV_SORTER)
    draft = DraftEvidence.objects.get(control__model=credit_pd_model)
    draft.document["items"][-1]["known"] = ["Registered on 1 December 2026, EU-DB-1234"]
    draft.save()
    evidence = controls.adopt_draft(actor=owner, draft=draft)
    assert evidence.media_type.endswith("wordprocessingml.document")


def test_regenerating_after_adoption_opens_a_new_draft(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    draft = DraftEvidence.objects.get(control__model=credit_pd_model)
    upload = SimpleUploadedFile("fria.pdf", PDF, content_type="application/pdf")
    controls.adopt_draft(actor=owner, draft=draft, file=upload)
    assert len(drafts.prepare_drafts(actor=owner, model=credit_pd_model)) == 1
    assert DraftEvidence.objects.filter(control__model=credit_pd_model).count() == 2


def test_drafts_are_audited_for_whoever_classified(owner, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    event = AuditEvent.objects.get(verb="draft.prepared")
    assert event.actor == owner
    assert event.mlmodel_id == credit_pd_model.pk
    assert event.after["control"] == "eu.art27.1"
    assert "Art. 27(1)(c)" in event.after["to_complete"]


@pytest.mark.parametrize("persona", ["outsider", "auditor", "validator"])
def test_only_those_who_change_the_model_generate_drafts(
    request, persona, owner, lending, credit_pd_model
):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    with pytest.raises(PermissionDenied):
        drafts.prepare_drafts(actor=request.getfixturevalue(persona), model=credit_pd_model)


def test_outsider_cannot_adopt_a_draft(owner, outsider, lending, credit_pd_model):
    assess(owner, lending, "eu_ai_act", DEPLOYED_SCORING)
    draft = DraftEvidence.objects.get(control__model=credit_pd_model)
    upload = SimpleUploadedFile("fria.pdf", PDF, content_type="application/pdf")
    with pytest.raises(PermissionDenied):
        controls.adopt_draft(actor=outsider, draft=draft, file=upload)


def test_the_daily_rederivation_redrafts_in_place(owner, lending, credit_pd_model):
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)):
        assess(owner, lending, "eu_ai_act", CV_SORTER)
    with time_machine.travel(dt.datetime(2026, 12, 8, 6, tzinfo=dt.UTC)):
        assert assessments.apply_in_force() >= 1
    draft = DraftEvidence.objects.get(control__model=credit_pd_model)  # one, replaced
    assert draft.assessment.rulebook.version == 4
    assert draft.prepared_by is None  # Attest's own act, by the daily task
    assert "on 08 December 2026" in draft.document["items"][4]["known"][0]
