"""Governance API routes, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from governance.api import risk, views

router = SimpleRouter(use_regex_path=False)
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")
router.register("models/<slug:model_slug>/raci", views.RaciAssignmentViewSet, basename="raci")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("api-token/", views.ApiTokenView.as_view(), name="api-token"),
    *router.urls,
    *risk.urlpatterns,
]
