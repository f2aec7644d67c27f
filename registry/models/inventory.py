"""Models, their versions (including LLM prompt templates) and model-to-model dependencies."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from registry.querysets import MLModelQuerySet
from registry.validators import label_validator, sha256_validator, slug_validator


class MLModel(models.Model):
    """A model in the inventory: what it is for, who owns it and where it stands."""

    class ModelType(models.TextChoices):
        CLASSICAL_ML = "classical_ml", "Classical ML"
        DEEP_LEARNING = "deep_learning", "Deep learning"
        LLM_APPLICATION = "llm_application", "LLM application"
        VENDOR = "vendor", "Vendor model"

    class Status(models.TextChoices):
        DEVELOPMENT = "development", "Development"
        VALIDATION = "validation", "Validation"
        PRODUCTION = "production", "Production"
        RETIRED = "retired", "Retired"

    slug = models.SlugField(max_length=80, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    intended_purpose = models.TextField(blank=True)
    business_unit = models.CharField(max_length=100)
    model_type = models.CharField(max_length=20, choices=ModelType.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DEVELOPMENT)
    vendor = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_models"
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MLModelQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "model"
        permissions = [
            ("submit_mlmodel", "Can submit the model for validation and approval"),
            ("validate_mlmodel", "Can validate the model"),
            ("decide_mlmodel", "Can decide on the model's approval"),
        ]
        indexes = [
            models.Index(fields=["status"], name="registry_model_status_idx"),
            models.Index(fields=["business_unit"], name="registry_model_bu_idx"),
            models.Index(fields=["updated_at"], name="registry_model_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:model-detail", args=[self.slug])


class MLModelUserObjectPermission(UserObjectPermissionBase):
    """Per-model rights of one user (guardian, with a real foreign key for fast lists)."""

    content_object = models.ForeignKey(
        MLModel, on_delete=models.CASCADE, related_name="user_object_permissions"
    )


class MLModelGroupObjectPermission(GroupObjectPermissionBase):
    """Per-model rights of one group."""

    content_object = models.ForeignKey(
        MLModel, on_delete=models.CASCADE, related_name="group_object_permissions"
    )


class ModelVersion(models.Model):
    """One trained (or configured) version of a model, with its artifact and where it came from."""

    class Tracker(models.TextChoices):
        NONE = "", "None"
        MLFLOW = "mlflow", "MLflow"
        WANDB = "wandb", "Weights & Biases"
        DVC = "dvc", "DVC"
        SAGEMAKER = "sagemaker", "SageMaker"
        VERTEX = "vertex", "Vertex AI"
        OTHER = "other", "Other"

    model = models.ForeignKey(MLModel, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=64, validators=[label_validator])
    artifact_uri = models.CharField(max_length=500, blank=True)
    artifact_sha256 = models.CharField(max_length=64, blank=True, validators=[sha256_validator])
    framework = models.CharField(max_length=100, blank=True)
    source_tracker = models.CharField(max_length=20, choices=Tracker.choices, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    # The tracker's own names for it (MLflow aliases such as "champion"), as last pushed.
    aliases = models.JSONField(default=list, blank=True)
    training_run = models.ForeignKey(
        "registry.TrainingRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="versions",
    )
    base_model = models.CharField(max_length=200, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "version"], name="registry_modelversion_unique_label"
            ),
            models.UniqueConstraint(
                fields=["model", "external_id"],
                condition=~Q(external_id=""),
                name="registry_modelversion_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model.name} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("registry:version-detail", args=[self.model.slug, self.version])


class PromptTemplate(models.Model):
    """A prompt template of an LLM application version, fixed by its SHA-256."""

    version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="prompt_templates"
    )
    name = models.CharField(max_length=100)
    template = models.TextField()
    sha256 = models.CharField(max_length=64, validators=[sha256_validator])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "name"], name="registry_prompttemplate_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class ModelDependency(models.Model):
    """The downstream model consumes the upstream model's output (scores, features, text)."""

    upstream = models.ForeignKey(MLModel, on_delete=models.PROTECT, related_name="downstream_links")
    downstream = models.ForeignKey(MLModel, on_delete=models.PROTECT, related_name="upstream_links")
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["upstream__name"]
        verbose_name_plural = "model dependencies"
        constraints = [
            models.UniqueConstraint(
                fields=["upstream", "downstream"], name="registry_dependency_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(upstream=F("downstream")), name="registry_dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.upstream} → {self.downstream}"
