"""The executive dashboard: every figure of a month with its change and trend, and top risks,
and the month's PDF report, drawn by a Celery task, to ask for and download.

The whole portfolio is for those who may read every model (validators, the committee,
compliance, legal, auditors, executives, administrators: the global view right); anyone else
gets a 403.
"""

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import BadRequest
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from governance import permissions
from governance.errors import DomainError
from reports import kpis
from reports.executive import selectors, services
from reports.executive.render import report_context

may_read_portfolio = permission_required(
    permissions.GLOBAL_PERMS["view_portfolio"], raise_exception=True
)


@login_required
@may_read_portfolio
def dashboard(request: HttpRequest) -> HttpResponse:
    month = _month(request.GET.get("month", ""))
    report = selectors.figures(month)
    context = {
        **report_context(report),
        "earlier": kpis.add_months(month, -1),
        "later": kpis.add_months(month, 1) if report.period.complete else None,
        "pdf": selectors.report_of(month),
    }
    return render(request, "reports/executive/dashboard.html", context)


@require_POST
@login_required
@may_read_portfolio
def report_generate(request: HttpRequest) -> HttpResponse:
    """Queue the PDF of the month shown, then show that month again with the PDF's progress."""
    month = _month(request.POST.get("month", ""))
    try:
        services.request_report(actor=permissions.actor(request), month=month)
    except DomainError as error:
        messages.error(request, f"No report: {error.error_text}.")
    return redirect(f"{reverse('reports-dashboard:dashboard')}?month={month:%Y-%m}")


@login_required
@may_read_portfolio
def report_status(request: HttpRequest) -> HttpResponse:
    """The month's PDF as the dashboard shows it; htmx asks again while it is being drawn."""
    month = _month(request.GET.get("month", ""))
    context = {"month": month, "pdf": selectors.report_of(month)}
    return render(request, "reports/executive/_report_status.html", context)


@login_required
@may_read_portfolio
def report_download(request: HttpRequest) -> FileResponse:
    """The month's last stored PDF, even while a new one is drawn; every download is audited."""
    month = _month(request.GET.get("month", ""))
    report = selectors.stored_report(month)
    if report is None:
        raise Http404(f"No report for {month:%B %Y} yet.")
    pdf = report.file.open("rb")
    services.record_download(actor=permissions.actor(request), report=report)
    name = f"executive-report-{month:%Y-%m}.pdf"
    return FileResponse(pdf, as_attachment=True, filename=name)


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
