"""Reports background work: generating evidence packs and the monthly executive report."""

from datetime import date

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.utils import timezone

from reports import executive_report, kpis, services
from reports.models import TASK_TIME_LIMIT, EvidencePack

# A row still busy after this long was lost with its worker: asking again queues it again.
TIME_LIMIT = int(TASK_TIME_LIMIT.total_seconds())


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=TIME_LIMIT,
)
def generate_evidence_pack(pack_pk: int) -> str:
    """Generate a queued pack; returns its status (a pack gone or already ready is left alone)."""
    pack = EvidencePack.objects.select_related("version__model").filter(pk=pack_pk).first()
    if pack is None:
        return "gone"
    if pack.status == EvidencePack.Status.READY:
        return pack.status
    return services.generate(pack).status


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=TIME_LIMIT,
)
def monthly_executive_report() -> str:
    """Beat, on the 1st: last month's report, e-mailed to the executive group."""
    report = executive_report.generate_report(month=kpis.add_months(timezone.localdate(), -1))
    sent = executive_report.send_report(report)
    return f"{report.month:%Y-%m} {report.status}, sent to {sent}"


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    time_limit=TIME_LIMIT,
)
def regenerate_executive_report(month_iso: str, actor_pk: int | None = None) -> str:
    """Draw a past month's report again (`month_iso` is any day of it, "2026-10-01"), for the
    user `actor_pk` who asked on the dashboard or, without one, for the system; no e-mail."""
    actor = get_user_model().objects.filter(pk=actor_pk).first() if actor_pk else None
    report = executive_report.generate_report(month=date.fromisoformat(month_iso), actor=actor)
    return report.status
