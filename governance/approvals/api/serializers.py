"""Approvals API output and input: requests, sign-offs, conditions, attachments, the gate's answer."""

import json
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.utils import html

from governance.api.serializers import (
    StrictInput,
    VersionInput,
    label_field,
    slug_field,
    text,
)
from governance.approvals.models import ApprovalRequest, Attachment, Condition, Gate, SignOff
from governance.approvals.rules import signoffs
from governance.approvals.selectors import facts as approval_facts
from registry.models import Deployment

ENVIRONMENTS = Deployment.Environment.choices


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `valid` and `lapses` both need them: worked out once per request shown.
        self._lapses_by_pk: dict[int, tuple[str, ...]] = {}

    @extend_schema_field(RequirementSerializer(many=True))
    def get_requirements(self, request: ApprovalRequest) -> list[dict[str, Any]]:
        """Fixed at submission (empty for a draft): each role, how many, how many approved."""
        approved = request.progress().approvals
        return [{**r, "approved": approved.get(r["role"], 0)} for r in request.requirements]

    def get_outstanding(self, request: ApprovalRequest) -> list[str]:
        """Roles still to approve (empty once every required sign-off is in)."""
        return [r.role for r in request.progress().outstanding]

    def get_valid(self, request: ApprovalRequest) -> bool:
        """An approval that still holds today (false for anything not approved)."""
        return request.is_approval and not self._lapses(request)

    def get_lapses(self, request: ApprovalRequest) -> list[str]:
        """Why an approval no longer holds: expiry, an unmet condition past due, a breach."""
        return list(self._lapses(request))

    def _lapses(self, request: ApprovalRequest) -> tuple[str, ...]:
        if request.pk not in self._lapses_by_pk:
            lapses = approval_facts.lapses_of(request, timezone.localdate())
            self._lapses_by_pk[request.pk] = lapses
        return self._lapses_by_pk[request.pk]


class SignOffResultSerializer(serializers.Serializer):
    sign_off = SignOffSerializer(read_only=True)
    request = ApprovalRequestDetailSerializer(
        read_only=True, help_text="The request after this sign-off: decided if it completed it"
    )


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
