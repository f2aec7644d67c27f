"""Monitoring API: a model's thresholds and health, alerts and their handling, incidents."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import permissions
from governance.api.views import REFUSALS, ModelScoped, validated
from governance.findings.api.views import OnVisibleModels
from monitoring.api.health_serializers import (
    AcknowledgeInput,
    AlertSerializer,
    HealthSerializer,
    IncidentInput,
    IncidentSerializer,
    PolicyInput,
    PolicySerializer,
    ResolveInput,
)
from monitoring.models import Alert, HealthCheck, Incident, MonitoringPolicy
from monitoring.services import alerts, incidents, policies
from monitoring.stats import thresholds


@extend_schema_view(
    list=extend_schema(summary="The model's own monitoring policies (tier defaults: see health)"),
    destroy=extend_schema(summary="Remove a policy: the tier default (if any) applies again"),
)
class PolicyViewSet(
    ModelScoped,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PolicySerializer
    queryset = MonitoringPolicy.objects.none()
    lookup_value_converter = "int"
    pagination_class = None

    def get_queryset(self) -> QuerySet[MonitoringPolicy]:
        return MonitoringPolicy.objects.filter(model=self.parent()).select_related("set_by")

    @extend_schema(
        summary="Set a threshold (creates or replaces the policy for signal, measure and scope)",
        request=PolicyInput,
        responses={201: PolicySerializer, **REFUSALS},
    )
    def create(self, request: Request, model_slug: str) -> Response:
        payload = validated(PolicyInput, request)
        policy = policies.set_policy(
            actor=permissions.actor(request), model=self.parent(), **payload
        )
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, policy: MonitoringPolicy) -> None:
        policies.remove_policy(actor=permissions.actor(self.request), policy=policy)


class HealthView(ModelScoped, APIView):
    @extend_schema(
        summary="The model's latest check: every threshold that applies, judged",
        responses={200: HealthSerializer, **REFUSALS},
    )
    def get(self, request: Request, model_slug: str) -> Response:
        model = self.parent()
        checks = list(
            HealthCheck.objects.filter(model=model).select_related("version").order_by("key")
        )
        worst = thresholds.overall(c.status for c in checks)
        body: dict[str, Any] = {
            "model": model.slug,
            "version": checks[0].version.version if checks and checks[0].version else None,
            "status": worst.value if checks else thresholds.Status.NO_DATA.value,
            "checked_at": max((c.checked_at for c in checks), default=None),
            "checks": checks,
        }
        return Response(HealthSerializer(body).data)


class AlertFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=Alert.State.choices)
    severity = django_filters.ChoiceFilter(choices=Alert.Severity.choices)
    model = django_filters.CharFilter(field_name="model__slug", help_text="Slug of the model")

    class Meta:
        model = Alert
        fields = ["state", "severity", "model"]


@extend_schema_view(
    list=extend_schema(summary="Alerts on the models you may see, most recently seen first"),
    retrieve=extend_schema(summary="One alert"),
)
class AlertViewSet(
    OnVisibleModels, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Alert.objects.none()
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    lookup_value_converter = "int"
    row_model = Alert
    related = ("model", "version", "acknowledged_by", "resolved_by")

    @extend_schema(
        summary="Acknowledge: someone is looking into it",
        request=AcknowledgeInput,
        responses={200: AlertSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request: Request, pk: int) -> Response:
        note = validated(AcknowledgeInput, request)["note"]
        done = alerts.acknowledge(
            actor=permissions.actor(request), alert=self.get_object(), note=note
        )
        return Response(AlertSerializer(self.get_queryset().get(pk=done.pk)).data)

    @extend_schema(
        summary="Resolve by hand, saying what was done",
        request=ResolveInput,
        responses={200: AlertSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def resolve(self, request: Request, pk: int) -> Response:
        resolution = validated(ResolveInput, request)["resolution"]
        done = alerts.resolve(
            actor=permissions.actor(request), alert=self.get_object(), resolution=resolution
        )
        return Response(AlertSerializer(self.get_queryset().get(pk=done.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="Incidents on the models you may see, latest first"),
    retrieve=extend_schema(summary="One incident, with what monitoring said before it"),
)
class IncidentViewSet(
    OnVisibleModels, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Incident.objects.none()
    serializer_class = IncidentSerializer
    lookup_value_converter = "int"
    row_model = Incident
    related = ("model", "deployment__version", "reported_by")

    @extend_schema(
        summary="Record an incident: Attest finds the version serving then",
        request=IncidentInput,
        responses={201: IncidentSerializer, **REFUSALS},
    )
    def create(self, request: Request) -> Response:
        payload = validated(IncidentInput, request)
        model = permissions.model_for_user_or_404(request.user, payload.pop("model"))
        incident = incidents.record_incident(
            actor=permissions.actor(request), model=model, **payload
        )
        shown = self.get_queryset().get(pk=incident.pk)
        return Response(IncidentSerializer(shown).data, status=status.HTTP_201_CREATED)
