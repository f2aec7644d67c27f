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
        ]
        read_only_fields = fields
