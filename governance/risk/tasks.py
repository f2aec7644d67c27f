"""Risk background work: rulebook versions taking effect re-derive assessments (beat)."""

from celery import shared_task
from django.db import OperationalError

from governance.risk.services import assessments


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def apply_rulebooks_in_force() -> int:
    """Re-derive assessments under rulebook versions whose effective date has arrived."""
    return assessments.apply_in_force()
