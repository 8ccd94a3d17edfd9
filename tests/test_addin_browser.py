"""The add-in as Excel runs it: the task pane's real JavaScript in Chromium, against a fake
Excel (tests/browser/fake-office.js) and the real server.

Each test starts from a plan file, loads it into the fake workbook, opens ``/taskpane.html``
from ``ragbook serve`` and clicks as an officer does. xlwings' own client reads the workbook
(``getBookData``), calls the server and applies the actions it answers with; the workbook it
leaves is compared, cell by cell, with what the command line writes to the same plan.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from browser_tools import axe_violations, describe_violations
from conftest import ROOT, run_ragbook
from fake_excel import FakeSheet, clicked, open_taskpane, state_from_workbook
from fake_excel import _rgb as rgb
from fixtures_xlsx import with_total_row
from ragbook import schema
from ragbook.excel import functions
from ragbook.excel.problems_sheet import HIGHLIGHT
from serving import serve

pytestmark = pytest.mark.browser

CORPUS = ROOT / "tests" / "corpus" / "plans"
OUTPUTS = {spec.sheet: tuple(column.name for column in spec.outputs)
           for spec in (schema.ACTIONS, schema.MEASURES)}
BUTTONS = {"Recalculate RAG": "recalculate_rag", "Check milestones": "check_milestones",
           "Build appendix": "build_appendix", "Roll forward": "roll_forward"}


# --- reading both workbooks the same way ----------------------------------------------------------

def _day(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    return None if value == "" else value


def _fill(cell) -> str | None:
    """A solid RGB fill (theme colours are not modelled, on either side)."""
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    return rgb(cell.fill.fgColor)


def _font_color(cell) -> str:
    return (rgb(cell.font.color) if cell.font is not None else None) or "#000000"


def header_columns(sheet) -> dict[str, int]:
    return {str(c.value): c.column for c in sheet[1] if c.value is not None}


def assert_same_cells(file_sheet, fake: FakeSheet, columns: tuple[str, ...] | None = None,
                      *, looks: bool = True) -> int:
    """Every cell of ``file_sheet`` (in ``columns`` when given) has the same value in the fake
    sheet and, with ``looks``, the same fill, letter colour and boldness. The cells compared."""
    names = header_columns(file_sheet)
    wanted = None if columns is None else {names[c] for c in columns}
    compared = 0
    for row in file_sheet.iter_rows():
        for cell in row:
            if wanted is not None and cell.column not in wanted:
                continue
            place = f"{file_sheet.title}!{cell.coordinate}"
            assert _day(fake.value(cell.coordinate)) == _day(cell.value), place
            if looks:
                assert fake.fill(cell.coordinate) == _fill(cell), place
                assert fake.font_color(cell.coordinate) == _font_color(cell), place
                assert bool(fake.font(cell.coordinate).get("bold")) == bool(cell.font.b), place
            compared += 1
    return compared


# --- the four buttons -----------------------------------------------------------------------------

def test_recalculate_rag_writes_what_recalc_writes(pane, demo_plan, tmp_path):
    by_file = tmp_path / "file.xlsx"
    done = run_ragbook("recalc", demo_plan, "--out", by_file)
    assert done.returncode == 0, done.stdout + done.stderr
    opened, book = clicked(pane, demo_plan, "Recalculate RAG")
    expected = openpyxl.load_workbook(by_file)
    for sheet, columns in OUTPUTS.items():
        assert assert_same_cells(expected[sheet], book[sheet], columns) > 100
    assert opened.alerts() == ["Rated 82 actions and 36 measures for Q1 2018/19: R 11, A 37, "
                               "G 70 (118 items)."]
    log_file = list(expected["Run log"].iter_rows(values_only=True))
    log_fake = list(book["Run log"].rows())
    assert log_fake[0] == list(log_file[0])
    # The same row but for who ran it and when.
    skip = {log_file[0].index(column) for column in ("When", "Command", "By")}
    assert log_fake[-1][log_file[0].index("Command")] == "Recalculate RAG"
    assert [v for i, v in enumerate(log_fake[-1]) if i not in skip] == \
        [v for i, v in enumerate(log_file[-1]) if i not in skip]
    assert book["Run log"].table("tblRunLog")["range"] == expected["Run log"].tables[
        "tblRunLog"].ref


def test_check_milestones_writes_the_problems_sheet_with_links_and_highlights(pane, tmp_path):
    plan = tmp_path / "plan.xlsx"
    shutil.copyfile(CORPUS / "unknown_status.xlsx", plan)
    cli = json.loads(run_ragbook("check", plan, "--json").stdout)
    opened, book = clicked(pane, plan, "Check milestones")
    problems = book["Problems"]
    rows = list(problems.rows())
    assert rows[0][:5] == ["Place", "Item", "Found", "Expected", "Severity"]
    places = [p["place"] for p in cli["problems"]]
    assert [row[0] for row in rows[1:len(places) + 1]] == places
    for number, place in enumerate(places, start=2):
        link = problems.hyperlink(f"A{number}")
        assert link is not None and link["address"] == f"#{place}", place
        sheet, cell = place.split("!")
        assert book[sheet.strip("'")].fill(cell) == HIGHLIGHT.upper(), place
    assert book.active.name == "Problems"
    assert opened.alerts() == ["1 problem(s) and 1 milestone item(s): see the Problems sheet."]


def test_build_appendix_adds_what_appendix_into_plan_adds(pane, demo_plan, tmp_path):
    by_file = tmp_path / "file.xlsx"
    shutil.copyfile(demo_plan, by_file)
    assert run_ragbook("appendix", by_file, "--into-plan").returncode == 0
    _, book = clicked(pane, demo_plan, "Build appendix")
    expected = openpyxl.load_workbook(by_file)
    for name in ("Progress report", "Summary", "Variation", "Exceptions", "Milestone check",
                 "Chart data", "Officer's checklist"):
        assert name in book.sheetnames, name
        fake, file_sheet = book[name], expected[name]
        assert set(fake.state["merges"]) == {str(r) for r in file_sheet.merged_cells.ranges}
        for row in file_sheet.iter_rows():
            for cell in row:
                assert _day(fake.value(cell.coordinate)) == _day(cell.value), \
                    f"{name}!{cell.coordinate}"
                if cell.value is not None and _fill(cell):
                    assert fake.fill(cell.coordinate) == _fill(cell), f"{name}!{cell.coordinate}"
    charts = book["Summary"].state["charts"]
    assert [c["title"]["text"] for c in charts] == ["Actions by rating, per outcome",
                                                   "Measures by rating, per outcome"]
    for chart in charts:
        assert [s["fill_color"] for s in chart["series"]] == ["#C00000", "#FFC000", "#00B050",
                                                             "#A6A6A6"]
        assert all(s["x_axis_values"] == "Summary!A6:A9" for s in chart["series"])


def test_roll_forward_starts_the_same_next_quarter(pane, demo_plan, tmp_path):
    by_file = tmp_path / "file.xlsx"
    assert run_ragbook("roll-forward", demo_plan, "--out", by_file).returncode == 0
    _, book = clicked(pane, demo_plan, "Roll forward")
    expected = openpyxl.load_workbook(by_file)
    for sheet in ("Actions", "Measures", "Settings", "Commentary", "History"):
        assert_same_cells(expected[sheet], book[sheet], looks=sheet in ("Actions", "Measures"))
    assert book["History"].table("tblHistory")["range"] == expected["History"].tables[
        "tblHistory"].ref


# --- what goes wrong ------------------------------------------------------------------------------

def test_a_plan_the_rules_refuse_shows_the_message_and_changes_nothing(pane, demo_plan,
                                                                       tmp_path):
    plan = with_total_row(demo_plan, tmp_path / "plan.xlsx", "tblRunLog")
    said = run_ragbook("recalc", plan, cwd=tmp_path)
    assert said.returncode == 1
    opened = pane(plan)
    before = opened.book().state
    status = opened.click("Recalculate RAG")
    assert status.startswith("Recalculate RAG did not finish"), status
    error = opened.error()
    assert "found a Total Row on tblRunLog" in error, error
    assert error.split(": ")[0] in said.stdout + said.stderr
    assert opened.book().state == before


def _in_plan_cases() -> list[str]:
    """Corpus plans whose problems are in the plan's cells: what the add-in can see. Left
    out: what only a file shows (merged cells, a formula never calculated) and the
    file-level cases (a missing, locked or damaged file)."""
    skip = {"merged_cells", "formula_without_value"}
    found = []
    for path in sorted(CORPUS.glob("*.xlsx")):
        if path.stem in skip or path.name.startswith("~$"):
            continue
        try:
            openpyxl.load_workbook(path)
        except Exception:
            continue
        found.append(path.stem)
    return found


def test_the_corpus_has_enough_plans_for_the_browser():
    assert len(_in_plan_cases()) >= 10


@pytest.mark.parametrize("case", ["demo", *_in_plan_cases()])
def test_check_milestones_finds_the_problems_check_finds_at_the_same_cells(
        pane, demo_plan, tmp_path, case):
    plan = tmp_path / f"{case}.xlsx"
    shutil.copyfile(demo_plan if case == "demo" else CORPUS / f"{case}.xlsx", plan)
    cli = json.loads(run_ragbook("check", plan, "--json").stdout)
    expected = [(p["place"], p["item"], p["found"], p["expected"]) for p in cli["problems"]]
    _, book = clicked(pane, plan, "Check milestones")
    rows = list(book["Problems"].rows())
    assert rows[0][:4] == ["Place", "Item", "Found", "Expected"]
    listed = []
    for row in rows[1:]:
        if not any(row):  # the blank row before the milestone report
            break
        listed.append(tuple(row[:4]))
    if not expected:
        assert listed == [(None, "No problems found.", None, None)]
    else:
        assert listed == [tuple(v if v != "" else None for v in e) for e in expected]


def test_a_plan_too_big_for_excel_on_the_web_gets_a_clear_message(pane, demo_plan, tmp_path):
    plan = tmp_path / "big.xlsx"
    book = openpyxl.load_workbook(demo_plan)
    evidence = book.create_sheet("Evidence")
    paragraph = "Evidence gathered for the quarterly return, kept beside the plan. " * 15
    for row in range(1, 5001):
        evidence.cell(row, 1, f"E{row}")
        evidence.cell(row, 2, paragraph)
    book.save(plan)
    opened = pane(plan)
    before = opened.book().state
    status = opened.click("Recalculate RAG", timeout_s=60)
    assert status.startswith("Recalculate RAG did not finish"), status
    assert opened.error().startswith("This workbook is too big for Excel on the web to send")
    assert opened.script_calls() == []  # stopped in Excel, before anything reached the server
    assert opened.book().state == before


# --- the ribbon, the worksheet functions and the access token -------------------------------------

RIBBON = {"ragbook-recalculate-rag": ("recalculate_rag", "Rated 82 actions and 36 measures"),
          "ragbook-check-milestones": ("check_milestones", "0 problem(s)"),
          "ragbook-build-appendix": ("build_appendix", "Built the appendix"),
          "ragbook-roll-forward": ("roll_forward", "Started Q2 2018/19")}


@pytest.mark.parametrize("function_name", list(RIBBON))
def test_each_ribbon_button_runs_its_script(pane, demo_plan, function_name):
    opened = pane(demo_plan)
    opened.press_ribbon(function_name)
    script, said = RIBBON[function_name]
    assert [name for name, _, _ in opened.script_calls()] == [script]
    assert opened.alerts() and opened.alerts()[-1].startswith(said), opened.alerts()


FUNCTION_CASES = [
    ("RAG", (72, 90, "Higher is better")),
    ("RAG", (95, 90, "Higher is better")),
    ("RAG", (30, 25, "Lower is better", 0.05, 0.1)),
    ("RAG", ("lots", 90, "Higher is better")),
    ("DIRECTION", (72, 60, "Higher is better")),
    ("DIRECTION", (28.2, 28.2, "Lower is better")),
    ("MILESTONE_DUE", ("By end March 2019",)),
    ("MILESTONE_DUE", ("sometime soon",)),
    ("MILESTONE_CHECK", ("By end March 2018", "On track", "30/06/2018")),
    ("MILESTONE_CHECK", ("By end March 2019", "Complete", "30/06/2018")),
]


def test_the_worksheet_functions_answer_through_the_real_functions_code(pane, demo_plan):
    opened = pane(demo_plan)
    for name, args in FUNCTION_CASES:
        answer = opened.evaluate_function(name, *args)
        expected = getattr(functions, name.lower())(*args)
        assert "value" in answer, (name, args, answer)
        [[value]] = answer["value"]
        if isinstance(value, dict):  # a date: a number Excel shows in a date format
            assert value["type"] == "FormattedNumber" and value["numberFormat"] == "dd/MM/yyyy"
            value = from_excel(value["basicValue"]).date()
        assert value == expected, (name, args, answer)


@pytest.fixture(scope="module")
def token_server(tmp_path_factory):
    yield from serve(tmp_path_factory.mktemp("browser-tokens"),
                     XLWINGS_AUTH_PROVIDERS='["custom"]', RAGBOOK_TOKENS="jane.smith=secret-one")


def test_a_wrong_access_token_is_refused_in_the_pane_and_a_right_one_kept(
        browser, token_server, demo_plan):
    opened = open_taskpane(browser, token_server.url, state_from_workbook(demo_plan))
    try:
        page = opened.page
        status = opened.click("Recalculate RAG")
        assert "did not finish" in status
        assert opened.error() == ("No access token: enter the token IT gave you in the ragbook "
                                  "task pane.")
        page.get_by_role("textbox", name="Access token").fill("not-the-token")
        page.get_by_role("button", name="Save").click()
        assert opened.status() == "Access token saved on this computer."
        opened.click("Recalculate RAG")
        assert opened.error() == ("That access token is not accepted by this ragbook server: "
                                  "check it with IT.")
        untouched = opened.book().state
        assert untouched["sheets"][4]["cells"] == state_from_workbook(demo_plan)["sheets"][4][
            "cells"]
        page.get_by_role("textbox", name="Access token").fill("secret-one")
        page.get_by_role("button", name="Save").click()
        # Kept in this browser profile: a reloaded pane uses it without asking again.
        page.reload(wait_until="load")
        page.wait_for_function("document.querySelector('[xw-click-initialized]') !== null")
        assert page.get_by_role("textbox", name="Access token").get_attribute("placeholder") == \
            "saved (type to replace)"
        assert opened.click("Recalculate RAG").startswith("Recalculate RAG finished at")
        assert opened.error() == ""
        assert [call[1]["sheets"][0]["name"] for call in opened.script_calls()][-1] == \
            "Instructions"
        assert opened.calls[-1].headers["authorization"] == "secret-one"
        log = list(opened.book()["Run log"].rows())
        assert log[-1][log[0].index("By")] == "jane.smith"
    finally:
        opened.close()


# --- the contract, from running the installed client ----------------------------------------------

def _payload_cases(tmp_path: Path) -> dict[str, tuple[Path, dict]]:
    """Workbooks with everything the payload describes, and how the model is asked for it."""
    from test_excel_payload import small_book, small_xlsx

    conf = small_book()
    conf.create_sheet("xlwings.conf").append(["EXCLUDE", "Plan"])
    conf.save(tmp_path / "conf.xlsx")
    rows = openpyxl.Workbook()
    rows.active["A1"] = 1
    rows.active.sheet_view.selection[0].sqref = "A2:XFD3"
    rows.save(tmp_path / "rows.xlsx")
    plan = tmp_path / "plan.xlsx"
    shutil.copyfile(CORPUS / "unknown_status.xlsx", plan)
    return {"demo": (ROOT / "workbook_templates" / "demo_plan_2018-19_Q1.xlsx", {}),
            "small": (small_xlsx(tmp_path), {}),
            "xlwings.conf": (tmp_path / "conf.xlsx", {"uncached_formulas": "empty"}),
            "whole rows selected": (tmp_path / "rows.xlsx", {}),
            "corpus": (plan, {})}


def test_the_real_client_sends_the_payload_the_fast_tests_send(pane, tmp_path):
    """``tests/excel_payload.py`` builds the payload for the tests that run without a browser;
    here it is held to what xlwings' own getBookData() sends for the same workbooks."""
    from excel_payload import payload_from_workbook
    from ragbook.excel.payload import read_script_call

    for case, (path, options) in _payload_cases(tmp_path).items():
        opened = pane(path)
        opened.click("Check milestones")
        [(script, sent, answer)] = opened.script_calls()
        assert script == "check_milestones"
        assert answer is not None, (case, opened.error())  # the server took it
        model = payload_from_workbook(path, **options)
        assert set(sent) == set(model), case
        for real, modelled in zip(sent["sheets"], model["sheets"], strict=True):
            assert set(real) == set(modelled), (case, real["name"])
            assert real == modelled, (case, real["name"])
        assert sent == model, case
        read_script_call(json.dumps(sent).encode("utf-8"))  # ragbook's own check accepts it


def test_each_button_calls_its_script_and_gets_only_actions_the_client_knows(
        pane, demo_plan, addin_server, tmp_path):
    offered = {meta["function_name"]
               for meta in addin_server.get("/xlwings/custom-scripts-meta").json()}
    assert offered == set(BUTTONS.values())
    without_log = tmp_path / "good.xlsx"
    shutil.copyfile(CORPUS / "good_plan.xlsx", without_log)  # Recalculate RAG adds a Run log
    problems = tmp_path / "problems.xlsx"
    shutil.copyfile(CORPUS / "unknown_status.xlsx", problems)  # links and highlights
    runs = [(demo_plan, label) for label in BUTTONS]
    runs += [(without_log, "Recalculate RAG"), (problems, "Check milestones")]
    sent: set[str] = set()
    for plan, label in runs:
        opened = pane(plan)
        buttons = opened.page.eval_on_selector_all(
            "[xw-click]", "all => all.map(b => [b.textContent.trim(), b.getAttribute('xw-click')])")
        assert dict(buttons) == BUTTONS
        opened.click(label)
        [(script, _, answer)] = opened.script_calls()
        assert script == BUTTONS[label]
        sent |= {action["func"] for action in answer["actions"]}
    known = set(opened.page.evaluate("Object.keys(globalThis.callbacks)"))
    assert sent <= known, sent - known
    assert {"setValues", "addSheet", "addHyperlink", "addTable", "addChart", "resizeTable",
            "alert"} <= sent


def test_the_fake_refuses_what_office_js_refuses(pane, demo_plan):
    opened = pane(demo_plan)
    said = opened.page.evaluate("""async () => {
        const tried = {};
        await Excel.run(async (context) => {
            const sheet = context.workbook.worksheets.getItem("Measures");
            const range = sheet.getRange("A1:B2");
            try { range.values; } catch (e) { tried.beforeLoad = e.code; }
            range.load("values");
            try { range.values; } catch (e) { tried.beforeSync = e.code; }
            await context.sync();
            tried.afterSync = range.values[0][0];
            try { range.address; } catch (e) { tried.notLoaded = e.code; }
            const missing = context.workbook.worksheets.getItemOrNullObject("Nowhere");
            await context.sync();
            tried.nullObject = missing.isNullObject;
            context.workbook.worksheets.getItem("Nowhere").load("name");
            try { await context.sync(); } catch (e) { tried.missing = e.code; }
            range.values = [["one"], ["column"]];
            try { await context.sync(); } catch (e) { tried.shape = e.code; }
            const big = sheet.getRange("A1:A200000");
            big.values = Array.from({length: 200000}, () => ["x".repeat(40)]);
            try { await context.sync(); } catch (e) { tried.request = e.code; }
        });
        return tried;
    }""")
    assert said == {"beforeLoad": "PropertyNotLoaded", "beforeSync": "PropertyNotLoaded",
                    "afterSync": "Ref", "notLoaded": "PropertyNotLoaded", "nullObject": True,
                    "missing": "ItemNotFound", "shape": "InvalidArgument",
                    "request": "RequestPayloadSizeLimitExceeded"}


# --- the pane itself ------------------------------------------------------------------------------

def test_the_task_pane_meets_wcag_2_2_aa_before_and_after_a_run(pane, demo_plan):
    opened = pane(demo_plan)
    violations = axe_violations(opened.page)
    assert not violations, describe_violations(violations)
    opened.click("Recalculate RAG")
    violations = axe_violations(opened.page)
    assert not violations, describe_violations(violations)


def test_the_task_pane_with_an_error_and_a_token_box_meets_wcag_2_2_aa(
        browser, token_server, demo_plan):
    opened = open_taskpane(browser, token_server.url, state_from_workbook(demo_plan))
    try:
        opened.click("Recalculate RAG")
        assert opened.error()
        violations = axe_violations(opened.page)
        assert not violations, describe_violations(violations)
    finally:
        opened.close()


@pytest.mark.parametrize("label", ["Recalculate RAG", "Roll forward"])
def test_every_rag_letter_stays_readable(pane, demo_plan, label):
    """White letters only on red; bold only for R, A and G; blank or No data cells plain."""
    _, book = clicked(pane, demo_plan, label)
    for name in ("Actions", "Measures"):
        sheet = book[name]
        header = next(sheet.rows())
        column = get_column_letter(header.index("RAG") + 1)
        for row in range(2, sheet.max_row + 1):
            place, value = f"{column}{row}", sheet.value(f"{column}{row}")
            assert (sheet.font_color(place) == "#FFFFFF") == (value == "R"), (name, place)
            assert bool(sheet.font(place).get("bold")) == (value in ("R", "A", "G")), place


TEXTS = ["1.10", "31/03/2019", "true", " 50% ", "£5", "1e5", "-> GREEN", "2019-03", "007",
         "Q1 target met -> GREEN", "12:30", "#N/A", "0.", "#DIV/0!", "9:05 am", "=SUM(A1:A2)",
         "+44 1228 606060", "- none", "@risk", "2018/19", "'quoted", "1,250", "72%", "TRUE",
         "=HYPERLINK(\"http://example.org\")", "plain words"]


def test_text_the_add_in_writes_stays_the_text_it_was(pane, demo_plan):
    """Text from the plan written back by a button (a Why, a ref, a note) is the same text
    afterwards, in a General cell and in one formatted as Text, as xlwings' client applies
    it: never a number, a date, an error value or a formula."""
    import random

    import xlwings as xw

    from excel_payload import payload_from_workbook
    from ragbook.excel.book import write_values

    chance = random.Random(13)
    alphabet = "0123456789 ,.:%-+=@/#eE£$TRUEfalsxN/Apm"
    texts = TEXTS + ["".join(chance.choice(alphabet) for _ in range(chance.randint(1, 10)))
                     for _ in range(200)]
    book = xw.Book(json=payload_from_workbook(demo_plan))
    sheet = book.sheets["Run log"]
    sheet.range("Q1:Q300").number_format = "@"  # as an officer may have it
    write_values(sheet, 1, 16, [[text, text] for text in texts])
    opened = pane(demo_plan)
    opened.page.evaluate("actions => xlwings.runActions({actions})", book.json()["actions"])
    written = opened.book()["Run log"]
    for number, text in enumerate(texts, start=1):
        for column in "PQ":
            cell = written.cell(f"{column}{number}")
            assert cell.get("value") == text and "formula" not in cell, (column, text, cell)
