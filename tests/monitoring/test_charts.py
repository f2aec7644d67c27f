"""The monitoring charts draw what they are given, as inline SVG that rebuilds byte for byte."""

import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitoring import charts
from monitoring.charts.metric import bands
from monitoring.charts.render import LEVEL_COLOURS
from monitoring.stats.thresholds import Direction, Status, Threshold

NS = "{http://www.w3.org/2000/svg}"
RED = LEVEL_COLOURS[Status.CRITICAL]
T0 = datetime(2025, 1, 1, 9, 30, tzinfo=UTC)
HIGHER = Direction.HIGHER_IS_BETTER
LOWER = Direction.LOWER_IS_BETTER


def limits(
    direction: Direction, warning: float | None = None, critical: float | None = None
) -> Threshold:
    return Threshold("metric", "value", direction, warning, critical)


PSI = Threshold("drift", "psi", LOWER, warning=0.1, critical=0.25)


def points(*values: float) -> tuple[charts.Point, ...]:
    return tuple(charts.Point(T0 + timedelta(days=i), v) for i, v in enumerate(values))


def auc_chart() -> str:
    """Also drawn by a fresh process in the reproducibility test."""
    series = charts.MetricSeries(
        "AUC",
        points(0.82, 0.79, 0.74, 0.77, 0.69),
        limits(HIGHER, warning=0.75, critical=0.7),
        segments=(charts.Segment("north", points(0.8, 0.78, 0.76)),),
    )
    return charts.metric_over_time(series)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, and parsing it is the check


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in parse(svg).iter(f"{NS}text")]


def tick_labels(svg: str, axis: str) -> list[str]:
    """Each tick's label in drawing order, its lines joined by a space."""
    ticks = [
        g for g in parse(svg).iter(f"{NS}g") if re.search(rf"-{axis}tick_\d+$", g.get("id", ""))
    ]
    return [" ".join(t.text for t in tick.iter(f"{NS}text")) for tick in ticks]


def red_markers(svg: str) -> int:
    """Markers drawn in red on the plot itself, leaving out the one in the legend."""
    plot = next(g for g in parse(svg).iter(f"{NS}g") if g.get("id", "").endswith("-axes_1"))
    return sum(f"fill: {RED}" in use.get("style") for use in plot.iter(f"{NS}use"))


def numbers(labels: list[str]) -> list[float]:
    return [float(label.replace("\N{MINUS SIGN}", "-")) for label in labels]


def drift(*scores: float | None) -> charts.DriftBars:
    features = tuple(
        charts.FeatureDrift(f"f{i}", s, "too few rows" if s is None else "")
        for i, s in enumerate(scores)
    )
    return charts.DriftBars("Drift by feature", "PSI", features, PSI)


@pytest.mark.parametrize(
    ("threshold", "zones"),
    [
        (
            limits(HIGHER, 0.75, 0.7),
            [
                (Status.HEALTHY, 0.75, 1.0),
                (Status.WARNING, 0.7, 0.75),
                (Status.CRITICAL, 0.0, 0.7),
            ],
        ),
        (
            limits(LOWER, 0.25, 0.5),
            [
                (Status.HEALTHY, 0.0, 0.25),
                (Status.WARNING, 0.25, 0.5),
                (Status.CRITICAL, 0.5, 1.0),
            ],
        ),
        (limits(HIGHER, critical=0.7), [(Status.HEALTHY, 0.7, 1.0), (Status.CRITICAL, 0.0, 0.7)]),
        (limits(LOWER, warning=0.4), [(Status.HEALTHY, 0.0, 0.4), (Status.WARNING, 0.4, 1.0)]),
        (limits(HIGHER), []),
        (None, []),
    ],
)
def test_bands_run_from_the_healthy_side_to_the_worst(threshold, zones):
    assert bands(threshold, 0.0, 1.0) == zones


def test_a_point_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match="no time zone"):
        charts.Point(datetime(2025, 1, 1), 0.5)  # noqa: DTZ001 - the naive time under test


def test_metric_chart_names_its_thresholds_and_segments():
    labels = texts(auc_chart())

    assert {"AUC", "overall", "north", "warning 0.75", "critical 0.7"} <= set(labels)


def test_metric_chart_marks_each_point_beyond_critical_in_red():
    svg = auc_chart()

    assert red_markers(svg) == 1  # 0.69 only: 0.7 itself is not beyond the critical level


def test_lower_is_better_breaches_lie_above_critical():
    series = charts.MetricSeries(
        "Latency", points(120, 650, 480, 900), limits(LOWER, 200, 500), unit="ms"
    )

    svg = charts.metric_over_time(series)

    assert red_markers(svg) == 2
    assert "Latency (ms)" in texts(svg)


def test_thresholds_far_from_the_data_stay_in_view():
    series = charts.MetricSeries("AUC", points(0.90, 0.91, 0.92), limits(HIGHER, 0.3, 0.2))

    ticks = numbers(tick_labels(charts.metric_over_time(series), "y"))

    assert min(ticks) <= 0.2
    assert max(ticks) >= 0.9


@pytest.mark.parametrize(
    "series",
    [
        charts.MetricSeries("AUC", points(0.8)),
        charts.MetricSeries("AUC", points(0.8, 0.8, 0.8, 0.8)),
        charts.MetricSeries("AUC", points(*[0.8 + i / 1e4 for i in range(1000)])),
        charts.MetricSeries("AUC", (), segments=(charts.Segment("north", points(0.7)),)),
    ],
    ids=["one point", "all equal", "a thousand points", "segments only"],
)
def test_metric_chart_draws_awkward_series(series):
    svg = charts.metric_over_time(series)

    assert tick_labels(svg, "y")
    assert "no data yet" not in texts(svg)


def test_a_metric_without_points_says_no_data_yet():
    svg = charts.metric_over_time(charts.MetricSeries("AUC", (), limits(HIGHER, 0.75)))

    assert "no data yet" in texts(svg)
    assert "AUC: no data yet" in svg


def test_a_single_instant_gets_a_day_either_side_not_years():
    series = charts.MetricSeries("AUC", points(0.8))

    labels = tick_labels(charts.metric_over_time(series), "x")

    assert not any(label.isdigit() and len(label) == 4 for label in labels)


def test_fairness_chart_labels_groups_counts_and_the_reference():
    figures = charts.GroupBars(
        "Selection rate by sex",
        (
            charts.GroupRate("female", 0.42, 1203),
            charts.GroupRate("male", 0.55, 1180),
            charts.GroupRate("other", 0.2, 12),
        ),
        reference=0.44,
        reference_label="four-fifths of highest",
        min_group_size=30,
    )

    svg = charts.fairness_by_group(figures)

    assert tick_labels(svg, "x") == ["female (n=1,203)", "male (n=1,180)", "other (n=12)"]
    assert {"0.42", "0.55", "not judged", "four-fifths of highest 0.44"} <= set(texts(svg))
    assert "other not judged (n=12)" in svg  # in the accessible description
    assert svg.count("<pattern") == 1  # the hatch of the one group too small to judge


def test_fairness_with_every_group_judged_hatches_nothing():
    figures = charts.GroupBars("Selection rate", (charts.GroupRate("everyone", 0.5, 1000),))

    svg = charts.fairness_by_group(figures)

    assert tick_labels(svg, "x") == ["everyone (n=1,000)"]
    assert "<pattern" not in svg


def test_many_groups_lie_on_horizontal_bars_in_order():
    groups = tuple(charts.GroupRate(f"region {i}", i / 20, 100 + i) for i in range(12))
    groups += (charts.GroupRate("unknown", None, 0),)

    svg = charts.fairness_by_group(charts.GroupBars("Selection rate by region", groups))

    assert tick_labels(svg, "y") == [f"{g.group} (n={g.count:,})" for g in groups]
    assert "not judged (n=0)" in texts(svg)


def test_fairness_without_groups_says_no_data_yet():
    assert "no data yet" in texts(charts.fairness_by_group(charts.GroupBars("Rate", ())))


def test_drift_chart_sorts_features_worst_first_and_colours_the_drifted():
    svg = charts.drift_by_feature(drift(0.05, 0.31, None, 0.12, 0.27))

    assert tick_labels(svg, "y") == ["f1", "f4", "f3", "f0", "f2"]
    assert {"warning 0.1", "critical 0.25", "not judged: too few rows", "PSI"} <= set(texts(svg))
    assert len(re.findall(rf'<path [^>]*style="fill: {RED}"', svg)) == 2


def test_drift_chart_caps_the_features_and_counts_the_rest():
    svg = charts.drift_by_feature(drift(*[i / 100 for i in range(60)], None))

    shown = tick_labels(svg, "y")
    assert shown == [f"f{i}" for i in range(59, 34, -1)]
    assert "and 36 more (1 not judged)" in texts(svg)


def test_drift_chart_for_p_values_puts_the_smallest_first():
    features = tuple(charts.FeatureDrift(f"f{i}", p) for i, p in enumerate((0.5, 0.001, 0.04)))
    bars = charts.DriftBars("KS p-value", "p", features, limits(HIGHER, 0.05, 0.01))

    assert tick_labels(charts.drift_by_feature(bars), "y") == ["f1", "f2", "f0"]


def test_a_dollar_in_a_name_is_drawn_as_written_not_as_mathematics():
    named = charts.DriftBars("Drift", "PSI", (charts.FeatureDrift("fee $ band $", 0.2),), PSI)

    assert tick_labels(charts.drift_by_feature(named), "y") == ["fee $ band $"]


ALL_CHARTS = [
    auc_chart,
    lambda: charts.metric_over_time(charts.MetricSeries("AUC", ())),
    lambda: charts.fairness_by_group(
        charts.GroupBars(
            "Rate",
            (charts.GroupRate("a", 0.5, 10), charts.GroupRate("b", 0.4, 3)),
            0.4,
            min_group_size=5,
        )
    ),
    lambda: charts.drift_by_feature(drift(0.3, 0.01, None)),
]


@pytest.mark.parametrize("draw", ALL_CHARTS)
def test_every_chart_is_an_inline_svg_that_scales(draw):
    svg = draw()

    root = parse(svg)
    assert svg.startswith("<svg ")
    assert root.tag == f"{NS}svg"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("viewBox").startswith("0 0 ")
    assert root.get("role") == "img"
    assert root[0].tag == f"{NS}title"
    assert root[0].text == root.get("aria-label")
    assert "<metadata" not in svg


@pytest.mark.parametrize("draw", ALL_CHARTS)
def test_every_id_belongs_to_its_chart_and_every_reference_resolves(draw):
    svg = draw()

    root = parse(svg)
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    references = set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))
    assert all(i.startswith(root.get("id")) for i in ids)
    assert references <= ids
    assert f"#{root.get('id')} *{{" in svg  # matplotlib's stylesheet reaches this chart only


def test_two_charts_on_one_page_share_no_id():
    first = parse(auc_chart())
    second = parse(charts.metric_over_time(charts.MetricSeries("AUC", points(0.8))))

    assert not {e.get("id") for e in first.iter()} & {e.get("id") for e in second.iter()} - {None}


@pytest.mark.parametrize("draw", ALL_CHARTS)
def test_the_same_input_draws_the_same_bytes(draw):
    assert draw() == draw()


def test_threads_drawing_at_once_draw_what_one_thread_draws():
    expected = [draw() for draw in ALL_CHARTS]

    with ThreadPoolExecutor(max_workers=4) as pool:
        drawn = list(pool.map(lambda draw: draw(), ALL_CHARTS * 2))

    assert drawn == expected * 2


def test_a_fresh_process_draws_the_same_bytes():
    script = "import hashlib, tests.monitoring.test_charts as t; print(hashlib.sha256(t.auc_chart().encode()).hexdigest())"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[2]

    result = subprocess.run(  # noqa: S603 - this interpreter, our own test module
        [sys.executable, "-c", script],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )

    assert result.stdout.strip() == hashlib.sha256(auc_chart().encode()).hexdigest()
