"""Every API write runs in one transaction, is kept as an IngestionBatch, and can be retried.

`Idempotency-Key: <key>`: the first accepted answer is stored; a repeat with the same key and
the same request gets that answer back without writing (`Idempotent-Replayed: true`); the same
key with a different request is a 409. Refused requests (4xx, 5xx) are rolled back whole and
leave no batch, so a corrected retry may reuse the key.
"""

from collections.abc import Callable
from weakref import WeakKeyDictionary

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework.request import Request

from governance.api.auth import token_user
from governance.api.hostile import form_problem
from monitoring.models import IngestionBatch
from monitoring.services import batches

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORMS = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
API_PREFIX = "/api/"
KEY_MAX = 200

# The batch each API write runs in, for its view to count what it wrote.
_batches: WeakKeyDictionary[HttpRequest, IngestionBatch] = WeakKeyDictionary()


def ingestion_batch(request: Request) -> IngestionBatch:
    """The batch this API write runs in, opened by the middleware before the view ran."""
    return _batches[request._request]


def _refusal(status: int, field: str, message: str) -> JsonResponse:
    return JsonResponse({"errors": [{"field": field, "message": message}]}, status=status)


def _oversize(request: HttpRequest) -> JsonResponse | None:
    limit = settings.ATTEST_MAX_UPLOAD_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refusal(400, "Content-Length", "is not a number")
    if length <= limit:
        return None
    return _refusal(
        413,
        "body",
        f"is {length:,} bytes; the limit is {limit:,} bytes (ATTEST_MAX_UPLOAD_BYTES). "
        "Send metric points in chunks (the attest CLI does).",
    )


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in WRITES or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        refused = _oversize(request)
        if refused is not None:
            return refused
        user = request.user if isinstance(request.user, User) else None
        actor = token_user(request) or user
        try:
            source = resolve(request.path_info).url_name or "api"
        except Resolver404:
            actor = None
        if actor is None:  # DRF answers 401/403/404 with its usual body
            return self.get_response(request)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > KEY_MAX:
            return _refusal(400, "Idempotency-Key", f"is longer than {KEY_MAX} characters")
        if request.content_type in FORMS:  # parsed here for the fingerprint, so DRF won't
            found = form_problem(request.POST.lists())
            if found is not None:
                return _refusal(400, found.field if found.path else "non_field", found.message)
        return self._once(request, actor, key, source)

    def _once(self, request: HttpRequest, actor: User, key: str, source: str) -> HttpResponse:
        with transaction.atomic():
            opened = batches.begin(
                actor=actor,
                key=key,
                request_sha256=batches.fingerprint(request),
                method=request.method or "",  # one of WRITES here
                path=request.path,
                source=source,
            )
            if isinstance(opened, batches.Answered):
                if opened.conflict:
                    return _refusal(
                        409,
                        "Idempotency-Key",
                        f"{key!r} was already used for a different request "
                        f"(batch {opened.earlier.pk}); use a new key for new content",
                    )
                return batches.replay(opened.earlier)
            _batches[request] = opened
            response = self.get_response(request)
            if 200 <= response.status_code < 300:
                batches.finish(opened, response)
            else:
                transaction.set_rollback(True)
        return response
