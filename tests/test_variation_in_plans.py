"""Variation and assurance where a rating shows: the Measures columns (file and add-in), the
export, ``check``, the appendix (its icons, trend charts and summary page, in the workbook,
the web page and the tagged PDF), from History, the Series table and the Settings rows."""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import run_ragbook
from fake_excel import clicked
from pdf_structure import structure_tree
from ragbook.appendix.icons import CHART_DATA, VARIATION_SHEET
from ragbook.calendar import ReportingPeriod
from ragbook.measure_series import measure_series

DEMO_ICONS = {
    "M1.2": ("concern (high)", "consistently failing"),
    "M1.9": ("improvement (low)", "hit and miss"),
    "M1.10": ("common cause", "consistently passing"),
    "M2.1": ("common cause", "hit and miss"),
    "M4.2": ("improvement (low)", "consistently failing"),
    "M4.3": ("improvement (high)", "consistently failing"),
    "M4.4": ("concern (low)", "consistently failing"),
}
"""The demo measures given illustrative past quarters, and the icons they show."""


def rows_of(path: Path, sheet: str) -> dict[str, dict[str, object]]:
    rows = openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)
    header = [str(h) for h in next(rows)]
    return {str(row[0]): dict(zip(header, row, strict=False)) for row in rows if row[0]}


def add_rows(book, table_name: str, rows: list[list[object]]) -> None:
    """Rows at the end of an Excel Table (its first blank row onwards)."""
    for sheet in book.worksheets:
        if table_name not in sheet.tables:
            continue
        table = sheet.tables[table_name]
        first_col, top, last_col, bottom = openpyxl.utils.range_boundaries(table.ref)
        number = top + 1
        while number <= bottom and any(sheet.cell(number, c).value is not None
                                       for c in range(first_col, last_col + 1)):
            number += 1
        for row in rows:
            for offset, value in enumerate(row):
                sheet.cell(number, first_col + offset).value = value
            number += 1
        last = max(bottom, number - 1)
        table.ref = re.sub(r"\d+$", str(last), table.ref)
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
        return
    raise KeyError(table_name)


def set_setting(book, name: str, value: object) -> None:
    sheet = book["Settings"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == name:
            row[1].value = value
            return
    raise KeyError(name)


# --- the Measures columns, on both routes --------------------------------------------------------

def test_recalc_writes_variation_and_assurance_for_every_measure(demo_plan, tmp_path):
    out = tmp_path / "rated.xlsx"
    assert run_ragbook("recalc", demo_plan, "--out", out).returncode == 0
    measures = rows_of(out, "Measures")
    for ref, (variation, assurance) in DEMO_ICONS.items():
        assert (measures[ref]["Variation"], measures[ref]["Assurance"]) == (variation, assurance)
        assert "Variation: 13 points, mean " in str(measures[ref]["Why"]), ref
    others = [row for ref, row in measures.items() if ref not in DEMO_ICONS]
    assert {(r["Variation"], r["Assurance"]) for r in others} == {("too few points",) * 2}
    assert all("Variation:" not in str(r["Why"]) for r in others)


@pytest.mark.browser
def test_recalculate_rag_in_excel_writes_the_same_variation_and_assurance(pane, demo_plan,
                                                                         tmp_path):
    out = tmp_path / "rated.xlsx"
    run_ragbook("recalc", demo_plan, "--out", out)
    by_file = rows_of(out, "Measures")
    _, book = clicked(pane, demo_plan, "Recalculate RAG")
    rows = list(book["Measures"].rows())
    header = rows[0]
    for row in rows[1:]:
        ref = row[0]
        for column in ("Variation", "Assurance", "Why"):
            assert row[header.index(column)] == by_file[ref][column], (ref, column)


def test_the_series_is_history_plus_this_quarters_actual_with_gaps_for_missing_quarters():
    import pandas as pd

    history = pd.DataFrame({
        "Period": ["Q1 2017/18", "Q2 2017/18", "Q4 2017/18", "Q3 2017/18"],
        "Kind": ["Measure", "Measure", "Measure", "Action"],
        "Ref": ["M1", "M1", "M1", "M1"], "Actual": [10, 12, 14, None]})
    [found] = measure_series(["M1"], [15.0], ReportingPeriod.of("2018/19", "Q1"), history,
                             None, [])
    assert found.periods == ("Q1 2017/18", "Q2 2017/18", "Q3 2017/18", "Q4 2017/18",
                             "Q1 2018/19")
    assert found.values == (10, 12, None, 14, 15.0)  # Q3 missing: a gap, not a zero
    assert found.source == "History"


def test_a_series_table_takes_monthly_figures_and_a_bad_period_is_named(demo_plan, tmp_path):
    values = [70.1, 69.8, 70.4, 70.0, 69.7, 70.2, 70.3, 69.9, 70.0, 70.1, 69.8, 70.2, 74.9]
    rows = [["M2.2", datetime(2017, 6 + i, 1) if i < 7 else datetime(2018, i - 6, 1), v]
            for i, v in enumerate(values)]
    rows.append(["M2.2", "sometime", 71])
    book = openpyxl.load_workbook(demo_plan)
    add_rows(book, "tblSeries", rows)
    book.save(demo_plan)
    out = tmp_path / "rated.xlsx"
    done = run_ragbook("recalc", demo_plan, "--out", out)
    assert done.returncode == 0, done.stdout + done.stderr  # a warning only
    assert ('Series!B15 (Period of Series figure for measure M2.2): found "sometime"; '
            "expected a month, as a date such as 01/04/2018, or a quarter such as Q1 2018/19"
            ) in done.stdout
    measure = rows_of(out, "Measures")["M2.2"]
    assert measure["Variation"] == "improvement (high)"
    assert "Variation: 13 points" in str(measure["Why"])


def test_the_settings_choose_how_the_icons_are_worked_out(demo_plan, tmp_path):
    book = openpyxl.load_workbook(demo_plan)
    set_setting(book, "SPC minimum points", 14)
    set_setting(book, "SPC two of three", "sometimes")
    book.save(demo_plan)
    done = run_ragbook("check", demo_plan)
    assert ('Settings!B14 (Value of setting SPC two of three): found "sometimes"; expected one '
            "of any beyond 2 sigma, within limits, all three on that side, off; the default is "
            "used until then") in done.stdout
    out = tmp_path / "rated.xlsx"
    run_ragbook("recalc", demo_plan, "--out", out)
    assert {row["Variation"] for row in rows_of(out, "Measures").values()} == {"too few points"}


# --- the export and check ---------------------------------------------------------------------

def test_the_export_carries_variation_and_assurance(demo_plan, tmp_path):
    as_csv, as_json = tmp_path / "items.csv", tmp_path / "items.json"
    run_ragbook("export", demo_plan, "--format", "csv", "--out", as_csv)
    run_ragbook("export", demo_plan, "--format", "json", "--out", as_json)
    with as_csv.open(encoding="utf-8-sig", newline="") as file:
        from_csv = {row["Ref"]: row for row in csv.DictReader(file)}
    items = {item["Ref"]: item for item in json.loads(as_json.read_text("utf-8"))["items"]}
    for ref, (variation, assurance) in DEMO_ICONS.items():
        assert (from_csv[ref]["Variation"], from_csv[ref]["Assurance"]) == (variation, assurance)
        assert (items[ref]["Variation"], items[ref]["Assurance"]) == (variation, assurance)
    assert items["1.1"]["Variation"] is None  # actions have none


def test_check_lists_the_measures_whose_variation_is_a_concern(demo_plan):
    said = run_ragbook("check", demo_plan).stdout
    assert "Measures whose variation is a concern (2):" in said
    assert re.search(r"^  M1\.2 concern \(high\), consistently failing: 13 points", said, re.M)
    assert re.search(r"^  M4\.4 concern \(low\), consistently failing: 13 points", said, re.M)
    report = json.loads(run_ragbook("check", demo_plan, "--json").stdout)
    assert [(c["ref"], c["variation"]) for c in report["variation_concerns"]] == [
        ("M1.2", "concern (high)"), ("M4.4", "concern (low)")]


# --- the appendix -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("variation-appendix")
    plan = folder / "plan.xlsx"
    shutil.copyfile(Path(__file__).parents[1] / "workbook_templates" /
                    "demo_plan_2018-19_Q1.xlsx", plan)
    done = run_ragbook("appendix", plan, "--html", "--pdf")
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / "plan appendix.xlsx", folder / "plan appendix.html", \
        folder / "plan appendix.pdf"


def test_the_variation_page_lists_every_measure_side_by_side(published):
    workbook, _, _ = published
    sheet = openpyxl.load_workbook(workbook)[VARIATION_SHEET]
    rows = [row for row in sheet.iter_rows() if row[0].value and
            re.fullmatch(r"M\d+\.\d+", str(row[0].value))]
    assert len(rows) == 36
    header = next(r for r in sheet.iter_rows() if r[0].value == "Ref")
    assert [c.value for c in header] == ["Ref", "Measure", "RAG", "Direction", "Variation",
                                         "Assurance", "Figures"]
    by_ref = {row[0].value: row for row in rows}
    colours = {"Concern (high)": "E46C0A", "Improvement (low)": "00B0F0",
               "Common cause": "A6A6A6", "Consistently failing": "E46C0A",
               "Consistently passing": "00B0F0", "Hit and miss": "A6A6A6"}
    for ref, (variation, assurance) in DEMO_ICONS.items():
        row = by_ref[ref]
        assert row[4].value.lower() == variation and row[5].value.lower() == assurance
        for cell in (row[4], row[5]):
            if cell.value in colours:
                assert cell.fill.fgColor.rgb[-6:] == colours[cell.value], (ref, cell.value)
        assert row[6].value == 13
    assert by_ref["M1.1"][4].value == "Too few points"


def test_each_outcome_shows_icons_and_a_trend_chart_for_measures_with_enough_figures(
        published):
    workbook, _, _ = published
    book = openpyxl.load_workbook(workbook)
    report = book["Progress report"]
    variation_rows = [row for row in report.iter_rows()
                      if row[0].value in DEMO_ICONS and row[1].value is None
                      and row[2].value and str(row[2].value).lower() in
                      {v for v, _ in DEMO_ICONS.values()}]
    assert sorted(r[0].value for r in variation_rows) == sorted(DEMO_ICONS)
    assert book[CHART_DATA].sheet_state == "hidden"
    data = [row for row in book[CHART_DATA].iter_rows(values_only=True)]
    assert sum(1 for row in data if row[1] == "Figure") == len(DEMO_ICONS)
    too_few = [c.value for row in report.iter_rows() for c in row
               if isinstance(c.value, str) and c.value.startswith("Too few figures")]
    assert too_few and "M1.1" in too_few[0] and "(13 needed)" in too_few[0]


def test_the_trend_charts_are_in_the_file_as_line_charts_of_the_hidden_figures(published):
    import zipfile

    workbook, _, _ = published
    with zipfile.ZipFile(workbook) as archive:
        charts = [archive.read(name).decode("utf-8") for name in archive.namelist()
                  if name.startswith("xl/charts/chart")]
    lines = [chart for chart in charts if re.search(r"<(?:c:)?lineChart>", chart)]
    assert len(lines) == len(DEMO_ICONS)
    for chart in lines:
        assert "'Chart data'!" in chart
        assert re.search(r'plotVisOnly val="0"', chart)  # drawn from a hidden sheet
        assert re.search(r'dispBlanksAs val="gap"', chart)  # a missing period is a gap


def test_the_web_page_and_the_pdf_carry_each_chart_in_words(published):
    _, page, pdf = published
    html = page.read_text(encoding="utf-8")
    alts = re.findall(r'<img class="trend" src="data:image/svg\+xml;base64,[^"]+" '
                      r'width="320" height="72" alt="([^"]+)"', html)
    assert len(alts) == len(DEMO_ICONS)
    assert any(alt.startswith("Trend of M1.2: 13 figures from Q1 2015/16 to Q1 2018/19; mean ")
               for alt in alts)
    assert 'class="mdc-concern"' in html and "Concern (high)" in html
    tree = structure_tree(pdf)
    assert tree is not None
    figures = [node for node in tree.iter() if node.tag == "Figure"]
    assert len(figures) == len(DEMO_ICONS)
    assert all((node.alt or "").startswith("Trend of M") for node in figures)


@pytest.mark.browser
def test_build_appendix_in_excel_draws_the_same_trend_charts(pane, demo_plan):
    _, book = clicked(pane, demo_plan, "Build appendix")
    assert CHART_DATA in book.sheetnames
    assert book[CHART_DATA].state["visibility"] == "Hidden"
    charts = book["Progress report"].state["charts"]
    assert len(charts) == len(DEMO_ICONS)
    for chart in charts:
        assert chart["chart_type"] == "Line" and chart["source"].startswith("'Chart data'!")
        assert [s["line_color"] for s in chart["series"]] == ["#404040", "#1F4E79", "#A6A6A6",
                                                             "#A6A6A6"]


def test_a_measure_may_fix_its_own_baseline(demo_plan, tmp_path):
    book = openpyxl.load_workbook(demo_plan)
    sheet = book["Measures"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "M1.2":
            row[header.index("SPC baseline")].value = 8
        if row[0].value == "M1.9":
            row[header.index("SPC baseline")].value = "lots"
    book.save(demo_plan)
    out = tmp_path / "rated.xlsx"
    done = run_ragbook("recalc", demo_plan, "--out", out)
    assert "(SPC baseline of measure M1.9)" in done.stdout
    measures = rows_of(out, "Measures")
    assert "(from the first 8)" in str(measures["M1.2"]["Why"])
    assert "(from the first" not in str(measures["M1.9"]["Why"])


def test_roll_forward_clears_variation_and_keeps_the_quarter_in_history(demo_plan, tmp_path):
    rated = tmp_path / "rated.xlsx"
    run_ragbook("recalc", demo_plan, "--out", rated)
    nxt = tmp_path / "q2.xlsx"
    assert run_ragbook("roll-forward", rated, "--out", nxt).returncode == 0
    measures = rows_of(nxt, "Measures")
    assert {(r["Variation"], r["Assurance"]) for r in measures.values()} == {(None, None)}
    history = openpyxl.load_workbook(nxt)["History"].iter_rows(values_only=True)
    header = next(history)
    kept = [row for row in history if row[header.index("Ref")] == "M4.4"]
    assert [row[header.index("Actual")] for row in kept][-2:] == [82, 72]
