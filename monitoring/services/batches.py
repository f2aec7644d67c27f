"""Ingestion batches: one row per accepted API write, and replay of keyed retries."""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from monitoring.models import IngestionBatch
from registry.models import ModelVersion


@dataclass(frozen=True)
class Answered:
    """What `begin` found instead of opening a batch: an earlier answer to the same key.

    `conflict` when that answer was to a different request.
    """

    earlier: IngestionBatch
    conflict: bool = False


def fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what the request asks: method, path, query and body.

    Multipart bodies are hashed by their fields and files' contents, not their bytes: a
    client's retry picks a new boundary, and that must not read as another request.
    """
    digest = hashlib.sha256()
    content_type = request.content_type or ""
    method = request.method or ""
    for part in (method, request.path, request.META.get("QUERY_STRING", ""), content_type):
        digest.update(part.encode() + b"\0")
    if content_type == "multipart/form-data":
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode())
        for name, uploads in sorted(request.FILES.lists()):
            upload = uploads[-1]  # the one request.FILES[name] gives
            digest.update(repr((name, upload.name)).encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def begin(
    *, actor: User, key: str, request_sha256: str, method: str, path: str, source: str
) -> IngestionBatch | Answered:
    """Open a batch for this request, unless the key was answered before.

    Runs in the request's transaction. A concurrent request with the same key waits on the
    unique index until the first commits, then replays its answer.
    """
    if key:
        earlier = IngestionBatch.objects.filter(actor=actor, key=key).first()
        if earlier is not None:
            return _answered(earlier, request_sha256)
    batch = IngestionBatch(
        actor=actor,
        key=key,
        source=source,
        method=method,
        path=path[:500],
        request_sha256=request_sha256,
    )
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError:
        return _answered(IngestionBatch.objects.get(actor=actor, key=key), request_sha256)
    return batch


def _answered(earlier: IngestionBatch, request_sha256: str) -> Answered:
    return Answered(earlier=earlier, conflict=earlier.request_sha256 != request_sha256)


def finish(batch: IngestionBatch, response: HttpResponse) -> None:
    """Keep the answer; for keyed requests also its body, so a retry gets it back verbatim."""
    batch.status_code = response.status_code
    batch.response_content_type = response.get("Content-Type", "")[:100]
    if batch.key and not response.streaming:
        batch.response_body = response.content.decode("utf-8", errors="replace")
    batch.save(update_fields=["status_code", "response_content_type", "response_body"])


def replay(batch: IngestionBatch) -> HttpResponse:
    response = HttpResponse(
        batch.response_body, status=batch.status_code, content_type=batch.response_content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def tally(batch: IngestionBatch | None, version: ModelVersion | None, **counts: int) -> None:
    """Add what a service wrote to the request's batch (None outside an API request)."""
    if batch is None:
        return
    merged: dict[str, Any] = dict(batch.counts)
    for kind, n in counts.items():
        if n:
            merged[kind] = merged.get(kind, 0) + n
    batch.counts = merged
    if version is not None:
        batch.version = version
    batch.save(update_fields=["counts", "version"])
