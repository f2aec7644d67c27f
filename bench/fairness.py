"""Fairness benchmark: figures over 1,000,000 scored cases with 3 sensitive features in under 2 s.

    .venv/bin/python bench/fairness.py          # about a minute, most of it fairlearn's MetricFrame

One process pinned to one CPU, with the BLAS and OpenMP pools at one thread (set before numpy
is imported). It draws seeded cases (sex: 2 values, age_band: 5, region: 8, one of them so small
that some combinations fall under the minimum group size) whose decisions lean against men and
two regions, then times `monitoring.stats.fairness.assess` (each feature and their
intersection) `--repeats` times after one warm-up run, for the sensitive columns as Python
strings (pandas object, as `read_csv` gives them), as pandas `string` (as the file adapter
passes them) and as categoricals. For reference it times fairlearn's `MetricFrame` over the
region alone, with the same five metrics, against `assess` over the region alone, and prints
the largest difference between their figures. Peak RSS (Linux VmHWM, reset before each step)
is printed per step.
Not a test: nothing is asserted.
"""

import os

# One core, one thread: the figures must hold on a small worker, and numpy reads these at import.
os.environ.update(
    dict.fromkeys(
        ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"),
        "1",
    )
)

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fairlearn
import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from monitoring.stats import fairness

TARGET_SECONDS = 2.0
FEATURES = {
    "sex": (["female", "male"], [0.48, 0.52]),
    "age_band": (["18-25", "26-35", "36-50", "51-65", "66+"], [0.12, 0.25, 0.3, 0.23, 0.1]),
    "region": (
        ["north", "south", "east", "west", "centre", "coast", "highlands", "islands"],
        [0.25, 0.2, 0.15, 0.15, 0.1, 0.08, 0.0697, 0.0003],
    ),
}
# Added to the chance of being declined: the disparity the figures should find.
LEAN = {"sex": {"male": 0.04}, "region": {"highlands": 0.08, "islands": 0.12}}
RATES = ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy")
METRICS = {
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "accuracy": accuracy_score,
    "count": count,
}
DTYPES = ("object", "string", "category")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of assess per dtype")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--skip-fairlearn", action="store_true", help="no MetricFrame reference")
    return parser.parse_args()


def pin_to_one_cpu() -> int:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


# --- data -----------------------------------------------------------------------------------


def scored_cases(rows: int, seed: int) -> pd.DataFrame:
    """Seeded cases: labels with a 20% base rate, decisions right 80% of the time plus LEAN."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {name: rng.choice(values, rows, p=p) for name, (values, p) in FEATURES.items()}
    )
    frame["y_true"] = (rng.random(rows) < 0.2).astype(np.int8)
    declined = np.where(frame["y_true"] == 1, 0.8, 0.2)
    for name, lean in LEAN.items():
        declined += frame[name].map(lean).fillna(0.0).to_numpy()
    frame["y_pred"] = (rng.random(rows) < declined).astype(np.int8)
    return frame


def sensitive_as(frame: pd.DataFrame, dtype: str) -> dict[str, pd.Series]:
    return {name: frame[name].astype(dtype) for name in FEATURES}


# --- measurement ----------------------------------------------------------------------------


def reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets this process's VmHWM to its current RSS."""
    Path("/proc/self/clear_refs").write_text("5")


def proc_status_mib(field_name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(run: Callable[[], Any], repeats: int) -> tuple[list[float], Any, float]:
    """Seconds per run (after one warm-up), the last result and the peak RSS (MiB) meanwhile."""
    reset_peak_rss()
    result = run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return times, result, proc_status_mib("VmHWM")


def assess_all(frame: pd.DataFrame, sensitive: dict[str, pd.Series]) -> Callable[[], Any]:
    return lambda: fairness.assess(frame["y_true"], frame["y_pred"], sensitive)


def metric_frame(frame: pd.DataFrame, feature: str) -> Callable[[], MetricFrame]:
    return lambda: MetricFrame(
        metrics=METRICS,
        y_true=frame["y_true"],
        y_pred=frame["y_pred"],
        sensitive_features=frame[feature],
    )


def largest_difference(figures: fairness.FairnessFigures, reference: MetricFrame) -> float:
    expected = reference.by_group
    return max(
        abs(getattr(group, name) - expected.loc[group.group[figures.features[0]], name])
        for group in figures.groups
        for name in (*RATES, "count")
    )


# --- report ---------------------------------------------------------------------------------


def seconds(times: list[float]) -> str:
    return f"best {min(times):.3f} s   median {statistics.median(times):.3f} s"


def report_figures(figures: list[fairness.FairnessFigures]) -> None:
    print("\n  figures found (disparities over the judged groups):")
    for f in figures:
        d = f.disparities
        print(
            f"    {' x '.join(f.features):<26} groups {f.groups_judged:>2} judged "
            f"{f.groups_excluded:>2} excluded   DP diff {figure(d.demographic_parity_difference)}   "
            f"DP ratio {figure(d.demographic_parity_ratio)}   "
            f"EO diff {figure(d.equalized_odds_difference)}   "
            f"four-fifths {verdict(d.four_fifths_passed)}"
        )


def figure(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[passed]


def main() -> None:
    args = parse_args()
    cpu = pin_to_one_cpu()
    frame = scored_cases(args.rows, args.seed)
    levels = {name: frame[name].nunique() for name in FEATURES}
    print(
        f"Fairness over {args.rows:,} cases, {len(FEATURES)} sensitive features "
        f"({', '.join(f'{n} {k}' for n, k in levels.items())}; "
        f"{len(frame.groupby(list(FEATURES)).size())} combinations present)"
    )
    print(
        f"  pinned to CPU {cpu}, BLAS/OpenMP threads 1; numpy {np.__version__}, "
        f"pandas {pd.__version__}, fairlearn {fairlearn.__version__}; "
        f"RSS with the data loaded {proc_status_mib('VmRSS'):,.0f} MiB"
    )
    print(f"\n  assess (3 features + their intersection), {args.repeats} runs after a warm-up:")
    medians, figures = {}, []
    for dtype in DTYPES:
        sensitive = sensitive_as(frame, dtype)
        times, figures, peak = timed(assess_all(frame, sensitive), args.repeats)
        medians[dtype] = statistics.median(times)
        print(f"    sensitive as {dtype:<9} {seconds(times)}   peak RSS {peak:,.0f} MiB")
    report_figures(figures)

    if not args.skip_fairlearn:
        region = {"region": frame["region"]}
        ours, (figures_one,), _ = timed(
            lambda: fairness.assess(frame["y_true"], frame["y_pred"], region), args.repeats
        )
        theirs, reference, peak = timed(metric_frame(frame, "region"), 1)
        print(
            f"\n  region alone: fairlearn MetricFrame (5 metrics) {seconds(theirs)}, "
            f"peak RSS {peak:,.0f} MiB; assess {seconds(ours)}: "
            f"{statistics.median(theirs) / statistics.median(ours):.0f}x faster"
        )
        print(
            f"  largest difference from MetricFrame's figures: "
            f"{largest_difference(figures_one, reference):.1e}"
        )

    slowest = max(medians, key=medians.__getitem__)
    print(
        f"\nTarget under {TARGET_SECONDS:.0f} s: {verdict(medians[slowest] < TARGET_SECONDS)} "
        f"(slowest median {medians[slowest]:.3f} s, sensitive as {slowest})"
    )


if __name__ == "__main__":
    main()
