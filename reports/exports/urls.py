"""Export routes (namespace `reports`), mounted under /reports/."""

from django.urls import path, re_path

from reports.exports import views
from reports.exports.registers import REGISTERS

KEYS = "|".join(register.key for register in REGISTERS)

app_name = "reports"
urlpatterns = [
    path("exports/", views.export_list, name="export-list"),
    re_path(
        rf"^exports/(?P<register>{KEYS})\.(?P<fmt>csv|xlsx)$",
        views.register_export,
        name="register-export",
    ),
    path(
        "models/<slug:slug>/documentation.docx",
        views.model_documentation,
        name="model-documentation",
    ),
    path(
        "approvals/<int:pk>/validation-report/",
        views.validation_report_page,
        name="validation-report-page",
    ),
    path(
        "approvals/<int:pk>/validation-report.docx",
        views.validation_report,
        {"fmt": "docx"},
        name="validation-report",
    ),
    path(
        "approvals/<int:pk>/validation-report.pdf",
        views.validation_report,
        {"fmt": "pdf"},
        name="validation-report-pdf",
    ),
]
