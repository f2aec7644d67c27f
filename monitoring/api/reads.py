"""Read API over what was pushed for a version: its metric series by name, and its results by
kind. Whoever may see the model may read them; a hidden model is a 404, as everywhere."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from governance import permissions
from governance.api.serializers import ErrorsSerializer
from monitoring.api.read_serializers import (
    RESULT_SERIALIZERS,
    MetricNameSerializer,
    MetricPointSerializer,
    ResultsQuery,
)
from monitoring.models import DriftResult, MetricPoint
from monitoring.selectors import versions
from registry.models import ModelVersion

NOT_SEEN = {404: ErrorsSerializer}
# Stated, not guessed from a queryset: `version` is the version's label, not a row id.
ROUTE = [
    OpenApiParameter("model_slug", OpenApiTypes.STR, OpenApiParameter.PATH),
    OpenApiParameter("version", OpenApiTypes.STR, OpenApiParameter.PATH, description="Label"),
]


class PointPages(PageNumberPagination):
    """Metric points come in thousands: bigger pages, and the caller may ask for a size."""

    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000


class VersionScoped(generics.GenericAPIView):
    """Routes under /models/{model_slug}/versions/{version}/: 404 when the model is hidden."""

    def schema_only(self) -> bool:
        """drf-spectacular builds the schema on a view without a request's route."""
        return getattr(self, "swagger_fake_view", False)

    def version(self) -> ModelVersion:
        kwargs = self.kwargs
        return permissions.version_for_user_or_404(
            self.request.user, kwargs["model_slug"], kwargs["version"]
        )


class MetricNamesRead(VersionScoped, generics.ListAPIView):
    """GET half of the version's metrics route (the POST half pushes points)."""

    serializer_class = MetricNameSerializer

    def get_queryset(self) -> QuerySet[Any]:
        if self.schema_only():
            return MetricPoint.objects.none()
        return versions.metric_names(self.version())

    @extend_schema(
        summary="The metrics a version reported: each name with its point count and latest value",
        operation_id="version_metric_names",
        parameters=ROUTE,
        responses={200: MetricNameSerializer(many=True), **NOT_SEEN},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class MetricSeriesView(VersionScoped, generics.ListAPIView):
    """One metric's points in time order, paged."""

    serializer_class = MetricPointSerializer
    pagination_class = PointPages

    def get_queryset(self) -> QuerySet[Any]:
        if self.schema_only():
            return MetricPoint.objects.none()
        segment = self.request.query_params.get("segment")
        points = versions.metric_points(self.version(), self.kwargs["name"], segment)
        if not points.exists():
            raise Http404("No such metric for this version.")
        return points

    @extend_schema(
        summary="One metric's points of a version, oldest first, paged",
        operation_id="version_metric_series",
        parameters=[
            *ROUTE,
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, description="Metric"),
            OpenApiParameter(
                "segment",
                OpenApiTypes.STR,
                description="Only this segment's points; empty for the whole population. "
                "Omitted: every segment.",
            ),
        ],
        responses={200: MetricPointSerializer(many=True), **NOT_SEEN},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


RESULT = PolymorphicProxySerializer(
    component_name="VersionResult",
    serializers=list(RESULT_SERIALIZERS.values()),
    resource_type_field_name="kind",
    many=True,
)


class VersionResultsView(VersionScoped, generics.ListAPIView):
    """The version's results of one kind, latest first (evaluated, then received, then id)."""

    def kind(self) -> str:
        query = ResultsQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data["kind"]

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.schema_only():
            return RESULT_SERIALIZERS["drift"]
        return RESULT_SERIALIZERS[self.kind()]

    def get_queryset(self) -> QuerySet[Any]:
        if self.schema_only():
            return DriftResult.objects.none()
        return versions.results(self.version(), self.kind())

    @extend_schema(
        summary="A version's drift, fairness, data-validation or evaluation results, paged",
        operation_id="version_results",
        parameters=[
            *ROUTE,
            OpenApiParameter(
                "kind", OpenApiTypes.STR, required=True, enum=list(RESULT_SERIALIZERS)
            ),
        ],
        responses={200: RESULT, 400: ErrorsSerializer, **NOT_SEEN},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
