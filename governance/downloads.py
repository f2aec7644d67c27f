"""Stored files (evidence, sign-off attachments) served as downloads, their SHA-256 the ETag."""

from pathlib import PurePath
from typing import Protocol

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import parse_etags


class StoredFile(Protocol):
    """A row that keeps an uploaded file with its digest and sniffed media type."""

    file: FieldFile
    sha256: str
    media_type: str


def stored_file_response(request: HttpRequest, stored: StoredFile) -> HttpResponse | FileResponse:
    """The stored file as an attachment with its media type; its SHA-256 is the ETag."""
    etag = f'"{stored.sha256}"'
    response: HttpResponse | FileResponse
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        try:
            stream = stored.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The stored file is missing.") from exc
        name = PurePath(stored.file.name or "").name  # named, or open() would have failed
        response = FileResponse(
            stream, as_attachment=True, filename=name, content_type=stored.media_type
        )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
