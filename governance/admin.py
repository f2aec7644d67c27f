"""Governance admin: the audit trail and RACI are visible here and changeable nowhere in admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from governance.models import AuditEvent, RaciAssignment
from registry.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "occurred_at", "actor_name", "verb", "target_repr", "request_id"]
    list_filter = ["verb", "target_type"]
    search_fields = ["actor_name", "verb", "target_repr", "request_id", "hash"]
    ordering = ["-seq"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("governance.view_auditevent")


@admin.register(RaciAssignment)
class RaciAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["model", "role", "area", "user", "group"]
    list_filter = ["role", "area"]
