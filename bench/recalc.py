"""Time ``recalc`` against the floor: a plain openpyxl load and save of the same file.

Builds plans of 1,000 and 10,000 measures (and a proportionate number of
actions), then, in the same run, times the ``ragbook recalc`` library call and a
bare ``openpyxl.load_workbook`` + ``save``. Usage::

    python bench/recalc.py [--sizes 1000 10000] [--runs 3]

The last line is ``recalc <N> measures: <seconds> s, <ratio>x the load+save floor``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from ragbook.demo import load_demo_plan
from ragbook.workbook.operations import recalculate
from ragbook.workbook.template import build_plan, save

MILESTONE_FORMS = ("By {month} {year}", "From {month} {year}", "Start in {month} {year}",
                   "Ongoing until {month} {year}", "From end of {month} {year}",
                   "By Sept {year} By {month} {later}")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def plan_tables(measures: int, seed: int = 7, actions: int | None = None
                ) -> dict[str, pd.DataFrame]:
    """The demo plan, with its actions and measures repeated up to the size asked for
    (half as many actions as measures unless told).

    Repeated rows get their own figures and milestones (in the seed's wording, with other
    months and years), so a large plan is not the same few rows read again and again.
    """
    demo = load_demo_plan()
    rng = np.random.default_rng(seed)
    tables = dict(demo)
    sizes = (("measures", measures),
             ("actions", max(measures // 2, 1) if actions is None else actions))
    for name, size in sizes:
        base = demo[name]
        repeats = -(-size // len(base))
        frame = pd.concat([base] * repeats, ignore_index=True).head(size).copy()
        frame["Ref"] = [f"{'M' if name == 'measures' else ''}{i // 100 + 1}.{i % 100 + 1}"
                        for i in range(size)]
        frame["Outcome"] = [str(i // 100 % 4 + 1) for i in range(size)]
        if name == "measures":
            actual = pd.to_numeric(frame["Actual"], errors="coerce")
            jitter = rng.normal(1.0, 0.05, size)
            frame["Actual"] = np.where(actual.notna(), np.round(actual * jitter, 2), np.nan)
        else:
            forms = rng.integers(len(MILESTONE_FORMS), size=size)
            months = rng.integers(len(MONTHS), size=size)
            years = rng.integers(2018, 2021, size=size)
            milestones = [MILESTONE_FORMS[f].format(month=MONTHS[m], year=y, later=y + 1)
                          for f, m, y in zip(forms, months, years, strict=True)]
            frame["Milestone"] = list(base["Milestone"]) + milestones[len(base):] \
                if size > len(base) else frame["Milestone"]
        tables[name] = frame
    return tables


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def floor(path: Path, out: Path) -> None:
    book = openpyxl.load_workbook(path)
    book.save(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            source = Path(folder) / f"plan_{size}.xlsx"
            save(build_plan(plan_tables(size)), source)
            work = Path(folder) / f"work_{size}.xlsx"
            recalc_s, floor_s = [], []
            copy = Path(folder) / "floor.xlsx"
            for _ in range(args.runs):
                shutil.copyfile(source, work)
                floor_s.append(timed(lambda w=work, c=copy: floor(w, c)))
                shutil.copyfile(source, work)
                recalc_s.append(timed(lambda w=work: recalculate(w, backup=False)))
            best, base = min(recalc_s), min(floor_s)
            kb = source.stat().st_size // 1024
            print(f"  {size} measures, {size // 2} actions, {kb} KB: load+save floor "
                  f"{base:.2f} s, best of {args.runs}")
            print(f"recalc {size} measures: {best:.2f} s, {best / base:.2f}x the load+save floor")


if __name__ == "__main__":
    main()
