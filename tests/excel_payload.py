"""The JSON the Excel add-in sends for a workbook, built from the .xlsx file.

``payload_from_workbook(path_or_book)`` returns what ``getBookData()`` in the
installed xlwings Server JS (``xlwings_server/static/js/custom-scripts/index.js``,
with ``workbook-metadata.js`` and ``named-items.js``) would send if that
workbook were open in Excel and a task-pane button ran a script:

``{"client": "Office.js", "version": <installed xlwings>, "book": {name,
active_sheet_index, selection, calculation}, "sheets": [...], "names": [...]}``
plus ``"args"`` when the button passes arguments. Each sheet has exactly the
keys the JS sends: name, visibility, show_gridlines, print_area, notes,
notes_supported, used_range_address, used_range_row_count,
used_range_column_count, values, pictures, shapes, charts, tables,
pivot_tables. ``tests/test_addin_browser.py`` runs the real client in Chromium over
the same workbooks and fails if what it sends ever differs from what is built here.

How each part is made, and how faithful it is:

* values: A1 to the last cell of the *values-only* used range (cells holding a
  constant or a formula; formatting alone doesn't count), as Office.js
  ``getUsedRangeOrNullObject(true)`` gives it. Empty cells are ``""``. A formula
  cell carries the value Excel last calculated, read from the file's cache
  (openpyxl ``data_only=True``). Error values are their text (``"#DIV/0!"``).
  Numbers are JSON numbers: a whole float becomes an int, as ``JSON.stringify``
  writes ``5`` for ``5.0``. A number whose number format is a date or time
  format, by the JS's own test (``isDateNumberFormat``, ported here; it reads
  every section of the format, unlike openpyxl's ``is_date_format``), becomes
  ``new Date(Math.round((serial - 25569) * 86400000)).toISOString()``, e.g.
  ``"2025-03-31T00:00:00.000Z"``. openpyxl's datetimes are turned back into the
  serial first, in the workbook's own date system, so a 1904-system workbook
  gives the same (4 years early) strings the real add-in does.
* A formula with no cached value (a file written by openpyxl and never opened
  in Excel) can't be given the value Excel would calculate. By default this
  raises ``UncachedFormulaError``; ``uncached_formulas="empty"`` sends ``""``.
  (openpyxl reads a cached empty-string result as None too; those are told
  apart by the cell's ``t="str"`` in the sheet XML and sent as ``""``.)
  An ``openpyxl.Workbook`` argument is saved and read back first, so it looks
  like the file Excel would open; openpyxl writes no cached values, so all its
  formulas are uncached.
* tables: from the table parts: range, header/body/total row addresses (no
  ``$``, unqualified, as ``Range.address`` minus the sheet), column names, style
  and the style flags. ``show_autofilter`` is true when the table has an
  ``autoFilter`` element. A table with no ``tableStyleInfo`` reports style
  ``""`` (what Office.js reports there is not verified).
* names: book-scoped names, then the names scoped to each *included* sheet,
  like ``readNamedItems``. ``refers_to`` is ``"=" + the definition``; a
  single-area reference gets type ``"Range"`` with its unqualified address and
  sheet index; several areas get ``"Range"`` with address and sheet index
  ``None`` (as Office.js can't resolve them); ``#REF!`` gives ``"Error"``;
  literals give ``"Boolean"``, ``"Integer"``, ``"Double"``, ``"String"`` or
  ``"Array"``. Built-in names (``_xlnm.*``: print area, print titles, filter
  database) are left out (openpyxl moves them off the names list). The order
  within each scope is Excel's alphabetical (case-insensitive) order, which is
  assumed rather than verified for Office.js. A name defined by any other
  formula would need Excel to evaluate it to get its type, so it raises
  ``NotImplementedError``. (Excel on the web has been reported, in
  OfficeDev/office-js#1011, to list book-scoped names under each sheet too;
  that host bug is not replicated.)
* notes: the addresses of the cells with a legacy note (openpyxl's comments),
  row by row. Threaded comments are not notes in Office.js and are skipped
  (openpyxl sees them only as placeholder notes starting "[Threaded comment]").
* print_area: the sheet's print area areas, unqualified and without ``$``,
  comma-separated, or ``None``.
* pictures, shapes, charts, pivot_tables: always ``[]``. Their positions are in
  points measured by Excel's layout, which a file doesn't hold; so a workbook
  that has any of them raises ``NotImplementedError`` rather than sending a
  payload that pretends it has none. Shapes (which openpyxl doesn't load) are
  detected in the file's drawing parts when a path is given; for an
  ``openpyxl.Workbook`` argument they are already gone and can't be detected.
* Excluded sheets (``include``/``exclude``, or INCLUDE/EXCLUDE in an
  ``xlwings.conf`` sheet, as the JS reads them) send ``values [[]]``, no used
  range (``None``, 0, 0), and empty tables, notes, pictures, shapes and charts;
  their sheet-scoped names are left out.

What cannot be replicated without Excel, and the value used instead:

* ``book.selection``: the selection saved in the active sheet's view (the
  active pane's), which is what Excel shows when it opens the file; ``"A1"`` if
  none is saved; ``None`` for a multi-area selection (Office.js
  ``getSelectedRange`` fails on one). In a live Excel it is wherever the user
  clicked last.
* ``book.calculation``: from the file's ``calcPr`` (``"Automatic"``,
  ``"Manual"``, ``"AutomaticExceptTables"``; ``"Automatic"`` if absent). In
  Excel it is the application's mode, set by the first workbook opened.
* ``book.active_sheet_index``: the file's active tab (what Excel opens on).
* ``book.name``: the file name (``"plan.xlsx"``); ``"Book1"`` for a Workbook
  object, as for an unsaved Excel book, unless ``book_name`` is given.
* ``notes_supported``: ``True`` (ExcelApi 1.18, current Excel). Older hosts
  send ``False`` and no notes; pivot tables are ``null`` below ExcelApi 1.8.
* The order of ``sheet.tables`` is the file's table-part order (Office.js's
  collection order is not documented).
* Formula results that depend on the moment (``TODAY()``, ``NOW()``, ``RAND()``)
  are the cached ones, from when the file was last calculated.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from importlib.metadata import version as _package_version
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "UncachedFormulaError",
    "is_date_number_format",
    "iso_from_serial",
    "payload_from_workbook",
]

XLWINGS_VERSION = _package_version("xlwings")
"""What ``config.xlwingsVersion`` is: xlwings Server renders the installed xlwings version."""

CONFIG_SHEET = "xlwings.conf"

_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}
_CALCULATION = {"auto": "Automatic", "manual": "Manual", "autoNoTable": "AutomaticExceptTables"}
_THREADED_NOTE = "[Threaded comment]"
_SAFE_INTEGER = 2**53
_LAST_ROW = 1_048_576
_LAST_COLUMN = 16_384


class UncachedFormulaError(ValueError):
    """A formula cell has no cached value, so its value in Excel is unknown here."""


# --- the JS's date test and conversion ---------------------------------------------------------

_ELAPSED = re.compile(r"^(?:h+|m+|s+)$", re.IGNORECASE)
_B12 = re.compile(r"^b[12]", re.IGNORECASE)
_AMPM = re.compile(r"^(?:a/p|am/pm)", re.IGNORECASE)


def is_date_number_format(fmt: object) -> bool:
    """``isDateNumberFormat`` from ``workbook-metadata.js``, line for line."""
    if not isinstance(fmt, str):
        return False
    i = 0
    n = len(fmt)
    while i < n:
        char = fmt[i]
        if char == '"':  # quoted literal text, "" is a literal quote
            i += 1
            while i < n:
                if fmt[i] != '"':
                    i += 1
                elif i + 1 < n and fmt[i + 1] == '"':
                    i += 2
                else:
                    i += 1
                    break
            continue
        if char in "\\_*":  # the next character is literal
            i += 2
            continue
        if char == "[":
            end = fmt.find("]", i + 1)
            if end == -1:
                return False
            if _ELAPSED.match(fmt[i + 1:end]):
                return True
            i = end + 1
            continue
        if fmt[i:i + 7].lower() == "general":
            i += 7
            continue
        if char in "0#?.":
            i += 1
            while i < n and fmt[i] in "0#?.,Ee+-%":
                i += 1
            continue
        rest = fmt[i:]
        if (char.lower() in "ymdhseg" or _B12.match(rest) or _AMPM.match(rest)
                or rest.startswith("上午/下午")):
            return True
        i += 1
    return False


def _js_round(x: float) -> int:
    """``Math.round``: to the nearest integer, halves towards +infinity, computed exactly."""
    floor = math.floor(x)
    return floor + 1 if x - floor >= 0.5 else floor


def iso_from_serial(serial: float) -> str:
    """``new Date(Math.round((serial - 25569) * 86400 * 1000)).toISOString()``."""
    ms = _js_round((serial - 25569) * 86400 * 1000)
    moment = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
            f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z")


def _json_number(value: float | int) -> float | int:
    """The number as Python reads it back from the JSON that JS writes."""
    if isinstance(value, int) and abs(value) < _SAFE_INTEGER:
        return value
    value = float(value)
    if value.is_integer():
        return int(value)
    return value


def _cell_value(value: Any, number_format: str | None, epoch: dt.datetime) -> Any:
    """One cell of ``values`` as Office.js gives it, after ``convertDateValues``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        value = to_excel(value, epoch)  # back to the serial Excel holds
    if isinstance(value, int | float):
        if is_date_number_format(number_format):
            return iso_from_serial(float(value))
        return _json_number(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"Unexpected cell value {value!r} ({type(value).__name__})")


# --- addresses -----------------------------------------------------------------------------------

def _address(min_col: int, min_row: int, max_col: int, max_row: int) -> str:
    """An Office.js ``Range.address`` without the sheet: ``B2:D5``, ``B2`` for one cell,
    ``2:3`` for whole rows and ``B:D`` for whole columns."""
    if (min_col, max_col) == (1, _LAST_COLUMN):
        return f"{min_row}:{max_row}"
    if (min_row, max_row) == (1, _LAST_ROW):
        return f"{get_column_letter(min_col)}:{get_column_letter(max_col)}"
    first = f"{get_column_letter(min_col)}{min_row}"
    if (min_col, min_row) == (max_col, max_row):
        return first
    return f"{first}:{get_column_letter(max_col)}{max_row}"


def _unqualified(ref: str) -> str:
    """``'My sheet'!$A$1:$B$2`` -> ``A1:B2``."""
    return ref.rsplit("!", 1)[-1].replace("$", "").upper()


# --- reading the file ----------------------------------------------------------------------------

def _load(source: str | Path | Workbook) -> tuple[Workbook, Workbook, str, bytes]:
    if isinstance(source, Workbook):
        buffer = io.BytesIO()
        source.save(buffer)
        data = buffer.getvalue()
        name = "Book1"
    else:
        path = Path(source)
        data = path.read_bytes()
        name = path.name
    formulas = openpyxl.load_workbook(io.BytesIO(data))
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return formulas, values, name, data


def _drawing_objects(data: bytes) -> list[str]:
    """The drawing parts that hold shapes, pictures, charts or groups."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            if part.startswith("xl/drawings/drawing") and part.endswith(".xml"):
                xml = archive.read(part).decode("utf-8", "replace")
                if re.search(r"<(?:\w+:)?(?:sp|pic|graphicFrame|grpSp|cxnSp)\b", xml):
                    found.append(part)
    return found


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _empty_string_results(data: bytes, title: str) -> set[str]:
    """Formula cells whose cached result is the empty string. openpyxl reads those as None,
    like a formula with no cached value; the file tells them apart by the cell's type
    (``t="str"``, which openpyxl never writes for a formula)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        rel_id = next((sheet.get(f"{_REL}id") for sheet in book.iter(f"{_MAIN}sheet")
                       if sheet.get("name") == title), None)
        target = next((rel.get("Target") for rel in rels.iter(f"{_PKG}Relationship")
                       if rel.get("Id") == rel_id), None)
        if target is None:
            return set()
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        found = set()
        for _, element in ElementTree.iterparse(io.BytesIO(archive.read(part))):
            if element.tag == f"{_MAIN}c":
                value = element.find(f"{_MAIN}v")
                if (element.get("t") == "str" and element.find(f"{_MAIN}f") is not None
                        and (value is None or not value.text)):
                    found.add(element.get("r"))
                element.clear()
        return found


def _used_bounds(ws: Worksheet) -> tuple[int, int, int, int] | None:
    """(min_col, min_row, max_col, max_row) of the cells that hold a value or formula."""
    coords = [(col, row) for (row, col), cell in ws._cells.items() if cell.value is not None]
    if not coords:
        return None
    cols = [c for c, _ in coords]
    rows = [r for _, r in coords]
    return min(cols), min(rows), max(cols), max(rows)


def _values(ws: Worksheet, cached: Worksheet, last_col: int, last_row: int,
            uncached_formulas: str, data: bytes) -> list[list[Any]]:
    out: list[list[Any]] = []
    missing: list[str] = []
    for row in range(1, last_row + 1):
        line = []
        for col in range(1, last_col + 1):
            cell = ws._cells.get((row, col))
            if cell is None or cell.value is None:
                line.append("")
                continue
            value = cached._cells[(row, col)].value if (row, col) in cached._cells else None
            if cell.data_type == "f" and value is None:
                missing.append(cell.coordinate)
                line.append("")
                continue
            line.append(_cell_value(value, cell.number_format, ws.parent.epoch))
        out.append(line)
    if missing:
        missing = [ref for ref in missing if ref not in _empty_string_results(data, ws.title)]
    if missing and uncached_formulas == "raise":
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise UncachedFormulaError(
            f"{ws.title}: {len(missing)} formula cell(s) have no cached value ({shown}); Excel "
            "would calculate them on opening. Open and save the file in Excel (or LibreOffice), "
            "or pass uncached_formulas='empty' to send \"\"."
        )
    return out


def _tables(ws: Worksheet) -> list[dict[str, Any]]:
    tables = []
    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        headers = table.headerRowCount is None or table.headerRowCount > 0
        totals = bool(table.totalsRowCount)
        body_first = min_row + 1 if headers else min_row
        body_last = max_row - 1 if totals else max_row
        if body_first > body_last:
            raise ValueError(f"{ws.title}: table {table.displayName} has no data body row")
        style = table.tableStyleInfo
        tables.append({
            "name": table.displayName,
            "range_address": _address(min_col, min_row, max_col, max_row),
            "row_count": max_row - min_row + 1,
            "column_count": max_col - min_col + 1,
            "columns": [column.name for column in table.tableColumns],
            "header_row_range_address": (
                _address(min_col, min_row, max_col, min_row) if headers else None),
            "data_body_range_address": _address(min_col, body_first, max_col, body_last),
            "total_row_range_address": (
                _address(min_col, max_row, max_col, max_row) if totals else None),
            "show_headers": headers,
            "show_totals": totals,
            "table_style": (style.name or "") if style is not None else "",
            "show_autofilter": headers and table.autoFilter is not None,
            "show_table_style_first_column": bool(style and style.showFirstColumn),
            "show_table_style_last_column": bool(style and style.showLastColumn),
            "show_table_style_row_stripes": bool(style and style.showRowStripes),
            "show_table_style_column_stripes": bool(style and style.showColumnStripes),
        })
    return tables


def _notes(ws: Worksheet) -> list[dict[str, str]]:
    cells = sorted(
        (row, col) for (row, col), cell in ws._cells.items()
        if cell.comment is not None and not cell.comment.text.startswith(_THREADED_NOTE)
    )
    return [{"address": f"{get_column_letter(col)}{row}"} for row, col in cells]


def _print_area(ws: Worksheet) -> str | None:
    area = ws.print_area
    if not area:
        return None
    return ",".join(_unqualified(part) for part in _split_areas(str(area)))


# --- names ---------------------------------------------------------------------------------------

_SHEET_REF = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^'!:,()\s]+)!)?(?P<ref>[$A-Za-z0-9:]+)$")
_CELL_OR_SPAN = re.compile(
    r"^(?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?"  # A1 or A1:B2
    r"|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}"  # A:C
    r"|\$?\d+:\$?\d+)$"  # 1:3
)


def _split_areas(text: str) -> list[str]:
    """Split a union ``A!$A$1,B!$B$2`` on commas outside quotes."""
    parts, current, quoted = [], "", False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _reference(area: str, scope: Worksheet | None, book: Workbook) -> tuple[Worksheet, str] | None:
    match = _SHEET_REF.match(area.strip())
    if not match or not _CELL_OR_SPAN.match(match["ref"]):
        return None
    sheet_name = match["sheet"]
    if sheet_name is None:
        if scope is None:
            return None
        return scope, _unqualified(match["ref"])
    if sheet_name.startswith("'"):
        sheet_name = sheet_name[1:-1].replace("''", "'")
    if sheet_name not in book.sheetnames:
        return None
    return book[sheet_name], _unqualified(match["ref"])


def _literal_type(text: str) -> str | None:
    if text.upper() in ("TRUE", "FALSE"):
        return "Boolean"
    if re.fullmatch(r"[+-]?\d+", text):
        return "Integer"
    if re.fullmatch(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?", text):
        return "Double"
    if re.fullmatch(r'"(?:[^"]|"")*"', text):
        return "String"
    if text.startswith("{") and text.endswith("}"):
        return "Array"
    return None


def _name_entry(name: str, definition: str, scope: Worksheet | None, book: Workbook,
                worksheets: list[Worksheet]) -> dict[str, Any]:
    text = definition.strip()
    if text.startswith("="):
        text = text[1:]
    kind: str | None
    sheet_index: int | None = None
    address: str | None = None
    if "#REF!" in text.upper():
        kind = "Error"
    elif (kind := _literal_type(text)) is None:
        areas = [_reference(area, scope, book) for area in _split_areas(text)]
        if not all(areas):
            raise NotImplementedError(
                f"Defined name {name!r} = {definition!r}: its type is the type of the value "
                "Excel calculates for it, which needs Excel."
            )
        kind = "Range"
        if len(areas) == 1 and areas[0] is not None:
            sheet, address = areas[0]
            sheet_index = worksheets.index(sheet)
    return {
        "name": name,
        "refers_to": "=" + text,
        "type": kind,
        "sheet_index": sheet_index,
        "address": address,
        "scope_sheet_name": scope.title if scope is not None else None,
        "scope_sheet_index": worksheets.index(scope) if scope is not None else None,
        "book_scope": scope is None,
    }


def _names(book: Workbook, included: Iterable[Worksheet]) -> list[dict[str, Any]]:
    worksheets = list(book.worksheets)
    scopes: list[tuple[Worksheet | None, Any]] = [(None, book.defined_names)]
    scopes += [(ws, ws.defined_names) for ws in included]
    entries = []
    for scope, names in scopes:
        for key in sorted(names, key=str.lower):
            defined = names[key]
            if defined.name.startswith("_xlnm."):
                continue
            entries.append(_name_entry(defined.name, defined.attr_text or "", scope, book,
                                       worksheets))
    return entries


# --- the payload ---------------------------------------------------------------------------------

def _split_list(value: str | Sequence[str] | None) -> list[str]:
    """The JS's ``value.split(",").map(trim)``; a list is what a script's meta joins with ","."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",")]
    return [str(item).strip() for item in value]


def _config(book: Workbook, cached: Workbook) -> dict[str, str]:
    """The A1 block of an ``xlwings.conf`` sheet: key in column A, value in column B."""
    if CONFIG_SHEET not in book.sheetnames:
        return {}
    ws = cached[CONFIG_SHEET]
    config = {}
    row = 1
    while ws.cell(row, 1).value is not None:
        value = ws.cell(row, 2).value
        config[str(ws.cell(row, 1).value)] = "" if value is None else str(value)
        row += 1
    return config


def _selection(ws: Worksheet) -> str | None:
    """The saved selection of the sheet's active pane (Office.js: ``B2`` or ``B2:C5``)."""
    view = ws.sheet_view
    active_pane = view.pane.activePane if view.pane is not None else None
    selections = list(view.selection)
    chosen = next((s for s in selections if s.pane == active_pane), None)
    if chosen is None and selections:
        chosen = selections[-1]
    if chosen is None:
        return "A1"
    sqref = str(chosen.sqref or chosen.activeCell or "A1")
    areas = sqref.split()
    if len(areas) != 1:
        return None
    min_col, min_row, max_col, max_row = range_boundaries(areas[0])
    return _address(min_col, min_row, max_col, max_row)


def payload_from_workbook(
    path_or_openpyxl_book: str | Path | Workbook,
    *,
    include: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
    args: Sequence[Any] | None = None,
    book_name: str | None = None,
    uncached_formulas: Literal["raise", "empty"] = "raise",
) -> dict[str, Any]:
    """What the add-in's ``getBookData()`` sends for this workbook (see the module docstring).

    ``include``/``exclude`` are sheet names, a comma-separated string as in
    ``xw-config`` or a list as in ``@script(include=[...])``; using both raises
    like the JS. ``args`` becomes ``"args"`` when it isn't empty, as ``xw-args``
    does. ``book_name`` overrides ``book.name``.
    """
    if uncached_formulas not in ("raise", "empty"):
        raise ValueError("uncached_formulas must be 'raise' or 'empty'")
    book, cached, name, data = _load(path_or_openpyxl_book)
    if book_name is not None:
        name = book_name
    worksheets = list(book.worksheets)

    objects = [f"{ws.title}: {len(ws._images)} picture(s)" for ws in worksheets if ws._images]
    objects += [f"{ws.title}: {len(ws._charts)} chart(s)" for ws in worksheets if ws._charts]
    objects += [f"{ws.title}: {len(ws._pivots)} pivot table(s)" for ws in worksheets if ws._pivots]
    if not objects and not isinstance(path_or_openpyxl_book, Workbook):
        objects = [f"drawing part {part}" for part in _drawing_objects(data)]
    if objects:
        raise NotImplementedError(
            "The payload lists pictures, shapes, charts and pivot tables with positions Excel "
            "measures; a file can't give them. Found: " + "; ".join(objects)
        )

    config = _config(book, cached)
    include_list = _split_list(include) or _split_list(config.get("INCLUDE", ""))
    exclude_list = _split_list(exclude) or _split_list(config.get("EXCLUDE", ""))
    if include_list and exclude_list:
        raise ValueError("Either use 'include' or 'exclude', but not both!")
    if include_list:
        exclude_list += [ws.title for ws in worksheets if ws.title not in include_list]
    excluded = set(exclude_list)

    active = book.active
    active_index = worksheets.index(active) if active in worksheets else 0
    calc = book.calculation.calcMode if book.calculation is not None else None

    payload: dict[str, Any] = {
        "client": "Office.js",
        "version": XLWINGS_VERSION,
        "book": {
            "name": name,
            "active_sheet_index": active_index,
            "selection": _selection(worksheets[active_index]),
            "calculation": _CALCULATION.get(calc or "auto", "Automatic"),
        },
        "sheets": [],
    }
    for ws in worksheets:
        is_excluded = ws.title in excluded
        bounds = None if is_excluded else _used_bounds(ws)
        if is_excluded:
            values: list[list[Any]] = [[]]
        else:
            last_col, last_row = (bounds[2], bounds[3]) if bounds else (1, 1)
            values = _values(ws, cached[ws.title], last_col, last_row, uncached_formulas,
                             data)
        show_gridlines = ws.sheet_view.showGridLines
        payload["sheets"].append({
            "name": ws.title,
            "visibility": _VISIBILITY[ws.sheet_state],
            "show_gridlines": True if show_gridlines is None else bool(show_gridlines),
            "print_area": _print_area(ws),
            "notes": [] if is_excluded else _notes(ws),
            "notes_supported": True,
            "used_range_address": _address(*bounds) if bounds else None,
            "used_range_row_count": bounds[3] - bounds[1] + 1 if bounds else 0,
            "used_range_column_count": bounds[2] - bounds[0] + 1 if bounds else 0,
            "values": values,
            "pictures": [],
            "shapes": [],
            "charts": [],
            "tables": [] if is_excluded else _tables(ws),
            "pivot_tables": [],
        })
    payload["names"] = _names(book, [ws for ws in worksheets if ws.title not in excluded])
    if args:
        payload["args"] = list(args)
    return payload
