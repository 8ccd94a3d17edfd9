"""Apply an xlwings script's actions to an openpyxl workbook, as the Excel add-in would.

A script run through xlwings Server returns ``{"actions": [{func, args, values,
sheet_position, start_row, start_column, row_count, column_count}, ...]}``; the
add-in's JS (``xlwings_server/static/js/custom-scripts/index.js`` and its
``*-callbacks.js`` modules) applies them in order with Office.js.
``apply_actions(book, actions)`` does the same to an ``openpyxl.Workbook``, so a
test can save the result and look at it like the workbook an officer would see.

Addressing is the JS's: ``sheet_position`` indexes ``book.worksheets`` (all
worksheets, hidden ones included, in tab order; chart sheets are not
worksheets), and a range is ``getRangeByIndexes(start_row, start_column,
row_count, column_count)``, all 0-based. Table actions find the table by its
index in the sheet's table list (``args[0]``), in the order the payload lists
them.

Every func the JS knows is either handled here (``IMPLEMENTED``) or listed in
``NOT_IMPLEMENTED`` with the reason; those raise ``UnsupportedActionError`` (a
``NotImplementedError``) and a func the JS doesn't know raises
``UnknownActionError``, with the JS's own wording, so no action is ever
silently skipped. An action that fails raises its error with a note
"Action N (func) failed", as the JS reports it; actions before it stay applied,
as in Excel (there is no rollback).

Actions whose effect needs Excel itself are accepted and *recorded* rather than
applied: ``alert`` goes to ``apply_actions.alerts`` (dicts of prompt, title,
buttons, mode, callback), and ``setAutofit``, ``setSheetAutofit``,
``calculate``, ``save`` and ``setScreenUpdating`` go to
``apply_actions.unrendered`` (the actions themselves). Both lists are reset at
each call. A test that cares asserts on them.

Where openpyxl can only approximate Excel:

* Values (``setValues``) are parsed the way Excel parses typed text: a string
  starting with ``=`` is a formula, ``'`` makes the rest text, numbers
  (``"12"``, ``"-1.5e3"``, ``"45%"``), ``TRUE``/``FALSE``, ISO dates
  (``"2025-01-02"``, ``"2025-01-02 13:30:00"``, which is how the Python side
  sends dates) and times (``"13:30"``) become numbers, booleans and dates; a
  cell formatted as text (``@``) keeps the string. A date gets Excel's short date
  format (built-in 14) or date-time format (22) unless the cell already has a
  date format. ``null`` leaves the cell unchanged and ``""`` empties it, as in
  Office.js. Locale-dependent forms (``"1,234"``, ``"02/01/2025"``, currency)
  stay text here. Office.js documents that a value starting with ``+`` or ``-``
  is read as a formula too: a number like ``"-1.5"`` is a number, but text like
  ``"- none"`` raises, since what Excel makes of it (a formula, an error or a
  refusal) can't be known here; a script should write ``"'- none"``. Writing a
  table's header cell renames the column, as Excel does; a table is not
  auto-extended by writing below it.
* Column widths arrive in points; the file stores characters of the default
  font's widest digit. Points become whole pixels (96 dpi), then
  ``width = trunc(px / 7 * 256) / 256``: the 7-pixel digit of Calibri 11, the
  default font of ragbook's templates (``MAX_DIGIT_WIDTH_PX``).
* Borders arrive as separate color, weight and line-style actions per side;
  they are combined into the nearest OOXML border style (thin dash is
  ``dashed``, medium dash ``mediumDashed``...). Inside borders are written on
  both neighbouring cells.
* ``addNote`` notes get the author ``NOTE_AUTHOR`` (Excel uses the signed-in
  user) and openpyxl's default box size.
* ``addHyperlink`` sets the link, tooltip and the cell's text, not the
  "Hyperlink" cell style.
* Conditional formats (Office.js adds each new rule at the top priority) map to
  openpyxl rules; ``DataBar`` with a solid fill, and icon sets Excel added in
  2010 (stars, triangles, boxes), need Excel 2010 extensions openpyxl can't
  write, so they raise.
* ``clearConditionalFormats``, ``deleteDataValidation`` and a new validation
  cut the range out of existing rules' ranges, as Excel does.
* ``rangeClear`` also removes hyperlinks and notes (Excel's "Clear All");
  ``rangeClearFormats`` resets the cells' styles only.
* Renaming a sheet rewrites references to it in formulas, defined names, data
  validation and conditional formats, as Excel does; deleting one doesn't turn
  them into ``#REF!``.
* ``copySheet`` copies cells, styles, sizes, merges, notes, links, validation,
  conditional formats and panes; a sheet with tables raises (Excel renames the
  copied tables).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import (
    ColorScaleRule,
    DataBarRule,
    FormatObject,
    IconSet,
    Rule,
)
from openpyxl.formula.translate import Translator
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils import (
    column_index_from_string,
    get_column_letter,
    range_boundaries,
)
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.views import Selection
from openpyxl.worksheet.worksheet import Worksheet

from excel_payload import is_date_number_format

__all__ = [
    "IMPLEMENTED",
    "NOT_IMPLEMENTED",
    "RECORDED",
    "UnknownActionError",
    "UnsupportedActionError",
    "apply_actions",
]

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_DIGIT_WIDTH_PX = 7
"""Width in pixels of the widest digit of the workbook's default font (Calibri 11)."""
MAX_CELLS = 2_000_000
"""Cell-by-cell actions on more cells than this (whole columns or rows) raise."""
NOTE_AUTHOR = "Excel add-in"
DEFAULT_TABLE_STYLE = "TableStyleMedium2"
SHORT_DATE = BUILTIN_FORMATS[14]
DATE_TIME = BUILTIN_FORMATS[22]


class UnknownActionError(ValueError):
    """The add-in JS has no callback of that name: the real add-in stops there too."""


class UnsupportedActionError(NotImplementedError):
    """The add-in JS knows the func, but these tests can't apply it to a file."""


# --- addressing ----------------------------------------------------------------------------------

def _int(action: dict[str, Any], key: str) -> int:
    value = action.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be an integer, got {value!r}")
    return value


def _sheet(book: Workbook, action: dict[str, Any]) -> Worksheet:
    position = _int(action, "sheet_position")
    sheets = book.worksheets
    if not 0 <= position < len(sheets):
        raise IndexError(f"sheet_position {position} is out of range: the book has "
                         f"{len(sheets)} worksheet(s)")
    return sheets[position]


class _Range:
    """``getRangeByIndexes(start_row, start_column, row_count, column_count)``, 1-based inside."""

    def __init__(self, book: Workbook, action: dict[str, Any]):
        self.ws = _sheet(book, action)
        row, col = _int(action, "start_row"), _int(action, "start_column")
        nrows, ncols = _int(action, "row_count"), _int(action, "column_count")
        if row < 0 or col < 0 or nrows < 1 or ncols < 1:
            raise ValueError(f"Invalid range indexes {(row, col, nrows, ncols)}")
        if row + nrows > MAX_ROWS or col + ncols > MAX_COLUMNS:
            raise ValueError("The range goes past the end of the sheet")
        self.min_row, self.min_col = row + 1, col + 1
        self.max_row, self.max_col = row + nrows, col + ncols
        self.nrows, self.ncols = nrows, ncols

    @property
    def coord(self) -> str:
        first = f"{get_column_letter(self.min_col)}{self.min_row}"
        if self.nrows == self.ncols == 1:
            return first
        return f"{first}:{get_column_letter(self.max_col)}{self.max_row}"

    @property
    def cell_range(self) -> CellRange:
        return CellRange(min_col=self.min_col, min_row=self.min_row, max_col=self.max_col,
                         max_row=self.max_row)

    def cells(self) -> Iterator[Any]:
        if self.nrows * self.ncols > MAX_CELLS:
            raise UnsupportedActionError(
                f"{self.coord}: {self.nrows * self.ncols} cells one by one; whole rows or "
                "columns are only supported for widths, heights and hiding")
        for row in range(self.min_row, self.max_row + 1):
            for col in range(self.min_col, self.max_col + 1):
                yield self.ws.cell(row, col)


def _sheet_address(ws: Worksheet, address: object) -> CellRange:
    """An address given in args (``"$B$3"``, ``"A1:C4"``, ``"A:A"``, ``"1:3"``) on ``ws``."""
    text = str(address).rsplit("!", 1)[-1].replace("$", "")
    min_col, min_row, max_col, max_row = range_boundaries(text)
    return CellRange(min_col=min_col or 1, min_row=min_row or 1,
                     max_col=max_col or MAX_COLUMNS, max_row=max_row or MAX_ROWS)


def _quote(name: str) -> str:
    """A sheet name in a reference, quoted only when Excel quotes it."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and not re.fullmatch(
            r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", name):
        return name
    return "'" + name.replace("'", "''") + "'"


def _hex(value: object, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise ValueError(f"{what} must be #RRGGBB, not {value!r}")
    return "FF" + value[1:].upper()


def _table(ws: Worksheet, index: object) -> Table:
    tables = list(ws.tables.values())
    position = int(str(index))
    if not 0 <= position < len(tables):
        raise IndexError(f"{ws.title} has no table at index {position}")
    return tables[position]


def _subtract(ranges: MultiCellRange, cut: CellRange) -> MultiCellRange:
    """``ranges`` without the cells of ``cut``, as rectangles."""
    out = []
    for cr in ranges.ranges:
        if cr.isdisjoint(cut):
            out.append(CellRange(cr.coord))
            continue
        top, bottom = max(cr.min_row, cut.min_row), min(cr.max_row, cut.max_row)
        pieces = [
            (cr.min_col, cr.min_row, cr.max_col, cut.min_row - 1),
            (cr.min_col, cut.max_row + 1, cr.max_col, cr.max_row),
            (cr.min_col, top, cut.min_col - 1, bottom),
            (cut.max_col + 1, top, cr.max_col, bottom),
        ]
        for min_col, min_row, max_col, max_row in pieces:
            min_col, max_col = max(min_col, cr.min_col), min(max_col, cr.max_col)
            min_row, max_row = max(min_row, cr.min_row), min(max_row, cr.max_row)
            if min_col <= max_col and min_row <= max_row:
                out.append(CellRange(min_col=min_col, min_row=min_row, max_col=max_col,
                                     max_row=max_row))
    return MultiCellRange(out)


# --- values --------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ ](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _number(text: str) -> int | float:
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)


def _write_moment(cell: Any, moment: dt.datetime | dt.time, default_format: str) -> None:
    """A parsed date or time; Excel gives it a date format unless the cell has one."""
    keep = cell.number_format if is_date_number_format(cell.number_format) else default_format
    cell.value = moment  # openpyxl writes it as the serial, in the workbook's date system
    cell.number_format = keep


def _write(cell: Any, value: Any, *, formulas: bool) -> None:
    """Write one element of a ``values`` matrix the way Excel takes typed input."""
    if value is None:  # Office.js leaves the cell as it is
        return
    if cell.__class__.__name__ == "MergedCell":
        if value == "":
            return
        raise ValueError(f"{cell.coordinate} is inside a merged range; Excel only takes a "
                         "value in its top-left cell")
    if isinstance(value, bool | int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{cell.coordinate}: {value!r} is not a number Excel can hold")
        cell.value = value
        return
    if not isinstance(value, str):
        raise TypeError(f"{cell.coordinate}: can't write {value!r} ({type(value).__name__})")
    if value == "":
        cell.value = None
        return
    if cell.number_format == "@":  # a text cell keeps what is typed, "=A1" included
        cell.value = value
        cell.data_type = "s"
        return
    if value.startswith("'"):
        cell.value = value[1:]
        cell.data_type = "s"
        cell._style.quotePrefix = 1
        return
    if value.startswith("=") and len(value) > 1:
        cell.value = value
        return
    text = value.strip()
    if value[0] in "+-" and len(value) > 1 and not _NUMBER.fullmatch(text) and not (
            text.endswith("%") and _NUMBER.fullmatch(text[:-1].strip())):
        raise ValueError(
            f"{cell.coordinate}: Office.js reads a value starting with + or - as a formula, so "
            f"Excel would make {value!r} a formula (or reject it); apply_actions can't tell "
            "which. Write it with a leading apostrophe to keep it as text.")
    if _NUMBER.fullmatch(text):
        cell.value = _number(text)
        return
    if text.endswith("%") and _NUMBER.fullmatch(text[:-1].strip()):
        number = text[:-1].strip()
        cell.value = float(number) / 100
        if not cell.number_format.endswith("%"):
            cell.number_format = "0.00%" if "." in number else "0%"
        return
    if text.upper() in ("TRUE", "FALSE"):
        cell.value = text.upper() == "TRUE"
        return
    if match := _DATE.fullmatch(text):
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            moment = dt.datetime(year, month, day, hour, minute, second)
        except ValueError:
            cell.value = value
            return
        _write_moment(cell, moment, DATE_TIME if match.group(4) else SHORT_DATE)
        return
    if (match := _TIME.fullmatch(text)) and int(match[1]) < 24 and int(match[2]) < 60:
        moment = dt.time(int(match[1]), int(match[2]), int(match[3] or 0))
        _write_moment(cell, moment, "h:mm:ss" if match[3] else "h:mm")
        return
    cell.value = value  # text; openpyxl makes "#N/A" and the like error values, as Excel does


def _sync_table_columns(ws: Worksheet, rng: _Range | None = None) -> None:
    """Excel renames a table column when its header cell changes."""
    for table in ws.tables.values():
        if table.headerRowCount == 0:
            continue
        min_col, min_row, max_col, _ = range_boundaries(table.ref)
        if rng is not None and not (rng.min_row <= min_row <= rng.max_row
                                    and rng.min_col <= max_col and min_col <= rng.max_col):
            continue
        _name_columns(ws, table, min_col, min_row, max_col)


def _name_columns(ws: Worksheet, table: Table, min_col: int, min_row: int, max_col: int) -> None:
    """Column names from the header cells: blanks become ColumnN, repeats get 2, 3..."""
    old = {column.name: column for column in table.tableColumns}
    columns, seen = [], set()
    for offset, col in enumerate(range(min_col, max_col + 1)):
        cell = ws.cell(min_row, col)
        value = cell.value
        if value is None or value == "":
            name = f"Column{offset + 1}"
        elif isinstance(value, bool):
            name = "TRUE" if value else "FALSE"
        elif isinstance(value, float) and value.is_integer():
            name = str(int(value))
        else:
            name = str(value)
        base, suffix = name, 2
        while name.lower() in seen:
            name = f"{base}{suffix}"
            suffix += 1
        seen.add(name.lower())
        if cell.value != name:
            cell.value = name
            cell.data_type = "s"
        column = copy.copy(old[name]) if name in old else TableColumn(id=offset + 1, name=name)
        column.id = offset + 1
        columns.append(column)
    table.tableColumns = columns


def _values_matrix(action: dict[str, Any], rng: _Range) -> list[list[Any]]:
    values = action.get("values")
    if (not isinstance(values, list) or len(values) != rng.nrows
            or any(not isinstance(row, list) or len(row) != rng.ncols for row in values)):
        raise ValueError(
            f"The number of rows or columns in the input array doesn't match the size or "
            f"dimensions of the range ({rng.nrows}x{rng.ncols} at {rng.coord})")
    return values


def _set_values(book: Workbook, action: dict[str, Any], *, formulas: bool = False) -> None:
    rng = _Range(book, action)
    values = _values_matrix(action, rng)
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            _write(rng.ws.cell(rng.min_row + r, rng.min_col + c), value, formulas=formulas)
    _sync_table_columns(rng.ws, rng)


def setValues(book: Workbook, action: dict[str, Any]) -> None:
    _set_values(book, action)


def setFormula(book: Workbook, action: dict[str, Any]) -> None:
    _set_values(book, action, formulas=True)


def _clear(cell: Any, *, contents: bool, formats: bool, everything: bool = False) -> None:
    if cell.__class__.__name__ == "MergedCell":
        if formats:
            cell.style = "Normal"
        return
    if contents:
        cell.value = None
    if formats:
        cell.style = "Normal"
    if everything:
        cell.hyperlink = None
        cell.comment = None


def rangeClearContents(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    for cell in rng.cells():
        _clear(cell, contents=True, formats=False)
    _sync_table_columns(rng.ws, rng)


def rangeClearFormats(book: Workbook, action: dict[str, Any]) -> None:
    for cell in _Range(book, action).cells():
        _clear(cell, contents=False, formats=True)


def rangeClear(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    for cell in rng.cells():
        _clear(cell, contents=True, formats=True, everything=True)
    _sync_table_columns(rng.ws, rng)


def _sheet_cells(ws: Worksheet) -> list[Any]:
    return list(ws._cells.values())


def sheetClear(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    for cell in _sheet_cells(ws):
        _clear(cell, contents=True, formats=True, everything=True)
    _sync_table_columns(ws)


def sheetClearContents(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    for cell in _sheet_cells(ws):
        _clear(cell, contents=True, formats=False)
    _sync_table_columns(ws)


def sheetClearFormats(book: Workbook, action: dict[str, Any]) -> None:
    for cell in _sheet_cells(_sheet(book, action)):
        _clear(cell, contents=False, formats=True)


# --- formats -------------------------------------------------------------------------------------

def _solid(color: str) -> PatternFill:
    return PatternFill(fill_type="solid", fgColor=color, bgColor=color)


def setRangeColor(book: Workbook, action: dict[str, Any]) -> None:
    color = action["args"][0]
    fill = PatternFill(fill_type=None) if color is None else _solid(_hex(color, "Fill color"))
    for cell in _Range(book, action).cells():
        cell.fill = fill


def setRangeColors(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    if rng.nrows * rng.ncols > 10_000:
        raise ValueError("Range.set_colors() supports at most 10000 cells per call.")
    colors = (action.get("args") or [None])[0]
    if (not isinstance(colors, list) or len(colors) != rng.nrows
            or any(not isinstance(row, list) or len(row) != rng.ncols for row in colors)):
        raise ValueError("set_colors() matrix shape does not match the range.")
    for r, row in enumerate(colors):
        for c, color in enumerate(row):
            if color == "keep":
                continue
            cell = rng.ws.cell(rng.min_row + r, rng.min_col + c)
            cell.fill = (PatternFill(fill_type=None) if color is None
                         else _solid(_hex(color, "set_colors() color")))


def setFontProperty(book: Workbook, action: dict[str, Any]) -> None:
    prop, value = action["args"][0], action["args"][1]
    if prop in ("bold", "italic"):
        changes = {prop: bool(value)}
    elif prop == "size":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"Font size must be a positive number, not {value!r}")
        changes = {"sz": float(value)}
    elif prop == "color":
        changes = {"color": _hex(value, "Font color")}
    elif prop == "name":
        if not isinstance(value, str) or not value:
            raise ValueError(f"Font name must be a non-empty string, not {value!r}")
        changes = {"name": value}
    else:
        raise ValueError(f"Unknown font property {prop!r}")
    for cell in _Range(book, action).cells():
        font = copy.copy(cell.font)
        for key, val in changes.items():
            setattr(font, key, val)
        cell.font = font


def setNumberFormat(book: Workbook, action: dict[str, Any]) -> None:
    fmt = str(action["args"][0])
    for cell in _Range(book, action).cells():
        cell.number_format = fmt


_HORIZONTAL = {"General": "general", "Left": "left", "Center": "center", "Right": "right",
               "Fill": "fill", "Justify": "justify",
               "CenterAcrossSelection": "centerContinuous", "Distributed": "distributed"}
_VERTICAL = {"Top": "top", "Center": "center", "Bottom": "bottom", "Justify": "justify",
             "Distributed": "distributed"}


def _align(book: Workbook, action: dict[str, Any], **changes: Any) -> None:
    for cell in _Range(book, action).cells():
        alignment = copy.copy(cell.alignment)
        for key, value in changes.items():
            if key == "indent_by":
                alignment.indent = max(0, min(250, int(alignment.indent or 0) + value))
            else:
                setattr(alignment, key, value)
        cell.alignment = alignment


def setHorizontalAlignment(book: Workbook, action: dict[str, Any]) -> None:
    value = action["args"][0]
    if value not in _HORIZONTAL:
        raise ValueError(f"Invalid horizontal alignment {value!r}")
    _align(book, action, horizontal=_HORIZONTAL[value])


def setVerticalAlignment(book: Workbook, action: dict[str, Any]) -> None:
    value = action["args"][0]
    if value not in _VERTICAL:
        raise ValueError(f"Invalid vertical alignment {value!r}")
    _align(book, action, vertical=_VERTICAL[value])


def setWrapText(book: Workbook, action: dict[str, Any]) -> None:
    _align(book, action, wrap_text=bool(action["args"][0]))


def rangeAdjustIndent(book: Workbook, action: dict[str, Any]) -> None:
    _align(book, action, indent_by=int(str(action["args"][0])))


# Border line styles and weights (Office.js names as xlwings sends them) <-> OOXML styles.
_BORDER_SIDES = {"edge_top", "edge_bottom", "edge_left", "edge_right", "inside_vertical",
                 "inside_horizontal", "diagonal_down", "diagonal_up"}
_LINE_STYLES = {"continuous", "dash", "dash_dot", "dash_dot_dot", "dot", "double",
                "slant_dash_dot", "none"}
_WEIGHTS = {"hairline", "thin", "medium", "thick"}
_FROM_OOXML = {
    "hair": ("continuous", "hairline"), "thin": ("continuous", "thin"),
    "medium": ("continuous", "medium"), "thick": ("continuous", "thick"),
    "dashed": ("dash", "thin"), "mediumDashed": ("dash", "medium"),
    "dotted": ("dot", "thin"), "dashDot": ("dash_dot", "thin"),
    "mediumDashDot": ("dash_dot", "medium"), "dashDotDot": ("dash_dot_dot", "thin"),
    "mediumDashDotDot": ("dash_dot_dot", "medium"), "slantDashDot": ("slant_dash_dot", "medium"),
    "double": ("double", "thick"),
}


def _to_ooxml(line_style: str, weight: str) -> str | None:
    heavy = weight in ("medium", "thick")
    if line_style == "none":
        return None
    if line_style == "continuous":
        return {"hairline": "hair", "thin": "thin", "medium": "medium", "thick": "thick"}[weight]
    return {
        "dash": "mediumDashed" if heavy else "dashed",
        "dot": "dotted",
        "dash_dot": "mediumDashDot" if heavy else "dashDot",
        "dash_dot_dot": "mediumDashDotDot" if heavy else "dashDotDot",
        "slant_dash_dot": "slantDashDot",
        "double": "double",
    }[line_style]


def _update_side(side: Side | None, attribute: str, value: Any) -> Side:
    style = side.style if side is not None else None
    line_style, weight = _FROM_OOXML.get(style, ("none", "thin")) if style else ("none", "thin")
    color = side.color if side is not None and style else None
    if attribute == "line_style":
        line_style = "none" if value is None else value
        if line_style == "none":
            return Side()
    elif attribute == "weight":
        weight = value
        if line_style == "none":
            line_style = "continuous"
    else:
        color = value
        if line_style == "none":
            line_style = "continuous"
    return Side(style=_to_ooxml(line_style, weight), color=color)


def setBorderProperty(book: Workbook, action: dict[str, Any]) -> None:
    side, attribute, value = action["args"][:3]
    if side not in _BORDER_SIDES:
        raise ValueError(f"Unknown border side: {side}")
    if attribute == "line_style":
        if value is not None and value not in _LINE_STYLES:
            raise ValueError(f"Unknown border line style: {value}")
    elif attribute == "weight":
        if value not in _WEIGHTS:
            raise ValueError(f"Unknown border weight: {value}")
    elif attribute == "color":
        value = _hex(value, "Border color")
    else:
        raise ValueError(f"Unknown border attribute: {attribute}")
    rng = _Range(book, action)
    for cell in rng.cells():
        row, col = cell.row, cell.column
        edges = []
        if side == "edge_top" and row == rng.min_row:
            edges.append("top")
        elif side == "edge_bottom" and row == rng.max_row:
            edges.append("bottom")
        elif side == "edge_left" and col == rng.min_col:
            edges.append("left")
        elif side == "edge_right" and col == rng.max_col:
            edges.append("right")
        elif side == "inside_vertical":
            edges += (["right"] if col < rng.max_col else []) + (
                ["left"] if col > rng.min_col else [])
        elif side == "inside_horizontal":
            edges += (["bottom"] if row < rng.max_row else []) + (
                ["top"] if row > rng.min_row else [])
        elif side in ("diagonal_down", "diagonal_up"):
            edges.append("diagonal")
        if not edges:
            continue
        border = copy.copy(cell.border)
        for edge in edges:
            setattr(border, edge, _update_side(getattr(border, edge), attribute, value))
        if side == "diagonal_down":
            border.diagonalDown = bool(border.diagonal and border.diagonal.style)
        elif side == "diagonal_up":
            border.diagonalUp = bool(border.diagonal and border.diagonal.style)
        cell.border = Border(left=border.left, right=border.right, top=border.top,
                             bottom=border.bottom, diagonal=border.diagonal,
                             diagonalUp=border.diagonalUp, diagonalDown=border.diagonalDown)


# --- sizes, visibility, merging, grouping --------------------------------------------------------

def _split_column_groups(ws: Worksheet) -> None:
    """One ColumnDimension per column, so that changing one column leaves its group alone."""
    for key, dim in list(ws.column_dimensions.items()):
        low, high = dim.min, dim.max
        if low and high and high > low:
            for col in range(low, high + 1):
                letter = get_column_letter(col)
                single = copy.copy(dim)
                single.index, single.min, single.max = letter, col, col
                ws.column_dimensions[letter] = single
            if key != get_column_letter(low) and key in ws.column_dimensions:
                del ws.column_dimensions[key]


def _columns(rng: _Range) -> Iterator[Any]:
    _split_column_groups(rng.ws)
    for col in range(rng.min_col, rng.max_col + 1):
        dim = rng.ws.column_dimensions[get_column_letter(col)]
        dim.min = dim.max = col
        yield dim


def points_to_width(points: float) -> float:
    """Office.js column width (points) -> the file's width (characters of the widest digit)."""
    pixels = round(points * 96 / 72)
    return math.trunc(pixels / MAX_DIGIT_WIDTH_PX * 256) / 256


def setColumnWidth(book: Workbook, action: dict[str, Any]) -> None:
    points = action["args"][0]
    if (isinstance(points, bool) or not isinstance(points, int | float)
            or not math.isfinite(points) or points < 0):
        raise ValueError("column_width must be a non-negative number.")
    for dim in _columns(_Range(book, action)):
        dim.width = points_to_width(points)
        dim.hidden = points == 0


def setRowHeight(book: Workbook, action: dict[str, Any]) -> None:
    points = float(str(action["args"][0]))
    rng = _Range(book, action)
    for row in range(rng.min_row, rng.max_row + 1):
        rng.ws.row_dimensions[row].height = points
        rng.ws.row_dimensions[row].hidden = points == 0


def _hidden(book: Workbook, action: dict[str, Any], axis: str) -> None:
    value = (action.get("args") or [None])[0]
    if not isinstance(value, bool):
        raise ValueError("hidden must be a boolean.")
    rng = _Range(book, action)
    if axis == "rows":
        for row in range(rng.min_row, rng.max_row + 1):
            rng.ws.row_dimensions[row].hidden = value
    else:
        for dim in _columns(rng):
            dim.hidden = value


def setRowHidden(book: Workbook, action: dict[str, Any]) -> None:
    _hidden(book, action, "rows")


def setColumnHidden(book: Workbook, action: dict[str, Any]) -> None:
    _hidden(book, action, "columns")


def _group(book: Workbook, action: dict[str, Any], step: int) -> None:
    rng = _Range(book, action)
    if str(action["args"][0]) == "columns":
        dims: list[Any] = list(_columns(rng))
    else:
        dims = [rng.ws.row_dimensions[row] for row in range(rng.min_row, rng.max_row + 1)]
    for dim in dims:
        dim.outline_level = max(0, min(7, (dim.outline_level or 0) + step))


def rangeGroup(book: Workbook, action: dict[str, Any]) -> None:
    _group(book, action, +1)


def rangeUngroup(book: Workbook, action: dict[str, Any]) -> None:
    _group(book, action, -1)


def rangeMerge(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    across = bool((action.get("args") or [False])[0])
    rows = [(r, r) for r in range(rng.min_row, rng.max_row + 1)] if across else [
        (rng.min_row, rng.max_row)]
    for top, bottom in rows:
        target = CellRange(min_col=rng.min_col, min_row=top, max_col=rng.max_col,
                           max_row=bottom)
        if target.size["rows"] * target.size["columns"] == 1:
            continue
        for merged in list(rng.ws.merged_cells.ranges):
            if merged.isdisjoint(target):
                continue
            if not merged.issubset(target):
                raise ValueError(f"Can't merge {target.coord}: it partly overlaps the merged "
                                 f"cells {merged.coord}")
            rng.ws.unmerge_cells(merged.coord)
        # Excel keeps the top-left value only (openpyxl's merge drops the others).
        rng.ws.merge_cells(target.coord)


def rangeUnmerge(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    for merged in list(rng.ws.merged_cells.ranges):
        if not merged.isdisjoint(rng.cell_range):
            rng.ws.unmerge_cells(merged.coord)


# --- sheets --------------------------------------------------------------------------------------

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _check_sheet_name(book: Workbook, name: str, renaming: Worksheet | None = None) -> None:
    if not name or len(name) > 31 or _BAD_SHEET_CHARS.search(name) or name[0] == "'" or \
            name[-1] == "'":
        raise ValueError(f"{name!r} is not a valid sheet name")
    for ws in book.worksheets + list(book.chartsheets):
        if ws is not renaming and ws.title.lower() == name.lower():
            raise ValueError(f"A sheet named {name!r} already exists")


def _select_tab(book: Workbook, ws: Worksheet) -> None:
    book.active = book._sheets.index(ws)
    for other in book.worksheets:
        other.sheet_view.tabSelected = other is ws


def addSheet(book: Workbook, action: dict[str, Any]) -> None:
    position = int(str(action["args"][0]))
    name = action["args"][1]
    if name is None:
        number = 1
        while f"Sheet{number}".lower() in {ws.title.lower() for ws in book.worksheets}:
            number += 1
        name = f"Sheet{number}"
    name = str(name)
    _check_sheet_name(book, name)
    if not 0 <= position <= len(book.worksheets):
        raise IndexError(f"Sheet position {position} is out of range")
    active = book.active
    ws = book.create_sheet(title=name, index=position)
    ws.sheet_view.tabSelected = False
    if active is not None:  # Office.js' worksheets.add() doesn't activate the new sheet
        book.active = book._sheets.index(active)


def setSheetName(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    new = str(action["args"][0])
    if new == ws.title:
        return
    _check_sheet_name(book, new, renaming=ws)
    _rename_references(book, ws.title, new)
    ws.title = new


def setSheetPosition(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    position = int(str(action["args"][0]))
    if not 0 <= position < len(book.worksheets):
        raise IndexError(f"Sheet position {position} is out of range")
    active = book.active
    book._sheets.remove(ws)
    book._sheets.insert(position, ws)
    if active is not None:
        book.active = book._sheets.index(active)


_VISIBILITY = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}


def setSheetVisibility(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    value = str(action["args"][0])
    if value not in _VISIBILITY:
        raise ValueError(f"Invalid sheet visibility {value!r}")
    state = _VISIBILITY[value]
    if state != "visible":
        visible = [s for s in book.worksheets if s.sheet_state == "visible" and s is not ws]
        if not visible:
            raise ValueError("A workbook must contain at least one visible worksheet.")
        if book.active is ws:
            _select_tab(book, visible[0])
    ws.sheet_state = state


def setShowGridlines(book: Workbook, action: dict[str, Any]) -> None:
    _sheet(book, action).sheet_view.showGridLines = bool(action["args"][0])


def setPrintArea(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    area = action["args"][0]
    ws.print_area = None if area is None or str(area) == "" else str(area).replace("$", "")


def activateSheet(book: Workbook, action: dict[str, Any]) -> None:
    position = int(str(action["args"][0]))
    ws = book.worksheets[position]
    if ws.sheet_state != "visible":
        raise ValueError(f"Can't activate the hidden sheet {ws.title!r}")
    _select_tab(book, ws)


def sheetDelete(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    others = [s for s in book.worksheets if s is not ws and s.sheet_state == "visible"]
    if not others:
        raise ValueError("A workbook must contain at least one visible worksheet.")
    was_active = book.active is ws
    active = book.active
    book.remove(ws)
    if was_active:
        _select_tab(book, others[0])
    elif active is not None:
        book.active = book._sheets.index(active)


def copySheet(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    where, relative, name = str(action["args"][0]), int(str(action["args"][1])), \
        str(action["args"][2])
    if ws.tables:
        raise UnsupportedActionError(f"Copying {ws.title!r} needs its tables renamed the way "
                                     "Excel does; not replicated")
    if where not in ("Before", "After"):
        raise ValueError(f"Invalid position type {where!r}")
    _check_sheet_name(book, name)
    target = book.worksheets[relative]
    active = book.active
    new = book.copy_worksheet(ws)
    new.title = name
    new.views.sheetView[0] = copy.deepcopy(ws.sheet_view)  # gridlines, panes, selection
    new.sheet_view.tabSelected = False
    new.sheet_state = ws.sheet_state
    for dv in ws.data_validations.dataValidation:
        new.data_validations.append(copy.deepcopy(dv))
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            new.conditional_formatting.add(str(cf.sqref), copy.deepcopy(rule))
    if ws.print_area:
        new.print_area = ws.print_area.replace(_quote(ws.title) + "!", "")
    book._sheets.remove(new)
    index = book._sheets.index(target) + (1 if where == "After" else 0)
    book._sheets.insert(index, new)
    if active is not None:
        book.active = book._sheets.index(active)


def _sheet_ref_pattern(name: str) -> re.Pattern[str]:
    quoted = re.escape("'" + name.replace("'", "''") + "'")
    plain = re.escape(name)
    return re.compile(rf"(?:{quoted}|(?<![\w.']){plain})!", re.IGNORECASE)


def _rename_references(book: Workbook, old: str, new: str) -> None:
    pattern = _sheet_ref_pattern(old)
    replacement = _quote(new) + "!"

    def fix(text: str | None) -> str | None:
        return pattern.sub(lambda _m: replacement, text) if isinstance(text, str) else text

    for ws in book.worksheets:
        for cell in ws._cells.values():
            if cell.data_type == "f" and isinstance(cell.value, str):
                cell.value = fix(cell.value)
        for dv in ws.data_validations.dataValidation:
            dv.formula1, dv.formula2 = fix(dv.formula1), fix(dv.formula2)
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                rule.formula = [fix(f) for f in rule.formula]
        for defined in ws.defined_names.values():
            defined.attr_text = fix(defined.attr_text)
    for defined in book.defined_names.values():
        defined.attr_text = fix(defined.attr_text)


def freezePaneAtRange(book: Workbook, action: dict[str, Any]) -> None:
    """Office.js ``freezeAt(range)``: the range is the frozen top-left pane, so ``"1:1"``
    freezes row 1, ``"A:A"`` column A, and ``"B2"`` rows 1-2 and columns A-B."""
    ws = _sheet(book, action)
    text = str(action["args"][0]).rsplit("!", 1)[-1].replace("$", "").upper()
    last = text.split(":")[-1]
    if re.fullmatch(r"\d+(?::\d+)?", text):
        ws.freeze_panes = f"A{int(last) + 1}"
    elif re.fullmatch(r"[A-Z]+(?::[A-Z]+)?", text):
        ws.freeze_panes = f"{get_column_letter(column_index_from_string(last) + 1)}1"
    else:
        _, _, max_col, max_row = range_boundaries(text)
        ws.freeze_panes = f"{get_column_letter(max_col + 1)}{max_row + 1}"


def freezePaneUnfreeze(book: Workbook, action: dict[str, Any]) -> None:
    _sheet(book, action).freeze_panes = None


def rangeSelect(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    _select_tab(book, rng.ws)
    view = rng.ws.sheet_view
    pane = view.pane.activePane if view.pane is not None else None
    first = f"{get_column_letter(rng.min_col)}{rng.min_row}"
    view.selection = [Selection(pane=pane, activeCell=first, sqref=rng.coord)]


def setCalculation(book: Workbook, action: dict[str, Any]) -> None:
    modes = {"Automatic": "auto", "Manual": "manual", "AutomaticExceptTables": "autoNoTable",
             "Semiautomatic": "autoNoTable"}
    mode = str(action["args"][0])
    if mode not in modes:
        raise ValueError(f"Invalid calculation mode {mode!r}")
    book.calculation.calcMode = modes[mode]


# --- notes, links, names -------------------------------------------------------------------------

def _single_cell(ws: Worksheet, address: object) -> Any:
    cr = _sheet_address(ws, address)
    if cr.size["rows"] != 1 or cr.size["columns"] != 1:
        raise ValueError("A note can only be added to a single cell")
    return ws.cell(cr.min_row, cr.min_col)


def addNote(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    cell = _single_cell(ws, action["args"][0])
    if cell.comment is not None:
        raise ValueError(f"A note already exists on {action['args'][0]}")
    cell.comment = Comment(str(action["args"][1]), NOTE_AUTHOR)


def setNoteText(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    address = str(action["args"][0])
    cell = _single_cell(ws, address)
    if cell.comment is None:
        raise ValueError(f"There's no note on {address} to set the text of.")
    old = cell.comment
    cell.comment = Comment(str(action["args"][1]), old.author, old.height, old.width)


def deleteNote(book: Workbook, action: dict[str, Any]) -> None:
    cell = _single_cell(_sheet(book, action), action["args"][0])
    cell.comment = None


def _text(value: object, what: str) -> str:
    if value is None:  # the JS calls .toString() on it
        raise TypeError(f"{what} is null (the add-in JS calls toString() on it)")
    return str(value)


def addHyperlink(book: Workbook, action: dict[str, Any]) -> None:
    address = _text(action["args"][0], "address")
    display = _text(action["args"][1], "text_to_display")
    tip = _text(action["args"][2], "screen_tip")
    for cell in _Range(book, action).cells():
        if address.startswith("#"):
            link = Hyperlink(ref=cell.coordinate, location=address[1:], tooltip=tip,
                             display=display)
        else:
            link = Hyperlink(ref=cell.coordinate, target=address, tooltip=tip, display=display)
        cell.hyperlink = link
        cell.value = display


def _names_of(book: Workbook, scope: Worksheet | None) -> Any:
    return book.defined_names if scope is None else scope.defined_names


def _add_name(book: Workbook, scope: Worksheet | None, name: str, refers_to: str) -> None:
    names = _names_of(book, scope)
    if any(key.lower() == name.lower() for key in names):
        raise ValueError(f"The name {name!r} already exists")
    if not re.fullmatch(r"[A-Za-z_\\][\w.\\]*", name) or re.fullmatch(
            r"[A-Za-z]{1,3}\d+|[RrCc]", name):
        raise ValueError(f"{name!r} is not a valid name")
    names[name] = DefinedName(name, attr_text=refers_to[1:] if refers_to.startswith("=")
                              else refers_to)


def namesAdd(book: Workbook, action: dict[str, Any]) -> None:
    scope = None if action.get("sheet_position") is None else _sheet(book, action)
    _add_name(book, scope, str(action["args"][0]), str(action["args"][1]))


def setRangeName(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    absolute = f"${get_column_letter(rng.min_col)}${rng.min_row}"
    if rng.nrows * rng.ncols > 1:
        absolute += f":${get_column_letter(rng.max_col)}${rng.max_row}"
    _add_name(book, None, str(action["args"][0]), f"{_quote(rng.ws.title)}!{absolute}")


def _scoped_name(book: Workbook, name: str, book_scope: bool, scope_index: Any) -> tuple[Any, str]:
    names = book.defined_names if book_scope else book.worksheets[int(scope_index)].defined_names
    for key in names:
        if key.lower() == name.lower():
            return names, key
    raise KeyError(f"No name {name!r} in that scope")


def nameDelete(book: Workbook, action: dict[str, Any]) -> None:
    args = action["args"]
    names, key = _scoped_name(book, str(args[2]), bool(args[4]), args[5])
    del names[key]


def setNameRefersTo(book: Workbook, action: dict[str, Any]) -> None:
    name, book_scope, scope_index, refers_to = action["args"][:4]
    names, key = _scoped_name(book, str(name), bool(book_scope), scope_index)
    text = str(refers_to)
    names[key].attr_text = text[1:] if text.startswith("=") else text


# --- tables --------------------------------------------------------------------------------------

def _all_table_names(book: Workbook) -> set[str]:
    return {table.displayName.lower() for ws in book.worksheets for table in ws.tables.values()}


def _check_table_name(book: Workbook, name: str) -> None:
    if not re.fullmatch(r"[A-Za-z_\\][\w.\\]*", name) or re.fullmatch(r"[A-Za-z]{1,3}\d+", name):
        raise ValueError(f"{name!r} is not a valid table name")
    if name.lower() in _all_table_names(book) or any(
            key.lower() == name.lower() for key in book.defined_names):
        raise ValueError(f"The name {name!r} is already used in the workbook")


def addTable(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    address, has_headers, style, name = [*action["args"], None, None, None, None][:4]
    if not bool(has_headers):
        raise UnsupportedActionError("addTable without headers: Excel inserts a header row and "
                                     "shifts the data down; not replicated")
    cr = _sheet_address(ws, address)
    if cr.size["rows"] < 2:
        raise ValueError("A table with headers needs at least two rows")
    for table in ws.tables.values():
        if not CellRange(table.ref).isdisjoint(cr):
            raise ValueError(f"{cr.coord} overlaps the table {table.displayName}")
    for merged in ws.merged_cells.ranges:
        if not merged.isdisjoint(cr):
            raise ValueError(f"A table can't overlap the merged cells {merged.coord}")
    if name is None:
        number, taken = 1, _all_table_names(book)
        while f"table{number}" in taken:
            number += 1
        name = f"Table{number}"
    name = str(name)
    _check_table_name(book, name)
    table = Table(displayName=name, name=name, ref=cr.coord,
                  tableStyleInfo=TableStyleInfo(name=str(style or DEFAULT_TABLE_STYLE),
                                                showFirstColumn=False, showLastColumn=False,
                                                showRowStripes=True, showColumnStripes=False),
                  autoFilter=AutoFilter(ref=cr.coord))
    _name_columns(ws, table, cr.min_col, cr.min_row, cr.max_col)
    ws.add_table(table)


def setTableName(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    table = _table(ws, action["args"][0])
    new = str(action["args"][1])
    if new == table.displayName:
        return
    _check_table_name(book, new)
    items = list(ws.tables.values())
    ws.tables.clear()
    table.displayName = table.name = new
    for t in items:
        ws.tables[t.displayName] = t


def setTableStyle(book: Workbook, action: dict[str, Any]) -> None:
    table = _table(_sheet(book, action), action["args"][0])
    if table.tableStyleInfo is None:
        table.tableStyleInfo = TableStyleInfo()
    table.tableStyleInfo.name = str(action["args"][1])


def _table_flag(attribute: str) -> Callable[[Workbook, dict[str, Any]], None]:
    def apply(book: Workbook, action: dict[str, Any]) -> None:
        table = _table(_sheet(book, action), action["args"][0])
        if table.tableStyleInfo is None:
            table.tableStyleInfo = TableStyleInfo(name=DEFAULT_TABLE_STYLE)
        setattr(table.tableStyleInfo, attribute, bool(action["args"][1]))
    return apply


def showAutofilterTable(book: Workbook, action: dict[str, Any]) -> None:
    table = _table(_sheet(book, action), action["args"][0])
    table.autoFilter = AutoFilter(ref=table.ref) if bool(action["args"][1]) else None


def resizeTable(book: Workbook, action: dict[str, Any]) -> None:
    ws = _sheet(book, action)
    table = _table(ws, action["args"][0])
    old, new = CellRange(table.ref), _sheet_address(ws, action["args"][1])
    if new.min_row != old.min_row or new.isdisjoint(old):
        raise ValueError("The header row must remain in the same row, and the resized table "
                         "must overlap the original")
    table.ref = new.coord
    if table.autoFilter is not None:
        table.autoFilter = AutoFilter(ref=new.coord)
    _name_columns(ws, table, new.min_col, new.min_row, new.max_col)


# --- conditional formats and data validation -----------------------------------------------------

_CF_OPERATORS = {"Between": "between", "NotBetween": "notBetween", "EqualTo": "equal",
                 "NotEqualTo": "notEqual", "GreaterThan": "greaterThan", "LessThan": "lessThan",
                 "GreaterThanOrEqual": "greaterThanOrEqual",
                 "LessThanOrEqual": "lessThanOrEqual"}
_THRESHOLDS = {"LowestValue": "min", "HighestValue": "max", "Number": "num",
               "Percent": "percent", "Percentile": "percentile", "Automatic": None}
_ICON_SETS = {"ThreeArrows": "3Arrows", "ThreeArrowsGray": "3ArrowsGray", "ThreeFlags": "3Flags",
              "ThreeTrafficLights1": "3TrafficLights1", "ThreeTrafficLights2": "3TrafficLights2",
              "ThreeSigns": "3Signs", "ThreeSymbols": "3Symbols", "ThreeSymbols2": "3Symbols2",
              "FourArrows": "4Arrows", "FourArrowsGray": "4ArrowsGray",
              "FourRedToBlack": "4RedToBlack", "FourRating": "4Rating",
              "FourTrafficLights": "4TrafficLights", "FiveArrows": "5Arrows",
              "FiveArrowsGray": "5ArrowsGray", "FiveRating": "5Rating",
              "FiveQuarters": "5Quarters"}


def _formula(text: object) -> str:
    value = str(text)
    return value[1:] if value.startswith("=") else value


def _dxf(spec: dict[str, Any]) -> DifferentialStyle:
    font_args: dict[str, Any] = {}
    if spec.get("font_color") is not None:
        font_args["color"] = _hex(spec["font_color"], "font_color")
    if spec.get("font_bold") is not None:
        font_args["b"] = bool(spec["font_bold"])
    if spec.get("font_italic") is not None:
        font_args["i"] = bool(spec["font_italic"])
    fill = None
    if spec.get("fill_color") is not None:
        fill = _solid(_hex(spec["fill_color"], "fill_color"))
    return DifferentialStyle(font=Font(**font_args) if font_args else None, fill=fill)


def _cfvo(kind: str, value: Any, end: str) -> FormatObject:
    mapped = _THRESHOLDS.get(kind, "")
    if mapped == "":
        raise ValueError(f"Invalid threshold type: {kind}")
    return FormatObject(type=mapped or end, val=None if value is None else str(value))


def _cf_rule(spec: dict[str, Any]) -> Rule:
    kind = spec.get("type")
    stop = spec.get("stop_if_true")
    if kind == "CellValue":
        operator = _CF_OPERATORS.get(spec.get("operator"))
        if operator is None:
            raise ValueError(f"Invalid conditional-format operator: {spec.get('operator')}")
        formulas = [_formula(spec["formula1"])]
        if operator in ("between", "notBetween"):
            formulas.append(_formula(spec["formula2"]))
        return Rule(type="cellIs", operator=operator, formula=formulas, dxf=_dxf(spec),
                    stopIfTrue=stop)
    if kind == "Custom":
        formula = spec.get("formula")
        if not isinstance(formula, str) or not formula.startswith("=") or len(formula) < 2:
            raise ValueError("formula must be a non-empty formula starting with '='.")
        return Rule(type="expression", formula=[formula[1:]], dxf=_dxf(spec), stopIfTrue=stop)
    if kind == "ColorScale":
        colors, types, values = spec["colors"], spec["threshold_types"], spec["thresholds"]
        points = [(_cfvo(t, v, "min"), _hex(c, "color")) for c, t, v in
                  zip(colors, types, values, strict=True)]
        args: dict[str, Any] = {
            "start_type": points[0][0].type, "start_value": points[0][0].val,
            "start_color": points[0][1],
            "end_type": points[-1][0].type, "end_value": points[-1][0].val,
            "end_color": points[-1][1]}
        if len(points) == 3:
            args.update(mid_type=points[1][0].type, mid_value=points[1][0].val,
                        mid_color=points[1][1])
        return ColorScaleRule(**args)
    if kind == "DataBar":
        if not spec.get("gradient", True):
            raise UnsupportedActionError("A solid-fill data bar needs an Excel 2010 extension "
                                         "openpyxl can't write")
        low = _cfvo(spec["threshold_types"][0], spec["thresholds"][0], "min")
        high = _cfvo(spec["threshold_types"][1], spec["thresholds"][1], "max")
        return DataBarRule(start_type=low.type, start_value=low.val, end_type=high.type,
                           end_value=high.val, color=_hex(spec["bar_color"], "bar_color"),
                           showValue=bool(spec.get("show_value", True)))
    if kind == "IconSet":
        style = _ICON_SETS.get(spec.get("icon_set"))
        if style is None:
            raise UnsupportedActionError(f"Icon set {spec.get('icon_set')!r} needs an Excel "
                                         "2010 extension openpyxl can't write")
        cfvo = [FormatObject(type="percent", val="0")] + [
            _cfvo(t, v, "num") for t, v in zip(spec["threshold_types"], spec["thresholds"],
                                               strict=True)]
        icons = IconSet(iconSet=style, cfvo=cfvo, showValue=bool(spec.get("show_value", True)),
                        reverse=bool(spec.get("reverse_order", False)))
        return Rule(type="iconSet", iconSet=icons)
    raise ValueError(f"Unsupported conditional-format type: {kind}")


def _anchor(ranges: MultiCellRange) -> str:
    """The cell relative references in a rule's formulas are relative to: the first range's
    top-left cell, in the order the file lists them."""
    first = ranges.sorted()[0]
    return f"{get_column_letter(first.min_col)}{first.min_row}"


def _reanchor(formula: str | None, old: str, new: str) -> str | None:
    """Excel keeps a rule meaning the same when cells are cut out of its range: relative
    references move with the range's top-left cell."""
    if formula is None or old == new:
        return formula
    return Translator("=" + formula, origin=old).translate_formula(new)[1:]


def _rebuild_cf(ws: Worksheet, keep: list[tuple[str, Rule]]) -> None:
    fresh = ConditionalFormattingList()
    for sqref, rule in keep:
        fresh.add(sqref, rule)
    fresh.max_priority = max((rule.priority or 0 for _, rule in keep), default=0)
    ws.conditional_formatting = fresh


def addConditionalFormat(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    spec = (action.get("args") or [None])[0]
    if not isinstance(spec, dict):
        raise ValueError("Conditional-format specification must be an object.")
    rule = _cf_rule(spec)
    existing = [(str(cf.sqref), r) for cf in rng.ws.conditional_formatting for r in cf.rules]
    for _, other in existing:  # Office.js: the new rule goes on top
        other.priority = (other.priority or 0) + 1
    rule.priority = 1
    _rebuild_cf(rng.ws, [*existing, (rng.coord, rule)])


def clearConditionalFormats(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    keep = []
    for cf in rng.ws.conditional_formatting:
        rest = _subtract(cf.sqref, rng.cell_range)
        if rest.ranges:
            old, new = _anchor(cf.sqref), _anchor(rest)
            for rule in cf.rules:
                rule.formula = [_reanchor(f, old, new) for f in rule.formula]
                keep.append((str(rest), rule))
    _rebuild_cf(rng.ws, keep)


def _validations_over(ws: Worksheet, cut: CellRange) -> tuple[list[DataValidation], bool]:
    """The validations touching ``cut``, and whether every cell of it has one."""
    touching = [dv for dv in ws.data_validations.dataValidation
                if any(not r.isdisjoint(cut) for r in dv.sqref.ranges)]
    covered = all(
        any(any(r.min_row <= row <= r.max_row and r.min_col <= col <= r.max_col
                for r in dv.sqref.ranges) for dv in touching)
        for row in range(cut.min_row, cut.max_row + 1)
        for col in range(cut.min_col, cut.max_col + 1)
    ) if touching else False
    return touching, covered


def _cut_validations(ws: Worksheet, cut: CellRange) -> None:
    kept = []
    for dv in ws.data_validations.dataValidation:
        rest = _subtract(dv.sqref, cut)
        if rest.ranges:
            old, new = _anchor(dv.sqref), _anchor(rest)
            dv.formula1 = _reanchor(dv.formula1, old, new)
            dv.formula2 = _reanchor(dv.formula2, old, new)
            dv.sqref = rest
            kept.append(dv)
    ws.data_validations.dataValidation = kept


def _set_validation(rng: _Range, **rule: Any) -> None:
    touching, covered = _validations_over(rng.ws, rng.cell_range)
    if len(touching) > 1 or (touching and not covered):
        raise ValueError("Cannot update data validation because the target cells have "
                         "different validation rules.")
    if touching:  # Assigning only the rule keeps ignoreBlanks, the prompt and the error alert
        old = touching[0]
        keep = {key: getattr(old, key) for key in (
            "allow_blank", "showErrorMessage", "showInputMessage", "errorTitle", "error",
            "promptTitle", "prompt", "errorStyle")}
    else:
        keep = {"allow_blank": True, "showErrorMessage": True, "showInputMessage": True,
                "errorStyle": "stop"}
    _cut_validations(rng.ws, rng.cell_range)
    dv = DataValidation(**rule, **keep)
    dv.sqref = MultiCellRange(rng.coord)
    rng.ws.data_validations.append(dv)


def setDataValidationList(book: Workbook, action: dict[str, Any]) -> None:
    source, in_cell_dropdown = [*(action.get("args") or []), None, None][:2]
    if not isinstance(in_cell_dropdown, bool):
        raise ValueError("in_cell_dropdown must be a boolean.")
    if not isinstance(source, dict):
        raise ValueError("Data validation list source must be an object.")
    rng = _Range(book, action)
    if source.get("type") == "literal":
        values = source.get("values")
        if (not isinstance(values, list) or not values
                or any(not isinstance(v, str) or "," in v or ";" in v for v in values)):
            raise ValueError("Literal data validation values must be a non-empty array of "
                             "strings without separators.")
        formula = ",".join(values)
        if len(formula) > 255:
            raise ValueError("A literal data validation source cannot exceed 255 characters.")
        formula = '"' + formula + '"'
    elif source.get("type") == "range":
        ws = _sheet(book, {"sheet_position": source.get("sheet_position")})
        part = _Range(book, source)
        if part.nrows != 1 and part.ncols != 1:
            raise ValueError("Data validation range sources must be one-dimensional.")
        formula = "$" + part.coord.replace(":", ":$")
        formula = re.sub(r"\$([A-Z]+)(\d+)", r"$\1$\2", formula)
        if ws is not rng.ws:
            formula = f"{_quote(ws.title)}!{formula}"
    elif source.get("type") == "name":
        if not isinstance(source.get("name"), str) or not source["name"]:
            raise ValueError("Data validation named sources require a name.")
        formula = source["name"]
    else:
        raise ValueError(f"Unknown data validation list source: {source.get('type')}")
    # OOXML's showDropDown is inverted: true hides the in-cell arrow.
    _set_validation(rng, type="list", formula1=formula, showDropDown=not in_cell_dropdown)


_DV_TYPES = {"whole_number": "whole", "decimal": "decimal", "date": "date", "time": "time",
             "text_length": "textLength"}
_DV_OPERATORS = {"between": "between", "not_between": "notBetween", "equal_to": "equal",
                 "not_equal_to": "notEqual", "greater_than": "greaterThan",
                 "less_than": "lessThan", "greater_than_or_equal": "greaterThanOrEqual",
                 "less_than_or_equal": "lessThanOrEqual"}


def setDataValidationRule(book: Workbook, action: dict[str, Any]) -> None:
    spec = (action.get("args") or [None])[0]
    if not isinstance(spec, dict):
        raise ValueError("Data validation rule must be an object.")
    rng = _Range(book, action)
    if spec.get("type") == "custom":
        formula = spec.get("formula1")
        if not isinstance(formula, str) or not formula.startswith("=") or len(formula) < 2:
            raise ValueError("Custom data validation requires one A1 formula.")
        _set_validation(rng, type="custom", formula1=formula[1:])
        return
    kind = _DV_TYPES.get(spec.get("type"))
    operator = _DV_OPERATORS.get(spec.get("operator"))
    if kind is None:
        raise ValueError(f"Unknown data validation rule type: {spec.get('type')}")
    if operator is None:
        raise ValueError(f"Unknown data validation operator: {spec.get('operator')}")
    rule: dict[str, Any] = {"type": kind, "operator": operator,
                            "formula1": _formula(spec["formula1"])}
    if operator in ("between", "notBetween"):
        rule["formula2"] = _formula(spec["formula2"])
    _set_validation(rng, **rule)


def deleteDataValidation(book: Workbook, action: dict[str, Any]) -> None:
    rng = _Range(book, action)
    _cut_validations(rng.ws, rng.cell_range)


# --- recorded, not applied -----------------------------------------------------------------------

def alert(book: Workbook, action: dict[str, Any]) -> None:
    prompt, title, buttons, mode, callback = (_text(a, "alert argument")
                                              for a in action["args"][:5])
    apply_actions.alerts.append({"prompt": prompt, "title": title, "buttons": buttons,
                                 "mode": mode, "callback": callback})


def _unrendered(book: Workbook, action: dict[str, Any]) -> None:
    apply_actions.unrendered.append(action)


# --- the table of funcs --------------------------------------------------------------------------

_HANDLERS: dict[str, Callable[[Workbook, dict[str, Any]], None]] = {
    "setValues": setValues,
    "setFormula": setFormula,
    "rangeClearContents": rangeClearContents,
    "rangeClearFormats": rangeClearFormats,
    "rangeClear": rangeClear,
    "sheetClear": sheetClear,
    "sheetClearContents": sheetClearContents,
    "sheetClearFormats": sheetClearFormats,
    "setRangeColor": setRangeColor,
    "setRangeColors": setRangeColors,
    "setFontProperty": setFontProperty,
    "setNumberFormat": setNumberFormat,
    "setHorizontalAlignment": setHorizontalAlignment,
    "setVerticalAlignment": setVerticalAlignment,
    "setWrapText": setWrapText,
    "rangeAdjustIndent": rangeAdjustIndent,
    "setBorderProperty": setBorderProperty,
    "setColumnWidth": setColumnWidth,
    "setRowHeight": setRowHeight,
    "setRowHidden": setRowHidden,
    "setColumnHidden": setColumnHidden,
    "rangeGroup": rangeGroup,
    "rangeUngroup": rangeUngroup,
    "rangeMerge": rangeMerge,
    "rangeUnmerge": rangeUnmerge,
    "addSheet": addSheet,
    "setSheetName": setSheetName,
    "setSheetPosition": setSheetPosition,
    "setSheetVisibility": setSheetVisibility,
    "setShowGridlines": setShowGridlines,
    "setPrintArea": setPrintArea,
    "activateSheet": activateSheet,
    "sheetDelete": sheetDelete,
    "copySheet": copySheet,
    "freezePaneAtRange": freezePaneAtRange,
    "freezePaneUnfreeze": freezePaneUnfreeze,
    "rangeSelect": rangeSelect,
    "setCalculation": setCalculation,
    "addNote": addNote,
    "setNoteText": setNoteText,
    "deleteNote": deleteNote,
    "addHyperlink": addHyperlink,
    "namesAdd": namesAdd,
    "setRangeName": setRangeName,
    "nameDelete": nameDelete,
    "setNameRefersTo": setNameRefersTo,
    "addTable": addTable,
    "setTableName": setTableName,
    "setTableStyle": setTableStyle,
    "showTableStyleFirstColumn": _table_flag("showFirstColumn"),
    "showTableStyleLastColumn": _table_flag("showLastColumn"),
    "showTableStyleRowStripes": _table_flag("showRowStripes"),
    "showTableStyleColumnStripes": _table_flag("showColumnStripes"),
    "showAutofilterTable": showAutofilterTable,
    "resizeTable": resizeTable,
    "addConditionalFormat": addConditionalFormat,
    "clearConditionalFormats": clearConditionalFormats,
    "setDataValidationList": setDataValidationList,
    "setDataValidationRule": setDataValidationRule,
    "deleteDataValidation": deleteDataValidation,
    "alert": alert,
    "setAutofit": _unrendered,
    "setSheetAutofit": _unrendered,
    "calculate": _unrendered,
    "save": _unrendered,
    "setScreenUpdating": _unrendered,
}

RECORDED = frozenset({"alert", "setAutofit", "setSheetAutofit", "calculate", "save",
                      "setScreenUpdating"})
"""Funcs accepted but only recorded (``apply_actions.alerts`` / ``.unrendered``)."""

IMPLEMENTED = frozenset(_HANDLERS)

_CELL_SHIFTS = ("shifts cells, and with them tables, merges, validation, conditional formats "
                "and formula references, as only Excel does")
NOT_IMPLEMENTED: dict[str, str] = {
    "setFormulaArray": "legacy CSE array formulas (ExcelApiDesktop only); not used by ragbook",
    "copyRange": "Excel's copy adjusts relative formula references",
    "copyFromRange": "Excel's copy adjusts relative formula references",
    "moveRange": "moving " + _CELL_SHIFTS,
    "rangeAutofill": "Excel's fill series logic",
    "rangeDelete": _CELL_SHIFTS,
    "rangeInsert": _CELL_SHIFTS,
    "rangeSort": "Excel's sort order and collation",
    "tableSort": "Excel's sort order and collation",
    "rangeRemoveDuplicates": "Excel's value comparison",
    "rangeReplaceAll": "Excel's find/replace matching rules",
    "addTableRow": _CELL_SHIFTS,
    "deleteTableRow": _CELL_SHIFTS,
    "addTableColumn": _CELL_SHIFTS,
    "deleteTableColumn": _CELL_SHIFTS,
    "showHeadersTable": "changes the table's rows, " + _CELL_SHIFTS,
    "showTotalsTable": "changes the table's rows, " + _CELL_SHIFTS,
    "applyAutoFilterRange": "filtering hides rows by Excel's evaluation of the criteria",
    "clearAutoFilterRange": "filtering hides rows by Excel's evaluation of the criteria",
    "applyAutoFilterTable": "filtering hides rows by Excel's evaluation of the criteria",
    "clearAutoFilterTable": "filtering hides rows by Excel's evaluation of the criteria",
    "setConditionalFormat": "addresses a rule by its position in Excel's per-range collection",
    "deleteConditionalFormat": "addresses a rule by its position in Excel's per-range "
                               "collection",
    "addComment": "threaded comments: openpyxl can't write them",
    "setCommentText": "threaded comments: openpyxl can't write them",
    "setCommentResolved": "threaded comments: openpyxl can't write them",
    "addCommentReply": "threaded comments: openpyxl can't write them",
    "deleteComment": "threaded comments: openpyxl can't write them",
    "runMacro": "calls a JS callback registered in the task pane",
}
_DRAWING = "drawing objects positioned by Excel's layout; the payload can't describe them either"
for _func in ("addChart", "setChartName", "setChartType", "setChartSourceData",
              "setChartXAxisValues", "setChartPosition", "deleteChart", "setChartTitle",
              "setChartAxis", "setChartSeries", "setChartLegend", "setChartPlotBy",
              "setChartStyle", "addPicture", "updatePicture", "deletePicture",
              "setPictureName", "setPictureWidth", "setPictureHeight", "setPictureLeft",
              "setPictureTop", "setPictureLockAspectRatio", "setShapeName", "setShapeLeft",
              "setShapeTop", "setShapeWidth", "setShapeHeight", "setShapeText",
              "setShapeFontProperty", "deleteShape", "scaleShape"):
    NOT_IMPLEMENTED[_func] = _DRAWING
for _func in ("addPivotTable", "setPivotTableName", "addPivotField", "removePivotField",
              "addPivotValueField", "setPivotValueField", "removePivotValueField",
              "setPivotLayout", "refreshPivotTable", "deletePivotTable"):
    NOT_IMPLEMENTED[_func] = "pivot tables are calculated by Excel"


def apply_actions(book: Workbook, actions: list[dict[str, Any]] | dict[str, Any]) -> None:
    """Apply ``actions`` (a list, or a script's whole ``{"actions": [...]}``) to ``book``."""
    apply_actions.alerts = []
    apply_actions.unrendered = []
    if isinstance(actions, dict):
        actions = actions.get("actions")  # type: ignore[assignment]
    if not isinstance(actions, list):
        raise ValueError("Action payload must contain an actions array")
    # What the add-in receives is JSON: tuples become lists, and anything else fails here.
    actions = json.loads(json.dumps(actions, allow_nan=False))
    for index, action in enumerate(actions):
        func = action.get("func") if isinstance(action, dict) else None
        handler = _HANDLERS.get(func) if isinstance(func, str) else None
        if handler is None:
            partial = (f" The preceding {index} action{'s may' if index != 1 else ' may'} "
                       "already have been applied.") if index else ""
            if isinstance(func, str) and func in NOT_IMPLEMENTED:
                raise UnsupportedActionError(
                    f"Action {index + 1}: {func!r} is an add-in action that apply_actions "
                    f"doesn't implement: {NOT_IMPLEMENTED[func]}.{partial}")
            raise UnknownActionError(
                f"Action {index + 1} has an unknown function: {func}.{partial}")
        try:
            handler(book, action)
        except Exception as error:
            error.add_note(f"Action {index + 1} ({func}) failed: {action}")
            raise


apply_actions.alerts = []  # type: ignore[attr-defined]
apply_actions.unrendered = []  # type: ignore[attr-defined]
