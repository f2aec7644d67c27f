"""Audit log API routes, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from governance.auditlog.api.views import AuditEventViewSet

router = SimpleRouter(use_regex_path=False)
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = router.urls
