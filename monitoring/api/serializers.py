"""Shapes of the ingestion API: what a push answers, batches, metric definitions, evidence."""

from django.contrib.auth.models import User
from rest_framework import serializers

from monitoring.models import EvidenceFile, IngestionBatch, MetricDefinition


class PushAnswerSerializer(serializers.Serializer):
    batch = serializers.IntegerField(help_text="The IngestionBatch that holds this push")
    model = serializers.CharField()
    version = serializers.CharField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text='What was written, e.g. {"metric_points": n}'
    )
    records = serializers.DictField(
        help_text="Every record the push wrote or linked: the version (with its page), its run, "
        "the dataset versions, points per metric name, and the ids of fairness, drift, "
        "data-validation and evaluation results"
    )


class MetricColumnsSerializer(serializers.Serializer):
    """Columnar JSON: one list per column, all the same length (rows form is also accepted)."""

    name = serializers.ListField(child=serializers.CharField())
    value = serializers.ListField(child=serializers.FloatField())
    timestamp = serializers.ListField(
        child=serializers.DateTimeField(), help_text="ISO 8601 with an offset, e.g. ...Z"
    )
    step = serializers.ListField(child=serializers.IntegerField(allow_null=True), required=False)
    segment = serializers.ListField(child=serializers.CharField(), required=False)
    tags = serializers.ListField(child=serializers.DictField(), required=False)


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="The tool's artifact")
    options = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="The adapter's options as further form fields, e.g. label, prediction, "
        "sensitive for fairness (docs/ingestion.md lists them per source)",
    )


class EvidenceFileInput(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=200)
    kind = serializers.CharField(max_length=60, help_text='e.g. "model-card", "test-report"')


class EvidenceFileSerializer(serializers.ModelSerializer):
    uploaded_by: serializers.StringRelatedField[User] = serializers.StringRelatedField()

    class Meta:
        model = EvidenceFile
        fields = [
            "id",
            "title",
            "kind",
            "sha256",
            "size",
            "media_type",
            "uploaded_by",
            "uploaded_at",
        ]


class EvidenceFileAnswerSerializer(EvidenceFileSerializer):
    batch = serializers.IntegerField(source="batch_id")

    class Meta(EvidenceFileSerializer.Meta):
        fields = [*EvidenceFileSerializer.Meta.fields, "batch"]


class IngestionBatchSerializer(serializers.ModelSerializer):
    actor: serializers.StringRelatedField[User] = serializers.StringRelatedField()
    model = serializers.CharField(source="version.model.slug", default=None)
    version = serializers.CharField(source="version.version", default=None)

    class Meta:
        model = IngestionBatch
        fields = [
            "id",
            "actor",
            "key",
            "source",
            "method",
            "path",
            "request_sha256",
            "counts",
            "model",
            "version",
            "status_code",
            "received_at",
        ]


class MetricDefinitionSerializer(serializers.ModelSerializer):
    defined_by: serializers.StringRelatedField[User] = serializers.StringRelatedField()

    class Meta:
        model = MetricDefinition
        fields = ["id", "name", "description", "unit", "direction", "defined_by", "defined_at"]
        read_only_fields = ["id", "defined_by", "defined_at"]
