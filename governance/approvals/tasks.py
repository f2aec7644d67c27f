"""Approvals background work: periodic reviews opened and their reminders sent (daily, beat)."""

from celery import shared_task
from django.db import OperationalError

from governance.approvals.services import reviews


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def open_due_reviews() -> int:
    """Open the periodic reviews falling due within the lead time; returns how many."""
    return reviews.open_due_reviews()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def send_review_reminders() -> int:
    """Email owners about open periodic reviews near or past due; returns how many went out."""
    return reviews.send_review_reminders()
