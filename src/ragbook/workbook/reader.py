"""Reading a plan workbook file (.xlsx or .xlsm) into a :class:`~ragbook.plan.Plan`.

The file's parts are read as Excel wrote them (:class:`~ragbook.workbook.package.Package`):
each worksheet's cells with their number formats, a formula as the result Excel saved for
it, and each Excel Table's range. Tables are found by name on any sheet; headers are matched
ignoring case and spaces; columns ragbook does not know are left alone. Every cell that
cannot be used becomes a problem naming its ``Sheet!Cell``. Nothing here writes. The rules
shared with the Excel add-in are in :mod:`ragbook.cells`; this module adds what only a file
has: number formats, the saved results of formulas, and merged cells. The same parsed parts
are what :mod:`ragbook.workbook.package` then changes, so a file is read once.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from ragbook import schema
from ragbook.cells import (
    PlanTables,
    TableGrid,
    map_headers,
    missing_table,
    plan_from_frames,
    table_frame,
)
from ragbook.problems import Problem, cell_name, problem, sheet_ref
from ragbook.ratings import fold
from ragbook.workbook.files import PlanFileError, open_check, read_whole
from ragbook.workbook.package import (
    M,
    Package,
    _box,
    _column_number,
)

_V, _F, _IS, _T, _R = (f"{M}{name}" for name in ("v", "f", "is", "t", "r"))
_DIGITS = "0123456789"


@dataclass
class SheetCells:
    """A worksheet's cells as Excel saved them: values (a formula as its saved result) and
    number formats, by row and column, and the formulas that have no saved result."""

    name: str
    values: dict[int, dict[int, object]] = field(default_factory=dict)
    formats: dict[int, dict[int, str]] = field(default_factory=dict)
    unsaved: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column) -> the formula, for formulas Excel never calculated."""
    merged: list[str] = field(default_factory=list)
    max_row: int = 0
    max_column: int = 0

    def value(self, row: int, column: int) -> object:
        return self.values.get(row, {}).get(column)


@dataclass
class FoundTable(TableGrid):
    """A plan table in a workbook file: where it is, and its sheet's cells."""

    cells: SheetCells = field(kw_only=True)


@dataclass
class PlanWorkbook(PlanTables[FoundTable]):
    """An opened plan workbook: its parts, its tables, and the plan read from them."""

    path: Path = field(kw_only=True)
    package: Package = field(kw_only=True)
    fingerprint: str = field(default="", kw_only=True)
    """What the file was when it was read (:func:`ragbook.workbook.files.fingerprint`)."""

    @property
    def name(self) -> str:
        return self.path.name

    def frame(self, table: FoundTable) -> pd.DataFrame:
        return _frame(table, [])

    def cell_value(self, table: FoundTable, row: int, column: int) -> object:
        return table.cells.value(row, column)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.package.sheet_names)


def open_plan(path: Path, *, as_of: date | None = None) -> PlanWorkbook:
    """Open and read a plan workbook. Raises PlanFileError only for a file that cannot be read;
    everything wrong inside it comes back as problems."""
    open_check(path)
    try:
        data, was = read_whole(path)
    except OSError as error:
        raise PlanFileError(problem("cannot-read-file", path.name, "a file ragbook may read"
                                    ).at(path.name), f"{path} cannot be read ({error})") from None
    try:
        package = Package(data)
        workbook = read_plan(package, path, as_of=as_of)
    except (etree.XMLSyntaxError, ValueError, KeyError, IndexError, TypeError,
            zipfile.BadZipFile) as error:
        raise PlanFileError(problem(
            "unreadable-workbook", path.name,
            f"an Excel workbook ragbook can read ({type(error).__name__}: "
            f"{(str(error).splitlines() or [''])[0]})",
        ).at(path.name)) from None
    workbook.fingerprint = was
    return workbook


def read_plan(package: Package, path: Path, *, as_of: date | None = None) -> PlanWorkbook:
    """Read the plan's tables from a workbook's parts."""
    problems: list[Problem] = []
    tables: dict[str, FoundTable] = {}
    available = _find_tables(package)
    sheets: dict[str, SheetCells] = {}
    styles = _Styles(package)
    for spec in schema.ALL_TABLES:
        hit = available.get(fold(spec.name))
        if hit is None:
            if spec in schema.PLAN_TABLES:
                tables_on: dict[str, list[str]] = {}
                for sheet_name, element in available.values():
                    tables_on.setdefault(sheet_name, []).append(
                        element.get("displayName") or element.get("name") or "")
                problems.append(missing_table(spec, package.sheet_names, tables_on)
                                .at(path.name))
            continue
        sheet, table = hit
        if sheet not in sheets:
            sheets[sheet] = read_sheet(package, sheet, styles)
        tables[spec.name] = _locate_table(spec, sheets[sheet], table, problems)
    frames = {spec.name: _frame(tables[spec.name], problems)
              for spec in schema.READ_TABLES if spec.name in tables}
    plan, values = plan_from_frames(frames, problems, as_of)
    workbook = PlanWorkbook(tables, plan, [], values, path=path, package=package)
    if plan is not None:
        plan.history = workbook.history()
    workbook.problems = workbook.locate(problems)
    return workbook


def _find_tables(package: Package) -> dict[str, tuple[str, etree._Element]]:
    """Every Excel Table in the workbook, by folded name: its sheet and its part's XML."""
    return {name: (sheet, package.read(part))
            for name, (sheet, part) in package.tables().items()}


def _locate_table(spec: schema.Table, sheet: SheetCells, table: etree._Element,
                  problems: list[Problem]) -> FoundTable:
    header_row, first_col, last_row, last_col = _box(table.get("ref", ""))
    totals = int(table.get("totalsRowCount") or 0)
    end_row = last_row - totals
    # Read only as far as the sheet holds anything: a table formatted over whole columns
    # reaches row 1,048,576, and its empty rows need no reading.
    data_right = max(first_col, min(last_col, sheet.max_column))
    found = FoundTable(spec, sheet.name, header_row, first_col, data_right, header_row + 1,
                       max(header_row, min(end_row, sheet.max_row)), end_row=end_row,
                       end_column=last_col, totals=bool(totals), cells=sheet)
    headers = [sheet.value(header_row, column) for column in range(first_col, data_right + 1)]
    map_headers(found, headers, problems)
    for ref in sheet.merged:
        top, left, bottom, right = _box(ref)
        if top <= last_row and bottom >= header_row and left <= last_col and right >= first_col:
            problems.append(Problem(
                code="merged-cells", found=f"merged cells {ref}",
                expected=f"one value per cell inside {spec.name}: unmerge them",
                place=f"{sheet_ref(sheet.name)}!{ref}"))
    return found


def _frame(found: FoundTable, problems: list[Problem]) -> pd.DataFrame:
    """A table's rows as the rules read them: values with their number formats, a formula
    with no saved result being a problem at its cell."""
    sheet = found.cells
    columns = range(found.first_column, found.last_column + 1)
    values: list[list[object]] = []
    formats: list[list[str | None]] = []
    for number in range(found.first_row, found.last_row + 1):
        row = sheet.values.get(number, {})
        shown = sheet.formats.get(number, {})
        values.append([row.get(column) for column in columns])
        formats.append([shown.get(column) for column in columns])
    for (number, column), formula in sheet.unsaved.items():
        if (found.first_row <= number <= found.last_row
                and found.first_column <= column <= found.last_column):
            problems.append(Problem(
                code="formula-without-value", found=f"the formula ={formula}",
                expected="a value: this formula has no saved result (open the file in Excel, "
                         "let it calculate, and save)",
                place=f"{sheet_ref(sheet.name)}!{cell_name(number, column)}"))
    numbers = range(found.first_row, found.first_row + len(values))
    return table_frame(found, numbers, values, problems, formats)


# --- a worksheet's cells -----------------------------------------------------------------------


class _Styles:
    """Each cell format's number format, and whether it shows a date."""

    def __init__(self, package: Package) -> None:
        self.codes: list[str] = []
        self.dates: list[bool] = []
        if "xl/styles.xml" in package.data:
            root = package.read("xl/styles.xml")
            custom = {int(item.get("numFmtId", "0")): item.get("formatCode", "General")
                      for item in root.iterfind(f"{M}numFmts/{M}numFmt")}
            for xf in root.iterfind(f"{M}cellXfs/{M}xf"):
                number = int(xf.get("numFmtId") or 0)
                code = custom.get(number) or BUILTIN_FORMATS.get(number, "General")
                self.codes.append(code)
                self.dates.append(is_date_format(code))
        book = package.read("xl/workbook.xml").find(f"{M}workbookPr")
        mac = book is not None and book.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900
        self.strings = _shared_strings(package)


def _text(element: etree._Element) -> str:
    """A string item's text: its own ``<t>`` or its runs' (phonetic guides left out)."""
    if len(element) == 1 and element[0].tag == _T:
        return element[0].text or ""
    own = element.find(_T)
    if own is not None:
        return own.text or ""
    return "".join(run.findtext(_T) or "" for run in element.iterfind(_R))


def _shared_strings(package: Package) -> list[str]:
    for part in ("xl/sharedStrings.xml", "xl/SharedStrings.xml"):
        if part in package.data:
            return [_text(item) for item in package.read(part).iterfind(f"{M}si")]
    return []


def read_sheet(package: Package, name: str, styles: _Styles) -> SheetCells:
    """A worksheet's cells, values as Excel saved them, read in one pass."""
    root = package.read(package.sheets[name])
    sheet = SheetCells(name)
    data = root.find(f"{M}sheetData")
    codes, dates, strings = styles.codes, styles.dates, styles.strings
    previous_row = 0
    for row in data.iterfind(f"{M}row") if data is not None else ():
        number = int(row.get("r") or previous_row + 1)
        previous_row = number
        values: dict[int, object] = {}
        formats: dict[int, str] = {}
        column = 0
        for cell in row:
            ref = cell.get("r")
            column = _column_number(ref.rstrip(_DIGITS)) if ref else column + 1
            style = int(cell.get("s") or 0)
            code = codes[style] if style < len(codes) else "General"
            if code != "General":
                formats[column] = code
            kind = cell.get("t", "n")
            saved = formula = inline = None
            for child in cell:
                tag = child.tag
                if tag == _V:
                    saved = child.text
                elif tag == _F:
                    formula = child.text or f"(a {child.get('t') or 'shared'} formula)"
                elif tag == _IS:
                    inline = _text(child)
            if kind == "inlineStr":
                value: object = inline
            elif saved is None:
                value = None
                if formula is not None:
                    sheet.unsaved[(number, column)] = formula
            elif kind == "s":
                value = strings[int(saved)]
            elif kind in ("str", "e"):
                value = saved
            elif kind == "b":
                value = saved.strip() in ("1", "true")
            elif kind == "d":
                value = datetime.fromisoformat(saved.strip().removesuffix("Z"))
            else:
                text = saved.strip()
                value = float(text) if ("." in text or "E" in text or "e" in text
                                        or text in ("inf", "nan")) else int(text)
                if style < len(dates) and dates[style]:
                    value = from_excel(value, styles.epoch)
            if value is not None and value != "":
                values[column] = value
        if row.find(f"{M}c") is not None:
            sheet.max_row = number
            sheet.max_column = max(sheet.max_column, column)
        if values:
            sheet.values[number] = values
        if formats:
            sheet.formats[number] = formats
    merges = root.find(f"{M}mergeCells")
    if merges is not None:
        sheet.merged = [merge.get("ref", "") for merge in merges if merge.get("ref")]
    return sheet
