"""Rulebooks API: every version to those who read rulebooks; publishing as a request a second
person decides. Writes call governance.rulebooks.services, as the rulebook pages do."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from governance import permissions
from governance.api.views import (
    REFUSALS,
    GlobalRight,
    SecondPersonRequests,
    request_schema,
    validated,
)
from governance.rulebooks import services as rulebooks
from governance.rulebooks.api.serializers import (
    CorrectionInput,
    PublicationRequestInput,
    RulebookDetailSerializer,
    RulebookPublicationSerializer,
    RulebookSerializer,
)
from governance.rulebooks.models import Publication, Rulebook


class ReadsRulebooks(BasePermission):
    """Auditors, administrators and holders of the publish right, as on the rulebook pages."""

    message = "You may not read the rulebooks."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return permissions.can_read_rulebooks(request.user)


@extend_schema_view(
    list=extend_schema(summary="Every rulebook version, by kind and name, newest version first"),
    retrieve=extend_schema(summary="One rulebook version, with its content"),
)
class RulebookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rulebook versions: a published one never changes; a draft is published once a second
    person grants the request to publish it."""

    queryset = Rulebook.objects.select_related("published_by").annotate(
        corrected_by_id=Subquery(
            Rulebook.objects.filter(
                corrects=OuterRef("pk"), status=Rulebook.Status.PUBLISHED
            ).values("pk")[:1]
        )
    )
    filterset_fields = ["kind", "name", "status"]
    lookup_value_converter = "int"
    permission_classes = [IsAuthenticated, ReadsRulebooks, GlobalRight]
    global_rights = {"publication": "edit_rulebooks", "correction": "edit_rulebooks"}

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return RulebookDetailSerializer if self.action == "retrieve" else RulebookSerializer

    @extend_schema(
        summary="Ask for a draft to be published; a second person holding the publish right "
        "decides (publishing re-derives what the version changes)",
        request=PublicationRequestInput,
        responses={201: RulebookPublicationSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def publication(self, request: Request, pk: int) -> Response:
        draft = self.get_object()
        note = validated(PublicationRequestInput, request)["note"]
        asked = rulebooks.request_publication(
            actor=permissions.actor(request), draft=draft, note=note
        )
        return Response(RulebookPublicationSerializer(asked).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Draft a correction of a published version: its content with the changes, "
        "possibly back-dated, that replaces it for every day it was in force once a second "
        "person publishes it (ask with `publication`)",
        request=CorrectionInput,
        responses={201: RulebookDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def correction(self, request: Request, pk: int) -> Response:
        given = validated(CorrectionInput, request)
        draft = rulebooks.draft_correction(
            actor=permissions.actor(request),
            base=self.get_object(),
            changes=given["changes"],
            reason=given["reason"],
        )
        return Response(RulebookDetailSerializer(draft).data, status=status.HTTP_201_CREATED)


@request_schema(
    listed="Requests to publish a rulebook version, newest first",
    one="One request to publish a rulebook version",
    decide="Publish (re-deriving what the version changes) or refuse a version someone "
    "else asked to publish",
    shown=RulebookPublicationSerializer,
)
class PublicationViewSet(SecondPersonRequests):
    """Requests to publish a draft: asked by an administrator, decided by someone else holding
    the publish right; filter with `state=requested` for those waiting."""

    queryset = Publication.objects.select_related(
        "rulebook__published_by", "requested_by", "decided_by"
    )
    serializer_class = RulebookPublicationSerializer
    filterset_fields = ["state", "rulebook"]
    permission_classes = [IsAuthenticated, ReadsRulebooks, GlobalRight]
    global_rights = {"decide": "publish_rulebooks"}

    def decide_request(
        self, actor: User, asked: Publication, grant: bool, given: Mapping[str, Any]
    ) -> None:
        rulebooks.decide_publication(
            actor=actor, publication=asked, grant=grant, reason=given["reason"]
        )
