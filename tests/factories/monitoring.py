"""Metric points stored as ingestion stores them: through the point store, which also keeps
each series' extent (`StoredSeries`) that the charts and the sweep read."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from monitoring.services import point_store
from registry.models import ModelVersion


def store_points(
    version: ModelVersion,
    name: str,
    points: Sequence[tuple[datetime, float]],
    *,
    segment: str = "",
    tags: dict[str, Any] | None = None,
) -> int:
    """Write `(timestamp, value)` points of one series as a checked ingestion frame would."""
    frame = pd.DataFrame(
        {
            "name": [name] * len(points),
            "value": [value for _, value in points],
            "timestamp": pd.to_datetime([at for at, _ in points], utc=True),
            "step": pd.Series([pd.NA] * len(points), dtype="Int64"),
            "segment": [segment] * len(points),
            "tags": [tags] * len(points),
        }
    )
    return point_store.write(frame, version_id=version.pk, batch_id=None)
