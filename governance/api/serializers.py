"""Governance API serializers (audit events, RACI, the caller) and the base of every input."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance import permissions
from governance.access.models import RaciAssignment
from governance.auditlog.models import AuditEvent


def user_field(**kwargs: Any) -> serializers.SlugRelatedField:
    """A person named by username."""
    return serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        error_messages={"does_not_exist": "unknown user {value!r}"},
        **kwargs,
    )


# Sent by HTML forms (DRF's browsable API) alongside the payload; not part of any input.
IGNORED_KEYS = {"csrfmiddlewaretoken"}


class StrictInput(serializers.Serializer):
    """Refuse keys the endpoint does not take, naming them, rather than silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields) - IGNORED_KEYS)
            if unknown:
                raise serializers.ValidationError(
                    {key: ["is not accepted here"] for key in unknown}
                )
        return super().to_internal_value(data)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "occurred_at",
            "actor_name",
            "verb",
            "target_type",
            "target_id",
            "target_repr",
            "mlmodel_id",
            "before",
            "after",
            "request_id",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class RaciAssignmentSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    group = serializers.CharField(source="group.name", read_only=True, allow_null=True)
    principal = serializers.CharField(source="principal_name", read_only=True)

    class Meta:
        model = RaciAssignment
        fields = ["id", "role", "area", "user", "group", "principal", "created_at"]
        read_only_fields = fields


class RaciAssignInput(StrictInput):
    role = serializers.ChoiceField(choices=RaciAssignment.Role.choices)
    area = serializers.ChoiceField(choices=RaciAssignment.Area.choices)
    user = user_field(required=False, help_text="Username; give a user or a group.")
    group = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Group.objects.all(),
        required=False,
        error_messages={"does_not_exist": "unknown group {value!r}"},
        help_text="Group name; give a user or a group.",
    )


class NavigationSerializer(serializers.Serializer):
    """What the UI's navigation offers this user (`permissions.navigation_for`)."""

    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    can_register_model = serializers.BooleanField(read_only=True)
    can_register_dataset = serializers.BooleanField(read_only=True)
    can_register_use_case = serializers.BooleanField(read_only=True)
    can_view_audit = serializers.BooleanField(read_only=True)
    is_admin = serializers.BooleanField(read_only=True)


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    navigation = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name", "email", "roles", "navigation"]
        read_only_fields = fields

    def get_roles(self, user: AbstractBaseUser) -> list[str]:
        return sorted(user.groups.values_list("name", flat=True))

    @extend_schema_field(NavigationSerializer)
    def get_navigation(self, user: AbstractBaseUser) -> dict[str, object]:
        return permissions.navigation_for(user)


class ApiTokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(read_only=True, help_text='"non_field" when not about one field')
    message = serializers.CharField(read_only=True)
    row = serializers.IntegerField(read_only=True, required=False, help_text="1-based, in lists")


class ErrorsSerializer(serializers.Serializer):
    """Every 4xx answer: what was refused, naming the field (and row, for lists)."""

    errors = ErrorItemSerializer(many=True, read_only=True)
