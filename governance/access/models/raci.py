"""Accountability: who is Responsible, Accountable, Consulted or Informed for a model."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q


class RaciAssignment(models.Model):
    """One user or group holding one RACI role for one area of one model."""

    class Role(models.TextChoices):
        RESPONSIBLE = "R", "Responsible"
        ACCOUNTABLE = "A", "Accountable"
        CONSULTED = "C", "Consulted"
        INFORMED = "I", "Informed"

    class Area(models.TextChoices):
        DEVELOPMENT = "development", "Development"
        VALIDATION = "validation", "Validation"
        APPROVAL = "approval", "Approval"
        MONITORING = "monitoring", "Monitoring"

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.CASCADE, related_name="raci_assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raci_assignments",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="raci_assignments"
    )
    role = models.CharField(max_length=1, choices=Role.choices)
    area = models.CharField(max_length=20, choices=Area.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "role"]
        permissions = [("assign_validators", "Can make validators responsible for models")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(group__isnull=True))
                | (Q(user__isnull=True) & Q(group__isnull=False)),
                name="governance_raci_user_xor_group",
            ),
            models.UniqueConstraint(
                fields=["model", "user", "role", "area"],
                condition=Q(user__isnull=False),
                name="governance_raci_unique_user",
            ),
            models.UniqueConstraint(
                fields=["model", "group", "role", "area"],
                condition=Q(group__isnull=False),
                name="governance_raci_unique_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal_name}: {self.get_role_display()} for {self.area} of {self.model}"

    @property
    def principal_name(self) -> str:
        if self.user is not None:
            return self.user.get_full_name() or self.user.username
        return f"group {self.group}"  # a Group reads as its name
