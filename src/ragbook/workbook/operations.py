"""What ragbook does to a plan workbook file: recalculate it, or check it.

These are the library functions behind the command line (and batch runs):
each reads the file, rates the plan with the pure engine, and either reports
or writes, keeping the workbook promise: a failed run leaves the file as it
was, byte for byte; a successful one changes only ragbook's cells; anything
openpyxl would lose sends the result to a new file instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from ragbook.appendix.build import SHEET_NAMES, build_appendix
from ragbook.appendix.layout import Appendix
from ragbook.appendix.publish import write_html, write_pdf
from ragbook.appendix.render_file import render
from ragbook.appendix.render_html import render_html
from ragbook.appendix.theme import Theme
from ragbook.cells import cannot_rate
from ragbook.changes import CannotChange, Changes, next_quarter, person, ratings, run_log
from ragbook.export import item_rows
from ragbook.pdf import PdfError
from ragbook.plan import PlanResult, rate_plan
from ragbook.problems import Problem
from ragbook.roll_forward import nothing_reported, roll_forward
from ragbook.workbook.files import (
    ChangedOnDisk,
    PlanFileError,
    load_options,
    open_check,
    replace_atomically,
    write_check,
    write_new,
)
from ragbook.workbook.locking import holding
from ragbook.workbook.losses import Loss, describe_losses, scan_losses
from ragbook.workbook.package import apply
from ragbook.workbook.reader import PlanWorkbook, open_plan
from ragbook.workbook.time_limit import time_limit


class BadRequest(ValueError):
    """Options that cannot work together (the command line's exit status 2)."""


@dataclass
class Checked:
    """A plan read and rated, with every problem placed at its ``Sheet!Cell``."""

    workbook: PlanWorkbook
    result: PlanResult | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class Recalculated(Checked):
    """What ``recalc`` did: where it wrote, the backup it kept, and whether the plan was saved
    by another program while ragbook worked (then the results went to a new file)."""

    written_to: Path | None = None
    backup: Path | None = None
    changed_on_disk: bool = False


def check(path: Path, *, as_of: date | None = None, seconds: float | None = None) -> Checked:
    """Read and rate a plan without writing anything, within ``seconds`` (no limit: None)."""
    with time_limit(seconds, path):
        workbook = open_plan(path, as_of=as_of)
        if workbook.plan is None or cannot_rate(workbook.problems):
            return Checked(workbook, None, workbook.problems)
        result = rate_plan(workbook.plan)
        return Checked(workbook, result, workbook.problems + workbook.locate(result.problems))


def new_file_for(path: Path) -> Path:
    """Where results go when the plan was saved by another program meanwhile:
    ``PLAN (recalculated).xlsx``, or ``PLAN (recalculated 2).xlsx`` and so on when that is
    taken (never over another file)."""
    number = 1
    while True:
        label = "recalculated" if number == 1 else f"recalculated {number}"
        candidate = path.with_name(f"{path.stem} ({label}){path.suffix}")
        if not candidate.exists():
            return candidate
        number += 1


def _refuse_existing(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise BadRequest(f"{out} already exists: ragbook does not write over a file without "
                         "--force (or give --out a new name)")


def _rated_changes(workbook: PlanWorkbook, result: PlanResult, command: str, problems: int,
                   when: datetime | None) -> Changes:
    """The ratings and the run log's row, as the add-in writes them too."""
    try:
        changes = ratings(workbook, result)
        changes += run_log(workbook, result, command, problems, when, person(),
                           workbook.sheet_names)
    except CannotChange as error:
        raise PlanFileError(error.problem) from None
    return changes


def _changed(workbook: PlanWorkbook, changes: Changes) -> Callable[[Path], None]:
    """Carry the changes out in the plan's parts (once, before any file is written: a change
    that cannot be made stops the run here) and give what saves them to a file."""
    try:
        apply(changes, workbook.package)
    except CannotChange as error:
        raise PlanFileError(error.problem) from None
    return workbook.package.save


def _save_in_place(done: Recalculated | AppendixMade, write: Callable[[Path], None],
                   backup: bool) -> None:
    """Replace the plan with its changed parts; if another program saved the plan since it
    was read, leave it and write a new file instead."""
    workbook = done.workbook
    try:
        done.backup = replace_atomically(workbook.path, write, backup=backup,
                                         unchanged=workbook.fingerprint or None)
        done.written_to = workbook.path
    except ChangedOnDisk:
        done.changed_on_disk = True
        done.written_to = new_file_for(workbook.path)
        write_new(done.written_to, write, source=workbook.path)


def recalculate(path: Path, *, out: Path | None = None, as_of: date | None = None,
                backup: bool = True, command: str = "recalc", when: datetime | None = None,
                seconds: float | None = None, force: bool = False) -> Recalculated:
    """Rate a plan and write the results into the workbook (or into ``out``, which must
    not exist without ``force``), holding ragbook's lock on the file written while it
    works. Only ragbook's cells change: every other part of the file stays as it was."""
    if out is not None and out.suffix.lower() != path.suffix.lower():
        raise BadRequest(f"--out must be a {path.suffix} file like the plan, not {out.name}")
    with holding(out or path, command):
        if out is None:
            write_check(path)
        else:
            _refuse_existing(out, force)
        checked = check(path, as_of=as_of, seconds=seconds)
        done = Recalculated(checked.workbook, checked.result, checked.problems)
        if checked.result is None:
            return done
        changes = _rated_changes(checked.workbook, checked.result, command,
                                 len(checked.problems), when)
        write = _changed(checked.workbook, changes)
        if out is None:
            _save_in_place(done, write, backup)
        else:
            write_new(out, write, source=path)
            done.written_to = out
        return done


def saved_elsewhere_message(done: Recalculated | AppendixMade) -> str:
    """Why the results went to a new file, for the officer."""
    if done.changed_on_disk:
        return (f"{done.workbook.path.name} was saved by another program while ragbook was "
                f"working on it, so it was left as that program saved it and the results were "
                f"written to {done.written_to}.")
    assert isinstance(done, AppendixMade)
    return (f"{done.workbook.path.name} holds things ragbook cannot keep when it adds the "
            f"appendix sheets ({describe_losses(done.losses)}), so it was left as it was and "
            f"the results were written to {done.written_to}.")


def roll_forward_file(path: Path, out: Path, *, as_of: date | None = None,
                      seconds: float | None = None, force: bool = False) -> Recalculated:
    """Rate the plan's quarter, then write the next quarter's plan to ``out`` (a copy of the
    plan with the changes made; ``out`` must not exist without ``force``).

    The original is never changed. Refuses (no file written) when the plan has
    errors, because their ratings would be carried into the next quarter.
    """
    if out.suffix.lower() != path.suffix.lower():
        raise BadRequest(f"--out must be a {path.suffix} file like the plan, not {out.name}")
    with holding(out, "roll-forward"):
        _refuse_existing(out, force)
        checked = check(path, as_of=as_of, seconds=seconds)
        done = Recalculated(checked.workbook, checked.result, checked.problems)
        if checked.result is None or checked.errors:
            return done
        empty = nothing_reported(checked.result, path.name)
        if empty is not None and not force:
            done.problems.append(empty)
            return done
        workbook = checked.workbook
        change = roll_forward(checked.result, checked.result.plan.history)  # read once
        changes = _rated_changes(workbook, checked.result, "roll-forward",
                                 len(checked.problems), None)
        try:
            changes += next_quarter(workbook, change, workbook.sheet_names)
        except CannotChange as error:
            raise PlanFileError(error.problem) from None
        write_new(out, _changed(workbook, changes), source=path)
        done.written_to = out
        return done


def export_rows(path: Path, *, as_of: date | None = None,
                seconds: float | None = None) -> tuple[Checked, list[dict[str, Any]]]:
    """Every action and measure of a plan, rated, as plain rows, each with the number of
    the plan's problems at its row (none when the plan cannot be rated)."""
    checked = check(path, as_of=as_of, seconds=seconds)
    return checked, item_rows(checked.result, checked.problems) if checked.result else []


@dataclass
class BatchLine:
    """One file of a batch run."""

    file: Path
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: int = 0
    output: Path | None = None
    message: str = ""
    errors: int = 0


PLAN_SUFFIXES = (".xlsx", ".xlsm")


def plan_files(folder: Path) -> list[Path]:
    """The workbooks in a folder that may be plans (not Excel lock files or ragbook's own)."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in PLAN_SUFFIXES
                  and not p.name.startswith(("~$", ".")) and ".backup" not in p.name
                  and "(recalculated)" not in p.name)


def batch_one(path: Path, out_dir: Path, as_of: date | None = None) -> BatchLine:
    """Recalculate one plan into ``out_dir``; a failure becomes the line's message."""
    try:
        done = recalculate(path, out=out_dir / path.name, as_of=as_of, command="batch",
                           force=True)
    except PlanFileError as error:
        return BatchLine(path, "failed", message=str(error))
    except Exception as error:  # one bad file never stops the batch
        return BatchLine(path, "failed", message=f"{type(error).__name__}: {error}")
    if done.result is None:
        first = done.errors[0].message if done.errors else "could not be read"
        return BatchLine(path, "failed", problems=len(done.problems), message=first,
                         errors=len(done.errors))
    status = "problems" if done.problems else "ok"
    return BatchLine(path, status, done.result.counts(), len(done.problems), done.written_to,
                     done.problems[0].message if done.problems else "", len(done.errors))


@dataclass
class AppendixMade(Checked):
    """What ``appendix`` wrote."""

    appendix: Appendix | None = None
    written_to: Path | None = None
    backup: Path | None = None
    theme: Theme | None = None
    html: Path | None = None
    """The web page, when asked for (``PLAN appendix.html``)."""
    pdf: Path | None = None
    """The tagged PDF, when asked for and WeasyPrint could make it."""
    pdf_error: str = ""
    """Why the PDF asked for could not be made (WeasyPrint missing), and what to do."""
    losses: list[Loss] = field(default_factory=list)
    changed_on_disk: bool = False


def appendix_file_for(path: Path) -> Path:
    """The default appendix name: ``PLAN appendix.xlsx`` beside the plan."""
    return path.with_name(f"{path.stem} appendix.xlsx")


def make_appendix(path: Path, *, out: Path | None = None, into_plan: bool = False,
                  as_of: date | None = None, seconds: float | None = None,
                  html: bool = False, pdf: bool = False) -> AppendixMade:
    """Build the quarterly appendix from a plan.

    The plan is recalculated first (in memory), so the appendix always shows
    the ratings ``recalc`` gives. With ``into_plan`` the appendix sheets are
    added to (or replaced in) the plan itself, together with the recalculated
    ratings, under the same promise as ``recalc``; otherwise a new workbook is
    written. Either way ragbook's lock is held on the file written.

    ``html`` and ``pdf`` also write what the council publishes, beside the appendix
    (``PLAN appendix.html``, ``PLAN appendix.pdf``, also with ``into_plan``): the web page
    and the tagged PDF printed from it, without the Officer's checklist.
    """
    made = _appendix_workbook(path, out=out, into_plan=into_plan, as_of=as_of,
                              seconds=seconds)
    if (html or pdf) and made.appendix is not None and made.written_to is not None:
        published = appendix_file_for(path) if into_plan else made.written_to
        _publish(made, published, html=html, pdf=pdf)
    return made


def _publish(made: AppendixMade, appendix: Path, *, html: bool, pdf: bool) -> None:
    assert made.appendix is not None and made.theme is not None
    page = render_html(made.appendix, made.theme)
    if html:
        made.html = write_html(made.appendix, made.theme, appendix.with_suffix(".html"),
                               page=page)
    if pdf:
        try:
            made.pdf = write_pdf(made.appendix, made.theme, appendix.with_suffix(".pdf"),
                                 page=page)
        except PdfError as error:
            made.pdf_error = str(error)


def _appendix_workbook(path: Path, *, out: Path | None, into_plan: bool, as_of: date | None,
                       seconds: float | None) -> AppendixMade:
    """The appendix workbook: a new file, or sheets in the plan (see make_appendix)."""
    if not into_plan and out is not None and out.suffix.lower() != ".xlsx":
        raise BadRequest(f"the appendix is an .xlsx workbook, not {out.name}")
    target = path if into_plan else out or appendix_file_for(path)
    with holding(target, "appendix"):
        if into_plan:
            write_check(path)
        checked = check(path, as_of=as_of, seconds=seconds)
        made = AppendixMade(checked.workbook, checked.result, checked.problems)
        if checked.result is None:
            return made
        theme = made.theme = Theme.from_settings(checked.workbook.settings)
        made.appendix = build_appendix(checked.result, theme, checked.problems,
                                       link_problems=into_plan)
        if not into_plan:
            book = render(made.appendix, theme)
            book.properties.title = made.appendix.title
            book.properties.subject = made.appendix.period
            book.properties.creator = "ragbook"
            write_new(target, book.save, source=path)
            made.written_to = target
            return made
        # The appendix's own sheets are replaced whole, so what they hold (its chart) is kept.
        made.losses = [loss for loss in scan_losses(path) if loss.where not in SHEET_NAMES]
        workbook = checked.workbook
        changes = _rated_changes(workbook, checked.result, "appendix", len(checked.problems),
                                 None)
        rated = _changed(workbook, changes)
        appendix = made.appendix

        def write(target: Path) -> None:
            rated(target)  # the ratings and the run log, then the sheets drawn by openpyxl
            with target.open("rb") as file:
                book = load_workbook(file, **load_options(open_check(path)))
            for stale in set(SHEET_NAMES) - {sheet.name for sheet in appendix.sheets}:
                if stale in book.sheetnames:
                    book.remove(book[stale])
            render(appendix, theme, book)
            book.save(target)

        if made.losses:
            made.written_to = new_file_for(path)
            write_new(made.written_to, write, source=path)
        else:
            _save_in_place(made, write, backup=True)
        return made
