"""Governance UI routes (audit log)."""

from django.urls import path

from governance.auditlog import views

app_name = "governance"
urlpatterns = [
    path("audit/", views.audit_log, name="audit-log"),
]
