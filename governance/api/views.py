"""What every API view shares: the documented refusals, input checking, global rights, routes under a model."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
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


class SecondPersonRequests(
    ConflictOnState, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requests one person made and a second person decides: list them, read one, and decide
    it with `POST {id}/decide/` (`decision`: grant or refuse; a refusal gives its `reason`).
    A request that was decided or withdrawn already answers 409."""

    # A capability names its decide service in `decide_request` and, where a decision carries
    # more than grant-or-refuse and a reason, its input (`decision_input`); `request_schema`
    # documents the three actions.
    lookup_value_converter = "int"
    decision_input: type[Serializer] = DecisionInput

    def decide_request(
        self, actor: User, asked: Any, grant: bool, given: Mapping[str, Any]
    ) -> None:
        raise NotImplementedError

    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request: Request, pk: int) -> Response:
        asked = self.get_object()
        given = validated(self.decision_input, request)
        self.decide_request(permissions.actor(request), asked, given["decision"] == "grant", given)
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)


def request_schema(
    *,
    listed: str,
    one: str,
    decide: str,
    shown: type[Serializer],
    given: type[Serializer] = DecisionInput,
) -> Callable[[type[SecondPersonRequests]], type[SecondPersonRequests]]:
    """The OpenAPI summaries of a request kind's list, one request, and its decision."""
    return extend_schema_view(
        list=extend_schema(summary=listed),
        retrieve=extend_schema(summary=one),
        decide=extend_schema(
            summary=f"{decide}; 409 once decided",
            request=given,
            responses={200: shown, 409: ErrorsSerializer, **REFUSALS},
        ),
    )


@contextmanager
def fields_named(**names: str) -> Iterator[None]:
    """Rename a service refusal's field (a model field) to the input field the caller sent."""
    try:
        yield
    except DomainError as exc:
        if exc.field not in names:
            raise
        raise DomainError(field=names[exc.field], message=exc.error_text, row=exc.row) from exc
