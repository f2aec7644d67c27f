"""Findings, policy exceptions and revalidation flags API; writes call governance.findings.services.

Inputs take the names the brief of each verb suggests (plan, reason, until, note); the services
name model fields in their refusals, so those are renamed back to what the caller sent.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import permissions
from governance.access.models import RequestState
from governance.api.serializers import NothingInput
from governance.api.views import (
    REFUSALS,
    SecondPersonRequests,
    fields_named,
    request_schema,
    validated,
)
from governance.findings import services as findings
from governance.findings.api.serializers import (
    AcceptRiskInput,
    ExceptionRequestInput,
    FindingRaiseInput,
    FindingSerializer,
    FlagRaiseInput,
    NoteInput,
    PlanInput,
    PolicyExceptionSerializer,
    ResolutionInput,
    RevalidationFlagSerializer,
    RiskAcceptanceSerializer,
)
from governance.findings.models import Finding, PolicyException, RevalidationFlag, RiskAcceptance


class OnVisibleModels(APIView):
    """Rows about models the caller may see; any other id is 404."""

    row_model: type[Any]
    related: tuple[str, ...] = ()

    def get_queryset(self) -> QuerySet[Any]:
        visible = permissions.models_for(self.request.user)
        return self.row_model.objects.filter(model__in=visible).select_related(*self.related)


class FindingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Finding.Status.choices)
    severity = django_filters.ChoiceFilter(choices=Finding.Severity.choices)
    model = django_filters.CharFilter(field_name="model__slug", help_text="Slug of the model")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="true: still open past the due date; false: the rest"
    )

    class Meta:
        model = Finding
        fields = ["status", "severity", "model", "overdue"]

    def filter_overdue(self, rows: QuerySet[Finding], name: str, value: bool) -> QuerySet[Finding]:
        late = Q(status__in=Finding.OPEN_STATUSES, due_on__lt=timezone.localdate())
        return rows.filter(late) if value else rows.exclude(late)


@extend_schema_view(
    list=extend_schema(summary="Findings on the models you may see, soonest due first"),
    retrieve=extend_schema(summary="One finding"),
)
class FindingViewSet(
    OnVisibleModels, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Finding.objects.none()
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    lookup_value_converter = "int"
    row_model = Finding
    related = ("model", "version", "owner", "raised_by", "resolved_by")

    def get_queryset(self) -> QuerySet[Finding]:
        return super().get_queryset().prefetch_related("controls")

    def shown(self, finding: Finding, code: int = status.HTTP_200_OK) -> Response:
        return Response(FindingSerializer(self.get_queryset().get(pk=finding.pk)).data, status=code)

    @extend_schema(
        summary="Raise a finding (a validator or decider on the model)",
        request=FindingRaiseInput,
        responses={201: FindingSerializer, **REFUSALS},
    )
    def create(self, request: Request) -> Response:
        payload = validated(FindingRaiseInput, request)
        finding = findings.raise_finding(actor=permissions.actor(request), **payload)
        return self.shown(finding, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Start remediation with a plan (the owner, or who changes the model)",
        request=PlanInput,
        responses={200: FindingSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def remediation(self, request: Request, pk: int) -> Response:
        finding = self.get_object()
        plan = validated(PlanInput, request)["plan"]
        with fields_named(remediation_plan="plan"):
            done = findings.start_remediation(
                actor=permissions.actor(request), finding=finding, plan=plan
            )
        return self.shown(done)

    @extend_schema(
        summary="Close a finding (a validator or decider, not its owner)",
        request=ResolutionInput,
        responses={200: FindingSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: Request, pk: int) -> Response:
        finding = self.get_object()
        payload = validated(ResolutionInput, request)
        done = findings.close_finding(actor=permissions.actor(request), finding=finding, **payload)
        return self.shown(done)

    @extend_schema(
        summary="Ask to accept the risk until a date; a decider grants or refuses it",
        request=AcceptRiskInput,
        responses={201: RiskAcceptanceSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path="accept-risk", filter_backends=[])
    def accept_risk(self, request: Request, pk: int) -> Response:
        finding = self.get_object()
        payload = validated(AcceptRiskInput, request)
        with fields_named(resolution="reason", accepted_until="until"):
            asked = findings.request_risk_acceptance(
                actor=permissions.actor(request), finding=finding, **payload
            )
        return Response(RiskAcceptanceSerializer(asked).data, status=status.HTTP_201_CREATED)


class ExceptionFilter(django_filters.FilterSet):
    model = django_filters.CharFilter(field_name="model__slug", help_text="Slug of the model")
    rule_id = django_filters.CharFilter()
    active = django_filters.BooleanFilter(method="filter_active", help_text="Waives its rule today")

    class Meta:
        model = PolicyException
        fields = ["model", "rule_id", "state", "active"]

    def filter_active(
        self, rows: QuerySet[PolicyException], name: str, value: bool
    ) -> QuerySet[PolicyException]:
        running = Q(
            state=RequestState.GRANTED,
            revoked_at__isnull=True,
            expires_on__gte=timezone.localdate(),
        )
        return rows.filter(running) if value else rows.exclude(running)


@request_schema(
    listed="Policy exceptions (gate rule waivers), soonest expiring first",
    one="One policy exception",
    decide="Grant or refuse an exception someone else asked for (decision rights, not a "
    "developer of the model)",
    shown=PolicyExceptionSerializer,
)
class PolicyExceptionViewSet(OnVisibleModels, SecondPersonRequests):
    queryset = PolicyException.objects.none()
    serializer_class = PolicyExceptionSerializer
    filterset_class = ExceptionFilter
    row_model = PolicyException
    related = ("model", "requested_by", "decided_by", "revoked_by")

    @extend_schema(
        summary="Ask to waive one waivable gate rule for one model until a date",
        request=ExceptionRequestInput,
        responses={201: PolicyExceptionSerializer, **REFUSALS},
    )
    def create(self, request: Request) -> Response:
        payload = validated(ExceptionRequestInput, request)
        asked = findings.request_exception(actor=permissions.actor(request), **payload)
        stored = self.get_queryset().get(pk=asked.pk)
        return Response(PolicyExceptionSerializer(stored).data, status=status.HTTP_201_CREATED)

    def decide_request(
        self, actor: User, asked: PolicyException, grant: bool, given: Mapping[str, Any]
    ) -> None:
        findings.decide_exception(actor=actor, exception=asked, grant=grant, reason=given["reason"])

    @extend_schema(
        summary="Revoke an exception: its rule counts again at once",
        request=NothingInput,
        responses={200: PolicyExceptionSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def revoke(self, request: Request, pk: int) -> Response:
        exception = self.get_object()
        validated(NothingInput, request)
        findings.revoke_exception(actor=permissions.actor(request), exception=exception)
        return Response(PolicyExceptionSerializer(self.get_queryset().get(pk=pk)).data)


class FlagFilter(django_filters.FilterSet):
    model = django_filters.CharFilter(field_name="model__slug", help_text="Slug of the model")
    active = django_filters.BooleanFilter(
        field_name="cleared_at", lookup_expr="isnull", help_text="Not cleared yet"
    )

    class Meta:
        model = RevalidationFlag
        fields = ["model", "active"]


@extend_schema_view(
    list=extend_schema(summary="Revalidation flags, newest first"),
    retrieve=extend_schema(summary="One revalidation flag"),
)
class RevalidationFlagViewSet(
    OnVisibleModels, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = RevalidationFlag.objects.none()
    serializer_class = RevalidationFlagSerializer
    filterset_class = FlagFilter
    lookup_value_converter = "int"
    row_model = RevalidationFlag
    related = ("model", "raised_by", "cleared_by")

    @extend_schema(
        summary="Require revalidation: closes the model's deployment gate until cleared",
        request=FlagRaiseInput,
        responses={201: RevalidationFlagSerializer, **REFUSALS},
    )
    def create(self, request: Request) -> Response:
        payload = validated(FlagRaiseInput, request)
        flag = findings.require_revalidation(
            actor=permissions.actor(request), source="validation", **payload
        )
        stored = self.get_queryset().get(pk=flag.pk)
        return Response(RevalidationFlagSerializer(stored).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Clear a flag after revalidation (a validator on the model)",
        request=NoteInput,
        responses={200: RevalidationFlagSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def clear(self, request: Request, pk: int) -> Response:
        flag = self.get_object()
        note = validated(NoteInput, request)["note"]
        with fields_named(clearance_note="note"):
            findings.clear_revalidation(actor=permissions.actor(request), flag=flag, note=note)
        return Response(RevalidationFlagSerializer(self.get_queryset().get(pk=pk)).data)


@request_schema(
    listed="Requests to accept a finding's risk, newest first",
    one="One request to accept a finding's risk",
    decide="Grant or refuse a risk acceptance someone else asked for",
    shown=RiskAcceptanceSerializer,
)
class RiskAcceptanceViewSet(SecondPersonRequests):
    queryset = RiskAcceptance.objects.none()
    serializer_class = RiskAcceptanceSerializer

    def get_queryset(self) -> QuerySet[RiskAcceptance]:
        visible = permissions.models_for(self.request.user)
        return RiskAcceptance.objects.filter(finding__model__in=visible).select_related(
            "finding", "requested_by", "decided_by"
        )

    def decide_request(
        self, actor: User, asked: RiskAcceptance, grant: bool, given: Mapping[str, Any]
    ) -> None:
        findings.decide_risk_acceptance(
            actor=actor, acceptance=asked, grant=grant, reason=given["reason"]
        )
