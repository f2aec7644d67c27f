"""People who sign in through the organisation's directory (OpenID Connect single sign-on)."""

from django.conf import settings
from django.db import models


class DirectoryIdentity(models.Model):
    """The directory's identity of an Attest account: issuer and subject, bound on first sign-in.

    A later sign-in with the same username but another subject is refused, so a name reused in
    the directory never inherits someone else's account and its history.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="directory_identity"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "directory identities"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="governance_directoryidentity_one_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.subject} at {self.issuer})"
