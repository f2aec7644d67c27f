"""Ingestion API routes, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from monitoring.api import views

VERSION = "models/<slug:model_slug>/versions/<str:version>"

router = SimpleRouter(use_regex_path=False)
router.register("ingestion-batches", views.IngestionBatchViewSet, basename="ingestion-batch")
router.register(
    "models/<slug:model_slug>/metric-definitions",
    views.MetricDefinitionViewSet,
    basename="metric-definition",
)

urlpatterns = [
    path(f"{VERSION}/metrics/", views.MetricPointsView.as_view(), name="version-metrics"),
    path(f"{VERSION}/bundles/", views.BundleView.as_view(), name="version-bundles"),
    path(f"{VERSION}/imports/<str:source>/", views.ImportView.as_view(), name="version-import"),
    path(
        f"{VERSION}/evidence-files/",
        views.EvidenceFileView.as_view(),
        name="version-evidence-files",
    ),
    *router.urls,
]
