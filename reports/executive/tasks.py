"""Executive-report background work: the monthly report for beat, and a month asked for again."""

from datetime import date

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from reports import drawing, kpis
from reports.executive import services


@shared_task(**drawing.TASK_OPTIONS)
def monthly_executive_report() -> str:
    """Beat, on the 1st: last month's report, e-mailed to the executive group."""
    month = kpis.add_months(timezone.localdate(), -1)
    report, sent = services.send_monthly_report(month=month)
    return f"{report.month:%Y-%m} {report.status}, sent to {sent}"


@shared_task(**drawing.TASK_OPTIONS)
def regenerate_executive_report(month_iso: str, actor_pk: int | None = None) -> str:
    """Draw a past month's report again (`month_iso` is any day of it, "2026-10-01"), for the
    user `actor_pk` who asked on the dashboard or, without one, for the system; no e-mail."""
    actor = get_user_model().objects.filter(pk=actor_pk).first() if actor_pk else None
    report = services.generate_report(month=date.fromisoformat(month_iso), actor=actor)
    return report.status
