"""``tests/excel_payload.py``: the payload the tests that run without a browser send.

``payload_from_workbook`` builds, from an .xlsx, what the add-in's ``getBookData()`` sends
for that workbook. These tests pin down how it reads a file; ``test_addin_browser.py`` holds
it to what xlwings' own client sends, run in Chromium over the same workbooks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo

from conftest import DEMO_PLAN
from excel_payload import (
    XLWINGS_VERSION,
    UncachedFormulaError,
    is_date_number_format,
    iso_from_serial,
    payload_from_workbook,
)
from fixtures_xlsx import Package, plain_xlsx, with_picture, with_text_box, workbook_bytes

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


# --- the real xlwings remote engine --------------------------------------------------------------


@pytest.fixture
def xw(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings

    return xlwings


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
