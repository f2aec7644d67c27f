"""Risk pages: questionnaires saved as you go, results and review, history, the obligations checklist."""

import datetime as dt
import hashlib
import html
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from governance import roles
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, Evidence, RiskAssessment, Waiver
from governance.risk.services import assessments
from registry import services
from registry.models import MLModel
from tests.factories.accounts import UserFactory
from tests.risk_answers import (
    EU_CREDIT_SCORING,
    EU_MINIMAL,
    EU_WORKPLACE_EMOTIONS,
    PDF,
    TIER_1,
    TIER_3,
    US_BANK_SCORECARD,
    assess,
)

pytestmark = pytest.mark.usefixtures("shipped_rulebooks", "evidence_storage")
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args: object) -> str:
    return reverse(f"risk:{name}", args=args)


def posted(answers: dict) -> dict:
    """A questionnaire post as the page sends it: each shown question's key, then its answer."""
    data: dict = {"shown": list(answers)}
    for key, value in answers.items():
        data[key] = (
            {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        )
    return data


def first_control(model) -> Control:
    return Control.objects.filter(model=model, applies=True).order_by("pk").first()


# ---- Questionnaire ------------------------------------------------------------------------------


def test_a_question_stays_hidden_until_the_answer_it_depends_on_is_given(
    client, owner, credit_pd_model
):
    client.force_login(owner)
    page = client.get(url("model-questionnaire", "retail-pd", "scoping"))
    assert page.status_code == 200
    keys = [row.question.key for row in page.context["rows"]]
    assert "quantitative_method" in keys and "generative_or_agentic" not in keys

    fragment = client.post(
        url("model-answers", "retail-pd", "scoping"),
        posted({"technique": "machine_learning"}),
        **HTMX,
    )
    assert fragment.templates[0].name == "governance/risk/_questionnaire.html"
    assert 'id="q-generative_or_agentic"' in fragment.content.decode()


def test_htmx_saves_each_change_into_the_draft_and_says_so(client, owner, credit_pd_model):
    client.force_login(owner)
    for change in ({"technique": "statistical"}, {"ai_system": False}):
        response = client.post(url("model-answers", "retail-pd", "scoping"), posted(change), **HTMX)
        assert response.status_code == 200
        assert "Saved" in response.content.decode()
    draft = RiskAssessment.objects.get(model=credit_pd_model, framework="scoping")
    assert (draft.status, draft.answers) == (
        "draft",
        {"technique": "statistical", "ai_system": False},
    )


def test_without_javascript_saving_returns_to_the_questionnaire(client, owner, credit_pd_model):
    client.force_login(owner)
    response = client.post(url("model-answers", "retail-pd", "scoping"), posted({"eu_nexus": True}))
    assert response.status_code == 302
    assert response["Location"] == url("model-questionnaire", "retail-pd", "scoping")
    page = client.get(response["Location"])
    eu_nexus = next(row for row in page.context["rows"] if row.question.key == "eu_nexus")
    assert [option.value for option in eu_nexus.options if option.checked] == ["yes"]


def test_classifying_shows_the_result_with_its_reasons_and_builds_the_checklist(
    client, owner, credit_pd_model
):
    client.force_login(owner)
    client.post(url("model-classify", "retail-pd", "scoping"), posted(US_BANK_SCORECARD))
    response = client.post(url("model-classify", "retail-pd", "tiering"), posted(TIER_1))
    assert response["Location"] == url("model-result", "retail-pd", "tiering")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.context["outcome"].result == "tier_1"
    assert "Tier 1 (high)" in body and "SR 26-2 §III" in body and "PRA SS1/23 Principle 1.3" in body
    assert "Revalidation every (months)" in body and "Olivia Owner" in body
    assert Control.objects.filter(model=credit_pd_model, applies=True).exists()


def test_the_result_names_its_rules_and_values_without_their_codes(client, owner, credit_pd_model):
    client.force_login(owner)
    client.post(url("model-classify", "retail-pd", "scoping"), posted(US_BANK_SCORECARD))
    client.post(url("model-classify", "retail-pd", "tiering"), posted(TIER_1))
    page = client.get(url("model-result", "retail-pd", "tiering")).content.decode()
    text = html.unescape(re.sub(r"<[^>]+>", "|", page))  # what a reader sees
    assert "Tier from the score's thresholds" in text
    assert "Scorecard factor" in text
    assert "at or above the Tier 1 (high) threshold" in text
    for code in ("tier.score.threshold", "tier.factor.", "tier_1", "|scorecard|", "very_high"):
        assert code not in text


def test_an_incomplete_draft_names_the_unanswered_questions_and_yields_no_result(
    client, owner, credit_pd_model
):
    client.force_login(owner)
    partial = {"technique": "statistical", "ai_system": False}
    response = client.post(url("model-classify", "retail-pd", "scoping"), posted(partial))
    assert response.status_code == 200
    missing = [question.key for question in response.context["missing"]]
    assert missing == [
        "quantitative_method",
        "used_in_business",
        "us_banking_org",
        "pra_firm",
        "eu_nexus",
    ]
    assert "<code>quantitative_method</code>" in response.content.decode()
    assert RiskAssessment.objects.get(model=credit_pd_model).status == "draft"
    assert not RiskAssessment.objects.exclude(result="").exists()


def test_a_refused_answer_is_shown_next_to_its_question(client, owner, scoped_pd_model):
    client.force_login(owner)
    contradictory = {**TIER_1, "reliance": "none"}  # yet the purpose is regulatory
    response = client.post(url("model-classify", "retail-pd", "tiering"), posted(contradictory))
    reliance = next(row for row in response.context["rows"] if row.question.key == "reliance")
    assert reliance.errors and "purpose" in reliance.errors[0]
    assert 'id="q-reliance-error"' in response.content.decode()
    assert not RiskAssessment.objects.filter(framework="tiering", status="completed").exists()


def test_a_use_case_is_classified_under_the_eu_ai_act_and_the_model_shows_its_category(
    client, owner, lending, tiered_pd_model
):
    client.force_login(owner)
    use_case_page = client.get(lending.get_absolute_url()).content.decode()
    assert "Classify under the EU AI Act" in use_case_page
    response = client.post(
        url("usecase-classify", "loan-decisions", "eu_ai_act"), posted(EU_CREDIT_SCORING)
    )
    assert response["Location"] == url("usecase-result", "loan-decisions", "eu_ai_act")
    result = client.get(response["Location"])
    assert result.context["outcome"].result == "high_risk_annex_iii"
    model_page = client.get(tiered_pd_model.get_absolute_url()).content.decode()
    assert "High risk: Annex III (Art. 6(2))" in model_page and "Tier 1 (high)" in model_page
    assert "Assess risk" in model_page


def test_a_prohibited_use_case_is_shown_as_blocked_on_the_result_and_the_model(
    client, owner, lending, credit_pd_model
):
    assess(owner, lending, "eu_ai_act", EU_WORKPLACE_EMOTIONS)
    client.force_login(owner)
    result = client.get(url("usecase-result", "loan-decisions", "eu_ai_act")).content.decode()
    assert "Prohibited practice." in result and "Art. 5(1)(f)" in result
    assert "Prohibited practice." in client.get(credit_pd_model.get_absolute_url()).content.decode()


def test_the_model_page_says_how_much_is_evidenced_and_what_is_due_next(
    client, owner, tiered_pd_model
):
    client.force_login(owner)
    page = client.get(tiered_pd_model.get_absolute_url()).content.decode()
    total = tiered_pd_model.controls.filter(applies=True).count()
    missing = tiered_pd_model.controls.filter(applies=True, stage="before_validation").count()
    assert 0 < missing < total  # in development, only what validation asks for is due
    assert (
        f"0 of {total} obligations evidenced, 0 waived, {missing} missing, "
        f"{total - missing} not due yet" in page
    )
    assert "Due next" in page and "applies now" in page


def test_numbers_are_stored_as_numbers_and_an_emptied_answer_is_cleared(client, owner, lending):
    client.force_login(owner)
    answers = url("usecase-answers", "loan-decisions", "eu_ai_act")
    client.post(answers, posted({"gpai_model": True, "training_compute_flops": "2e25"}), **HTMX)
    bad = client.post(
        answers, posted({"role": "provider", "training_compute_flops": "lots"}), **HTMX
    )
    flops = next(row for row in bad.context["rows"] if row.question.key == "training_compute_flops")
    assert flops.errors and flops.value == "lots"
    draft = RiskAssessment.objects.get(use_case=lending)
    # PostgreSQL's jsonb reads 2e25 back as the integer it equals: compare as numbers.
    assert float(draft.answers["training_compute_flops"]) == 2e25
    assert draft.answers["role"] == "provider"
    client.post(answers, posted({"training_compute_flops": ""}), **HTMX)
    draft.refresh_from_db()
    assert draft.answers["training_compute_flops"] is None


# ---- Review and history -------------------------------------------------------------------------


def test_an_override_counts_only_once_a_second_person_approves_it(
    client, owner, validator, committee_member, scoped_pd_model
):
    tier = assess(owner, scoped_pd_model, "tiering", TIER_3)
    review = lambda step: url("model-review", "retail-pd", "tiering", tier.pk, step)  # noqa: E731
    client.force_login(validator)
    proposal = {"override_result": "tier_2", "review_reason": "Feeds the IFRS 9 ECL engine"}
    assert client.post(review("override"), proposal).status_code == 302
    refused = client.post(review("approve-override"))
    assert "a second person must decide the override" in refused.content.decode()
    assert RiskAssessment.objects.get(pk=tier.pk).effective_result == "tier_3"

    client.force_login(committee_member)
    assert client.post(review("approve-override")).status_code == 302
    page = client.get(url("model-result", "retail-pd", "tiering"))
    assert page.context["outcome"].result == "tier_2"
    assert "Overridden" in page.content.decode()


def test_an_override_needs_a_justification(client, owner, validator, scoped_pd_model):
    tier = assess(owner, scoped_pd_model, "tiering", TIER_3)
    client.force_login(validator)
    response = client.post(
        url("model-review", "retail-pd", "tiering", tier.pk, "override"),
        {"override_result": "tier_1", "review_reason": ""},
    )
    assert "review_reason" in response.context["review"]["override"].errors
    assert RiskAssessment.objects.get(pk=tier.pk).review == "unreviewed"


def test_the_assessor_is_not_offered_a_review_and_cannot_confirm(client, owner, scoped_pd_model):
    client.force_login(owner)
    page = client.get(url("model-result", "retail-pd", "scoping"))
    assert page.context["review"] is None
    current = RiskAssessment.objects.get(framework="scoping", status="completed")
    response = client.post(url("model-review", "retail-pd", "scoping", current.pk, "confirm"))
    assert response.status_code == 403


def test_history_shows_what_was_in_force_on_a_past_date(client, owner, auditor, credit_pd_model):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)):
        assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
        first = assess(owner, credit_pd_model, "tiering", TIER_1)
    with time_machine.travel(dt.datetime(2026, 11, 4, 9, tzinfo=dt.UTC)):
        assess(owner, credit_pd_model, "tiering", TIER_3)
    client.force_login(auditor)
    result = url("model-result", "retail-pd", "tiering")
    assert client.get(result).context["assessment"].result == "tier_3"
    assert client.get(result, {"as_of": "2026-11-03"}).context["assessment"] == first
    before = client.get(result, {"as_of": "2026-11-01"})
    assert before.context["assessment"] is None
    assert "Nothing was in force on 1 Nov 2026" in before.content.decode()
    assert len(client.get(result).context["history"]) == 2


# ---- Who may do what ----------------------------------------------------------------------------


def test_an_auditor_reads_every_risk_page_but_may_change_nothing(client, auditor, tiered_pd_model):
    client.force_login(auditor)
    control, current = first_control(tiered_pd_model), RiskAssessment.objects.first()
    for page in (
        url("model-questionnaire", "retail-pd", "tiering"),
        url("model-result", "retail-pd", "tiering"),
        url("obligations", "retail-pd"),
    ):
        assert client.get(page).status_code == 200
    questionnaire = client.get(url("model-questionnaire", "retail-pd", "tiering"))
    assert "disabled" in questionnaire.content.decode()
    assert "Assess risk" not in client.get(tiered_pd_model.get_absolute_url()).content.decode()
    for write in (
        url("model-answers", "retail-pd", "tiering"),
        url("model-classify", "retail-pd", "tiering"),
        url("model-review", "retail-pd", current.framework, current.pk, "confirm"),
        url("evidence-attach", "retail-pd", control.pk),
        url("control-accept", "retail-pd", control.pk),
        url("control-waive", "retail-pd", control.pk),
    ):
        assert client.post(write, posted(TIER_3)).status_code == 403, write
    assert not Evidence.objects.exists()


def test_an_outsider_finds_no_risk_page_of_a_model_they_cannot_see(
    client, outsider, tiered_pd_model
):
    client.force_login(outsider)
    control = first_control(tiered_pd_model)
    for page in (
        url("model-questionnaire", "retail-pd", "scoping"),
        url("model-result", "retail-pd", "tiering"),
        url("obligations", "retail-pd"),
    ):
        assert client.get(page).status_code == 404
    assert client.post(url("evidence-attach", "retail-pd", control.pk)).status_code == 404


def test_a_framework_that_does_not_assess_the_subject_is_not_found(client, owner, credit_pd_model):
    client.force_login(owner)
    assert client.get(url("model-questionnaire", "retail-pd", "eu_ai_act")).status_code == 404


# ---- Obligations and evidence -------------------------------------------------------------------


def test_the_checklist_shows_coverage_and_each_obligation_by_framework(
    client, owner, tiered_pd_model
):
    client.force_login(owner)
    page = client.get(url("obligations", "retail-pd"))
    total = Control.objects.filter(model=tiered_pd_model, applies=True).count()
    assert f"0 of {total} obligations evidenced, 0 waived," in page.content.decode()
    assert "Not due yet" in page.content.decode() and "Missing" in page.content.decode()
    assert {group[0] for group in page.context["groups"]} == {"SR 26-2", "PRA SS1/23"}
    model_page = client.get(tiered_pd_model.get_absolute_url()).content.decode()
    assert f"0 of {total} obligations evidenced" in model_page


def test_uploading_a_pdf_stores_its_sha256_and_the_obligation_becomes_evidenced(
    client, owner, tiered_pd_model
):
    client.force_login(owner)
    control = first_control(tiered_pd_model)
    upload = SimpleUploadedFile("validation-report.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url("evidence-attach", "retail-pd", control.pk),
        {"title": "Validation report", "file": upload},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(control=control)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    control.refresh_from_db()
    assert control.status == "evidenced"


def test_a_cards_forms_come_when_its_details_open_and_only_to_those_who_may_use_them(
    client, owner, auditor, tiered_pd_model
):
    client.force_login(owner)
    control = first_control(tiered_pd_model)
    page = client.get(url("obligations", "retail-pd")).content.decode()
    assert f'hx-get="{url("evidence-attach", "retail-pd", control.pk)}"' in page
    assert f'id="ev{control.pk}_title"' not in page  # not rendered until asked for
    htmx = {"HTTP_HX_REQUEST": "true"}
    evidence = client.get(url("evidence-attach", "retail-pd", control.pk), **htmx)
    assert f'id="ev{control.pk}_title"' in evidence.content.decode()
    waiver = client.get(url("control-waive", "retail-pd", control.pk), **htmx)
    assert f'id="wv{control.pk}_waiver_reason"' in waiver.content.decode()
    back = client.get(url("evidence-attach", "retail-pd", control.pk))  # not a swap: the page
    assert back["Location"] == f"{url('obligations', 'retail-pd')}#control-{control.pk}"
    client.force_login(auditor)
    assert client.get(url("evidence-attach", "retail-pd", control.pk), **htmx).status_code == 403
    assert client.get(url("control-waive", "retail-pd", control.pk), **htmx).status_code == 403


def test_a_pdf_name_on_other_content_is_refused_on_the_file_field(client, owner, tiered_pd_model):
    client.force_login(owner)
    control = first_control(tiered_pd_model)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00not a pdf")
    response = client.post(
        url("evidence-attach", "retail-pd", control.pk), {"title": "Report", "file": fake}
    )
    assert response.status_code == 200
    assert "not a .pdf file" in response.context["failed"].errors["file"][0]
    assert f'id="ev{control.pk}_file_error"' in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_oversize_file_is_refused(client, owner, tiered_pd_model, settings):
    settings.ATTEST_EVIDENCE_MAX_BYTES = 16
    client.force_login(owner)
    control = first_control(tiered_pd_model)
    upload = SimpleUploadedFile("validation-report.pdf", PDF)
    response = client.post(
        url("evidence-attach", "retail-pd", control.pk), {"title": "Report", "file": upload}
    )
    assert "larger than" in response.context["failed"].errors["file"][0]
    assert not Evidence.objects.exists()


def test_evidence_downloads_only_for_those_who_see_the_model_it_belongs_to(
    client, owner, auditor, outsider, admin_user, tiered_pd_model
):
    client.force_login(owner)
    control = first_control(tiered_pd_model)
    upload = SimpleUploadedFile("validation-report.pdf", PDF)
    client.post(
        url("evidence-attach", "retail-pd", control.pk), {"title": "Report", "file": upload}
    )
    evidence = Evidence.objects.get()
    download = url("evidence-download", "retail-pd", evidence.pk)

    client.force_login(auditor)
    response = client.get(download)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert b"".join(response.streaming_content) == PDF
    assert response["ETag"] == f'"{evidence.sha256}"'
    assert "attachment" in response["Content-Disposition"]
    assert client.get(download, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    client.force_login(outsider)
    assert client.get(download).status_code == 404
    client.force_login(admin_user)
    services.register_model(
        actor=admin_user, slug="other", name="Other", business_unit="Risk", model_type="vendor",
        owner=owner,
    )  # fmt: skip
    assert client.get(url("evidence-download", "other", evidence.pk)).status_code == 404


def test_a_validator_accepts_evidence_and_the_owner_may_not(
    client, owner, validator, tiered_pd_model
):
    client.force_login(owner)
    control = first_control(tiered_pd_model)
    client.post(
        url("evidence-attach", "retail-pd", control.pk),
        {"title": "Model card", "url": "https://wiki.example/retail-pd"},
    )
    assert client.post(url("control-accept", "retail-pd", control.pk)).status_code == 403
    client.force_login(validator)
    assert client.post(url("control-accept", "retail-pd", control.pk)).status_code == 302
    control.refresh_from_db()
    assert (control.status, control.reviewed_by) == ("accepted", validator)


def test_a_waiver_asked_on_the_page_counts_once_a_decider_grants_it(
    client, owner, committee_member, tiered_pd_model
):
    client.force_login(owner)
    control = first_control(tiered_pd_model)
    page = client.get(url("obligations", "retail-pd"))
    card = page.context["groups"][0][2][0]
    assert set(card.waiver_form.fields) == {"waiver_reason", "waiver_expires_on"}  # no approver
    expiry = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    waiver = {"waiver_reason": "Replaced next quarter", "waiver_expires_on": expiry}
    assert client.post(url("control-waive", "retail-pd", control.pk), waiver).status_code == 302
    asked = Waiver.objects.get()
    control.refresh_from_db()
    assert (asked.state, control.status) == ("requested", "missing")
    decide = url("waiver-decide", "retail-pd", asked.pk)
    assert client.post(decide, {"decision": "grant"}).status_code == 403  # not the owner

    client.force_login(committee_member)
    card = client.get(url("obligations", "retail-pd")).context["groups"][0][2][0]
    assert card.can_decide and card.waivers == [asked]
    assert client.post(decide, {"decision": "grant"}).status_code == 302
    control.refresh_from_db()
    assert (control.status, control.waiver_approved_by) == ("waived", committee_member)


def test_a_waiver_without_a_future_expiry_is_refused_on_that_field(
    client, owner, committee_member, tiered_pd_model
):
    client.force_login(owner)
    control = first_control(tiered_pd_model)
    waiver = {"waiver_reason": "Replaced next quarter", "waiver_expires_on": "2020-01-01"}
    response = client.post(url("control-waive", "retail-pd", control.pk), waiver)
    assert "waiver_expires_on" in response.context["failed"].errors
    control.refresh_from_db()
    assert control.status == "missing"


# ---- The portfolio by category and tier (for the inventory filters) -----------------------------


def test_models_are_found_by_their_tier_in_force_including_an_approved_override(
    owner, committee_member, tiered_pd_model
):
    other = services.register_model(
        actor=owner, slug="alm", name="ALM", business_unit="Treasury", model_type="vendor"
    )
    assess(owner, other, "scoping", US_BANK_SCORECARD)
    low = assess(owner, other, "tiering", TIER_3)
    models = MLModel.objects.all()
    assert list(risk_selectors.with_tier(models, ["tier_1"])) == [tiered_pd_model]
    assert list(risk_selectors.with_tier(models, ["tier_3"])) == [other]
    assessments.propose_override(
        actor=committee_member, assessment=low, result="tier_1", reason="Feeds ALM hedging"
    )
    assert set(risk_selectors.with_tier(models, ["tier_1"])) == {tiered_pd_model}
    second = UserFactory(username="cora", roles=[roles.COMMITTEE])
    assessments.approve_override(actor=second, assessment=low)
    assert set(risk_selectors.with_tier(models, ["tier_1"])) == {tiered_pd_model, other}


def test_a_models_eu_category_is_the_strictest_of_its_use_cases(owner, credit_pd_model, lending):
    chatbot = services.register_use_case(
        actor=owner,
        slug="faq",
        name="Loan FAQ helper",
        business_purpose="Explain loan terms",
        business_unit="Retail Credit",
        models=[credit_pd_model],
    )
    assess(owner, chatbot, "eu_ai_act", EU_MINIMAL)
    models = MLModel.objects.all()
    assert list(risk_selectors.with_eu_category(models, ["minimal"])) == [credit_pd_model]
    assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    assert not risk_selectors.with_eu_category(models, ["minimal"]).exists()
    found = risk_selectors.with_eu_category(models, ["high_risk_annex_iii", "prohibited"])
    assert list(found) == [credit_pd_model]
    assert risk_selectors.outcomes_for(credit_pd_model)["eu_ai_act"].result == "high_risk_annex_iii"
