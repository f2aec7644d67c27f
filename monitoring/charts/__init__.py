"""Monitoring charts for the web UI and the PDF evidence packs: plain data in, inline SVG out.

No pyplot and no Django. Each chart draws on its own `Figure`; matplotlib's global settings are
swapped in under a lock only while a chart renders, so web workers can draw at once. The same
input gives the same bytes in any process, because an evidence pack must rebuild identically:
ids are hashed with a fixed salt, no date is stamped, and text stays text. Thresholds are the
policy's `monitoring.stats.thresholds.Threshold`, judged by its own `level()`.
"""

from monitoring.charts.data import (
    DriftBars,
    FeatureDrift,
    GroupBars,
    GroupRate,
    MetricSeries,
    Point,
    Segment,
)
from monitoring.charts.drift import drift_by_feature
from monitoring.charts.fairness import fairness_by_group
from monitoring.charts.metric import metric_over_time
from monitoring.charts.trend import MonthComparison, MonthTrend, month_comparison, month_trend

__all__ = [
    "DriftBars",
    "FeatureDrift",
    "GroupBars",
    "GroupRate",
    "MetricSeries",
    "MonthComparison",
    "MonthTrend",
    "Point",
    "Segment",
    "drift_by_feature",
    "fairness_by_group",
    "metric_over_time",
    "month_comparison",
    "month_trend",
]
