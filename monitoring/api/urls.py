"""Ingestion API routes, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from monitoring.api import health, reads, views

VERSION = "models/<slug:model_slug>/versions/<str:version>"

router = SimpleRouter(use_regex_path=False)
router.register("ingestion-batches", views.IngestionBatchViewSet, basename="ingestion-batch")
router.register(
    "models/<slug:model_slug>/metric-definitions",
    views.MetricDefinitionViewSet,
    basename="metric-definition",
)
router.register(
    "models/<slug:model_slug>/monitoring-policies",
    health.PolicyViewSet,
    basename="monitoring-policy",
)
router.register("alerts", health.AlertViewSet, basename="alert")
router.register("incidents", health.IncidentViewSet, basename="incident")

urlpatterns = [
    path(f"{VERSION}/metrics/", views.MetricPointsView.as_view(), name="version-metrics"),
    path(
        f"{VERSION}/metrics/<path:name>/",
        reads.MetricSeriesView.as_view(),
        name="version-metric-series",
    ),
    path(f"{VERSION}/results/", reads.VersionResultsView.as_view(), name="version-results"),
    path(f"{VERSION}/bundles/", views.BundleView.as_view(), name="version-bundles"),
    path(f"{VERSION}/imports/<str:source>/", views.ImportView.as_view(), name="version-import"),
    path(
        f"{VERSION}/evidence-files/",
        views.EvidenceFileView.as_view(),
        name="version-evidence-files",
    ),
    path("models/<slug:model_slug>/health/", health.HealthView.as_view(), name="model-health"),
    *router.urls,
]
