"""The plan in the workbook open in Excel: read through xlwings, written back as actions.

The add-in sends the workbook's values (not its formatting) and each Excel
Table's address. The tables are read with the same rules as the file route
(:mod:`ragbook.cells`), so a plan gets the same ratings and the same
problems at the same cells whichever way it is rated. What this route cannot
see: number formats (a value typed as an Excel percentage, 72%, arrives as
0.72, so a percentage measure must be typed as points with Unit ``%`` or as
percentages throughout), merged cells, and formulas (Excel sends their
results, so "a formula with no saved result" cannot happen here).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from ragbook import schema
from ragbook.cells import (
    ERRORS,
    PlanTables,
    TableGrid,
    map_headers,
    missing_table,
    plan_from_frames,
    table_frame,
)
from ragbook.changes import CannotChange, CellValues, Changes, Copied, NewRows, NewTable
from ragbook.problems import Problem
from ragbook.ratings import fold, is_blank

RAG_COLOURS = {rating: f"#{colour}" for rating, colour in schema.RAG_FILLS.items()}
_FILLS = {rating: xw.utils.rgb_to_int(bytes.fromhex(colour))
          for rating, colour in schema.RAG_FILLS.items()}
"""The fills as xlwings' colour numbers, which it takes fastest."""
FONT_COLOURS = {rating: f"#{colour}" for rating, colour in schema.RAG_FONTS.items()}


@dataclass
class LiveTable(TableGrid):
    """A plan table in the open workbook, and the xlwings objects to write to."""

    xl_sheet: Any = field(default=None, kw_only=True)
    xl_table: Any = field(default=None, kw_only=True)
    rows: list[list[object]] = field(default_factory=list, kw_only=True)
    """The data rows' values as sent (the first is ``first_row``)."""
    totals: bool = field(default=False, kw_only=True)
    """The table shows a Total Row (below ``last_row``)."""

    def cell(self, row: int, column: str) -> object:
        """A data cell's value as sent, by worksheet row and schema column."""
        position = self.columns.get(column)
        return None if position is None else self.cell_at(row, position)

    def cell_at(self, row: int, column: int) -> object:
        """A data cell's value as sent, by worksheet row and column number."""
        if not 0 <= row - self.first_row < len(self.rows):
            return None
        values = self.rows[row - self.first_row]
        offset = column - self.first_column
        return values[offset] if 0 <= offset < len(values) else None


@dataclass
class LivePlan(PlanTables[LiveTable]):
    """The open workbook's plan: its tables, the plan read from them, and the problems."""

    book: xw.Book = field(kw_only=True)

    @property
    def name(self) -> str:
        return str(self.book.name)

    def frame(self, table: LiveTable) -> pd.DataFrame:
        numbers = range(table.first_row, table.first_row + len(table.rows))
        return table_frame(table, numbers, table.rows, [])

    def cell_value(self, table: LiveTable, row: int, column: int) -> object:
        if (table.first_column <= column <= table.last_column
                and table.first_row <= row <= table.last_row):
            return table.cell_at(row, column)
        sheet = table.xl_sheet
        if _remote(self.book):  # the sheet's values from A1, as the add-in sent them
            values = sheet.api["values"]
            if row <= len(values) and values and column <= len(values[0]):
                value = values[row - 1][column - 1]
                return None if value == "" else value
            return None
        return sheet.range((row, column)).value

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]


def _rows(values: Any) -> list[list[object]]:
    """A table's values as rows, however many rows and columns it has."""
    if not isinstance(values, list):
        return [[values]]
    if values and not isinstance(values[0], list):
        return [values]
    return values


_SENT_DATE = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?$")
"""How the add-in sends a date cell (``2018-06-30T00:00:00.000Z``)."""


def _sent_date(text: str) -> object:
    """A text cell that may be a date as sent."""
    if _SENT_DATE.match(text):
        try:
            return datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=None)
        except ValueError:  # text shaped like a date that is not one (month 13): text
            return text
    return text


def _remote(book: xw.Book) -> bool:
    """True for xlwings Server and xlwings Lite, whose workbook arrives as JSON."""
    return bool(book.app.engine.type == "remote")


def read_values(cells: xw.Range) -> list[list[object]]:
    """A range's values as rows: blank cells as None, dates as datetimes, Excel errors as
    their text (``#N/A``).

    The add-in's payload is read as sent (xlwings' own conversion costs more than the
    rating); desktop Excel's values go through xlwings' conversion.
    """
    if not _remote(cells.sheet.book):
        return _rows(cells.options(ndim=2, err_to_str=True).value)
    return [[((value if value[10:11] != "T" else _sent_date(value)) if value else None)
             if type(value) is str else value for value in row]
            for row in cells.raw_value]


def write_values(sheet: xw.Sheet, row: int, column: int, rows: list[list[object]]) -> None:
    """Write a block of values (each blank, text, a number, a date or TRUE/FALSE) with its
    top-left cell at ``row``, ``column``. Every value ragbook writes into the open workbook
    comes through here, so text is written as text: it never becomes a formula.

    Excel reads what it is given as if typed, so text it would turn into a formula, a
    number, a date, TRUE/FALSE or an error value (:func:`safe_text`) goes into a cell
    formatted as Text (``@``) first. A leading apostrophe would not do: in a cell that is
    already Text, Excel keeps the apostrophe as part of the text."""
    if not rows or not rows[0]:
        return
    cells = sheet.range((row, column), (row + len(rows) - 1, column + len(rows[0]) - 1))
    protected = [(r, c) for r, line in enumerate(rows) for c, value in enumerate(line)
                 if type(value) is str and safe_text(value) is not value]
    for first, last, offset in _column_runs(protected):
        sheet.range((row + first, column + offset),
                    (row + last, column + offset)).number_format = "@"
    if not _remote(sheet.book):
        cells.value = rows
        return
    cells.raw_value = [[value if type(value) is str else _to_send(value) for value in line]
                       for line in rows]


def _column_runs(cells: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(first row, last row, column) of each run of consecutive cells down a column."""
    runs: list[tuple[int, int, int]] = []
    for r, c in sorted(cells, key=lambda cell: (cell[1], cell[0])):
        if runs and runs[-1][2] == c and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r, c)
        else:
            runs.append((r, r, c))
    return runs


def _to_send(value: object) -> object:
    """A value as the add-in expects it: dates as ISO text, blanks as empty text."""
    if isinstance(value, np.generic):
        value = _cell_value(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.replace(tzinfo=None, microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _data_extent(sheet: xw.Sheet) -> tuple[int, int]:
    """How many rows and columns of the sheet hold anything (from A1)."""
    if _remote(sheet.book):
        values = sheet.api["values"]  # the used range from A1, as the add-in sends it
        return len(values), len(values[0]) if values else 0
    last = sheet.used_range.last_cell
    return last.row, last.column


def _read_table(spec: schema.Table, sheet: xw.Sheet, table: Any,
                problems: list[Problem]) -> LiveTable:
    """A table's header and data rows, read only as far as the sheet holds anything (a table
    formatted over whole columns reaches row 1,048,576)."""
    whole = table.range
    top, left = whole.row, whole.column
    height, width = whole.shape
    totals = bool(table.show_totals)
    end_row, end_column = top + height - 1 - totals, left + width - 1
    rows, columns = _data_extent(sheet)
    bottom, right = min(end_row, rows), min(end_column, columns)
    if top <= rows and left <= columns:
        values = read_values(sheet.range((top, left), (max(top, bottom), right)))
    else:  # the whole table lies beyond the sheet's data: its header is blank
        values = [[None]]
    grid = LiveTable(spec, sheet.name, top, left, left + len(values[0]) - 1, top + 1,
                     top + len(values) - 1, end_row=end_row, end_column=end_column,
                     xl_sheet=sheet, xl_table=table, rows=values[1:], totals=totals)
    map_headers(grid, values[0], problems)
    return grid


def read_book(book: xw.Book, *, as_of: date | None = None) -> LivePlan:
    """Read the plan's tables from the open workbook."""
    problems: list[Problem] = []
    available = {fold(table.name): (sheet, table)
                 for sheet in book.sheets for table in sheet.tables}
    tables: dict[str, LiveTable] = {}
    for spec in schema.ALL_TABLES:
        hit = available.get(fold(spec.name))
        if hit is None:
            if spec in schema.PLAN_TABLES:
                tables_on: dict[str, list[str]] = {}
                for sheet_name, found in available.values():
                    tables_on.setdefault(sheet_name.name, []).append(found.name)
                problems.append(missing_table(spec, [s.name for s in book.sheets], tables_on)
                                .at(book.name))
            continue
        sheet, table = hit
        tables[spec.name] = _read_table(spec, sheet, table, problems)
    frames = {}
    for spec in schema.READ_TABLES:
        if spec.name in tables:
            grid = tables[spec.name]
            numbers = range(grid.first_row, grid.first_row + len(grid.rows))
            frames[spec.name] = table_frame(grid, numbers, grid.rows, problems)
    plan, settings = plan_from_frames(frames, problems, as_of)
    live = LivePlan(tables, plan, [], settings, book=book)
    if plan is not None:
        plan.history = live.history()
    live.problems = live.locate(problems)
    return live


_CONVERTED = re.compile(
    r"^\s*(?:[-+]?[£$€]?\s*(?:[\d,]*\.?\d+|\d[\d,]*\.)(?:[eE][-+]?\d+)?\s*%?"  # 1.1, 1,000, 0., 50%
    r"|\d{1,4}[/-]\d{1,2}(?:[/-]\d{1,4})?"  # 31/03/2019, 1/2, 2019-03
    r"|\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?"  # 12:30, 9:05 am
    r"|true|false)\s*$", re.IGNORECASE)


_CONVERTED_ENDS = frozenset("0123456789%.eEmM")
"""The last characters, spaces aside, that text matching ``_CONVERTED`` can have (most text
is not looked at)."""


def safe_text(value: object) -> object:
    """Text as Excel keeps it: text that Excel would turn into a formula, a number, a date or
    a TRUE/FALSE (``=SUM``, ``1.10``, ``31/03/2019``) gets a leading apostrophe, so it stays
    exactly as written; so does text that Excel would read as an error value (``#N/A``), and
    text starting with an apostrophe, which Excel would take for the prefix."""
    if isinstance(value, str) and (value[:1] in ("=", "+", "-", "@", "'") or (
            ((end := value[-1:]) in _CONVERTED_ENDS
             or (end.isspace() and value.rstrip()[-1:] in _CONVERTED_ENDS))
            and _CONVERTED.match(value)) or (
            value.lstrip()[:1] == "#" and value.strip().upper() in ERRORS)):
        return "'" + value
    return value


SET_COLORS_LIMIT = 10_000
"""The most cells xlwings colours in one call."""


def _runs(rows: Sequence[int], longest: int | None = None) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) runs, each at most ``longest`` rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1 and (
                longest is None or row - runs[-1][0] < longest):
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _adjacent(columns: list[tuple[int, schema.Column]]) -> list[list[tuple[int, schema.Column]]]:
    """Columns next to each other on the sheet, grouped."""
    groups: list[list[tuple[int, schema.Column]]] = []
    for position, column in columns:
        if groups and groups[-1][-1][0] == position - 1:
            groups[-1].append((position, column))
        else:
            groups.append([(position, column)])
    return groups


_AS_IS = (float, int, bool, date, datetime)


def _cell_value(value: object) -> object:
    """A rating table's value as its cell should hold it (blanks as empty text)."""
    if isinstance(value, str):
        return value if value.strip() else ""
    kind = type(value)
    if kind is float:
        return "" if value != value else value  # NaN is not equal to itself
    if kind in _AS_IS:
        return value
    if is_blank(value):
        return ""
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):  # numpy's numbers and booleans, as Python's
        return _cell_value(value.item())
    if isinstance(value, _AS_IS):
        return value
    return str(value)


def _paint(table: LiveTable, column: int, rows: list[int], ratings: list[object]) -> None:
    """Colour RAG cells: the fills of a run of rows in one action, bold letters in black,
    and white letters on red."""
    texts = {row: "" if is_blank(r) else str(r) for row, r in zip(rows, ratings, strict=True)}
    sheet = table.xl_sheet
    for first, last in _runs(rows, SET_COLORS_LIMIT):
        cells = sheet.range((first, column), (last, column))
        cells.set_colors([[_FILLS.get(texts[row])] for row in range(first, last + 1)])
        cells.font.color = "#000000"
        cells.font.bold = False
    lettered = [row for row in rows if texts[row] in RAG_COLOURS]  # bold, as the file route
    for first, last in _runs(lettered):
        sheet.range((first, column), (last, column)).font.bold = True
    white = [row for row in lettered if FONT_COLOURS[texts[row]] != "#000000"]
    for first, last in _runs(white):
        sheet.range((first, column), (last, column)).font.color = FONT_COLOURS["R"]


def now() -> datetime:
    """The time a run is logged at (tests fix it to compare runs)."""
    return datetime.now().replace(microsecond=0)


# --- carrying a list of changes out in the open workbook ----------------------------------------


def apply_changes(live: LivePlan, changes: Changes) -> None:
    """Carry out the changes :mod:`ragbook.changes` worked out, as the file route does:
    columns added to tables, cells written with their look, rows added to ragbook's tables,
    and tables made on new sheets.

    Every range costs the remote engine a pass over the whole sheet, so neighbouring
    columns with the same rows are written together, one block per run of rows.
    """
    for column in changes.columns:
        table = live.tables[column.table]
        write_values(table.xl_sheet, column.header_row, column.column, [[column.header]])
        table.xl_table.resize(table.xl_sheet.range((column.header_row, table.first_column),
                                                   (column.last_row, column.column)))
    for group in _side_by_side(changes.cells):
        _write_cells(live, group)
    for rows in changes.rows:
        _write_rows(live, rows)
    for new in changes.tables:
        _add_table(live, new)


def _side_by_side(cells: list[CellValues]) -> list[list[CellValues]]:
    """Changes to neighbouring columns of one table over the same rows, grouped."""
    groups: list[list[CellValues]] = []
    for change in cells:
        last = groups[-1][-1] if groups else None
        if (last is not None and last.table == change.table
                and last.column == change.column - 1 and last.values.keys() ==
                change.values.keys()):
            groups[-1].append(change)
        else:
            groups.append([change])
    return groups


def _write_cells(live: LivePlan, group: list[CellValues]) -> None:
    table = live.tables[group[0].table]
    rows = list(group[0].values)
    shown = [[_cell_value(table.cell_at(row, value.column)) if isinstance(value, Copied)
              else _cell_value(value) for row, value in change.values.items()]
             for change in group]
    at = {row: index for index, row in enumerate(rows)}
    for first, last in _runs(sorted(rows)):
        block = [[values[at[row]] for values in shown] for row in range(first, last + 1)]
        write_values(table.xl_sheet, first, group[0].column, block)
    for change, values in zip(group, shown, strict=True):
        _give_look(table, change.column, rows, values, change.look, change.number_format)


def _give_look(table: LiveTable, column: int, rows: list[int], values: list[object],
               look: str, number_format: str | None) -> None:
    sheet = table.xl_sheet
    if number_format is not None:
        for first, last in _runs(sorted(rows)):
            sheet.range((first, column), (last, column)).number_format = number_format
    if look == "rating":
        _paint(table, column, rows, values)
    elif look == "wrap":
        for first, last in _runs(sorted(rows)):
            sheet.range((first, column), (last, column)).wrap_text = True
    elif look == "number":
        numbers = [row for row, value in zip(rows, values, strict=True)
                   if type(value) in (int, float)]
        for first, last in _runs(numbers):
            sheet.range((first, column), (last, column)).number_format = "General"


def _write_rows(live: LivePlan, rows: NewRows) -> None:
    """Rows at the end of one of ragbook's tables (the table grows to hold them)."""
    table = live.tables[rows.table]
    sheet = table.xl_sheet
    last = rows.first_row + len(rows.rows) - 1
    if rows.grows_to is not None:
        table.xl_table.resize(sheet.range((rows.header_row, rows.first_column),
                                          (rows.grows_to, rows.end_column)))
    block = [[_cell_value(value) for value in values] for values in rows.rows]
    write_values(sheet, rows.first_row, rows.first_column, block)
    for offset, (look, number_format) in enumerate(rows.looks):
        column = rows.first_column + offset
        if number_format is not None:
            sheet.range((rows.first_row, column), (last, column)).number_format = number_format
        if look == "wrap":
            sheet.range((rows.first_row, column), (last, column)).wrap_text = True
    width = table.last_column - table.first_column + 1
    start = rows.first_row - table.first_row
    while len(table.rows) < start:
        table.rows.append([None] * width)
    table.rows[start:start + len(block)] = [line[:width] for line in block]
    table.last_row = table.first_row + len(table.rows) - 1


def _add_table(live: LivePlan, new: NewTable) -> None:
    """One of ragbook's tables on a new sheet at the end of the workbook."""
    book = live.book
    sheet = book.sheets.add(new.sheet, after=book.sheets[len(book.sheets) - 1])
    block: list[list[object]] = [list(new.headers)]
    block += [[_cell_value(value) for value in values] for values in new.rows]
    write_values(sheet, 1, 1, block)
    whole = sheet.range((1, 1), (len(block), len(new.headers)))
    sheet.tables.add(source=whole, name=new.table, has_headers=True,
                     table_style_name="TableStyleMedium2")
    sheet.range((1, 1), (1, len(new.headers))).font.bold = True
    for column, ((look, number_format), width) in enumerate(
            zip(new.looks, new.widths, strict=True), start=1):
        cells = sheet.range((2, column), (max(2, len(block)), column))
        if number_format is not None:
            cells.number_format = number_format
        if look == "wrap":
            cells.wrap_text = True
        sheet.range((1, column)).column_width = width


def refuse(error: CannotChange) -> xw.XlwingsError:
    """A change that cannot be made, as the message Excel shows (nothing was changed: the
    changes are worked out before any is sent)."""
    return xw.XlwingsError(error.problem.message)
