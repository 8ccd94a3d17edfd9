"""The Excel add-in's contract, checked against the installed xlwings Server JS.

The add-in sends ``getBookData()``'s payload and applies the actions a script
returns. ``tests/excel_payload.py`` builds that payload from an .xlsx and
``tests/apply_actions.py`` applies actions to an openpyxl workbook; these tests
hold both to the JS that is installed, so that an xlwings upgrade that changes
the payload or the actions fails here rather than in an officer's Excel.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo

from apply_actions import (
    IMPLEMENTED,
    NOT_IMPLEMENTED,
    RECORDED,
    UnknownActionError,
    UnsupportedActionError,
    apply_actions,
    points_to_width,
)
from conftest import DEMO_PLAN
from excel_payload import (
    XLWINGS_VERSION,
    UncachedFormulaError,
    is_date_number_format,
    iso_from_serial,
    payload_from_workbook,
)
from fixtures_xlsx import Package, plain_xlsx, with_picture, with_text_box, workbook_bytes
from ragbook.excel.book import safe_text

# --- reading the installed JS --------------------------------------------------------------------


def js_dir() -> Path:
    """``xlwings_server/static/js``, found without importing xlwings_server (its import
    sets environment variables)."""
    spec = importlib.util.find_spec("xlwings_server")
    assert spec is not None and spec.submodule_search_locations, "xlwings-server isn't installed"
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "js"


@cache
def js_source(name: str) -> str:
    return (js_dir() / "custom-scripts" / name).read_text(encoding="utf-8")


def _skip_string(src: str, i: int) -> int:
    """Index just past the string/template/comment starting at ``src[i]``."""
    if src.startswith("//", i):
        return src.index("\n", i)
    if src.startswith("/*", i):
        return src.index("*/", i) + 2
    quote = src[i]
    i += 1
    while src[i] != quote:
        i += 2 if src[i] == "\\" else 1
    return i + 1


def _matching(src: str, start: int) -> int:
    """Index of the bracket closing the one at ``src[start]``."""
    depth, i = 0, start
    while True:
        char = src[i]
        if char in "'\"`" or src.startswith(("//", "/*"), i):
            i = _skip_string(src, i)
            continue
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
            if depth == 0:
                return i
        i += 1


def object_keys(src: str, anchor: str, *, after: str | None = None) -> list[str]:
    """The top-level keys of the JS object literal that follows ``anchor`` (searched after
    ``after`` when given)."""
    begin = src.index(after) if after else 0
    at = src.index(anchor, begin)
    start = src.index("{", at + len(anchor) - 1 if anchor.endswith("{") else at)
    end = _matching(src, start)
    keys, depth, i, expect_key = [], 0, start, False
    while i < end:
        char = src[i]
        if char in "'\"`" or src.startswith(("//", "/*"), i):
            i = _skip_string(src, i)
            continue
        if char in "({[":
            depth += 1
            expect_key = depth == 1
        elif char in ")}]":
            depth -= 1
        elif char == "," and depth == 1:
            expect_key = True
        elif expect_key and not char.isspace():
            match = re.compile(r"(\w+)\s*:").match(src, i)
            if match:
                keys.append(match.group(1))
                i = match.end()
            expect_key = False
            continue
        i += 1
    return keys


def function_body(src: str, signature: str) -> str:
    start = src.index(signature)
    brace = src.index("{", src.index(")", start))
    return src[start:_matching(src, brace) + 1]


def js_payload_keys() -> dict[str, set[str]]:
    """The keys ``getBookData()`` puts in each part of the payload, read from the JS."""
    index = js_source("index.js")
    body = function_body(index, "async function getBookData(")
    run_python = function_body(index, "export async function runPython(")
    top = set(re.findall(r'payload\["(\w+)"\]\s*=', body))
    top |= set(re.findall(r"payload\.(\w+)\s*=", run_python))  # "args"
    return {
        "top": top,
        "book": set(object_keys(body, 'payload["book"] =')),
        "sheet": set(object_keys(body, 'payload["sheets"].push(')),
        "table": set(object_keys(body, "tablesArray.push(")),
        "picture": set(object_keys(body, "picturesArray.push(")),
        "shape": set(object_keys(body, "shapesArray.push(")),
        "note": set(object_keys(function_body(index, "function notesArray("), "=> ({")),
        "name": set(object_keys(js_source("named-items.js"), "=> ({",
                                after="return entries.map(")),
        "chart": set(object_keys(js_source("workbook-metadata.js"), "=> ({",
                                 after="charts.items.map(")),
    }


def known_actions() -> set[str]:
    """Every action func the installed add-in JS can apply: the keys of its ``funcs`` map."""
    index = js_source("index.js")
    funcs = set(object_keys(index, "let funcs = {"))
    assert "Object.assign(globalThis.callbacks, funcs)" in index, "the JS registers funcs anew"
    return funcs


# --- a small workbook with everything the payload describes --------------------------------------


def _cache(package: Package, sheet: str, ref: str, value: str, *, error: bool = False) -> None:
    """Give a formula cell the value Excel saved for it."""
    kind = ' t="e"' if error else ""

    def change(xml: str) -> str:
        new, count = re.subn(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/></c>',
                             rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v></c>', xml)
        assert count == 1, f"no uncached formula at {ref}"
        return new
    package.edit(sheet, change)


def small_book() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    plan = book.active
    assert plan is not None
    plan.title = "Plan"
    plan.append(["Ref", "Due", "Score", "Half", "Check"])
    plan.append(["1.1", dt.date(2025, 3, 31), 7, "=C2/2", "=1/0"])
    plan.append(["1.2", dt.datetime(2025, 4, 1, 13, 30), 8.0, "=C3/2", True])
    plan.append(["1.2b", None, 0.25, "=C4/2", False])
    plan["B2"].number_format = "dd/mm/yyyy"
    plan["B3"].number_format = "dd/mm/yyyy hh:mm"
    plan["C4"].number_format = "0%"
    plan["G6"] = "outside"
    plan["B1"].comment = Comment("When it is due", "ragbook")
    plan["A3"].comment = Comment("Split from 1.1", "ragbook")
    table = Table(displayName="tblPlan", ref="A1:E4",
                  tableStyleInfo=TableStyleInfo(name="TableStyleMedium9", showFirstColumn=True,
                                                showLastColumn=False, showRowStripes=True,
                                                showColumnStripes=False))
    plan.add_table(table)
    plan.print_area = "A1:E4"
    plan.sheet_view.selection[0].activeCell = "B3"
    plan.sheet_view.selection[0].sqref = "B3"
    plan.defined_names["Local"] = DefinedName("Local", attr_text="Plan!$C$2")

    lists = book.create_sheet("Lists")
    lists["A1"], lists["A2"], lists["B2"] = "RED", "AMBER", 45000
    lists["C1"] = dt.time(12, 0)
    lists["C1"].number_format = "h:mm"
    lists.sheet_state = "hidden"
    lists.sheet_view.showGridLines = False
    book.create_sheet("Empty")

    book.defined_names["RAGs"] = DefinedName("RAGs", attr_text="Lists!$A$1:$A$2")
    book.defined_names["Rate"] = DefinedName("Rate", attr_text="0.05")
    book.defined_names["Two"] = DefinedName("Two", attr_text="Plan!$A$1,Lists!$A$1")
    book.calculation.calcMode = "manual"
    return book


def small_xlsx(tmp_path: Path) -> Path:
    """``small_book`` saved as Excel would save it: every formula with its cached value."""
    package = Package(workbook_bytes(small_book()))
    sheet = "xl/worksheets/sheet1.xml"
    for ref, value in (("D2", "3.5"), ("D3", "4"), ("D4", "0.125")):
        _cache(package, sheet, ref, value)
    _cache(package, sheet, "E2", "#DIV/0!", error=True)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(package.to_bytes())
    return path


EXPECTED_TABLE = {
    "name": "tblPlan", "range_address": "A1:E4", "row_count": 4, "column_count": 5,
    "columns": ["Ref", "Due", "Score", "Half", "Check"],
    "header_row_range_address": "A1:E1", "data_body_range_address": "A2:E4",
    "total_row_range_address": None, "show_headers": True, "show_totals": False,
    "table_style": "TableStyleMedium9", "show_autofilter": True,
    "show_table_style_first_column": True, "show_table_style_last_column": False,
    "show_table_style_row_stripes": True, "show_table_style_column_stripes": False,
}


def _sheet(name: str, **changes: Any) -> dict[str, Any]:
    sheet = {
        "name": name, "visibility": "Visible", "show_gridlines": True, "print_area": None,
        "notes": [], "notes_supported": True, "used_range_address": None,
        "used_range_row_count": 0, "used_range_column_count": 0, "values": [[""]],
        "pictures": [], "shapes": [], "charts": [], "tables": [], "pivot_tables": [],
    }
    sheet.update(changes)
    return sheet


def expected_small_payload() -> dict[str, Any]:
    blank = [""] * 7
    return {
        "client": "Office.js",
        "version": XLWINGS_VERSION,
        "book": {"name": "plan.xlsx", "active_sheet_index": 0, "selection": "B3",
                 "calculation": "Manual"},
        "sheets": [
            _sheet(
                "Plan", print_area="A1:E4", notes=[{"address": "B1"}, {"address": "A3"}],
                used_range_address="A1:G6", used_range_row_count=6, used_range_column_count=7,
                values=[
                    ["Ref", "Due", "Score", "Half", "Check", "", ""],
                    ["1.1", "2025-03-31T00:00:00.000Z", 7, 3.5, "#DIV/0!", "", ""],
                    ["1.2", "2025-04-01T13:30:00.000Z", 8, 4, True, "", ""],
                    ["1.2b", "", 0.25, 0.125, False, "", ""],
                    blank,
                    ["", "", "", "", "", "", "outside"],
                ],
                tables=[EXPECTED_TABLE],
            ),
            _sheet(
                "Lists", visibility="Hidden", show_gridlines=False,
                used_range_address="A1:C2", used_range_row_count=2, used_range_column_count=3,
                values=[["RED", "", "1899-12-30T12:00:00.000Z"], ["AMBER", 45000, ""]],
            ),
            _sheet("Empty"),
        ],
        "names": [
            {"name": "RAGs", "refers_to": "=Lists!$A$1:$A$2", "type": "Range", "sheet_index": 1,
             "address": "A1:A2", "scope_sheet_name": None, "scope_sheet_index": None,
             "book_scope": True},
            {"name": "Rate", "refers_to": "=0.05", "type": "Double", "sheet_index": None,
             "address": None, "scope_sheet_name": None, "scope_sheet_index": None,
             "book_scope": True},
            {"name": "Two", "refers_to": "=Plan!$A$1,Lists!$A$1", "type": "Range",
             "sheet_index": None, "address": None, "scope_sheet_name": None,
             "scope_sheet_index": None, "book_scope": True},
            {"name": "Local", "refers_to": "=Plan!$C$2", "type": "Range", "sheet_index": 0,
             "address": "C2", "scope_sheet_name": "Plan", "scope_sheet_index": 0,
             "book_scope": False},
        ],
    }


# --- (a) the payload's keys are the JS's ---------------------------------------------------------


def test_js_payload_keys_are_what_the_notes_describe() -> None:
    """A guard on the parser itself: it finds the keys a reader of the JS finds."""
    keys = js_payload_keys()
    assert keys["top"] == {"client", "version", "book", "sheets", "names", "args"}
    assert keys["book"] == {"name", "active_sheet_index", "selection", "calculation"}
    assert {"values", "tables", "used_range_address", "pivot_tables"} <= keys["sheet"]
    assert {"name", "range_address", "data_body_range_address"} <= keys["table"]
    assert keys["note"] == {"address"}
    assert {"name", "refers_to", "book_scope"} <= keys["name"]


def test_payload_keys_are_exactly_those_getBookData_sends(tmp_path: Path) -> None:
    js = js_payload_keys()
    payload = payload_from_workbook(small_xlsx(tmp_path), args=["Done"])
    assert set(payload) == js["top"]
    assert set(payload["book"]) == js["book"]
    for sheet in payload["sheets"]:
        assert set(sheet) == js["sheet"], sheet["name"]
        for table in sheet["tables"]:
            assert set(table) == js["table"]
        for note in sheet["notes"]:
            assert set(note) == js["note"]
    assert payload["names"]
    for name in payload["names"]:
        assert set(name) == js["name"]


def test_payload_without_args_has_no_args_key(tmp_path: Path) -> None:
    path = small_xlsx(tmp_path)
    assert "args" not in payload_from_workbook(path)
    assert "args" not in payload_from_workbook(path, args=[])  # the JS sends args only if any
    assert payload_from_workbook(path, args=["x", 1])["args"] == ["x", 1]


# --- payload_from_workbook -----------------------------------------------------------------------


def test_payload_of_a_small_workbook(tmp_path: Path) -> None:
    payload = payload_from_workbook(small_xlsx(tmp_path))
    expected = expected_small_payload()
    for got, want in zip(payload["sheets"], expected["sheets"], strict=True):
        assert got == want, got["name"]
    assert payload == expected
    assert json.loads(json.dumps(payload)) == payload  # plain JSON, as the wire carries it


def test_payload_excluded_sheets_send_no_data(tmp_path: Path) -> None:
    path = small_xlsx(tmp_path)
    payload = payload_from_workbook(path, include="Lists")
    plan = payload["sheets"][0]
    assert plan["values"] == [[]] and plan["tables"] == [] and plan["notes"] == []
    assert (plan["used_range_address"], plan["used_range_row_count"]) == (None, 0)
    assert plan["print_area"] == "A1:E4"  # metadata still goes
    assert [n["name"] for n in payload["names"]] == ["RAGs", "Rate", "Two"]  # no Plan scope
    assert payload["sheets"][1]["values"] == expected_small_payload()["sheets"][1]["values"]
    assert payload_from_workbook(path, exclude=["Plan", "Empty"]) == payload
    with pytest.raises(ValueError, match="not both"):
        payload_from_workbook(path, include="Plan", exclude="Lists")


def test_payload_reads_include_from_an_xlwings_conf_sheet(tmp_path: Path) -> None:
    book = small_book()
    conf = book.create_sheet("xlwings.conf")
    conf.append(["EXCLUDE", "Plan"])
    path = tmp_path / "conf.xlsx"
    book.save(path)
    payload = payload_from_workbook(path, uncached_formulas="empty")
    assert payload["sheets"][0]["values"] == [[]]
    assert payload["sheets"][3]["values"] == [["EXCLUDE", "Plan"]]


def test_payload_formula_without_a_cached_value(tmp_path: Path) -> None:
    book = small_book()  # openpyxl writes no cached values
    with pytest.raises(UncachedFormulaError,
                       match=r"Plan: 4 formula cell\(s\).*\(D2, E2, D3, D4\)"):
        payload_from_workbook(book)
    payload = payload_from_workbook(book, uncached_formulas="empty")
    assert payload["book"]["name"] == "Book1"
    assert payload["sheets"][0]["values"][1][3:5] == ["", ""]
    assert payload_from_workbook(book, uncached_formulas="empty", book_name="x.xlsx")[
        "book"]["name"] == "x.xlsx"


def test_payload_tells_an_empty_string_result_from_no_result(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"], book.active["B1"] = '=IF(TRUE,"","x")', "=1+1"
    package = Package(workbook_bytes(book))
    package.edit("xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        '<c r="A1"><f>IF(TRUE,"","x")</f><v /></c>',
        '<c r="A1" t="str"><f>IF(TRUE,"","x")</f><v></v></c>'))  # as Excel saves ""
    path = tmp_path / "empty.xlsx"
    path.write_bytes(package.to_bytes())
    with pytest.raises(UncachedFormulaError, match=r"1 formula cell\(s\).*\(B1\)"):
        payload_from_workbook(path)
    assert payload_from_workbook(path, uncached_formulas="empty")["sheets"][0]["values"] == [
        ["", ""]]


def test_payload_refuses_drawings_it_cannot_measure(tmp_path: Path) -> None:
    for name, data in (("box.xlsx", with_text_box()), ("pic.xlsx", with_picture())):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(NotImplementedError, match="positions Excel measures"):
            payload_from_workbook(path)
    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(plain_xlsx())
    assert [s["name"] for s in payload_from_workbook(plain)["sheets"]] == ["Measures", "Actions"]


@pytest.mark.parametrize(("fmt", "is_date"), [
    ("dd/mm/yyyy", True), ("mm-dd-yy", True), ("h:mm AM/PM", True), ("[h]:mm", True),
    ("[$-809]dd mmmm yyyy", True), ("General", False), ("0.00", False), ("0%", False),
    ("0.00E+00", False), ("@", False), ('0 "days"', False), ("[Red]0.0;[Blue]-0.0", False),
    ("#,##0_);(#,##0)", False), ("_-£* #,##0.00_-", False), (None, False),
])
def test_date_formats_as_the_js_reads_them(fmt: str | None, is_date: bool) -> None:
    assert is_date_number_format(fmt) is is_date


def test_whole_row_selection_is_addressed_as_office_js_does(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = 1
    book.active.sheet_view.selection[0].sqref = "A2:XFD3"
    book.save(tmp_path / "rows.xlsx")
    assert payload_from_workbook(tmp_path / "rows.xlsx")["book"]["selection"] == "2:3"


def test_serials_become_iso_strings_as_the_js_makes_them() -> None:
    assert iso_from_serial(45747) == "2025-03-31T00:00:00.000Z"
    assert iso_from_serial(45747.5) == "2025-03-31T12:00:00.000Z"
    assert iso_from_serial(45747 + 1.5 / 86400000) == "2025-03-31T00:00:00.002Z"  # half up
    assert iso_from_serial(0) == "1899-12-30T00:00:00.000Z"


# --- (b) the actions ----------------------------------------------------------------------------


def test_known_actions_parses_the_funcs_map() -> None:
    funcs = known_actions()
    assert {"setValues", "setRangeColor", "addSheet", "alert", "setVerticalAlignment"} <= funcs
    assert len(funcs) > 100
    assert "rangeToPng" not in funcs  # xlwings Lite only; the server's JS can't apply it


def test_apply_actions_implements_only_funcs_the_js_knows() -> None:
    assert known_actions() >= IMPLEMENTED
    assert known_actions() >= set(NOT_IMPLEMENTED)
    assert RECORDED <= IMPLEMENTED


def test_every_js_func_is_implemented_or_deliberately_not() -> None:
    """Fails when an xlwings upgrade adds a func: decide what apply_actions does with it."""
    assert known_actions() - IMPLEMENTED - set(NOT_IMPLEMENTED) == set()
    assert IMPLEMENTED.isdisjoint(NOT_IMPLEMENTED)


def test_unknown_and_unimplemented_funcs_raise() -> None:
    book = openpyxl.Workbook()
    with pytest.raises(UnknownActionError, match="Action 1 has an unknown function: rangeToPng"):
        apply_actions(book, [{"func": "rangeToPng", "args": ["x.png"]}])
    ok = _act("setValues", values=[["a"]])
    with pytest.raises(UnsupportedActionError, match=r"Action 2: 'addChart'.*preceding 1 action"):
        apply_actions(book, [ok, {"func": "addChart", "args": [], "sheet_position": 0}])
    assert book.active["A1"].value == "a"  # no rollback, as in Excel


# --- (c) apply_actions on hand-made actions ------------------------------------------------------


def _act(func: str, *args: Any, values: Any = None, sheet: int | None = 0, row: int | None = 0,
         col: int | None = 0, rows: int | None = 1, cols: int | None = 1) -> dict[str, Any]:
    """An action as xlwings' ``append_json_action`` shapes it (0-based indexes)."""
    return {"func": func, "args": list(args) or [None], "values": values,
            "sheet_position": sheet, "start_row": row, "start_column": col,
            "row_count": rows, "column_count": cols}


def test_set_values_writes_a_block_as_excel_parses_it() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws["B3"] = "keep me"
    ws["C4"].number_format = "@"
    apply_actions(book, [_act("setValues", values=[
        [None, "12", "2025-01-02"],
        ["1.5e3", "0123", "2025-01-02 13:30:00"],
        ["=SUM(B4:B4)", "'007", "TRUE"],
        ["", "45%", "#N/A"],
        [7, 2.5, False],
    ], row=2, col=1, rows=5, cols=3)])
    assert ws["B3"].value == "keep me"  # null leaves the cell alone
    assert ws["C3"].value == 12 and ws["D3"].value == dt.datetime(2025, 1, 2)
    assert ws["D3"].number_format == "mm-dd-yy"  # Excel's short date (built-in 14)
    assert ws["B4"].value == 1500.0 and ws["C4"].value == "0123"  # a text cell keeps text
    assert ws["D4"].value == dt.datetime(2025, 1, 2, 13, 30)
    assert ws["B5"].value == "=SUM(B4:B4)" and ws["B5"].data_type == "f"
    assert ws["C5"].value == "007" and ws["C5"].data_type == "s"
    assert ws["D5"].value is True
    assert ws["B6"].value is None and ws["C6"].value == 0.45 and ws["C6"].number_format == "0%"
    assert ws["D6"].data_type == "e"
    assert [ws["B7"].value, ws["C7"].value, ws["D7"].value] == [7, 2.5, False]


def test_set_values_refuses_text_excel_reads_as_a_formula() -> None:
    book = openpyxl.Workbook()
    apply_actions(book, [_act("setValues", values=[["-", "-2", "+3", "'- none"]], cols=4)])
    assert [c.value for c in book.active[1]] == ["-", -2, 3, "- none"]
    with pytest.raises(ValueError, match="starting with \\+ or -"):
        apply_actions(book, [_act("setValues", values=[["- none"]])])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 ,.:%-+=@/#eE£$TRUEfalsxN/Apm\t\xa0\u2003\x85",
               max_size=12)
       | st.sampled_from(["1.10", "31/03/2019", "true", " 50% ", "£5", "1e5", "-> GREEN",
                          "2019-03", "007", "Q1 target met -> GREEN", "12:30", "#N/A", "0.",
                          "#DIV/0!", "9:05 am"]))
def test_text_the_add_in_writes_stays_the_text_it_was(text: str) -> None:
    book = openpyxl.Workbook()
    apply_actions(book, [_act("setValues", values=[[safe_text(text)]])])
    cell = book.active["A1"]
    if text:
        assert cell.value == text and cell.data_type == "s"
    else:
        assert cell.value is None


def test_set_values_must_fit_the_range() -> None:
    with pytest.raises(ValueError, match="doesn't match the size") as caught:
        apply_actions(openpyxl.Workbook(), [_act("setValues", values=[["a", "b"]])])
    assert "Action 1 (setValues) failed" in "\n".join(caught.value.__notes__)


def test_set_values_renames_a_table_column_like_excel() -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(small_book())))
    apply_actions(book, [_act("setValues", values=[["Target", ""]], row=0, col=2, cols=2)])
    table = book["Plan"].tables["tblPlan"]
    assert table.column_names == ["Ref", "Due", "Target", "Column4", "Check"]
    assert book["Plan"]["D1"].value == "Column4"


def test_colours_fonts_and_formats() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    apply_actions(book, [
        _act("setRangeColor", "#00B050", rows=2, cols=2),
        _act("setRangeColor", None, row=1, col=1),
        _act("setRangeColors", [["#FF0000", "keep"], [None, "#0000ff"]], row=3, rows=2, cols=2),
        _act("setFontProperty", "bold", True, cols=2),
        _act("setFontProperty", "italic", 1),
        _act("setFontProperty", "size", 14),
        _act("setFontProperty", "color", "#FF0000"),
        _act("setFontProperty", "name", "Arial"),
        _act("setNumberFormat", "0.0", rows=2),
        _act("setHorizontalAlignment", "Center"),
        _act("setVerticalAlignment", "Top"),
        _act("setWrapText", True),
        _act("rangeAdjustIndent", 2, col=1),
    ])
    assert ws["A1"].fill.fill_type == "solid" and ws["A1"].fill.fgColor.rgb == "FF00B050"
    assert ws["B2"].fill.fill_type is None and ws["A2"].fill.fgColor.rgb == "FF00B050"
    assert ws["A4"].fill.fgColor.rgb == "FFFF0000" and ws["B4"].fill.fill_type is None
    assert ws["A5"].fill.fill_type is None and ws["B5"].fill.fgColor.rgb == "FF0000FF"
    font = ws["A1"].font
    assert (font.b, font.i, font.sz, font.color.rgb, font.name) == (
        True, True, 14, "FFFF0000", "Arial")
    assert ws["B1"].font.b and not ws["B1"].font.i
    assert ws["A2"].number_format == "0.0"
    alignment = ws["A1"].alignment
    assert (alignment.horizontal, alignment.vertical, alignment.wrap_text) == (
        "center", "top", True)
    assert ws["B1"].alignment.indent == 2
    with pytest.raises(ValueError, match="#RRGGBB"):
        apply_actions(book, [_act("setRangeColor", "orange")])


def test_borders_combine_colour_weight_and_style() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    actions = [_act("setBorderProperty", side, attribute, value, rows=2, cols=2)
               for side in ("edge_top", "inside_horizontal", "inside_vertical")
               for attribute, value in (("color", "#112233"), ("weight", "medium"),
                                        ("line_style", "dash"))]
    actions.append(_act("setBorderProperty", "edge_left", "line_style", "continuous", rows=2))
    apply_actions(book, actions)
    assert ws["A1"].border.top.style == "mediumDashed"
    assert ws["A1"].border.top.color.rgb == "FF112233"
    assert ws["A1"].border.bottom.style == "mediumDashed" == ws["A2"].border.top.style
    assert ws["A1"].border.right.style == "mediumDashed" == ws["B1"].border.left.style
    assert ws["A1"].border.left.style == "thin" and ws["A2"].border.bottom.style is None
    apply_actions(book, [_act("setBorderProperty", "edge_top", "line_style", None, cols=2)])
    assert ws["A1"].border.top.style is None


def test_widths_arrive_in_points_and_heights_too() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.column_dimensions.group("C", "E", hidden=False)  # a <col min=3 max=5> group
    ws.column_dimensions["C"].width = 20
    apply_actions(book, [
        _act("setColumnWidth", 48, col=1, row=0, rows=1_048_576),  # sh["B:B"]
        _act("setColumnWidth", 30, col=3),
        _act("setRowHeight", 30, row=1, cols=16_384),  # sh["2:2"]
        _act("setColumnHidden", True, col=5),
        _act("setRowHidden", True, row=4),
    ])
    assert ws.column_dimensions["B"].width == 9.140625  # 48 pt = 64 px, Excel's default width
    assert points_to_width(48) == 9.140625
    assert ws.column_dimensions["D"].width == points_to_width(30) == 5.7109375  # 40 px
    assert ws.column_dimensions["C"].width == 20 and ws.column_dimensions["E"].width == 20
    assert ws.row_dimensions[2].height == 30
    assert ws.column_dimensions["F"].hidden and ws.row_dimensions[5].hidden
    book.save(io.BytesIO())  # the split column groups still write
    with pytest.raises(ValueError, match="non-negative"):
        apply_actions(book, [_act("setColumnWidth", "48")])
    with pytest.raises(ValueError, match="boolean"):
        apply_actions(book, [_act("setRowHidden", 1)])


def test_merge_and_unmerge() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws["A1"], ws["B1"] = "kept", "lost"
    apply_actions(book, [
        _act("rangeMerge", False, rows=2, cols=2),
        _act("rangeMerge", True, row=3, rows=2, cols=3),
    ])
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:B2", "A4:C4", "A5:C5"]
    assert ws["A1"].value == "kept" and ws["B1"].value is None
    apply_actions(book, [_act("rangeUnmerge", row=4, col=1)])
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:B2", "A4:C4"]
    with pytest.raises(ValueError, match="partly overlaps"):
        apply_actions(book, [_act("rangeMerge", False, cols=3)])


def test_sheets_are_added_renamed_moved_hidden_activated_and_deleted() -> None:
    book = openpyxl.Workbook()
    book.active.title = "Plan"
    book.create_sheet("Data")
    book["Plan"]["A1"] = "=Data!A1*2"
    book.defined_names["Total"] = DefinedName("Total", attr_text="Data!$A$1")

    def sheet_action(func: str, *args: Any, sheet: int | None) -> dict[str, Any]:
        return _act(func, *args, sheet=sheet, row=None, col=None, rows=None, cols=None)

    apply_actions(book, [
        sheet_action("addSheet", 1, "Summary", sheet=None),
        _act("setValues", values=[["new"]], sheet=1),
        sheet_action("setSheetName", "Q1 data", sheet=2),
        sheet_action("activateSheet", 1, sheet=None),
        sheet_action("setSheetPosition", 0, sheet=2),
        sheet_action("setShowGridlines", False, sheet=1),
    ])
    assert book.sheetnames == ["Q1 data", "Plan", "Summary"]
    assert book["Summary"]["A1"].value == "new"
    assert book["Plan"]["A1"].value == "='Q1 data'!A1*2"  # Excel follows the rename
    assert book.defined_names["Total"].attr_text == "'Q1 data'!$A$1"
    assert book.active.title == "Summary" and book["Summary"].sheet_view.tabSelected
    assert not book["Plan"].sheet_view.tabSelected
    assert book["Plan"].sheet_view.showGridLines is False  # position 1 after the move
    apply_actions(book, [
        sheet_action("setSheetVisibility", "Hidden", sheet=2),  # the active sheet
        sheet_action("sheetDelete", None, sheet=0),
        sheet_action("freezePaneAtRange", "1:1", sheet=0),
        sheet_action("setPrintArea", "A1:C4", sheet=0),
    ])
    assert book.sheetnames == ["Plan", "Summary"]
    assert book["Summary"].sheet_state == "hidden" and book.active.title == "Plan"
    assert book["Plan"].freeze_panes == "A2" and book["Plan"].print_area == "'Plan'!$A$1:$C$4"
    with pytest.raises(ValueError, match="already exists"):
        apply_actions(book, [sheet_action("addSheet", 0, "plan", sheet=None)])
    with pytest.raises(ValueError, match="at least one visible"):
        apply_actions(book, [sheet_action("sheetDelete", None, sheet=0)])


@pytest.mark.parametrize(("frozen", "top_left"), [
    ("1:1", "A2"), ("1:3", "A4"), ("A:A", "B1"), ("A:B", "C1"), ("A1", "B2"), ("$B$2", "C3"),
    ("A1:C2", "D3"),
])
def test_freeze_at_takes_the_frozen_cells(frozen: str, top_left: str) -> None:
    book = openpyxl.Workbook()
    apply_actions(book, [_act("freezePaneAtRange", frozen, row=None, col=None, rows=None,
                              cols=None)])
    assert book.active.freeze_panes == top_left
    apply_actions(book, [_act("freezePaneUnfreeze", row=None, col=None, rows=None, cols=None)])
    assert book.active.freeze_panes is None


def test_notes_links_names_and_tables() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Ref", "RAG"])
    ws.append(["1", "RED"])
    apply_actions(book, [
        _act("addNote", "$B$3", "Why red", row=2, col=1),
        _act("setNoteText", "$B$3", "Why it is red", row=2, col=1),
        _act("addHyperlink", "https://example.org/", "Source", "Open the source", row=4),
        _act("addHyperlink", "#Sheet!A1", "Top", "Back to the top", row=5),
        _act("setRangeName", "Refs", rows=2),
        _act("namesAdd", "Limit", "=0.1", sheet=None, row=None, col=None, rows=None,
             cols=None),
        _act("addTable", "$A$1:$B$2", True, None, "tblRag", row=None, col=None, rows=None,
             cols=None),
        _act("setTableStyle", 0, "TableStyleLight1", row=None, col=None, rows=None, cols=None),
        _act("showTableStyleRowStripes", 0, False, row=None, col=None, rows=None, cols=None),
        _act("setTableName", 0, "tblRAG2", row=None, col=None, rows=None, cols=None),
    ])
    assert ws["B3"].comment.text == "Why it is red"
    assert ws["A5"].hyperlink.target == "https://example.org/" and ws["A5"].value == "Source"
    assert ws["A5"].hyperlink.tooltip == "Open the source"
    assert ws["A6"].hyperlink.location == "Sheet!A1"
    assert book.defined_names["Refs"].attr_text == "Sheet!$A$1:$A$2"
    assert book.defined_names["Limit"].attr_text == "0.1"
    table = ws.tables["tblRAG2"]
    assert table.ref == "A1:B2" and table.column_names == ["Ref", "RAG"]
    assert table.tableStyleInfo.name == "TableStyleLight1"
    assert not table.tableStyleInfo.showRowStripes
    with pytest.raises(ValueError, match="already exists"):
        apply_actions(book, [_act("addNote", "B3", "again", row=2, col=1)])
    with pytest.raises(TypeError, match="text_to_display is null"):
        apply_actions(book, [_act("addHyperlink", "https://x.org", None, None)])
    saved = openpyxl.load_workbook(io.BytesIO(workbook_bytes(book)))
    assert saved["Sheet"].tables["tblRAG2"].ref == "A1:B2"


def test_conditional_formats_and_validation() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    custom = {"type": "Custom", "stop_if_true": False, "fill_color": "#ff0000",
              "font_color": None, "font_bold": True, "font_italic": None,
              "formula": '=$B2="RED"'}
    cell_value = {"type": "CellValue", "operator": "GreaterThan", "formula1": "=10",
                  "formula2": None, "fill_color": None, "font_color": "#00b050"}
    icons = {"type": "IconSet", "icon_set": "ThreeTrafficLights1", "show_value": True,
             "reverse_order": False, "threshold_types": ["Number", "Number"],
             "thresholds": [1, 2]}
    apply_actions(book, [
        _act("addConditionalFormat", custom, row=1, col=1, rows=3),
        _act("addConditionalFormat", cell_value, row=1, col=2, rows=3),
        _act("addConditionalFormat", icons, row=1, col=3, rows=3),
        _act("setDataValidationList", {"type": "literal", "values": ["RED", "AMBER", "GREEN"]},
             True, row=1, col=1, rows=3),
        _act("setDataValidationRule", {"type": "whole_number", "operator": "between",
                                       "formula1": "=0", "formula2": "=100"},
             row=1, col=2, rows=3),
    ])
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    assert rules["B2:B4"][0].formula == ['$B2="RED"'] and rules["B2:B4"][0].dxf.font.b
    assert rules["C2:C4"][0].operator == "greaterThan" and rules["C2:C4"][0].formula == ["10"]
    assert rules["D2:D4"][0].iconSet.iconSet == "3TrafficLights1"
    assert [rules[k][0].priority for k in ("D2:D4", "C2:C4", "B2:B4")] == [1, 2, 3]  # newest top
    lists = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert lists["B2:B4"].formula1 == '"RED,AMBER,GREEN"'
    assert lists["B2:B4"].showDropDown is False  # OOXML's flag is inverted
    assert (lists["C2:C4"].type, lists["C2:C4"].formula2) == ("whole", "100")
    apply_actions(book, [
        _act("clearConditionalFormats", row=2, col=1),
        _act("deleteDataValidation", row=3, col=1),
    ])
    assert {str(cf.sqref) for cf in ws.conditional_formatting} >= {"B2 B4"}
    assert "B2:B3" in {str(dv.sqref) for dv in ws.data_validations.dataValidation}
    apply_actions(book, [_act("clearConditionalFormats", row=1, col=1)])
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    assert rules["B4"][0].formula == ['$B4="RED"']  # relative to the range's new top-left
    workbook_bytes(book)  # and it all still writes


def test_the_remaining_actions() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Ref", "Score"])
    ws.append(["1", 5])
    ws.append(["2", 7])
    ws["D1"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF0000")
    book.create_sheet("Other")
    none = {"row": None, "col": None, "rows": None, "cols": None}
    scale = {"type": "ColorScale", "colors": ["#F8696B", "#63BE7B"],
             "threshold_types": ["LowestValue", "HighestValue"], "thresholds": [None, None]}
    bar = {"type": "DataBar", "bar_color": "#638EC6", "gradient": True, "show_value": True,
           "threshold_types": ["Automatic", "Automatic"], "thresholds": [None, None]}
    apply_actions(book, [
        _act("setFormula", values=[["=B2*2"], ["=B3*2"]], row=1, col=2, rows=2),
        _act("addTable", "A1:B2", True, "TableStyleLight9", None, **none),
        _act("resizeTable", 0, "A1:C3", **none),
        _act("showAutofilterTable", 0, False, **none),
        _act("namesAdd", "Here", "=Sheet!$A$1", **none),
        _act("setNameRefersTo", "Here", False, 0, "=Sheet!$B$1", **none),
        _act("namesAdd", "Gone", "=1", sheet=None, **none),
        _act("nameDelete", None, None, "Gone", None, True, None, sheet=None, **none),
        _act("rangeGroup", "rows", row=1, rows=2),
        _act("rangeGroup", "columns", col=3),
        _act("rangeUngroup", "columns", col=3),
        _act("addConditionalFormat", scale, row=1, col=1, rows=2),
        _act("addConditionalFormat", bar, row=1, col=1, rows=2),
        _act("setDataValidationRule", {"type": "custom", "formula1": "=B2>0"}, row=1, col=1),
        _act("copySheet", "Before", 0, "Other (2)", sheet=1, **none),
        _act("setSheetVisibility", "VeryHidden", sheet=0, **none),
        _act("setCalculation", "Manual", sheet=None, **none),
        _act("rangeSelect", row=2, col=1, sheet=1),
        _act("rangeClearFormats", col=3, sheet=1),
        _act("sheetClearContents", sheet=2, **none),
        _act("rangeClear", row=4, col=0, sheet=1),
        _act("addNote", "A3", "soon gone", row=2, sheet=1),
        _act("deleteNote", "A3", row=2, sheet=1),
        _act("rangeClearContents", row=2, col=1, sheet=1),
        _act("showTableStyleFirstColumn", 0, True, sheet=1, **none),
        _act("showTableStyleLastColumn", 0, True, sheet=1, **none),
        _act("showTableStyleColumnStripes", 0, True, sheet=1, **none),
        _act("sheetClearFormats", sheet=2, **none),
        _act("sheetClear", sheet=0, **none),
    ])
    assert book.sheetnames == ["Other (2)", "Sheet", "Other"]
    assert ws["C2"].value == "=B2*2" and ws["C1"].value == "Column3"  # the table grew
    table = ws.tables["Table1"]
    assert (table.ref, table.autoFilter, table.column_names) == (
        "A1:C3", None, ["Ref", "Score", "Column3"])
    assert ws.defined_names["Here"].attr_text == "Sheet!$B$1" and "Gone" not in book.defined_names
    assert ws.row_dimensions[2].outline_level == 1
    assert ws.column_dimensions["D"].outline_level == 0
    assert {r.type for cf in ws.conditional_formatting for r in cf.rules} == {
        "colorScale", "dataBar"}
    assert ws.data_validations.dataValidation[0].type == "custom"
    assert book["Other (2)"].sheet_state == "veryHidden"
    assert book.calculation.calcMode == "manual"
    assert book.active.title == "Sheet" and ws.sheet_view.selection[0].sqref == "B3"
    assert ws["D1"].fill.fill_type is None
    assert ws["A3"].comment is None and ws["B3"].value is None and ws["C3"].value == "=B3*2"
    style = table.tableStyleInfo
    assert style.showFirstColumn and style.showLastColumn and style.showColumnStripes
    workbook_bytes(book)


def test_alerts_and_autofit_are_recorded_not_dropped() -> None:
    book = openpyxl.Workbook()
    apply_actions(book, [
        _act("alert", "Done", "ragbook", "ok", "info", "", sheet=None, row=None, col=None,
             rows=None, cols=None),
        _act("setAutofit", "columns", cols=3),
        _act("calculate", sheet=None, row=None, col=None, rows=None, cols=None),
        _act("setSheetAutofit", "rows", row=None, col=None, rows=None, cols=None),
        _act("setScreenUpdating", False, sheet=None, row=None, col=None, rows=None, cols=None),
        _act("save", sheet=None, row=None, col=None, rows=None, cols=None),
    ])
    assert apply_actions.alerts == [{"prompt": "Done", "title": "ragbook", "buttons": "ok",
                                     "mode": "info", "callback": ""}]
    assert [a["func"] for a in apply_actions.unrendered] == [
        "setAutofit", "calculate", "setSheetAutofit", "setScreenUpdating", "save"]
    apply_actions(book, [])
    assert apply_actions.alerts == [] and apply_actions.unrendered == []


# --- the real xlwings remote engine --------------------------------------------------------------


@pytest.fixture
def xw(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings

    return xlwings


def test_actions_xlwings_emits_apply_to_the_file(xw: Any, tmp_path: Path) -> None:
    path = small_xlsx(tmp_path)
    book = xw.Book(json=payload_from_workbook(path))
    plan = book.sheets["Plan"]
    assert plan.tables["tblPlan"].data_body_range.value[0][:3] == [
        "1.1", dt.datetime(2025, 3, 31), 7]
    assert plan["E2"].value is None  # #DIV/0! arrives as None by default
    plan["F2"].value = [["GREEN"], ["AMBER"], ["RED"]]
    plan["F2"].color = (0, 176, 80)
    plan["F3"].font.bold = True
    plan["B4"].value = dt.date(2025, 6, 30)
    plan["B:B"].column_width = 60
    plan["H1:I2"].merge()
    plan["F2:F4"].conditional_formats.add_custom('=$F2="RED"', fill_color="#FF0000")
    plan["F2:F4"].data_validation.set_list(["RED", "AMBER", "GREEN"])
    plan["C2:C4"].borders.set(weight="thin", color="#000000", line_style="continuous")
    plan.freeze_panes.freeze_at("1:1")
    summary = book.sheets.add("Summary", after=plan)
    summary["A1"].value = "Rated"
    book.app.alert("Done", title="ragbook")
    actions = book.json()["actions"]
    assert {a["func"] for a in actions} <= known_actions()

    target = openpyxl.load_workbook(path)
    apply_actions(target, actions)
    ws = target["Plan"]
    assert [ws[f"F{r}"].value for r in (2, 3, 4)] == ["GREEN", "AMBER", "RED"]
    assert ws["F2"].fill.fgColor.rgb == "FF00B050" and ws["F3"].font.b
    assert ws["B4"].value == dt.datetime(2025, 6, 30) and ws["B4"].number_format == "mm-dd-yy"
    assert ws.column_dimensions["B"].width == points_to_width(60)
    assert [str(r) for r in ws.merged_cells.ranges] == ["H1:I2"]
    assert ws["C3"].border.left.style == "thin" and ws.freeze_panes == "A2"
    assert target.sheetnames == ["Plan", "Summary", "Lists", "Empty"]
    assert target["Summary"]["A1"].value == "Rated"
    assert apply_actions.alerts[0]["prompt"] == "Done"
    out = tmp_path / "after.xlsx"
    target.save(out)
    again = payload_from_workbook(out, uncached_formulas="empty")
    assert again["sheets"][0]["values"][1][5] == "GREEN"
    assert again["sheets"][0]["values"][3][1] == "2025-06-30T00:00:00.000Z"


# --- (d) the committed demo plan -----------------------------------------------------------------


def test_demo_plan_payload_round_trips_through_xlwings(xw: Any) -> None:
    payload = payload_from_workbook(DEMO_PLAN)
    size = len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    print(f"\ndemo plan payload: {size:,} bytes ({size / 1024:.1f} KiB)")
    assert size < 1_000_000

    sheet = openpyxl.load_workbook(DEMO_PLAN, data_only=True)["Actions"]
    min_col, min_row, max_col, max_row = openpyxl.utils.range_boundaries(
        sheet.tables["tblActions"].ref)
    expected = [[cell.value for cell in row] for row in sheet.iter_rows(
        min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col)]

    book = xw.Book(json=payload)
    table = book.sheets["Actions"].tables["tblActions"]
    assert table.range.value == expected
    assert table.header_row_range.value == expected[0]
    assert len(table.data_body_range.value) == max_row - min_row
