"""The first page's words, written from plain figures: the status rule, singular and plural,
and nothing said that the figures do not hold."""

from reports.kpis import COUNT, SHARE, Figure, narrative
from reports.kpis.narrative import AMBER, CALM, GREEN, NO_DATA, RED, status


def figure(key: str, label: str, *series: float | None, unit: str = COUNT, better: str = "lower"):
    return Figure(key, label, tuple(series), unit, better)


def test_a_quiet_month_is_green_and_says_why():
    found = status([figure("findings_overdue", "Overdue findings", 0, 0)], severity="High")
    assert found.level == GREEN and found.label == "Green"
    assert found.reasons == (CALM,)
    assert CALM.startswith("nothing is past its date")


def test_an_expired_validation_in_production_makes_the_status_red_whatever_else_is_late():
    figures = [
        figure("expired_validation", "Production models on an expired validation", 0, 3),
        figure("findings_overdue", "Overdue findings", 2, 2),
    ]
    found = status(figures, severity="High")
    assert found.level == RED
    assert found.reasons == ("3 models in production run on an expired validation",)


def test_counts_read_in_the_singular_and_the_plural_with_the_severity_people_read():
    figures = [
        figure("high_findings_overdue", "Overdue high findings", 0, 1),
        figure("waivers_expiring", "Waivers expiring", 1, 2, better=""),
        figure("conditions_overdue", "Conditions past due", 0, 1),
    ]
    words = narrative(figures, severity="High")
    assert words.status.level == RED
    assert words.decisions == (
        "1 high finding is overdue.",
        "1 approval condition is past its due date.",
        "2 waivers expire within 30 days.",
    )


def test_amber_when_only_dates_slipped_or_monitoring_falls_short():
    figures = [
        figure("reviews_overdue", "Periodic reviews overdue", 0, 1),
        figure(
            "monitoring_sla", "Monitoring SLA adherence", 0.95, 0.8, unit=SHARE, better="higher"
        ),
    ]
    found = status(figures, severity="High")
    assert found.level == AMBER
    assert found.reasons == (
        "1 periodic review is overdue",
        "monitoring SLA adherence is 80.0%, below 90%",
    )


def test_better_and_worse_name_the_figures_that_moved_with_their_printed_values():
    figures = [
        figure("findings_open", "Open findings", 5, 3),
        figure("drift_incidents", "Drift incidents", 0, 1),
        figure("inventory", "Models in the inventory", 10, 12, better=""),  # neither way is news
        figure("approval_cycle", "Approval cycle time", None, 4.0, unit="days"),  # no change
    ]
    words = narrative(figures, severity="High")
    assert words.better == ("Open findings fell from 5 to 3.",)
    assert words.worse == ("Drift incidents rose from 0 to 1.",)
    assert words.decisions == ()


def test_every_number_in_the_sentences_is_a_figure_as_printed():
    figures = [
        figure("findings_open", "Open findings", 1200, 1500),
        figure("high_findings_overdue", "Overdue high findings", 1, 1234),
    ]
    words = narrative(figures, severity="High")
    assert words.worse == (
        "Open findings rose from 1,200 to 1,500.",
        "Overdue high findings rose from 1 to 1,234.",
    )
    assert words.decisions == ("1,234 high findings are overdue.",)


def test_an_empty_inventory_has_no_status_rather_than_a_green_one():
    figures = [figure("inventory", "Models in the inventory", 0, 0, better="")]
    found = status(figures, severity="High")
    assert (found.level, found.label) == (NO_DATA, "No data")
    assert found.reasons == ("no model was in the inventory at the month's end",)
