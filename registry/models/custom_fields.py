"""Custom inventory fields that administrators define without a code change."""

from django.core.validators import RegexValidator
from django.db import models


class CustomField(models.Model):
    """An extra attribute every model may carry (e.g. "regulatory reference", "SOX relevant")."""

    class FieldType(models.TextChoices):
        TEXT = "text", "Text"
        INTEGER = "integer", "Whole number"
        DECIMAL = "decimal", "Number"
        BOOLEAN = "boolean", "Yes / no"
        DATE = "date", "Date"
        CHOICE = "choice", "One of a list"

    key = models.CharField(
        max_length=50,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "use lowercase letters, digits and _")],
    )
    label = models.CharField(max_length=100)
    field_type = models.CharField(max_length=10, choices=FieldType.choices)
    choices = models.JSONField(default=list, blank=True)
    is_required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.label
