"""The Excel add-in route and the file route agree.

Each add-in script runs on ``xw.Book(json=...)`` built from the plan exactly as
the add-in's ``getBookData()`` sends it; its actions are applied to a copy of
the file as the add-in would apply them in Excel; the result is compared with
what the command line writes.
"""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from apply_actions import apply_actions
from conftest import ROOT, run_ragbook
from excel_payload import payload_from_workbook

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw
from xlwings.server import custom_scripts_call

from ragbook.excel import book as live_book
from ragbook.excel import scripts
from ragbook.problems import sheet_ref

CORPUS = ROOT / "tests" / "corpus" / "plans"
FIXED = datetime(2018, 7, 2, 9, 30)
OUTPUTS = {"Actions": ("RAG", "Direction", "Milestone due", "Milestone check", "Why"),
           "Measures": ("RAG", "Direction", "Why")}


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    monkeypatch.setattr(live_book, "now", lambda: FIXED)


def run_script(plan: Path, name: str, module=scripts) -> list[dict]:
    """Run a script the way xlwings Server (and Lite) runs it; return its actions."""
    book = xw.Book(json=payload_from_workbook(plan))
    done = asyncio.run(custom_scripts_call(module, name, None, {xw.Book: book}))
    return done.json()["actions"]


def through_addin(plan: Path, name: str, target: Path) -> list[dict]:
    """The plan after clicking a button: its actions applied to a copy of the file."""
    # Charts are drawn by Excel's layout and cannot be applied to a file here; that the
    # add-in sends the appendix's charts is checked in test_changes.py.
    actions = [a for a in run_script(plan, name) if "Chart" not in a["func"]]
    book = openpyxl.load_workbook(plan)
    apply_actions(book, actions)
    book.save(target)
    return actions


def table(path: Path, sheet: str) -> dict[str, dict[str, object]]:
    rows = openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)
    header = [str(h) for h in next(rows)]
    return {str(row[0]): dict(zip(header, row, strict=False)) for row in rows if row[0]}


def _day(value: object) -> object:
    return value.date() if isinstance(value, datetime) else value


def test_recalculate_rag_writes_what_recalc_writes_in_every_row(demo_plan, tmp_path):
    by_file = tmp_path / "file.xlsx"
    done = run_ragbook("recalc", demo_plan, "--out", by_file)
    assert done.returncode == 0, done.stdout + done.stderr
    by_addin = tmp_path / "addin.xlsx"
    through_addin(demo_plan, "recalculate_rag", by_addin)
    for sheet, columns in OUTPUTS.items():
        file_rows, addin_rows = table(by_file, sheet), table(by_addin, sheet)
        assert file_rows.keys() == addin_rows.keys()
        for ref, row in file_rows.items():
            for column in columns:
                assert _day(addin_rows[ref][column]) == _day(row[column]), \
                    f"{sheet} {ref} {column}"


def test_recalculate_rag_colours_rag_cells_as_recalc_does(demo_plan, tmp_path):
    by_file, by_addin = tmp_path / "file.xlsx", tmp_path / "addin.xlsx"
    run_ragbook("recalc", demo_plan, "--out", by_file)
    through_addin(demo_plan, "recalculate_rag", by_addin)
    for path in (by_file, by_addin):
        sheet = openpyxl.load_workbook(path)["Measures"]
        column = [c.value for c in sheet[1]].index("RAG") + 1
        fills = {sheet.cell(r, column).value: sheet.cell(r, column).fill.fgColor.rgb[-6:]
                 for r in range(2, sheet.max_row + 1)}
        assert (fills["R"], fills["A"], fills["G"]) == ("C00000", "FFC000", "00B050"), path


def test_recalculate_rag_adds_a_run_log_row_and_says_what_it_did(demo_plan, tmp_path):
    actions = through_addin(demo_plan, "recalculate_rag", tmp_path / "addin.xlsx")
    log = list(table(tmp_path / "addin.xlsx", "Run log").values())
    assert log[0]["Command"] == "Recalculate RAG"
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert alerts == ["Rated 82 actions and 36 measures for Q1 2018/19: R 11, A 37, G 70 "
                      "(118 items)."]


def test_check_milestones_lists_the_problems_and_milestones(tmp_path):
    plan = tmp_path / "plan.xlsx"
    shutil.copyfile(CORPUS / "unknown_status.xlsx", plan)
    target = tmp_path / "checked.xlsx"
    through_addin(plan, "check_milestones", target)
    problems = openpyxl.load_workbook(target)["Problems"]
    rows = list(problems.iter_rows(values_only=True))
    assert rows[0][:5] == ("Place", "Item", "Found", "Expected", "Severity")
    assert rows[1][0] == "Actions!F2" and rows[1][1] == "Status of action 1.1"


def _in_plan_cases() -> list[str]:
    """Corpus plans whose problems are in the plan's cells (the add-in's route too).

    Left out: what only a file shows (merged cells, a formula never calculated),
    and the file-level cases (a missing, locked or damaged file is not the add-in's).
    """
    skip = {"merged_cells", "formula_without_value"}
    return sorted(p.stem for p in CORPUS.glob("*.xlsx")
                  if p.stem not in skip and not p.name.startswith("~$")
                  and _readable(p))


def _readable(path: Path) -> bool:
    try:
        openpyxl.load_workbook(path)
    except Exception:
        return False
    return True


@pytest.mark.parametrize("case", _in_plan_cases())
def test_bad_input_gets_the_same_problems_at_the_same_cells(case, tmp_path):
    plan = tmp_path / f"{case}.xlsx"
    shutil.copyfile(CORPUS / f"{case}.xlsx", plan)
    cli = json.loads(run_ragbook("check", plan, "--json").stdout)
    expected = sorted((p["place"].replace(plan.name, "BOOK"), p["code"])
                      for p in cli["problems"])
    book = xw.Book(json=payload_from_workbook(plan))
    _, _, problems = scripts._rate(book)
    found = sorted((p.place.replace(book.name, "BOOK"), p.code) for p in problems)
    assert found == expected


def test_build_appendix_puts_the_same_report_in_the_workbook(demo_plan, tmp_path):
    by_file = tmp_path / "file.xlsx"
    shutil.copyfile(demo_plan, by_file)
    assert run_ragbook("appendix", by_file, "--into-plan").returncode == 0
    by_addin = tmp_path / "addin.xlsx"
    through_addin(demo_plan, "build_appendix", by_addin)
    file_book, addin_book = openpyxl.load_workbook(by_file), openpyxl.load_workbook(by_addin)
    for name in ("Progress report", "Summary", "Exceptions", "Milestone check"):
        file_sheet, addin_sheet = file_book[name], addin_book[name]
        assert {str(r) for r in addin_sheet.merged_cells.ranges} == \
            {str(r) for r in file_sheet.merged_cells.ranges}, name
        for row in file_sheet.iter_rows():
            for cell in row:
                twin = addin_sheet.cell(cell.row, cell.column)
                assert (twin.value or None) == (cell.value or None), f"{name}!{cell.coordinate}"


def test_roll_forward_starts_the_same_next_quarter(demo_plan, tmp_path):
    by_file = tmp_path / "file.xlsx"
    assert run_ragbook("roll-forward", demo_plan, "--out", by_file).returncode == 0
    by_addin = tmp_path / "addin.xlsx"
    through_addin(demo_plan, "roll_forward", by_addin)
    for sheet, columns in (("Actions", ("Status", "Previous RAG", "RAG", "Milestone")),
                           ("Measures", ("Actual", "Previous actual", "Last year actual"))):
        file_rows, addin_rows = table(by_file, sheet), table(by_addin, sheet)
        for ref, row in file_rows.items():
            for column in columns:
                assert (addin_rows[ref][column] or None) == (row[column] or None), \
                    f"{sheet} {ref} {column}"
    assert table(by_addin, "Settings")["Reporting quarter"]["Value"] == "Q2"
    assert len(table(by_addin, "History")) == len(table(by_file, "History"))


def test_lite_main_gives_the_same_actions_as_the_server(demo_plan):
    spec = importlib.util.spec_from_file_location("lite_main", ROOT / "addin/lite/main.py")
    assert spec and spec.loader
    lite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lite)
    for name in ("recalculate_rag", "check_milestones", "build_appendix", "roll_forward"):
        assert run_script(demo_plan, name, lite) == run_script(demo_plan, name), name


def test_the_payload_is_not_changed_by_reading_it(demo_plan):
    payload = payload_from_workbook(demo_plan)
    kept = copy.deepcopy(payload)
    live_book.read_book(xw.Book(json=payload))
    assert payload["sheets"] == kept["sheets"]


def _rag_cells(path: Path, sheet_name: str):
    sheet = openpyxl.load_workbook(path)[sheet_name]
    column = [c.value for c in sheet[1]].index("RAG") + 1
    return [sheet.cell(r, column) for r in range(2, sheet.max_row + 1)]


@pytest.mark.parametrize("script", ["recalculate_rag", "roll_forward"])
def test_every_rag_letter_stays_readable(demo_plan, tmp_path, script):
    """White letters only on red; bold only for R, A and G; blank or No data cells stay plain."""
    target = tmp_path / "addin.xlsx"
    through_addin(demo_plan, script, target)
    for sheet in ("Actions", "Measures"):
        for cell in _rag_cells(target, sheet):
            colour = (cell.font.color.rgb or "") if cell.font.color else ""
            assert colour.endswith("FFFFFF") == (cell.value == "R"), cell.coordinate
            assert bool(cell.font.bold) == (cell.value in ("R", "A", "G")), cell.coordinate


def _with_total_row(plan: Path, target: Path, name: str) -> Path:
    """A copy of the plan whose table ``name`` shows a Total Row."""
    book = openpyxl.load_workbook(plan)
    for sheet in book.worksheets:
        if name in sheet.tables:
            found = sheet.tables[name]
            first, last = found.ref.split(":")
            column = "".join(c for c in last if c.isalpha())
            below = int("".join(c for c in last if c.isdigit())) + 1
            found.ref = f"{first}:{column}{below}"
            found.totalsRowCount = 1
            sheet[f"{''.join(c for c in first if c.isalpha())}{below}"] = "Total"
    book.save(target)
    return target


@pytest.mark.parametrize(("name", "sheet", "command", "script"), [
    ("tblRunLog", "Run log", ("recalc",), "recalculate_rag"),
    ("tblHistory", "History", ("roll-forward", "--out", "next.xlsx"), "roll_forward"),
])
def test_a_total_row_on_a_table_ragbook_adds_to_stops_both_routes_unchanged(
        demo_plan, tmp_path, name, sheet, command, script):
    plan = _with_total_row(demo_plan, tmp_path / "plan.xlsx", name)
    before = plan.read_bytes()
    done = run_ragbook(*command, plan, cwd=tmp_path)
    said = done.stdout + done.stderr
    assert done.returncode != 0 and f"found a Total Row on {name}" in said
    assert plan.read_bytes() == before and not (tmp_path / "next.xlsx").exists()
    place = re.search(r"(?:'[^']+'|[\w.]+)![A-Z]+\d+:[A-Z]+\d+(?=: found a Total Row)", said)
    assert place and place[0].startswith(f"{sheet_ref(sheet)}!A")
    cli_place = place[0]

    book = xw.Book(json=payload_from_workbook(plan))
    with pytest.raises(xw.XlwingsError, match="found a Total Row") as stopped:
        getattr(scripts, script).__wrapped__(book)
    assert str(stopped.value).startswith(cli_place + ": ")
    assert book.json()["actions"] == []  # desktop Excel would have applied any, at once


def test_text_shaped_like_a_date_that_is_not_one_stays_text(demo_plan, tmp_path):
    plan = tmp_path / "plan.xlsx"
    book = openpyxl.load_workbook(demo_plan)
    book["Measures"]["T2"] = "2024-13-01T00:00:00Z"  # the first measure's Data note
    book.save(plan)
    live = live_book.read_book(xw.Book(json=payload_from_workbook(plan)))
    assert live.plan is not None
    assert live.plan.measures["Data note"].iloc[0] == "2024-13-01T00:00:00Z"


def test_numpy_values_are_sent_as_plain_numbers(demo_plan):
    book = xw.Book(json=payload_from_workbook(demo_plan))
    sheet = book.sheets["Run log"]
    live_book.write_values(sheet, 5, 1, [[np.float64(1.5), np.int64(2), np.bool_(True),
                                                 live_book._cell_value(np.float64(2.5))]])
    sent = book.json()["actions"][-1]["values"]
    assert sent == [[1.5, 2, True, 2.5]]
    assert [type(value) for value in sent[0]] == [float, int, bool, float]


def test_buttons_leave_the_garbage_collector_as_they_found_it(demo_plan, tmp_path):
    import gc

    assert gc.isenabled()
    run_script(demo_plan, "recalculate_rag")
    assert gc.isenabled()
    broken = _with_total_row(demo_plan, tmp_path / "plan.xlsx", "tblRunLog")
    with pytest.raises(xw.XlwingsError):
        scripts.recalculate_rag.__wrapped__(xw.Book(json=payload_from_workbook(broken)))
    assert gc.isenabled()
    gc.disable()
    try:
        run_script(demo_plan, "recalculate_rag")
        assert not gc.isenabled()
    finally:
        gc.enable()
