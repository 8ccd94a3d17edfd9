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
from ragbook.cells import cannot_rate
from ragbook.changes import CannotChange, Changes, next_quarter, person, ratings, run_log
from ragbook.excel import book as live_book
from ragbook.excel.live_appendix import render_live
from ragbook.excel.problems_sheet import show_problems
from ragbook.plan import PlanResult, counts_text, rate_plan
from ragbook.problems import Problem
from ragbook.roll_forward import nothing_reported
from ragbook.roll_forward import roll_forward as start_next_quarter

try:  # xlwings Server tells a script who is signed in; xlwings Lite and desktop do not
    from xlwings_server.models import CurrentUser
except ImportError:  # pragma: no cover - outside xlwings Server
    CurrentUser = None

TITLE = "ragbook"


def _steady(button: Callable[..., None]) -> Callable[..., None]:
    """Run a button without the garbage collector's passes: a click makes tens of thousands
    of short-lived objects, freed as it goes, and the passes would add about a tenth to its
    time. Collection carries on as before once the button is done."""

    @functools.wraps(button)
    def run(book: xw.Book, *user: object) -> None:
        was_on = gc.isenabled()
        gc.disable()
        try:
            button(book, *user)
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


def officer(book: xw.Book, user: object = None) -> str:
    """Who the run log names: the officer signed in to xlwings Server (their Entra ID name
    or e-mail, or the name IT gave their access token); the computer's user in desktop
    Excel; "not signed in" when a server asks for no sign-in."""
    if user is not None:
        if getattr(user, "id", None) == "n/a":
            return "not signed in"
        return str(getattr(user, "name", None) or getattr(user, "email", None)
                   or getattr(user, "id", None) or "")
    if live_book._remote(book):
        return "not signed in"
    return person()


def _rated_changes(live: live_book.LivePlan, result: PlanResult, command: str, problems: int,
                   by: str) -> Changes:
    changes = ratings(live, result)
    changes += run_log(live, result, command, problems, live_book.now(), by, live.sheet_names)
    return changes


def _counts(result: PlanResult) -> str:
    return counts_text(result.counts(), zeros=False)


def _cannot(book: xw.Book, problems: list[Problem]) -> None:
    first = "\n".join(p.message for p in problems[:5])
    book.app.alert(f"The plan could not be rated:\n{first}", title=TITLE)


@script
@_steady
def recalculate_rag(book: xw.Book, user: CurrentUser = None) -> None:
    """Rate every action and measure, and write RAG, Direction, Milestone due,
    Milestone check and Why into the plan's tables."""
    live, result, problems = _rate(book)
    if result is None:
        show_problems(book, problems, None)
        _cannot(book, problems)
        return
    try:  # every change is worked out before any is made
        changes = _rated_changes(live, result, "Recalculate RAG", len(problems),
                                 officer(book, user))
    except CannotChange as error:
        raise live_book.refuse(error) from None
    live_book.apply_changes(live, changes)
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
def roll_forward(book: xw.Book, user: CurrentUser = None) -> None:
    """Start the next quarter in this workbook, as ``ragbook roll-forward`` does."""
    live, result, problems = _rate(book)
    if result is None or any(p.severity == "error" for p in problems):
        _cannot(book, [p for p in problems if p.severity == "error"] or problems)
        return
    empty = nothing_reported(result, live.name)
    if empty is not None:
        book.app.alert(f"{live.name} was not rolled forward: {empty.found}. Fill in this "
                       "quarter's statuses and figures first: they become next quarter's "
                       "Previous RAG and Previous actual. (To start the next quarter from an "
                       "empty one, use ragbook roll-forward --force.)", title=TITLE)
        return
    change = start_next_quarter(result, result.plan.history)  # read once, with the plan
    try:
        changes = _rated_changes(live, result, "Roll forward", len(problems),
                                 officer(book, user))
        changes += next_quarter(live, change, live.sheet_names)
    except CannotChange as error:
        raise live_book.refuse(error) from None
    live_book.apply_changes(live, changes)
    book.app.alert(f"Started {change.next.label}: this quarter's ratings are now Previous RAG "
                   "and History keeps them; this quarter's inputs and commentary are cleared.",
                   title=TITLE)
