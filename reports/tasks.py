"""Reports background work: generating evidence packs."""

from celery import shared_task
from django.db import OperationalError

from reports import services
from reports.models import EvidencePack


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5, time_limit=1800)
def generate_evidence_pack(pack_pk: int) -> str:
    """Generate a queued pack; returns its status (a pack gone or already ready is left alone)."""
    pack = EvidencePack.objects.select_related("version__model").filter(pk=pack_pk).first()
    if pack is None:
        return "gone"
    if pack.status == EvidencePack.Status.READY:
        return pack.status
    return services.generate(pack).status
