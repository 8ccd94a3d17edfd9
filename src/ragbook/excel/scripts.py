"""The add-in's buttons: Recalculate RAG, Check milestones, Build appendix, Roll forward.

Each is an xlwings script: it gets the open workbook, runs the same engine as
``ragbook recalc`` (and the same layout as ``ragbook appendix``), and answers
with the changes for Excel to make, plus a short summary for the officer.
The same functions run in xlwings Server and in xlwings Lite.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable

import xlwings as xw
from xlwings.server import script

from ragbook.appendix.build import SHEET_NAMES
from ragbook.appendix.build import build_appendix as build_appendix_layout
from ragbook.appendix.theme import Theme
from ragbook.excel import book as live_book
from ragbook.excel.live_appendix import render_live
from ragbook.excel.problems_sheet import show_problems
from ragbook.plan import PlanResult, rate_plan
from ragbook.problems import Problem
from ragbook.roll_forward import roll_forward as next_quarter
from ragbook.workbook import schema
from ragbook.workbook.cells import cannot_rate

TITLE = "ragbook"


def _steady(button: Callable[[xw.Book], None]) -> Callable[[xw.Book], None]:
    """Run a button without the garbage collector's passes: a click makes tens of thousands
    of short-lived objects, freed as it goes, and the passes would add about a tenth to its
    time. Collection carries on as before once the button is done."""

    @functools.wraps(button)
    def run(book: xw.Book) -> None:
        was_on = gc.isenabled()
        gc.disable()
        try:
            button(book)
        finally:
            if was_on:
                gc.enable()

    return run


def _rate(book: xw.Book) -> tuple[live_book.LivePlan, PlanResult | None, list[Problem]]:
    live = live_book.read_book(book)
    if live.plan is None or cannot_rate(live.problems):
        return live, None, live.problems
    result = rate_plan(live.plan)
    return live, result, live.problems + live.locate(result.problems)


def _counts(result: PlanResult) -> str:
    return ", ".join(f"{name} {count}" for name, count in result.counts().items() if count)


def _cannot(book: xw.Book, problems: list[Problem]) -> None:
    first = "\n".join(p.message for p in problems[:5])
    book.app.alert(f"The plan could not be rated:\n{first}", title=TITLE)


@script
@_steady
def recalculate_rag(book: xw.Book) -> None:
    """Rate every action and measure, and write RAG, Direction, Milestone due,
    Milestone check and Why into the plan's tables."""
    live, result, problems = _rate(book)
    if result is None:
        show_problems(book, problems, None)
        _cannot(book, problems)
        return
    live_book.check_room(live.tables.get(schema.RUN_LOG.name))
    live_book.write_results(live, result)
    live_book.add_run_log(live, result, "Recalculate RAG", len(problems))
    period = result.plan.settings.period
    summary = (f"Rated {len(result.actions.table)} actions and {len(result.measures.table)} "
               f"measures for {period.label}: {_counts(result)}.")
    if problems:
        summary += f"\n{len(problems)} problem(s): click Check milestones to see them."
    book.app.alert(summary, title=TITLE)


@script
@_steady
def check_milestones(book: xw.Book) -> None:
    """The milestone report and the plan's problems, on a Problems sheet the officer can
    work down (each problem linked to its cell, and the cell highlighted)."""
    _, result, problems = _rate(book)
    show_problems(book, problems, result)
    if result is None:
        _cannot(book, problems)
        return
    due = len(result.milestones)
    book.app.alert(f"{len(problems)} problem(s) and {due} milestone item(s): see the Problems "
                   "sheet.", title=TITLE)


@script
@_steady
def build_appendix(book: xw.Book) -> None:
    """The quarterly appendix sheets, built into this workbook from the same layout as
    ``ragbook appendix``."""
    live, result, problems = _rate(book)
    if result is None:
        _cannot(book, problems)
        return
    theme = Theme.from_settings(live.settings)
    appendix = build_appendix_layout(result, theme, problems)
    render_live(book, appendix, theme, replace=SHEET_NAMES)
    book.app.alert(f"Built the appendix: {', '.join(s.name for s in appendix.sheets)} "
                   f"(about {appendix.pages} pages). Page setup (A4 landscape, one page wide, "
                   "header and footer) is set by ragbook appendix on the file; in Excel, set it "
                   "under Page Layout before printing.", title=TITLE)


@script
@_steady
def roll_forward(book: xw.Book) -> None:
    """Start the next quarter in this workbook, as ``ragbook roll-forward`` does."""
    live, result, problems = _rate(book)
    if result is None or any(p.severity == "error" for p in problems):
        _cannot(book, [p for p in problems if p.severity == "error"] or problems)
        return
    change = next_quarter(result, live.history())
    live_book.check_room(live.tables.get(schema.RUN_LOG.name),
                         live.tables.get(schema.HISTORY.name))
    live_book.write_results(live, result)
    live_book.apply_roll_forward(live, change)
    live_book.add_run_log(live, result, "Roll forward", len(problems))
    book.app.alert(f"Started {change.next.label}: this quarter's ratings are now Previous RAG "
                   "and History keeps them; this quarter's inputs and commentary are cleared.",
                   title=TITLE)
