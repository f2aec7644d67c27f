"""Inventory API: reads over what the caller may see, and one service call per write."""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from governance import permissions
from governance.api.views import (
    REFUSALS,
    GlobalRight,
    ModelScoped,
    SecondPersonRequests,
    request_schema,
    validated,
)
from governance.auditlog.api.serializers import AuditEventSerializer
from governance.auditlog.models import AuditEvent
from registry import selectors, services
from registry.api.serializers import (
    CustomFieldDefineInput,
    CustomFieldSerializer,
    CustomFieldUpdateInput,
    DatasetRegisterInput,
    DatasetSerializer,
    DatasetVersionRegisterInput,
    DatasetVersionSerializer,
    DependencyAddInput,
    DeploymentEndInput,
    DeploymentRecordInput,
    DeploymentSerializer,
    LineageGraphSerializer,
    MLModelRegisterInput,
    MLModelSerializer,
    MLModelUpdateInput,
    ModelDependencySerializer,
    ModelVersionRegisterInput,
    ModelVersionSerializer,
    ServingAnswerSerializer,
    ServingQueryInput,
    TrainingRunRecordInput,
    TrainingRunSerializer,
    UseCaseChangeInput,
    UseCaseChangeSerializer,
    UseCaseRegisterInput,
    UseCaseSerializer,
    UseCaseUpdateInput,
)
from registry.filters import MLModelFilter
from registry.models import (
    CustomField,
    Dataset,
    DatasetVersion,
    Deployment,
    MLModel,
    ModelDependency,
    ModelVersion,
    TrainingRun,
    UseCase,
    UseCaseChange,
)

CREATED = status.HTTP_201_CREATED


def serving_query(request: Request) -> dict[str, Any]:
    """`environment` (required) and `at` (default: now) from the query string."""
    query = ServingQueryInput(data=request.query_params)
    query.is_valid(raise_exception=True)
    return {"at": timezone.now(), **query.validated_data}


# ---- Models and what hangs off them ----------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Models the caller may see"),
    retrieve=extend_schema(summary="One model"),
)
class MLModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The model inventory; invisible models are 404, visible but unchangeable ones 403."""

    queryset = MLModel.objects.none()
    serializer_class = MLModelSerializer
    filterset_class = MLModelFilter
    lookup_field = "slug"
    lookup_value_converter = "slug"
    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = {"create": "register_model"}

    def get_queryset(self) -> QuerySet[MLModel]:
        return permissions.models_for(self.request.user).select_related("owner")

    @extend_schema(request=MLModelRegisterInput, responses={201: MLModelSerializer, **REFUSALS})
    def create(self, request: Request) -> Response:
        payload = validated(MLModelRegisterInput, request)
        model = services.register_model(actor=permissions.actor(request), **payload)
        return Response(MLModelSerializer(model).data, status=CREATED)

    @extend_schema(request=MLModelUpdateInput, responses={200: MLModelSerializer, **REFUSALS})
    def partial_update(self, request: Request, slug: str) -> Response:
        model = permissions.model_for_user_or_404(request.user, slug, "change")
        payload = validated(MLModelUpdateInput, request)
        model = services.update_model(actor=permissions.actor(request), model=model, **payload)
        return Response(MLModelSerializer(model).data)

    @extend_schema(
        parameters=[ServingQueryInput], responses={200: ServingAnswerSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def serving(self, request: Request, slug: str) -> Response:
        """The deployment of this model live in `environment` at `at` (null if none was)."""
        model = self.get_object()
        query = serving_query(request)
        deployment = selectors.serving_deployment(model=model, **query)
        return Response(ServingAnswerSerializer({**query, "deployment": deployment}).data)


@extend_schema_view(
    list=extend_schema(summary="A model's versions, newest first"),
    retrieve=extend_schema(summary="One version, with its prompt templates"),
)
class ModelVersionViewSet(
    ModelScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = ModelVersion.objects.none()
    serializer_class = ModelVersionSerializer
    lookup_field = "version"
    lookup_value_converter = "str"

    def get_queryset(self) -> QuerySet[ModelVersion]:
        return selectors.versions_of(self.parent()).prefetch_related("prompt_templates")

    @extend_schema(
        request=ModelVersionRegisterInput, responses={201: ModelVersionSerializer, **REFUSALS}
    )
    def create(self, request: Request, model_slug: str) -> Response:
        model = self.parent("change")
        payload = validated(ModelVersionRegisterInput, request, model=model)
        version = services.register_version(
            actor=permissions.actor(request), model=model, **payload
        )
        stored = self.get_queryset().get(pk=version.pk)
        return Response(ModelVersionSerializer(stored).data, status=CREATED)

    @extend_schema(responses=LineageGraphSerializer)
    @action(detail=True, methods=["get"])
    def lineage(self, request: Request, model_slug: str, version: str) -> Response:
        """Data → run → this version → deployments, and the models up- and downstream."""
        return Response(
            selectors.lineage_of(
                self.get_object(), visible=permissions.models_for(request.user)
            ).as_dict()
        )


@extend_schema_view(
    list=extend_schema(summary="A model's training runs, newest first"),
    retrieve=extend_schema(summary="One training run"),
)
class TrainingRunViewSet(
    ModelScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = TrainingRun.objects.none()
    serializer_class = TrainingRunSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[TrainingRun]:
        runs = self.parent().training_runs.select_related("created_by")
        return runs.prefetch_related("input_datasets__dataset")

    @extend_schema(
        request=TrainingRunRecordInput, responses={201: TrainingRunSerializer, **REFUSALS}
    )
    def create(self, request: Request, model_slug: str) -> Response:
        model = self.parent("change")
        payload = validated(TrainingRunRecordInput, request)
        run = services.record_training_run(actor=permissions.actor(request), model=model, **payload)
        stored = self.get_queryset().get(pk=run.pk)
        return Response(TrainingRunSerializer(stored).data, status=CREATED)


@extend_schema_view(list=extend_schema(summary="The models this model consumes output from"))
class ModelDependencyViewSet(ModelScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ModelDependency.objects.none()
    serializer_class = ModelDependencySerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[ModelDependency]:
        # Like the model page: an upstream model the caller cannot see is not named.
        visible = permissions.models_for(self.request.user)
        links = ModelDependency.objects.select_related("upstream", "downstream")
        return links.filter(downstream=self.parent(), upstream__in=visible)

    @extend_schema(
        request=DependencyAddInput, responses={201: ModelDependencySerializer, **REFUSALS}
    )
    def create(self, request: Request, model_slug: str) -> Response:
        model = self.parent("change")
        payload = validated(DependencyAddInput, request)
        link = services.add_dependency(
            actor=permissions.actor(request), downstream=model, **payload
        )
        return Response(ModelDependencySerializer(link).data, status=CREATED)

    @extend_schema(responses={204: None, **REFUSALS})
    def destroy(self, request: Request, model_slug: str, pk: int) -> Response:
        link = get_object_or_404(ModelDependency, pk=pk, downstream=self.parent("change"))
        services.remove_dependency(actor=permissions.actor(request), dependency=link)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(summary="Audit events about a model, newest first"))
class ModelHistoryViewSet(ModelScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return selectors.model_history(self.parent())


class ServingViewSet(viewsets.GenericViewSet):
    """What every visible model had live in one environment at one instant."""

    queryset = Deployment.objects.none()

    @extend_schema(
        parameters=[ServingQueryInput],
        responses={200: DeploymentSerializer(many=True), 400: REFUSALS[400]},
    )
    def list(self, request: Request) -> Response:
        query = serving_query(request)
        live = selectors.serving_at(models=permissions.models_for(request.user), **query)
        page = self.paginate_queryset(live.select_related("recorded_by"))
        return self.get_paginated_response(DeploymentSerializer(page, many=True).data)


# ---- Deployments ----------------------------------------------------------------------------


class DeploymentFilter(django_filters.FilterSet):
    model = django_filters.CharFilter(field_name="version__model__slug", help_text="Model slug")
    environment = django_filters.ChoiceFilter(choices=Deployment.Environment.choices)
    live = django_filters.BooleanFilter(
        field_name="ended_at", lookup_expr="isnull", help_text="true: only those not ended"
    )

    class Meta:
        model = Deployment
        fields = ["model", "environment", "live"]


@extend_schema_view(
    list=extend_schema(summary="Deployments of the models the caller may see"),
    retrieve=extend_schema(summary="One deployment"),
)
class DeploymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Deployment.objects.none()
    serializer_class = DeploymentSerializer
    filterset_class = DeploymentFilter
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Deployment]:
        visible = Deployment.objects.filter(
            version__model__in=permissions.models_for(self.request.user)
        )
        return visible.select_related("version__model", "recorded_by")

    @extend_schema(request=DeploymentRecordInput, responses={201: DeploymentSerializer, **REFUSALS})
    def create(self, request: Request) -> Response:
        payload = validated(DeploymentRecordInput, request)
        del payload["model"]  # resolved into the version
        deployment = services.record_deployment(actor=permissions.actor(request), **payload)
        return Response(DeploymentSerializer(deployment).data, status=CREATED)

    @extend_schema(request=DeploymentEndInput, responses={200: DeploymentSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def end(self, request: Request, pk: int) -> Response:
        """Take the version out of service in this environment."""
        deployment = self.get_object()
        payload = validated(DeploymentEndInput, request)
        ended = services.end_deployment(
            actor=permissions.actor(request), deployment=deployment, **payload
        )
        return Response(DeploymentSerializer(ended).data)


# ---- Reference data: datasets, use cases, custom fields ---------------------------------------


@extend_schema_view(list=extend_schema(summary="Datasets"), retrieve=extend_schema(summary="One"))
class DatasetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Dataset.objects.select_related("created_by")
    serializer_class = DatasetSerializer
    lookup_field = "slug"
    lookup_value_converter = "slug"
    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = {
        "list": "view_datasets",
        "retrieve": "view_datasets",
        "create": "register_dataset",
    }

    @extend_schema(request=DatasetRegisterInput, responses={201: DatasetSerializer, **REFUSALS})
    def create(self, request: Request) -> Response:
        payload = validated(DatasetRegisterInput, request)
        dataset = services.register_dataset(actor=permissions.actor(request), **payload)
        return Response(DatasetSerializer(dataset).data, status=CREATED)


@extend_schema_view(
    list=extend_schema(summary="A dataset's versions, newest first"),
    retrieve=extend_schema(summary="One dataset version"),
)
class DatasetVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = DatasetVersion.objects.none()
    serializer_class = DatasetVersionSerializer
    lookup_field = "version"
    lookup_value_converter = "str"
    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = DatasetViewSet.global_rights

    def dataset(self) -> Dataset:
        return get_object_or_404(Dataset, slug=self.kwargs["dataset_slug"])

    def get_queryset(self) -> QuerySet[DatasetVersion]:
        return self.dataset().versions.select_related("dataset", "created_by")

    @extend_schema(
        request=DatasetVersionRegisterInput, responses={201: DatasetVersionSerializer, **REFUSALS}
    )
    def create(self, request: Request, dataset_slug: str) -> Response:
        dataset = self.dataset()
        payload = validated(DatasetVersionRegisterInput, request)
        version = services.register_dataset_version(
            actor=permissions.actor(request), dataset=dataset, **payload
        )
        return Response(DatasetVersionSerializer(version).data, status=CREATED)


@extend_schema_view(
    list=extend_schema(summary="Use cases (AI systems)"),
    retrieve=extend_schema(summary="One use case"),
)
class UseCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Use cases list only the models the caller may see."""

    queryset = UseCase.objects.none()
    serializer_class = UseCaseSerializer
    lookup_field = "slug"
    lookup_value_converter = "slug"
    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = {
        "list": "view_use_cases",
        "retrieve": "view_use_cases",
        "create": "register_use_case",
        "partial_update": "change_use_case",
    }

    def get_queryset(self) -> QuerySet[UseCase]:
        visible = Prefetch("models", queryset=permissions.models_for(self.request.user))
        return UseCase.objects.select_related("owner").prefetch_related(visible)

    @extend_schema(request=UseCaseRegisterInput, responses={201: UseCaseSerializer, **REFUSALS})
    def create(self, request: Request) -> Response:
        payload = validated(UseCaseRegisterInput, request)
        use_case = services.register_use_case(actor=permissions.actor(request), **payload)
        stored = self.get_queryset().get(pk=use_case.pk)
        return Response(UseCaseSerializer(stored).data, status=CREATED)

    @extend_schema(request=UseCaseUpdateInput, responses={200: UseCaseSerializer, **REFUSALS})
    def partial_update(self, request: Request, slug: str) -> Response:
        """Its owner, compliance or an administrator changes it; others propose a change."""
        use_case = self.get_object()
        payload = validated(UseCaseUpdateInput, request)
        services.update_use_case(actor=permissions.actor(request), use_case=use_case, **payload)
        return Response(UseCaseSerializer(self.get_queryset().get(pk=use_case.pk)).data)

    @extend_schema(
        summary="Propose a change to the use case; its owner accepts or refuses it",
        request=UseCaseChangeInput,
        responses={201: UseCaseChangeSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def changes(self, request: Request, slug: str) -> Response:
        use_case = self.get_object()
        payload = validated(UseCaseChangeInput, request)
        proposed = services.propose_use_case_change(
            actor=permissions.actor(request), use_case=use_case, **payload
        )
        return Response(UseCaseChangeSerializer(proposed).data, status=CREATED)


@request_schema(
    listed="Proposed changes to use cases, newest first",
    one="One proposed change to a use case",
    decide="Accept (apply) or refuse a proposed change: the use case's owner",
    shown=UseCaseChangeSerializer,
)
class UseCaseChangeViewSet(SecondPersonRequests):
    queryset = UseCaseChange.objects.none()
    serializer_class = UseCaseChangeSerializer
    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = {"list": "view_use_cases", "retrieve": "view_use_cases"}

    def get_queryset(self) -> QuerySet[UseCaseChange]:
        return UseCaseChange.objects.select_related("use_case", "requested_by", "decided_by")

    def decide_request(
        self, actor: User, asked: UseCaseChange, grant: bool, given: Mapping[str, Any]
    ) -> None:
        services.decide_use_case_change(
            actor=actor, change=asked, grant=grant, reason=given["reason"]
        )


@extend_schema_view(
    list=extend_schema(summary="Custom fields every model may carry"),
    retrieve=extend_schema(summary="One custom field"),
)
class CustomFieldViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Anyone may read the definitions (they fill in `custom_fields`); administrators edit."""

    queryset = CustomField.objects.all()
    serializer_class = CustomFieldSerializer
    lookup_field = "key"
    lookup_value_converter = "slug"
    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = {"create": "define_custom_field", "partial_update": "define_custom_field"}

    @extend_schema(
        request=CustomFieldDefineInput, responses={201: CustomFieldSerializer, **REFUSALS}
    )
    def create(self, request: Request) -> Response:
        payload = validated(CustomFieldDefineInput, request)
        field = services.define_custom_field(actor=permissions.actor(request), **payload)
        return Response(CustomFieldSerializer(field).data, status=CREATED)

    @extend_schema(
        request=CustomFieldUpdateInput, responses={200: CustomFieldSerializer, **REFUSALS}
    )
    def partial_update(self, request: Request, key: str) -> Response:
        field = self.get_object()
        payload = validated(CustomFieldUpdateInput, request)
        field = services.update_custom_field(
            actor=permissions.actor(request), field=field, **payload
        )
        return Response(CustomFieldSerializer(field).data)
