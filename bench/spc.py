"""Time Making Data Count's icons for many measures: all at once, against one at a time.

In the same run: ``ragbook.spc_many`` over 10,000 measures of 20 figures each (one pass over
a 2-D array), and a plain loop calling ``ragbook.spc`` for each measure; the two must give
the same icons. Every twentieth figure is missing, as real series have gaps. Usage::

    python bench/spc.py [--measures 10000] [--points 20] [--runs 3]

The last line is ``spc <N> measures: <s> s, <N>x faster than per-measure``.
"""

from __future__ import annotations

import argparse
import random
import time

from ragbook import spc, spc_many

POLARITIES = ("Higher is better", "Lower is better", "Within range")


def series(measures: int, points: int, seed: int = 7) -> list[list[float | None]]:
    """Figures that drift and jump now and then, so that every rule fires somewhere."""
    chance = random.Random(seed)
    made = []
    for _ in range(measures):
        level = chance.uniform(20, 80)
        spread = chance.uniform(0.5, 5)
        row: list[float | None] = []
        for number in range(points):
            if chance.random() < 0.1:
                level += chance.choice((-1, 1)) * spread * 3
            value = round(level + chance.gauss(0, spread), 2)
            row.append(None if number % 20 == 13 else value)
        made.append(row)
    return made


def best(runs: int, work) -> float:
    fastest = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = series(args.measures, args.points)
    polarities = [POLARITIES[i % 3] for i in range(args.measures)]
    targets = [(40.0, 60.0) if p == "Within range" else 50.0 for p in polarities]

    def together():
        return spc_many(rows, polarities, targets)

    def one_by_one():
        return [spc(row, polarity, target=target)
                for row, polarity, target in zip(rows, polarities, targets, strict=True)]

    icons = [(r.variation, r.assurance) for r in together()]
    assert icons == [(r.variation, r.assurance) for r in one_by_one()], "the two disagree"
    fast = best(args.runs, together)
    slow = best(args.runs, one_by_one)
    kinds = sorted({variation for variation, _ in icons})
    print(f"  {args.measures} measures of {args.points} figures, best of {args.runs}; "
          f"variation icons seen: {', '.join(kinds)}")
    print(f"  one at a time: {slow:.2f} s")
    print(f"spc {args.measures} measures: {fast:.2f} s, {slow / fast:.0f}x faster than "
          "per-measure")


if __name__ == "__main__":
    main()
