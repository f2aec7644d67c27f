"""The append-only, hash-chained audit trail."""

from typing import Any

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One recorded change: who did what to which object, before and after, chained by hash."""

    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    # PROTECT: the actor id is part of the hashed payload, so a user with history is
    # deactivated, never deleted (SET_NULL would rewrite, and so break, the chain).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_name = models.CharField(max_length=150)
    verb = models.CharField(max_length=64)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300)
    # The inventory model an event belongs to (its versions, RACI, deployments...), so a
    # model's history is one indexed query. Plain integer: audit rows never block deletions.
    mlmodel_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # The HMAC key the hash is keyed with (the key itself lives outside the database); empty for
    # events recorded before keyed hashing, up to the chain's re-anchoring event.
    key_id = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["seq"]
        constraints = [
            # A second event chained onto the same predecessor would fork the chain.
            models.UniqueConstraint(fields=["prev_hash"], name="governance_auditevent_no_fork"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.target_repr} by {self.actor_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audit events are append-only")

    def payload(self) -> dict[str, object]:
        """The fields the hash covers, as plain data."""
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "verb": self.verb,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_repr": self.target_repr,
            "mlmodel_id": self.mlmodel_id,
            "before": self.before,
            "after": self.after,
            "request_id": self.request_id,
        }


class AuditChainHead(models.Model):
    """The single row that every append locks: the chain's last sequence number and hash."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    # The key the last event was hashed under: a different current key first records a rotation.
    key_id = models.CharField(max_length=32, blank=True, default="")

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"
