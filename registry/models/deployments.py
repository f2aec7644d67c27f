"""Deployments: which version served where, and when."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from registry.querysets import DeploymentQuerySet


class Deployment(models.Model):
    """One version serving in one environment over a time window (open-ended while live)."""

    class Environment(models.TextChoices):
        DEVELOPMENT = "development", "Development"
        STAGING = "staging", "Staging"
        PRODUCTION = "production", "Production"

    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="deployments"
    )
    environment = models.CharField(max_length=20, choices=Environment.choices)
    endpoint = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_deployments"
    )
    # What the deployment gate answered for this version and environment when it went live;
    # a deployment through a closed gate is a policy breach.
    gate_open = models.BooleanField(null=True, blank=True)
    gate_answer = models.JSONField(default=dict, blank=True)

    objects = DeploymentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="registry_deployment_window_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["environment", "started_at"], name="registry_deploy_env_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.version} in {self.environment} from {self.started_at:%Y-%m-%d %H:%M}"
