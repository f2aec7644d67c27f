"""One error shape for the whole API: {"errors": [{"field": ..., "message": ..., "row": ...}]}."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from governance.errors import DomainError


def _flatten(detail: Any, field: str = "", row: int | None = None) -> list[dict[str, Any]]:
    """Walk DRF's nested error detail into flat items naming field and (for lists) row."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            if isinstance(key, int):  # DRF keys list items' errors by 0-based index
                items += _flatten(value, field, key + 1 if row is None else row)
                continue
            name = key if key != "non_field_errors" else "non_field"
            items += _flatten(value, f"{field}.{name}" if field else name, row)
        return items
    if isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            return [_item(field, str(d), row) for d in detail]
        items = []
        for index, value in enumerate(detail, start=1):
            if value:
                items += _flatten(value, field, index if row is None else row)
        return items
    return [_item(field or "non_field", str(detail), row)]


def _item(field: str, message: str, row: int | None) -> dict[str, Any]:
    item: dict[str, Any] = {"field": field or "non_field", "message": message}
    if row is not None:
        item["row"] = row
    return item


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"errors": [exc.as_dict()]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ValidationError):
        return Response({"errors": _flatten(exc.detail)}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, APIException | Http404 | PermissionDenied):
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        )
        response.data = {"errors": [_item("non_field", str(detail), None)]}
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 (`handler404`): under /api/ in the API's error shape, so a pipeline calling
    a wrong path reads why in JSON instead of an HTML page; elsewhere the site's page."""
    if request.path.startswith("/api/"):
        message = f"no API endpoint at {request.path}: see /api/docs/"
        return JsonResponse({"errors": [_item("non_field", message, None)]}, status=404)
    return defaults.page_not_found(request, exception)
