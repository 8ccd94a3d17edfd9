"""The add-in's scripts run in Python as xlwings Server runs them, without a browser.

Each script runs on ``xw.Book(json=...)`` built from the plan as the add-in's
``getBookData()`` sends it (``tests/excel_payload.py``, held to the real client by
``test_addin_browser.py``). What the buttons leave in the workbook, applied by xlwings' own
JavaScript, is compared with the command line's files in ``test_addin_browser.py``.
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

from conftest import ROOT, run_ragbook
from excel_payload import payload_from_workbook
from fixtures_xlsx import with_total_row

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw
from xlwings.server import custom_scripts_call

from ragbook.excel import book as live_book
from ragbook.excel import scripts
from ragbook.problems import sheet_ref

CORPUS = ROOT / "tests" / "corpus" / "plans"
FIXED = datetime(2018, 7, 2, 9, 30)


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    monkeypatch.setattr(live_book, "now", lambda: FIXED)


def run_script(plan: Path, name: str, module=scripts) -> list[dict]:
    """Run a script the way xlwings Server (and Lite) runs it; return its actions."""
    book = xw.Book(json=payload_from_workbook(plan))
    done = asyncio.run(custom_scripts_call(module, name, None, {xw.Book: book}))
    return done.json()["actions"]


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


@pytest.mark.parametrize(("name", "sheet", "command", "script"), [
    ("tblRunLog", "Run log", ("recalc",), "recalculate_rag"),
    ("tblHistory", "History", ("roll-forward", "--out", "next.xlsx"), "roll_forward"),
])
def test_a_total_row_on_a_table_ragbook_adds_to_stops_both_routes_unchanged(
        demo_plan, tmp_path, name, sheet, command, script):
    plan = with_total_row(demo_plan, tmp_path / "plan.xlsx", name)
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
    broken = with_total_row(demo_plan, tmp_path / "plan.xlsx", "tblRunLog")
    with pytest.raises(xw.XlwingsError):
        scripts.recalculate_rag.__wrapped__(xw.Book(json=payload_from_workbook(broken)))
    assert gc.isenabled()
    gc.disable()
    try:
        run_script(demo_plan, "recalculate_rag")
        assert not gc.isenabled()
    finally:
        gc.enable()
