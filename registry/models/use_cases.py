"""Use cases: the AI system in EU AI Act terms, which uses one or more models."""

from django.conf import settings
from django.db import models
from django.db.models import ManyToManyField
from django.urls import reverse

from governance.access.models.decisions import SecondPersonRequest
from registry.validators import slug_validator


class UseCase(models.Model):
    """A business use of models: its purpose, who deploys it and who it affects."""

    slug = models.SlugField(max_length=80, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    business_purpose = models.TextField()
    business_unit = models.CharField(max_length=100)
    deployer_context = models.TextField(blank=True)
    affected_people = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_use_cases"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Declared last: the field name shadows the `models` module inside the class body.
    models = ManyToManyField("registry.MLModel", blank=True, related_name="use_cases")

    class Meta:
        ordering = ["name"]
        verbose_name = "use case"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:usecase-detail", args=[self.slug])


class UseCaseChange(SecondPersonRequest):
    """A change to a use case proposed by someone other than its owner: applied once its owner
    (or a compliance officer, or an administrator) accepts it."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="changes")
    changes = models.JSONField(default=dict)  # field name -> proposed value (the owner by id)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"a change to {self.use_case}"
