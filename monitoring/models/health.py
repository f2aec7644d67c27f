"""What healthy means per model, what the last check found, the alerts it raised, incidents."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from governance.labels import signal_label
from monitoring.stats import thresholds
from monitoring.stats.thresholds import DIRECTIONS, SIGNALS, Status, Threshold


class MonitoringPolicy(models.Model):
    """A model's own threshold for one signal; it replaces the tier default with the same key.

    A policy with `enabled` false switches that tier default off for the model (the reason is
    kept in `note`).
    """

    # What a form or the API may set: the columns' ranges on PostgreSQL, and beyond ten years a
    # window means nothing (timedelta itself stops at 999,999,999 days).
    MAX_SAMPLE_SIZE = 2**31 - 1
    MAX_CONSECUTIVE = 100
    MAX_WINDOW_DAYS = 3650

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.PROTECT, related_name="monitoring_policies"
    )
    signal = models.CharField(max_length=20, choices=[(s, s) for s in SIGNALS])
    measure = models.CharField(max_length=200)
    scope = models.CharField(max_length=200, blank=True)
    direction = models.CharField(max_length=10, choices=DIRECTIONS)
    warning = models.FloatField(null=True, blank=True)
    critical = models.FloatField(null=True, blank=True)
    min_sample_size = models.PositiveIntegerField(default=0)
    consecutive = models.PositiveSmallIntegerField(default=1)
    window = models.DurationField(default=timedelta(days=30))
    material = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["signal", "measure", "scope"]
        verbose_name_plural = "monitoring policies"
        constraints = [
            models.UniqueConstraint(
                fields=["model", "signal", "measure", "scope"], name="monitoring_policy_unique"
            )
        ]

    # What the policy says about health, as `monitoring.stats.thresholds.from_entry` reads it.
    THRESHOLD_FIELDS = (
        "signal",
        "measure",
        "scope",
        "direction",
        "warning",
        "critical",
        "min_sample_size",
        "consecutive",
        "window",
        "material",
    )

    def __str__(self) -> str:
        return f"{self.threshold().label} of {self.model}"

    def threshold(self) -> Threshold:
        return thresholds.from_entry({f: getattr(self, f) for f in self.THRESHOLD_FIELDS})


class HealthCheck(models.Model):
    """The latest judgement of one threshold for one model (one row per model and key)."""

    model = models.ForeignKey("registry.MLModel", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.CASCADE, null=True, related_name="+"
    )
    key = models.CharField(max_length=420)
    status = models.CharField(max_length=20, choices=[(s.value, s.name) for s in Status])
    value = models.FloatField(null=True)
    observed_at = models.DateTimeField(null=True)
    reason = models.CharField(max_length=500)
    threshold = models.JSONField(default=dict)  # the threshold as judged, and where it came from
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["model_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="monitoring_health_unique")
        ]

    def __str__(self) -> str:
        return f"{signal_label(self.key)} of {self.model_id}: {self.status}"


class Alert(models.Model):
    """A breach of a threshold, open until someone resolves it or the model recovers.

    At most one unresolved alert per model and key: a repeat breach updates it.
    """

    class Severity(models.TextChoices):
        CRITICAL = "critical", "Critical"
        WARNING = "warning", "Warning"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    model = models.ForeignKey("registry.MLModel", on_delete=models.PROTECT, related_name="alerts")
    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, null=True, related_name="alerts"
    )
    key = models.CharField(max_length=420)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    state = models.CharField(max_length=15, choices=State.choices, default=State.OPEN)
    message = models.CharField(max_length=500)
    value = models.FloatField(null=True)
    threshold = models.JSONField(default=dict)
    occurrences = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    finding = models.ForeignKey(
        "governance.Finding", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revalidation = models.ForeignKey(
        "governance.RevalidationFlag",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "key"],
                condition=~Q(state="resolved"),
                name="monitoring_alert_one_unresolved",
            )
        ]
        indexes = [models.Index(fields=["state", "severity"], name="monitoring_alert_state_idx")]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} {self.label} on {self.model}"

    @property
    def label(self) -> str:
        """The threshold breached, as people read it; `key` stays the machine's."""
        return signal_label(self.key)


class Incident(models.Model):
    """A production incident, pinned to the deployment that was serving when it happened.

    `monitoring_before` keeps what monitoring said as of that moment (judgements and alerts),
    so the record stays what it was when the incident was written up.
    """

    class Severity(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.PROTECT, related_name="incidents"
    )
    deployment = models.ForeignKey(
        "registry.Deployment", on_delete=models.PROTECT, related_name="incidents"
    )
    occurred_at = models.DateTimeField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    monitoring_before = models.JSONField(default=dict)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.occurred_at:%Y-%m-%d})"
