"""Governance API: the audit trail, RACI, the caller, tokens; and what every API view shares."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from governance import permissions
from governance.access.models import RaciAssignment
from governance.access.services import raci, tokens
from governance.api.serializers import (
    ApiTokenSerializer,
    AuditEventSerializer,
    ErrorsSerializer,
    MeSerializer,
    RaciAssignInput,
    RaciAssignmentSerializer,
)
from governance.auditlog.models import AuditEvent
from registry.models import MLModel

# ---- Shared by every API view ---------------------------------------------------------------

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


class ModelScoped:
    """Routes under /models/{model_slug}/: the parent model, 404 when the caller cannot see it."""

    request: Request
    kwargs: dict[str, Any]

    def parent(self, action: str = "view") -> MLModel:
        return permissions.model_for_user_or_404(
            self.request.user, self.kwargs["model_slug"], action
        )


# ---- Audit trail, RACI, the caller ------------------------------------------------------------


class AuditEventFilter(django_filters.FilterSet):
    verb = django_filters.CharFilter()
    target_type = django_filters.CharFilter(help_text='e.g. "registry.mlmodel"')
    target_id = django_filters.CharFilter()
    mlmodel_id = django_filters.NumberFilter(help_text="Events about this model and its parts.")

    class Meta:
        model = AuditEvent
        fields = ["verb", "target_type", "target_id", "mlmodel_id"]


class AuditEventViewSet(viewsets.GenericViewSet):
    """The whole audit trail, newest first: for auditors and administrators."""

    queryset = AuditEvent.objects.order_by("-seq")
    filterset_class = AuditEventFilter
    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = {"list": "view_audit"}

    @extend_schema(responses={200: AuditEventSerializer(many=True), 403: ErrorsSerializer})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


class RaciAssignmentViewSet(ModelScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who is Responsible, Accountable, Consulted or Informed for a model."""

    queryset = RaciAssignment.objects.none()
    serializer_class = RaciAssignmentSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[RaciAssignment]:
        return self.parent().raci_assignments.select_related("user", "group")

    @extend_schema(responses=RaciAssignmentSerializer(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RaciAssignInput, responses={201: RaciAssignmentSerializer, **REFUSALS})
    def create(self, request: Request, model_slug: str) -> Response:
        model = self.parent()
        permissions.require_manage_raci(request.user, model)  # 403 before any 400 on the body
        payload = validated(RaciAssignInput, request)
        assignment = raci.assign_raci(actor=request.user, model=model, **payload)
        return Response(RaciAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **REFUSALS})
    def destroy(self, request: Request, model_slug: str, pk: int) -> Response:
        assignment = get_object_or_404(self.get_queryset(), pk=pk)
        raci.remove_raci(actor=request.user, assignment=assignment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The caller: username, roles, and what the navigation offers them."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class ApiTokenView(APIView):
    """Exchange a username and password for a new personal API token (scripts, notebooks).

    Each call issues a new token named "password exchange"; earlier ones stay valid until
    revoked on the "API tokens" page. Pipelines should use a service account's token instead.
    """

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        request=AuthTokenSerializer, responses={200: ApiTokenSerializer, 400: ErrorsSerializer}
    )
    def post(self, request: Request) -> Response:
        credentials = AuthTokenSerializer(data=request.data, context={"request": request})
        credentials.is_valid(raise_exception=True)
        user = credentials.validated_data["user"]
        _, key = tokens.issue_token(actor=user, user=user, name="password exchange")
        return Response({"token": key})
