"""The metric series a pack embeds as CSV: read back as data, never run as a formula."""

import csv
import io
from datetime import UTC, datetime

from monitoring.charts import MetricSeries, Point, Segment
from reports.packs.render import series_csv

AT = datetime(2026, 11, 1, tzinfo=UTC)


def test_a_segment_named_like_a_formula_is_quoted_and_values_stay_numbers():
    series = MetricSeries(
        name="auc",
        points=(Point(AT, 0.81),),
        segments=(Segment('=HYPERLINK("http://evil.example","x")', (Point(AT, -0.5),)),),
    )
    rows = list(csv.reader(io.StringIO(series_csv(series).decode())))
    assert rows == [
        ["segment", "at", "value"],
        ["", "2026-11-01T00:00:00+00:00", "0.81"],
        ['\'=HYPERLINK("http://evil.example","x")', "2026-11-01T00:00:00+00:00", "-0.5"],
    ]
