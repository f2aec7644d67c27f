"""Middleware: each web request's id, carried into its audit events; hostile URLs refused."""

import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import Resolver404, resolve

from governance import context
from governance.api.hostile import text_problem, url_problem


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


class HostileUrlMiddleware:
    """A NUL in a URL's path or query string is a 400 naming the parameter, before any view.

    PostgreSQL refuses NUL in text, so a lookup or filter holding one (`/versions/%00/`,
    `?segment=%00`) would be a 500; SQLite finds nothing. Bodies are checked by the API's
    parsers (governance.api.hostile); a path that matches no route stays a 404.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = url_problem(_path_values(request), request.GET.lists())
        if found is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            error = {"field": found.field if found.path else "non_field", "message": found.message}
            return JsonResponse({"errors": [error]}, status=400)
        return HttpResponseBadRequest(f"{found.field} {found.message}", content_type="text/plain")


def _path_values(request: HttpRequest) -> dict[str, Any]:
    """The path's parameters by name, read only when the path holds something hostile (`pk` is
    `id`, as the API's schema names it)."""
    if not text_problem(request.path_info):
        return {}
    try:
        kwargs = resolve(request.path_info).kwargs
    except Resolver404:
        return {}
    return {"id" if name == "pk" else name: value for name, value in kwargs.items()}
