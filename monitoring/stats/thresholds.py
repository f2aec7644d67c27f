"""Whether a model is healthy: a threshold judged against the observations in its window.

A threshold names a signal (`metric:auc`, `drift:psi`, `fairness:demographic_parity_difference`,
`evaluation:pass_rate`, `freshness:days_since_data`), the direction in which values are good,
warning and critical levels, the window of time that counts, the minimum sample size an
observation needs to be judged, and how many consecutive breaching observations raise an alert
(one bad batch is often noise; the default is 1, the tier defaults say more where noise is
common). Everything here is plain data: the services fetch the observations.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from governance.labels import signal_label

SIGNALS = ("metric", "drift", "fairness", "evaluation", "freshness")
# The measures of each signal that Attest can read; a metric may be any name the model pushes.
MEASURES: dict[str, frozenset[str] | None] = {
    "metric": None,
    "drift": frozenset(
        {"psi", "ks", "ks_p_value", "chi_square_p_value", "js", "wasserstein", "share"}
    ),
    "fairness": frozenset(
        {
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
            "four_fifths_ratio",
        }
    ),
    "evaluation": frozenset({"pass_rate", "cost_per_request", "tokens_per_request"}),
    "freshness": frozenset({"days_since_data"}),
}


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


# The directions as people read them, for forms and the policy's choices.
DIRECTIONS = [
    (Direction.HIGHER_IS_BETTER.value, "Higher is better"),
    (Direction.LOWER_IS_BETTER.value, "Lower is better"),
]


class Status(StrEnum):
    """Worst first, so that sorting by `SEVERITY_ORDER` puts what needs attention on top."""

    CRITICAL = "critical"
    WARNING = "warning"
    NO_DATA = "no_data"
    INSUFFICIENT = "insufficient_data"
    HEALTHY = "healthy"


SEVERITY_ORDER = {status: rank for rank, status in enumerate(Status)}
BREACHES = (Status.CRITICAL, Status.WARNING)


@dataclass(frozen=True)
class Threshold:
    signal: str
    measure: str
    direction: Direction
    warning: float | None = None
    critical: float | None = None
    scope: str = ""  # a segment, a drifted column, a sensitive feature set, a suite; "" = worst
    min_sample_size: int = 0
    consecutive: int = 1
    window: timedelta = timedelta(days=30)
    material: bool = False  # a critical breach requires revalidation

    @property
    def key(self) -> str:
        """What alerts are de-duplicated on, per model."""
        base = f"{self.signal}:{self.measure}"
        return f"{base}[{self.scope}]" if self.scope else base

    @property
    def label(self) -> str:
        """The key as people read it ("Fairness: demographic parity difference")."""
        return signal_label(self.key)

    @property
    def breached_side(self) -> str:
        """Where a breaching value lies: "below" its level when higher is better, else "above"."""
        return "below" if self._higher else "above"

    def level(self, value: float) -> Status:
        """The status of one value: critical, warning or healthy."""
        if self._beyond(value, self.critical):
            return Status.CRITICAL
        if self._beyond(value, self.warning):
            return Status.WARNING
        return Status.HEALTHY

    def _beyond(self, value: float, level: float | None) -> bool:
        if level is None:
            return False
        return value < level if self._higher else value > level

    def describe(self) -> str:
        comparison = "at least" if self._higher else "at most"
        levels = [f"{name} {comparison} {value:g}" for name, value in self._levels()]
        return f"{self.label} (" + ", ".join(levels) + ")"

    def worst(self, values: Iterable[float]) -> float:
        return min(values) if self._higher else max(values)

    def _levels(self) -> list[tuple[str, float]]:
        named = (("warning", self.warning), ("critical", self.critical))
        return [(name, value) for name, value in named if value is not None]

    @property
    def _higher(self) -> bool:
        return self.direction == Direction.HIGHER_IS_BETTER


@dataclass(frozen=True)
class Observation:
    at: datetime
    value: float
    sample_size: int | None = None  # None: the source did not say, and the value is judged


@dataclass(frozen=True)
class Judgement:
    threshold: Threshold
    status: Status
    reason: str
    value: float | None = None
    observed_at: datetime | None = None
    breaches: int = 0  # consecutive breaching observations, newest first
    observations: int = 0  # judged observations in the window

    @property
    def is_breach(self) -> bool:
        return self.status in BREACHES


def check_threshold(fields: Mapping[str, Any]) -> list[str]:
    """What is wrong with a threshold's fields, each problem naming its field."""
    problems = []
    signal, measure = fields.get("signal"), fields.get("measure") or ""
    if signal not in SIGNALS:
        problems.append(f"signal: one of {', '.join(SIGNALS)}, not {signal!r}")
    elif (known := MEASURES[signal]) is not None and measure not in known:
        problems.append(f"measure: {signal} measures are {', '.join(sorted(known))}")
    elif not measure.strip():
        problems.append("measure: required")
    if fields.get("direction") not in set(Direction):
        problems.append("direction: 'higher' or 'lower'")
    warning, critical = fields.get("warning"), fields.get("critical")
    if warning is None and critical is None:
        problems.append("warning: set a warning level, a critical level or both")
    elif warning is not None and critical is not None:
        problems += _order_problem(fields.get("direction"), warning, critical)
    if int(fields.get("min_sample_size") or 0) < 0:
        problems.append("min_sample_size: zero or more")
    if int(fields.get("consecutive", 1)) < 1:
        problems.append("consecutive: at least 1")
    window = fields.get("window")
    if window is not None and window <= timedelta(0):
        problems.append("window: longer than zero")
    return problems


def _order_problem(direction: Any, warning: float, critical: float) -> list[str]:
    higher = direction == Direction.HIGHER_IS_BETTER
    if (higher and critical > warning) or (not higher and critical < warning):
        side, better = ("above", "higher") if higher else ("below", "lower")
        problem = (
            f"critical: when {better} is better the critical level ({critical:g}) must not be "
            f"{side} the warning level ({warning:g})"
        )
        return [problem]
    return []


def judge(threshold: Threshold, observations: Sequence[Observation], now: datetime) -> Judgement:
    """The threshold's status from the observations in its window (any order, any age)."""
    since = now - threshold.window
    in_window = sorted(
        (o for o in observations if since <= o.at <= now), key=lambda o: o.at, reverse=True
    )
    if not in_window:
        return Judgement(
            threshold,
            Status.NO_DATA,
            f"no data for {threshold.label} since {since:%-d %b %Y, %H:%M}",
        )
    judged = [o for o in in_window if _big_enough(o, threshold.min_sample_size)]
    if not judged:
        smallest = max(o.sample_size or 0 for o in in_window)
        return Judgement(
            threshold,
            Status.INSUFFICIENT,
            f"{len(in_window)} observation(s) in the window, the largest of {smallest} cases; "
            f"at least {threshold.min_sample_size} needed to judge",
            value=in_window[0].value,
            observed_at=in_window[0].at,
        )
    return _judged(threshold, judged)


def _big_enough(observation: Observation, minimum: int) -> bool:
    return observation.sample_size is None or observation.sample_size >= minimum


def _judged(threshold: Threshold, judged: list[Observation]) -> Judgement:
    latest = judged[0]
    levels = []
    for observation in judged:
        level = threshold.level(observation.value)
        if level not in BREACHES:
            break
        levels.append(level)
    breaches = len(levels)

    def judgement(status: Status, reason: str) -> Judgement:
        return Judgement(
            threshold,
            status,
            reason,
            value=latest.value,
            observed_at=latest.at,
            breaches=breaches,
            observations=len(judged),
        )

    if breaches == 0:
        return judgement(Status.HEALTHY, f"{latest.value:.4g} within {threshold.describe()}")
    if breaches < threshold.consecutive:
        return judgement(
            Status.HEALTHY,
            f"{latest.value:.4g} breaches {threshold.describe()}, {breaches} of "
            f"{threshold.consecutive} consecutive breaches needed to alert",
        )
    # The alert is as severe as the mildest of the breaches that make it up.
    status = max(levels[: threshold.consecutive], key=SEVERITY_ORDER.__getitem__)
    run = f" ({breaches} consecutive)" if threshold.consecutive > 1 else ""
    return judgement(status, f"{latest.value:.4g} breaches {threshold.describe()}{run}")


def overall(statuses: Iterable[Status | str]) -> Status:
    """A model's health: its worst judged status. Thresholds that could not judge (no data,
    too few cases) decide only when nothing was judged: a tier default on a signal the model
    does not report (fairness of a VaR model) must not hide that the rest is healthy."""
    found = {Status(s) for s in statuses}
    judged = found & {Status.CRITICAL, Status.WARNING, Status.HEALTHY}
    return min(judged or found or {Status.NO_DATA}, key=SEVERITY_ORDER.__getitem__)


def from_entry(entry: Mapping[str, Any]) -> Threshold:
    """A threshold from a rulebook entry or a policy row's fields (`window_days` or `window`)."""
    window = entry.get("window") or timedelta(days=float(entry.get("window_days", 30)))
    return Threshold(
        signal=entry["signal"],
        measure=entry["measure"],
        direction=Direction(entry["direction"]),
        warning=entry.get("warning"),
        critical=entry.get("critical"),
        scope=entry.get("scope") or "",
        min_sample_size=int(entry.get("min_sample_size") or 0),
        consecutive=int(entry.get("consecutive") or 1),
        window=window,
        material=bool(entry.get("material", False)),
    )


def check_defaults(content: Mapping[str, Any], tiers: Sequence[str]) -> list[str]:
    """Problems of a monitoring-defaults rulebook: each names the tier, the entry and the field."""
    by_tier = content.get("tiers")
    if not isinstance(by_tier, Mapping):
        return ["tiers: a mapping of tier to a list of thresholds"]
    problems = [f"tiers.{tier}: unknown tier" for tier in by_tier if tier not in tiers]
    for tier, entries in by_tier.items():
        seen: set[str] = set()
        for n, entry in enumerate(entries or []):
            where = f"tiers.{tier}[{n}]"
            found = check_threshold(entry)
            problems += [f"{where}.{problem}" for problem in found]
            if found:
                continue
            key = from_entry(entry).key
            if key in seen:
                problems.append(f"{where}: a second threshold for {key}")
            seen.add(key)
    return problems
