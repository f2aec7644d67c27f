"""The API's body parsers: DRF's, plus the hostile-input walk (governance.api.hostile).

A body holding a NUL, a lone surrogate, an integer beyond 64 bits, NaN or nesting past the
limit is a 400 naming the field (and, for a list of items, the 1-based row) before any view
runs, so nothing is written. JSON is read with a depth guard instead of DRF's `json.load`,
which a few thousand brackets turn into a RecursionError. A multipart write that the
idempotency middleware parsed first is checked there: DRF then reuses Django's parse and skips
these parsers.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from governance.api.hostile import Hostile, dotted, find, form_problem, load_json


def refuse_hostile(data: Any) -> None:
    """A 400 naming the first hostile key or value in parsed data."""
    found = find(data)
    if found is not None:
        raise ValidationError(_detail(found))


def _detail(found: Hostile) -> dict[Any, Any]:
    head, rest = (found.path[0], found.path[1:]) if found.path else ("", ())
    if isinstance(head, int):  # a list of items: DRF's error shape keys the row by its index
        return {head: {dotted(rest) if rest else "non_field": [found.message]}}
    return {found.field: [found.message]}


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = load_json(stream.read())
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        refuse_hostile(data)
        return data


def _refuse_hostile_fields(fields: Any) -> None:
    found = form_problem(fields.lists())
    if found is not None:
        raise ValidationError({found.field if found.path else "non_field": [found.message]})


class FormParser(parsers.FormParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _refuse_hostile_fields(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_hostile_fields(parsed.data)
        return parsed
