"""Approvals API: requests and their sign-offs, conditions and files; and the deployment gate.

Writes call governance.services.approvals, as the UI does. A refusal because the request moved
on (decided, withdrawn: a DomainError on "state") is 409 Conflict with the API's one error shape;
other refusals are 400, and a caller who may not act at all hears 403.
"""

import json
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.views import APIView

from governance import permissions
from governance.api.serializers import ErrorsSerializer, StrictInput
from governance.api.views import REFUSALS, validated
from governance.approvals.models import ApprovalRequest, Attachment, Condition, Gate, SignOff
from governance.approvals.rules import signoffs
from governance.approvals.selectors import facts as approval_facts
from governance.approvals.selectors import queues as approval_selectors
from governance.approvals.services import gate
from governance.approvals.services import workflow as approvals
from governance.errors import DomainError
from governance.risk.views import evidence_response
from registry.api.serializers import VersionInput, label_field, slug_field, text
from registry.models import Deployment

# Decision endpoints can also answer 409: the request moved on before this call.
DECISION_REFUSALS = {**REFUSALS, 409: ErrorsSerializer}
ENVIRONMENTS = Deployment.Environment.choices


class ConflictOnState:
    """A DomainError on "state" means someone else moved the request on: 409, same body."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DomainError) and exc.field == "state":
            return Response({"errors": [exc.as_dict()]}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)  # type: ignore[misc]


# ---- Output -------------------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "title", "sha256", "size", "media_type", "download"]
        read_only_fields = fields

    def get_download(self, attachment: Attachment) -> str:
        return reverse("approval-api-attachment-file", args=[attachment.pk])


class SignOffSerializer(serializers.ModelSerializer):
    # Plain text, not an enum: the RACI "role" enum would clash with it in the schema.
    role = serializers.CharField(
        read_only=True, help_text="validator, committee, compliance, legal"
    )
    signer = serializers.CharField(source="signer.username", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = SignOff
        fields = ["id", "role", "decision", "signer", "comment", "signed_at", "attachments"]
        read_only_fields = fields


class ConditionSerializer(serializers.ModelSerializer):
    request = serializers.IntegerField(source="request_id", read_only=True)
    sign_off = serializers.IntegerField(source="sign_off_id", read_only=True)
    met = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    met_by = serializers.CharField(source="met_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Condition
        fields = [
            "id",
            "request",
            "sign_off",
            "text",
            "due_on",
            "met",
            "overdue",
            "met_at",
            "met_by",
            "met_note",
        ]
        read_only_fields = fields

    def get_met(self, condition: Condition) -> bool:
        return condition.met_at is not None

    def get_overdue(self, condition: Condition) -> bool:
        """Unmet past its due date: the approval it belongs to has lapsed."""
        return condition.met_at is None and condition.due_on < timezone.localdate()


class RequirementSerializer(serializers.Serializer):
    role = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True, help_text="Distinct people who must approve")
    approved = serializers.IntegerField(read_only=True, help_text="Approvals given so far")


class ApprovalRequestSerializer(serializers.ModelSerializer):
    """A request as lists show it: where it stands, without its sign-offs."""

    reference = serializers.CharField(read_only=True, help_text='"AR-<id>"')
    model = serializers.CharField(source="model.slug", read_only=True)
    version = serializers.CharField(source="version.version", read_only=True)
    state = serializers.CharField(
        read_only=True,
        help_text="draft, submitted, in_review, approved, approved_with_conditions, rejected "
        "or withdrawn",
    )
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, allow_null=True
    )
    submitted_by = serializers.CharField(
        source="submitted_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "reference",
            "model",
            "version",
            "gate",
            "environment",
            "state",
            "summary",
            "tier",
            "requested_by",
            "submitted_by",
            "submitted_at",
            "review_started_at",
            "decided_at",
            "decision_note",
            "withdrawn_at",
            "expires_on",
            "due_on",
            "snapshot_sha256",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ApprovalRequestDetailSerializer(ApprovalRequestSerializer):
    """One request: its sign-offs against what it needs, its conditions, and whether it holds."""

    requirements = serializers.SerializerMethodField()
    outstanding = serializers.SerializerMethodField()
    sign_offs = SignOffSerializer(many=True, read_only=True)
    conditions = ConditionSerializer(many=True, read_only=True)
    valid = serializers.SerializerMethodField()
    lapses = serializers.SerializerMethodField()

    class Meta(ApprovalRequestSerializer.Meta):
        fields = [
            *ApprovalRequestSerializer.Meta.fields,
            "requirements",
            "outstanding",
            "sign_offs",
            "conditions",
            "valid",
            "lapses",
        ]
        read_only_fields = fields

    def _progress(self, request: ApprovalRequest) -> signoffs.Progress:
        required = [signoffs.Requirement(r["role"], int(r["count"])) for r in request.requirements]
        given = [signoffs.Given(s.role, s.signer_id, s.decision) for s in request.sign_offs.all()]
        return signoffs.progress(required, given)

    @extend_schema_field(RequirementSerializer(many=True))
    def get_requirements(self, request: ApprovalRequest) -> list[dict[str, Any]]:
        """Fixed at submission (empty for a draft): each role, how many, how many approved."""
        approved = self._progress(request).approvals
        return [{**r, "approved": approved.get(r["role"], 0)} for r in request.requirements]

    def get_outstanding(self, request: ApprovalRequest) -> list[str]:
        """Roles still to approve (empty once every required sign-off is in)."""
        return [r.role for r in self._progress(request).outstanding]

    def get_valid(self, request: ApprovalRequest) -> bool:
        """An approval that still holds today (false for anything not approved)."""
        return request.is_approval and not self._lapses(request)

    def get_lapses(self, request: ApprovalRequest) -> list[str]:
        """Why an approval no longer holds: expiry, an unmet condition past due, a breach."""
        return list(self._lapses(request))

    def _lapses(self, request: ApprovalRequest) -> tuple[str, ...]:
        if not hasattr(request, "_api_lapses"):
            request._api_lapses = approval_facts.lapses_of(request, timezone.localdate())
        return request._api_lapses


class SignOffResultSerializer(serializers.Serializer):
    sign_off = SignOffSerializer(read_only=True)
    request = ApprovalRequestDetailSerializer(
        read_only=True, help_text="The request after this sign-off: decided if it completed it"
    )


# ---- Input --------------------------------------------------------------------------------------


class RequestOpenInput(VersionInput):
    gate = serializers.ChoiceField(choices=Gate.choices)
    environment = serializers.ChoiceField(
        choices=ENVIRONMENTS,
        required=False,
        allow_blank=True,
        help_text="Deployment requests only: where the version is to go.",
    )
    summary = text()
    due_on = serializers.DateField(
        required=False, allow_null=True, help_text="Periodic reviews: when the review falls due."
    )
    submit = serializers.BooleanField(
        default=False, help_text="Submit at once; nothing is kept if the submission is refused."
    )


class NothingInput(StrictInput):
    """Nothing to send."""


class WithdrawInput(StrictInput):
    reason = serializers.CharField(allow_blank=True, help_text="Why the request is withdrawn.")


class ConditionInput(StrictInput):
    text = serializers.CharField(allow_blank=True, help_text="What must be done.")
    due_on = serializers.DateField(help_text="By when; on or before the approval's expiry.")


class ConditionsField(serializers.ListField):
    """A list of {text, due_on}; multipart forms send it as one JSON string."""

    child = ConditionInput()

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary):
            return dictionary.get(self.field_name, serializers.empty)
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else []
            except ValueError as exc:
                raise serializers.ValidationError(
                    'send a JSON list of {"text": ..., "due_on": "YYYY-MM-DD"}'
                ) from exc
        return super().to_internal_value(data)


class SignOffInput(StrictInput):
    role = serializers.CharField(help_text="One the request needs: " + ", ".join(signoffs.ROLES))
    decision = serializers.ChoiceField(choices=SignOff.Decision.choices)
    comment = text()
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="When the approval ends; required with conditions.",
    )
    conditions = ConditionsField(
        required=False, help_text="approve_with_conditions only; multipart: a JSON string."
    )
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Files backing the sign-off (multipart/form-data only); kept with SHA-256.",
    )

    def validate_role(self, role: str) -> str:
        if role not in signoffs.ROLES:
            raise serializers.ValidationError(f"one of {', '.join(signoffs.ROLES)}")
        return role


class MeetInput(StrictInput):
    note = serializers.CharField(allow_blank=True, help_text="How the condition was met.")


class GateQuery(serializers.Serializer):
    """Query-string input: other parameters (`format`) pass through to DRF."""

    model = slug_field(help_text="Slug of the model.")
    version = label_field()
    environment = serializers.ChoiceField(choices=ENVIRONMENTS)
    gate = serializers.ChoiceField(choices=Gate.choices, default=Gate.DEPLOYMENT)


class RequirementResultSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True, help_text='The policy rule, e.g. "approval"')
    title = serializers.CharField(read_only=True)
    passed = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(read_only=True, help_text="Why it passed or failed")
    waived_by = serializers.CharField(
        read_only=True, help_text='The policy exception standing in for a pass ("" when none)'
    )


class PolicyRefSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    sha256 = serializers.CharField(read_only=True)


class GateAnswerSerializer(serializers.Serializer):
    model = serializers.CharField(read_only=True)
    version = serializers.CharField(read_only=True)
    environment = serializers.CharField(read_only=True)
    open = serializers.BooleanField(read_only=True, help_text="Every rule passed or is waived")
    checked_at = serializers.DateTimeField(read_only=True)
    policy = PolicyRefSerializer(read_only=True)
    requirements = RequirementResultSerializer(many=True, read_only=True)
    unmet = RequirementResultSerializer(
        many=True, read_only=True, help_text="The requirements that failed"
    )


# ---- Views --------------------------------------------------------------------------------------


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
        approvals.submit(actor=request.user, request=found)
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
        approvals.start_review(actor=request.user, request=found)
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
        approvals.withdraw(actor=request.user, request=found, reason=payload["reason"])
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
        opened = approvals.open_request(actor=actor, **payload)
        if wants_submit:
            approvals.submit(actor=actor, request=opened)
    return opened


def sign_off_from(request: Request, found: ApprovalRequest, payload: dict[str, Any]) -> SignOff:
    conditions = [
        approvals.NewCondition(c["text"], c["due_on"]) for c in payload.get("conditions", [])
    ]
    return approvals.sign_off(
        actor=request.user,
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
        met = approvals.meet_condition(actor=request.user, condition=condition, **payload)
        return Response(ConditionSerializer(self.get_queryset().get(pk=met.pk)).data)


class AttachmentFileView(APIView):
    @extend_schema(
        summary="A sign-off's file, with its media type; the ETag is its SHA-256",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ErrorsSerializer},
    )
    def get(self, request: Request, pk: int) -> Any:
        attachment = approval_selectors.attachment_for(request.user, pk)
        if attachment is None:
            raise Http404("No such attachment.")
        return evidence_response(request, attachment)  # same shape as evidence: file, sha256


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
        at = timezone.now()
        answer, book = gate.check(version, asked["environment"], asked["gate"], at)
        return Response(gate.as_json(version, asked["environment"], answer, book, at))
