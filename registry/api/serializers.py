"""Inventory API serializers: `<Entity>Serializer` renders, `<Entity><Action>Input` checks shape.

Input serializers check types, formats and lengths and resolve names (slugs, usernames) to
objects, so an unknown one is a 400 naming the field. Domain rules stay in the services.
"""

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.api.hostile import INT64_MAX
from governance.api.serializers import (
    StrictInput,
    VersionInput,
    label_field,
    models_by_slug,
    slug_field,
    text,
    user_field,
)
from registry.models import (
    CustomField,
    Dataset,
    DatasetVersion,
    Deployment,
    MLModel,
    ModelDependency,
    ModelVersion,
    PromptTemplate,
    TrainingRun,
    UseCase,
    UseCaseChange,
)
from registry.validators import sha256_validator

TRACKERS = ModelVersion.Tracker.choices


class MLModelSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = MLModel
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "intended_purpose",
            "business_unit",
            "model_type",
            "status",
            "vendor",
            "owner",
            "custom_fields",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PromptTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = PromptTemplate
        fields = ["name", "template", "sha256"]
        read_only_fields = fields


class ModelVersionSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    prompt_templates = PromptTemplateSerializer(many=True, read_only=True)
    deployment_count = serializers.IntegerField(read_only=True)
    last_deployed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "model",
            "version",
            "artifact_uri",
            "artifact_sha256",
            "framework",
            "source_tracker",
            "external_id",
            "training_run",
            "base_model",
            "provider",
            "prompt_templates",
            "deployment_count",
            "last_deployed_at",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.STR)
class DatasetVersionRefField(serializers.RelatedField):
    """A dataset version as "dataset-slug@version"."""

    # The stubs allow a PKOnlyObject, which DRF passes only when use_pk_only_optimization() is
    # true; RelatedField's is false, so the value is always the DatasetVersion.
    def to_representation(self, value: DatasetVersion) -> str:  # type: ignore[override]
        return f"{value.dataset.slug}@{value.version}"


class TrainingRunSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    input_datasets = DatasetVersionRefField(many=True, read_only=True)

    class Meta:
        model = TrainingRun
        fields = [
            "id",
            "model",
            "tracker",
            "external_id",
            "params",
            "code_commit",
            "code_author",
            "started_at",
            "finished_at",
            "input_datasets",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class ModelDependencySerializer(serializers.ModelSerializer):
    upstream = serializers.CharField(source="upstream.slug", read_only=True)
    downstream = serializers.CharField(source="downstream.slug", read_only=True)

    class Meta:
        model = ModelDependency
        fields = ["id", "upstream", "downstream", "description", "created_at"]
        read_only_fields = fields


class DeploymentSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="version.model.slug", read_only=True)
    version = serializers.CharField(source="version.version", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            "model",
            "version",
            "environment",
            "endpoint",
            "started_at",
            "ended_at",
            "recorded_by",
            "gate_open",
            "gate_answer",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "gate_open": {
                "help_text": "Whether the deployment gate was open when it went live; "
                "null when no gate policy was in force"
            },
            "gate_answer": {
                "help_text": "What the gate answered then: every rule with passed and reason "
                "(as GET /api/v1/gate/)"
            },
        }


class ServingAnswerSerializer(serializers.Serializer):
    """Which deployment served in an environment at an instant (null: none did)."""

    environment = serializers.CharField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    deployment = DeploymentSerializer(read_only=True, allow_null=True)


class LineageNodeSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    # DRF's metaclass takes declared fields off the class; the stubs see Field's attribute
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    layer = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)


class LineageEdgeSerializer(serializers.Serializer):
    # DRF's metaclass takes declared fields off the class; the stubs see Field's attribute
    source = serializers.CharField(read_only=True)  # type: ignore[assignment]
    target = serializers.CharField(read_only=True)
    relation = serializers.CharField(read_only=True)


class LineageGraphSerializer(serializers.Serializer):
    """A version's lineage: data → runs → versions → deployments, and linked models."""

    focus = serializers.CharField(read_only=True)
    nodes = LineageNodeSerializer(many=True, read_only=True)
    edges = LineageEdgeSerializer(many=True, read_only=True)


class DatasetSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "contains_personal_data",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class DatasetVersionSerializer(serializers.ModelSerializer):
    dataset = serializers.CharField(source="dataset.slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = DatasetVersion
        fields = [
            "id",
            "dataset",
            "version",
            "uri",
            "content_sha256",
            "external_ref",
            "row_count",
            "schema",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class UseCaseSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    models: serializers.SlugRelatedField[MLModel] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = UseCase
        fields = [
            "id",
            "slug",
            "name",
            "business_purpose",
            "business_unit",
            "deployer_context",
            "affected_people",
            "owner",
            "models",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CustomFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomField
        fields = [
            "key",
            "label",
            "field_type",
            "choices",
            "is_required",
            "help_text",
            "is_active",
            "position",
        ]
        read_only_fields = fields


class MLModelRegisterInput(StrictInput):
    slug = slug_field()
    name = serializers.CharField(max_length=200)
    business_unit = serializers.CharField(max_length=100)
    model_type = serializers.ChoiceField(choices=MLModel.ModelType.choices)
    status = serializers.ChoiceField(choices=MLModel.Status.choices, required=False)
    description = text()
    intended_purpose = text()
    vendor = text(200)
    owner = user_field(required=False, help_text="Username; defaults to the caller.")
    custom_fields = serializers.DictField(required=False)


class MLModelUpdateInput(StrictInput):
    name = serializers.CharField(max_length=200, required=False)
    business_unit = serializers.CharField(max_length=100, required=False)
    model_type = serializers.ChoiceField(choices=MLModel.ModelType.choices, required=False)
    status = serializers.ChoiceField(choices=MLModel.Status.choices, required=False)
    description = text()
    intended_purpose = text()
    vendor = text(200)
    owner = user_field(required=False, help_text="Username of the new owner.")
    custom_fields = serializers.DictField(
        required=False, help_text="Replaces every custom value (retired fields' values stay)."
    )


class PromptTemplateInput(StrictInput):
    name = serializers.CharField(max_length=100)
    # Hashed as sent: trimming would change the SHA-256.
    template = serializers.CharField(trim_whitespace=False)


@extend_schema_field(OpenApiTypes.INT)
class ModelRunField(serializers.PrimaryKeyRelatedField):
    """A training run of the model in the URL, by id."""

    default_error_messages = {"does_not_exist": "unknown training run {pk_value} of this model"}

    def get_queryset(self) -> QuerySet[TrainingRun]:
        return TrainingRun.objects.filter(model=self.context["model"])


class ModelVersionRegisterInput(StrictInput):
    version = label_field()
    artifact_uri = text(500)
    artifact_sha256 = serializers.CharField(
        max_length=64, required=False, allow_blank=True, validators=[sha256_validator]
    )
    framework = text(100)
    source_tracker = serializers.ChoiceField(choices=TRACKERS, required=False, allow_blank=True)
    external_id = text(200)
    training_run = ModelRunField(required=False, allow_null=True)
    base_model = text(200)
    provider = text(200)
    prompt_templates = PromptTemplateInput(many=True, required=False)


class TrainingRunRecordInput(StrictInput):
    tracker = serializers.ChoiceField(choices=TRACKERS, required=False, allow_blank=True)
    external_id = text(200)
    params = serializers.DictField(required=False)
    code_commit = text(64)
    code_author = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Email or username of the commit's author: they may not validate the version.",
    )
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    finished_at = serializers.DateTimeField(required=False, allow_null=True)
    input_datasets = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        help_text='Dataset versions read, each as "dataset-slug@version".',
    )

    def validate_input_datasets(self, refs: list[str]) -> list[DatasetVersion]:
        if not refs:
            return []
        pairs = [tuple(ref.rsplit("@", 1)) for ref in refs]
        malformed = [ref for ref, pair in zip(refs, pairs, strict=True) if len(pair) != 2]
        if malformed:
            raise serializers.ValidationError(
                f'use "dataset-slug@version": {", ".join(map(repr, malformed))}'
            )
        query = Q()
        for slug, version in pairs:
            query |= Q(dataset__slug=slug, version=version)
        found: dict[tuple[str, ...], DatasetVersion] = {
            (dv.dataset.slug, dv.version): dv
            for dv in DatasetVersion.objects.select_related("dataset").filter(query)
        }
        unknown = [ref for ref, pair in zip(refs, pairs, strict=True) if pair not in found]
        if unknown:
            raise serializers.ValidationError(
                f"unknown dataset version(s): {', '.join(map(repr, unknown))}"
            )
        return [found[pair] for pair in dict.fromkeys(pairs)]


class DependencyAddInput(StrictInput):
    upstream = slug_field(help_text="Slug of the model whose output this model consumes.")
    description = text(300)

    def validate_upstream(self, slug: str) -> MLModel:
        return models_by_slug(self.context, [slug])[0]


class ServingQueryInput(serializers.Serializer):
    """Query-string input: other parameters (`page`, `format`) pass through to DRF."""

    environment = serializers.ChoiceField(choices=Deployment.Environment.choices)
    at = serializers.DateTimeField(
        required=False, help_text="ISO 8601 instant with a time zone; defaults to now."
    )


class DeploymentRecordInput(VersionInput):
    environment = serializers.ChoiceField(choices=Deployment.Environment.choices)
    endpoint = text(300)
    started_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class DeploymentEndInput(StrictInput):
    ended_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class DatasetRegisterInput(StrictInput):
    slug = slug_field()
    name = serializers.CharField(max_length=200)
    description = text()
    contains_personal_data = serializers.BooleanField(required=False)


class DatasetVersionRegisterInput(StrictInput):
    version = label_field()
    uri = serializers.CharField(max_length=500)
    content_sha256 = serializers.CharField(
        max_length=64, required=False, allow_blank=True, validators=[sha256_validator]
    )
    external_ref = text(200)
    row_count = serializers.IntegerField(
        min_value=0, max_value=INT64_MAX, required=False, allow_null=True
    )
    schema = serializers.DictField(required=False, help_text="Column name → type.")


class UseCaseRegisterInput(StrictInput):
    slug = slug_field()
    name = serializers.CharField(max_length=200)
    business_purpose = serializers.CharField()
    business_unit = serializers.CharField(max_length=100)
    deployer_context = text()
    affected_people = text()
    owner = user_field(required=False, help_text="Username; defaults to the caller.")
    models = serializers.ListField(
        child=slug_field(), required=False, help_text="Slugs of the models it uses."
    )

    def validate_models(self, slugs: list[str]) -> list[MLModel]:
        return models_by_slug(self.context, slugs)


class UseCaseUpdateInput(StrictInput):
    name = serializers.CharField(max_length=200, required=False)
    business_purpose = serializers.CharField(required=False)
    business_unit = serializers.CharField(max_length=100, required=False)
    deployer_context = text()
    affected_people = text()
    owner = user_field(required=False)
    models = serializers.ListField(
        child=slug_field(), required=False, help_text="Replaces the models it uses."
    )

    def validate_models(self, slugs: list[str]) -> list[MLModel]:
        return models_by_slug(self.context, slugs)


class CustomFieldUpdateInput(StrictInput):
    # DRF's metaclass takes declared fields off the class; the stubs see Field's attribute
    label = serializers.CharField(max_length=100, required=False)  # type: ignore[assignment]
    field_type = serializers.ChoiceField(choices=CustomField.FieldType.choices, required=False)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=200
    )
    is_required = serializers.BooleanField(required=False)
    help_text = text(300)  # type: ignore[assignment]  # declared field, as label above
    is_active = serializers.BooleanField(required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class CustomFieldDefineInput(CustomFieldUpdateInput):
    key = serializers.RegexField(
        r"^[a-z][a-z0-9_]*$",
        max_length=50,
        error_messages={"invalid": "use lowercase letters, digits and _, starting with a letter"},
    )
    label = serializers.CharField(max_length=100)
    field_type = serializers.ChoiceField(choices=CustomField.FieldType.choices)


class UseCaseChangeSerializer(serializers.ModelSerializer):
    use_case = serializers.CharField(source="use_case.slug", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = UseCaseChange
        fields = [
            "id",
            "use_case",
            "changes",
            "note",
            "state",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class UseCaseChangeInput(StrictInput):
    name = serializers.CharField(max_length=200, required=False)
    business_purpose = serializers.CharField(required=False)
    business_unit = serializers.CharField(max_length=100, required=False)
    deployer_context = text()
    affected_people = text()
    owner = user_field(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
