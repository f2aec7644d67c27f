"""Governance background work: the scheduled audit-chain check; rulebooks taking effect;
periodic reviews opened and their reminders sent."""

from celery import shared_task
from django.db import OperationalError

from governance.services import assessments, integrity, reviews


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def record_audit_chain_check() -> dict[str, object]:
    """Run the chain check on a worker; returns the verdict it recorded."""
    return integrity.record_audit_chain_check().after


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def apply_rulebooks_in_force() -> int:
    """Re-derive assessments under rulebook versions whose effective date has arrived."""
    return assessments.apply_in_force()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def open_due_reviews() -> int:
    """Open the periodic reviews falling due within the lead time; returns how many."""
    return reviews.open_due_reviews()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def send_review_reminders() -> int:
    """Email owners about open periodic reviews near or past due; returns how many went out."""
    return reviews.send_review_reminders()
