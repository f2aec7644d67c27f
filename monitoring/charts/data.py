"""What the charts draw: plain data, filled by views and report builders from model rows.

Thresholds are the monitoring policy's own `Threshold`s, so a chart colours a value exactly as
the alerting judged it.
"""

from dataclasses import dataclass
from datetime import datetime

from monitoring.stats.thresholds import Threshold


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float

    def __post_init__(self) -> None:
        # matplotlib would silently read a naive time as UTC.
        if self.at.utcoffset() is None:
            raise ValueError(f"{self.at} has no time zone")


@dataclass(frozen=True)
class Segment:
    """The metric measured on one slice of the population, such as a region."""

    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class MetricSeries:
    """One metric of one model version over time; `points` cover the whole population."""

    name: str
    points: tuple[Point, ...]
    threshold: Threshold | None = None
    unit: str = ""
    segments: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class GroupRate:
    """One group's rate (e.g. selection rate); `rate` is None when the group had no rows."""

    group: str
    rate: float | None
    count: int


@dataclass(frozen=True)
class GroupBars:
    """One rate per group of a sensitive feature, against a reference such as four-fifths."""

    title: str
    groups: tuple[GroupRate, ...]
    reference: float | None = None
    reference_label: str = "reference"
    min_group_size: int = 0

    def judged(self, group: GroupRate) -> bool:
        return group.rate is not None and group.count >= self.min_group_size


@dataclass(frozen=True)
class FeatureDrift:
    """A feature's drift score, or None and the reason it could not be judged."""

    feature: str
    score: float | None
    reason: str = ""


@dataclass(frozen=True)
class DriftBars:
    """One drift score (e.g. PSI) per feature, judged against the policy's thresholds."""

    title: str
    score_name: str
    features: tuple[FeatureDrift, ...]
    threshold: Threshold
