"""Monitoring records: what pipelines pushed per model version, and the batches they came in."""

from monitoring.models.discovery import ShadowModel
from monitoring.models.health import Alert, HealthCheck, Incident, MonitoringPolicy
from monitoring.models.ingestion import (
    DataValidationResult,
    DriftResult,
    EvaluationResult,
    EvidenceFile,
    IngestionBatch,
)
from monitoring.models.results import (
    LATEST_FIRST,
    FairnessResult,
    MetricDefinition,
    MetricPoint,
    StoredSeries,
)

__all__ = [
    "LATEST_FIRST",
    "Alert",
    "DataValidationResult",
    "DriftResult",
    "EvaluationResult",
    "EvidenceFile",
    "FairnessResult",
    "HealthCheck",
    "Incident",
    "IngestionBatch",
    "MetricDefinition",
    "MetricPoint",
    "MonitoringPolicy",
    "ShadowModel",
    "StoredSeries",
]
