"""A metric over time, on bands that show where its thresholds put it."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from itertools import cycle

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from governance.labels import label_for
from monitoring.charts.data import MetricSeries, Point, Segment
from monitoring.charts.render import (
    HEIGHT_IN,
    LEVEL_COLOURS,
    NO_DATA,
    SEGMENTS,
    SERIES,
    WIDTH_IN,
    legend,
    levels,
    mark_levels,
    plain,
    render,
    say,
)
from monitoring.stats.thresholds import Direction, Status, Threshold

MARKERS_UP_TO = 60  # beyond this many points, markers only thicken the line
BAND_ALPHA = 0.09


def metric_over_time(
    series: MetricSeries, *, width_in: float = WIDTH_IN, height_in: float = HEIGHT_IN
) -> str:
    """The metric (and its segments) over time on healthy/warning/critical bands."""
    return render(
        partial(_draw, series),
        size=(width_in, height_in),
        label=_describe(series),
        key=("metric_over_time", series),
    )


def _draw(series: MetricSeries, fig: Figure) -> None:
    ax = fig.add_subplot()
    ax.set_title(plain(_title(series)))
    lines = [line for line in (Segment("overall", series.points), *series.segments) if line.points]
    points = [p for line in lines for p in line.points]
    if not points:
        say(ax, NO_DATA)
        return
    for line, colour in zip(lines, cycle((SERIES, *SEGMENTS))):
        ordered = sorted(line.points, key=lambda p: p.at)
        ax.plot(
            *_xy(ordered),
            color=colour,
            linewidth=1.4,
            marker="o" if len(ordered) <= MARKERS_UP_TO else "",
            markersize=3,
            # The whole population alone needs no legend entry: the title names it.
            label=plain(line.name) if series.segments else "_nolegend_",
        )
    threshold = series.threshold
    breaches = _breaches(points, threshold)
    if breaches:
        ax.scatter(
            *_xy(breaches),
            s=18,
            color=LEVEL_COLOURS[Status.CRITICAL],
            zorder=3,
            label="breaches critical",
        )
    mark_levels(ax, threshold, horizontal=True)
    # Autoscaling has now seen the data and every threshold line; the bands fill that view.
    bottom, top = ax.get_ylim()
    ax.set_ylim(bottom, top)
    for level, low, high in bands(threshold, bottom, top):
        ax.axhspan(low, high, color=LEVEL_COLOURS[level], alpha=BAND_ALPHA, linewidth=0)
    _date_axis(ax, [p.at for p in points])
    legend(fig, ax)


def bands(
    threshold: Threshold | None, bottom: float, top: float
) -> list[tuple[Status, float, float]]:
    """The healthy, warning and critical zones between `bottom` and `top`, as (level, low, high)."""
    limits = levels(threshold)
    if threshold is None or not limits:
        return []
    edge, worst_edge = (top, bottom)
    if threshold.direction == Direction.LOWER_IS_BETTER:
        edge, worst_edge = (bottom, top)
    zones, level = [], Status.HEALTHY
    for next_level, limit in limits:
        zones.append((level, edge, limit))
        level, edge = next_level, limit
    zones.append((level, edge, worst_edge))
    return [(level, min(a, b), max(a, b)) for level, a, b in zones]


def _breaches(points: Sequence[Point], threshold: Threshold | None) -> list[Point]:
    if threshold is None:
        return []
    return [p for p in points if threshold.level(p.value) == Status.CRITICAL]


def _xy(points: Sequence[Point]) -> tuple[np.ndarray, list[float]]:
    return mdates.date2num([p.at for p in points]), [p.value for p in points]


def _date_axis(ax: Axes, times: Sequence[datetime]) -> None:
    """Dates in the points' own time zone; a single instant gets a day either side, not years."""
    tz = times[0].tzinfo
    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    first, last = min(times), max(times)
    if first == last:
        ax.set_xlim(mdates.date2num([first - timedelta(days=1), last + timedelta(days=1)]))


def _title(series: MetricSeries) -> str:
    name = label_for(series.name)  # "hallucination_rate" -> "Hallucination rate"
    return f"{name} ({series.unit})" if series.unit else name


def _describe(series: MetricSeries) -> str:
    points = sorted(series.points, key=lambda p: p.at)
    if not points:
        drawn = "segments only" if any(s.points for s in series.segments) else NO_DATA
        return f"{_title(series)}: {drawn}"
    limits = ", ".join(f"{level} at {limit:g}" for level, limit in levels(series.threshold))
    breaches = len(_breaches(points, series.threshold))
    return (
        f"{_title(series)}: {len(points)} points from {points[0].at:%Y-%m-%d}"
        f" to {points[-1].at:%Y-%m-%d}, latest {points[-1].value:g};"
        f" {limits or 'no thresholds'}; {breaches} breaching critical"
    )
