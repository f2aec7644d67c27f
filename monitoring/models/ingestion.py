"""What pipelines sent: each accepted write request, and the results they pushed."""

from django.conf import settings
from django.db import models


class IngestionBatch(models.Model):
    """One accepted API write: who sent it, from which source, what it held, under which key.

    A retry with the same Idempotency-Key replays `response_*` instead of writing again.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=80)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_sha256 = models.CharField(max_length=64)
    counts = models.JSONField(default=dict)
    version = models.ForeignKey(
        "registry.ModelVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ingestion_batches",
    )
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "key"],
                condition=~models.Q(key=""),
                name="monitoring_batch_unique_key",
            ),
        ]
        indexes = [models.Index(fields=["actor", "received_at"], name="monitoring_batch_actor_idx")]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.source}) by {self.actor}"


class _Pushed(models.Model):
    """What every pushed result shares: the version, when it was evaluated, the batch."""

    version = models.ForeignKey("registry.ModelVersion", on_delete=models.PROTECT, related_name="+")
    evaluated_at = models.DateTimeField()
    tool = models.CharField(max_length=40, blank=True)
    batch = models.ForeignKey(
        IngestionBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-evaluated_at", "-pk"]


class DriftResult(_Pushed):
    """Drift of the inputs (or predictions) between a reference and a current window."""

    reference = models.CharField(max_length=200, blank=True)
    dataset_drift = models.BooleanField(null=True)
    drift_share = models.FloatField(null=True)
    # [{"column", "kind", "method", "score", "threshold", "drifted"}, ...]
    columns = models.JSONField(default=list)
    tests = models.JSONField(default=list)

    class Meta(_Pushed.Meta):
        indexes = [models.Index(fields=["version", "evaluated_at"], name="monitoring_drift_idx")]

    def __str__(self) -> str:
        return f"drift of {self.version} on {self.evaluated_at:%Y-%m-%d}"


class DataValidationResult(_Pushed):
    """A data-validation suite run (Great Expectations, ...) over a dataset version."""

    suite = models.CharField(max_length=200)
    success = models.BooleanField()
    dataset_version = models.ForeignKey(
        "registry.DatasetVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="validation_results",
    )
    # [{"expectation", "column", "success", "observed"}, ...]
    results = models.JSONField(default=list)
    statistics = models.JSONField(default=dict)

    class Meta(_Pushed.Meta):
        indexes = [
            models.Index(fields=["version", "evaluated_at"], name="monitoring_datavalid_idx")
        ]

    def __str__(self) -> str:
        verdict = "passed" if self.success else "failed"
        return f"{self.suite} {verdict} on {self.evaluated_at:%Y-%m-%d}"


class EvaluationResult(_Pushed):
    """An evaluation or safety suite of an LLM application: pass rate and cost per request."""

    class Kind(models.TextChoices):
        QUALITY = "quality", "Quality"
        SAFETY = "safety", "Safety"

    suite = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    cases = models.PositiveIntegerField()
    passed = models.PositiveIntegerField()
    cost_per_request = models.FloatField(null=True, blank=True)
    tokens_per_request = models.FloatField(null=True, blank=True)
    metrics = models.JSONField(default=dict)

    class Meta(_Pushed.Meta):
        indexes = [models.Index(fields=["version", "evaluated_at"], name="monitoring_eval_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(passed__lte=models.F("cases")),
                name="monitoring_eval_passed_le_cases",
            )
        ]

    def __str__(self) -> str:
        return f"{self.suite} {self.passed}/{self.cases} on {self.evaluated_at:%Y-%m-%d}"

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


def evidence_path(instance: "EvidenceFile", filename: str) -> str:
    return f"evidence-files/{instance.version_id}/{instance.sha256[:16]}/{filename}"


class EvidenceFile(models.Model):
    """A free-form file a pipeline attached to a version (a model card, a test report)."""

    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="evidence_files"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=60)
    file = models.FileField(upload_to=evidence_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    media_type = models.CharField(max_length=100)
    batch = models.ForeignKey(
        IngestionBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.kind})"
