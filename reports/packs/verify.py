"""Checking an evidence pack PDF: its attachments against its manifest, and both against the
record Attest kept when it generated the pack."""

import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pypdf
from pypdf.errors import PyPdfError

from reports.models import EvidencePack
from reports.packs import manifest


@dataclass(frozen=True)
class Verdict:
    """`differences` is empty when the file is the pack Attest generated, unchanged."""

    pack_id: str
    differences: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.differences


def embedded_files(pdf: bytes) -> tuple[dict[str, bytes], list[str]]:
    """The PDF's attachments by name, and a note for any name attached more than once."""
    attached = pypdf.PdfReader(io.BytesIO(pdf)).attachments
    notes = [
        f"{name} is attached {len(found)} times"
        for name, found in attached.items()
        if len(found) > 1
    ]
    return {name: found[0] for name, found in attached.items()}, notes


def _against_record(
    pdf: bytes, listing: bytes, parsed: Mapping[str, Any], pack: EvidencePack
) -> list[str]:
    found = []
    if manifest.sha256_hex(listing) != pack.manifest_sha256:
        found.append(
            f"{manifest.MANIFEST_NAME} was changed: SHA-256 {manifest.sha256_hex(listing)}, "
            f"Attest recorded {pack.manifest_sha256}"
        )
        found += manifest.changed_entries(pack.manifest, parsed)
    if manifest.sha256_hex(pdf) != pack.sha256:
        found.append(
            f"the PDF differs from the one Attest stored: SHA-256 {manifest.sha256_hex(pdf)}, "
            f"Attest recorded {pack.sha256}"
        )
    return found


def _recorded(pack_id: str) -> EvidencePack | None:
    try:
        return EvidencePack.objects.filter(pack_id=uuid.UUID(pack_id)).first()
    except ValueError:
        return None


def verify_pack(pdf: bytes) -> Verdict:
    """Recompute every hash in the file and compare with its manifest and Attest's record."""
    try:
        files, notes = embedded_files(pdf)
    # An uploaded file is hostile input, and a damaged cross-reference table makes pypdf raise
    # TypeError, KeyError and more besides its own errors: any failure to read is the answer.
    except Exception as error:
        reason = str(error) if isinstance(error, PyPdfError) else "its structure is damaged"
        return Verdict("", (f"not a readable PDF: {reason}",))
    listing = files.get(manifest.MANIFEST_NAME)
    if listing is None:
        return Verdict("", (f"{manifest.MANIFEST_NAME} is missing: this is not an evidence pack",))
    parsed = manifest.parse(listing)
    if parsed is None:
        return Verdict("", (*notes, f"{manifest.MANIFEST_NAME} is not a manifest Attest wrote"))
    found = notes + manifest.differences(parsed, files)
    pack_id = str(parsed.get("pack_id", ""))
    pack = _recorded(pack_id)
    if pack is None:
        found.append(f"Attest has no record of pack {pack_id}")
    else:
        found += _against_record(pdf, listing, parsed, pack)
    return Verdict(pack_id, tuple(found))
