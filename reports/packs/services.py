"""Evidence packs: asking for one, generating it in the background, and recording its downloads."""

import logging
from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions, queue
from governance.errors import DomainError
from registry.models import ModelVersion
from reports import drawing
from reports.models import EvidencePack, pack_id_for
from reports.packs import manifest, render

logger = logging.getLogger(__name__)

# Queued by name: the tasks module imports this one.
GENERATE_TASK = "reports.packs.tasks.generate_evidence_pack"


def _checked_as_of(version: ModelVersion, as_of: datetime | None) -> datetime:
    now = timezone.now()
    as_of = (as_of or now).astimezone(UTC)
    if as_of > now:
        # A future instant would change as events arrive; a pack must rebuild identically.
        raise DomainError(field="as_of", message="is in the future")
    if as_of < version.created_at:
        raise DomainError(
            field="as_of", message=f"is before version {version.version} was registered"
        )
    return as_of


def request_pack(
    *, actor: User, version: ModelVersion, as_of: datetime | None = None
) -> EvidencePack:
    """Ask for the pack of `version` as of `as_of` (now by default); the same ask, the same pack.

    A pack already made (or on its way) is reused; a failed one, or one busy for longer than
    its task may run (its worker died), is queued again.
    """
    permissions.require(actor, "view", version.model)
    as_of = _checked_as_of(version, as_of)
    now = timezone.now()
    with transaction.atomic():
        # Locked, so two asks for a failed pack queue it once; two first asks at once meet on
        # the unique index and the second reuses the first's row (tests/reports/packs/
        # test_pack_concurrency.py).
        pack, created = EvidencePack.objects.select_for_update().get_or_create(
            pack_id=pack_id_for(version.pk, as_of),
            defaults={"version": version, "as_of": as_of, "requested_by": actor, "queued_at": now},
        )
        queue_it = created or pack.status == EvidencePack.Status.FAILED or pack.is_lost(now)
        if queue_it and not created:
            drawing.mark_queued(pack, now=now)
        audit.record(
            actor=actor,
            verb="evidence_pack.requested",
            target=pack,
            after={
                "pack_id": str(pack.pack_id),
                "as_of": as_of.isoformat(),
                "reused": not queue_it,
            },
            mlmodel_id=version.model_id,
        )
        if queue_it:
            transaction.on_commit(lambda: queue.enqueue(GENERATE_TASK, pack.pk))
    return pack


def generate(pack: EvidencePack) -> EvidencePack:
    """Build the pack's PDF and store it with its hashes; a failure is kept on the row."""
    EvidencePack.objects.filter(pk=pack.pk).update(status=EvidencePack.Status.RUNNING)
    try:
        rendered = render.build(pack)
    except Exception as error:  # any failure ends on the row, where the requester sees it
        logger.exception("evidence pack %s failed", pack.pack_id)
        drawing.record_failure(
            pack,
            str(error),
            actor=pack.requested_by,
            verb="evidence_pack.failed",
            after={"pack_id": str(pack.pack_id)},
            mlmodel_id=pack.version.model_id,
            finished_at=timezone.now(),
        )
        return pack
    with transaction.atomic():
        if pack.file:
            pack.file.delete(save=False)
        pack.file.save(f"{pack.pack_id}.pdf", ContentFile(rendered.pdf), save=False)
        pack.sha256 = manifest.sha256_hex(rendered.pdf)
        pack.size = len(rendered.pdf)
        pack.manifest, pack.manifest_sha256 = rendered.manifest, rendered.manifest_sha256
        pack.status, pack.error, pack.finished_at = EvidencePack.Status.READY, "", timezone.now()
        pack.save()
        audit.record(
            actor=pack.requested_by,
            verb="evidence_pack.generated",
            target=pack,
            after={"pack_id": str(pack.pack_id), "sha256": pack.sha256, "size": pack.size},
            mlmodel_id=pack.version.model_id,
        )
    return pack


def record_download(*, actor: User, pack: EvidencePack) -> None:
    """Who downloaded which pack: a download is an audit event, like the request."""
    permissions.require(actor, "view", pack.version.model)
    with transaction.atomic():
        audit.record(
            actor=actor,
            verb="evidence_pack.downloaded",
            target=pack,
            after={"pack_id": str(pack.pack_id), "sha256": pack.sha256},
            mlmodel_id=pack.version.model_id,
        )
