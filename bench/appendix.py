"""Time building the quarterly appendix: the ``ragbook appendix`` library call.

For the committed demo plan (82 actions, 36 measures) and for a large plan (2,000
actions and 500 measures, the demo's repeated: see :func:`large_plan_tables`), times
``make_appendix``: read the plan, rate it, lay the appendix out, render it with
openpyxl and save it. Best of ``--runs``. Usage::

    python bench/appendix.py [--actions 2000] [--measures 500] [--runs 3]

For the demo it also times what is published: the web page (``write_html``) and the
tagged PDF printed from it (``write_pdf``, WeasyPrint), and prints
``demo published: xlsx <s> s + HTML <s> s = <s> s; tagged PDF <s> s``.

Prints a line per plan, then ``appendix <rows> rows: <seconds> s`` for the demo and,
as the last line, for the large plan (rows: of the appendix workbook, all sheets).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd

from ragbook.appendix.publish import write_html, write_pdf
from ragbook.appendix.theme import Theme
from ragbook.workbook.operations import AppendixMade, make_appendix
from ragbook.workbook.template import build_plan, save
from recalc import plan_tables  # bench/ is on the path when this runs as a script

ROOT = Path(__file__).resolve().parents[1]
DEMO_PLAN = ROOT / "workbook_templates" / "demo_plan_2018-19_Q1.xlsx"


def large_plan_tables(actions: int = 2000, measures: int = 500) -> dict[str, pd.DataFrame]:
    """The demo plan's tables with its actions and measures repeated to the sizes asked
    for (unique refs ``1.1`` ... and ``M1.1`` ..., spread over the four outcomes)."""
    tables = plan_tables(max(measures, 2 * actions))
    tables["actions"] = tables["actions"].head(actions).copy()
    tables["measures"] = tables["measures"].head(measures).copy()
    return tables


def write_large_plan(path: Path, actions: int = 2000, measures: int = 500) -> Path:
    """A plan workbook of ``actions`` actions and ``measures`` measures at ``path``."""
    save(build_plan(large_plan_tables(actions, measures)), path)
    return path


def appendix_rows(path: Path) -> int:
    """Rows of an appendix workbook, all sheets together."""
    book = openpyxl.load_workbook(path)
    try:
        return sum(sheet.max_row for sheet in book.worksheets)
    finally:
        book.close()


def time_appendix(plan: Path, folder: Path, runs: int) -> tuple[float, AppendixMade, Path]:
    """Best of ``runs`` seconds for ``make_appendix`` on a fresh copy of ``plan`` each time."""
    best = float("inf")
    made: AppendixMade | None = None
    out = folder / f"{plan.stem} appendix.xlsx"
    for run in range(runs):
        copy = folder / f"run{run}_{plan.name}"
        shutil.copyfile(plan, copy)
        start = time.perf_counter()
        made = make_appendix(copy, out=out)
        best = min(best, time.perf_counter() - start)
        if made.appendix is None:
            raise SystemExit(f"{plan.name}: no appendix ({len(made.problems)} problems)")
    assert made is not None
    return best, made, out


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def time_published(made: AppendixMade, folder: Path, runs: int) -> tuple[float, float]:
    """The web page's and the tagged PDF's times for an appendix already built."""
    assert made.appendix is not None
    appendix = made.appendix
    theme = Theme.from_settings(made.workbook.settings)
    html = best_of(runs, lambda: write_html(appendix, theme, folder / "appendix.html"))
    pdf = best_of(runs, lambda: write_pdf(appendix, theme, folder / "appendix.pdf"))
    return html, pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--measures", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    last_lines = []
    with tempfile.TemporaryDirectory(prefix="ragbook-bench-") as name:
        folder = Path(name)
        large = write_large_plan(folder / "large_plan.xlsx", args.actions, args.measures)
        for label, plan in (("demo plan", DEMO_PLAN), ("large plan", large)):
            seconds, made, out = time_appendix(plan, folder, args.runs)
            assert made.result is not None and made.appendix is not None
            rows = appendix_rows(out)
            kb = out.stat().st_size // 1024
            print(f"  {label}: {len(made.result.actions.table)} actions, "
                  f"{len(made.result.measures.table)} measures -> {rows} rows, "
                  f"{made.appendix.pages} pages, {kb} KB; best of {args.runs}: {seconds:.2f} s")
            last_lines.append(f"appendix {rows} rows: {seconds:.2f} s")
            if label == "demo plan":
                html, pdf = time_published(made, folder, args.runs)
                print(f"  demo published: xlsx {seconds:.2f} s + HTML {html:.2f} s = "
                      f"{seconds + html:.2f} s; tagged PDF {pdf:.2f} s")
    print("\n".join(last_lines))


if __name__ == "__main__":
    main()
