"""Risk assessments through the services: drafts, completion, history, review, rule changes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance import roles
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, ReassessmentFlag, RiskAssessment
from governance.risk.services import assessments
from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Rulebook
from registry import services
from tests.factories.accounts import UserFactory
from tests.governance.conftest import published
from tests.risk_answers import TIER_1, TIER_3, US_BANK_SCORECARD, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")


@pytest.fixture
def scoped(owner, credit_pd_model) -> RiskAssessment:
    return assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)


def test_answers_are_saved_as_a_draft_that_yields_no_result(owner, credit_pd_model):
    draft = assessments.save_answers(
        actor=owner,
        framework="scoping",
        subject=credit_pd_model,
        answers={"technique": "statistical"},
    )
    again = assessments.save_answers(
        actor=owner, framework="scoping", subject=credit_pd_model, answers={"ai_system": False}
    )
    assert again.pk == draft.pk
    assert again.answers == {"technique": "statistical", "ai_system": False}
    assert (again.status, again.result) == ("draft", "")
    assert AuditEvent.objects.filter(verb="assessment.answered").count() == 2


def test_an_incomplete_draft_is_refused_naming_the_first_unanswered_question(
    owner, credit_pd_model
):
    draft = assessments.save_answers(
        actor=owner,
        framework="scoping",
        subject=credit_pd_model,
        answers={"technique": "statistical"},
    )
    with pytest.raises(DomainError, match="unanswered") as refused:
        assessments.complete(actor=owner, draft=draft)
    assert refused.value.field.startswith("answers.")
    assert RiskAssessment.objects.get(pk=draft.pk).status == "draft"


def test_an_unknown_answer_key_is_refused(owner, credit_pd_model):
    with pytest.raises(DomainError) as refused:
        assessments.save_answers(
            actor=owner, framework="scoping", subject=credit_pd_model, answers={"colour": "red"}
        )
    assert refused.value.field == "answers.colour"


def test_scoping_puts_a_us_and_uk_bank_scorecard_under_sr_26_2_and_pra(scoped):
    assert scoped.result == "in_scope"
    assert scoped.outcome["labels"] == ["sr_26_2", "pra_ss1_23"]
    assert scoped.valid_from is not None and scoped.valid_to is None


def test_tiering_needs_scoping_first(owner, credit_pd_model):
    draft = assessments.save_answers(
        actor=owner, framework="tiering", subject=credit_pd_model, answers=TIER_1
    )
    with pytest.raises(DomainError, match="scoping"):
        assessments.complete(actor=owner, draft=draft)


def test_a_tier_serves_every_framework_in_scope_and_cites_each(owner, credit_pd_model, scoped):
    tier = assess(owner, credit_pd_model, "tiering", TIER_1)
    assert tier.result == "tier_1"
    assert tier.outcome["details"]["frameworks"] == ["sr_26_2", "pra_ss1_23"]
    assert tier.outcome["details"]["cadence_months"] == 12
    outcomes = risk_selectors.outcomes_for(credit_pd_model)
    assert set(outcomes) == {"sr_26_2", "pra_ss1_23"}
    assert {o.result for o in outcomes.values()} == {"tier_1"}


def test_completing_a_tier_builds_the_models_checklist(owner, credit_pd_model, scoped):
    assess(owner, credit_pd_model, "tiering", TIER_1)
    frameworks = set(
        Control.objects.filter(model=credit_pd_model).values_list("framework", flat=True)
    )
    assert {"sr_26_2", "pra_ss1_23"} <= frameworks
    assert AuditEvent.objects.filter(verb="controls.synced", mlmodel_id=credit_pd_model.pk).exists()


def test_reassessing_keeps_history_and_shows_what_was_in_force_then(owner, credit_pd_model, scoped):
    first = assess(owner, credit_pd_model, "tiering", TIER_1)
    between = timezone.now()
    second = assess(owner, credit_pd_model, "tiering", TIER_3)
    first.refresh_from_db()
    assert (first.status, first.valid_to) == ("superseded", second.valid_from)
    assert risk_selectors.in_force_at(credit_pd_model, "tiering", between) == first
    assert risk_selectors.in_force_at(credit_pd_model, "tiering") == second
    assert (
        risk_selectors.in_force_at(
            credit_pd_model, "tiering", first.valid_from - dt.timedelta(seconds=1)
        )
        is None
    )


def test_fewer_obligations_after_a_lower_tier_are_retired_not_deleted(
    owner, credit_pd_model, scoped
):
    assess(owner, credit_pd_model, "tiering", TIER_1)
    at_tier_1 = set(
        Control.objects.filter(model=credit_pd_model).values_list("obligation_id", flat=True)
    )
    assess(owner, credit_pd_model, "tiering", TIER_3)
    applying = Control.objects.filter(model=credit_pd_model, applies=True)
    at_tier_3 = set(applying.values_list("obligation_id", flat=True))
    retired = Control.objects.filter(model=credit_pd_model, applies=False)
    assert len(at_tier_3) < len(at_tier_1)
    assert set(retired.values_list("obligation_id", flat=True)) == at_tier_1 - at_tier_3
    assert AuditEvent.objects.filter(verb="controls.synced").latest("seq").after["dropped"]


@pytest.mark.parametrize("persona", ["auditor", "validator", "committee_member", "outsider"])
def test_only_people_who_may_change_the_model_assess_it(request, credit_pd_model, persona):
    with pytest.raises(PermissionDenied):
        assessments.save_answers(
            actor=request.getfixturevalue(persona),
            framework="scoping",
            subject=credit_pd_model,
            answers={"ai_system": False},
        )


def test_a_validator_confirms_but_the_assessor_cannot_review_their_own(owner, validator, scoped):
    with pytest.raises(PermissionDenied):
        assessments.confirm(actor=owner, assessment=scoped)
    confirmed = assessments.confirm(actor=validator, assessment=scoped, reason="Agree")
    assert (confirmed.review, confirmed.reviewed_by) == ("confirmed", validator)


def test_an_override_needs_a_reason_and_a_second_person(
    owner, validator, committee_member, credit_pd_model, scoped
):
    tier = assess(owner, credit_pd_model, "tiering", TIER_3)
    with pytest.raises(DomainError) as refused:
        assessments.propose_override(actor=validator, assessment=tier, result="tier_2", reason=" ")
    assert refused.value.field == "review_reason"
    with pytest.raises(DomainError):
        assessments.propose_override(actor=validator, assessment=tier, result="tier_9", reason="x")
    proposed = assessments.propose_override(
        actor=validator, assessment=tier, result="tier_2", reason="Feeds the IFRS 9 ECL engine"
    )
    assert proposed.effective_result == "tier_3"  # not yet: one person only
    with pytest.raises(DomainError) as same_person:
        assessments.approve_override(actor=validator, assessment=tier)
    assert same_person.value.field == "override_approved_by"
    approved = assessments.approve_override(actor=committee_member, assessment=tier)
    assert approved.effective_result == "tier_2"
    assert {o.result for o in risk_selectors.outcomes_for(credit_pd_model).values()} == {"tier_2"}


def test_no_one_reviewer_sets_aside_a_pending_or_granted_override(
    owner, validator, committee_member, credit_pd_model, scoped
):
    other_reviewer = UserFactory(username="cora", roles=[roles.COMMITTEE])
    tier = assess(owner, credit_pd_model, "tiering", TIER_3)
    assessments.propose_override(
        actor=validator, assessment=tier, result="tier_2", reason="Feeds the IFRS 9 ECL engine"
    )
    for reviewer in (validator, other_reviewer):  # the proposer, and any other reviewer
        with pytest.raises(DomainError, match="waits for a second person") as pending:
            assessments.confirm(actor=reviewer, assessment=tier)
        assert pending.value.field == "review"
        with pytest.raises(DomainError, match="waits for a second person"):
            assessments.propose_override(
                actor=reviewer, assessment=tier, result="tier_1", reason="Stricter"
            )
    assessments.approve_override(actor=committee_member, assessment=tier, reason="Agreed: ECL")
    granted = AuditEvent.objects.get(verb="assessment.overridden")
    assert granted.after["reason"] == "Agreed: ECL"
    with pytest.raises(DomainError, match="a new assessment replaces it"):
        assessments.confirm(actor=other_reviewer, assessment=tier)
    with pytest.raises(DomainError, match="a new assessment replaces it"):
        assessments.propose_override(
            actor=validator, assessment=tier, result="tier_3", reason="Back to the rules"
        )
    assert RiskAssessment.objects.get(pk=tier.pk).effective_result == "tier_2"


def test_a_published_rulebook_never_changes():
    book = Rulebook.objects.filter(status="published").first()
    book.title = "Edited"
    with pytest.raises(Exception, match="published"):
        book.save()


def test_a_shipped_file_that_changed_without_a_new_version_is_refused(tmp_path):
    scoping_file = next(rulebooks.RULEBOOK_DIR.glob("scoping/*.yaml"))
    (tmp_path / "scoping").mkdir()
    (tmp_path / "scoping" / "2026.yaml").write_text(
        scoping_file.read_text().replace("title:", "title: Edited", 1)
    )
    with pytest.raises(DomainError, match="new version"):
        rulebooks.load_shipped(tmp_path)


def test_publishing_a_new_tiering_method_previews_and_then_rederives_with_history(
    owner, admin_user, committee_member, credit_pd_model, scoped
):
    current = assess(owner, credit_pd_model, "tiering", TIER_3)
    base = Rulebook.objects.in_force(Rulebook.Kind.TIERING)
    stricter = {"thresholds": {"tier_1": 1.1, "tier_2": 1.05}}
    draft = rulebooks.draft_version(actor=admin_user, base=base, changes=stricter)
    preview = assessments.preview(draft)
    assert [(row["before"], row["after"]) for row in preview] == [("tier_3", "tier_1")]
    assert RiskAssessment.objects.get(pk=current.pk).status == "completed"  # preview writes nothing
    published(draft, admin_user, committee_member)
    now = risk_selectors.in_force_at(credit_pd_model, "tiering")
    assert (now.result, now.rulebook, now.answers) == ("tier_1", draft, TIER_3)
    assert now.trigger == f"{draft} published"
    assert RiskAssessment.objects.get(pk=current.pk).status == "superseded"


def test_only_administrators_draft_rulebooks(owner):
    base = Rulebook.objects.in_force(Rulebook.Kind.TIERING)
    with pytest.raises(PermissionDenied):
        rulebooks.draft_version(actor=owner, base=base, changes={})


def test_a_new_major_version_flags_an_assessed_model_for_reassessment(
    owner, credit_pd_model, scoped
):
    services.register_version(actor=owner, model=credit_pd_model, version="1.0.0")
    services.register_version(actor=owner, model=credit_pd_model, version="1.1.0")
    assert not ReassessmentFlag.objects.exists()
    services.register_version(actor=owner, model=credit_pd_model, version="2.0.0")
    flag = ReassessmentFlag.objects.get()
    assert "2.0.0" in flag.reason
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assert ReassessmentFlag.objects.get().cleared_at is not None
    cleared = AuditEvent.objects.get(verb="model.reassessment_cleared", target_id=str(flag.pk))
    assert (cleared.actor, cleared.mlmodel_id) == (owner, credit_pd_model.pk)


def test_a_new_intended_purpose_flags_it_too(owner, credit_pd_model, scoped):
    services.update_model(actor=owner, model=credit_pd_model, intended_purpose="Marketing too")
    assert ReassessmentFlag.objects.get().reason == "intended purpose changed"


def test_switching_tiering_method_needs_a_date_on_or_after_the_method_in_force(
    owner, admin_user, committee_member, credit_pd_model, scoped
):
    assess(owner, credit_pd_model, "tiering", TIER_1)
    matrix = Rulebook.objects.get(kind="tiering", name="matrix", status="draft")
    with pytest.raises(DomainError) as refused:
        rulebooks.request_publication(actor=admin_user, draft=matrix)
    assert refused.value.field == "effective_from"
    in_force = Rulebook.objects.in_force(Rulebook.Kind.TIERING)
    switch = rulebooks.draft_version(
        actor=admin_user, base=matrix, changes={"effective_from": in_force.effective_from}
    )
    published(switch, admin_user, committee_member)
    assert Rulebook.objects.in_force(Rulebook.Kind.TIERING) == switch
    now = risk_selectors.in_force_at(credit_pd_model, "tiering")
    assert (now.rulebook, now.outcome["details"]["method"]) == (switch, "matrix")
    assert assessments.apply_in_force() == 0  # the beat task agrees: nothing moves back
