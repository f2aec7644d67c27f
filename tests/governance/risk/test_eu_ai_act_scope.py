"""The EU AI Act rulebook version 3 in the app: Art. 2 "outside the Act" on the pages, the
checklist and the evidence pack; answers stored under version 2 moved onto version 3 unchanged
but for the corrected citations."""

import pytest
from django.urls import reverse

from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, RiskAssessment
from governance.risk.services import assessments
from governance.rulebooks.models import Rulebook
from reports.packs import glossary, summary
from tests.risk_answers import EU_CREDIT_SCORING, EU_MINIMAL, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")

MILITARY = {
    **EU_MINIMAL,
    "role": "provider",
    "art2_exclusions": ["military_defence_national_security"],
}


def eu_rulebook(version: int) -> Rulebook:
    return Rulebook.objects.get(kind="eu_ai_act", version=version)


def test_version_3_is_the_eu_ai_act_rulebook_in_force():
    assert Rulebook.objects.in_force("eu_ai_act").version == 3
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
    assert new.rulebook == eu_rulebook(3) and new.pk != old.pk
    assert (new.result, new.answers) == (old.result, old.answers)
    assert new.outcome["legal_basis"] == [
        "Art. 6(2)",
        "Annex III 5(b)",
        "Art. 6(3) third subparagraph",
        "Art. 4",
    ]
    old.refresh_from_db()
    assert old.status == "superseded"
