"""Approvals API routes, mounted under /api/v1/: requests, conditions, the gate, attachments."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from governance.approvals.api.views import (
    ApprovalRequestViewSet,
    AttachmentFileView,
    ConditionViewSet,
    GateView,
)

router = SimpleRouter(use_regex_path=False)
router.register("approval-requests", ApprovalRequestViewSet, basename="approval-request")
router.register("conditions", ConditionViewSet, basename="condition")

urlpatterns = [
    path("gate/", GateView.as_view(), name="gate"),
    path(
        "sign-off-attachments/<int:pk>/file/",
        AttachmentFileView.as_view(),
        name="approval-api-attachment-file",
    ),
    *router.urls,
]
