"""A notice to one person: shown in-app until read, e-mailed once."""

from django.conf import settings
from django.db import models


class Notice(models.Model):
    """Something waiting on `recipient` (a decision to take) or news of something they asked for.

    Notices are messages, not controls: the action that caused one is in the audit trail.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(
        max_length=60
    )  # the audit verb of what happened, e.g. "waiver.requested"
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)  # a path inside Attest
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # What a repeated notice is about and when, e.g. "due:finding:12:2026-12-07": a daily
    # reminder goes to a person once per item per day, however often the task runs.
    key = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="governance_notice_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="governance_notice_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NoticePreference(models.Model):
    """How one person wants their notices e-mailed: each at once (no row, the default) or one
    digest a day listing those still unread."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    daily_digest = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {'daily digest' if self.daily_digest else 'each notice'}"
