"""MLOps maturity by business unit from plain rows: the level rule, and what a month measured."""

from datetime import UTC, datetime

from reports import kpis
from reports.kpis import AlertRow, Deployment, MonthData, Policy, Practice, Push, VersionRow
from reports.kpis.maturity import assess
from tests.reports.test_kpis import VOCABULARY, ModelRow, periods

FULL = Practice(models=4, monitored=1.0, pushing=1.0, automated=1.0, answered=0.5, gated=1.0)


def on(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def practice(**changes: float | None) -> Practice:
    return Practice(**{**FULL.__dict__, **changes})


def test_a_unit_doing_everything_reaches_level_3():
    assert assess(FULL) == kpis.Assessment(3, ())
    assert assess(FULL).label == "Governed continuous delivery"


def test_each_level_needs_the_ones_below_it_and_says_what_is_missing():
    assert assess(practice(monitored=0.2)) == kpis.Assessment(0, ("most models monitored",))
    assert assess(practice(pushing=None)).level == 0  # no production model: nothing pushed
    assert assess(practice(automated=0.4)) == kpis.Assessment(
        1, ("most new versions registered by a pipeline",)
    )
    assert assess(practice(answered=3.0)).missing == ("alerts answered within 2 days",)
    assert assess(practice(gated=0.5)) == kpis.Assessment(2, ("every deployment through a gate",))


def test_nothing_to_answer_or_to_deploy_does_not_hold_a_unit_back():
    assert assess(practice(answered=None, gated=None)).level == 3


def test_a_month_is_measured_per_business_unit_against_the_month_before():
    models = (
        ModelRow(1, "pd", "Retail PD", on(8, 1), "production", "Retail"),
        ModelRow(2, "lgd", "Retail LGD", on(8, 1), "development", "Retail"),
        ModelRow(3, "aml", "AML", on(10, 2), "production", "Crime"),
    )
    data = MonthData(
        periods=periods(),
        vocabulary=VOCABULARY,
        models=models,
        production=(
            Deployment(1, on(8, 10), None, True),
            Deployment(3, on(10, 3), None, False),
        ),
        policies=(Policy(1, on(9, 1)), Policy(2, on(10, 5)), Policy(3, on(10, 3))),
        pushes=(Push(1, on(10, 4)), Push(3, on(10, 4)), Push(1, on(9, 4))),
        versions=(VersionRow(1, on(10, 1), True), VersionRow(2, on(10, 8), False)),
        alerts=(AlertRow(3, "drift:psi", "critical", on(10, 10), None, on(10, 11)),),
    )
    crime, retail = kpis.monthly_figures(data).maturity
    assert retail.business_unit == "Retail"
    assert retail.practice == Practice(
        models=2, monitored=1.0, pushing=1.0, automated=0.5, answered=None, gated=None
    )
    assert (retail.assessment.level, retail.previous.level, retail.change) == (2, 1, 1)
    assert crime.practice.answered == 1.0 and crime.practice.gated == 0.0
    assert (crime.assessment.level, crime.previous, crime.change) == (1, None, None)
