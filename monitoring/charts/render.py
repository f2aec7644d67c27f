"""The one place that turns a matplotlib Figure into inline SVG, and the look all charts share."""

import hashlib
import io
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.typing import RcKeyType

from monitoring.stats.thresholds import Status, Threshold

# Sized for one column of an A4 page; the web scales the SVG to its container.
WIDTH_IN = 7.0
HEIGHT_IN = 2.8
ROW_IN = 0.22  # per bar, once a chart of horizontal bars outgrows HEIGHT_IN
FRAME_IN = 1.1  # title, axis and legend around those bars

INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#e4e7eb"
SERIES = "#1f4e79"
SEGMENTS = ("#4c78a8", "#b279a2", "#72b7b2", "#9d755d", "#79706e", "#d4a6c8")
NOT_JUDGED = "#c9ced6"
LEVEL_COLOURS = {Status.HEALTHY: "#2f855a", Status.WARNING: "#c27c0e", Status.CRITICAL: "#c53030"}

NO_DATA = "no data yet"

STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "attest-charts",
    "svg.fonttype": "none",  # text stays text: smaller, selectable and searchable in the PDF
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.titlelocation": "left",
    "axes.labelsize": 8,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
}
# No <metadata> block: nothing to puzzle an HTML parser, and no matplotlib version in the bytes.
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_RENDERING = threading.Lock()  # rc_context swaps matplotlib's global settings while it is open
_ID_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)')


def render(
    draw: Callable[[Figure], None], *, size: tuple[float, float], label: str, key: object
) -> str:
    """Draw on a fresh Figure and return it as inline SVG; `key` is the input, for the ids."""
    with _RENDERING, matplotlib.rc_context(STYLE):
        layout = ConstrainedLayoutEngine()
        fig = Figure(figsize=size, layout=layout)
        FigureCanvasSVG(fig)
        draw(fig)
        # Laid out once, here, then saved without an engine: savefig would first draw the whole
        # figure to lay it out and then draw it again; the same positions, the same bytes, a
        # fifth less CPU (bench/evidence_pack.py).
        if fig.axes:  # as Figure.draw does
            layout.execute(fig)
        fig.set_layout_engine(None)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata=SVG_METADATA)
    return inline(out.getvalue(), label=label, key=repr((key, size)))


def inline(svg: str, *, label: str, key: str) -> str:
    """Make matplotlib's SVG document safe to drop into HTML, several to a page.

    The XML prolog goes; the root scales to its container and gets an accessible name; every id
    and reference takes a prefix derived from the input (as SVGO's prefixIds does), so two
    charts on one page never share an id and the stylesheet applies to this chart only.
    """
    chart_id = "chart-" + hashlib.sha256(key.encode()).hexdigest()[:12]
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<[^>]+>", lambda tag: _ID_REFERENCE.sub(rf"\g<1>{chart_id}-", tag[0]), svg)
    svg = svg.replace("*{", f"#{chart_id} *{{", 1)
    root_end = svg.index(">")
    root = re.sub(r'\s(width|height)="[^"]*"', "", svg[:root_end])
    return (
        f'{root} id="{chart_id}" width="100%" role="img" aria-label={quoteattr(label)}>'
        f"<title>{escape(label)}</title>{svg[root_end + 1 :]}"
    )


def plain(text: str) -> str:
    """Escape `$` so a name such as "fee $ band $" is drawn as written, not as mathematics."""
    return text.replace("$", r"\$")


def say(ax: Axes, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=ax.transAxes)


def levels(threshold: Threshold | None) -> list[tuple[Status, float]]:
    """The levels that are set, from the healthy end towards the worst."""
    if threshold is None:
        return []
    pairs = ((Status.WARNING, threshold.warning), (Status.CRITICAL, threshold.critical))
    return [(status, limit) for status, limit in pairs if limit is not None]


def mark_levels(ax: Axes, threshold: Threshold | None, *, horizontal: bool) -> None:
    """Dashed warning and critical lines, named with their values in the legend."""
    draw_line = ax.axhline if horizontal else ax.axvline
    for level, limit in levels(threshold):
        draw_line(
            limit,
            color=LEVEL_COLOURS[level],
            linestyle="--",
            linewidth=1,
            label=f"{level} {limit:g}",
        )


def legend(fig: Figure, ax: Axes) -> None:
    """A legend under the plot, where it can never cover the data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 6))


def labelled_bars(
    ax: Axes,
    names: Sequence[str],
    values: Sequence[float],
    labels: Sequence[str],
    *,
    horizontal: bool,
    judged: Sequence[bool],
    **style: Any,
) -> None:
    """One bar per name with its label at the bar's end, grey where it was not judged."""
    positions = range(len(names))
    if horizontal:
        bars = ax.barh(positions, values, **style)
        ax.set_yticks(positions, labels=names)
        ax.invert_yaxis()  # the first row on top, where reading starts
    else:
        bars = ax.bar(positions, values, **style)
        ax.set_xticks(positions, labels=names)
    for text, was_judged in zip(ax.bar_label(bars, labels=labels, padding=2), judged, strict=True):
        text.set_color(INK if was_judged else MUTED)
    ax.grid(axis="y" if horizontal else "x", visible=False)
