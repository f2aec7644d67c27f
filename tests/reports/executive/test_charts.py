"""Charts are drawn only when there is something to show: no axes around zeros."""

from reports import kpis
from reports.executive import render
from tests.reports.test_kpis import VOCABULARY, ModelRow, on, periods


def test_a_month_with_nothing_to_show_draws_no_chart_at_all():
    report = kpis.monthly_figures(kpis.MonthData(periods=periods(), vocabulary=VOCABULARY))
    assert {chart for _, figures in render.sections(report) for _, chart in figures} == {""}
    assert {chart for _, chart in render.comparisons(report)} == {""}


def test_a_figure_with_a_value_is_drawn_and_the_empty_ones_beside_it_are_not():
    model = ModelRow(1, "pd", "Retail PD", on(8, 1), "development", "Retail")
    data = kpis.MonthData(periods=periods(), vocabulary=VOCABULARY, models=(model,))
    report = kpis.monthly_figures(data)
    charts = {
        figure.key: chart for _, figures in render.sections(report) for figure, chart in figures
    }
    assert charts["inventory"].startswith("<svg") and charts["in_production"] == ""
    drawn = {breakdown.key for breakdown, chart in render.comparisons(report) if chart}
    assert drawn == {"status", "tier", "category", "business_unit"}
