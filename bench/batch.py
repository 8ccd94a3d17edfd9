"""Time ``ragbook batch``: 40 plans on one worker, then on every core, in the same run.

Each plan is the demo plan's tables grown to ``--measures`` measures (half as many actions),
so a file takes long enough that starting workers is not what is measured. Usage::

    python bench/batch.py [--plans 40] [--measures 1000] [--workers N]

The last line is ``batch <plans> plans: <s> s on <n> workers, <x>x one worker``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from ragbook.workbook.batch import default_workers, run_batch
from ragbook.workbook.template import build_plan, save
from recalc import plan_tables  # bench/ is on the path when this runs as a script


def timed_batch(files: list[Path], out: Path, workers: int) -> float:
    out.mkdir()
    start = time.perf_counter()
    lines = run_batch(files, out, workers=workers)
    took = time.perf_counter() - start
    assert all(line.status == "ok" for line in lines), [line.message for line in lines]
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=40)
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        plans = Path(folder) / "plans"
        plans.mkdir()
        first = plans / "council 00.xlsx"
        save(build_plan(plan_tables(args.measures)), first)
        files = [first]
        for number in range(1, args.plans):
            files.append(Path(shutil.copyfile(first, plans / f"council {number:02}.xlsx")))
        one = timed_batch(files, Path(folder) / "one", 1)
        many = timed_batch(files, Path(folder) / "many", args.workers)
        size = first.stat().st_size // 1024
        print(f"  {args.plans} plans of {args.measures} measures ({size} KB each): "
              f"{one:.2f} s on 1 worker")
        print(f"batch {args.plans} plans: {many:.2f} s on {args.workers} workers, "
              f"{one / many:.2f}x one worker")


if __name__ == "__main__":
    main()
