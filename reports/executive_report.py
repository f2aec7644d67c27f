"""The monthly executive report: the dashboard's figures as one PDF, stored and e-mailed.

Byte for byte reproducible: the document's dates are the month's end and its file identifier is
derived from the month, so the same month's data gives the same PDF in any process (WeasyPrint
would otherwise stamp "now" and a content hash). The charts and sections are the dashboard's:
both start from `executive.figures` and draw it through `sections` and `comparisons`.
"""

import hashlib
import logging
import uuid
from datetime import UTC, date
from itertools import groupby

import weasyprint
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from governance import audit, permissions
from governance.errors import DomainError
from monitoring import charts
from reports import executive, kpis
from reports.models import ExecutiveReport

logger = logging.getLogger(__name__)

TEMPLATE = "reports/executive_report.html"
COMPARISON_IN = 4.6  # half the page: its text stays the size of the table's beside it

Section = tuple[str, list[tuple[kpis.Figure, str]]]


# ---- What the dashboard and the PDF both draw --------------------------------------------------


def sections(report: kpis.MonthlyFigures) -> list[Section]:
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


def comparisons(report: kpis.MonthlyFigures) -> list[tuple[kpis.Breakdown, str]]:
    """Each breakdown with its chart of this month against the month before."""
    return [(breakdown, _comparison(breakdown, report)) for breakdown in report.breakdowns]


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


# ---- The PDF ------------------------------------------------------------------------------------


def render_report(month: date) -> bytes:
    """The PDF/A-3b of `month`'s report, dated at the month's end."""
    report = executive.figures(month)
    ended = report.period.end.astimezone(UTC)
    context = {
        "report": report,
        "sections": sections(report),
        "breakdowns": comparisons(report),
        "ended_pdf": ended.isoformat().replace("+00:00", "Z"),
    }
    html = render_to_string(TEMPLATE, context)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-3b", pdf_identifier=_identifier(month)
    )


def _identifier(month: date) -> bytes:
    """The same month always names the same document."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"attest:executive-report:{month:%Y-%m}").hex.encode()


def _checked_month(month: date) -> date:
    """The first of `month`, which must have ended: a running month's figures still change."""
    month = month.replace(day=1)
    if kpis.add_months(month, 1) > timezone.localdate():
        raise DomainError(field="month", message=f"{month:%B %Y} has not ended yet")
    return month


def request_report(*, actor: AbstractBaseUser, month: date) -> ExecutiveReport:
    """Ask for `month`'s report to be drawn in the background; an ask already on its way is reused.

    A ready or failed month is queued again; its last file stays downloadable until the new one
    is stored. An ask queued or running for longer than the task may run is taken as lost (a
    worker died) and queued again, so a month never stays stuck.
    """
    permissions.require_globally(actor, "view_portfolio")
    month = _checked_month(month)
    with transaction.atomic():
        report, created = ExecutiveReport.objects.select_for_update().get_or_create(month=month)
        queue = created or not report.is_busy or report.is_lost(timezone.now())
        if queue:
            report.status, report.error = ExecutiveReport.Status.QUEUED, ""
            report.requested_by, report.queued_at = actor, timezone.now()
            report.save(update_fields=["status", "error", "requested_by", "queued_at"])
        audit.record(
            actor=actor,
            verb="executive_report.requested",
            target=report,
            after={"month": month.isoformat(), "reused": not queue},
        )
        if queue:
            from reports import tasks  # tasks import this module

            transaction.on_commit(
                lambda: tasks.regenerate_executive_report.delay(month.isoformat(), actor.pk)
            )
    return report


def generate_report(*, month: date, actor: AbstractBaseUser | None = None) -> ExecutiveReport:
    """Draw `month`'s report and store it, replacing any earlier file of that month; `actor` is
    None when Celery beat asks. A failure is kept on the row, where the page shows it, and the
    earlier file, if any, stays."""
    if actor is not None:
        permissions.require_globally(actor, "view_portfolio")
    month = _checked_month(month)
    report = _mark_running(month, actor)
    try:
        pdf = render_report(month)
    except Exception as error:  # any failure ends on the row, like an evidence pack's
        logger.exception("executive report %s failed", f"{month:%Y-%m}")
        return _record_failure(report, str(error), actor)
    return _store_pdf(report, pdf, actor)


def _record_failure(
    report: ExecutiveReport, error: str, actor: AbstractBaseUser | None
) -> ExecutiveReport:
    """The failure on the row, where the page shows it, and in the trail."""
    with transaction.atomic():
        ExecutiveReport.objects.filter(pk=report.pk).update(
            status=ExecutiveReport.Status.FAILED, error=error
        )
        audit.record(
            actor=actor,
            verb="executive_report.failed",
            target=report,
            after={"month": report.month.isoformat(), "error": error},
        )
    report.refresh_from_db()
    return report


def _mark_running(month: date, actor: AbstractBaseUser | None) -> ExecutiveReport:
    """The month's row, now running; a call not queued by `request_report` (beat, the shell) is
    its own ask."""
    with transaction.atomic():
        report, created = ExecutiveReport.objects.select_for_update().get_or_create(month=month)
        if created or report.status != ExecutiveReport.Status.QUEUED:
            report.requested_by, report.queued_at = actor, timezone.now()
        report.status, report.error = ExecutiveReport.Status.RUNNING, ""
        report.save(update_fields=["status", "error", "requested_by", "queued_at"])
    return report


def _store_pdf(
    report: ExecutiveReport, pdf: bytes, actor: AbstractBaseUser | None
) -> ExecutiveReport:
    with transaction.atomic():
        report = ExecutiveReport.objects.select_for_update().get(pk=report.pk)
        stored = ("sha256", "size", "generated_at")
        before = audit.snapshot(report, stored) if report.file else None
        previous = report.file.name
        # The new file takes a name of its own; the old one goes only once the row points away
        # from it, so a download running meanwhile, or a rollback, still finds it.
        report.file.save(f"executive-report-{report.month:%Y-%m}.pdf", ContentFile(pdf), save=False)
        if previous and previous != report.file.name:
            transaction.on_commit(lambda: report.file.storage.delete(previous))
        report.sha256, report.size = hashlib.sha256(pdf).hexdigest(), len(pdf)
        report.status, report.error = ExecutiveReport.Status.READY, ""
        report.generated_at, report.generated_by = timezone.now(), actor
        report.save()
        audit.record(
            actor=actor,
            verb="executive_report.generated",
            target=report,
            before=before,
            after=audit.snapshot(report, ("month", "status", *stored)),
        )
    return report


def record_download(*, actor: AbstractBaseUser, report: ExecutiveReport) -> None:
    """Who downloaded which month's file: a download is an audit event, like the request."""
    permissions.require_globally(actor, "view_portfolio")
    with transaction.atomic():
        audit.record(
            actor=actor,
            verb="executive_report.downloaded",
            target=report,
            after={"month": report.month.isoformat(), "sha256": report.sha256},
        )


# ---- The e-mail ---------------------------------------------------------------------------------


def recipients() -> list[str]:
    """The e-mail addresses of the active members of the executive group."""
    members = (
        get_user_model()
        .objects.filter(groups__name=settings.ATTEST_EXECUTIVE_GROUP, is_active=True)
        .exclude(email="")
    )
    return sorted(set(members.values_list("email", flat=True)))


def send_report(report: ExecutiveReport) -> int:
    """E-mail a ready report, PDF attached, to the executive group; returns how many received it."""
    to = recipients()
    if report.status != ExecutiveReport.Status.READY or not to:
        return 0
    link = f"{settings.ATTEST_BASE_URL}{reverse('reports-dashboard:dashboard')}?month={report.month:%Y-%m}"
    message = EmailMessage(
        subject=f"Model portfolio report: {report.month:%B %Y}",
        body=(
            f"The model portfolio report for {report.month:%B %Y} is attached.\n\n"
            f"The same figures, and any other month, are on the dashboard: {link}\n\n"
            f"SHA-256 of the PDF: {report.sha256}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    with report.file.open("rb") as pdf:
        message.attach(f"executive-report-{report.month:%Y-%m}.pdf", pdf.read(), "application/pdf")
    message.send()
    with transaction.atomic():
        audit.record(
            actor=None,
            verb="executive_report.sent",
            target=report,
            after={"sha256": report.sha256, "recipients": len(to)},
        )
    return len(to)
