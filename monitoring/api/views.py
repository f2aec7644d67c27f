"""Ingestion API for pipelines: bulk metrics, tracker bundles, file imports, evidence files.

Every write here runs inside the request's transaction and batch (monitoring.api.idempotency),
so a refused push leaves nothing behind and a keyed retry replays the first answer.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import permissions
from governance.api.parsers import FormParser, JSONParser, MultiPartParser
from governance.api.views import REFUSALS, ModelScoped, validated
from governance.errors import DomainError
from monitoring import adapters
from monitoring.api import reads
from monitoring.api.idempotency import ingestion_batch
from monitoring.api.serializers import (
    EvidenceFileAnswerSerializer,
    EvidenceFileInput,
    ImportInput,
    IngestionBatchSerializer,
    MetricColumnsSerializer,
    MetricDefinitionSerializer,
    PushAnswerSerializer,
)
from monitoring.ingest import frames
from monitoring.ingest.bundle import Bundle, checked
from monitoring.models import IngestionBatch, MetricDefinition
from monitoring.selectors import pushed
from monitoring.services import evidence, ingestion, metric_definitions
from registry.models import ModelVersion

PUSH_REFUSALS = {**REFUSALS, 409: REFUSALS[400], 413: REFUSALS[400]}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="A retry with the same key and body replays the first answer; another body is 409",
)


def _answer(
    request: Request, version: ModelVersion, datasets: Sequence[tuple[str, str]] = ()
) -> Response:
    batch = ingestion_batch(request)
    batch.refresh_from_db(fields=["counts"])
    records = pushed.batch_records(batch, version, datasets)
    records["version"]["url"] = request.build_absolute_uri(records["version"]["url"])
    body = {
        "batch": batch.pk,
        "model": version.model.slug,
        "version": version.version,
        "counts": batch.counts,
        "records": records,
    }
    return Response(body, status=status.HTTP_201_CREATED)


def _push(request: Request, model_slug: str, version: str, read: Callable[[], Bundle]) -> Response:
    """Read a bundle (BadInput becomes a 400 naming the field), then record it all."""
    model = permissions.model_for_user_or_404(request.user, model_slug, "change")
    with ingestion.domain_errors():
        bundle = read()
    try:
        target = ingestion.push_bundle(
            actor=permissions.actor(request),
            model=model,
            version=version,
            bundle=bundle,
            batch=ingestion_batch(request),
        )
    except DomainError as exc:
        if exc.field != ingestion.EXTERNAL_ID_FIELD:
            raise
        return Response({"errors": [exc.as_dict()]}, status=status.HTTP_409_CONFLICT)
    return _answer(request, target, bundle.dataset_keys())


class MetricPointsView(reads.MetricNamesRead):
    """Bulk metric points; parsed and checked column-wise, never row by row by a serializer.

    A GET lists the metric names the version reported (`reads.MetricNamesRead`).
    """

    parser_classes: list = []  # the body is read raw: JSON, CSV, Parquet or Arrow IPC

    @extend_schema(
        summary="Push metric points (JSON columns or rows, CSV, Parquet, Arrow IPC); all or none",
        parameters=[IDEMPOTENCY_KEY],
        request={
            "application/json": MetricColumnsSerializer,
            "text/csv": OpenApiTypes.STR,
            "application/vnd.apache.parquet": OpenApiTypes.BINARY,
            "application/vnd.apache.arrow.stream": OpenApiTypes.BINARY,
            "application/vnd.apache.arrow.file": OpenApiTypes.BINARY,
        },
        responses={201: PushAnswerSerializer, **PUSH_REFUSALS},
    )
    def post(self, request: Request, model_slug: str, version: str) -> Response:
        found = permissions.version_for_user_or_404(request.user, model_slug, version, "change")
        with ingestion.domain_errors():
            frame = frames.read(request.body, request.content_type)
        ingestion.ingest_metrics(
            actor=permissions.actor(request),
            version=found,
            frame=frame,
            batch=ingestion_batch(request),
        )
        return _answer(request, found)


class BundleView(APIView):
    """A tracker push as one bundle: datasets, run, version info and results."""

    parser_classes = [JSONParser]

    @extend_schema(
        summary="Push a bundle (run, datasets, metrics, fairness, drift, validation, evals)",
        parameters=[IDEMPOTENCY_KEY],
        request=OpenApiRequest(OpenApiTypes.OBJECT),
        responses={201: PushAnswerSerializer, **PUSH_REFUSALS},
    )
    def post(self, request: Request, model_slug: str, version: str) -> Response:
        return _push(request, model_slug, version, lambda: Bundle.from_json(request.data))


class ImportView(APIView):
    """A tool's own artifact, read on the server by that tool's adapter."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a tool's artifact (evidently, great-expectations, dvc, fairness, ...)",
        parameters=[
            IDEMPOTENCY_KEY,
            OpenApiParameter(
                "source", str, OpenApiParameter.PATH, enum=list(adapters.FILE_ADAPTERS)
            ),
        ],
        request={"multipart/form-data": ImportInput},
        responses={201: PushAnswerSerializer, **PUSH_REFUSALS},
    )
    def post(self, request: Request, model_slug: str, version: str, source: str) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError(field="file", message="required: the artifact to import")
        options = {k: v for k, v in request.POST.dict().items() if k != "file"}

        def read() -> Bundle:
            bundle = adapters.read_file(
                source, upload.read(), filename=upload.name, options=options
            )
            return checked(bundle)

        return _push(request, model_slug, version, read)


class EvidenceFileView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Attach a free-form evidence file to a version",
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": EvidenceFileInput},
        responses={201: EvidenceFileAnswerSerializer, **PUSH_REFUSALS},
    )
    def post(self, request: Request, model_slug: str, version: str) -> Response:
        found = permissions.version_for_user_or_404(request.user, model_slug, version, "change")
        payload = validated(EvidenceFileInput, request)
        stored = evidence.attach_file(
            actor=permissions.actor(request),
            version=found,
            upload=payload["file"],
            title=payload["title"],
            kind=payload["kind"],
            batch=ingestion_batch(request),
        )
        return Response(EvidenceFileAnswerSerializer(stored).data, status=status.HTTP_201_CREATED)


class IngestionBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own batches; auditors see everyone's."""

    serializer_class = IngestionBatchSerializer
    queryset = IngestionBatch.objects.none()
    filterset_fields = ["source", "key"]

    def get_queryset(self) -> QuerySet[IngestionBatch]:
        found = IngestionBatch.objects.select_related("actor", "version__model")
        if permissions.can_globally(self.request.user, "view_audit"):
            return found
        return found.filter(actor=permissions.actor(self.request))


class MetricDefinitionViewSet(ModelScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The metrics a model reports; defining any makes pushes of other names a 400."""

    serializer_class = MetricDefinitionSerializer
    queryset = MetricDefinition.objects.none()

    def get_queryset(self) -> QuerySet[MetricDefinition]:
        return self.parent().metric_definitions.select_related("defined_by")

    @extend_schema(
        request=MetricDefinitionSerializer, responses={201: MetricDefinitionSerializer, **REFUSALS}
    )
    def create(self, request: Request, model_slug: str) -> Response:
        model = self.parent("change")
        payload: dict[str, Any] = validated(MetricDefinitionSerializer, request)
        definition = metric_definitions.define_metric(
            actor=permissions.actor(request), model=model, **payload
        )
        return Response(MetricDefinitionSerializer(definition).data, status=status.HTTP_201_CREATED)
