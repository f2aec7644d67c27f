"""Executive dashboard routes (namespace `reports-dashboard`), under /reports/."""

from django.urls import path

from reports import dashboard_views

app_name = "reports-dashboard"
urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/report/", dashboard_views.report_download, name="report-download"),
    path("dashboard/report/generate/", dashboard_views.report_generate, name="report-generate"),
    path("dashboard/report/status/", dashboard_views.report_status, name="report-status"),
]
