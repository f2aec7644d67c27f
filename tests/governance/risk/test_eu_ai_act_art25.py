"""Art. 25 in the app (EU AI Act rules version 4): a bank that puts its name on a vendor's
credit-scoring system is its provider, so its checklist gains the provider obligations and the
result page says why in words."""

import datetime
import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, RiskAssessment
from governance.risk.services import assessments
from governance.rulebooks.models import Rulebook
from tests.risk_answers import EU_MINIMAL, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")

VENDOR_SCORING = {
    **EU_MINIMAL,
    "annex_iii_area": ["essential_services"],
    "annex_iii_point": ["creditworthiness"],
    "art6_3_conditions": ["none"],
    "profiles_natural_persons": False,
    "public_service_deployer": False,
}
REBRANDED = {**VENDOR_SCORING, "art25_provider_conversion": ["own_name_or_trademark"]}
PROVIDER_DUTIES = {"eu.art9", "eu.art11", "eu.art16.b", "eu.art17", "eu.art43", "eu.art49.1",
                   "eu.art72"}  # fmt: skip


def version_4() -> Rulebook:
    return Rulebook.objects.get(kind="eu_ai_act", version=4)


def assess_under_version_4(owner, subject, answers: dict) -> RiskAssessment:
    """Answered and completed under version 4, whatever today's date (it takes effect on 8
    December 2026)."""
    before = {k: v for k, v in answers.items() if k != "art25_provider_conversion"}
    draft = assessments.save_answers(
        actor=owner, framework="eu_ai_act", subject=subject, answers=before
    )
    RiskAssessment.objects.filter(pk=draft.pk).update(rulebook=version_4())
    draft = assessments.save_answers(
        actor=owner, framework="eu_ai_act", subject=subject, answers=answers
    )
    return assessments.complete(actor=owner, draft=draft)


def eu_obligations(model) -> set[str]:
    applying = Control.objects.filter(model=model, applies=True, framework="eu_ai_act")
    return set(applying.values_list("obligation_id", flat=True))


def test_version_4_takes_effect_the_day_after_version_3():
    assert version_4().effective_from == datetime.date(2026, 12, 8)
    day = Rulebook.objects.in_force
    assert day("eu_ai_act", on=datetime.date(2026, 12, 7)).version == 3
    assert day("eu_ai_act", on=datetime.date(2026, 12, 8)).version == 4


def test_a_bank_that_rebrands_a_vendor_system_owes_the_provider_obligations(
    owner, lending, tiered_pd_model
):
    assess_under_version_4(owner, lending, VENDOR_SCORING)
    as_deployer = eu_obligations(tiered_pd_model)
    assert not PROVIDER_DUTIES & as_deployer and "eu.art26.1" in as_deployer

    assessment = assess_under_version_4(owner, lending, REBRANDED)
    assert assessment.outcome["details"]["role"] == "provider_and_deployer"
    assert assessment.outcome["details"]["provider_under"] == ["Art. 25(1)(a)"]
    assert eu_obligations(tiered_pd_model) - as_deployer >= PROVIDER_DUTIES
    assert {"eu.art26.1", "eu.art27.1", "eu.art86"} <= eu_obligations(tiered_pd_model)


def test_the_result_page_says_why_the_deployer_is_the_provider_in_words(client, owner, lending):
    assess_under_version_4(owner, lending, REBRANDED)
    assert risk_selectors.in_force_at(lending, "eu_ai_act").rulebook == version_4()
    client.force_login(owner)
    page = client.get(reverse("risk:usecase-result", args=["loan-decisions", "eu_ai_act"]))
    text = page.content.decode()
    assert "Deployer considered the provider (Art. 25)" in text
    assert "Considered its provider under" in text and "Art. 25(1)(a)" in text
    assert "Provider and deployer" in text
    assert "eu.art25" not in text and "provider_under" not in text
    assert "own_name_or_trademark" not in text and "provider_and_deployer" not in text


def test_on_8_december_the_daily_task_moves_a_version_3_result_onto_version_4_unchanged(
    owner, lending
):
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)):
        old = assess(owner, lending, "eu_ai_act", VENDOR_SCORING)
    assert old.rulebook.version == 3
    with time_machine.travel(dt.datetime(2026, 12, 8, 6, tzinfo=dt.UTC)):
        assert assessments.apply_in_force() >= 1
        new = risk_selectors.in_force_at(lending, "eu_ai_act")
    assert new.rulebook == version_4() and new.pk != old.pk
    assert (new.result, new.answers) == (old.result, old.answers)
    assert new.outcome["legal_basis"] == old.outcome["legal_basis"]
    assert new.outcome["details"]["role"] == "deployer"
