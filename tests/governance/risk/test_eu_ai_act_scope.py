"""The EU AI Act rulebook version 3 in the app: Art. 2 "outside the Act" on the pages, the
checklist and the evidence pack; who owes Art. 27 and Art. 86; answers stored under version 2
moved onto version 3 unchanged but for the corrected citations."""

import datetime

import pytest
from django.urls import reverse

from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, RiskAssessment
from governance.risk.services import assessments
from governance.rulebooks.models import Rulebook
from registry.models import OrganisationProfile
from reports.packs import glossary, summary
from tests.risk_answers import EU_CREDIT_SCORING, EU_MINIMAL, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")

MILITARY = {
    **EU_MINIMAL,
    "role": "provider",
    "art2_exclusions": ["military_defence_national_security"],
}


DAY_OF_VERSION_3 = datetime.date(2026, 12, 7)


def eu_rulebook(version: int) -> Rulebook:
    return Rulebook.objects.get(kind="eu_ai_act", version=version)


def test_version_3_is_the_eu_ai_act_rulebook_in_force_on_7_december():
    # Version 4 (Art. 25) takes effect on 8 December: test_eu_ai_act_art25.py.
    assert Rulebook.objects.in_force("eu_ai_act", on=DAY_OF_VERSION_3).version == 3
    assert Rulebook.objects.in_force("obligations", "eu_ai_act").version == 3


def test_outside_the_act_drops_every_eu_obligation_and_keeps_the_model_risk_ones(
    owner, lending, tiered_pd_model
):
    assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    applying = Control.objects.filter(model=tiered_pd_model, applies=True)
    assert applying.filter(framework="eu_ai_act").exists()
    model_risk = set(
        applying.exclude(framework="eu_ai_act").values_list("obligation_id", flat=True)
    )
    assessment = assess(owner, lending, "eu_ai_act", MILITARY)
    assert assessment.result == "outside_act"
    assert assessment.outcome["legal_basis"] == ["Art. 2(3)"]
    assert not applying.filter(framework="eu_ai_act").exists()
    kept = set(applying.exclude(framework="eu_ai_act").values_list("obligation_id", flat=True))
    assert kept == model_risk and kept
    assert risk_selectors.outcomes_for(tiered_pd_model)["eu_ai_act"].result == "outside_act"


def test_the_result_and_model_pages_say_outside_the_act_in_words(
    client, owner, lending, tiered_pd_model
):
    assess(owner, lending, "eu_ai_act", MILITARY)
    client.force_login(owner)
    result = client.get(reverse("risk:usecase-result", args=["loan-decisions", "eu_ai_act"]))
    text = result.content.decode()
    assert "Outside the EU AI Act (Art. 2)" in text and "Art. 2(3)" in text
    assert "outside_act" not in text and "eu.art2" not in text
    model_page = client.get(tiered_pd_model.get_absolute_url()).content.decode()
    assert "Outside the EU AI Act (Art. 2)" in model_page


def test_the_evidence_pack_names_the_category_and_lists_it_in_its_glossary():
    nothing = {
        "status": "",
        "lifecycle": "",
        "gates": [],
        "open_findings": [],
        "obligations": {"due": [], "not_yet_due": []},
        "monitoring": {
            "metrics": [],
            "fairness": "",
            "drift": "",
            "open_alerts": 0,
            "incidents": 0,
        },
        "last_validation": None,
    }
    figures = summary.figures(nothing, "", "outside_act")
    assert figures["EU AI Act category"] == "Outside the EU AI Act (Art. 2)"
    category = next(t for t in glossary.entries() if t.term == "EU AI Act category")
    assert "Outside the EU AI Act (Art. 2)" in category.labels


def test_an_assessment_made_under_version_2_moves_onto_version_3_with_the_corrected_citation(
    owner, lending
):
    draft = assessments.save_answers(
        actor=owner, framework="eu_ai_act", subject=lending, answers=EU_CREDIT_SCORING
    )
    RiskAssessment.objects.filter(pk=draft.pk).update(rulebook=eu_rulebook(2))
    draft.refresh_from_db()
    old = assessments.complete(actor=owner, draft=draft)
    assert "Art. 6(3) second subparagraph" in old.outcome["legal_basis"]

    assert assessments.apply_in_force() >= 1

    new = risk_selectors.in_force_at(lending, "eu_ai_act")
    # Version 3 today, version 4 (the same citations for these answers) from 8 December.
    assert new.rulebook == Rulebook.objects.in_force("eu_ai_act") and new.pk != old.pk
    assert new.rulebook.version >= 3
    assert (new.result, new.answers) == (old.result, old.answers)
    assert new.outcome["legal_basis"] == [
        "Art. 6(2)",
        "Annex III 5(b)",
        "Art. 6(3) third subparagraph",
        "Art. 27(1)",  # a credit-scoring deployer owes the impact assessment
        "Art. 86(1)",
        "Art. 4",
    ]
    old.refresh_from_db()
    assert old.status == "superseded"


RECRUITMENT = {
    **EU_MINIMAL,
    "annex_iii_area": ["employment"],
    "annex_iii_point": ["recruitment"],
    "art6_3_conditions": ["none"],
    "profiles_natural_persons": False,
    "public_service_deployer": False,
}


def eu_obligations(model) -> set[str]:
    applying = Control.objects.filter(model=model, applies=True, framework="eu_ai_act")
    return set(applying.values_list("obligation_id", flat=True))


def test_a_private_deployer_of_a_recruitment_tool_owes_an_explanation_but_no_impact_assessment(
    owner, lending, tiered_pd_model
):
    assess(owner, lending, "eu_ai_act", RECRUITMENT)
    owed = eu_obligations(tiered_pd_model)
    assert "eu.art86" in owed and "eu.art26.1" in owed
    assert not {"eu.art27.1", "eu.art27.3"} & owed
    explanation = Control.objects.get(model=tiered_pd_model, obligation_id="eu.art86")
    assert explanation.reference == "Art. 86(1)"


def test_a_credit_scoring_deployer_owes_the_impact_assessment_whoever_it_is(
    owner, lending, tiered_pd_model
):
    assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    assert {"eu.art27.1", "eu.art27.3", "eu.art86"} <= eu_obligations(tiered_pd_model)
    testing = Control.objects.get(model=tiered_pd_model, obligation_id="eu.art9.6")
    assert testing.reference == "Art. 9(8)"


def test_the_organisation_profile_says_whether_the_deployer_is_a_public_body(lending):
    OrganisationProfile.objects.update_or_create(pk=1, defaults={"public_body": True})
    _, answers = risk_selectors.starting_answers(lending, "eu_ai_act")
    assert answers["public_service_deployer"] is True


def test_the_questionnaire_takes_several_annex_iii_areas_and_the_result_cites_each_use(
    client, owner, lending
):
    answers = {
        **EU_MINIMAL,
        "annex_iii_area": ["biometrics", "employment"],
        "annex_iii_point": ["emotion_recognition", "work_relationship_decisions"],
        "art6_3_conditions": ["none"],
        "profiles_natural_persons": False,
        "emotion_or_biometric_categorisation": True,
    }
    posted = {"shown": list(answers)}
    for key, value in answers.items():
        posted[key] = (
            {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        )
    client.force_login(owner)
    response = client.post(
        reverse("risk:usecase-classify", args=["loan-decisions", "eu_ai_act"]), posted
    )
    assert response.status_code == 302
    assessment = risk_selectors.in_force_at(lending, "eu_ai_act")
    assert assessment.answers["annex_iii_area"] == ["biometrics", "employment"]
    assert assessment.outcome["legal_basis"][:3] == [
        "Art. 6(2)",
        "Annex III 1(c)",
        "Annex III 4(b)",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Annex III 1(c)" in page and "Annex III 4(b)" in page
