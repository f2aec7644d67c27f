"""Executive dashboard routes (namespace `reports-dashboard`), under /reports/."""

from django.urls import path

from reports.executive import views

app_name = "reports-dashboard"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/report/", views.report_download, name="report-download"),
    path("dashboard/report/generate/", views.report_generate, name="report-generate"),
    path("dashboard/report/status/", views.report_status, name="report-status"),
]
