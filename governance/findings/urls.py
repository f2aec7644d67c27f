"""Findings, exceptions and revalidation UI routes (namespace `findings`), under /governance/."""

from django.urls import path

from governance.findings import views

app_name = "findings"
urlpatterns = [
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/new/<slug:slug>/", views.finding_new, name="finding-new"),
    path("findings/<int:pk>/remediation/", views.finding_remediation, name="finding-remediation"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding-close"),
    path("findings/<int:pk>/accept-risk/", views.finding_accept_risk, name="finding-accept-risk"),
    path("exceptions/", views.exception_list, name="exception-list"),
    path("exceptions/new/<slug:slug>/", views.exception_new, name="exception-new"),
    path("exceptions/<int:pk>/revoke/", views.exception_revoke, name="exception-revoke"),
    path("exceptions/<int:pk>/decide/", views.exception_decide, name="exception-decide"),
    path("acceptances/<int:pk>/decide/", views.acceptance_decide, name="acceptance-decide"),
    path("revalidation/new/<slug:slug>/", views.revalidation_new, name="revalidation-new"),
    path("revalidation/<int:pk>/clear/", views.revalidation_clear, name="revalidation-clear"),
]
