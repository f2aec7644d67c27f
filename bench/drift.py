"""Drift benchmark: 50 numeric and 10 categorical features x 1,000,000 reference and 1,000,000
current rows through `monitoring.stats.drift.compare_frame`, then Evidently's DataDriftPreset on
the same data. Targets: under 3 s on one core, and at least 5x faster than Evidently.

    .venv/bin/python bench/drift.py

One core: the process pins itself to one CPU (os.sched_setaffinity) and sets OMP, OpenBLAS and
MKL to one thread before numpy loads, so neither tool gets a second core. The data is seeded:
numeric columns alternate normal and lognormal, a fifth of them shifted by half a standard
deviation in the current window, a fifth by 2% of one, five with 1% missing values; categorical columns are strings
(object dtype, as a CSV load gives) over 4 to 31 categories, four with changed frequencies and
one with a category the reference never saw. Every statistic is computed (numeric: PSI, KS,
Wasserstein, Jensen-Shannon; categorical: PSI, chi-square, Jensen-Shannon). Evidently needs
the evidently extra (`pip install -e .[evidently]`, already in .venv); it takes minutes at full
size, and `--evidently-rows N` gives it only the first N rows of each window.
Peak RSS is Linux's VmHWM, reset before each tool runs. Not a test: nothing is asserted.
"""

import os

# One core, one thread: numpy and scipy read these when they load.
os.environ.update(
    dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1")
)

import argparse
import math
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from monitoring.stats.drift import FeatureDrift, compare_frame

TARGET_SECONDS = 3.0
TARGET_RATIO = 5.0
MISSING_SHARE = 0.01


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per window")
    parser.add_argument("--numeric", type=int, default=50)
    parser.add_argument("--categorical", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of compare_frame")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--evidently-rows", type=int, help="rows per window given to Evidently (default: --rows)"
    )
    parser.add_argument("--skip-evidently", action="store_true")
    return parser.parse_args()


# --- data -----------------------------------------------------------------------------------


def numeric_column(rng: np.random.Generator, i: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Normal or lognormal; every fifth column shifted by half a standard deviation (of the
    log for lognormal ones), the next one by 2% of it."""
    shift = {0: 0.5, 1: 0.02}.get(i % 5, 0.0)
    if i % 2:
        reference, current = rng.lognormal(0, 0.5, rows), rng.lognormal(0.5 * shift, 0.5, rows)
    else:
        reference, current = rng.normal(10, 2, rows), rng.normal(10 + 2 * shift, 2, rows)
    if i % 10 == 3:
        for window in (reference, current):
            window[rng.random(rows) < MISSING_SHARE] = np.nan
    return reference, current


def categorical_column(
    rng: np.random.Generator, i: int, rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Strings over 4 + 3i categories; every third column shifts, cat_01 gains a category."""
    labels = np.array([f"c{i}_{k}" for k in range(4 + 3 * i)], dtype=object)
    weights = rng.dirichlet(np.full(labels.size, 2.0))
    current_weights = rng.dirichlet(np.full(labels.size, 2.0)) if i % 3 == 0 else weights
    current_labels = labels
    if i == 1:
        current_labels = np.append(labels, f"c{i}_new")
        current_weights = np.append(weights * 0.9, 0.1)
    return (
        rng.choice(labels, size=rows, p=weights),
        rng.choice(current_labels, size=rows, p=current_weights),
    )


def make_windows(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    rng = np.random.default_rng(args.seed)
    reference, current = {}, {}
    for i in range(args.numeric):
        reference[f"num_{i:02d}"], current[f"num_{i:02d}"] = numeric_column(rng, i, args.rows)
    categorical = [f"cat_{i:02d}" for i in range(args.categorical)]
    for i, name in enumerate(categorical):
        reference[name], current[name] = categorical_column(rng, i, args.rows)
    return pd.DataFrame(reference), pd.DataFrame(current), categorical


# --- measuring ------------------------------------------------------------------------------


def reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM, so the next peak is this step's own."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kb) / 1024


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(kb) / 1024


def time_attest(
    reference: pd.DataFrame, current: pd.DataFrame, categorical: list[str], repeat: int
) -> tuple[list[tuple[float, float]], float, list[FeatureDrift]]:
    """Wall and CPU seconds of each run (CPU shows what another process's load added)."""
    times, results = [], []
    reset_peak_rss()
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        results = compare_frame(reference, current, categorical=categorical)
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    return times, peak_rss_mb(), results


def time_evidently(
    reference: pd.DataFrame, current: pd.DataFrame, categorical: list[str]
) -> tuple[float, float, dict[str, float], int]:
    """Seconds, peak RSS, each column's drift score and Evidently's drifted-column count."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    definition = DataDefinition(
        numerical_columns=[c for c in reference.columns if c not in categorical],
        categorical_columns=categorical,
    )
    reset_peak_rss()
    started = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    seconds = time.perf_counter() - started
    metrics = snapshot.dict()["metrics"]
    scores = {
        m["config"]["column"]: float(m["value"])
        for m in metrics
        if m["config"]["type"].endswith("ValueDrift")
    }
    drifted = next(
        int(m["value"]["count"])
        for m in metrics
        if m["config"]["type"].endswith("DriftedColumnsCount")
    )
    return seconds, peak_rss_mb(), scores, drifted


# --- report ---------------------------------------------------------------------------------


def print_attest(
    times: list[float], peak_mb: float, data_mb: float, results: list[FeatureDrift]
) -> None:
    features = Counter(r.kind for r in results)
    print(
        f"\ncompare_frame: {features['numeric']} numeric + {features['categorical']} categorical "
        f"features, all statistics, one core"
    )
    print("  runs (wall / CPU): " + ", ".join(f"{wall:.2f} / {cpu:.2f} s" for wall, cpu in times))
    walls = [wall for wall, _ in times]
    print(f"  median {statistics.median(walls):.2f} s, best {min(walls):.2f} s wall")
    print(f"  peak RSS {peak_mb:,.0f} MB while timing (the two windows alone: {data_mb:,.0f} MB)")
    print("  drifted features, by statistic (numeric / categorical):")
    names = sorted({s.statistic for r in results for s in r.stats})
    for name in names:
        counts = Counter(
            r.kind for r in results for s in r.stats if s.statistic == name and s.drifted
        )
        print(f"    {name:<15} {counts['numeric']:>3} / {counts['categorical']:>3}")
    decided = Counter(r.kind for r in results if r.drifted)
    print(
        f"    feature verdict {decided['numeric']:>3} / {decided['categorical']:>3}   (decided by PSI)"
    )
    unseen = [
        f"{r.feature}: {', '.join(r.unseen_categories)}" for r in results if r.unseen_categories
    ]
    print(f"  unseen categories: {'; '.join(unseen) or 'none'}")


def print_agreement(scores: dict[str, float], results: list[FeatureDrift]) -> None:
    """Evidently scores numeric columns by the normalised Wasserstein distance and categorical
    ones by the Jensen-Shannon distance in natural log (ours is base 2, so scaled here), each
    drifted at 0.1 or more; it fills empty categories with a small share before that."""
    gaps: dict[str, list[float]] = {"numeric": [], "categorical": []}
    same = 0
    for r in results:
        stat = r.stat("wasserstein" if r.kind == "numeric" else "jensen_shannon")
        scale = 1.0 if r.kind == "numeric" else math.sqrt(math.log(2))
        gaps[r.kind].append(abs(scores[r.feature] - stat.value * scale))
        same += (scores[r.feature] >= 0.1) == stat.drifted
    print(
        f"  its scores against ours: largest difference {max(gaps['numeric'], default=0):.1e} "
        f"(Wasserstein), {max(gaps['categorical'], default=0):.1e} (Jensen-Shannon)"
    )
    print(f"  same verdict from those two statistics on {same} of {len(results)} features")


def print_evidently(
    seconds: float,
    peak_mb: float,
    scores: dict[str, float],
    drifted: int,
    attest_seconds: float,
    results: list[FeatureDrift],
    same_rows: bool,
) -> None:
    print(f"\nEvidently DataDriftPreset: {seconds:.1f} s, peak RSS {peak_mb:,.0f} MB")
    print(f"  drifted columns by its own verdict: {drifted}")
    if same_rows:
        print_agreement(scores, results)
    ratio = seconds / attest_seconds
    verdict = "PASS" if ratio >= TARGET_RATIO else "MISS"
    if not same_rows:
        verdict += ", Evidently on fewer rows: not like for like"
    print(f"\nTarget at least {TARGET_RATIO:.0f}x faster than Evidently: {verdict} ({ratio:.1f}x)")


def main() -> None:
    args = parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    started = time.perf_counter()
    reference, current, categorical = make_windows(args)
    data_mb = rss_mb()
    print(
        f"{args.numeric} numeric + {args.categorical} categorical features x {args.rows:,} rows "
        f"per window, generated in {time.perf_counter() - started:.0f} s"
    )
    times, peak_mb, results = time_attest(reference, current, categorical, args.repeat)
    print_attest(times, peak_mb, data_mb, results)
    median = statistics.median(wall for wall, _ in times)
    verdict = "PASS" if median < TARGET_SECONDS else "MISS"
    print(f"\nTarget under {TARGET_SECONDS:.0f} s on one core: {verdict} ({median:.2f} s)")
    if args.skip_evidently:
        return
    rows = args.evidently_rows or args.rows
    seconds, evidently_mb, scores, drifted = time_evidently(
        reference.head(rows), current.head(rows), categorical
    )
    print_evidently(seconds, evidently_mb, scores, drifted, median, results, rows == args.rows)


if __name__ == "__main__":
    main()
