"""Access API routes, mounted under /api/v1/: a model's RACI, the caller, token exchange."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from governance.access.api.views import (
    ApiTokenView,
    MeView,
    RaciAssignmentViewSet,
    RoleGrantViewSet,
    ValidatorRequestCreateView,
    ValidatorRequestViewSet,
)

router = SimpleRouter(use_regex_path=False)
router.register("models/<slug:model_slug>/raci", RaciAssignmentViewSet, basename="raci")
router.register("validator-requests", ValidatorRequestViewSet, basename="validator-request")
router.register("role-grants", RoleGrantViewSet, basename="role-grant")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("api-token/", ApiTokenView.as_view(), name="api-token"),
    path(
        "models/<slug:model_slug>/validator-requests/",
        ValidatorRequestCreateView.as_view(),
        name="validator-request-create",
    ),
    *router.urls,
]
