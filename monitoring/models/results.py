"""What pipelines and monitors report about a version: metric points and fairness checks."""

from django.conf import settings
from django.db import models

# Which pushed result is the latest, everywhere (pages, the gate, packs): the newest evaluation,
# then the one received last (a re-run pushed later wins), then the highest id.
LATEST_FIRST = ("-evaluated_at", "-recorded_at", "-pk")


class MetricPoint(models.Model):
    """One value of one metric for one version (optionally per segment), at a step and time."""

    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="metric_points"
    )
    name = models.CharField(max_length=200)
    value = models.FloatField()
    step = models.BigIntegerField(null=True, blank=True)
    timestamp = models.DateTimeField()
    segment = models.CharField(max_length=200, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    # No index: a million-point COPY should not maintain one; points are read by version.
    batch = models.ForeignKey(
        "monitoring.IngestionBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
    )

    class Meta:
        ordering = ["timestamp", "pk"]
        indexes = [
            models.Index(fields=["version", "name", "timestamp"], name="monitoring_metric_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value} at {self.timestamp:%Y-%m-%d %H:%M}"


class StoredSeries(models.Model):
    """What one series (a version's metric, in one segment) holds: its first and last point's
    time and how many points. Kept by the point store in the transaction that writes the points,
    so readers list a version's series and its newest data without scanning its points."""

    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="stored_series"
    )
    name = models.CharField(max_length=200)
    segment = models.CharField(max_length=200, blank=True)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    points = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "name", "segment"], name="monitoring_one_stored_series"
            )
        ]

    def __str__(self) -> str:
        scope = f" [{self.segment}]" if self.segment else ""
        return f"{self.name}{scope}: {self.points} points"


class FairnessResult(models.Model):
    """A fairness check of a version: its summary figures and whether it passed its thresholds."""

    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="fairness_results"
    )
    evaluated_at = models.DateTimeField()
    passed = models.BooleanField()
    source = models.CharField(max_length=40, blank=True)
    # Plain data: {"sensitive": [...], "metrics": {"demographic_parity_difference": 0.04, ...}}
    summary = models.JSONField(default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    batch = models.ForeignKey(
        "monitoring.IngestionBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        indexes = [
            models.Index(fields=["version", "passed", "evaluated_at"], name="monitoring_fair_idx"),
        ]

    def __str__(self) -> str:
        verdict = "passed" if self.passed else "failed"
        return f"fairness {verdict} for {self.version} on {self.evaluated_at:%Y-%m-%d}"


class MetricDefinition(models.Model):
    """A metric a model reports. Once a model defines any, pushes of other names are refused."""

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher", "Higher is better"
        LOWER_IS_BETTER = "lower", "Lower is better"

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.PROTECT, related_name="metric_definitions"
    )
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    defined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    defined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["model", "name"], name="monitoring_metricdef_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} of {self.model}"
