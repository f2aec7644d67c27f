"""What every second-person control shares: asked for by one person, decided by another."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RequestState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SecondPersonRequest(models.Model):
    """A control one person asks for; in force only once an entitled second person grants it.

    Waivers, policy exceptions, risk acceptances, rulebook publications and validator
    appointments all keep who asked, who decided, when and why (governance.access.services.
    decisions records each decision and checks that the two are different people).
    """

    state = models.CharField(
        max_length=12, choices=RequestState.choices, default=RequestState.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.state == RequestState.REQUESTED


class ValidatorRequest(SecondPersonRequest):
    """A model's owner asks the validation function for a validator; whoever holds the right to
    appoint validators grants it by naming one (made Responsible for validation) or refuses."""

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.CASCADE, related_name="validator_requests"
    )
    note = models.TextField(blank=True)
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"a validator for {self.model}"


class RoleGrant(SecondPersonRequest):
    """An administrator asks for a person to hold a role that takes part in controls (validator,
    head of validation, committee, compliance, legal, administrator); a second administrator,
    who is neither the asker nor the person, grants it. Until then the person does not hold it:
    one administrator with a second account of his own cannot sign his own requests."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.ForeignKey("auth.Group", on_delete=models.CASCADE, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        permissions = [("grant_roles", "Can ask for and grant roles that take part in controls")]

    def __str__(self) -> str:
        return f"the role {self.role.name} for {self.user.get_username()}"
