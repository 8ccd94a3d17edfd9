"""The use cases are written once: both routes work out the same list of changes, and the
three ways the routes had drifted apart are gone (the open workbook's appendix has its
charts, the add-in's run log names the officer, DIRECTION reads polarity as RAG does)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime

import openpyxl
import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw
from xlwings.server import custom_scripts_call

from conftest import DEMO_PLAN, run_ragbook
from excel_payload import payload_from_workbook
from ragbook import changes as planned
from ragbook import schema
from ragbook.appendix.build import build_appendix
from ragbook.appendix.theme import Theme
from ragbook.changes import CellValues, Copied, NewRows
from ragbook.excel import book as live_book
from ragbook.excel import functions, scripts
from ragbook.plan import rate_plan
from ragbook.problems import column_letter
from ragbook.roll_forward import roll_forward
from ragbook.workbook.reader import open_plan
from serving import Server, function_call, serve

WHEN = datetime(2018, 7, 2, 9, 30)


def changes_of(tables, command: str) -> planned.Changes:
    """What a run works out for the plan read by either route."""
    result = rate_plan(tables.plan)
    done = planned.ratings(tables, result)
    done += planned.run_log(tables, result, command, 0, WHEN, "officer", tables.sheet_names)
    if command == "roll-forward":
        done += planned.next_quarter(tables, roll_forward(result, tables.history()),
                                     tables.sheet_names)
    return done


def file_changes(plan, command="recalc") -> planned.Changes:
    return changes_of(open_plan(plan), command)


def open_workbook_changes(plan, command="recalc") -> planned.Changes:
    return changes_of(live_book.read_book(xw.Book(json=payload_from_workbook(plan))), command)


@pytest.mark.parametrize("command", ["recalc", "roll-forward"])
def test_the_same_plan_gives_the_same_changes_on_both_routes(command):
    by_file, in_excel = file_changes(DEMO_PLAN, command), open_workbook_changes(DEMO_PLAN, command)
    assert by_file == in_excel
    cells: dict[tuple[str, str], CellValues] = {}
    for change in by_file.cells:  # the ratings first, then (rolling forward) the clearing
        cells.setdefault((change.table, change.header), change)
    assert len(cells[("tblMeasures", "RAG")].values) == 36
    assert cells[("tblMeasures", "RAG")].look == "rating"
    assert cells[("tblActions", "Why")].look == "wrap"
    assert [r.table for r in by_file.rows][:1] == ["tblRunLog"]
    if command == "roll-forward":
        carried = cells[("tblMeasures", "Previous actual")]
        assert all(isinstance(v, Copied) for v in carried.values.values())
        history = [r for r in by_file.rows if r.table == "tblHistory"]
        assert isinstance(history[0], NewRows) and len(history[0].rows) == 118


def test_changes_are_data_a_reader_can_check():
    done = file_changes(DEMO_PLAN)
    rag = next(c for c in done.cells if c.table == "tblActions" and c.header == "RAG")
    assert isinstance(rag, CellValues) and rag.sheet == "Actions"
    assert set(rag.values.values()) <= {"R", "A", "G", None}
    log = done.rows[0]
    assert log.rows[0][:2] == [WHEN, "recalc"] and "officer" in log.rows[0]


def test_no_module_on_the_add_in_path_imports_openpyxl():
    code = ("import sys; import ragbook.excel.scripts, ragbook.excel.functions, "
            "ragbook.excel.server; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))")
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True)
    assert done.stdout.strip() == "[]"
    core = ("import sys, ragbook, ragbook.cells, ragbook.changes, ragbook.schema; "
            "print(sorted(m for m in sys.modules if m.startswith(('ragbook.workbook', "
            "'ragbook.excel', 'openpyxl', 'xlwings'))))")
    done = subprocess.run([sys.executable, "-c", core], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


# --- the open workbook's appendix has its charts -----------------------------------------------


def test_build_appendix_in_excel_draws_the_summary_charts_the_file_has(demo_plan, tmp_path):
    book = xw.Book(json=payload_from_workbook(DEMO_PLAN))
    actions = asyncio.run(custom_scripts_call(scripts, "build_appendix", None,
                                              {xw.Book: book})).json()["actions"]
    added = [a for a in actions if a["func"] == "addChart" and a["args"][1] != "Line"]
    workbook = open_plan(DEMO_PLAN)
    theme = Theme.from_settings(workbook.settings)
    layout = build_appendix(rate_plan(workbook.plan), theme, [])
    charts = [(sheet.name, chart) for sheet in layout.sheets for chart in sheet.charts
              if chart.kind != "line"]  # the trend charts: test_variation_in_plans.py
    assert len(added) == len(charts) == 2
    for action, (sheet, chart) in zip(added, charts, strict=True):
        _, kind, on, source, *_ = action["args"]
        assert (kind, on) == ("BarStacked", sheet)
        _, first, last = chart.categories
        assert source.endswith(f"${last}") and f"${first - 1}" in source
    axes = [a["args"][2] for a in actions if a["func"] == "setChartXAxisValues"
            and a["args"][1] == "Summary"]
    letter = {column_letter(c.categories[0]) for _, c in charts}.pop()
    assert axes == [f"${letter}${c.categories[1]}:${letter}${c.categories[2]}"
                    for _, c in charts]
    titles = [a["args"][1] for a in actions if a["func"] == "setChartTitle"]
    assert titles == [chart.title for _, chart in charts]
    colours = [a["args"][2]["fill_color"] for a in actions if a["func"] == "setChartSeries"
               and "fill_color" in a["args"][2]]
    assert colours[:4] == ["#c00000", "#ffc000", "#00b050", "#a6a6a6"]
    # The file's appendix has the same charts.
    assert run_ragbook("appendix", demo_plan, "--out", tmp_path / "a.xlsx").returncode == 0
    summary = openpyxl.load_workbook(tmp_path / "a.xlsx")[charts[0][0]]
    assert len(summary._charts) == 2


# --- the run log names the officer ------------------------------------------------------------

TOKENS = "jane.smith=token-for-jane-123,anonymous-token-456"


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("officers"), XLWINGS_AUTH_PROVIDERS='["custom"]',
                     RAGBOOK_TOKENS=TOKENS)


def logged_by(server: Server, token: str) -> object:
    answer = server.post("/xlwings/custom-scripts-call/recalculate_rag",
                         json=payload_from_workbook(DEMO_PLAN),
                         headers={"Authorization": token})
    assert answer.status_code == 200, answer.text
    rows = [row for action in answer.json()["actions"] if action["func"] == "setValues"
            for row in action["values"] if "Recalculate RAG" in row]
    assert len(rows) == 1
    return rows[0][schema.RUN_LOG.headers.index("By")]


def test_the_add_ins_run_log_names_the_officer_signed_in(signed_in):
    assert logged_by(signed_in, "token-for-jane-123") == "jane.smith"
    assert logged_by(signed_in, "anonymous-token-456") == "token 2"


def test_the_file_routes_run_log_names_the_computers_user(demo_plan):
    assert run_ragbook("recalc", demo_plan).returncode == 0
    log = list(openpyxl.load_workbook(demo_plan)["Run log"].iter_rows(values_only=True))
    by = dict(zip(log[0], log[1], strict=True))["By"]
    assert by == planned.person() and by


# --- DIRECTION reads polarity as RAG does -----------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("functions"))


def result(server: Server, name: str, *args: object) -> object:
    answer = server.post("/xlwings/custom-functions-call", json=function_call(name, *args))
    assert answer.status_code == 200, answer.text
    return answer.json()["result"][0][0]


@pytest.mark.parametrize("polarity", ["lower", "Lower is better", " LOWER IS BETTER "])
def test_direction_reads_polarity_as_rag_does(server, polarity):
    assert result(server, "rag", 10, 12, polarity) == "G"
    assert result(server, "direction", 10, 12, polarity) == "↑"  # lower: 10 after 12 improves


def test_direction_says_when_it_cannot_read_the_polarity(server):
    answer = result(server, "direction", 10, 12, "sideways")
    assert answer == ('Not understood: polarity "sideways"; expected one of Higher is better, '
                      "Lower is better or Within range")
    assert functions.direction(10, 12, None) == "↓"  # blank: higher is better, as RAG
