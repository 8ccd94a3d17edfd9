"""What the add-in server accepts as a request: the workbook as the add-in sends it, or a
worksheet function's call, checked before any of it is used.

xlwings Server trusts its requests: a body that is not JSON, or JSON that is not the shape
``getBookData()`` sends, fails somewhere inside it with a bare 500. :func:`read_script_call`
and :func:`read_function_call` check the shape first and raise :class:`BadRequest` with one
sentence saying what is wrong (the server answers 400 with it). They check what xlwings and
ragbook read: the book, each sheet's name and values (a rectangle of plain values), each
table's addresses, the names, and a function's name and arguments.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELLS = 5_000_000
"""More cells than this in one request is no plan (a 2,000-row plan sends about 30,000)."""
MAX_SHEET_NAME = 31
CLIENT = "Office.js"
"""What the add-in's JavaScript calls itself in every request."""

_CELL_TYPES = frozenset({str, int, float, bool, type(None)})
"""What a cell arrives as: text, a number, true/false, or null for an empty cell."""

Box = tuple[int, int, int, int]
"""A range as (first row, first column, last row, last column), 1-based."""

_CELL = r"([A-Za-z]{1,3})(\d{1,7})"
_ADDRESS = re.compile(rf"^{_CELL}(?::{_CELL})?$"  # B2, B2:D5
                      r"|^(\d{1,7}):(\d{1,7})$"  # 2:3, whole rows
                      r"|^([A-Za-z]{1,3}):([A-Za-z]{1,3})$")  # B:D, whole columns


class BadRequest(ValueError):
    """A request that is not what the add-in sends; the message is one sentence."""


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def cell_box(address: object) -> Box | None:
    """``"B2:D5"`` -> (2, 2, 5, 4), as Office.js writes a range's address without its sheet
    (``B2``, ``2:3`` for whole rows, ``B:D`` for whole columns); None for anything else or
    for a range outside Excel's grid."""
    if not isinstance(address, str):
        return None
    match = _ADDRESS.match(address.strip())
    if match is None:
        return None
    c1, r1, c2, r2, rows1, rows2, cols1, cols2 = match.groups()
    if rows1 is not None:
        box = (int(rows1), 1, int(rows2), MAX_COLUMNS)
    elif cols1 is not None:
        box = (1, _column_number(cols1), MAX_ROWS, _column_number(cols2))
    else:
        first = (int(r1), _column_number(c1))
        last = (int(r2), _column_number(c2)) if c2 is not None else first
        box = (*first, *last)
    top, left, bottom, right = box
    if not (1 <= top <= bottom <= MAX_ROWS and 1 <= left <= right <= MAX_COLUMNS):
        return None
    return box


def parse_json(body: bytes) -> Any:
    """The request's JSON, or BadRequest saying why it is not JSON."""
    if not body.strip():
        raise BadRequest("The request is empty: it should hold the workbook as the ragbook "
                         "add-in sends it.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The request is not text (UTF-8): it should hold the workbook as "
                         "JSON, as the ragbook add-in sends it.") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise BadRequest(f"The request is not valid JSON ({error.msg} at line {error.lineno}, "
                         f"column {error.colno}).") from None
    except RecursionError:
        raise BadRequest("The request is nested too deeply to be a workbook.") from None


def _no_constant(name: str) -> object:
    raise BadRequest(f"The request holds {name}, which is not a value a cell can hold.")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _need(holder: Mapping[str, Any], key: str, kinds: type | tuple[type, ...], where: str,
          *, optional: bool = False) -> Any:
    if key not in holder:
        if optional:
            return None
        raise BadRequest(f"{where} has no \"{key}\".")
    value = holder[key]
    if optional and value is None:
        return None
    wanted = kinds if isinstance(kinds, tuple) else (kinds,)
    if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
        names = {list: "a list", dict: "an object", str: "text", int: "a whole number",
                 bool: "true or false"}
        expected = " or ".join(names.get(kind, kind.__name__) for kind in wanted)
        raise BadRequest(f"{where}: \"{key}\" should be {expected}, not {_kind(value)}.")
    return value


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where} should be an object, not {_kind(value)}.")
    return value


def _list_of_objects(holder: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    items = _need(holder, key, list, where, optional=True) or []
    for number, item in enumerate(items, start=1):
        _object(item, f"{where}, {key} item {number}")
    return items


def _address(holder: Mapping[str, Any], key: str, where: str, *,
             optional: bool = False) -> Box | None:
    text = _need(holder, key, str, where, optional=optional)
    if text is None:
        return None
    box = cell_box(text)
    if box is None:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise BadRequest(f"{where}: \"{key}\" should be a range such as A1:D10, not "
                         f"\"{shown}\".")
    return box


def _values(sheet: Mapping[str, Any], where: str) -> tuple[int, int]:
    rows = _need(sheet, "values", list, where)
    if not rows:
        raise BadRequest(f"{where}: \"values\" is empty (a sheet sends at least one row).")
    if rows == [[]]:
        return 0, 0  # a sheet the add-in was told not to send (xlwings.conf EXCLUDE)
    width = -1
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list):
            raise BadRequest(f"{where}: row {number} of \"values\" should be a list of cells, "
                             f"not {_kind(row)}.")
        if width < 0:
            width = len(row)
        elif len(row) != width:
            raise BadRequest(f"{where}: row {number} of \"values\" has {len(row)} cells, but "
                             f"row 1 has {width} (every row should have the same number).")
        if not set(map(type, row)) <= _CELL_TYPES:  # one pass in C: most rows are fine
            column, value = next((i, v) for i, v in enumerate(row, start=1)
                                 if type(v) not in _CELL_TYPES)
            raise BadRequest(f"{where}: the cell in row {number}, column {column} holds "
                             f"{_kind(value)}; a cell holds text, a number, true/false or "
                             "nothing.")
        if math.inf in row or -math.inf in row:  # 1e999 parses as infinity
            column = next(i for i, v in enumerate(row, start=1) if v in (math.inf, -math.inf))
            raise BadRequest(f"{where}: the cell in row {number}, column {column} holds a "
                             "number too large for Excel.")
    if width == 0:
        raise BadRequest(f"{where}: \"values\" has rows with no cells.")
    if len(rows) > MAX_ROWS or width > MAX_COLUMNS:
        raise BadRequest(f"{where}: \"values\" is larger than an Excel sheet.")
    return len(rows), width


def _table(table: Mapping[str, Any], where: str) -> None:
    """A table's name and addresses (its range may reach past the values sent: only the part
    holding data is read)."""
    _need(table, "name", str, where)
    where = f"{where}, table {table['name']!r}"
    whole = _address(table, "range_address", where)
    parts = [_address(table, "data_body_range_address", where)]
    for key, flag in (("header_row_range_address", "show_headers"),
                      ("total_row_range_address", "show_totals")):
        shown = _need(table, flag, bool, where)
        part = _address(table, key, where, optional=True)
        if shown != (part is not None):
            raise BadRequest(f"{where}: \"{flag}\" is {str(shown).lower()} but "
                             f"\"{key}\" is {'missing' if part is None else 'given'}.")
        parts.append(part)
    assert whole is not None
    for part in parts:
        if part is not None and not (whole[0] <= part[0] <= part[2] <= whole[2]
                                     and whole[1] <= part[1] <= part[3] <= whole[3]):
            raise BadRequest(f"{where}: its parts lie outside its range "
                             f"({table['range_address']}).")
    columns = _need(table, "columns", list, where)
    if not all(isinstance(name, str) for name in columns):
        raise BadRequest(f"{where}: \"columns\" should be a list of column names.")


def _sheet(sheet: dict[str, Any], number: int, seen: set[str]) -> int:
    where = f"Sheet {number}"
    name = _need(sheet, "name", str, where)
    if not name.strip() or len(name) > MAX_SHEET_NAME:
        raise BadRequest(f"{where}: \"{name[:40]}\" is not a sheet name (1 to "
                         f"{MAX_SHEET_NAME} characters).")
    if name.casefold() in seen:
        raise BadRequest(f"Two sheets are called \"{name}\".")
    seen.add(name.casefold())
    where = f"Sheet \"{name}\""
    height, width = _values(sheet, where)
    used = _address(sheet, "used_range_address", where, optional=True)
    if used is not None and (used[2] > height or used[3] > width):
        raise BadRequest(f"{where}: its used range ({sheet['used_range_address']}) reaches past "
                         f"the values sent ({height} rows, {width} columns).")
    for table in _list_of_objects(sheet, "tables", where):
        _table(table, where)
    for key in ("notes", "pictures", "shapes", "charts", "pivot_tables"):
        _list_of_objects(sheet, key, where)
    return height * width


def _client(data: Mapping[str, Any]) -> None:
    client = _need(data, "client", str, "The request")
    if client != CLIENT:
        raise BadRequest(f"The request comes from \"{client[:40]}\"; this server answers the "
                         f"ragbook add-in in Excel ({CLIENT}).")
    _need(data, "version", str, "The request")


def read_script_call(body: bytes) -> dict[str, Any]:
    """A button's request: the workbook as ``getBookData()`` sends it, checked."""
    data = parse_json(body)
    if not isinstance(data, dict):
        raise BadRequest(f"The request should be the workbook as an object, not {_kind(data)}.")
    _client(data)
    book = _object(_need(data, "book", dict, "The request"), "The request's \"book\"")
    _need(book, "name", str, "The request's \"book\"")
    sheets = _need(data, "sheets", list, "The request")
    if not sheets:
        raise BadRequest("The request has no sheets.")
    index = _need(book, "active_sheet_index", int, "The request's \"book\"")
    if not 0 <= index < len(sheets):
        raise BadRequest(f"The request's \"book\": \"active_sheet_index\" is {index}, but there "
                         f"are {len(sheets)} sheets.")
    _need(book, "selection", str, "The request's \"book\"", optional=True)
    seen: set[str] = set()
    cells = 0
    for number, sheet in enumerate(sheets, start=1):
        cells += _sheet(_object(sheet, f"Sheet {number}"), number, seen)
        if cells > MAX_CELLS:
            raise BadRequest(f"The workbook sent has more than {MAX_CELLS:,} cells, far more "
                             "than a delivery plan: run ragbook recalc on the file instead.")
    for number, name in enumerate(_list_of_objects(data, "names", "The request"), start=1):
        where = f"Name {number}"
        _need(name, "name", str, where)
        _need(name, "refers_to", str, where, optional=True)
        _need(name, "book_scope", bool, where)
        scope = _need(name, "scope_sheet_index", int, where, optional=True)
        if scope is not None and not 0 <= scope < len(sheets):
            raise BadRequest(f"{where}: \"scope_sheet_index\" is {scope}, but there are "
                             f"{len(sheets)} sheets.")
    _need(data, "args", list, "The request", optional=True)
    return data


def read_function_call(body: bytes, functions: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """A worksheet function's request, checked against ``functions`` (each name's fewest and
    most arguments)."""
    data = parse_json(body)
    if not isinstance(data, dict):
        raise BadRequest(f"The request should be a function call as an object, not "
                         f"{_kind(data)}.")
    name = _need(data, "func_name", str, "The request")
    if name not in functions:
        shown = name if len(name) <= 40 else name[:37] + "..."
        raise BadRequest(f"There is no ragbook function called \"{shown}\"; the functions are "
                         f"{', '.join(sorted(functions)).upper()}.")
    fewest, most = functions[name]
    args = _need(data, "args", list, "The request")
    if not fewest <= len(args) <= most:
        wanted = f"{fewest}" if fewest == most else f"{fewest} to {most}"
        raise BadRequest(f"RAGBOOK.{name.upper()} takes {wanted} arguments, not {len(args)}.")
    for number, arg in enumerate(args, start=1):
        where = f"Argument {number} of RAGBOOK.{name.upper()}"
        if not isinstance(arg, list) or not arg or not all(
                isinstance(row, list) and row for row in arg):
            raise BadRequest(f"{where} should be a range of cells (a list of rows).")
        if any(len(row) != len(arg[0]) for row in arg):
            raise BadRequest(f"{where} has rows of different lengths.")
        for row in arg:
            for value in row:
                if type(value) not in _CELL_TYPES:
                    raise BadRequest(f"{where} holds {_kind(value)}; a cell holds text, a "
                                     "number, true/false or nothing.")
                if value in (math.inf, -math.inf):
                    raise BadRequest(f"{where} holds a number too large for Excel.")
    _client(data)
    _need(data, "runtime", str, "The request")
    for key in ("caller_address", "date_format", "culture_info_name", "session_id"):
        _need(data, key, str, "The request", optional=True)
    return data
