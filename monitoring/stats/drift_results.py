"""Drift results and the default thresholds, with the reasons for each (docs/monitoring.md
quotes them)."""

from dataclasses import dataclass
from typing import Literal

Statistic = Literal["psi", "ks", "chi_square", "jensen_shannon", "wasserstein"]
Kind = Literal["numeric", "categorical"]
Level = Literal["stable", "warning", "drift"]
Status = Literal["ok", "insufficient_data"]

# The credit-scoring convention (Siddiqi, "Credit Risk Scorecards"): under 0.1 no significant
# change, 0.1 to 0.2 a moderate shift worth a look, 0.2 and above a shift to act on.
PSI_WARNING = 0.1
PSI_CRITICAL = 0.2
PSI_EPSILON = 1e-4
PSI_BINS = 10
# Both tests reject at the usual 5% level. With a million rows per window any real difference,
# however small, gives p close to 0, so the KS distance D is reported next to the p-value and the
# feature's verdict is taken from PSI by default (see `decide_by`).
KS_P_VALUE = 0.05
CHI_SQUARE_P_VALUE = 0.05
# scipy's ks_2samp computes the exact p-value up to this many values per window (its 'auto').
KS_EXACT_MAX = 10_000
# 0.1 for both distances is Evidently's default for large windows, so the two tools agree.
JENSEN_SHANNON_DISTANCE = 0.1
WASSERSTEIN_NORMALISED = 0.1
WASSERSTEIN_STD_FLOOR = 1e-3  # as Evidently: a constant reference must not divide by zero
# Below about 30 values per window the asymptotic KS and chi-square p-values are unreliable and
# decile bins hold two or three values each, so a verdict would mostly reflect noise.
MIN_SAMPLE = 30
# A result names the most frequent unseen categories; `unseen_share` says how much they weigh.
MAX_NAMED_UNSEEN = 20

THRESHOLDS: dict[Statistic, float] = {
    "psi": PSI_CRITICAL,
    "ks": KS_P_VALUE,
    "chi_square": CHI_SQUARE_P_VALUE,
    "jensen_shannon": JENSEN_SHANNON_DISTANCE,
    "wasserstein": WASSERSTEIN_NORMALISED,
}
NUMERIC_STATISTICS: tuple[Statistic, ...] = ("psi", "ks", "wasserstein", "jensen_shannon")
CATEGORICAL_STATISTICS: tuple[Statistic, ...] = ("psi", "chi_square", "jensen_shannon")
# PSI does not shrink to "always drifted" as windows grow, unlike the tests' p-values.
DECIDE_BY: Statistic = "psi"


@dataclass(frozen=True)
class DriftStat:
    """One statistic between the two windows and its verdict."""

    statistic: Statistic
    value: float | None  # PSI, KS D, chi-square statistic, JS distance, normalised Wasserstein
    p_value: float | None  # ks and chi_square only
    threshold: float  # compared with p_value for ks and chi_square, with value otherwise
    drifted: bool | None  # None when it could not judge
    level: Level | None = None  # "warning" only for PSI between PSI_WARNING and PSI_CRITICAL
    status: Status = "ok"
    reason: str = ""  # why it could not judge, e.g. "reference has 3 values; at least 30 needed"


@dataclass(frozen=True)
class FeatureDrift:
    """The statistics of one feature, and its verdict from the `decided_by` statistic."""

    feature: str
    kind: Kind
    stats: tuple[DriftStat, ...]
    decided_by: Statistic
    reference_count: int  # usable values (missing ones left out)
    current_count: int
    reference_missing: int  # NaN, infinite or null values
    current_missing: int
    unseen_categories: tuple[str, ...] = ()  # in current only; most frequent first, at most 20
    unseen_share: float = 0.0  # share of the current window's values in unseen categories

    @property
    def drifted(self) -> bool | None:
        return self.stat(self.decided_by).drifted

    @property
    def reference_missing_share(self) -> float:
        return share(self.reference_missing, self.reference_count + self.reference_missing)

    @property
    def current_missing_share(self) -> float:
        return share(self.current_missing, self.current_count + self.current_missing)

    def stat(self, statistic: Statistic) -> DriftStat:
        return next(s for s in self.stats if s.statistic == statistic)


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
