"""Root URLs: the UI, the REST API under /api/v1/, its OpenAPI schema and docs, the admin."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from governance import navigation
from governance.access import sso
from governance.access.views import SignInView
from monitoring.metrics_views import MetricsView


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where signing in lands: each role's own start page."""
    return redirect(navigation.start_page(request.user))


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


api_v1 = [
    path("", include("registry.api.urls")),
    path("", include("governance.auditlog.api.urls")),
    path("", include("governance.access.api.urls")),
    path("", include("governance.approvals.api.urls")),
    path("", include("governance.findings.api.urls")),
    path("", include("governance.rulebooks.api.urls")),
    path("", include("governance.risk.api.urls")),
    path("", include("monitoring.api.urls")),
]

urlpatterns = [
    path("", start, name="start"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/sso/", sso.SignInStart.as_view(), name="oidc_authentication_init"),
    path(
        "accounts/sso/callback/", sso.SignInCallback.as_view(), name="oidc_authentication_callback"
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("inventory/", include("registry.urls")),
    path("inventory/", include("governance.risk.urls")),
    path("governance/", include("governance.auditlog.urls")),
    path("governance/rulebooks/", include("governance.rulebooks.urls")),
    path("governance/approvals/", include("governance.approvals.urls")),
    path("governance/", include("governance.findings.urls")),
    path("governance/tokens/", include("governance.access.urls")),
    path("governance/notices/", include("governance.notices.urls")),
    path("search/", include("governance.search.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("reports/", include("reports.executive.urls")),
    path("reports/", include("reports.exports.urls")),
    path("reports/packs/", include("reports.packs.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("healthz", healthz, name="healthz"),
    path("metrics", MetricsView.as_view(), name="metrics"),
]

# A wrong path under /api/ answers in the API's error shape, not with the site's HTML page.
handler404 = "governance.api.errors.not_found"
