"""Uploaded files kept as evidence: size limit, sniffed media type and SHA-256."""

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from governance.errors import DomainError
from governance.risk.rules import evidence_files


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def describe(upload: UploadedFile, *, field: str = "file") -> dict[str, Any]:
    """The model fields of a stored upload, or a DomainError naming `field`."""
    limit = settings.ATTEST_EVIDENCE_MAX_BYTES
    size, name = upload.size, upload.name
    if size is None or name is None:  # Django's upload handlers set both on every upload
        raise DomainError(field=field, message="is not an uploaded file")
    if size > limit:
        raise DomainError(field=field, message=f"is larger than the {limit // 2**20} MB limit")
    head = upload.read(evidence_files.SNIFF_BYTES)
    upload.seek(0)
    try:
        media_type = evidence_files.media_type(name, head)
    except ValueError as exc:
        raise DomainError(field=field, message=str(exc)) from exc
    return {
        "file": upload,
        "sha256": _sha256(upload),
        "size": size,
        "media_type": media_type,
    }
