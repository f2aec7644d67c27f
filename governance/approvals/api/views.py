"""Approvals API: requests and their sign-offs, conditions and files; and the deployment gate.

Writes call governance.approvals.services.workflow, as the UI does. A refusal because the request moved
on (decided, withdrawn: a DomainError on "state") is 409 Conflict with the API's one error shape;
other refusals are 400, and a caller who may not act at all hears 403.
"""

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import permissions
from governance.api.serializers import (
    ErrorsSerializer,
    NothingInput,
)
from governance.api.views import REFUSALS, ConflictOnState, validated
from governance.approvals.api.serializers import (
    ENVIRONMENTS,
    ApprovalRequestDetailSerializer,
    ApprovalRequestSerializer,
    ConditionSerializer,
    GateAnswerSerializer,
    GateQuery,
    MeetInput,
    RequestOpenInput,
    SignOffInput,
    SignOffResultSerializer,
    WithdrawInput,
)
from governance.approvals.models import ApprovalRequest, Condition, Gate, SignOff
from governance.approvals.selectors import review
from governance.approvals.services import verdicts, workflow
from governance.downloads import stored_file_response
from registry.models import Deployment

# Decision endpoints can also answer 409: the request moved on before this call.
DECISION_REFUSALS = {**REFUSALS, 409: ErrorsSerializer}


def visible_requests(user: Any) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(model__in=permissions.models_for(user)).select_related(
        "model", "version", "requested_by", "submitted_by"
    )


def with_details(requests: QuerySet[ApprovalRequest]) -> QuerySet[ApprovalRequest]:
    sign_offs = SignOff.objects.select_related("signer").prefetch_related("attachments")
    return requests.prefetch_related(
        Prefetch("sign_offs", queryset=sign_offs),
        Prefetch("conditions", queryset=Condition.objects.select_related("met_by")),
    )


class ApprovalRequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ApprovalRequest.State.choices)
    gate = django_filters.ChoiceFilter(choices=Gate.choices)
    model = django_filters.CharFilter(field_name="model__slug", help_text="Slug of the model")
    version = django_filters.CharFilter(field_name="version__version", help_text="Version label")
    environment = django_filters.ChoiceFilter(choices=ENVIRONMENTS)

    class Meta:
        model = ApprovalRequest
        fields = ["state", "gate", "model", "version", "environment"]


@extend_schema_view(
    list=extend_schema(summary="Approval requests on the models you may see, newest first"),
    retrieve=extend_schema(
        summary="One request: sign-offs, conditions, and whether the approval holds",
        responses={200: ApprovalRequestDetailSerializer, 404: ErrorsSerializer},
    ),
)
class ApprovalRequestViewSet(
    ConflictOnState, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = ApprovalRequest.objects.none()
    serializer_class = ApprovalRequestSerializer
    filterset_class = ApprovalRequestFilter
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[ApprovalRequest]:
        found = visible_requests(self.request.user)
        return found if self.action == "list" else with_details(found)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "list":
            return ApprovalRequestSerializer
        return ApprovalRequestDetailSerializer

    def shown(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        """The request as stored now, with everything the detail shows."""
        stored = with_details(visible_requests(self.request.user)).get(pk=pk)
        return Response(ApprovalRequestDetailSerializer(stored).data, status=code)

    @extend_schema(
        summary="Open a request (a draft), and submit it at once if asked",
        request=RequestOpenInput,
        responses={201: ApprovalRequestDetailSerializer, **REFUSALS},
    )
    def create(self, request: Request) -> Response:
        payload = validated(RequestOpenInput, request)
        opened = open_and_maybe_submit(request.user, payload)
        return self.shown(opened.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Submit a draft: its tier fixes the sign-offs it needs",
        request=NothingInput,
        responses={200: ApprovalRequestDetailSerializer, **DECISION_REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request: Request, pk: int) -> Response:
        found = self.get_object()
        validated(NothingInput, request)
        workflow.submit(actor=permissions.actor(request), request=found)
        return self.shown(found.pk)

    @extend_schema(
        summary="Take a submitted request into review (someone who signs it off)",
        request=NothingInput,
        responses={200: ApprovalRequestDetailSerializer, **DECISION_REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path="start-review", filter_backends=[])
    def start_review(self, request: Request, pk: int) -> Response:
        found = self.get_object()
        validated(NothingInput, request)
        workflow.start_review(actor=permissions.actor(request), request=found)
        return self.shown(found.pk)

    @extend_schema(
        summary="Withdraw a request that is not decided yet",
        request=WithdrawInput,
        responses={200: ApprovalRequestDetailSerializer, **DECISION_REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request: Request, pk: int) -> Response:
        found = self.get_object()
        permissions.require(request.user, "submit", found.model)  # 403 before a 400 on the body
        payload = validated(WithdrawInput, request)
        workflow.withdraw(actor=permissions.actor(request), request=found, reason=payload["reason"])
        return self.shown(found.pk)

    @extend_schema(
        summary="Sign off in one role; the sign-off that completes the set decides the request",
        request={"application/json": SignOffInput, "multipart/form-data": SignOffInput},
        responses={201: SignOffResultSerializer, **DECISION_REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path="sign-offs", filter_backends=[])
    def sign_offs(self, request: Request, pk: int) -> Response:
        found = self.get_object()
        if not permissions.signoff_roles(request.user, found.model):
            raise PermissionDenied(f"{request.user} signs off in no role on {found.model}")
        sign = sign_off_from(request, found, validated(SignOffInput, request))
        stored = with_details(visible_requests(request.user)).get(pk=found.pk)
        result = {"sign_off": sign, "request": stored}
        return Response(SignOffResultSerializer(result).data, status=status.HTTP_201_CREATED)


def open_and_maybe_submit(actor: Any, payload: dict[str, Any]) -> ApprovalRequest:
    """One transaction: a refused submission keeps no draft, so the caller can simply retry."""
    wants_submit = payload.pop("submit")
    del payload["model"]  # resolved into the version
    payload["environment"] = payload.get("environment") or ""
    with transaction.atomic():
        opened = workflow.open_request(actor=actor, **payload)
        if wants_submit:
            workflow.submit(actor=actor, request=opened)
    return opened


def sign_off_from(request: Request, found: ApprovalRequest, payload: dict[str, Any]) -> SignOff:
    conditions = [
        workflow.NewCondition(c["text"], c["due_on"]) for c in payload.get("conditions", [])
    ]
    return workflow.sign_off(
        actor=permissions.actor(request),
        request=found,
        role=payload["role"],
        decision=payload["decision"],
        comment=payload.get("comment", ""),
        conditions=conditions,
        expires_on=payload.get("expires_on"),
        attachments=[("", upload) for upload in payload.get("attachments", [])],
    )


@extend_schema_view(retrieve=extend_schema(summary="One condition of an approval"))
class ConditionViewSet(ConflictOnState, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Condition.objects.none()
    serializer_class = ConditionSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Condition]:
        visible = permissions.models_for(self.request.user)
        return Condition.objects.filter(request__model__in=visible).select_related("met_by")

    @extend_schema(
        summary="Confirm a condition is met (a validator or decider on the model)",
        request=MeetInput,
        responses={200: ConditionSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def meet(self, request: Request, pk: int) -> Response:
        condition = self.get_object()
        payload = validated(MeetInput, request)
        met = workflow.meet_condition(
            actor=permissions.actor(request), condition=condition, **payload
        )
        return Response(ConditionSerializer(self.get_queryset().get(pk=met.pk)).data)


class AttachmentFileView(APIView):
    @extend_schema(
        summary="A sign-off's file, with its media type; the ETag is its SHA-256",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ErrorsSerializer},
    )
    def get(self, request: Request, pk: int) -> Any:
        attachment = review.attachment_for(permissions.actor(request), pk)
        if attachment is None:
            raise Http404("No such attachment.")
        return stored_file_response(request, attachment)


class GateView(APIView):
    """Read-only and cheap enough for a pipeline to ask before every deployment."""

    @extend_schema(
        summary="May this version pass the gate now? Every rule with pass or fail and why",
        parameters=[
            OpenApiParameter("model", str, required=True, description="Slug of the model"),
            OpenApiParameter("version", str, required=True, description="Version label"),
            OpenApiParameter("environment", str, required=True, enum=Deployment.Environment.values),
            OpenApiParameter("gate", str, enum=Gate.values, default=Gate.DEPLOYMENT.value),
        ],
        responses={200: GateAnswerSerializer, 400: ErrorsSerializer, 404: ErrorsSerializer},
    )
    def get(self, request: Request) -> Response:
        query = GateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        asked = query.validated_data
        version = permissions.version_for_user_or_404(
            request.user, asked["model"], asked["version"]
        )
        return Response(verdicts.answer_now(version, asked["environment"], asked["gate"]))
