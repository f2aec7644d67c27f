"""Monitoring records: metric points and fairness results per model version."""

from monitoring.models.results import FairnessResult, MetricPoint

__all__ = ["FairnessResult", "MetricPoint"]
