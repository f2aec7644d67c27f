"""Small month-by-month charts for the executive report: one figure's trend, and a breakdown
this month against the month before."""

from dataclasses import dataclass
from functools import lru_cache, partial

from matplotlib.figure import Figure

from monitoring.charts.render import (
    FRAME_IN,
    INK,
    MUTED,
    ROW_IN,
    SERIES,
    WIDTH_IN,
    legend,
    plain,
    render,
)

# A dashboard draws about twenty of these, and a past month's figures rarely change: the same
# input gives the same bytes, so a repeat is served from memory.
CACHED_CHARTS = 512
SPARK_IN = (2.4, 0.85)  # a card's width on the dashboard, a table cell's in the PDF
EARLIER = "#b8c4d1"  # the months before the one reported: quieter than it
NOTHING = "-"  # under a month that had nothing to measure (a zero is a bar of no height)
LABEL_PT = 6.5


@dataclass(frozen=True)
class MonthTrend:
    """One figure month by month, oldest first; None where a month had nothing to measure.

    `shown` is each value as the report prints it ("12.5 days", "93.8%")."""

    title: str
    months: tuple[str, ...]
    values: tuple[float | None, ...]
    shown: tuple[str, ...]

    def __post_init__(self) -> None:
        if not len(self.months) == len(self.values) == len(self.shown) > 0:
            raise ValueError("give a month name, a value and a shown value for each month")


@dataclass(frozen=True)
class MonthComparison:
    """Counts per category in the month reported and in the month before it."""

    title: str
    categories: tuple[str, ...]
    current: tuple[float, ...]
    previous: tuple[float, ...]
    current_month: str
    previous_month: str

    def __post_init__(self) -> None:
        if not len(self.categories) == len(self.current) == len(self.previous):
            raise ValueError("give both months' count for each category")


@lru_cache(maxsize=CACHED_CHARTS)
def month_trend(trend: MonthTrend, *, size: tuple[float, float] = SPARK_IN) -> str:
    """A column per month; the month reported is in the series colour, with its value on top."""
    return render(
        partial(_draw_trend, trend),
        size=size,
        label=_describe_trend(trend),
        key=("month_trend", trend),
    )


def _draw_trend(trend: MonthTrend, fig: Figure) -> None:
    ax = fig.add_subplot()
    positions = range(len(trend.months))
    bars = ax.bar(
        positions,
        [value or 0.0 for value in trend.values],
        color=[EARLIER] * (len(positions) - 1) + [SERIES],
        width=0.7,
    )
    earlier = [NOTHING if value is None else "" for value in trend.values[:-1]]
    labels = ax.bar_label(bars, labels=[*earlier, trend.shown[-1]], padding=1, fontsize=LABEL_PT)
    for text in labels[:-1]:
        text.set_color(MUTED)
    ax.set_xticks(positions, labels=trend.months)
    ax.set_ylim(bottom=0)
    ax.margins(y=0.45)  # room above the tallest column for its label
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.grid(visible=False)


def _describe_trend(trend: MonthTrend) -> str:
    months = ", ".join(
        f"{month} {shown}" for month, shown in zip(trend.months, trend.shown, strict=True)
    )
    return f"{trend.title} by month: {months}"


@lru_cache(maxsize=CACHED_CHARTS)
def month_comparison(bars: MonthComparison, *, width_in: float = WIDTH_IN) -> str:
    """A pair of bars per category, the month before above the month reported."""
    rows = len(bars.categories)
    return render(
        partial(_draw_comparison, bars),
        size=(width_in, ROW_IN * 2 * max(rows, 1) + FRAME_IN),
        label=_describe_comparison(bars),
        key=("month_comparison", bars, width_in),
    )


def _draw_comparison(bars: MonthComparison, fig: Figure) -> None:
    ax = fig.add_subplot()
    ax.set_title(plain(bars.title))
    positions = range(len(bars.categories))
    height = 0.4
    ax.barh(
        [p - height / 2 for p in positions],
        bars.previous,
        height=height,
        color=EARLIER,
        label=bars.previous_month,
    )
    current = ax.barh(
        [p + height / 2 for p in positions],
        bars.current,
        height=height,
        color=SERIES,
        label=bars.current_month,
    )
    ax.bar_label(current, labels=[f"{n:,.0f}" for n in bars.current], padding=2, color=INK)
    ax.set_yticks(positions, labels=[plain(c) for c in bars.categories])
    ax.invert_yaxis()  # the first category on top, where reading starts
    ax.margins(x=0.1)
    ax.grid(axis="y", visible=False)
    legend(fig, ax)


def _describe_comparison(bars: MonthComparison) -> str:
    counts = ", ".join(
        f"{category} {now:,.0f} (was {before:,.0f})"
        for category, now, before in zip(bars.categories, bars.current, bars.previous, strict=True)
    )
    return f"{bars.title}, {bars.current_month} against {bars.previous_month}: {counts}"
