"""Inventory API routes, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from registry.api import discovery, views

MODEL = "models/<slug:model_slug>"

router = SimpleRouter(use_regex_path=False)
router.register("models", views.MLModelViewSet, basename="model")
router.register(f"{MODEL}/versions", views.ModelVersionViewSet, basename="model-version")
router.register(f"{MODEL}/runs", views.TrainingRunViewSet, basename="model-run")
router.register(f"{MODEL}/dependencies", views.ModelDependencyViewSet, basename="model-dependency")
router.register(f"{MODEL}/history", views.ModelHistoryViewSet, basename="model-history")
router.register("serving", views.ServingViewSet, basename="serving")
router.register("deployments", views.DeploymentViewSet, basename="deployment")
router.register("datasets", views.DatasetViewSet, basename="dataset")
router.register(
    "datasets/<slug:dataset_slug>/versions",
    views.DatasetVersionViewSet,
    basename="dataset-version",
)
router.register("use-cases", views.UseCaseViewSet, basename="use-case")
router.register("use-case-changes", views.UseCaseChangeViewSet, basename="use-case-change")
router.register("custom-fields", views.CustomFieldViewSet, basename="custom-field")
router.register("external-ids", discovery.ExternalIdViewSet, basename="external-id")
router.register("discovered-models", discovery.DiscoveredModelViewSet, basename="discovered-model")

urlpatterns = router.urls
