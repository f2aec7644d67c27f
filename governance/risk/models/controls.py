"""Per-model obligations (controls) and the evidence that satisfies them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from governance.access.models.decisions import SecondPersonRequest


class Control(models.Model):
    """One obligation from a catalog, as it applies to one model, with its status.

    Title and reference are copied from the catalog entry so the checklist (and an evidence
    pack) still reads the same after the catalog moves on to a new version.
    """

    class Status(models.TextChoices):
        MISSING = "missing", "Missing"
        EVIDENCED = "evidenced", "Evidenced"
        ACCEPTED = "accepted", "Accepted by validator"
        WAIVED = "waived", "Waived"

    class Stage(models.TextChoices):
        """When the obligation falls due (governance.risk.rules.obligations.STAGES)."""

        BEFORE_VALIDATION = "before_validation", "Before validation"
        BEFORE_DEPLOYMENT = "before_deployment", "Before deployment"
        ONGOING = "ongoing", "Ongoing, once in use"

    model = models.ForeignKey("registry.MLModel", on_delete=models.CASCADE, related_name="controls")
    obligation_id = models.CharField(max_length=80)
    framework = models.CharField(max_length=20)
    reference = models.CharField(max_length=80)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    evidence_kinds = models.JSONField(default=list)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.BEFORE_VALIDATION)
    # Kinds of Attest record that can stand as evidence (rules.obligations.RECORD_KINDS).
    satisfied_by = models.JSONField(default=list, blank=True)
    catalog = models.ForeignKey("governance.Rulebook", on_delete=models.PROTECT, related_name="+")
    # False once a reclassification or a new catalog no longer asks for it; kept for history.
    applies = models.BooleanField(default=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MISSING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    waiver_reason = models.TextField(blank=True)
    waiver_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waiver_expires_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["framework", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "obligation_id"], name="governance_control_unique_obligation"
            ),
            models.CheckConstraint(
                condition=~Q(status="waived")
                | (Q(waiver_approved_by__isnull=False) & Q(waiver_expires_on__isnull=False)),
                name="governance_control_waiver_has_approver_and_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title} for {self.model}"


class Evidence(models.Model):
    """A file (stored with its SHA-256), a link, or a reference to a record already in Attest."""

    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"
        RECORD = "record", "Attest record"

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    record_type = models.CharField(max_length=80, blank=True)
    record_id = models.CharField(max_length=80, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ReassessmentFlag(models.Model):
    """A material change that asks for the model's risk to be assessed again."""

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.CASCADE, related_name="reassessment_flags"
    )
    reason = models.CharField(max_length=300)
    raised_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.model}: {self.reason}"


class Waiver(SecondPersonRequest):
    """A request to waive one obligation until a date; in force once a second person with
    decision rights on the model grants it (the control then shows it as waived)."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="waivers")
    reason = models.TextField()
    expires_on = models.DateField()

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} waiver of {self.control.reference} for {self.control.model}"

    @property
    def reference(self) -> str:
        return f"WV-{self.pk}"


class DraftEvidence(models.Model):
    """A work product Attest drafted for an obligation from the EU AI Act classification.

    Kept apart from `Evidence`: a draft is never counted (coverage, submission, gates, packs)
    until a person adopts it, which attaches it, or the completed version, as evidence.
    """

    class Product(models.TextChoices):
        NOT_HIGH_RISK_RECORD = "not_high_risk_record", "Not-high-risk assessment record"
        FRIA = "fria", "Fundamental rights impact assessment"
        ANNEX_IV = "annex_iv", "Technical documentation checklist"

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="drafts")
    product = models.CharField(max_length=30, choices=Product.choices)
    title = models.CharField(max_length=300)
    # The work product as plain data (governance.risk.rules.work_products.as_json).
    document = models.JSONField()
    sha256 = models.CharField(max_length=64)  # of `document`: an unchanged draft is not rewritten
    assessment = models.ForeignKey(
        "governance.RiskAssessment", on_delete=models.PROTECT, related_name="+"
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField()
    adopted_as = models.OneToOneField(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="draft"
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["control", "product"],
                condition=Q(adopted_as__isnull=True),
                name="governance_draftevidence_one_open_per_product",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft {self.title}"
