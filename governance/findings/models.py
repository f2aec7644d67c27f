"""Findings raised against models, policy exceptions to gate rules, and revalidation flags."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from governance.access.models.decisions import SecondPersonRequest


class Finding(models.Model):
    """A weakness a validator, a monitor or the gate found, tracked until it is resolved."""

    class Severity(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REMEDIATION = "remediation", "In remediation"
        CLOSED = "closed", "Closed"
        ACCEPTED_RISK = "accepted_risk", "Accepted risk"

    class Source(models.TextChoices):
        VALIDATION = "validation", "Validation"
        MONITORING = "monitoring", "Monitoring"
        GATE = "gate", "Deployment gate"
        AUDIT = "audit", "Audit"

    model = models.ForeignKey("registry.MLModel", on_delete=models.PROTECT, related_name="findings")
    version = models.ForeignKey(
        "registry.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    request = models.ForeignKey(
        "governance.ApprovalRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    controls = models.ManyToManyField("governance.Control", blank=True, related_name="findings")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.VALIDATION)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    remediation_plan = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    # Accepted risk is a decision with an end: after this day the finding counts as open again.
    accepted_until = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    OPEN_STATUSES = (Status.OPEN, Status.REMEDIATION)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["model", "status"], name="governance_finding_model_idx"),
            models.Index(fields=["status", "due_on"], name="governance_finding_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="accepted_risk") | Q(accepted_until__isnull=False),
                name="governance_finding_accepted_risk_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("findings:finding-detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"F-{self.pk}"


class PolicyException(SecondPersonRequest):
    """A request to waive one gate rule for one model until a date; in force once a second person
    with decision rights on the model grants it, until it expires or is revoked."""

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.PROTECT, related_name="policy_exceptions"
    )
    rule_id = models.CharField(max_length=80)
    rule_title = models.CharField(max_length=300)
    reason = models.TextField()
    expires_on = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["expires_on", "pk"]

    def __str__(self) -> str:
        return f"{self.reference} {self.rule_title} for {self.model}"

    @property
    def reference(self) -> str:
        return f"PE-{self.pk}"


class RiskAcceptance(SecondPersonRequest):
    """A request to accept a finding's risk until a date; once a second person with decision
    rights grants it, the finding counts as accepted risk until then."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="acceptances")
    reason = models.TextField()
    accepted_until = models.DateField()

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} acceptance of {self.finding.reference}"

    @property
    def reference(self) -> str:
        return f"RA-{self.pk}"


class RevalidationFlag(models.Model):
    """Revalidation required (a critical monitoring breach, a validator's call): closes the
    deployment gate until a validator clears it."""

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.PROTECT, related_name="revalidation_flags"
    )
    reason = models.CharField(max_length=500)
    source = models.CharField(max_length=20, default="monitoring")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    clearance_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.model}: {self.reason}"
