"""The monthly executive report: asking for a month's PDF, drawing and storing it, recording its
downloads, and e-mailing it to the executive group."""

import hashlib
import logging
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance import audit, permissions, queue
from governance.errors import DomainError
from reports import drawing, kpis
from reports.executive import render, selectors
from reports.models import ExecutiveReport

logger = logging.getLogger(__name__)

# Queued by name: the tasks module imports this one.
REGENERATE_TASK = "reports.executive.tasks.regenerate_executive_report"


def _checked_month(month: date) -> date:
    """The first of `month`, which must have ended: a running month's figures still change."""
    month = month.replace(day=1)
    if kpis.add_months(month, 1) > timezone.localdate():
        raise DomainError(field="month", message=f"{month:%B %Y} has not ended yet")
    return month


def request_report(*, actor: User, month: date) -> ExecutiveReport:
    """Ask for `month`'s report to be drawn in the background; an ask already on its way is reused.

    A ready or failed month is queued again; its last file stays downloadable until the new one
    is stored. An ask queued or running for longer than the task may run is taken as lost (a
    worker died) and queued again, so a month never stays stuck.
    """
    permissions.require_globally(actor, "view_portfolio")
    month = _checked_month(month)
    with transaction.atomic():
        report, created = ExecutiveReport.objects.select_for_update().get_or_create(month=month)
        queue_it = created or not report.is_busy or report.is_lost(timezone.now())
        if queue_it:
            drawing.mark_queued(report, now=timezone.now(), requested_by=actor)
        audit.record(
            actor=actor,
            verb="executive_report.requested",
            target=report,
            after={"month": month.isoformat(), "reused": not queue_it},
        )
        if queue_it:
            transaction.on_commit(
                lambda: queue.enqueue(REGENERATE_TASK, month.isoformat(), actor.pk)
            )
    return report


def generate_report(*, month: date, actor: User | None = None) -> ExecutiveReport:
    """Draw `month`'s report and store it, replacing any earlier file of that month; `actor` is
    None when Celery beat asks. A failure is kept on the row, where the page shows it, and the
    earlier file, if any, stays."""
    if actor is not None:
        permissions.require_globally(actor, "view_portfolio")
    month = _checked_month(month)
    report = _mark_running(month, actor)
    try:
        pdf = render.render_report(month)
    except Exception as error:  # any failure ends on the row, like an evidence pack's
        logger.exception("executive report %s failed", f"{month:%Y-%m}")
        drawing.record_failure(
            report,
            str(error),
            actor=actor,
            verb="executive_report.failed",
            after={"month": report.month.isoformat()},
        )
        return report
    return _store_pdf(report, pdf, actor)


def _mark_running(month: date, actor: User | None) -> ExecutiveReport:
    """The month's row, now running; a call not queued by `request_report` (beat, the shell) is
    its own ask."""
    with transaction.atomic():
        report, created = ExecutiveReport.objects.select_for_update().get_or_create(month=month)
        if created or report.status != ExecutiveReport.Status.QUEUED:
            report.requested_by, report.queued_at = actor, timezone.now()
        report.status, report.error = ExecutiveReport.Status.RUNNING, ""
        report.save(update_fields=["status", "error", "requested_by", "queued_at"])
    return report


def _store_pdf(report: ExecutiveReport, pdf: bytes, actor: User | None) -> ExecutiveReport:
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


def record_download(*, actor: User, report: ExecutiveReport) -> None:
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


def send_report(report: ExecutiveReport) -> int:
    """E-mail a ready report, PDF attached, to the executive group; returns how many received it."""
    to = selectors.recipients()
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


def send_monthly_report(*, month: date) -> tuple[ExecutiveReport, int]:
    """Beat's job on the 1st: draw `month`'s report for the system and e-mail it to the executive
    group; returns the report and how many received it."""
    report = generate_report(month=month)
    return report, send_report(report)
