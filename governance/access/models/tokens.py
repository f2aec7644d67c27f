"""Machine access: service accounts and the API tokens pipelines send."""

import hashlib

from django.conf import settings
from django.db import models


def key_digest(key: str) -> str:
    """Tokens are stored as SHA-256 digests: a database dump does not hand out API access."""
    return hashlib.sha256(key.encode()).hexdigest()


class ServiceAccount(models.Model):
    """A non-human user (a CI pipeline, an Airflow DAG) that acts through API tokens only.

    It reaches exactly the models its user has object permissions on, like a person would.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_account"
    )
    description = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]
        permissions = [("manage_service_accounts", "Can manage service accounts and API tokens")]

    def __str__(self) -> str:
        return self.user.get_username()


class ApiToken(models.Model):
    """One revocable key of a user; only its prefix and digest are kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)  # shown in lists so people can tell tokens apart
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
