"""Codes read as words: a rule's name, a stored value, a code's label."""

import pytest

from governance.labels import rule_label, signal_label, value_label


@pytest.mark.parametrize(
    ("rule", "name"),
    [
        ("tier.score.threshold", "Tier from the score's thresholds"),
        ("tier.factor.exposure", "Scorecard factor"),
        ("eu.art5.emotion_recognition_work_education", "Prohibited practice"),
        ("eu.art6.3.profiling", "Annex III use with profiling: always high risk"),
        ("scope.sr_26_2.ai_carve_out", "SR 26-2 carve-out for generative and agentic AI"),
        ("new.rule_family", "New rule family"),
    ],
)
def test_a_rule_reads_as_its_name_or_its_familys(rule, name):
    assert rule_label(rule) == name


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        ("", "—"),
        (True, "Yes"),
        (0.08272262935820562, "0.08272"),
        ("tier_1", "Tier 1 (high)"),
        (["sr_26_2", "eu_ai_act"], "SR 26-2, EU AI Act"),
        ({"annex_iii_area": "none"}, "Annex III area: None of these"),
        ("2026-12-21", "21 Dec 2026"),
        ("2026-12-07T06:39:04.930450+00:00", "7 Dec 2026, 06:39 UTC"),
        ("b016c06da6848c47", "b016c06da6848c47"),
        ("Art. 5(1)(c)", "Art. 5(1)(c)"),
    ],
)
def test_a_stored_value_reads_as_words(value, shown):
    assert value_label(value) == shown


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("fairness:demographic_parity_difference", "Fairness: demographic parity difference"),
        ("metric:hallucination_rate", "Metric: hallucination rate"),
        ("evaluation:pass_rate[jailbreak-redteam]", "Evaluation: pass rate for jailbreak-redteam"),
        ("drift:psi[income]", "Drift: PSI for income"),
        ("freshness:days_since_data", "Freshness: days since data"),
    ],
)
def test_a_monitoring_threshold_key_reads_as_words(key, shown):
    assert signal_label(key) == shown
