"""Governance admin: the audit trail, RACI, approvals and findings are visible here and
changeable nowhere in admin."""

from typing import Any
from weakref import WeakKeyDictionary

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from governance import permissions
from governance.access.models import RaciAssignment
from governance.access.services import accounts
from governance.approvals.models import ApprovalRequest, SignOff
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.findings.models import Finding, PolicyException, RevalidationFlag
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


# Approvals and findings change only through their services (audited); admin shows them.
@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "model", "version", "gate", "environment", "state", "decided_at"]
    list_filter = ["state", "gate", "environment"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["request", "role", "signer", "decision", "signed_at"]
    list_filter = ["role", "decision"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "model", "title", "severity", "status", "owner", "due_on"]
    list_filter = ["severity", "status", "source"]


@admin.register(PolicyException)
class PolicyExceptionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "model", "rule_id", "state", "decided_by", "expires_on", "revoked_at"]


@admin.register(RevalidationFlag)
class RevalidationFlagAdmin(ReadOnlyAdmin):
    list_display = ["model", "reason", "raised_at", "cleared_at"]


@transaction.atomic
def _delete_audited(request: HttpRequest, doomed: list[Any]) -> None:
    """People and roles deleted in the admin: each recorded, then deleted, in one transaction."""
    for target in doomed:
        accounts.record_deletion(actor=permissions.actor(request), target=target)
        target.delete()


def _no_personal_rights(fields: Any) -> tuple[str, ...]:
    return tuple(f for f in fields if f != "user_permissions")


# Groups and permissions are saved after the row (save_related), so what a person or a role group
# held is read in save_model and kept here, per request, until the change is recorded.
_access_before: WeakKeyDictionary[HttpRequest, dict[str, Any] | None] = WeakKeyDictionary()


class AuditedUserAdmin(UserAdmin):
    """Django's user admin, with every change to a person's access recorded in the audit trail.

    A role that takes part in controls, added here, is not given: it is asked for, and a second
    administrator grants it (accounts.hold_added_roles). Superuser status and rights given to one
    person outside any role are not set here at all: one administrator could otherwise make a
    second account of his own into the second person.
    """

    fieldsets = tuple(
        (name, {**options, "fields": _no_personal_rights(options["fields"])})
        for name, options in UserAdmin.fieldsets or ()
    )
    readonly_fields = ("is_superuser",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = type(obj).objects.filter(pk=obj.pk).first() if change else None
        _access_before[request] = accounts.access_snapshot(stored) if stored else None
        super().save_model(request, obj, form, change)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        response = super().user_change_password(request, id, form_url)
        changed = self.get_object(request, unquote(id))
        if request.method == "POST" and response.status_code == 302 and changed is not None:
            accounts.record_password_change(actor=permissions.actor(request), user=changed)
        return response

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _delete_audited(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _delete_audited(request, list(queryset))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        actor, before = permissions.actor(request), _access_before.pop(request)
        held = accounts.hold_added_roles(
            actor=actor, user=form.instance, before=before["groups"] if before else []
        )
        accounts.record_access_change(actor=actor, user=form.instance, before=before)
        for asked in held:
            messages.warning(
                request, f"{asked} is asked for: it is given once a second administrator grants it."
            )


def _dotted(perms: QuerySet[Permission]) -> set[str]:
    return {
        f"{app}.{code}" for app, code in perms.values_list("content_type__app_label", "codename")
    }


class RoleForm(forms.ModelForm):
    """A group may lose rights that bear on controls here, never gain them."""

    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def clean_permissions(self) -> QuerySet[Permission]:
        chosen = self.cleaned_data["permissions"]
        held = self.instance.permissions.all() if self.instance.pk else Permission.objects.none()
        try:
            accounts.refuse_control_permissions(_dotted(held), _dotted(chosen))
        except DomainError as exc:
            raise ValidationError(exc.error_text) from exc
        return chosen


class AuditedGroupAdmin(GroupAdmin):
    """Role groups: permission changes are audited; rights bearing on controls are never added."""

    form = RoleForm

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _delete_audited(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _delete_audited(request, list(queryset))

    def save_model(self, request: HttpRequest, obj: Group, form: Any, change: bool) -> None:
        stored = Group.objects.filter(pk=obj.pk).first() if change else None
        _access_before[request] = accounts.role_snapshot(stored) if stored else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        accounts.record_role_change(
            actor=permissions.actor(request),
            group=form.instance,
            before=_access_before.pop(request),
        )


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AuditedUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, AuditedGroupAdmin)
