"""Notices background work: the e-mail of each new notice."""

from celery import shared_task
from django.db import OperationalError

from governance.notices import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=600)
def email_notices(notice_ids: list[int]) -> int:
    """E-mail the notices not e-mailed yet; returns how many went out."""
    return services.email_notices(notice_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def notify_coming_due() -> int:
    """Daily: tell each person of their items due within a week or overdue (once a day each)."""
    return services.notify_coming_due()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def email_digests() -> int:
    """Daily: one e-mail to each person on the digest listing their unread notices."""
    return services.email_digests()
