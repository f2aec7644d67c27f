"""The law at any date: the same answers classified under the rulebook in force on a day, with
whether each application date had passed that day worked out when read, never stored."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from governance.errors import DomainError
from governance.risk import selectors as risk_selectors
from governance.risk.models import RiskAssessment
from governance.risk.rules import results
from governance.risk.rules.results import Outcome
from tests.risk_answers import EU_CREDIT_SCORING, EU_MINIMAL, EU_WORKPLACE_EMOTIONS, assess

RULEBOOKS = Path(__file__).resolve().parents[3] / "governance" / "rulebooks" / "data" / "eu_ai_act"
TODAY = date(2026, 12, 7)

TRANSPARENCY = {**EU_MINIMAL, "interacts_with_people": True}
GPAI = {
    **EU_MINIMAL,
    "role": "provider",
    "gpai_model": True,
    "training_compute_flops": 1e24,
    "gpai_designated_systemic": False,
}
ANNEX_I = {**EU_MINIMAL, "annex_i_product": True, "annex_i_third_party_assessment": True}
OMNIBUS_BAN = {**EU_MINIMAL, "prohibited_practices": ["intimate_imagery_csam"]}


def application_date(file: str, label: str, practice: str = "") -> tuple[int, date]:
    """The rulebook file's version and the date it gives a label (a practice's, for a ban)."""
    book = yaml.safe_load((RULEBOOKS / file).read_text(encoding="utf-8"))
    if practice:
        return book["version"], next(
            p["applies_from"] for p in book["practices"] if p["key"] == practice
        )
    return book["version"], book["application_dates"][label]


# (answers, label, the rulebook in force around that date, practice for a ban)
CASES = [
    (EU_WORKPLACE_EMOTIONS, "prohibited", "2024-1689.yaml", "emotion_recognition_work_education"),
    (GPAI, "gpai", "2024-1689.yaml", ""),
    (TRANSPARENCY, "transparency_interaction", "2026-digital-omnibus.yaml", ""),
    (OMNIBUS_BAN, "prohibited", "2026-digital-omnibus.yaml", "intimate_imagery_csam"),
    (EU_CREDIT_SCORING, "high_risk_annex_iii", "2026-12-open-answers-and-transition.yaml", ""),
    (ANNEX_I, "high_risk_annex_i", "2026-12-open-answers-and-transition.yaml", ""),
]
IDS = ["art5_ban", "gpai", "art50", "omnibus_ban", "annex_iii", "art6_1_annex_i"]


@pytest.mark.parametrize(("answers", "label", "file", "practice"), CASES, ids=IDS)
def test_the_same_answers_apply_from_the_day_the_rulebook_in_force_then_says(
    shipped_rulebooks, owner, lending, answers, label, file, practice
):
    assess(owner, lending, "eu_ai_act", answers)
    version, applies_from = application_date(file, label, practice)
    for day, applies in ((applies_from - timedelta(days=1), False), (applies_from, True)):
        then = risk_selectors.classified_as_of(lending, "eu_ai_act", day, today=TODAY).then
        assert then.rulebook.version == version, day
        assert label in then.outcome.labels
        assert (label, applies_from, applies) in then.applications, day
        assert then.details["in_force"][label] is applies


def test_the_original_annex_iii_date_passes_without_its_obligations_once_the_omnibus_moved_it(
    shipped_rulebooks, owner, lending
):
    assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    _, original = application_date("2024-1689.yaml", "high_risk_annex_iii")
    found = risk_selectors.classified_as_of(lending, "eu_ai_act", original, today=TODAY)
    assert found.then.rulebook.version == 2
    assert found.then.details["in_force"]["high_risk_annex_iii"] is False
    assert found.then.details["applies_from"]["high_risk_annex_iii"] == "2027-12-02"


def test_classifying_as_of_a_date_writes_nothing(shipped_rulebooks, owner, lending):
    assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    before = list(RiskAssessment.objects.values_list("pk", "status", "outcome"))
    risk_selectors.classified_as_of(lending, "eu_ai_act", date(2025, 3, 1), today=TODAY)
    assert list(RiskAssessment.objects.values_list("pk", "status", "outcome")) == before


def test_what_differs_from_today_is_listed(shipped_rulebooks, owner, lending):
    assess(owner, lending, "eu_ai_act", {**EU_CREDIT_SCORING, "interacts_with_people": True})
    found = risk_selectors.classified_as_of(
        lending, "eu_ai_act", date(2026, 8, 1), today=date(2027, 12, 2)
    )
    assert found.today is not None and found.changes is not None
    assert found.then.rulebook.version == 2 and found.today.rulebook.version == 5
    changed = {label: (then, now) for label, then, now in found.changes.in_force_changed}
    assert changed["high_risk_annex_iii"] == (False, True)
    assert changed["transparency_interaction"] == (False, True)
    assert "ai_literacy" not in changed  # in force on both days
    assert found.changes.result is None


def test_a_date_before_the_first_rulebook_says_when_the_first_took_effect(
    shipped_rulebooks, owner, lending
):
    assess(owner, lending, "eu_ai_act", EU_MINIMAL)
    with pytest.raises(DomainError) as refused:
        risk_selectors.classified_as_of(lending, "eu_ai_act", date(2024, 7, 31), today=TODAY)
    assert refused.value.field == "date"
    assert "31 July 2024" in refused.value.error_text
    assert "1 August 2024" in refused.value.error_text


def test_an_answer_the_rules_of_that_day_need_is_named_in_words(shipped_rulebooks, owner, lending):
    assess(owner, lending, "eu_ai_act", EU_CREDIT_SCORING)
    # Stored answers from before a question existed in this shape: the rules then need it.
    current = risk_selectors.in_force_at(lending, "eu_ai_act")
    RiskAssessment.objects.filter(pk=current.pk).update(
        answers={k: v for k, v in current.answers.items() if k != "annex_iii_point"}
    )
    with pytest.raises(DomainError) as refused:
        risk_selectors.classified_as_of(lending, "eu_ai_act", date(2025, 3, 1), today=TODAY)
    assert refused.value.field == "answers.annex_iii_point"
    assert "annex_iii_point" not in refused.value.error_text
    assert "Which uses" in refused.value.error_text


def test_nothing_classified_yet_and_tiering_are_refused_naming_why(
    shipped_rulebooks, owner, lending, credit_pd_model
):
    with pytest.raises(DomainError) as refused:
        risk_selectors.classified_as_of(lending, "eu_ai_act", TODAY)
    assert refused.value.field == "answers"
    with pytest.raises(DomainError) as refused:
        risk_selectors.classified_as_of(credit_pd_model, "tiering", TODAY)
    assert refused.value.field == "framework"


# ---- Pure: in force is worked out when read ------------------------------------------------------


def test_in_force_compares_each_application_date_with_the_day_read():
    applies = {"gpai": "2025-08-02", "high_risk_annex_iii": "2027-12-02"}
    assert results.in_force(applies, date(2025, 8, 1)) == {
        "gpai": False,
        "high_risk_annex_iii": False,
    }
    assert results.in_force(applies, date(2027, 12, 2)) == {
        "gpai": True,
        "high_risk_annex_iii": True,
    }


def test_a_stored_in_force_flag_is_ignored_when_read():
    stored = {"applies_from": {"gpai": "2025-08-02"}, "in_force": {"gpai": False}, "role": "x"}
    assert results.details_on(stored, date(2026, 1, 1)) == {
        "applies_from": {"gpai": "2025-08-02"},
        "in_force": {"gpai": True},
        "role": "x",
    }
    assert results.details_on({"score": 4.5, "in_force": {}}, TODAY) == {"score": 4.5}


def test_changes_list_labels_and_citations_added_and_removed():
    then = Outcome("eu_ai_act", "minimal", ("Art. 95", "Art. 4"), (), ("minimal", "ai_literacy"))
    now = Outcome("eu_ai_act", "gpai", ("Art. 53", "Art. 4"), (), ("gpai", "ai_literacy"))
    found = results.changes(then, TODAY, now, TODAY)
    assert found.result == ("minimal", "gpai")
    assert (found.labels_added, found.labels_removed) == (("gpai",), ("minimal",))
    assert (found.citations_added, found.citations_removed) == (("Art. 53",), ("Art. 95",))
    assert found.any and not results.changes(then, TODAY, then, TODAY).any
