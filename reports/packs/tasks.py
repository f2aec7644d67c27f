"""Evidence-pack background work: generating a queued pack."""

from celery import shared_task

from reports import drawing
from reports.models import EvidencePack
from reports.packs import services


@shared_task(**drawing.TASK_OPTIONS)
def generate_evidence_pack(pack_pk: int) -> str:
    """Generate a queued pack; returns its status (a pack gone or already ready is left alone)."""
    pack = EvidencePack.objects.select_related("version__model").filter(pk=pack_pk).first()
    if pack is None:
        return "gone"
    if pack.status == EvidencePack.Status.READY:
        return pack.status
    return services.generate(pack).status
