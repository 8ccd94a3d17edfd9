"""Reading a plan workbook file (.xlsx or .xlsm) into a :class:`~ragbook.plan.Plan`.

Tables are found by name on any sheet; headers are matched ignoring case and
spaces; columns ragbook does not know are left alone. Every cell that cannot
be used becomes a problem naming its ``Sheet!Cell``. Nothing here writes. The
rules shared with the Excel add-in are in :mod:`ragbook.workbook.cells`; this
module adds what only a file has: number formats, the saved results of
formulas, and merged cells.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.worksheet import Worksheet

from ragbook.problems import Problem, problem, sheet_ref
from ragbook.ratings import fold
from ragbook.workbook import schema
from ragbook.workbook.cells import (
    PlanTables,
    TableGrid,
    map_headers,
    missing_table,
    plan_from_frames,
    table_frame,
)
from ragbook.workbook.files import PlanFileError, fingerprint, load_options, open_check


@dataclass
class FoundTable(TableGrid):
    """A plan table in an openpyxl workbook: where it is, and the objects to write to."""

    worksheet: Worksheet = field(kw_only=True)
    table: ExcelTable = field(kw_only=True)


@dataclass
class PlanWorkbook(PlanTables[FoundTable]):
    """An opened plan workbook: the openpyxl book, its tables, and the plan read from them."""

    path: Path = field(kw_only=True)
    book: Workbook = field(kw_only=True)
    fingerprint: str = field(default="", kw_only=True)
    """What the file was when it was read (:func:`ragbook.workbook.files.fingerprint`)."""

    @property
    def name(self) -> str:
        return self.path.name

    def frame(self, table: FoundTable) -> pd.DataFrame:
        return _FileCells(self.path, []).frame(table)


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
        was = fingerprint(path)
    except OSError as error:
        raise PlanFileError(problem("cannot-read-file", path.name, "a file ragbook may read"
                                    ).at(path.name), f"{path} cannot be read ({error})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, **load_options(kind))
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise PlanFileError(problem(
            "unreadable-workbook", path.name,
            f"an Excel workbook ragbook can read ({type(error).__name__}: "
            f"{(str(error).splitlines() or [''])[0]})",
        ).at(path.name)) from None
    workbook = read_plan(book, path, as_of=as_of)
    workbook.fingerprint = was
    return workbook


def read_plan(book: Workbook, path: Path, *, as_of: date | None = None) -> PlanWorkbook:
    """Read the plan's tables from an opened workbook."""
    problems: list[Problem] = []
    tables: dict[str, FoundTable] = {}
    available = find_tables(book)
    for spec in schema.ALL_TABLES:
        hit = available.get(fold(spec.name))
        if hit is None:
            if spec in schema.PLAN_TABLES:
                problems.append(missing_table(spec, book.sheetnames).at(path.name))
            continue
        tables[spec.name] = _locate_table(spec, *hit, problems)
    cells = _FileCells(path, problems)
    frames = {spec.name: cells.frame(tables[spec.name])
              for spec in schema.PLAN_TABLES if spec.name in tables}
    plan, values = plan_from_frames(frames, problems, as_of)
    workbook = PlanWorkbook(tables, plan, [], values, path=path, book=book)
    workbook.problems = workbook.locate(problems)
    return workbook


def _locate_table(spec: schema.Table, sheet: Worksheet, table: ExcelTable,
                  problems: list[Problem]) -> FoundTable:
    first_col, header_row, last_col, last_row = range_boundaries(table.ref)
    assert first_col and header_row and last_col and last_row
    end_row = last_row - (table.totalsRowCount or 0)
    # Read only as far as the sheet holds anything: a table formatted over whole columns
    # reaches row 1,048,576, and its empty rows need no reading.
    data_right = max(first_col, min(last_col, sheet.max_column))
    found = FoundTable(spec, sheet.title, header_row, first_col, data_right, header_row + 1,
                       max(header_row, min(end_row, sheet.max_row)), end_row=end_row,
                       end_column=last_col, worksheet=sheet, table=table)
    headers = [sheet.cell(header_row, col).value for col in range(first_col, data_right + 1)]
    map_headers(found, headers, problems)
    for merged in sheet.merged_cells.ranges:
        if (merged.min_row <= last_row and merged.max_row >= header_row
                and merged.min_col <= last_col and merged.max_col >= first_col):
            problems.append(Problem(
                code="merged-cells", found=f"merged cells {merged.coord}",
                expected=f"one value per cell inside {spec.name}: unmerge them",
                place=f"{sheet_ref(sheet.title)}!{merged.coord}"))
    return found


class _FileCells:
    """A file's table cells: values with number formats, formulas read from their saved results."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self._saved: Workbook | None = None

    def frame(self, found: FoundTable) -> pd.DataFrame:
        rows = found.worksheet.iter_rows(min_row=found.first_row, max_row=found.last_row,
                                         min_col=found.first_column, max_col=found.last_column)
        values: list[list[object]] = []
        formats: list[list[str | None]] = []
        for cells in rows:
            values.append([self._value(cell) for cell in cells])
            formats.append([cell.number_format for cell in cells])
        numbers = range(found.first_row, found.first_row + len(values))
        return table_frame(found, numbers, values, self.problems, formats)

    def _value(self, cell: object) -> object:
        value = cell.value  # type: ignore[attr-defined]
        if value is None:
            return None
        is_formula = cell.data_type == "f" or (  # type: ignore[attr-defined]
            isinstance(value, str) and value.startswith("=")
            and cell.data_type != "s")  # type: ignore[attr-defined]
        if not is_formula:
            return value
        saved = self._saved_value(cell)
        if saved is None:
            where = (f"{sheet_ref(cell.parent.title)}!"  # type: ignore[attr-defined]
                     f"{cell.coordinate}")  # type: ignore[attr-defined]
            self.problems.append(Problem(
                code="formula-without-value", found=f"the formula {value}",
                expected="a value: this formula has no saved result (open the file in Excel, "
                         "let it calculate, and save)", place=where))
        return saved

    def _saved_value(self, cell: object) -> object:
        """The value Excel saved for a formula cell (None if never calculated)."""
        if self._saved is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._saved = openpyxl.load_workbook(self.path, data_only=True)
        title = cell.parent.title  # type: ignore[attr-defined]
        return self._saved[title].cell(cell.row, cell.column).value  # type: ignore[attr-defined]


