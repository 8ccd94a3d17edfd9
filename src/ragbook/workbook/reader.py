"""Reading a plan workbook (.xlsx or .xlsm) into a :class:`~ragbook.plan.Plan`.

Tables are found by name on any sheet; headers are matched ignoring case and
spaces; columns ragbook does not know are left alone. Every cell that cannot
be used becomes a problem naming its ``Sheet!Cell``. Nothing here writes.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.worksheet import Worksheet

from ragbook.plan import Plan, read_settings
from ragbook.problems import Problem, SheetRow, locate, problem, sheet_ref
from ragbook.ratings import fold, is_blank
from ragbook.workbook import schema
from ragbook.workbook.files import PlanFileError, load_options, open_check

VALUE_COLUMNS = ("Baseline", "Target", "Quarter target", "Range low", "Range high", "Actual",
                 "Previous actual", "Last year actual")
"""Measure columns in the measure's unit: Excel percentages here are read as points."""


@dataclass
class FoundTable:
    """Where a plan table is in the workbook, and which columns it has."""

    spec: schema.Table
    sheet: Worksheet
    table: ExcelTable
    header_row: int
    first_row: int
    last_row: int
    first_column: int
    last_column: int
    columns: dict[str, int] = field(default_factory=dict)
    """Schema column name -> worksheet column number, for the columns present."""

    @property
    def title(self) -> str:
        return self.sheet.title

    def address(self, row: int, column: int) -> str:
        return f"{sheet_ref(self.title)}!{get_column_letter(column)}{row}"

    def place(self, row: Hashable, column: str | None) -> str:
        number = row.number if isinstance(row, SheetRow) else row
        if column in self.columns and isinstance(number, int):
            return self.address(number, self.columns[column])
        if isinstance(number, int):
            first = get_column_letter(self.first_column)
            last = get_column_letter(self.last_column)
            return f"{sheet_ref(self.title)}!{first}{number}:{last}{number}"
        return f"{sheet_ref(self.title)}!{self.table.ref}"


@dataclass
class PlanWorkbook:
    """An opened plan workbook: the openpyxl book, its tables, and the plan read from it."""

    path: Path
    kind: str
    book: Workbook
    tables: dict[str, FoundTable]
    plan: Plan | None
    problems: list[Problem]
    settings: dict[str, object] = field(default_factory=dict)
    """The Settings table as typed (``{"Plan year": "2018/19", ...}``)."""

    def place(self, row: Hashable, column: str | None) -> str:
        """``Measures!G5`` for a frame row and schema column."""
        if isinstance(row, SheetRow):
            for found in self.tables.values():
                if found.title == row.sheet:
                    return found.place(row, column)
            return f"{sheet_ref(row.sheet)}!{row.number}:{row.number}"
        return self.path.name

    def locate(self, problems: Iterable[Problem]) -> list[Problem]:
        """Give problems from the rating engine their ``Sheet!Cell``."""
        return locate(problems, self.place)


def find_tables(book: Workbook) -> dict[str, tuple[Worksheet, ExcelTable]]:
    """Every Excel Table in the workbook, by folded name."""
    found = {}
    for sheet in book.worksheets:
        for table in sheet.tables.values():
            found[fold(table.name)] = (sheet, table)
    return found


def open_plan(path: Path, *, as_of: date | None = None) -> PlanWorkbook:
    """Open and read a plan workbook. Raises PlanFileError only for a file that cannot be read;
    everything wrong inside it comes back as problems."""
    kind = open_check(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, **load_options(kind))
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise PlanFileError(problem(
            "unreadable-workbook", path.name,
            f"an Excel workbook ragbook can read ({type(error).__name__}: {error})",
        ).at(path.name)) from None
    return read_plan(book, path, kind, as_of=as_of)


def read_plan(book: Workbook, path: Path, kind: str = "xlsx", *,
              as_of: date | None = None) -> PlanWorkbook:
    """Read the plan's tables from an opened workbook."""
    problems: list[Problem] = []
    tables: dict[str, FoundTable] = {}
    available = find_tables(book)
    for spec in schema.ALL_TABLES:
        hit = available.get(fold(spec.name))
        if hit is None:
            if spec in schema.PLAN_TABLES:
                problems.append(_missing_table(book, spec).at(path.name))
            continue
        tables[spec.name] = _locate_table(spec, *hit, problems)
    reader = _CellReader(book, path, kind)
    frames = {spec.name: reader.frame(tables[spec.name], problems)
              for spec in schema.PLAN_TABLES if spec.name in tables}
    settings = None
    values: dict[str, object] = {}
    if schema.SETTINGS.name in frames:
        values, rows = _settings(frames[schema.SETTINGS.name])
        settings, found = read_settings(values, rows, as_of)
        problems.extend(found)
    plan = None
    if settings is not None:
        empty = {spec.name: pd.DataFrame(columns=list(spec.headers))
                 for spec in schema.PLAN_TABLES}
        pick = {**empty, **frames}
        plan = Plan(settings, pick[schema.OUTCOMES.name], pick[schema.ACTIONS.name],
                    pick[schema.MEASURES.name], pick[schema.COMMENTARY.name])
    workbook = PlanWorkbook(path, kind, book, tables, plan, [], values)
    workbook.problems = workbook.locate(problems + reader.problems)
    return workbook


def _missing_table(book: Workbook, spec: schema.Table) -> Problem:
    """A plan table that is not there: say what is there instead, and how to fix it."""
    sheet = next((name for name in book.sheetnames if fold(name) == fold(spec.sheet)), None)
    found = f"no Excel Table named {spec.name}"
    if sheet is not None:
        found += f" (there is a {sheet} sheet, but no table of that name on it)"
    return Problem(code="missing-table", found=found,
                   expected=f"the {spec.sheet} table as an Excel Table named {spec.name}: select "
                            "the data, Insert > Table, then name it under Table Design (see the "
                            "template workbook)")


def _locate_table(spec: schema.Table, sheet: Worksheet, table: ExcelTable,
                  problems: list[Problem]) -> FoundTable:
    first_col, header_row, last_col, last_row = range_boundaries(table.ref)
    assert first_col and header_row and last_col and last_row
    last_data = last_row - (table.totalsRowCount or 0)
    found = FoundTable(spec, sheet, table, header_row, header_row + 1, last_data,
                       first_col, last_col)
    headers: dict[str, int] = {}
    for col in range(first_col, last_col + 1):
        value = sheet.cell(header_row, col).value
        if not is_blank(value):
            headers.setdefault(fold(value), col)
    for column in spec.columns:
        if fold(column.name) in headers:
            found.columns[column.name] = headers[fold(column.name)]
    missing = [c.name for c in spec.columns if c.required and c.name not in found.columns]
    if missing:
        shown = ", ".join(str(sheet.cell(header_row, c).value or "")
                          for c in range(first_col, last_col + 1))
        span = (f"{sheet_ref(sheet.title)}!{get_column_letter(first_col)}{header_row}:"
                f"{get_column_letter(last_col)}{header_row}")
        for name in missing:
            problems.append(Problem(
                code="missing-column", found=f"the headers {shown}",
                expected=f'a column named "{name}" in {spec.name}', place=span))
    for merged in sheet.merged_cells.ranges:
        if (merged.min_row <= last_row and merged.max_row >= header_row
                and merged.min_col <= last_col and merged.max_col >= first_col):
            problems.append(Problem(
                code="merged-cells", found=f"merged cells {merged.coord}",
                expected=f"one value per cell inside {spec.name}: unmerge them",
                place=f"{sheet_ref(sheet.title)}!{merged.coord}"))
    return found


def _settings(frame: pd.DataFrame) -> tuple[dict[str, object], dict[str, object]]:
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


class _CellReader:
    """Turns table cells into frame values, collecting the problems cells have."""

    def __init__(self, book: Workbook, path: Path, kind: str) -> None:
        self.book = book
        self.path = path
        self.kind = kind
        self.problems: list[Problem] = []
        self._cached: Workbook | None = None

    def cached_value(self, sheet: str, row: int, column: int) -> Any:
        """The value Excel saved for a formula cell (None if never calculated)."""
        if self._cached is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._cached = openpyxl.load_workbook(self.path, data_only=True)
        return self._cached[sheet].cell(row, column).value

    def frame(self, found: FoundTable, problems: list[Problem]) -> pd.DataFrame:
        if any(c.required and c.name not in found.columns for c in found.spec.columns):
            return pd.DataFrame(columns=list(found.spec.headers))
        inputs = [c for c in found.spec.columns if c.name in found.columns]
        measures = found.spec is schema.MEASURES
        offsets = [(c, found.columns[c.name] - found.first_column,
                    measures and c.name in VALUE_COLUMNS) for c in inputs]
        officer_inputs = [c.name for c in inputs if not c.by_ragbook]
        records: list[dict[str, object]] = []
        index: list[SheetRow] = []
        blank_rows = []
        rows = found.sheet.iter_rows(min_row=found.first_row, max_row=found.last_row,
                                     min_col=found.first_column, max_col=found.last_column)
        for number, cells in enumerate(rows, start=found.first_row):
            record: dict[str, object] = {}
            formats: dict[str, str] = {}
            for column, offset, in_unit in offsets:
                cell = cells[offset]
                record[column.name] = self.value(found, cell, column)
                if in_unit:
                    formats[column.name] = cell.number_format or ""
            if all(is_blank(record[name]) for name in officer_inputs):
                blank_rows.append(number)
                continue
            if measures:
                _read_percentages(record, formats)
            records.append(record)
            index.append(SheetRow(found.title, number))
        empty_table = not records and blank_rows == [found.first_row]
        if not empty_table:
            for number in blank_rows:
                problems.append(Problem(
                    code="blank-row", found="a blank row",
                    expected=f"no blank rows inside {found.spec.name}: delete the row, or fill "
                             "it in (it was skipped)", place=found.place(number, None)))
        frame = pd.DataFrame.from_records(records, columns=[c.name for c in inputs])
        frame.index = pd.Index(index, dtype=object)
        return frame

    def value(self, found: FoundTable, cell: Any, column: schema.Column) -> object:
        value = cell.value
        if value is None:
            return None
        where = found.address(cell.row, cell.column)
        if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")
                                     and cell.data_type != "s"):
            value = self.cached_value(found.title, cell.row, cell.column)
            if value is None:
                self.problems.append(Problem(
                    code="formula-without-value", found=f"the formula {cell.value}",
                    expected="a value: this formula has no saved result (open the file in "
                             "Excel, let it calculate, and save)", place=where))
                return None
        if isinstance(value, str) and value.strip() in _ERRORS:
            self.problems.append(Problem(
                code="formula-error", found=value.strip(),
                expected="a value, not an Excel error: fix the formula or type the figure",
                place=where))
            return None
        if isinstance(value, datetime) and column.kind != "datetime":
            value = value.date()
        if isinstance(value, str) and len(value) > schema.EXCEL_TEXT_LIMIT:
            self.problems.append(Problem(
                code="text-too-long", found=f"{len(value):,} characters",
                expected=f"at most {schema.EXCEL_TEXT_LIMIT:,} characters, Excel's limit "
                         "for one cell: shorten it", place=where))
        if column.kind == "ref" and not is_blank(value):
            value = self._ref(value, where)
        return value

    def _ref(self, value: object, where: str) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value).strip()
        if float(value).is_integer():
            return str(int(value))
        self.problems.append(Problem(
            code="ref-stored-as-number", found=f"the number {value}",
            expected="a ref stored as text (1.10 and 1.1 are the same number): format the "
                     "column as Text and retype it", place=where, severity="warning"))
        return repr(float(value))


_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA",
           "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}


def _read_percentages(record: dict[str, object], formats: dict[str, str]) -> None:
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
