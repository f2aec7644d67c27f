"""Shapes of the read API over what was pushed for a version: metric series and results."""

from rest_framework import serializers

from monitoring.models import (
    DataValidationResult,
    DriftResult,
    EvaluationResult,
    FairnessResult,
    IngestionBatch,
    MetricPoint,
)

RESULT_KINDS = ("drift", "fairness", "validation", "evaluation")


class BatchRefSerializer(serializers.ModelSerializer):
    """The ingestion batch a row came in (null: recorded in the app, not pushed)."""

    class Meta:
        model = IngestionBatch
        fields = ["id", "received_at", "source"]
        read_only_fields = fields


class MetricNameSerializer(serializers.Serializer):
    name = serializers.CharField()
    points = serializers.IntegerField(help_text="Points of this metric, every segment included")
    first_at = serializers.DateTimeField()
    last_at = serializers.DateTimeField()
    latest_value = serializers.FloatField(
        allow_null=True,
        help_text="The newest point's value (the whole population's when it was reported)",
    )


class MetricPointSerializer(serializers.ModelSerializer):
    batch = BatchRefSerializer(allow_null=True)

    class Meta:
        model = MetricPoint
        fields = ["timestamp", "value", "step", "segment", "tags", "batch"]
        read_only_fields = fields


class _Result(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    batch = BatchRefSerializer(allow_null=True)

    kind_name = ""
    common = ["kind", "id", "evaluated_at", "recorded_at", "batch"]

    def get_kind(self, obj: object) -> str:
        return self.kind_name


class DriftResultSerializer(_Result):
    kind_name = "drift"

    class Meta:
        model = DriftResult
        fields = [
            *_Result.common,
            "tool",
            "reference",
            "dataset_drift",
            "drift_share",
            "columns",
            "tests",
        ]
        read_only_fields = fields


class FairnessResultSerializer(_Result):
    kind_name = "fairness"

    class Meta:
        model = FairnessResult
        fields = [*_Result.common, "source", "passed", "summary"]
        read_only_fields = fields


class ValidationResultSerializer(_Result):
    kind_name = "validation"
    dataset_version = serializers.SerializerMethodField()

    class Meta:
        model = DataValidationResult
        fields = [
            *_Result.common,
            "tool",
            "suite",
            "success",
            "dataset_version",
            "results",
            "statistics",
        ]
        read_only_fields = fields

    def get_dataset_version(self, obj: DataValidationResult) -> dict[str, str] | None:
        found = obj.dataset_version
        return {"dataset": found.dataset.slug, "version": found.version} if found else None


class EvaluationResultSerializer(_Result):
    kind_name = "evaluation"
    suite_kind = serializers.ChoiceField(
        source="kind", choices=EvaluationResult.Kind.choices, read_only=True
    )
    pass_rate = serializers.FloatField(read_only=True)

    class Meta:
        model = EvaluationResult
        fields = [
            *_Result.common,
            "tool",
            "suite",
            "suite_kind",
            "cases",
            "passed",
            "pass_rate",
            "cost_per_request",
            "tokens_per_request",
            "metrics",
        ]
        read_only_fields = fields


RESULT_SERIALIZERS: dict[str, type[_Result]] = {
    "drift": DriftResultSerializer,
    "fairness": FairnessResultSerializer,
    "validation": ValidationResultSerializer,
    "evaluation": EvaluationResultSerializer,
}


class ResultsQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RESULT_KINDS, help_text="Which results to list")
