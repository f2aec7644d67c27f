"""Evidence packs: asking for one, generating it in the background, and recording its downloads."""

import logging
import tempfile
from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions, queue
from governance.errors import DomainError
from registry.models import ModelVersion
from reports import drawing
from reports.models import EvidencePack, PortfolioPack, pack_id_for
from reports.packs import manifest, render, selectors

logger = logging.getLogger(__name__)

# Queued by name: the tasks module imports this one.
GENERATE_TASK = "reports.packs.tasks.generate_evidence_pack"
ASSEMBLE_TASK = "reports.packs.tasks.assemble_portfolio_pack"
# What assembling a portfolio pack returns while some of its packs are still being drawn.
PENDING = "pending"


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
    drawing.mark_running(pack)
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


def request_portfolio(
    *, actor: User, selection: selectors.Selection, as_of: datetime | None = None
) -> PortfolioPack:
    """Ask for the packs of every model `selection` matches as of one instant, and one zip of
    them: each pack is asked for as one would be alone (a pack already made is reused), the
    workers draw them in parallel, and the zip is made once the last is ready."""
    permissions.require_globally(actor, "view_portfolio")
    now = timezone.now()
    as_of = (as_of or now).astimezone(UTC)
    if as_of > now:
        raise DomainError(field="as_of", message="is in the future")
    versions = selectors.portfolio_versions(actor, selection, as_of)
    if not versions:
        raise DomainError(field="tiers", message="no model matches this selection at that date")
    with transaction.atomic():
        portfolio = PortfolioPack.objects.create(
            as_of=as_of, selection=selection.as_record(), requested_by=actor, queued_at=now
        )
        # Each pack's task is queued when this commits, before the zip's: in that order.
        portfolio.packs.set(request_pack(actor=actor, version=v, as_of=as_of) for v in versions)
        audit.record(
            actor=actor,
            verb="portfolio_pack.requested",
            target=portfolio,
            after={
                "portfolio_id": str(portfolio.portfolio_id),
                "as_of": as_of.isoformat(),
                "selection": portfolio.selection,
                "packs": len(versions),
            },
        )
        transaction.on_commit(lambda: queue.enqueue(ASSEMBLE_TASK, portfolio.pk))
    return portfolio


def _portfolio_manifest(portfolio: PortfolioPack, packs: list[EvidencePack]) -> dict[str, object]:
    return {
        "portfolio_id": str(portfolio.portfolio_id),
        "as_of": portfolio.as_of.astimezone(UTC).isoformat(),
        "selection": portfolio.selection,
        "requested_by": portfolio.requested_by.get_username(),
        "packs": [
            {
                "model": pack.version.model.slug,
                "model_name": pack.version.model.name,
                "version": pack.version.version,
                "pack_id": str(pack.pack_id),
                "file": _portfolio_file_name(pack),
                "sha256": pack.sha256,
                "size": pack.size,
                "manifest_sha256": pack.manifest_sha256,
            }
            for pack in packs
        ],
    }


def _portfolio_file_name(pack: EvidencePack) -> str:
    return f"{pack.version.model.slug}/{pack.version.version}/evidence-pack-{pack.pack_id}.pdf"


def assemble_portfolio(portfolio: PortfolioPack) -> str:
    """Zip the portfolio's packs with `manifest.json` (every pack's file, SHA-256 and manifest
    SHA-256) once all are ready; PENDING while some are still being drawn; failed, naming them,
    when any failed."""
    packs = list(selectors.portfolio_packs(portfolio))
    failed = [p for p in packs if p.status == EvidencePack.Status.FAILED]
    if failed:
        named = ", ".join(f"{p.version.model.name} {p.version.version}" for p in failed)
        fail_portfolio(portfolio, f"The packs of {named} failed; ask again to retry them.")
        return PortfolioPack.Status.FAILED
    if any(p.status != EvidencePack.Status.READY for p in packs):
        return PENDING
    drawing.mark_running(portfolio)
    listing = _portfolio_manifest(portfolio, packs)
    listing_bytes = manifest.json_bytes(listing)
    with tempfile.TemporaryFile() as out:
        manifest.write_zip(
            out,
            [
                (manifest.MANIFEST_NAME, listing_bytes),
                *((_portfolio_file_name(p), _read(p)) for p in packs),
            ],
            portfolio.as_of,
        )
        out.seek(0)
        sha256 = manifest.sha256_file(out)
        with transaction.atomic():
            if portfolio.file:
                portfolio.file.delete(save=False)
            portfolio.file.save(f"{portfolio.portfolio_id}.zip", File(out), save=False)
            portfolio.sha256, portfolio.size = sha256, portfolio.file.size
            portfolio.manifest_sha256 = manifest.sha256_hex(listing_bytes)
            portfolio.status, portfolio.error = PortfolioPack.Status.READY, ""
            portfolio.finished_at = timezone.now()
            portfolio.save()
            audit.record(
                actor=portfolio.requested_by,
                verb="portfolio_pack.generated",
                target=portfolio,
                after={
                    "portfolio_id": str(portfolio.portfolio_id),
                    "sha256": sha256,
                    "manifest_sha256": portfolio.manifest_sha256,
                    "packs": len(packs),
                },
            )
    return portfolio.status


def _read(pack: EvidencePack) -> bytes:
    with pack.file.open("rb") as pdf:
        return pdf.read()


def fail_portfolio(portfolio: PortfolioPack, error: str) -> None:
    """The portfolio pack ends failed with `error`, where its page shows it, and in the trail."""
    drawing.record_failure(
        portfolio,
        error,
        actor=portfolio.requested_by,
        verb="portfolio_pack.failed",
        after={"portfolio_id": str(portfolio.portfolio_id)},
        finished_at=timezone.now(),
    )


def record_portfolio_download(*, actor: User, portfolio: PortfolioPack) -> None:
    """Who downloaded which portfolio pack, as for a single pack."""
    permissions.require_globally(actor, "view_portfolio")
    with transaction.atomic():
        audit.record(
            actor=actor,
            verb="portfolio_pack.downloaded",
            target=portfolio,
            after={"portfolio_id": str(portfolio.portfolio_id), "sha256": portfolio.sha256},
        )
