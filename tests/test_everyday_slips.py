"""The slips an officer makes in the first hour, each a class of problem, run through the real
command line on a real file (and, where the words matter, through the add-in too):

1. a fraction typed in a percentage measure is reported at its cell, never a silent RED;
2. text that shows a number is read as that number; words get advice on blank and n/a;
3. roll-forward keeps Complete actions Complete, and asks before rolling an empty quarter;
4. every summary counts every item, with Not rated where it applies;
5. a setting is used as meant or reported, never ignored; an empty plan is a problem;
6. every problem names its column and item; a renamed table or deleted sheet gets its advice;
7. the Why texts read as a person writes them.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table

from conftest import DEMO_PLAN, run_ragbook
from excel_payload import payload_from_workbook
from fake_excel import clicked

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw
from xlwings.server import custom_scripts_call

from ragbook.excel import scripts

ITEMS = 118
"""The demo plan's 82 actions and 36 measures."""


def edited(tmp_path: Path, name: str, cells: dict[str, object],
           rows: dict[str, list[list[object]]] | None = None) -> Path:
    """A copy of the demo plan with cells typed as an officer types them (text as text)."""
    book = openpyxl.load_workbook(DEMO_PLAN)
    for where, value in cells.items():
        sheet, ref = where.split("!")
        book[sheet][ref] = value
        if isinstance(value, str):
            book[sheet][ref].data_type = "s"
    for sheet, extra in (rows or {}).items():
        table = next(iter(book[sheet].tables.values()))
        for values in extra:
            book[sheet].append(values)
        first, last = table.ref.split(":")
        column = last.rstrip("0123456789")
        table.ref = f"{first}:{column}{book[sheet].max_row}"
    plan = tmp_path / name
    book.save(plan)
    return plan


def checked(plan: Path) -> dict:
    done = run_ragbook("check", plan, "--json")
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


def problems_at(plan: Path) -> dict[str, dict]:
    return {p["place"]: p for p in checked(plan)["problems"]}


def addin_problems(pane, plan: Path) -> dict[str, tuple[str, str, str]]:
    """Check milestones clicked in the add-in's task pane (in Chromium, over a fake Excel):
    the Problems sheet's (item, found, expected) by place, as xlwings' client wrote it."""
    _, book = clicked(pane, plan, "Check milestones")
    rows = list(book["Problems"].rows())
    assert rows[0][:4] == ["Place", "Item", "Found", "Expected"]
    return {row[0]: (row[1], row[2], row[3]) for row in rows[1:]
            if isinstance(row[0], str) and "!" in row[0]}


def why(plan: Path, sheet: str, ref: str) -> str:
    rows = openpyxl.load_workbook(plan)[sheet].iter_rows(values_only=True)
    header = next(rows)
    row = next(r for r in rows if r[0] == ref)
    return str(row[header.index("Why")])


# --- 1. a fraction in a percentage measure ----------------------------------------------------


@pytest.mark.browser
def test_a_fraction_typed_for_a_percentage_is_reported_at_its_cell_not_rated_red(tmp_path, pane):
    # M1.5: Unit %, target 95, previous 62; this quarter typed 0.85 for 85%.
    plan = edited(tmp_path, "fraction.xlsx", {"Measures!Q6": 0.85})
    found = problems_at(plan)["Measures!Q6"]
    assert found["code"] == "fraction-in-percentage"
    assert found["item"] == "Actual of measure M1.5"
    assert found["found"] == "0.85"
    assert "85 for 85%, not 0.85" in found["expected"]
    out = tmp_path / "rated.xlsx"
    done = run_ragbook("recalc", plan, "--out", out)
    assert done.returncode == 1
    assert "Not rated 1" in done.stdout
    assert why(out, "Measures", "M1.5").startswith("Not rated: Actual: found 0.85")
    # The add-in says the same, in the same words.
    assert addin_problems(pane, plan)["Measures!Q6"] == (
        found["item"], found["found"], found["expected"])


def test_a_fraction_in_previous_actual_gives_no_false_arrow(tmp_path):
    plan = edited(tmp_path, "previous.xlsx", {"Measures!R6": 0.62})
    found = problems_at(plan)["Measures!R6"]
    assert (found["code"], found["item"]) == ("fraction-in-percentage",
                                              "Previous actual of measure M1.5")
    out = tmp_path / "rated.xlsx"
    run_ragbook("recalc", plan, "--out", out)
    assert "Direction: No actual for last quarter to compare with" in why(out, "Measures", "M1.5")


# --- 2. numbers held as text ---------------------------------------------------------------------


def test_percentages_held_as_text_are_read_as_the_number_they_show(tmp_path):
    plan = edited(tmp_path, "text.xlsx", {"Measures!Q6": "85%", "Measures!R6": " 62 % "})
    assert checked(plan)["problems"] == []
    out = tmp_path / "rated.xlsx"
    assert run_ragbook("recalc", plan, "--out", out).returncode == 0
    assert why(out, "Measures", "M1.5").startswith("85% vs target 95%")


@pytest.mark.browser
@pytest.mark.parametrize("words", ["TBC", "-", "awaiting data"])
def test_words_in_an_actual_say_to_leave_it_blank_or_type_na(tmp_path, pane, words):
    plan = edited(tmp_path, "words.xlsx", {"Measures!Q6": words})
    found = problems_at(plan)["Measures!Q6"]
    assert found["found"] == f'"{words}"'
    assert "leave the cell blank" in found["expected"] and "n/a" in found["expected"]
    assert "no words" not in found["expected"]  # the old, self-contradicting advice
    assert addin_problems(pane, plan)["Measures!Q6"] == (
        found["item"], found["found"], found["expected"])


# --- 3. roll forward ---------------------------------------------------------------------------


def test_roll_forward_keeps_a_complete_action_complete_and_green(tmp_path):
    plan = edited(tmp_path, "q1.xlsx", {"Actions!F2": "Complete"})
    q2 = tmp_path / "q2.xlsx"
    assert run_ragbook("roll-forward", plan, "--out", q2).returncode == 0
    sheet = openpyxl.load_workbook(q2)["Actions"]
    assert sheet["F2"].value == "Complete"
    assert sheet["F3"].value is None  # At risk is this quarter's, and cleared
    rated = tmp_path / "q2 rated.xlsx"
    run_ragbook("recalc", q2, "--out", rated)
    assert openpyxl.load_workbook(rated)["Actions"]["M2"].value == "G"


def test_rolling_a_quarter_with_nothing_reported_asks_for_force(tmp_path):
    book = openpyxl.load_workbook(DEMO_PLAN)
    for row in range(2, book["Actions"].max_row + 1):
        book["Actions"].cell(row, 6).value = None
    for row in range(2, book["Measures"].max_row + 1):
        book["Measures"].cell(row, 17).value = None
    plan = tmp_path / "empty quarter.xlsx"
    book.save(plan)
    q2 = tmp_path / "q2.xlsx"
    done = run_ragbook("roll-forward", plan, "--out", q2)
    assert done.returncode == 1
    assert "no Status and no Actual filled in for Q1 2018/19" in done.stdout
    assert "--force" in done.stdout
    assert not q2.exists()
    assert run_ragbook("roll-forward", plan, "--out", q2, "--force").returncode == 0
    assert q2.exists()
    # The add-in's Roll forward button refuses it too, and changes nothing.
    book = xw.Book(json=payload_from_workbook(plan))
    done = asyncio.run(custom_scripts_call(scripts, "roll_forward", None, {xw.Book: book}))
    actions = done.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    assert "no Status and no Actual filled in for Q1 2018/19" in actions[0]["args"][0]


# --- 4. counts that account for every item ---------------------------------------------------


def test_every_summary_counts_every_item(tmp_path):
    plan = edited(tmp_path, "some not rated.xlsx", {
        "Measures!Q3": "TBC", "Measures!Q6": 0.85, "Actions!F2": "Delayed"})
    report = checked(plan)
    assert report["ratings"]["Not rated"] == 3
    assert sum(report["ratings"].values()) == ITEMS
    text = run_ragbook("check", plan).stdout
    assert re.search(r"Ratings: R \d+, A \d+, G \d+, No data 0, n/a 0, Not rated 3 "
                     rf"\({ITEMS} items\)", text), text
    # The run log the recalc writes adds up too.
    out = tmp_path / "rated.xlsx"
    run_ragbook("recalc", plan, "--out", out)
    log = list(openpyxl.load_workbook(out)["Run log"].iter_rows(values_only=True))
    entry = dict(zip(log[0], log[-1], strict=True))
    assert entry["Not rated"] == 3
    assert sum(entry[k] for k in ("R", "A", "G", "No data", "n/a", "Not rated")) == ITEMS
    # The appendix's summary sheet adds up to every item.
    appendix = tmp_path / "appendix.xlsx"
    run_ragbook("appendix", plan, "--out", appendix)
    summary = list(openpyxl.load_workbook(appendix)["Summary"].iter_rows(values_only=True))
    header = next(r for r in summary if r and r[0] == "Outcome")
    total = next(r for r in summary if r and r[0] == "All outcomes")
    counted = [v for h, v in zip(header, total, strict=True)
               if h in ("R", "A", "G", "No data", "n/a", "Not rated")]
    assert header.count("Not rated") == 2 and sum(counted) == ITEMS


def test_the_batch_summary_counts_not_rated_and_every_problem(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    edited(folder, "a.xlsx", {"Measures!Q3": "TBC", "Measures!Q6": 0.85})
    out = tmp_path / "rated"
    done = run_ragbook("batch", folder, "--out", out)
    assert "a.xlsx: 2 problems (2 errors), the first: Measures!Q3" in done.stdout, done.stdout
    with (out / "batch-summary.csv").open(encoding="utf-8-sig") as handle:
        row = next(csv.DictReader(handle))
    assert (row["Not rated"], row["Problems"], row["Errors"]) == ("2", "2", "2")


# --- 5. settings -------------------------------------------------------------------------------


def test_settings_are_used_as_meant_or_reported(tmp_path):
    plan = edited(tmp_path, "settings.xlsx", {}, rows={"Settings": [
        ["Appendix text size", "eleven", None], ["Appendix heading colour", "navy", None],
        ["Amber treshold", 0.1, None]]})
    found = {p["item"]: p for p in checked(plan)["problems"]}
    settings = openpyxl.load_workbook(plan)["Settings"]
    misspelt = next(c.row for c in settings["A"] if c.value == "Amber treshold")
    assert set(found) == {"Value of setting Appendix heading colour",
                          f"the setting on row {misspelt}"}
    assert "did you mean Amber threshold?" in found[f"the setting on row {misspelt}"]["expected"]
    assert "six hex digits" in found["Value of setting Appendix heading colour"]["expected"]
    appendix = tmp_path / "appendix.xlsx"
    run_ragbook("appendix", plan, "--out", appendix)
    title = openpyxl.load_workbook(appendix)["Progress report"]["A1"]
    assert title.font.sz == 11 + 8  # the title is 8 points above the text size: eleven is 11


def test_new_reads_the_year_and_quarter_as_an_officer_types_them(tmp_path):
    plan = tmp_path / "plan.xlsx"
    assert run_ragbook("new", plan, "--year", "2019-20", "--quarter", "2").returncode == 0
    rows = dict(r[:2] for r in openpyxl.load_workbook(plan)["Settings"].iter_rows(
        values_only=True))
    assert (rows["Plan year"], rows["Reporting quarter"]) == ("2019/20", "Q2")
    refused = run_ragbook("new", tmp_path / "other.xlsx", "--year", "2019")
    assert refused.returncode == 2
    assert "expected a financial year such as 2019/20" in refused.stderr


def test_an_empty_plan_is_a_problem(tmp_path):
    plan = tmp_path / "plan.xlsx"
    run_ragbook("new", plan, "--year", "2019/20", "--quarter", "Q1")
    done = run_ragbook("check", plan)
    assert done.returncode == 1
    assert "found no actions and no measures" in done.stdout
    assert "No problems found" not in done.stdout


# --- 6. messages an officer can act on -------------------------------------------------------


@pytest.mark.browser
def test_every_problem_names_its_column_and_item_without_codes(tmp_path, pane):
    plan = edited(tmp_path, "status.xlsx", {"Actions!F2": "Delayed", "Measures!E7": "Bigger"})
    text = run_ragbook("check", plan).stdout
    assert ('Actions!F2 (Status of action 1.1): found "Delayed"; expected one of Not started, '
            "On track, At risk, Off track or Complete") in text
    assert 'Measures!E7 (Polarity of measure M1.6): found "Bigger"' in text
    assert "[unknown-choice]" not in text
    report = problems_at(plan)
    assert report["Actions!F2"]["code"] == "unknown-choice"  # the codes stay in --json
    added = addin_problems(pane, plan)
    assert added["Actions!F2"][0] == "Status of action 1.1"
    assert added["Measures!E7"][0] == "Polarity of measure M1.6"


def test_a_renamed_table_and_a_deleted_sheet_get_advice_that_fits(tmp_path):
    book = openpyxl.load_workbook(DEMO_PLAN)
    table = book["Measures"].tables.pop("tblMeasures")
    table.name = table.displayName = "Table1"
    book["Measures"].tables["Table1"] = table
    renamed = tmp_path / "renamed.xlsx"
    book.save(renamed)
    text = run_ragbook("check", renamed).stdout
    assert "the Measures sheet has a table named Table1" in text
    assert "type tblMeasures as its Table Name" in text
    book = openpyxl.load_workbook(DEMO_PLAN)
    del book["Commentary"]
    deleted = tmp_path / "deleted.xlsx"
    book.save(deleted)
    text = run_ragbook("check", deleted).stdout
    assert "found no Commentary sheet" in text and "undo the deletion" in text


# --- 7. Why texts ------------------------------------------------------------------------------


def test_why_texts_read_as_a_person_writes_them(tmp_path):
    out = tmp_path / "rated.xlsx"
    run_ragbook("recalc", DEMO_PLAN, "--out", out)
    everything = "\n".join(
        str(v) for r in openpyxl.load_workbook(out)["Measures"].iter_rows(values_only=True)
        for v in r if isinstance(v, str))
    assert "-> →" not in everything and "-> ↑" not in everything and "-> ↓" not in everything
    assert not re.search(r"(?<![\d.])1 (days|points|children|households)\b", everything)
    # A percentage measure's shortfall is in points, and relative only in brackets.
    first = why(out, "Measures", "M1.1")
    assert "3.2 points over (12.8% of the target)" in first, first


def test_within_range_and_singular_units_in_why(tmp_path):
    plan = edited(tmp_path, "range.xlsx", {
        "Measures!E2": "Within range", "Measures!D2": "days", "Measures!J2": 20,
        "Measures!K2": 25, "Measures!Q2": 26, "Measures!R2": 25})
    out = tmp_path / "rated.xlsx"
    run_ragbook("recalc", plan, "--out", out)
    text = why(out, "Measures", "M1.1")
    assert "1 day above the range (4.0% of its upper bound, 25 days)" in text, text
    assert "worsened by 1 day" in text, text


def test_a_run_log_from_before_not_rated_gains_the_column(tmp_path):
    """A plan whose Run log was made without the Not rated column gets it at the table's end,
    so its new rows add up too (the older rows keep what they had)."""
    book = openpyxl.load_workbook(DEMO_PLAN)
    sheet = book["Run log"]
    headers = [c.value for c in sheet[1]]
    sheet.delete_cols(headers.index("Not rated") + 1)
    del sheet.tables["tblRunLog"]
    sheet.add_table(Table(displayName="tblRunLog",
                          ref=f"A1:{get_column_letter(len(headers) - 1)}2"))
    plan = tmp_path / "older.xlsx"
    book.save(plan)
    out = tmp_path / "rated.xlsx"
    assert run_ragbook("recalc", plan, "--out", out).returncode == 0
    log = openpyxl.load_workbook(out)["Run log"]
    rows = list(log.iter_rows(values_only=True))
    assert rows[0][-1] == "Not rated"
    entry = dict(zip(rows[0], rows[1], strict=True))
    assert entry["Command"] == "recalc" and entry["Not rated"] == 0
    assert log.tables["tblRunLog"].ref == f"A1:{get_column_letter(len(headers))}2"
