"""Free-form evidence files a pipeline attaches to a version (a model card, a test report)."""

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from governance import audit, permissions, uploads
from governance.errors import DomainError
from monitoring.models import EvidenceFile, IngestionBatch
from monitoring.services import batches
from registry.models import ModelVersion


@transaction.atomic
def attach_file(
    *,
    actor: User,
    version: ModelVersion,
    upload: UploadedFile,
    title: str,
    kind: str,
    batch: IngestionBatch | None = None,
) -> EvidenceFile:
    """Keep the file with its SHA-256, size and sniffed media type."""
    permissions.require(actor, "change", version.model)
    for field, value in (("title", title), ("kind", kind)):
        if not value.strip():
            raise DomainError(field=field, message="required")
    stored = EvidenceFile(
        version=version,
        title=title.strip(),
        kind=kind.strip(),
        uploaded_by=actor,
        batch=batch,
        **uploads.describe(upload),
    )
    stored.save()
    audit.record(
        actor=actor,
        verb="evidence_file.attached",
        target=stored,
        after=audit.snapshot(stored, ["version", "title", "kind", "sha256", "size", "media_type"]),
        mlmodel_id=version.model_id,
    )
    batches.tally(batch, version, evidence_files=1)
    return stored
