"""Shapes of the monitoring API: policies, health, alerts and incidents."""

from datetime import timedelta

from rest_framework import serializers

from monitoring.models import Alert, HealthCheck, Incident, MonitoringPolicy
from monitoring.stats.thresholds import DIRECTIONS, SIGNALS
from registry.models import Deployment


def _username(field: str) -> serializers.CharField:
    return serializers.CharField(source=f"{field}.username", read_only=True, allow_null=True)


class PolicySerializer(serializers.ModelSerializer):
    window_days = serializers.SerializerMethodField()
    set_by = _username("set_by")

    class Meta:
        model = MonitoringPolicy
        fields = [
            "id",
            "signal",
            "measure",
            "scope",
            "direction",
            "warning",
            "critical",
            "min_sample_size",
            "consecutive",
            "window_days",
            "material",
            "enabled",
            "note",
            "set_by",
            "updated_at",
        ]

    def get_window_days(self, policy: MonitoringPolicy) -> float:
        return policy.window.total_seconds() / 86400


class PolicyInput(serializers.Serializer):
    signal = serializers.ChoiceField(choices=SIGNALS)
    measure = serializers.CharField(max_length=200, help_text='e.g. "auc", "psi", "pass_rate"')
    scope = serializers.CharField(
        max_length=200,
        required=False,
        default="",
        help_text="A segment, drifted column, sensitive-feature set or suite; empty: the worst",
    )
    direction = serializers.ChoiceField(choices=DIRECTIONS)
    warning = serializers.FloatField(required=False, allow_null=True, default=None)
    critical = serializers.FloatField(required=False, allow_null=True, default=None)
    min_sample_size = serializers.IntegerField(
        min_value=0, max_value=MonitoringPolicy.MAX_SAMPLE_SIZE, required=False, default=0
    )
    consecutive = serializers.IntegerField(
        min_value=1, max_value=MonitoringPolicy.MAX_CONSECUTIVE, required=False, default=1
    )
    window_days = serializers.FloatField(
        min_value=0.01, max_value=MonitoringPolicy.MAX_WINDOW_DAYS, required=False, default=30
    )
    material = serializers.BooleanField(required=False, default=False)
    enabled = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)

    def validate(self, data: dict) -> dict:
        data["window"] = timedelta(days=data.pop("window_days"))
        return data


class HealthCheckSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version.version", allow_null=True)

    class Meta:
        model = HealthCheck
        fields = ["key", "status", "value", "observed_at", "reason", "threshold", "version"]


class HealthSerializer(serializers.Serializer):
    model = serializers.CharField()
    version = serializers.CharField(allow_null=True, help_text="The version serving production")
    status = serializers.CharField(help_text="The worst status of the checks")
    checked_at = serializers.DateTimeField(allow_null=True)
    checks = HealthCheckSerializer(many=True)


class AlertSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.slug")
    version = serializers.CharField(source="version.version", allow_null=True)
    acknowledged_by = _username("acknowledged_by")
    resolved_by = _username("resolved_by")
    revalidation_required = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "model",
            "version",
            "key",
            "severity",
            "state",
            "message",
            "value",
            "threshold",
            "occurrences",
            "opened_at",
            "last_seen_at",
            "acknowledged_by",
            "acknowledged_at",
            "acknowledgement",
            "resolved_by",
            "resolved_at",
            "resolution",
            "finding",
            "revalidation_required",
        ]

    def get_revalidation_required(self, alert: Alert) -> bool:
        return alert.revalidation_id is not None


class AcknowledgeInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ResolveInput(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000)


class IncidentSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.slug")
    environment = serializers.CharField(source="deployment.environment")
    version = serializers.CharField(
        source="deployment.version.version", help_text="The version serving when it happened"
    )
    reported_by = _username("reported_by")

    class Meta:
        model = Incident
        fields = [
            "id",
            "model",
            "environment",
            "version",
            "deployment",
            "occurred_at",
            "title",
            "description",
            "severity",
            "monitoring_before",
            "reported_by",
            "reported_at",
        ]


class IncidentInput(serializers.Serializer):
    model = serializers.SlugField(help_text="Slug of the model")
    environment = serializers.ChoiceField(
        choices=Deployment.Environment.choices, default=Deployment.Environment.PRODUCTION
    )
    occurred_at = serializers.DateTimeField()
    title = serializers.CharField(max_length=300)
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)
    description = serializers.CharField(required=False, default="", allow_blank=True)
