"""Middleware that gives each web request an id, carried into its audit events."""

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from governance import context


class RequestIdMiddleware:
    """Take X-Request-ID from the proxy when present, otherwise mint one; echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = context.request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
        response["X-Request-ID"] = rid
        return response
