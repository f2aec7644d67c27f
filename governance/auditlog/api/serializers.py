"""Audit log API output."""

from rest_framework import serializers

from governance.auditlog.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "occurred_at",
            "actor_name",
            "verb",
            "target_type",
            "target_id",
            "target_repr",
            "mlmodel_id",
            "before",
            "after",
            "request_id",
            "prev_hash",
            "hash",
            # which HMAC key hashed the event (the key itself never leaves its file)
            "key_id",
        ]
        read_only_fields = fields
