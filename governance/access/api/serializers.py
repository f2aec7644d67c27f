"""Access API output and input: RACI assignments, the caller, API tokens."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance import permissions
from governance.access.models import RaciAssignment, RoleGrant, ValidatorRequest
from governance.api.serializers import (
    REQUEST_FIELDS,
    DecisionInput,
    RequestStateMixin,
    StrictInput,
    user_field,
)


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
    can_grant_roles = serializers.BooleanField(read_only=True)
    is_admin = serializers.BooleanField(read_only=True)


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    navigation = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name", "email", "roles", "navigation"]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.groups.values_list("name", flat=True))

    @extend_schema_field(NavigationSerializer)
    def get_navigation(self, user: User) -> dict[str, object]:
        return permissions.navigation_for(user)


class ApiTokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ValidatorRequestSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.slug", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )
    validator = serializers.CharField(
        source="validator.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ValidatorRequest
        fields = [
            "id",
            "model",
            "note",
            "state",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "validator",
        ]
        read_only_fields = fields


class ValidatorRequestInput(StrictInput):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ValidatorDecisionInput(DecisionInput):
    validator = user_field(required=False, help_text="Username of the validator you appoint.")


class RoleGrantSerializer(RequestStateMixin, serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    role = serializers.CharField(source="role.name", read_only=True)

    class Meta:
        model = RoleGrant
        fields = ["id", "user", "role", "note", *REQUEST_FIELDS]
        read_only_fields = fields


class RoleRequestInput(StrictInput):
    user = user_field(help_text="Username of the person who would hold the role.")
    role = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Group.objects.all(),
        error_messages={"does_not_exist": "unknown role {value!r}"},
        help_text="The role's name, e.g. Committee members.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
