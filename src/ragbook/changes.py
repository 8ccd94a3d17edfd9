"""What a run changes in a plan workbook, worked out once, as data.

Recalculate, roll forward and the run log are computed here from the plan read through the
shared table rules (:mod:`ragbook.cells`): these cells of this table get these values and
this look, these rows go at the end of the Run log or History, this column is added to a
table, this table is made on a new sheet. Two small appliers carry the list out: one edits
the workbook file's own parts (:mod:`ragbook.workbook.package`), one turns it into xlwings
actions for the workbook open in Excel (:mod:`ragbook.excel.book`). So both routes change
the same cells in the same way, and text is written as text on both (it never becomes a
formula).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from ragbook import __version__, schema
from ragbook.cells import PlanTables, TableGrid, total_row
from ragbook.plan import PlanResult
from ragbook.problems import Problem, SheetRow, cell_name, problem, sheet_ref
from ragbook.ratings import fold, is_blank
from ragbook.roll_forward import CopyFrom, RollForward

Look = Literal["plain", "rating", "wrap", "number"]
"""How a changed cell looks: as it was (``plain``); a RAG rating's colours, bold and centred
(``rating``: none for a blank, No data or n/a); text wrapped at the top of the cell
(``wrap``); a number in the General format, other values as they were (``number``)."""


class CannotChange(Exception):
    """A change that cannot be made without writing over an officer's cells; nothing was
    changed. ``problem`` says where and what to do."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.message)
        self.problem = found

    def __str__(self) -> str:
        return self.problem.message


@dataclass(frozen=True)
class Copied:
    """The value (and number format) of another cell of the same row, as it is."""

    column: int


@dataclass
class CellValues:
    """Cells of one column of a table: worksheet row -> value (None clears the cell's value;
    :class:`Copied` copies another cell of the row)."""

    sheet: str
    table: str
    header: str
    column: int
    values: dict[int, object]
    look: Look = "plain"
    number_format: str | None = None


@dataclass
class NewColumn:
    """A ragbook column added at a table's right-hand end (the cells there are empty)."""

    sheet: str
    table: str
    header: str
    column: int
    header_row: int
    last_row: int
    """The table's last row, a Total Row included."""


@dataclass
class NewRows:
    """Rows written below the last filled row of one of ragbook's tables; ``grows_to`` is
    the table's new last row when the rows go past its end."""

    sheet: str
    table: str
    first_row: int
    first_column: int
    rows: list[list[object]]
    looks: list[tuple[Look, str | None]]
    """Each column's look and number format."""
    header_row: int
    end_column: int
    grows_to: int | None = None


@dataclass
class NewTable:
    """One of ragbook's tables (the Run log, History) made on a new sheet, with its rows."""

    sheet: str
    table: str
    headers: list[str]
    widths: list[float]
    rows: list[list[object]]
    looks: list[tuple[Look, str | None]]


@dataclass
class Changes:
    """Everything one run changes, in the order it is to be done."""

    columns: list[NewColumn] = field(default_factory=list)
    cells: list[CellValues] = field(default_factory=list)
    rows: list[NewRows] = field(default_factory=list)
    tables: list[NewTable] = field(default_factory=list)

    def __iadd__(self, other: Changes) -> Changes:
        self.columns += other.columns
        self.cells += other.cells
        self.rows += other.rows
        self.tables += other.tables
        return self

    def sheets(self) -> set[str]:
        """The sheets whose cells change (new sheets left out)."""
        return {c.sheet for c in self.columns} | {c.sheet for c in self.cells} | {
            r.sheet for r in self.rows}


# --- the ratings ------------------------------------------------------------------------------


def _output_look(column: schema.Column) -> tuple[Look, str | None]:
    if column.kind == "rating":
        return "rating", None
    if column.kind == "date":
        return "plain", schema.NUMBER_FORMATS["date"]
    if column.kind == "long text":
        return "wrap", None
    return "plain", None


def _shown(value: object, column: schema.Column) -> object:
    """An output as its cell holds it: a date, or text (blank as None)."""
    if column.kind == "date":
        return value if isinstance(value, date) else None
    return None if is_blank(value) else str(value)


def ratings(tables: PlanTables[Any], result: PlanResult) -> Changes:
    """RAG, Direction, Milestone due, Milestone check and Why for every action and measure,
    a column added at the table's end where one is missing."""
    changes = Changes()
    for spec, rated in ((schema.ACTIONS, result.actions), (schema.MEASURES, result.measures)):
        grid = tables.tables.get(spec.name)
        if grid is None or rated.table.empty:
            continue
        rows = [label.number for label in rated.table.index]
        for column in spec.outputs:
            if column.name not in grid.columns:
                changes.columns.append(_new_column(tables, grid, column.name))
            look, number_format = _output_look(column)
            values = rated.table[column.name].tolist()
            changes.cells.append(CellValues(
                grid.sheet, spec.name, column.name, grid.columns[column.name],
                {row: _shown(value, column) for row, value in zip(rows, values, strict=True)},
                look, number_format))
    return changes


def _new_column(tables: PlanTables[Any], grid: TableGrid, name: str) -> NewColumn:
    """Room for a ragbook column at the table's right-hand end, or CannotChange."""
    column = grid.end_column + 1
    last = grid.end_row + (1 if grid.totals else 0)
    for row in range(grid.header_row, min(last, grid.last_row + 1) + 1):  # below: blank
        value = tables.cell_value(grid, row, column)
        if not is_blank(value):
            raise CannotChange(problem(
                "no-room-for-column", value,
                f'an empty column to the right of {grid.spec.name} for ragbook\'s "{name}" '
                "column: add the column to the table yourself, or move what is there",
            ).at(f"{sheet_ref(grid.sheet)}!{cell_name(row, column)}"))
    grid.columns[name] = grid.end_column = grid.last_column = column
    return NewColumn(grid.sheet, grid.spec.name, name, column, grid.header_row, last)


# --- rows on ragbook's own tables ---------------------------------------------------------------


def _row_looks(spec: schema.Table) -> list[tuple[Look, str | None]]:
    return [("wrap" if c.kind == "long text" else "plain", schema.NUMBER_FORMATS.get(c.kind))
            for c in spec.columns]


def add_rows(tables: PlanTables[Any], spec: schema.Table,
             rows: list[list[object]], taken: Iterable[str] = ()) -> Changes:
    """Rows (in the schema's column order) below the last filled row of ragbook's table
    ``spec``; the table is made on a new sheet when the workbook has none."""
    changes = Changes()
    if not rows:
        return changes
    grid = tables.tables.get(spec.name)
    if grid is None:
        changes.tables.append(NewTable(_free_sheet_name(spec.sheet, taken), spec.name,
                                       list(spec.headers), [c.width for c in spec.columns],
                                       rows, _row_looks(spec)))
        return changes
    if grid.totals:
        raise CannotChange(total_row(grid))
    first = grid.next_row(lambda number: any(
        not is_blank(tables.cell_value(grid, number, column))
        for column in range(grid.first_column, grid.last_column + 1)))
    last = first + len(rows) - 1
    for row in range(max(first, grid.end_row + 1), last + 1):  # below the table: free rows
        for column in range(grid.first_column, grid.last_column + 1):
            value = tables.cell_value(grid, row, column)
            if not is_blank(value):
                raise CannotChange(problem(
                    "no-room-for-row", value,
                    f"an empty row below {spec.name} for ragbook to add to it",
                ).at(f"{sheet_ref(grid.sheet)}!{cell_name(row, column)}"))
    width = grid.last_column - grid.first_column + 1  # as far as the table holds anything
    by_position = {grid.columns[name] - grid.first_column: index
                   for index, name in enumerate(spec.headers) if name in grid.columns}
    looks = _row_looks(spec)
    block = [[values[by_position[i]] if i in by_position else None for i in range(width)]
             for values in rows]
    changes.rows.append(NewRows(
        grid.sheet, spec.name, first, grid.first_column, block,
        [looks[by_position[i]] if i in by_position else ("plain", None) for i in range(width)],
        grid.header_row, grid.end_column, last if last > grid.end_row else None))
    grid.last_row = max(grid.last_row, last)
    grid.end_row = max(grid.end_row, last)
    return changes


def _free_sheet_name(wanted: str, taken: Iterable[str]) -> str:
    names = {fold(name) for name in taken}
    title, suffix = wanted, 2
    while fold(title) in names:
        title, suffix = f"{wanted} {suffix}", suffix + 1
    return title


def person() -> str:
    """Who runs ragbook on this computer (the file route's run log)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def run_log_row(result: PlanResult, command: str, problems: int, when: datetime | None,
                by: str) -> list[object]:
    """A run-log row, in the Run log table's column order (both routes log the same)."""
    counts = result.counts()
    period = result.plan.settings.period
    return [(when or datetime.now()).replace(microsecond=0), command, period.as_of,
            period.label, len(result.actions.table), len(result.measures.table), counts["R"],
            counts["A"], counts["G"], counts["No data"], counts["n/a"], counts["Not rated"],
            problems, by,
            __version__]


def run_log(tables: PlanTables[Any], result: PlanResult, command: str, problems: int,
            when: datetime | None, by: str, taken: Iterable[str]) -> Changes:
    """This run's row at the end of the Run log (made on a new sheet when there is none; a
    column it lacks, from an older ragbook, is added at its end)."""
    changes = Changes()
    grid = tables.tables.get(schema.RUN_LOG.name)
    if grid is not None and not grid.totals:
        for name in schema.RUN_LOG.headers:
            if name not in grid.columns:
                changes.columns.append(_new_column(tables, grid, name))
    changes += add_rows(tables, schema.RUN_LOG,
                        [run_log_row(result, command, problems, when, by)], taken)
    return changes


# --- the next quarter -------------------------------------------------------------------------


def next_quarter(tables: PlanTables[Any], change: RollForward,
                 taken: Iterable[str]) -> Changes:
    """The next quarter's starting point: Settings moved on, this quarter's inputs cleared,
    actuals carried to Previous actual, and the quarter kept in History."""
    changes = Changes()
    settings = tables.tables[schema.SETTINGS.name]
    if "Value" in settings.columns:
        values: dict[int, object] = {}
        for row in range(settings.first_row, settings.last_row + 1):
            name = tables.cell_value(settings, row, settings.columns["Setting"])
            for setting, value in change.settings.items():
                if not is_blank(name) and fold(name) == fold(setting):
                    values[row] = value
        changes.cells.append(CellValues(settings.sheet, schema.SETTINGS.name, "Value",
                                        settings.columns["Value"], values))
    for spec, rows in ((schema.ACTIONS, change.actions), (schema.MEASURES, change.measures),
                       (schema.COMMENTARY, change.commentary)):
        grid = tables.tables.get(spec.name)
        if grid is None:
            continue
        by_column: dict[str, dict[int, object]] = {}
        for label, cells in rows.items():
            assert isinstance(label, SheetRow)
            for name, value in cells.items():
                if isinstance(value, CopyFrom):
                    source = grid.columns.get(value.column)
                    value = None if source is None else Copied(source)
                by_column.setdefault(name, {})[label.number] = value
        for name, values in by_column.items():
            if name in grid.columns:
                look: Look = "rating" if name == "RAG" else "number"
                changes.cells.append(CellValues(grid.sheet, spec.name, name, grid.columns[name],
                                                values, look))
    changes += add_rows(tables, schema.HISTORY, change.history, taken)
    return changes
