"""Audit log background work: the scheduled audit-chain check and checkpoint (daily, beat)."""

from celery import shared_task
from django.db import OperationalError

from governance.auditlog import services as integrity


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def record_audit_chain_check() -> dict[str, object] | None:
    """Run the chain check on a worker; returns the verdict it recorded (the event's `after`)."""
    return integrity.record_audit_chain_check().after


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=3600)
def sign_audit_checkpoint() -> str:
    """Sign, store and e-mail a checkpoint of the chain's head; returns the file it wrote."""
    return str(integrity.sign_checkpoint(actor=None).path)
