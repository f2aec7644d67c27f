"""What every API view shares: the documented refusals, input checking, global rights, routes under a model."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from governance import permissions
from governance.api.serializers import DecisionInput, ErrorsSerializer
from governance.errors import DomainError
from registry.models import MLModel

# Documented answers of a write besides success (the one error shape, see governance.api.errors).
REFUSALS = {400: ErrorsSerializer, 403: ErrorsSerializer, 404: ErrorsSerializer}


def validated(input_class: type[Serializer], request: Request, **context: Any) -> dict[str, Any]:
    """The request body checked by an input serializer; a 400 naming the field otherwise."""
    payload = input_class(data=request.data, context={"request": request, **context})
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


class GlobalRight(BasePermission):
    """The global right a view's action needs (`view.global_rights`), checked before any input.

    Services check again; asking here first means a caller without the right hears 403, not a
    400 about their payload.
    """

    message = "You may not do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        needed = getattr(view, "global_rights", {}).get(getattr(view, "action", None))
        return needed is None or permissions.can_globally(request.user, needed)


class ModelScoped(APIView):
    """Routes under /models/{model_slug}/: the parent model, 404 when the caller cannot see it."""

    def parent(self, action: str = "view") -> MLModel:
        return permissions.model_for_user_or_404(
            self.request.user, self.kwargs["model_slug"], action
        )


class ConflictOnState:
    """A DomainError on "state" means someone else moved the request on: 409, same body."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DomainError) and exc.field == "state":
            return Response({"errors": [exc.as_dict()]}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)  # type: ignore[misc]


# A capability's decide service, called as (decider, the request asked, granted?, the input).
Decide = Callable[[User, Any, bool, Mapping[str, Any]], object]


def decided(
    view: GenericAPIView[Any],
    request: Request,
    pk: int,
    decide: Decide,
    given: type[Serializer] = DecisionInput,
) -> Response:
    """The `decide` action every second-person request shares: the decision checked, the
    capability's service deciding it, the request answered as it now stands (409 through
    ConflictOnState once it had moved on)."""
    asked = view.get_object()
    payload = validated(given, request)
    decide(permissions.actor(request), asked, payload["decision"] == "grant", payload)
    return Response(view.get_serializer(view.get_queryset().get(pk=pk)).data)


@contextmanager
def fields_named(**names: str) -> Iterator[None]:
    """Rename a service refusal's field (a model field) to the input field the caller sent."""
    try:
        yield
    except DomainError as exc:
        if exc.field not in names:
            raise
        raise DomainError(field=names[exc.field], message=exc.error_text, row=exc.row) from exc
