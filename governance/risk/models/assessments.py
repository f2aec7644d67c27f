"""Risk assessments: a questionnaire's answers, the rules' outcome, and its review.

EU AI Act classification attaches to the use case (the AI system); scoping and materiality
tiers attach to the model. An assessment is a draft until its answers are complete; a completed
one is in force from `valid_from` until a later one supersedes it (`valid_to`), so the
assessment in force at any past date can be shown.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from registry.models import MLModel, UseCase


class Framework(models.TextChoices):
    """What an assessment decides. One tiering answers for every model-risk framework in scope
    (SR 26-2, SR 11-7 before its rescission, PRA SS1/23): they share the method."""

    SCOPING = "scoping", "Scoping"
    EU_AI_ACT = "eu_ai_act", "EU AI Act"
    TIERING = "tiering", "Model risk tier"


class RiskAssessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"
        SUPERSEDED = "superseded", "Superseded"

    class Review(models.TextChoices):
        UNREVIEWED = "unreviewed", "Awaiting review"
        CONFIRMED = "confirmed", "Confirmed"
        OVERRIDE_PROPOSED = "override_proposed", "Override proposed"
        OVERRIDDEN = "overridden", "Overridden"
        OVERRIDE_REFUSED = "override_refused", "Override refused"

    framework = models.CharField(max_length=20, choices=Framework.choices)
    model = models.ForeignKey(
        "registry.MLModel",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risk_assessments",
    )
    use_case = models.ForeignKey(
        "registry.UseCase",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risk_assessments",
    )
    rulebook = models.ForeignKey("governance.Rulebook", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    result = models.CharField(max_length=40, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    # Why a new assessment was made (first assessment, rule change, material change...).
    trigger = models.CharField(max_length=200, blank=True)

    review = models.CharField(max_length=20, choices=Review.choices, default=Review.UNREVIEWED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    override_result = models.CharField(max_length=40, blank=True)
    override_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(model__isnull=False) & Q(use_case__isnull=True))
                | (Q(model__isnull=True) & Q(use_case__isnull=False)),
                name="governance_assessment_model_xor_use_case",
            ),
            models.UniqueConstraint(
                fields=["framework", "model"],
                condition=Q(status="draft", model__isnull=False),
                name="governance_assessment_one_model_draft",
            ),
            models.UniqueConstraint(
                fields=["framework", "use_case"],
                condition=Q(status="draft", use_case__isnull=False),
                name="governance_assessment_one_use_case_draft",
            ),
            models.UniqueConstraint(
                fields=["framework", "model"],
                condition=Q(status="completed", model__isnull=False),
                name="governance_assessment_one_model_current",
            ),
            models.UniqueConstraint(
                fields=["framework", "use_case"],
                condition=Q(status="completed", use_case__isnull=False),
                name="governance_assessment_one_use_case_current",
            ),
        ]

    def __str__(self) -> str:
        subject = self.model or self.use_case
        return f"{self.get_framework_display()} assessment of {subject}"

    @property
    def subject(self) -> "MLModel | UseCase":
        subject = self.model or self.use_case
        if subject is None:  # the model-xor-use-case constraint keeps stored rows from this
            raise ValueError(f"assessment {self.pk} is of neither a model nor a use case")
        return subject

    @property
    def effective_result(self) -> str:
        """What counts: the rules' result, unless a second person approved an override."""
        if self.review == self.Review.OVERRIDDEN:
            return self.override_result
        return self.result
