"""Discovery's API: the inventory's external ids to match against, and registering a shadow
model that `attest discover --register` found serving in a registry."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from governance import permissions
from governance.api.serializers import StrictInput, label_field, slug_field, user_field
from governance.api.views import REFUSALS, GlobalRight, validated
from registry import selectors
from registry.api.serializers import MLModelSerializer
from registry.models import MLModel, ModelVersion
from registry.services.discovery import register_discovered_model


class ExternalIdSerializer(serializers.Serializer):
    model = serializers.CharField(help_text="The model's slug.")
    version = serializers.CharField()
    tracker = serializers.CharField()
    external_id = serializers.CharField()


class ExternalIdsSerializer(serializers.Serializer):
    versions = ExternalIdSerializer(many=True)


class DiscoveredVersionInput(StrictInput):
    version = label_field()
    external_id = serializers.CharField(max_length=200)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )


class DiscoveredModelRegisterInput(StrictInput):
    slug = slug_field()
    name = serializers.CharField(max_length=200)
    owner = user_field(help_text="Username of the person who will own the draft.")
    business_unit = serializers.CharField(max_length=100)
    model_type = serializers.ChoiceField(choices=MLModel.ModelType.choices)
    found_in = serializers.CharField(max_length=300, help_text='e.g. "mlflow at http://mlflow"')
    tracker = serializers.ChoiceField(choices=ModelVersion.Tracker.choices)
    versions = serializers.ListField(child=DiscoveredVersionInput(), min_length=1, max_length=100)


class ExternalIdViewSet(viewsets.ViewSet):
    """The external ids the inventory holds; whoever reads every model may ask."""

    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = {"list": "view_portfolio"}

    @extend_schema(summary="Every version's external id", responses={200: ExternalIdsSerializer})
    def list(self, request: Request) -> Response:
        return Response({"versions": selectors.external_ids()})


class DiscoveredModelViewSet(viewsets.ViewSet):
    """Register a shadow model as a draft; the same right as registering any model."""

    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = {"create": "register_model"}

    @extend_schema(
        summary="Register a model found serving in a registry, as a draft",
        request=DiscoveredModelRegisterInput,
        responses={201: MLModelSerializer, **REFUSALS},
    )
    def create(self, request: Request) -> Response:
        payload = validated(DiscoveredModelRegisterInput, request)
        model = register_discovered_model(actor=permissions.actor(request), **payload)
        return Response(MLModelSerializer(model).data, status=status.HTTP_201_CREATED)
