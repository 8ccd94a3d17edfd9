"""Rate a million measures with the table engine and with a per-row loop, in one run.

Both must give identical ratings and arrows; the table engine should be at least
20x faster and take under half a second. Usage::

    python bench/rating.py [--rows 1000000]

The last line is ``rating <N> measures: <seconds> s, <ratio>x faster than per-row``.
Choice columns (Polarity, Tolerance, Compare with) are pandas categoricals, as
an analyst would hold a million-row table. Explanations (``Why``) are written
separately and timed on their own line.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from ragbook import ReportingPeriod, measure_direction, rate_measure, rate_measures

PERIOD = ReportingPeriod.of("2018/19", "Q2")


def build(rows: int, seed: int = 2018) -> pd.DataFrame:
    """A plan-shaped table: mixed polarities, profiles, ranges, missing actuals."""
    rng = np.random.default_rng(seed)
    polarity = rng.choice(["Higher is better", "Lower is better", "Within range"], rows,
                          p=[0.5, 0.4, 0.1])
    target = np.round(rng.uniform(10, 1000, rows), 1)
    actual = np.round(target * rng.normal(1.0, 0.12, rows), 2)
    actual[rng.random(rows) < 0.05] = np.nan
    previous = np.round(actual * rng.normal(1.0, 0.05, rows), 2)
    previous[rng.random(rows) < 0.05] = np.nan
    in_range = polarity == "Within range"
    low = np.where(in_range, np.round(target * 0.9, 1), np.nan)
    high = np.where(in_range, np.round(target * 1.1, 1), np.nan)
    amber = np.where(rng.random(rows) < 0.2, 0.02, np.nan)
    red = np.where(rng.random(rows) < 0.2, 0.2, np.nan)
    profile = rng.choice(["Whole year", "Per quarter", "Year to date"], rows, p=[0.8, 0.1, 0.1])
    tolerance = rng.choice(["Relative", "Absolute"], rows, p=[0.9, 0.1])
    absolute = tolerance == "Absolute"
    amber = np.where(absolute, 5.0, amber)
    red = np.where(absolute, 20.0, red)
    band = np.where(rng.random(rows) < 0.3, 0.01, np.nan)
    return pd.DataFrame({
        "Polarity": pd.Categorical(polarity),
        "Tolerance": pd.Categorical(tolerance),
        "Target profile": pd.Categorical(profile),
        "Target": np.where(in_range, np.nan, target),
        "Range low": low, "Range high": high,
        "Amber threshold": amber, "Red threshold": red,
        "Actual": actual, "Previous actual": previous, "Change band": band,
        "Compare with": pd.Categorical(np.full(rows, "Previous quarter")),
    })


def blank(value: float) -> float | None:
    return None if value != value else value


def per_row(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The plain loop: one call of the one-measure rules per row."""
    rags, arrows = [], []
    for row in frame.itertuples(index=False):
        polarity, tolerance, profile, target, low, high, amber, red, actual, previous, band, \
            compare = row
        rating = rate_measure(actual, target, polarity, range_low=low, range_high=high,
                              tolerance=tolerance, amber=amber, red=red,
                              target_profile=profile, period=PERIOD)
        rags.append(rating.rag)
        direction = measure_direction(blank(actual), blank(previous), polarity,
                                      band=0.0 if band != band else band, tolerance=tolerance,
                                      compare_with=compare, range_low=blank(low),
                                      range_high=blank(high))
        arrows.append(direction.arrow)
    return rags, arrows


def best_of(runs: int, work):
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    frame = build(rows)

    engine_s, rated = best_of(3, lambda: rate_measures(frame, period=PERIOD, explain=False))
    loop_s, (rags, arrows) = best_of(1, lambda: per_row(frame))
    mismatched = int((rated.table["RAG"].to_numpy() != np.array(rags, dtype=object)).sum()
                     + (rated.table["Direction"].to_numpy()
                        != np.array(arrows, dtype=object)).sum())
    if mismatched or rated.problems:
        raise SystemExit(f"engine and per-row loop disagree on {mismatched} values "
                         f"({len(rated.problems)} problems)")
    sample = frame.head(100_000)
    explain_s, _ = best_of(1, lambda: rate_measures(sample, period=PERIOD, explain=True))

    counts = rated.table["RAG"].value_counts().to_dict()
    print(f"ratings: {counts}; identical in both runs")
    print(f"per-row loop {rows} measures: {loop_s:.2f} s")
    print(f"with explanations, {len(sample)} measures: {explain_s:.2f} s")
    print(f"rating {rows} measures: {engine_s:.3f} s, {loop_s / engine_s:.0f}x faster than "
          "per-row")


if __name__ == "__main__":
    main()
