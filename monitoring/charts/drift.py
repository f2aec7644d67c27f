"""Drift per feature, worst first, against the warning and critical thresholds."""

from collections.abc import Sequence
from functools import partial

from matplotlib.figure import Figure

from monitoring.charts.data import DriftBars, FeatureDrift
from monitoring.charts.render import (
    FRAME_IN,
    HEIGHT_IN,
    LEVEL_COLOURS,
    MUTED,
    NO_DATA,
    NOT_JUDGED,
    ROW_IN,
    WIDTH_IN,
    labelled_bars,
    legend,
    mark_levels,
    plain,
    render,
    say,
)
from monitoring.stats.thresholds import Direction, Status

SHOWN_FEATURES = 25


def drift_by_feature(
    features: DriftBars,
    *,
    limit: int = SHOWN_FEATURES,
    width_in: float = WIDTH_IN,
    height_in: float = HEIGHT_IN,
) -> str:
    """A bar per feature coloured by level; features past `limit` are counted, not drawn."""
    rows = worst_first(features)
    shown = rows[:limit]
    return render(
        partial(_draw, features, shown, _more(rows[limit:])),
        size=(width_in, max(height_in, ROW_IN * (len(shown) + 1) + FRAME_IN)),
        label=_describe(features, rows),
        key=("drift_by_feature", features, limit),
    )


def worst_first(features: DriftBars) -> list[FeatureDrift]:
    """Judged features from the most drifted down, then those that could not be judged."""
    judged = [(f, f.score) for f in features.features if f.score is not None]
    judged.sort(
        key=lambda judged_feature: judged_feature[1],
        reverse=features.threshold.direction == Direction.LOWER_IS_BETTER,
    )
    return [f for f, _ in judged] + [f for f in features.features if f.score is None]


def _draw(features: DriftBars, rows: Sequence[FeatureDrift], more: str, fig: Figure) -> None:
    ax = fig.add_subplot()
    ax.set_title(plain(features.title))
    if not rows:
        say(ax, NO_DATA)
        return
    level_of = features.threshold.level
    labelled_bars(
        ax,
        names=[plain(r.feature) for r in rows],
        values=[r.score or 0.0 for r in rows],
        labels=[f"{r.score:.3g}" if r.score is not None else _not_judged(r) for r in rows],
        horizontal=True,
        judged=[r.score is not None for r in rows],
        color=[NOT_JUDGED if r.score is None else LEVEL_COLOURS[level_of(r.score)] for r in rows],
    )
    ax.set_xlabel(plain(features.score_name))
    ax.set_xlim(left=0)
    ax.margins(x=0.15)
    if more:
        ax.annotate(
            more,
            xy=(0, 0),
            xycoords="axes fraction",
            xytext=(0, -26),
            textcoords="offset points",
            ha="right",
            color=MUTED,
        )
    mark_levels(ax, features.threshold, horizontal=False)
    legend(fig, ax)


def _not_judged(row: FeatureDrift) -> str:
    return f"not judged: {plain(row.reason)}" if row.reason else "not judged"


def _more(hidden: Sequence[FeatureDrift]) -> str:
    if not hidden:
        return ""
    unjudged = sum(f.score is None for f in hidden)
    return f"and {len(hidden)} more" + (f" ({unjudged} not judged)" if unjudged else "")


def _describe(features: DriftBars, rows: Sequence[FeatureDrift]) -> str:
    levels = [features.threshold.level(r.score) for r in rows if r.score is not None]
    worst = [r.feature for r in rows[:3] if r.score is not None]
    return (
        f"{features.title}: {len(rows)} features, {levels.count(Status.CRITICAL)} critical,"
        f" {levels.count(Status.WARNING)} warning, {len(rows) - len(levels)} not judged;"
        f" most drifted {', '.join(worst) or 'none'}"
    )
