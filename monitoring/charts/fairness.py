"""One rate per group of a sensitive feature, against a reference line."""

from functools import partial

from matplotlib.figure import Figure

from monitoring.charts.data import GroupBars
from monitoring.charts.render import (
    FRAME_IN,
    HEIGHT_IN,
    INK,
    MUTED,
    NO_DATA,
    NOT_JUDGED,
    ROW_IN,
    SERIES,
    WIDTH_IN,
    labelled_bars,
    legend,
    plain,
    render,
    say,
)

MAX_UPRIGHT_BARS = 8  # more groups than this get horizontal bars, so their names stay legible
MIN_SLOTS = 4  # one or two groups get bars as wide as among four, not a slab across the chart


def fairness_by_group(
    figures: GroupBars, *, width_in: float = WIDTH_IN, height_in: float = HEIGHT_IN
) -> str:
    """A bar per group with its count; groups too small to judge are hatched grey."""
    horizontal = len(figures.groups) > MAX_UPRIGHT_BARS
    if horizontal:
        height_in = max(height_in, ROW_IN * len(figures.groups) + FRAME_IN)
    return render(
        partial(_draw, figures, horizontal=horizontal),
        size=(width_in, height_in),
        label=_describe(figures),
        key=("fairness_by_group", figures),
    )


def _draw(figures: GroupBars, fig: Figure, *, horizontal: bool) -> None:
    ax = fig.add_subplot()
    ax.set_title(plain(figures.title))
    groups = figures.groups
    if not groups:
        say(ax, NO_DATA)
        return
    judged = [figures.judged(g) for g in groups]
    gap = " " if horizontal else "\n"
    counts = [f"(n={g.count:,})" for g in groups]
    labelled_bars(
        ax,
        names=[f"{plain(g.group)}{gap}{n}" for g, n in zip(groups, counts, strict=True)],
        values=[g.rate or 0.0 for g in groups],
        labels=[
            f"{g.rate:.2f}" if j else f"not judged{gap}{n}"
            for g, j, n in zip(groups, judged, counts, strict=True)
        ],
        horizontal=horizontal,
        judged=judged,
        color=[SERIES if j else NOT_JUDGED for j in judged],
        edgecolor=[SERIES if j else MUTED for j in judged],
        hatch=["" if j else "///" for j in judged],
        linewidth=0.6,
    )
    if horizontal:
        ax.margins(x=0.2)
    else:
        ax.margins(y=0.2)
    if not horizontal:
        middle, half = (len(groups) - 1) / 2, max(len(groups), MIN_SLOTS) / 2
        ax.set_xlim(middle - half, middle + half)
    if figures.reference is not None:
        draw_line = ax.axvline if horizontal else ax.axhline
        label = f"{plain(figures.reference_label)} {figures.reference:.2f}"
        draw_line(figures.reference, color=INK, linestyle="--", linewidth=1, label=label)
        legend(fig, ax)


def _describe(figures: GroupBars) -> str:
    parts = [
        f"{g.group} {g.rate:.2f} (n={g.count:,})"
        if figures.judged(g)
        else f"{g.group} not judged (n={g.count:,})"
        for g in figures.groups
    ]
    reference = ""
    if figures.reference is not None:
        reference = f"; {figures.reference_label} {figures.reference:.2f}"
    return f"{figures.title}: {', '.join(parts) or NO_DATA}{reference}"
