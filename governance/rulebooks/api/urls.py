"""Rulebooks API routes, mounted under /api/v1/: versions and their publication requests."""

from rest_framework.routers import SimpleRouter

from governance.rulebooks.api.views import PublicationViewSet, RulebookViewSet

router = SimpleRouter(use_regex_path=False)
router.register("rulebooks", RulebookViewSet, basename="rulebook")
router.register("rulebook-publications", PublicationViewSet, basename="rulebook-publication")

urlpatterns = router.urls
