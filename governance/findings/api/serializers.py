"""Findings API output and input: findings, policy exceptions and waivers, revalidation flags."""

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from governance.access.models import RequestState
from governance.api.serializers import StrictInput, models_by_slug, slug_field, text, user_field
from governance.approvals.models import ApprovalRequest
from governance.findings.models import Finding, PolicyException, RevalidationFlag, RiskAcceptance
from governance.risk.models import Control
from registry.models import MLModel, ModelVersion


def _username(field: str) -> serializers.CharField:
    return serializers.CharField(source=f"{field}.username", read_only=True, allow_null=True)


class FindingSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text='"F-<id>"')
    model = serializers.CharField(source="model.slug", read_only=True)
    version = serializers.CharField(source="version.version", read_only=True, allow_null=True)
    request = serializers.IntegerField(source="request_id", read_only=True, allow_null=True)
    status = serializers.CharField(
        read_only=True, help_text="open, remediation, closed or accepted_risk"
    )
    overdue = serializers.SerializerMethodField()
    obligations: serializers.SlugRelatedField[Control] = serializers.SlugRelatedField(
        source="controls", slug_field="obligation_id", many=True, read_only=True
    )
    owner = _username("owner")
    raised_by = _username("raised_by")
    resolved_by = _username("resolved_by")

    class Meta:
        model = Finding
        fields = [
            "id",
            "reference",
            "model",
            "version",
            "request",
            "title",
            "description",
            "severity",
            "source",
            "status",
            "overdue",
            "owner",
            "due_on",
            "obligations",
            "remediation_plan",
            "raised_by",
            "raised_at",
            "resolved_by",
            "resolved_at",
            "resolution",
            "accepted_until",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, finding: Finding) -> bool:
        """Still open past its due date."""
        return finding.status in Finding.OPEN_STATUSES and finding.due_on < timezone.localdate()


class PolicyExceptionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text='"PE-<id>"')
    model = serializers.CharField(source="model.slug", read_only=True)
    active = serializers.SerializerMethodField()
    requested_by = _username("requested_by")
    decided_by = _username("decided_by")
    revoked_by = _username("revoked_by")

    class Meta:
        model = PolicyException
        fields = [
            "id",
            "reference",
            "model",
            "rule_id",
            "rule_title",
            "reason",
            "state",
            "active",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "expires_on",
            "revoked_at",
            "revoked_by",
        ]
        read_only_fields = fields

    def get_active(self, exception: PolicyException) -> bool:
        """Waives its rule today: granted, not revoked and not expired."""
        return (
            exception.state == RequestState.GRANTED
            and exception.revoked_at is None
            and exception.expires_on >= timezone.localdate()
        )


class RiskAcceptanceSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text='"RA-<id>"')
    finding = serializers.IntegerField(source="finding_id", read_only=True)
    requested_by = _username("requested_by")
    decided_by = _username("decided_by")

    class Meta:
        model = RiskAcceptance
        fields = [
            "id",
            "reference",
            "finding",
            "reason",
            "accepted_until",
            "state",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class RevalidationFlagSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.slug", read_only=True)
    active = serializers.SerializerMethodField()
    raised_by = _username("raised_by")
    cleared_by = _username("cleared_by")

    class Meta:
        model = RevalidationFlag
        fields = [
            "id",
            "model",
            "reason",
            "source",
            "active",
            "raised_by",
            "raised_at",
            "cleared_by",
            "cleared_at",
            "clearance_note",
        ]
        read_only_fields = fields

    def get_active(self, flag: RevalidationFlag) -> bool:
        """Closes the model's deployment gate until a validator clears it."""
        return flag.cleared_at is None


class ModelInput(StrictInput):
    model = slug_field(help_text="Slug of the model.")

    def validate_model(self, slug: str) -> MLModel:
        return models_by_slug(self.context, [slug])[0]


class FindingRaiseInput(ModelInput):
    title = serializers.CharField(max_length=300)
    severity = serializers.ChoiceField(choices=Finding.Severity.choices)
    owner = user_field(help_text="Username of who must resolve it; they must see the model.")
    due_on = serializers.DateField()
    description = text()
    # DRF's metaclass takes declared fields off the class; the stubs see Field's attribute
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[c for c in Finding.Source.choices if c[0] != Finding.Source.GATE],
        default=Finding.Source.VALIDATION,
        help_text="The gate raises its own findings.",
    )
    version = serializers.CharField(max_length=64, required=False, help_text="Version label")
    request = serializers.IntegerField(required=False, help_text="Id of the approval request")
    obligations = serializers.ListField(
        child=serializers.CharField(max_length=80),
        required=False,
        help_text="Obligation ids of the model this finding is about.",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        model, obligation_ids = data["model"], data.pop("obligations", [])
        return {
            **data,
            "version": _one(ModelVersion, "version", model, version=data.get("version")),
            "request": _one(ApprovalRequest, "request", model, pk=data.get("request")),
            "controls": _controls(model, obligation_ids),
        }


def _one(kind: type[Any], field: str, model: MLModel, **lookup: Any) -> Any:
    """The model's row named by `lookup`, None when nothing was named, or a 400 on `field`."""
    if next(iter(lookup.values())) is None:
        return None
    found = kind.objects.filter(model=model, **lookup).first()
    if found is None:
        raise serializers.ValidationError({field: f"{model.slug} has no such {field}"})
    return found


def _controls(model: MLModel, obligation_ids: list[str]) -> list[Control]:
    found = {c.obligation_id: c for c in model.controls.filter(obligation_id__in=obligation_ids)}
    unknown = [o for o in obligation_ids if o not in found]
    if unknown:
        raise serializers.ValidationError(
            {"obligations": f"not obligations of {model.slug}: {', '.join(map(repr, unknown))}"}
        )
    return list(found.values())


class PlanInput(StrictInput):
    plan = serializers.CharField(allow_blank=True, help_text="How the finding will be fixed.")


class ResolutionInput(StrictInput):
    resolution = serializers.CharField(allow_blank=True, help_text="How it was resolved.")


class AcceptRiskInput(StrictInput):
    reason = serializers.CharField(allow_blank=True, help_text="Why the risk is acceptable.")
    until = serializers.DateField(help_text="After this day the finding counts as open again.")


class ExceptionRequestInput(ModelInput):
    rule_id = serializers.CharField(max_length=80, help_text="A waivable rule of the gate policy")
    reason = serializers.CharField(allow_blank=True)
    expires_on = serializers.DateField()


class FlagRaiseInput(ModelInput):
    reason = serializers.CharField(max_length=500, allow_blank=True)


class NoteInput(StrictInput):
    note = serializers.CharField(allow_blank=True, help_text="What the revalidation found.")
