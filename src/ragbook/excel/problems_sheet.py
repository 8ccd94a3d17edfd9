"""The Problems sheet the Check milestones button writes: a list the officer works down.

Each problem names its cell and links to it; the cell itself is highlighted
(the fill Excel calls "Bad"). The next check first clears the highlights the
last one made (the Problems sheet remembers where they were), so a fixed cell
does not stay red. Below the problems come the milestone report and the
red, amber or declining items the commentary does not mention.
"""

from __future__ import annotations

import re

import xlwings as xw

from ragbook.excel.book import safe_text, write_values
from ragbook.plan import PlanResult
from ragbook.problems import Problem

SHEET = "Problems"
HIGHLIGHT = "#FFC7CE"
HEADER = ["Place", "Item", "Found", "Expected", "Severity"]
_CELL = re.compile(r"^(?:'((?:[^']|'')+)'|([^!']+))!(\$?[A-Z]{1,3}\$?\d+)$")


def single_cell(place: str) -> tuple[str, str] | None:
    """``("Measures", "Q5")`` for a place that is one cell (not a row or a file)."""
    match = _CELL.match(place)
    if not match:
        return None
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    return sheet, match.group(3).replace("$", "")


def _sheet(book: xw.Book) -> xw.Sheet:
    names = [sheet.name for sheet in book.sheets]
    if SHEET in names:
        sheet = book.sheets[SHEET]
        _clear_highlights(book, sheet, names)
        sheet.clear_contents()
        return sheet
    return book.sheets.add(SHEET, after=book.sheets[len(names) - 1])


def _clear_highlights(book: xw.Book, sheet: xw.Sheet, names: list[str]) -> None:
    values = sheet.used_range.options(ndim=2).value or []
    for row in values[1:]:
        place = single_cell(str(row[0] or "")) if row else None
        if place and place[0] in names:
            book.sheets[place[0]].range(place[1]).color = None


def show_problems(book: xw.Book, problems: list[Problem], result: PlanResult | None) -> None:
    """Write the Problems sheet, and highlight each problem's cell."""
    sheet = _sheet(book)
    names = [s.name for s in book.sheets]
    rows: list[list[object]] = [list(HEADER)]
    rows += [[p.place, p.item, p.found, p.expected, p.severity]
             for p in problems]
    if not problems:
        rows.append(["", "No problems found.", "", "", ""])
    if result is not None:
        rows += [[""] * 5, ["Milestones", "Ref", "Milestone", "Detail", ""]]
        rows += [[m.check, m.ref, m.milestone, m.detail, ""] for m in result.milestones] or [
            ["Nothing overdue, due this quarter or due next quarter.", "", "", "", ""]]
        rows += [[""] * 5, ["Not in the commentary", "Ref", "Rating", "Where", ""]]
        rows += [["Red, amber or declining", e.ref, e.reason,
                  e.supporting_outcome or f"outcome {e.outcome} indicators", ""]
                 for e in result.uncommented]
    write_values(sheet, 1, 1, rows)
    sheet.range("A1:E1").font.bold = True
    for column, width in zip("ABCDE", (110, 120, 180, 360, 60), strict=True):
        sheet.range(f"{column}:{column}").column_width = width
    for number, problem in enumerate(problems, start=2):
        cell = single_cell(problem.place)
        if cell and cell[0] in names:
            sheet.range((number, 1)).add_hyperlink(
                f"#{problem.place}", text_to_display=str(safe_text(problem.place)),
                screen_tip="Go to the cell")
            book.sheets[cell[0]].range(cell[1]).color = HIGHLIGHT
    sheet.activate()
