"""Drawing the executive report: the month's figures as sections and charts, and as one PDF.

Byte for byte reproducible: the document's dates are the month's end and its file identifier is
derived from the month, so the same month's data gives the same PDF in any process (WeasyPrint
would otherwise stamp "now" and a content hash). The charts and sections are the dashboard's:
both start from `selectors.figures` and draw it through `sections` and `comparisons`.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date
from itertools import groupby

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string

from monitoring import charts
from reports import kpis
from reports.executive import selectors

TEMPLATE = "reports/executive/pdf/report.html"
COMPARISON_IN = 4.6  # half the page: its text stays the size of the table's beside it

Section = tuple[str, list[tuple[kpis.Figure, str]]]


# ---- What the dashboard and the PDF both draw --------------------------------------------------


def report_context(report: kpis.MonthlyFigures) -> dict[str, object]:
    """What the dashboard and the PDF both show: the first page's words, the sections and the
    breakdowns with their charts."""
    return {
        "report": report,
        "narrative": first_page(report),
        "sections": sections(report),
        "breakdowns": comparisons(report),
        "maturity": maturity(report),
        "maturity_measures": MATURITY_MEASURES,
        "levels": sorted(kpis.LEVELS.items()),
    }


def first_page(report: kpis.MonthlyFigures) -> kpis.Narrative:
    """The status and the sentences written from the month's figures."""
    return kpis.narrative(
        report.figures,
        severity=selectors.VOCABULARY.finding_severities[0][1],
    )


@dataclass(frozen=True)
class MaturityRow:
    """One business unit's maturity as the page prints it."""

    unit: kpis.UnitMaturity
    measures: tuple[str, ...]  # in the order of MATURITY_MEASURES


MATURITY_MEASURES = (  # short: they head narrow columns
    "Monitored",  # models with an enabled monitoring threshold
    "Pushing",  # production models that pushed results in the month
    "From pipelines",  # new versions a service account registered
    "Alert answer",  # median days from an alert's opening to its acknowledgement
    "Gated",  # production deployments recorded after an open gate
)


def maturity(report: kpis.MonthlyFigures) -> list[MaturityRow]:
    """Each business unit's level this month and the month before, with what it was measured
    from."""
    return [
        MaturityRow(
            unit,
            (
                kpis.shown(unit.practice.monitored, kpis.SHARE),
                kpis.shown(unit.practice.pushing, kpis.SHARE),
                kpis.shown(unit.practice.automated, kpis.SHARE),
                kpis.shown(unit.practice.answered, kpis.DAYS),
                kpis.shown(unit.practice.gated, kpis.SHARE),
            ),
        )
        for unit in report.maturity
    ]


def sections(report: kpis.MonthlyFigures) -> list[Section]:
    """The figures grouped as the report reads them, each with its trend chart."""
    return [
        (section, [(figure, _trend(figure, report)) for figure in figures])
        for section, figures in groupby(report.figures, key=lambda figure: figure.section)
    ]


def _trend(figure: kpis.Figure, report: kpis.MonthlyFigures) -> str:
    """The figure's columns month by month; "" (the page says so in words) when no month had
    anything to show."""
    if not any(figure.series):
        return ""
    return charts.month_trend(
        charts.MonthTrend(
            title=figure.label,
            months=tuple(f"{period.month:%b}" for period in report.periods),
            values=figure.series,
            shown=tuple(kpis.shown(value, figure.unit) for value in figure.series),
        )
    )


def comparisons(report: kpis.MonthlyFigures) -> list[tuple[kpis.Breakdown, str]]:
    """Each breakdown with its chart of this month against the month before."""
    return [(breakdown, _comparison(breakdown, report)) for breakdown in report.breakdowns]


def _comparison(breakdown: kpis.Breakdown, report: kpis.MonthlyFigures) -> str:
    """Both months' bars; "" when both months counted nothing (no axes around zeros)."""
    if not any(row.value or row.previous for row in breakdown.rows):
        return ""
    return charts.month_comparison(
        charts.MonthComparison(
            title=breakdown.label,
            categories=tuple(row.label for row in breakdown.rows),
            current=tuple(row.value or 0.0 for row in breakdown.rows),
            previous=tuple(row.previous or 0.0 for row in breakdown.rows),
            current_month=f"{report.period.month:%b %Y}",
            previous_month=f"{report.previous_period.month:%b %Y}",
        ),
        width_in=COMPARISON_IN,
    )


# ---- The PDF ------------------------------------------------------------------------------------


def render_report(month: date) -> bytes:
    """The PDF/A-3b of `month`'s report, dated at the month's end."""
    report = selectors.figures(month)
    ended = report.period.end.astimezone(UTC)
    shown = {**report_context(report), "ended_pdf": ended.isoformat().replace("+00:00", "Z")}
    html = render_to_string(TEMPLATE, shown)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-3b", pdf_identifier=_identifier(month)
    )


def _identifier(month: date) -> bytes:
    """The same month always names the same document."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"attest:executive-report:{month:%Y-%m}").hex.encode()
