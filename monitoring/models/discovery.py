"""Shadow models: found serving in production in a registry, unknown to the inventory."""

from django.db import models
from django.db.models import Q


class ShadowModel(models.Model):
    """A model a registry serves in production that the inventory does not hold: an alert.

    At most one unresolved row per registry location and model name: a later discovery that
    finds it again updates it; one that finds it registered (or no longer serving) resolves it.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    registry = models.CharField(max_length=20)  # mlflow, sagemaker, databricks
    found_in = models.CharField(max_length=300)  # "mlflow at http://mlflow:5000"
    name = models.CharField(max_length=300)  # the registry's name for the model
    versions = models.JSONField(default=list)  # its versions serving in production, as found
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    occurrences = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["found_in", "name"],
                condition=~Q(state="resolved"),
                name="monitoring_shadowmodel_one_unresolved",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, serving unregistered ({self.found_in})"
