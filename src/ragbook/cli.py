"""The ``ragbook`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from ragbook import __version__
from ragbook.action_table import rate_actions
from ragbook.measure_table import rate_measures


def demo(args: argparse.Namespace) -> int:
    """Rate the bundled demo plan (Q1 2018/19) and print every rating and arrow.

    Example: ragbook demo
    """
    from ragbook.demo import demo_period, load_demo_plan

    tables = load_demo_plan()
    period = demo_period(tables)
    actions = rate_actions(tables["actions"], period)
    measures = rate_measures(tables["measures"], period=period)
    print(f"Demo plan: {period.progress_title} ({period.label})\n")
    for title, source, rated, extra in (
        ("Actions", tables["actions"], actions, ["Milestone check"]),
        ("Key outcome indicators", tables["measures"], measures, []),
    ):
        shown = pd.concat([source[["Ref"]], rated.table[["RAG", "Direction", *extra]]], axis=1)
        shown["Why"] = rated.table["Why"].str.slice(0, 90)
        print(f"{title}: {len(shown)}, by rating {rated.counts()}")
        print(shown.to_string(index=False, max_colwidth=90), "\n")
    problems = actions.problems + measures.problems
    print(f"{len(problems)} problem(s)")
    for item in problems:
        print(f"  {item}")
    return 1 if any(p.severity == "error" for p in problems) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ragbook",
        description="RAG (red/amber/green) ratings for council delivery plans.")
    parser.add_argument("--version", action="version", version=f"ragbook {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, handler in (("demo", demo),):
        doc = (handler.__doc__ or "").strip()
        sub = commands.add_parser(name, help=doc.splitlines()[0], description=doc,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.set_defaults(handler=handler)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except BrokenPipeError:  # output piped into head, less...
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
