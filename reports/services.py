"""Evidence packs: asking for one, generating it, and recording its downloads."""

import logging
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions
from governance.errors import DomainError
from registry.models import ModelVersion
from reports.models import EvidencePack, pack_id_for
from reports.packs import assembly, manifest, render

logger = logging.getLogger(__name__)


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
    *, actor: AbstractBaseUser, version: ModelVersion, as_of: datetime | None = None
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
        # the unique index and the second reuses the first's row (tests/reports/
        # test_pack_concurrency.py).
        pack, created = EvidencePack.objects.select_for_update().get_or_create(
            pack_id=pack_id_for(version.pk, as_of),
            defaults={"version": version, "as_of": as_of, "requested_by": actor, "queued_at": now},
        )
        queue = created or pack.status == EvidencePack.Status.FAILED or pack.is_lost(now)
        if queue and not created:
            pack.status, pack.error, pack.queued_at = EvidencePack.Status.QUEUED, "", now
            pack.save(update_fields=["status", "error", "queued_at"])
        audit.record(
            actor=actor,
            verb="evidence_pack.requested",
            target=pack,
            after={"pack_id": str(pack.pack_id), "as_of": as_of.isoformat(), "reused": not queue},
            mlmodel_id=version.model_id,
        )
        if queue:
            from reports import tasks  # tasks import the services

            transaction.on_commit(lambda: tasks.generate_evidence_pack.delay(pack.pk))
    return pack


def pack_header(pack: EvidencePack, data: assembly.PackData) -> dict[str, Any]:
    """What identifies the pack: printed on the cover and leading the manifest."""
    inventory, risk = data.record["inventory"], data.record["risk"]
    return {
        "pack_id": str(pack.pack_id),
        "model_slug": inventory["model"]["slug"],
        "model_name": inventory["model"]["name"],
        "version": inventory["version"]["version"],
        "version_id": pack.version_id,
        "as_of": assembly.iso(pack.as_of),
        "owner": inventory["model"]["owner"],
        "tier": risk["tier"],
        "eu_category": risk["eu_category"],
    }


def build(pack: EvidencePack) -> render.RenderedPack:
    """Gather and draw the pack; reads only, so it can run again and give the same bytes."""
    data = assembly.assemble(pack.version, pack.as_of)
    return render.render_pack(
        pack_id=pack.pack_id, header=pack_header(pack, data), data=data, as_of=pack.as_of
    )


def generate(pack: EvidencePack) -> EvidencePack:
    """Build the pack's PDF and store it with its hashes; a failure is kept on the row."""
    EvidencePack.objects.filter(pk=pack.pk).update(status=EvidencePack.Status.RUNNING)
    try:
        rendered = build(pack)
    except Exception as error:  # any failure ends on the row, where the requester sees it
        logger.exception("evidence pack %s failed", pack.pack_id)
        return _record_failure(pack, str(error))
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


def _record_failure(pack: EvidencePack, error: str) -> EvidencePack:
    """The failure on the row and in the trail: an auditor sees that an ask came to nothing."""
    with transaction.atomic():
        EvidencePack.objects.filter(pk=pack.pk).update(
            status=EvidencePack.Status.FAILED, error=error, finished_at=timezone.now()
        )
        audit.record(
            actor=pack.requested_by,
            verb="evidence_pack.failed",
            target=pack,
            after={"pack_id": str(pack.pack_id), "error": error},
            mlmodel_id=pack.version.model_id,
        )
    pack.refresh_from_db()
    return pack


def record_download(*, actor: AbstractBaseUser, pack: EvidencePack) -> None:
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
