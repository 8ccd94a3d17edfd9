"""Reading a plan's tables from cells, whichever way the cells arrived.

The file reader (openpyxl) and the Excel add-in (the xlwings payload) both
hand over each table as a header row and rows of ``(value, number format)``
pairs; the rules here turn them into the frames the rating engine reads, with
every problem at its ``Sheet!Cell``. One set of rules, so both routes give the
same problems in the same places.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

import pandas as pd

from ragbook import schema
from ragbook.plan import Plan, read_settings
from ragbook.problems import Problem, SheetRow, column_letter, locate, sheet_ref
from ragbook.ratings import fold, is_blank

VALUE_COLUMNS = ("Baseline", "Target", "Quarter target", "Range low", "Range high", "Actual",
                 "Previous actual", "Last year actual")
"""Measure columns in the measure's unit: Excel percentages here are read as points."""

ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA",
          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}


@dataclass
class TableGrid:
    """Where a plan table sits on its sheet, and which of its columns are which.

    ``last_row`` and ``last_column`` are where the table's data stops: a table formatted
    over whole columns (to row 1,048,576) is read only as far as the sheet holds anything.
    ``end_row`` and ``end_column`` are where the table itself ends (its last data row,
    above any Total Row), which rows are added below.
    """

    spec: schema.Table
    sheet: str
    header_row: int
    first_column: int
    last_column: int
    first_row: int
    last_row: int
    columns: dict[str, int] = field(default_factory=dict)
    """Schema column name -> worksheet column number, for the columns present."""
    end_row: int = 0
    end_column: int = 0
    totals: bool = False
    """The table shows a Total Row (below ``end_row``)."""

    def __post_init__(self) -> None:
        self.end_row = max(self.end_row, self.last_row)
        self.end_column = max(self.end_column, self.last_column)

    def next_row(self, filled: Callable[[int], bool]) -> int:
        """The row a new row goes in: below the last data row that is ``filled``, or the
        first data row when none is (an empty table keeps one blank row). Looks up from
        where the data stops, so the rows above are not looked at."""
        for number in range(self.last_row, self.first_row - 1, -1):
            if filled(number):
                return number + 1
        return self.first_row

    def address(self, row: int, column: int) -> str:
        return f"{sheet_ref(self.sheet)}!{column_letter(column)}{row}"

    def row_span(self, row: int) -> str:
        return (f"{sheet_ref(self.sheet)}!{column_letter(self.first_column)}{row}:"
                f"{column_letter(self.last_column)}{row}")

    def place(self, row: Hashable, column: str | None) -> str:
        """``Measures!G5`` for a frame row and schema column (the row's span without one)."""
        number = row.number if isinstance(row, SheetRow) else row
        if not isinstance(number, int):
            return sheet_ref(self.sheet)
        if column in self.columns:
            return self.address(number, self.columns[column])
        return self.row_span(number)

    @property
    def complete(self) -> bool:
        return all(c.name in self.columns for c in self.spec.columns if c.required)


def cannot_rate(problems: Iterable[Problem]) -> bool:
    """Problems that stop a plan being rated at all: a table or a required column missing."""
    return any(p.code in {"missing-table", "missing-column"} for p in problems)


def place_in(grids: Iterable[TableGrid], row: Hashable, column: str | None,
             otherwise: str) -> str:
    """Where a frame row's problem is, among a workbook's tables (``otherwise`` for the file)."""
    if isinstance(row, SheetRow):
        for grid in grids:
            if (grid.spec.name == row.table) if row.table else (grid.sheet == row.sheet):
                return grid.place(row, column)
        return f"{sheet_ref(row.sheet)}!{row.number}:{row.number}"
    return otherwise


Grid = TypeVar("Grid", bound=TableGrid)

ITEM_NAMES = {
    schema.SETTINGS.name: ("setting", "Setting"),
    schema.OUTCOMES.name: ("outcome", "Ref"),
    schema.ACTIONS.name: ("action", "Ref"),
    schema.MEASURES.name: ("measure", "Ref"),
    schema.COMMENTARY.name: ("commentary for outcome", "Outcome"),
    schema.HISTORY.name: ("History entry for", "Ref"),
    schema.SERIES.name: ("Series figure for measure", "Ref"),
    schema.RUN_LOG.name: ("run log entry", ""),
}
"""What a row of each table is, and the column that names it."""

_CELL = re.compile(r"^(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^!']+))!\$?(?P<column>[A-Z]{1,3})"
                   r"\$?(?P<row>\d+)$")


@dataclass
class PlanTables(Generic[Grid]):
    """What the file's and the open workbook's plan holders share: the tables found, the
    plan read from them, its problems (placed at their ``Sheet!Cell``) and the settings."""

    tables: dict[str, Grid]
    plan: Plan | None
    problems: list[Problem]
    settings: dict[str, object] = field(default_factory=dict)
    """The Settings table as typed (``{"Plan year": "2018/19", ...}``)."""

    @property
    def name(self) -> str:
        """The workbook's name, the place of a problem with no cell."""
        raise NotImplementedError

    def frame(self, table: Grid) -> pd.DataFrame:
        """A table's rows, read by :func:`table_frame` as the route sees them (the
        problems found are left out)."""
        raise NotImplementedError

    def cell_value(self, table: Grid, row: int, column: int) -> object:
        """The value of any cell of the table's sheet, by worksheet row and column number
        (blank as None), as the route reads it."""
        raise NotImplementedError

    @property
    def sheet_names(self) -> list[str]:
        """The workbook's sheets, in order."""
        raise NotImplementedError

    def place(self, row: Hashable, column: str | None) -> str:
        """``Measures!G5`` for a frame row and schema column."""
        return place_in(self.tables.values(), row, column, self.name)

    def locate(self, problems: Iterable[Problem]) -> list[Problem]:
        """Give problems their ``Sheet!Cell``, and the column and item it holds."""
        return [self.describe(p) for p in locate(problems, self.place)]

    def describe(self, found: Problem) -> Problem:
        """A problem at a table's cell, with the column and the item in words: ``Status of
        action 1.1``, ``Value of setting Plan year``, ``Ref of the measure on row 5``."""
        if found.item:
            return found
        cell = _CELL.match(found.place)
        if cell is None:
            return found
        sheet = (cell["quoted"] or "").replace("''", "'") or cell["plain"]
        number = int(cell["row"])
        for grid in self.tables.values():
            if grid.sheet != sheet or not grid.first_row <= number <= grid.end_row:
                continue
            column = next((name for name, at in grid.columns.items()
                           if column_letter(at) == cell["column"]), None)
            if column is None:
                return found
            item = self._item(grid, number, column)
            if fold(column) == fold(ITEM_NAMES.get(grid.spec.name, ("row", ""))[0]):
                return found.about(item)
            return found.about(f"{column} of {item}")
        return found

    def _item(self, grid: Grid, number: int, column: str) -> str:
        noun, key = ITEM_NAMES.get(grid.spec.name, ("row", ""))
        value = None
        if key and key in grid.columns and key != column:
            value = self.cell_value(grid, number, grid.columns[key])
        if is_blank(value) or (isinstance(value, str) and len(value) > 40):
            return f"the {noun} on row {number}"
        shown = str(int(value)) if isinstance(value, float) and value.is_integer() else value
        return f"{noun} {str(shown).strip()}"

    def history(self) -> pd.DataFrame | None:
        """The History table's rows (None when it has none), for roll-forward's "same
        quarter last year"."""
        table = self.tables.get(schema.HISTORY.name)
        if table is None:
            return None
        frame = self.frame(table)
        return None if frame.empty else frame


def map_headers(grid: TableGrid, headers: Sequence[object], problems: list[Problem]) -> None:
    """Find the schema's columns among a table's headers (ignoring case and spaces)."""
    by_fold: dict[str, int] = {}
    for offset, value in enumerate(headers):
        if not is_blank(value):
            by_fold.setdefault(fold(value), grid.first_column + offset)
    for column in grid.spec.columns:
        if fold(column.name) in by_fold:
            grid.columns[column.name] = by_fold[fold(column.name)]
    shown = ", ".join("" if is_blank(h) else str(h) for h in headers)
    for column in grid.spec.columns:
        if column.required and column.name not in grid.columns:
            problems.append(Problem(
                code="missing-column", found=f"the headers {shown}",
                expected=f'a column named "{column.name}" in {grid.spec.name}',
                place=grid.row_span(grid.header_row)))


def total_row(grid: TableGrid) -> Problem:
    """One of ragbook's own tables (run log, history) has a Total Row, so no row can be added
    at its end without writing over the totals."""
    return Problem(code="total-row", found=f"a Total Row on {grid.spec.name}",
                   expected="no Total Row on the tables ragbook adds rows to: untick Total Row "
                            "under Table Design, then run it again (nothing was changed)",
                   place=grid.row_span(grid.end_row + 1))


def missing_table(spec: schema.Table, sheet_names: Iterable[str],
                  tables_on: dict[str, list[str]] | None = None) -> Problem:
    """A plan table that is not there: say what is there instead, and how to fix it.

    ``tables_on`` lists the Excel Tables on each sheet: a table renamed (``Table1``) is
    named back; a sheet without its table gets one made; a deleted sheet is put back."""
    sheet = next((name for name in sheet_names if fold(name) == fold(spec.sheet)), None)
    if sheet is None:
        return Problem(
            code="missing-table",
            found=f"no {spec.sheet} sheet, and no Excel Table named {spec.name} anywhere",
            expected=f"the {spec.sheet} sheet with its table {spec.name}: undo the deletion, "
                     f"or copy the sheet from a blank plan (ragbook new makes one)")
    others = (tables_on or {}).get(sheet, [])
    if others:
        listed = " and ".join(others)
        return Problem(
            code="missing-table",
            found=f"no Excel Table named {spec.name}: the {sheet} sheet has a table named "
                  f"{listed}",
            expected=f"the table named {spec.name}: click in {others[0]}, and under Table "
                     f"Design type {spec.name} as its Table Name")
    return Problem(code="missing-table",
                   found=f"no Excel Table named {spec.name} (the {sheet} sheet has no table on "
                         "it)",
                   expected=f"the {spec.sheet} table as an Excel Table named {spec.name}: select "
                            "the data, Insert > Table, then name it under Table Design (see the "
                            "template workbook)")


def read_value(value: object, column: schema.Column, where: str | Callable[[], str],
               problems: list[Problem]) -> object:
    """A cell's value as the engine reads it; what is wrong with it becomes a problem.

    ``where`` may be a function giving the cell's address, worked out only when needed.
    """
    if value is None or value == "":
        return None

    def place() -> str:
        return where() if callable(where) else where

    if isinstance(value, str):
        if value[:1] == "#" and value.strip() in ERRORS:
            problems.append(Problem(
                code="formula-error", found=value.strip(),
                expected="a value, not an Excel error: fix the formula or type the figure",
                place=place()))
            return None
        if len(value) > schema.EXCEL_TEXT_LIMIT:
            problems.append(Problem(
                code="text-too-long", found=f"{len(value):,} characters",
                expected=f"at most {schema.EXCEL_TEXT_LIMIT:,} characters, Excel's limit for "
                         "one cell: shorten it", place=place()))
    elif isinstance(value, datetime) and column.kind != "datetime":
        value = value.date()
    if column.kind == "ref":
        return _ref(value, place, problems)
    return value


def _ref(value: object, place: Callable[[], str], problems: list[Problem]) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value).strip()
    if float(value).is_integer():
        return str(int(value))
    problems.append(Problem(
        code="ref-stored-as-number", found=f"the number {value}",
        expected="a ref stored as text (1.10 and 1.1 are the same number): format the column "
                 "as Text and retype it", place=place(), severity="warning"))
    return repr(float(value))


def read_percentages(record: dict[str, object], formats: dict[str, str]) -> None:
    """Compare like with like: Excel percentages (0.72 shown as 72%) become points (72).

    A measure is a percentage measure when its Unit is % or any of its value
    cells is formatted as a percentage; then percentage-formatted numbers are
    multiplied by 100 and plain numbers are taken as already in points.
    """
    as_percent = [name for name in VALUE_COLUMNS
                  if "%" in formats.get(name, "") and isinstance(record.get(name), int | float)
                  and not isinstance(record.get(name), bool)]
    unit = record.get("Unit")
    if not as_percent and not (isinstance(unit, str) and unit.strip() == "%"):
        return
    for name in as_percent:
        record[name] = round(float(record[name]) * 100, 9)  # type: ignore[arg-type]
    if is_blank(unit):
        record["Unit"] = "%"


def _odd(column: Sequence[object], ref: bool) -> list[int]:
    """Positions of the cells that need reading: anything but a number or ordinary text
    (and, in a ref column, text). Most cells are ordinary, so this is one quick pass."""
    limit = schema.EXCEL_TEXT_LIMIT
    if ref:
        return [i for i, value in enumerate(column)
                if not (isinstance(value, str) and value and value[:1] != "#"
                        and len(value) <= limit)]
    return [i for i, value in enumerate(column)
            if not (value is None or (kind := type(value)) is float or kind is int
                    or (kind is str and value and value[:1] != "#"  # type: ignore[index]
                        and len(value) <= limit))]  # type: ignore[arg-type]


def _blank_rows(data: dict[str, list[object]], columns: Sequence[str], size: int) -> set[int]:
    """The rows with nothing in any of ``columns`` (see :func:`ragbook.ratings.is_blank`).

    A row is looked at again only while it is still blank, so most rows are looked at once.
    """
    blank = list(range(size))
    for name in columns:
        values = data[name]
        blank = [i for i in blank if (value := values[i]) is None or value != value
                 or (isinstance(value, str) and not value.strip())]
        if not blank:
            break
    return set(blank)


class _Address:
    """A cell's address, written out only if a problem needs it."""

    __slots__ = ("column", "grid", "row")

    def __init__(self, grid: TableGrid, row: int, column: int) -> None:
        self.grid, self.row, self.column = grid, row, column

    def __call__(self) -> str:
        return self.grid.address(self.row, self.column)


def _columns(rows: Sequence[Sequence[object]], width: int) -> list[Sequence[object]]:
    """Rows of cells turned into columns, short rows padded with blanks."""
    if any(len(row) != width for row in rows):
        rows = [list(row[:width]) + [None] * (width - len(row)) for row in rows]
    return list(zip(*rows, strict=True)) if rows else [()] * width


def table_frame(grid: TableGrid, numbers: Sequence[int], rows: Sequence[Sequence[object]],
                problems: list[Problem],
                formats: Sequence[Sequence[str | None]] | None = None) -> pd.DataFrame:
    """A table's data rows as a frame indexed by :class:`SheetRow`, skipping blank rows.

    ``numbers`` are the rows' worksheet row numbers and ``rows`` their cell values, from the
    table's first column; ``formats`` are the cells' number formats where the route knows
    them. The table is read a column at a time: most cells need nothing done to them.
    """
    if not grid.complete:
        return pd.DataFrame(columns=list(grid.spec.headers))
    inputs = [c for c in grid.spec.columns if c.name in grid.columns]
    width = grid.last_column - grid.first_column + 1
    by_column = _columns(rows, width)
    found: list[tuple[int, int, Problem]] = []
    data: dict[str, list[object]] = {}
    for order, column in enumerate(inputs):  # problems are listed in the schema's order
        offset = grid.columns[column.name] - grid.first_column
        ref = column.kind == "ref"
        values = list(by_column[offset])
        odd = _odd(values, ref)
        if ref:  # a ref is its text, without spaces either side
            values = [value.strip() if isinstance(value, str) else value for value in values]
        for i in odd:
            raw = by_column[offset][i]
            if raw is None or raw == "":
                values[i] = None
                continue
            here: list[Problem] = []
            values[i] = read_value(raw, column, _Address(grid, numbers[i], offset +
                                                         grid.first_column), here)
            found.extend((i, order, p) for p in here)
        data[column.name] = values
    problems.extend(p for _, _, p in sorted(found, key=lambda item: item[:2]))
    blank = _blank_rows(data, [c.name for c in inputs if not c.by_ragbook], len(numbers))
    kept = [i for i in range(len(numbers)) if i not in blank]
    # Blank rows after the last filled one are room for more, not a problem.
    inside = kept[-1] if kept else -1
    for number in [numbers[i] for i in sorted(blank) if i < inside]:
        problems.append(Problem(
            code="blank-row", found="a blank row",
            expected=f"no blank rows inside {grid.spec.name}: delete the row, or fill it "
                     "in (it was skipped)", place=grid.row_span(number)))
    if len(kept) < len(numbers):
        data = {name: [values[i] for i in kept] for name, values in data.items()}
    if grid.spec is schema.MEASURES and formats is not None:
        _read_percentages(grid, data, [formats[i] for i in kept])
    frame = pd.DataFrame(data, columns=[c.name for c in inputs],
                         dtype=None if kept else object)
    frame.index = pd.Index([SheetRow(grid.sheet, numbers[i], grid.spec.name) for i in kept],
                           dtype=object)
    return frame


def _read_percentages(grid: TableGrid, data: dict[str, list[object]],
                      formats: Sequence[Sequence[str | None]]) -> None:
    """:func:`read_percentages` for each measure with a value cell formatted as a percentage
    (without formats, a measure's values are taken as typed)."""
    value_columns = [(name, grid.columns[name] - grid.first_column) for name in VALUE_COLUMNS
                     if name in grid.columns]
    for i, row_formats in enumerate(formats):
        shown = {name: row_formats[offset] or "" if offset < len(row_formats) else ""
                 for name, offset in value_columns}
        if not any("%" in text for text in shown.values()):
            continue
        record = {name: data[name][i] for name in (*shown, "Unit") if name in data}
        read_percentages(record, shown)
        for name, value in record.items():
            if name in data:  # a Unit read as % is dropped when there is no Unit column
                data[name][i] = value


def settings_values(frame: pd.DataFrame) -> tuple[dict[str, object], dict[str, object]]:
    """The Settings table as ``{setting: value}`` and ``{setting: row}``."""
    values: dict[str, object] = {}
    rows: dict[str, object] = {}
    for row in frame.index:
        name = frame.at[row, "Setting"]
        if is_blank(name):
            continue
        key = str(name).strip()
        canonical = next((s for s in schema.SETTING_NAMES if fold(s) == fold(key)), key)
        values[canonical] = frame.at[row, "Value"] if "Value" in frame else None
        rows[canonical] = row
    return values, rows


def plan_from_frames(frames: dict[str, pd.DataFrame], problems: list[Problem],
                     as_of: date | None = None) -> tuple[Plan | None, dict[str, object]]:
    """The plan the tables make (None when its period cannot be known), and its settings."""
    if schema.SETTINGS.name not in frames:
        return None, {}
    values, rows = settings_values(frames[schema.SETTINGS.name])
    settings, found = read_settings(values, rows, as_of)
    problems.extend(found)
    if settings is None:
        return None, values

    def pick(spec: schema.Table) -> pd.DataFrame:
        found = frames.get(spec.name)
        return pd.DataFrame(columns=list(spec.headers)) if found is None else found

    return Plan(settings, pick(schema.OUTCOMES), pick(schema.ACTIONS), pick(schema.MEASURES),
                pick(schema.COMMENTARY), series=frames.get(schema.SERIES.name)), values
