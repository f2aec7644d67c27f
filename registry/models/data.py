"""Datasets, their versions, and the training runs that consume them."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from registry.validators import label_validator, sha256_validator, slug_validator


class Dataset(models.Model):
    """A named data source (a table, a file set, a feature view) that models train or score on."""

    slug = models.SlugField(max_length=80, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    contains_personal_data = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_datasets"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:dataset-detail", args=[self.slug])


class DatasetVersion(models.Model):
    """One immutable snapshot of a dataset, pinned by content hash and external reference."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=64, validators=[label_validator])
    uri = models.CharField(max_length=500)
    content_sha256 = models.CharField(max_length=64, blank=True, validators=[sha256_validator])
    # A DVC md5, a LakeFS commit id, a Delta table version: whatever pins it in its own store.
    external_ref = models.CharField(max_length=200, blank=True)
    row_count = models.PositiveBigIntegerField(null=True, blank=True)
    schema = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registered_dataset_versions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "version"], name="registry_datasetversion_unique_label"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset.name} {self.version}"


class TrainingRun(models.Model):
    """One training run of a model, as the tracker recorded it, with its input data."""

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.PROTECT, related_name="training_runs"
    )
    tracker = models.CharField(max_length=20, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    code_commit = models.CharField(max_length=64, blank=True)
    # The commit's author (email or username), so segregation of duties can follow the code.
    code_author = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    input_datasets = models.ManyToManyField(
        DatasetVersion, blank=True, related_name="training_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tracker", "external_id"],
                condition=~models.Q(external_id=""),
                name="registry_trainingrun_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        ref = self.external_id or f"#{self.pk}"
        return f"run {ref} of {self.model}"
