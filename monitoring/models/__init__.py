"""Monitoring records: what pipelines pushed per model version, and the batches they came in."""

from monitoring.models.ingestion import (
    DataValidationResult,
    DriftResult,
    EvaluationResult,
    EvidenceFile,
    IngestionBatch,
)
from monitoring.models.results import FairnessResult, MetricDefinition, MetricPoint

__all__ = [
    "DataValidationResult",
    "DriftResult",
    "EvaluationResult",
    "EvidenceFile",
    "FairnessResult",
    "IngestionBatch",
    "MetricDefinition",
    "MetricPoint",
]
