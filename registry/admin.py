"""Inventory admin: read-mostly; every write it offers goes through the inventory services."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from governance import permissions
from governance.errors import DomainError
from registry import services
from registry.models import (
    CustomField,
    Dataset,
    DatasetVersion,
    Deployment,
    MLModel,
    ModelDependency,
    ModelVersion,
    TrainingRun,
    UseCase,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search; changes are made in the app, where they are checked and audited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MLModel)
class MLModelAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "business_unit", "model_type", "status", "owner", "updated_at"]
    list_filter = ["status", "model_type", "business_unit"]
    search_fields = ["name", "slug", "description", "intended_purpose"]
    actions = ["retire"]

    @admin.action(description="Retire the selected models")
    def retire(self, request: HttpRequest, queryset: QuerySet[MLModel]) -> None:
        for model in queryset:
            try:
                services.update_model(
                    actor=permissions.actor(request), model=model, status=MLModel.Status.RETIRED
                )
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, f"{model}: {exc}", messages.ERROR)


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["model", "version", "framework", "source_tracker", "created_by", "created_at"]
    list_filter = ["source_tracker"]
    search_fields = ["model__name", "version", "external_id", "artifact_sha256"]


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "contains_personal_data", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "version", "row_count", "external_ref", "created_at"]
    search_fields = ["dataset__name", "version", "content_sha256", "external_ref"]


@admin.register(TrainingRun)
class TrainingRunAdmin(ReadOnlyAdmin):
    list_display = ["model", "tracker", "external_id", "code_commit", "created_at"]
    search_fields = ["model__name", "external_id", "code_commit"]


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    list_display = ["version", "environment", "endpoint", "started_at", "ended_at"]
    list_filter = ["environment"]


@admin.register(ModelDependency)
class ModelDependencyAdmin(ReadOnlyAdmin):
    list_display = ["upstream", "downstream", "description"]


@admin.register(UseCase)
class UseCaseAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "business_unit", "owner"]
    search_fields = ["name", "business_purpose"]


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    """Administrators add inventory fields here; the service checks and audits each change."""

    list_display = ["label", "key", "field_type", "is_required", "is_active", "position"]
    list_editable = []

    def get_readonly_fields(
        self, request: HttpRequest, obj: CustomField | None = None
    ) -> list[str]:
        return ["key"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire a field with is_active; stored values refer to its key

    def save_model(self, request: HttpRequest, obj: CustomField, form: Any, change: bool) -> None:
        data = {
            name: form.cleaned_data[name]
            for name in services.custom_fields.EDITABLE
            if name in form.cleaned_data
        }
        if change:
            services.update_custom_field(
                actor=permissions.actor(request), field=CustomField.objects.get(pk=obj.pk), **data
            )
        else:
            created = services.define_custom_field(
                actor=permissions.actor(request), key=form.cleaned_data["key"], **data
            )
            obj.pk = created.pk
