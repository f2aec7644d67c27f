"""Exact comparison of two numeric windows (KS distance, Wasserstein area, PSI bins) without
sorting them whole.

All three read the two empirical CDFs, F of the reference and G of the current window. The
textbook way sorts both windows; sorting 1,000,000 doubles takes about 55 ms on one core of our
machines, so two sorts for each of 50 features alone would exceed the 3 s budget. Instead both
windows are counted on one fine uniform grid (up to `GRID_CELLS` cells between the reference's
0.1% and 99.9% quantiles, plus an open cell at each end). That gives F and G exactly at every
cell edge, and most cells are settled by their counts alone:

- KS: inside a cell F - G stays within [F_left - G_right, F_right - G_left]; a cell whose bound
  cannot beat the largest gap already seen at an edge cannot hold the supremum.
- Wasserstein: where F - G keeps one sign across a cell, the integral of |F - G| over it is the
  absolute value of the integral of F - G, which follows from the count and the sum of the values
  in the cell.
- PSI: a reference decile is an order statistic, found in the cell where the cumulative count
  crosses its rank.

Only the cells left over (where F - G may change sign or exceed the edge maximum, the two open
end cells, and the cells holding a decile) have their values sorted: on the benchmark's smooth
data 0.3% to 11% of the values (median 3%). The answer is exact on any grid: the grid only
decides how much is sorted. Discrete data (few distinct values) leaves most cells unsettled and costs about a full sort.
KS and the PSI counts are exact; the Wasserstein area equals scipy's up to rounding, which at
worst (a window whose whole spread is a few thousand ulps) is about one ulp of the data's
magnitude at each of the two outer cell edges.
"""

from dataclasses import dataclass

import numpy as np

GRID_CELLS = 1 << 16
GRID_SAMPLE = 10_000  # values of the reference that place the grid; any placement is exact
GRID_RANGE = (0.001, 0.999)


@dataclass(frozen=True)
class NumericComparison:
    """What the numeric statistics need from a reference and a current window."""

    ks_statistic: float  # sup |F - G|
    wasserstein_distance: float  # integral of |F - G|, in the feature's units
    psi_edges: np.ndarray  # the reference's quantile edges, deduplicated, ascending
    reference_counts: np.ndarray  # values per PSI bin: (-inf, e0], (e0, e1], ..., (e_last, inf)
    current_counts: np.ndarray


@dataclass(frozen=True)
class _Grid:
    """Cell 0 is (-inf, lo), cell j in 1..cells is [lo + (j-1) w, lo + j w), the last is [hi, inf)."""

    base: float  # lo - w, so that a value's position (x - base) / w falls in [j, j + 1)
    scale: float  # 1 / w
    cells: int

    def positions(self, values: np.ndarray) -> np.ndarray:
        position = values - self.base
        position *= self.scale
        return np.clip(position, 0, self.cells + 1, out=position)

    def cell_of(self, values: np.ndarray) -> np.ndarray:
        return self.positions(values).astype(np.intp)

    def frames(self, low: float, high: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per cell: left edge, right edge and the length of one unit, in the coordinate that
        `coordinates` gives its values. Inner cells use grid positions, so their edges are the
        exact ones the settled cells are integrated over (edges rounded to feature units would
        drift from them by an ulp each, which matters when a cell is only a few ulps wide); the
        open end cells use feature units, bounded by the data's extremes `low` and `high`."""
        left = np.arange(self.cells + 2, dtype=np.float64)
        right = left + 1
        unit = np.full(self.cells + 2, 1 / self.scale)
        left[0], right[0], unit[0] = low, self.base + 1 / self.scale, 1.0
        left[-1], right[-1], unit[-1] = self.base + (self.cells + 1) / self.scale, high, 1.0
        return left, right, unit

    def coordinates(self, values: np.ndarray, cells: np.ndarray) -> np.ndarray:
        inner = (cells > 0) & (cells <= self.cells)
        coordinates = values.copy()
        coordinates[inner] = (values[inner] - self.base) * self.scale
        return coordinates


@dataclass(frozen=True)
class _Counted:
    """One window counted on the grid."""

    size: int
    cells: np.ndarray  # cell of each value
    counts: np.ndarray  # values per cell
    position_sums: np.ndarray  # sum of positions per cell (for areas in settled cells)
    below: np.ndarray  # values in cells before each cell edge; below[0] = 0, below[-1] = size


@dataclass(frozen=True)
class _Rest:
    """One window's values in the unsettled cells, sorted."""

    size: int  # of the whole window
    values: np.ndarray
    settled_below: np.ndarray  # values in settled cells before each cell edge

    @classmethod
    def of(cls, window: np.ndarray, counted: _Counted, unsettled: np.ndarray) -> "_Rest":
        rest_below = _below(counted.counts * unsettled)
        return cls(
            window.size, np.sort(window[unsettled[counted.cells]]), counted.below - rest_below
        )

    def at_or_below(self, values: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Values of the window at or below each of `values`, which lie in unsettled cells."""
        below: np.ndarray = self.settled_below[cells]
        return below + np.searchsorted(self.values, values, side="right")


def compare_numeric(
    reference: np.ndarray, current: np.ndarray, *, quantile_bins: int
) -> NumericComparison:
    """Compare two non-empty windows of finite values (NaN already removed)."""
    grid = _grid(reference, cells=min(GRID_CELLS, 4 * max(reference.size, current.size)))
    ref, cur = _count(reference, grid), _count(current, grid)
    edge_gap = ref.below / ref.size - cur.below / cur.size  # F - G just left of each cell edge
    ranks = _quantile_ranks(ref.size, quantile_bins)
    rank_cells = np.searchsorted(ref.below, ranks, side="right") - 1
    unsettled = _unsettled_cells(ref, cur, edge_gap, forced=rank_cells)
    ref_rest, cur_rest = _Rest.of(reference, ref, unsettled), _Rest.of(current, cur, unsettled)

    edges = np.unique(ref_rest.values[ranks - ref_rest.settled_below[rank_cells]])
    edge_cells = grid.cell_of(edges)
    ref_le, cur_le = (
        ref_rest.at_or_below(edges, edge_cells),
        cur_rest.at_or_below(edges, edge_cells),
    )

    merged = _Merged.of(ref_rest, cur_rest, grid)
    area = _settled_area(ref, cur, edge_gap, unsettled) / grid.scale + merged.area(edge_gap, grid)
    return NumericComparison(
        ks_statistic=max(float(np.abs(edge_gap).max()), merged.ks()),
        wasserstein_distance=area,
        psi_edges=edges,
        reference_counts=np.diff(ref_le, prepend=0, append=ref.size),
        current_counts=np.diff(cur_le, prepend=0, append=cur.size),
    )


def _grid(reference: np.ndarray, cells: int) -> _Grid:
    sample = reference[:: max(1, reference.size // GRID_SAMPLE)]
    lo, hi = (float(q) for q in np.quantile(sample, GRID_RANGE))
    scale = cells / (hi - lo) if hi > lo else 0.0
    if not (np.isfinite(scale) and scale > 0):
        scale = float(cells)  # one value dominates: any width is exact, so use [lo, lo + 1)
    return _Grid(base=lo - 1 / scale, scale=scale, cells=cells)


def _count(values: np.ndarray, grid: _Grid) -> _Counted:
    positions = grid.positions(values)
    cells = positions.astype(np.intp)
    counts = np.bincount(cells, minlength=grid.cells + 2)
    return _Counted(
        size=values.size,
        cells=cells,
        counts=counts,
        position_sums=np.bincount(cells, weights=positions, minlength=grid.cells + 2),
        below=_below(counts),
    )


def _below(counts: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(counts)))


def _quantile_ranks(n: int, bins: int) -> np.ndarray:
    """0-based ranks of the inner quantile edges by the inverted empirical CDF: edge i is the
    smallest value with at least i/bins of the window at or below it (integer arithmetic, so
    n = 100 gives ranks 9, 19, ..., 89 with no rounding surprises)."""
    i = np.arange(1, bins)
    return (i * n + bins - 1) // bins - 1


def _unsettled_cells(
    ref: _Counted, cur: _Counted, edge_gap: np.ndarray, forced: np.ndarray
) -> np.ndarray:
    """Cells whose values must be sorted: the counts alone settle neither KS nor the area."""
    low = edge_gap[:-1] - cur.counts / cur.size  # F_left - G_right
    high = edge_gap[:-1] + ref.counts / ref.size  # F_right - G_left
    unsettled = np.maximum(-low, high) > np.abs(edge_gap).max()
    unsettled |= (low < 0) & (high > 0)
    unsettled[[0, -1]] = True  # open cells have no finite width to integrate over
    unsettled[forced] = True
    to_sort: np.ndarray = unsettled & ((ref.counts + cur.counts) > 0)
    return to_sort


def _settled_area(
    ref: _Counted, cur: _Counted, edge_gap: np.ndarray, unsettled: np.ndarray
) -> float:
    """Sum over settled inner cells of |integral of F - G|, in grid positions.

    In cell j (positions [j, j + 1)) the integral of F is F_left + sum(j + 1 - position) / n.
    """
    right = np.arange(1, ref.counts.size + 1)
    integral = edge_gap[:-1] + (right * ref.counts - ref.position_sums) / ref.size
    integral -= (right * cur.counts - cur.position_sums) / cur.size
    return float(np.abs(integral[~unsettled]).sum())


@dataclass(frozen=True)
class _Merged:
    """The unsettled values of both windows in one sorted run, with F - G right of each."""

    values: np.ndarray
    cells: np.ndarray
    gap: np.ndarray

    @classmethod
    def of(cls, ref: _Rest, cur: _Rest, grid: _Grid) -> "_Merged":
        both = np.concatenate((ref.values, cur.values))
        order = np.argsort(both, kind="stable")  # two sorted runs: one linear merge
        values = both[order]
        cells = grid.cell_of(values)
        ref_seen = np.cumsum(order < ref.values.size)
        cur_seen = np.arange(1, values.size + 1) - ref_seen
        gap = (ref.settled_below[cells] + ref_seen) / ref.size
        gap -= (cur.settled_below[cells] + cur_seen) / cur.size
        return cls(values, cells, gap)

    def ks(self) -> float:
        """Largest |F - G| right of a value; ties count only after their last member."""
        last_of_tie = np.append(self.values[1:] != self.values[:-1], True)
        return float(np.abs(self.gap[last_of_tie]).max()) if self.values.size else 0.0

    def area(self, edge_gap: np.ndarray, grid: _Grid) -> float:
        """Integral of |F - G| over the unsettled cells: after each value F - G holds `gap`
        until the next value in the cell or the cell's right edge; before the cell's first
        value it holds its value at the left edge."""
        if not self.values.size:
            return 0.0
        left, right, unit = grid.frames(self.values[0], self.values[-1])
        coordinates = grid.coordinates(self.values, self.cells)
        same_cell = self.cells[1:] == self.cells[:-1]
        end = right[self.cells]
        end[:-1][same_cell] = coordinates[1:][same_cell]
        steps = np.abs(self.gap) * (end - coordinates) * unit[self.cells]
        first = np.append(True, ~same_cell)
        first_cells = self.cells[first]
        leads = np.abs(edge_gap[first_cells]) * (coordinates[first] - left[first_cells])
        return float(steps.sum() + (leads * unit[first_cells]).sum())
