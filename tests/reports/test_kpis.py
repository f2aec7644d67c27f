"""The executive KPIs on a hand-built portfolio whose every figure is worked out by hand.

September and October 2026 (UTC), reported as of 20 November. No database: plain rows in,
figures out.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from reports import kpis
from reports.kpis import (
    AlertRow,
    Classification,
    CostSample,
    Decision,
    Deployment,
    FieldChange,
    FindingRow,
    FirstProduction,
    ModelRow,
    MonthData,
    Review,
    SafetyRun,
    Vocabulary,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
VOCABULARY = Vocabulary(
    statuses=(
        ("development", "Development"),
        ("validation", "Validation"),
        ("production", "Production"),
        ("retired", "Retired"),
    ),
    retired="retired",
    tiers=(("tier_1", "Tier 1"), ("tier_2", "Tier 2"), ("tier_3", "Tier 3")),
    categories=(("prohibited", "Prohibited"), ("high_risk", "High risk"), ("minimal", "Minimal")),
    finding_severities=(("high", "High"), ("medium", "Medium"), ("low", "Low")),
    alert_severities=(("critical", "Critical"), ("warning", "Warning")),
)
PD, FRAUD, CHAT, LATE = 1, 2, 3, 4


def on(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def periods(month: date = date(2026, 10, 1), count: int = 2) -> tuple[kpis.Period, ...]:
    return kpis.months_ending(month, count, UTC, now=NOW)


def portfolio() -> MonthData:
    """Four models; what happened to them in August to November, one row type at a time."""
    return MonthData(
        periods=periods(),
        vocabulary=VOCABULARY,
        models=(
            ModelRow(PD, "pd", "Retail PD", on(8, 1), "production", "Retail"),
            ModelRow(FRAUD, "fraud", "Card fraud", on(8, 1), "retired", "Crime"),
            ModelRow(CHAT, "chat", "Assistant", on(9, 15), "validation", "Ops"),
            ModelRow(LATE, "late", "Late", on(11, 2), "development", "Ops"),
        ),
        changes=(
            FieldChange(PD, on(8, 1), "status", None, "development"),
            FieldChange(PD, on(10, 5), "status", "development", "production"),
            FieldChange(FRAUD, on(8, 1), "status", None, "production"),
            FieldChange(FRAUD, on(10, 20), "status", "production", "retired"),
            # The assistant's registration left no trail: its status now stands for every month.
            FieldChange(CHAT, on(10, 10), "business_unit", "Support", "Ops"),
        ),
        tiers=(
            Classification(PD, "tier_3", on(8, 1), on(10, 1)),
            Classification(PD, "tier_1", on(10, 1), None),
            Classification(FRAUD, "tier_2", on(8, 1), None),
        ),
        categories=(
            Classification(10, "minimal", on(8, 1), None),
            Classification(11, "high_risk", on(9, 20), None),
        ),
        use_cases=((10, PD), (10, CHAT), (11, PD)),
        production=(
            Deployment(PD, on(10, 5), None),
            Deployment(FRAUD, on(8, 10), on(10, 20)),
        ),
        first_production=(
            FirstProduction(100, PD, on(9, 3), on(10, 5)),  # 32 days
            FirstProduction(101, PD, on(10, 10), on(10, 8)),  # recorded after the fact
            FirstProduction(200, FRAUD, on(8, 1), on(8, 10)),
        ),
        decisions=(
            Decision(on(9, 10), on(9, 14)),  # 4 days, September
            Decision(on(9, 20), on(10, 2)),  # 12 days, October
            Decision(on(10, 1), on(10, 4)),  # 3 days
            Decision(on(10, 1), on(10, 7)),  # 6 days
        ),
        reviews=(
            Review(PD, on(9, 20), date(2026, 10, 15), None),
            Review(FRAUD, on(9, 1), date(2026, 9, 30), on(10, 3)),
            Review(CHAT, on(10, 20), date(2026, 11, 30), None),
        ),
        findings=(
            FindingRow(PD, "high", on(9, 20), date(2026, 10, 10), on(10, 25)),
            FindingRow(PD, "medium", on(10, 12), date(2026, 10, 20)),
            # Accepted as a risk on 10 September until 15 October: open again after that.
            FindingRow(FRAUD, "low", on(8, 5), date(2026, 12, 1), on(9, 10), date(2026, 10, 15)),
            FindingRow(CHAT, "high", on(11, 3), date(2026, 12, 1)),
        ),
        alerts=(
            AlertRow(PD, "drift:psi", "critical", on(9, 5), on(9, 25)),
            AlertRow(PD, "fairness:demographic_parity_difference", "warning", on(10, 3), None),
            AlertRow(FRAUD, "freshness:days_since_data", "warning", on(9, 28), on(10, 2)),
            AlertRow(PD, "drift:psi", "critical", on(10, 30), None),
        ),
        costs=(
            CostSample(CHAT, on(9, 28), 0.003),
            CostSample(CHAT, on(10, 20), 0.002),  # the latest of the month counts
            CostSample(CHAT, on(10, 3), 0.004),
            CostSample(FRAUD, on(10, 5), 0.006),
        ),
        safety_runs=(
            SafetyRun(on(9, 2), 400, 380),
            SafetyRun(on(9, 9), 100, 100),
            SafetyRun(on(10, 2), 200, 150),
        ),
    )


@pytest.fixture(scope="module")
def report() -> kpis.MonthlyFigures:
    return kpis.monthly_figures(portfolio())


# ---- Each figure ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "september", "october"),
    [
        ("inventory", 3, 2),  # the card-fraud model retired in October; "late" came in November
        ("in_production", 1, 1),
        ("shipped", 0, 2),
        ("time_to_production", None, 32.0),  # version 101 went live before it was registered
        ("decisions", 1, 3),
        ("approval_cycle", 4.0, 6.0),  # median of 12, 3 and 6 days
        ("findings_open", 1, 2),
        ("findings_overdue", 0, 2),  # the medium one past its date, the lapsed acceptance
        ("reviews_due", 1, 1),
        ("reviews_overdue", 1, 1),
        ("drift_incidents", 1, 1),
        ("fairness_incidents", 0, 1),
        ("monitoring_sla", 0.0, 1.0),  # card fraud was stale at the end of September
        ("cost_per_request", 0.003, pytest.approx(0.004)),  # mean of 0.002 and 0.006
        ("safety_pass_rate", 0.96, 0.75),  # 480 of 500 cases, then 150 of 200
    ],
)
def test_each_figure_for_both_months(report, key, september, october):
    assert report.figure(key).series == (september, october)


@pytest.mark.parametrize(
    ("key", "september", "october"),
    [
        (
            "status",
            {"Development": 1, "Validation": 1, "Production": 1, "Retired": 0},
            {"Development": 0, "Validation": 1, "Production": 1, "Retired": 1},
        ),
        (
            "tier",
            {"Tier 1": 0, "Tier 2": 1, "Tier 3": 1, "Not tiered": 1},
            {"Tier 1": 1, "Tier 2": 0, "Tier 3": 0, "Not tiered": 1},
        ),
        (
            "category",
            {"Prohibited": 0, "High risk": 1, "Minimal": 1, "Not classified": 1},
            {"Prohibited": 0, "High risk": 1, "Minimal": 1, "Not classified": 0},
        ),
        ("business_unit", {"Ops": 0, "Retail": 1, "Crime": 1, "Support": 1}, None),
        ("severity", {"High": 1, "Medium": 0, "Low": 0}, {"High": 0, "Medium": 1, "Low": 1}),
    ],
)
def test_each_breakdown_lists_its_values_in_report_order(report, key, september, october):
    rows = report.breakdown(key).rows
    assert {row.label: row.previous for row in rows} == september
    if october is not None:
        assert [row.label for row in rows] == list(october)
        assert {row.label: row.value for row in rows} == october


def test_values_outside_the_vocabulary_follow_by_latest_count_then_name(report):
    rows = report.breakdown("business_unit").rows
    assert [(row.label, row.value) for row in rows] == [
        ("Ops", 1),
        ("Retail", 1),
        ("Crime", 0),
        ("Support", 0),
    ]


def test_top_risks_rank_the_most_severe_first_with_reasons_and_last_months_rank(report):
    assert [(r.rank, r.slug, r.tier, r.reasons, r.previous_rank) for r in report.top_risks] == [
        (
            1,
            "pd",
            "Tier 1",
            (
                "1 medium finding open (1 overdue)",
                "Critical alert on drift: PSI",
                "Warning alert on fairness: demographic parity difference",
            ),
            1,
        ),
        (2, "fraud", "Tier 2", ("1 low finding open (1 overdue)",), 2),
    ]


def test_every_figure_prints_its_definition_from_the_code(report):
    assert all(f.definition for f in report.figures)
    assert report.figure("approval_cycle").definition.startswith("Median days from submission")
    assert report.breakdown("tier").definition.startswith("Models not retired")


# ---- Edge cases --------------------------------------------------------------------------------


def test_an_empty_portfolio_counts_zero_and_measures_nothing():
    report = kpis.monthly_figures(MonthData(periods=periods(), vocabulary=VOCABULARY))
    counts = ("inventory", "shipped", "decisions", "findings_open", "drift_incidents")
    assert all(report.figure(key).series == (0, 0) for key in counts)
    # No decision, no shipment, nothing in production, no case run: nothing to divide, not 0.
    for key in ("approval_cycle", "time_to_production", "monitoring_sla", "safety_pass_rate"):
        assert report.figure(key).series == (None, None)
    assert report.figure("cost_per_request").shown == "no data"
    assert report.top_risks == ()
    assert [row.value for row in report.breakdown("tier").rows] == [0, 0, 0, 0]


def test_a_month_without_decisions_has_no_cycle_time_and_no_change():
    data = MonthData(
        periods=periods(),
        vocabulary=VOCABULARY,
        decisions=(Decision(on(9, 1), on(9, 3)),),
    )
    cycle = kpis.monthly_figures(data).figure("approval_cycle")
    assert (cycle.previous, cycle.value, cycle.change) == (2.0, None, None)
    assert (cycle.shown, cycle.shown_change, cycle.verdict) == ("no data", "", "")


def test_an_event_on_the_first_instant_of_a_month_belongs_to_that_month():
    data = MonthData(
        periods=periods(),
        vocabulary=VOCABULARY,
        alerts=(AlertRow(PD, "drift:psi", "warning", on(10, 1, hour=0), on(10, 1, hour=0)),),
    )
    assert kpis.monthly_figures(data).figure("drift_incidents").series == (0, 1)


@pytest.mark.parametrize(
    ("opened", "closed", "open_at_the_end_of_september"),
    [
        (on(10, 1, hour=0), None, False),  # opened at the next month's first instant
        (on(9, 30, hour=23), on(10, 1, hour=0), True),  # closed at that instant: open before it
        (on(9, 30, hour=23), on(9, 30, hour=23), False),
    ],
)
def test_a_state_is_taken_just_before_the_next_month_starts(
    opened, closed, open_at_the_end_of_september
):
    assert kpis.live_at(opened, closed, on(10, 1, hour=0)) is open_at_the_end_of_september


def test_a_retired_model_left_deployed_is_not_in_production():
    data = MonthData(
        periods=periods(),
        vocabulary=VOCABULARY,
        models=(ModelRow(PD, "pd", "Retail PD", on(8, 1), "retired", "Retail"),),
        changes=(FieldChange(PD, on(10, 15), "status", "production", "retired"),),
        production=(Deployment(PD, on(8, 2), None),),
    )
    assert kpis.monthly_figures(data).figure("in_production").series == (1, 0)


def test_ties_between_equally_exposed_models_go_to_the_higher_tier_then_the_name():
    models = [ModelRow(n, f"m{n}", name, on(8, 1), "production", "X") for n, name in
              ((1, "Bravo"), (2, "Alpha"), (3, "Charlie"))]  # fmt: skip
    data = MonthData(
        periods=periods(),
        vocabulary=VOCABULARY,
        models=tuple(models),
        tiers=(Classification(3, "tier_1", on(8, 1), None),),
        findings=tuple(FindingRow(n, "high", on(8, 2), date(2027, 1, 1)) for n in (1, 2, 3)),
    )
    ranked = kpis.monthly_figures(data).top_risks
    assert [(r.name, r.tier) for r in ranked] == [
        ("Charlie", "Tier 1"),
        ("Alpha", "Not tiered"),
        ("Bravo", "Not tiered"),
    ]


def test_top_risks_stop_at_the_limit_and_new_ones_have_no_previous_rank():
    models = tuple(
        ModelRow(n, f"m{n}", f"Model {n}", on(8, 1), "production", "X") for n in range(12)
    )
    findings = tuple(FindingRow(n, "low", on(10, 2), date(2027, 1, 1)) for n in range(12))
    data = MonthData(periods=periods(), vocabulary=VOCABULARY, models=models, findings=findings)
    top = kpis.monthly_figures(data).top_risks
    assert [r.rank for r in top] == list(range(1, kpis.TOP_RISKS + 1))
    assert {r.previous_rank for r in top} == {None}


# ---- Months, and how figures read ---------------------------------------------------------------


def test_months_run_oldest_first_and_the_running_month_ends_now():
    september, october, november = periods(date(2026, 11, 20), 3)
    assert (september.month, october.month, november.month) == (
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    )
    assert october.end == datetime(2026, 11, 1, tzinfo=UTC) and october.complete
    assert november.end == NOW and not november.complete
    assert (october.as_of_day, november.as_of_day) == (date(2026, 11, 1), date(2026, 11, 20))


def test_months_start_at_local_midnight_across_a_clock_change():
    london = ZoneInfo("Europe/London")
    october, november = kpis.months_ending(date(2026, 11, 1), 2, london, now=NOW)
    assert october.start == datetime(2026, 9, 30, 23, tzinfo=UTC)  # BST
    assert november.start == datetime(2026, 11, 1, 0, tzinfo=UTC)  # GMT again


@pytest.mark.parametrize(
    ("month", "count", "message"),
    [(date(2026, 12, 1), 2, "December 2026 has not started yet"), (date(2026, 10, 1), 1, "two")],
)
def test_a_month_to_come_or_a_single_month_is_refused(month, count, message):
    with pytest.raises(ValueError, match=message):
        kpis.months_ending(month, count, UTC, now=NOW)


@pytest.mark.parametrize(
    ("month", "months", "expected"),
    [
        (date(2026, 11, 20), 1, date(2026, 12, 1)),
        (date(2026, 11, 1), 2, date(2027, 1, 1)),
        (date(2026, 1, 31), -1, date(2025, 12, 1)),
        (date(2026, 3, 1), -15, date(2024, 12, 1)),
    ],
)
def test_adding_months_lands_on_the_first_day(month, months, expected):
    assert kpis.add_months(month, months) == expected


@pytest.mark.parametrize(
    ("value", "change", "unit", "shown", "shown_change"),
    [
        (1234, 5, kpis.COUNT, "1,234", "+5"),
        (3, -2, kpis.COUNT, "3", "-2"),
        (3, 0, kpis.COUNT, "3", "±0"),
        (6.25, -1.04, kpis.DAYS, "6.2 days", "-1.0 days"),
        (0.9375, -0.0625, kpis.SHARE, "93.8%", "-6.2 pp"),
        (0.0021, 0.0002, kpis.COST, "0.0021", "+0.0002"),
        (0.002497, -0.000004, kpis.COST, "0.002497", "-0.000004"),
        (None, None, kpis.SHARE, "no data", ""),
    ],
)
def test_figures_print_in_their_unit(value, change, unit, shown, shown_change):
    assert (kpis.shown(value, unit), kpis.shown_change(change, unit)) == (shown, shown_change)


@pytest.mark.parametrize(
    ("series", "better", "verdict"),
    [
        ((3, 5), "higher", "good"),
        ((3, 5), "lower", "bad"),
        ((5, 3), "lower", "good"),
        ((5, 5), "lower", ""),
        ((3, 5), "", ""),
        ((None, 5), "higher", ""),
    ],
)
def test_a_change_is_good_or_bad_news_only_where_a_direction_is_better(series, better, verdict):
    assert kpis.Figure("x", "X", series, better=better).verdict == verdict
