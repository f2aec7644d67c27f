"""The executive dashboard: every figure of a month with its change and trend, and top risks.

The whole portfolio is for those who may read every model (validators, the committee,
compliance, legal, auditors, administrators: the global view right); anyone else gets a 403.
"""

from datetime import date, datetime
from itertools import groupby

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from governance import permissions
from monitoring import charts
from reports import executive, kpis

COMPARISON_IN = 4.6  # half the page: its text stays the size of the table's beside it


@login_required
@permission_required(permissions.PERMS["view"], raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    month = _month(request.GET.get("month", ""))
    report = executive.figures(month)
    context = {
        "report": report,
        "sections": _sections(report),
        "breakdowns": [(b, _comparison(b, report)) for b in report.breakdowns],
        "earlier": kpis.add_months(month, -1),
        "later": kpis.add_months(month, 1) if report.period.complete else None,
    }
    return render(request, "reports/dashboard.html", context)


def _month(raw: str) -> date:
    """`?month=YYYY-MM`; by default the last complete month, as the monthly report shows it."""
    today = timezone.localdate()
    if not raw:
        return kpis.add_months(today, -1)
    try:
        month = datetime.strptime(raw, "%Y-%m").date()  # noqa: DTZ007 - a month, not an instant
    except ValueError as bad:
        raise BadRequest(f"month {raw!r}: write it as YYYY-MM") from bad
    if month > today:
        raise BadRequest(f"{month:%B %Y} has not started yet")
    return month


def _sections(report: kpis.MonthlyFigures) -> list[tuple[str, list[tuple[kpis.Figure, str]]]]:
    """The figures grouped as the report reads them, each with its trend chart."""
    return [
        (section, [(figure, _trend(figure, report)) for figure in figures])
        for section, figures in groupby(report.figures, key=lambda figure: figure.section)
    ]


def _trend(figure: kpis.Figure, report: kpis.MonthlyFigures) -> str:
    return charts.month_trend(
        charts.MonthTrend(
            title=figure.label,
            months=tuple(f"{period.month:%b}" for period in report.periods),
            values=figure.series,
            shown=tuple(kpis.shown(value, figure.unit) for value in figure.series),
        )
    )


def _comparison(breakdown: kpis.Breakdown, report: kpis.MonthlyFigures) -> str:
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
