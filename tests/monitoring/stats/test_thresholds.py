"""Threshold checks as plain data: levels, windows, sample sizes, consecutive breaches."""

from datetime import UTC, datetime, timedelta

import pytest

from monitoring.stats import readings, thresholds
from monitoring.stats.thresholds import Direction, Observation, Status, Threshold

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
AUC = Threshold("metric", "auc", Direction.HIGHER_IS_BETTER, warning=0.80, critical=0.78)
PSI = Threshold("drift", "psi", Direction.LOWER_IS_BETTER, warning=0.1, critical=0.2)


def seen(*values: float, hours_apart: int = 1, sample_size: int | None = None) -> list:
    """Observations ending now, oldest first."""
    n = len(values)
    return [
        Observation(NOW - timedelta(hours=hours_apart * (n - 1 - i)), v, sample_size)
        for i, v in enumerate(values)
    ]


@pytest.mark.parametrize(
    ("threshold", "value", "status"),
    [
        (AUC, 0.85, Status.HEALTHY),
        (AUC, 0.80, Status.HEALTHY),  # at the level is not a breach
        (AUC, 0.79, Status.WARNING),
        (AUC, 0.78, Status.WARNING),
        (AUC, 0.7799, Status.CRITICAL),
        (PSI, 0.05, Status.HEALTHY),
        (PSI, 0.15, Status.WARNING),
        (PSI, 0.25, Status.CRITICAL),
    ],
)
def test_levels_follow_the_direction(threshold, value, status):
    assert thresholds.judge(threshold, seen(value), NOW).status == status


def test_only_a_critical_level():
    only = Threshold("metric", "latency_p95_ms", Direction.LOWER_IS_BETTER, critical=150)
    assert thresholds.judge(only, seen(149), NOW).status == Status.HEALTHY
    assert thresholds.judge(only, seen(151), NOW).status == Status.CRITICAL


def test_the_newest_observation_decides_whatever_the_input_order():
    observations = list(reversed(seen(0.70, 0.85)))
    judgement = thresholds.judge(AUC, observations, NOW)
    assert (judgement.status, judgement.value) == (Status.HEALTHY, 0.85)


def test_no_data_in_the_window():
    old = [Observation(NOW - timedelta(days=40), 0.5)]
    judgement = thresholds.judge(AUC, old, NOW)
    assert judgement.status == Status.NO_DATA
    assert judgement.reason == "no data for Metric: AUC since 21 Oct 2026, 12:00"
    assert thresholds.judge(AUC, [], NOW).status == Status.NO_DATA


def test_future_observations_do_not_count_as_of_a_past_instant():
    later = [Observation(NOW + timedelta(hours=1), 0.5)]
    assert thresholds.judge(AUC, later, NOW).status == Status.NO_DATA


def test_minimum_sample_size():
    needs = Threshold(
        "metric", "auc", Direction.HIGHER_IS_BETTER, critical=0.78, min_sample_size=500
    )
    small = thresholds.judge(needs, seen(0.5, sample_size=40), NOW)
    assert small.status == Status.INSUFFICIENT
    assert "at least 500 needed" in small.reason
    # A small newest batch is skipped; the big one before it is judged.
    mixed = [Observation(NOW - timedelta(hours=2), 0.9, 1000), Observation(NOW, 0.5, 40)]
    judged = thresholds.judge(needs, mixed, NOW)
    assert (judged.status, judged.value) == (Status.HEALTHY, 0.9)
    # Observations that do not say their size are judged.
    assert thresholds.judge(needs, seen(0.5), NOW).status == Status.CRITICAL


def test_consecutive_breaches():
    three = Threshold("metric", "auc", Direction.HIGHER_IS_BETTER, warning=0.8, critical=0.78,
                      consecutive=3)  # fmt: skip
    two = thresholds.judge(three, seen(0.9, 0.7, 0.7), NOW)
    assert (two.status, two.breaches) == (Status.HEALTHY, 2)
    assert "2 of 3 consecutive breaches needed to alert" in two.reason
    broken = thresholds.judge(three, seen(0.7, 0.9, 0.7, 0.7), NOW)
    assert broken.status == Status.HEALTHY
    # Three in a row: as severe as the mildest of them.
    mixed = thresholds.judge(three, seen(0.7, 0.79, 0.7), NOW)
    assert (mixed.status, mixed.breaches) == (Status.WARNING, 3)
    all_critical = thresholds.judge(three, seen(0.9, 0.7, 0.7, 0.7), NOW)
    assert all_critical.status == Status.CRITICAL
    assert "(3 consecutive)" in all_critical.reason


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"signal": "metric", "measure": "auc", "direction": "higher", "warning": 0.7,
          "critical": 0.8}, ("critical: when higher is better the critical level (0.8) must not "
                            "be above the warning level (0.7)")),
        ({"signal": "drift", "measure": "psi", "direction": "lower", "warning": 0.2,
          "critical": 0.1}, ("critical: when lower is better the critical level (0.1) must not "
                            "be below the warning level (0.2)")),
        ({"signal": "metric", "measure": "auc", "direction": "higher"},
         "warning: set a warning level, a critical level or both"),
        ({"signal": "drift", "measure": "auc", "direction": "lower", "critical": 1},
         ("measure: drift measures are chi_square_p_value, js, ks, ks_p_value, psi, share, "
         "wasserstein")),
        ({"signal": "weather", "measure": "x", "direction": "lower", "critical": 1},
         "signal: one of metric, drift, fairness, evaluation, freshness, not 'weather'"),
        ({"signal": "metric", "measure": "auc", "direction": "up", "critical": 1},
         "direction: 'higher' or 'lower'"),
        ({"signal": "metric", "measure": "auc", "direction": "higher", "critical": 1,
          "consecutive": 0}, "consecutive: at least 1"),
        ({"signal": "metric", "measure": "auc", "direction": "higher", "critical": 1,
          "window": timedelta(0)}, "window: longer than zero"),
    ],
)  # fmt: skip
def test_contradictory_or_incomplete_thresholds_are_named(fields, problem):
    assert problem in thresholds.check_threshold(fields)


def test_the_shipped_defaults_check_clean_and_a_duplicate_is_named():
    entry = {"signal": "drift", "measure": "psi", "direction": "lower", "critical": 0.2}
    content = {"tiers": {"tier_1": [entry, dict(entry)], "tier_9": []}}
    problems = thresholds.check_defaults(content, ("tier_1", "tier_2", "tier_3"))
    assert problems == [
        "tiers.tier_9: unknown tier",
        "tiers.tier_1[1]: a second threshold for drift:psi",
    ]


def test_overall_health_is_the_worst():
    judged = [thresholds.judge(AUC, seen(v), NOW) for v in (0.9, 0.79)]
    assert thresholds.overall(j.status for j in judged) == Status.WARNING
    assert thresholds.overall(["warning", "no_data"]) == Status.WARNING
    assert thresholds.overall([]) == Status.NO_DATA
    # Checks that could not judge do not hide a judged result.
    assert thresholds.overall(["no_data", "insufficient_data", "healthy"]) == Status.HEALTHY
    assert thresholds.overall(["no_data", "insufficient_data"]) == Status.NO_DATA


def test_drift_readings_take_the_worst_matching_column():
    columns = [
        {"column": "income", "method": "psi", "score": 0.31},
        {"column": "age", "method": "PSI", "score": 0.05},
        {"column": "age", "method": "K-S p_value", "score": 0.001},
        {"column": "region", "method": "psi", "score": None},
    ]
    assert readings.drift_value(columns, 0.5, "psi", "", max) == 0.31
    assert readings.drift_value(columns, 0.5, "psi", "age", max) == 0.05
    assert readings.drift_value(columns, 0.5, "ks_p_value", "", min) == 0.001
    assert readings.drift_value(columns, 0.5, "share", "", max) == 0.5
    assert readings.drift_value(columns, 0.5, "js", "", max) is None


def test_fairness_readings_by_sensitive_feature_set():
    checks = [
        {"sensitive": ["sex"], "metrics": {"demographic_parity_difference": 0.04}},
        {"sensitive": ["sex", "age_band"], "metrics": {"demographic_parity_difference": 0.12}},
    ]
    worst = readings.fairness_value(checks, "demographic_parity_difference", "", max)
    assert worst == 0.12
    sex = readings.fairness_value(checks, "demographic_parity_difference", "sex", max)
    assert sex == 0.04
    assert readings.fairness_value(checks, "four_fifths_ratio", "", min) is None
