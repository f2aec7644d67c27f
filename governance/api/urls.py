"""Governance API routes, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from governance.api import views
from governance.approvals.api import views as approvals
from governance.findings.api import views as findings
from governance.risk.api import views as risk

router = SimpleRouter(use_regex_path=False)
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")
router.register("models/<slug:model_slug>/raci", views.RaciAssignmentViewSet, basename="raci")
router.register("approval-requests", approvals.ApprovalRequestViewSet, basename="approval-request")
router.register("conditions", approvals.ConditionViewSet, basename="condition")
router.register("findings", findings.FindingViewSet, basename="finding")
router.register("exceptions", findings.PolicyExceptionViewSet, basename="policy-exception")
router.register(
    "revalidation-flags", findings.RevalidationFlagViewSet, basename="revalidation-flag"
)

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("api-token/", views.ApiTokenView.as_view(), name="api-token"),
    path("gate/", approvals.GateView.as_view(), name="gate"),
    path(
        "sign-off-attachments/<int:pk>/file/",
        approvals.AttachmentFileView.as_view(),
        name="approval-api-attachment-file",
    ),
    *router.urls,
    *risk.urlpatterns,
]
