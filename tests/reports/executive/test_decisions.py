"""What needs a decision at October's end, and the top risks with their owners, from plain rows.

The retail PD scorecard runs in production on a validation that expired on 20 October and has a
condition due on 15 October still unmet; the fraud model has a critical drift alert since
12 October; a waiver on the chatbot ends on 10 November, another one was revoked.
"""

from datetime import UTC, date, datetime

from reports import kpis
from reports.kpis import (
    AlertRow,
    ConditionRow,
    Deployment,
    MonthData,
    Validation,
    Waiver,
)
from tests.reports.test_kpis import VOCABULARY, ModelRow, periods

PD, FRAUD, CHAT = 1, 2, 3


def on(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def october() -> kpis.MonthlyFigures:
    data = MonthData(
        periods=periods(),
        vocabulary=VOCABULARY,
        models=(
            ModelRow(PD, "pd", "Retail PD", on(8, 1), "production", "Retail", "Olivia Bennett"),
            ModelRow(FRAUD, "fraud", "Card fraud", on(8, 1), "production", "Crime", "Felix"),
            ModelRow(CHAT, "chat", "Assistant", on(8, 1), "production", "Ops", "Hana"),
        ),
        production=(
            Deployment(PD, on(8, 10), None),
            Deployment(FRAUD, on(8, 10), None),
            Deployment(CHAT, on(8, 10), None),
        ),
        validations=(
            Validation(PD, on(3, 1), date(2026, 9, 1)),
            Validation(PD, on(8, 1), date(2026, 10, 20)),  # the latest one counts
            Validation(FRAUD, on(8, 1), None),
        ),
        conditions=(
            ConditionRow(PD, on(8, 1), date(2026, 10, 15), None),
            ConditionRow(FRAUD, on(8, 1), date(2026, 10, 15), on(10, 14)),  # met in time
        ),
        waivers=(
            Waiver(CHAT, on(9, 1), date(2026, 11, 10), None),
            Waiver(FRAUD, on(9, 1), date(2026, 11, 5), on(10, 2)),  # revoked
        ),
        alerts=(AlertRow(FRAUD, "drift:psi", "critical", on(10, 12), None),),
    )
    return kpis.monthly_figures(data)


def test_each_thing_that_needs_a_decision_is_a_figure_with_last_month_beside_it():
    report = october()
    assert report.figure("expired_validation").series == (0, 1)  # expired on 20 October
    assert report.figure("conditions_overdue").series == (0, 1)
    assert report.figure("failing_monitoring").series == (0, 1)
    assert report.figure("waivers_expiring").series == (0, 1)
    assert report.figure("high_findings_overdue").series == (0, 0)


def test_top_risks_say_what_who_owns_it_and_since_when():
    risks = october().top_risks
    assert [(r.name, r.owner, r.since, r.reasons) for r in risks] == [
        ("Card fraud", "Felix", date(2026, 10, 12), ("Critical alert on drift: PSI",)),
        (
            "Retail PD",
            "Olivia Bennett",
            date(2026, 10, 16),
            (
                "in production on a validation that expired on 20 Oct 2026",
                "1 approval condition past due",
            ),
        ),
    ]
    assert all(r.previous_rank is None for r in risks)
