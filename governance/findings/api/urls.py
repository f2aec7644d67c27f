"""Findings API routes, mounted under /api/v1/: findings, exceptions and waivers, flags."""

from rest_framework.routers import SimpleRouter

from governance.findings.api.views import (
    FindingViewSet,
    PolicyExceptionViewSet,
    RevalidationFlagViewSet,
    RiskAcceptanceViewSet,
)

router = SimpleRouter(use_regex_path=False)
router.register("findings", FindingViewSet, basename="finding")
router.register("exceptions", PolicyExceptionViewSet, basename="policy-exception")
router.register("revalidation-flags", RevalidationFlagViewSet, basename="revalidation-flag")
router.register("risk-acceptances", RiskAcceptanceViewSet, basename="risk-acceptance")

urlpatterns = router.urls
