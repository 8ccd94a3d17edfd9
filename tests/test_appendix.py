"""The quarterly appendix, checked as a workbook (fast: no LibreOffice here).

What a reader of the printed appendix relies on: the sheets and their order, the RAG
key with the thresholds actually used, every rating shown as a letter and every
direction as an arrow in text (nothing by colour alone), readable fills, the seed
report's standard sentences for empty commentary, the exceptions, the milestone check,
the data issues, the council's own styling, and the command line's ``appendix``
options. The golden test compares the demo plan's appendix with the committed
reference, ``tests/golden/demo_appendix.xlsx``. Printing (LibreOffice) is checked in
``tests/test_appendix_render.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from conftest import DEMO_PLAN, ROOT, run_ragbook
from golden.make_golden import GOLDEN, make_golden
from ragbook.appendix import metrics
from ragbook.appendix.build import (
    CHECKLIST,
    DATA_ISSUES,
    EXCEPTIONS,
    MILESTONES,
    REPORT,
    SHEET_NAMES,
    SUMMARY,
    build_appendix,
)
from ragbook.appendix.icons import CHART_DATA, VARIATION_SHEET
from ragbook.appendix.layout import Appendix, Sheet
from ragbook.appendix.pages import printable_height, printable_width
from ragbook.appendix.theme import Theme, contrast_ratio
from ragbook.plan import PlanResult
from ragbook.workbook.operations import AppendixMade, appendix_file_for, check, make_appendix
from workbook_compare import compare_workbooks

RATING_TEXTS = {"R", "A", "G", "No data", "n/a"}
ARROW_TEXTS = {"↑", "→", "↓", "n/a"}
COMMENTARY_HEADINGS = (
    "Commentary for areas of progress:",
    "Commentary for areas for improvement and detail of ongoing action:",
    "Commentary for Risk updates:",
    "Commentary for Finance updates:",
)
# What the published report (the seed) prints under an empty section.
SEED_SENTENCES_FOR_ACTIONS = dict(zip(COMMENTARY_HEADINGS, (
    "No items by exception to report.",
    "No actions relevant to this area",
    "No Corporate Risks have been identified for these specific activities.",
    "No items by exception to report.",
), strict=True))
SEED_SENTENCES_FOR_MEASURES = {
    **SEED_SENTENCES_FOR_ACTIONS,
    "Commentary for Risk updates:":
        "No Corporate Risks have been identified for these specific measures.",
}
NO_COMMENTARY_FLAG = "No commentary mentions this item"
"""The officer's note earlier versions printed on the Exceptions sheet: never published."""
PUBLISHED = [REPORT, SUMMARY, VARIATION_SHEET, EXCEPTIONS, MILESTONES]
RAG_FILLS = {"R": "C00000", "A": "FFC000", "G": "00B050"}


# --- Editing a plan workbook (as an officer would in Excel) ---------------------------------


def edit_plan(path: Path, edit: Callable[[Workbook], None]) -> Path:
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)
    return path


def _table(book: Workbook, name: str) -> tuple[Worksheet, dict[str, int], int, int]:
    """The sheet of an Excel Table, its columns by header, and its first and last data rows."""
    for sheet in book.worksheets:
        if name in sheet.tables:
            table = sheet.tables[name]
            first_col, header, last_col, last = openpyxl.utils.range_boundaries(table.ref)
            columns = {str(sheet.cell(header, c).value): c for c in range(first_col, last_col + 1)}
            return sheet, columns, header + 1, last
    raise KeyError(name)


def set_setting(book: Workbook, name: str, value: object) -> None:
    """Set a Settings value, adding the setting to tblSettings when it is not there."""
    sheet, columns, first, last = _table(book, "tblSettings")
    for row in range(first, last + 1):
        if sheet.cell(row, columns["Setting"]).value == name:
            sheet.cell(row, columns["Value"]).value = value
            return
    sheet.cell(last + 1, columns["Setting"]).value = name
    sheet.cell(last + 1, columns["Value"]).value = value
    table = sheet.tables["tblSettings"]
    table.ref = re.sub(r"\d+$", str(last + 1), table.ref)


def item_cell(book: Workbook, table: str, ref: str, column: str) -> tuple[Worksheet, int, int]:
    """The sheet, row and column of one item's cell (by its Ref)."""
    sheet, columns, first, last = _table(book, table)
    for row in range(first, last + 1):
        if str(sheet.cell(row, columns["Ref"]).value).strip() == ref:
            return sheet, row, columns[column]
    raise KeyError(ref)


def set_item(book: Workbook, table: str, ref: str, column: str, value: object) -> str:
    """Set one item's cell; returns its place, such as ``Measures!Q3``."""
    sheet, row, col = item_cell(book, table, ref, column)
    sheet.cell(row, col).value = value
    return f"{sheet.title}!{get_column_letter(col)}{row}"


def set_text(book: Workbook, sheet: Worksheet, row: int, column: int, text: str) -> None:
    """Text as typed (a leading "=" kept as text, as Excel does after an apostrophe)."""
    cell = sheet.cell(row, column)
    cell.value = text
    cell.data_type = "s"


def appendix_of(plan: Path, out: Path | None = None, **options: object) -> AppendixMade:
    made = make_appendix(plan, out=out or plan.with_name(f"{plan.stem} appendix.xlsx"),
                         **options)  # type: ignore[arg-type]
    assert made.appendix is not None and made.written_to is not None, made.problems
    return made


def sheet_texts(sheet: Worksheet) -> list[str]:
    return [str(cell.value) for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


def layout_rows(appendix: Appendix, name: str, kind: str) -> Iterator[tuple[int, object]]:
    """(worksheet row number, layout row) of every row of a kind on one sheet."""
    for number, row in enumerate(appendix.sheet(name).rows, start=1):
        if row.kind == kind:
            yield number, row


def ratings_by_ref(result: PlanResult) -> dict[str, tuple[str, str]]:
    """Each action's and measure's (RAG, direction) as rated, by ref."""
    found = {}
    for plan_table, rated in ((result.plan.actions, result.actions.table),
                              (result.plan.measures, result.measures.table)):
        for index, ref in plan_table["Ref"].items():
            found[str(ref).strip()] = (str(rated.at[index, "RAG"]),
                                       str(rated.at[index, "Direction"]))
    return found


# --- The demo plan's appendix, made once ----------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[AppendixMade, Workbook]:
    folder = tmp_path_factory.mktemp("appendix")
    plan = folder / "demo_plan.xlsx"
    shutil.copyfile(DEMO_PLAN, plan)
    made = appendix_of(plan)
    assert made.written_to is not None
    return made, openpyxl.load_workbook(made.written_to)


def test_sheets_and_their_order(demo):
    made, book = demo
    assert [sheet.name for sheet in made.appendix.sheets] == [*PUBLISHED, CHART_DATA, CHECKLIST]
    assert [sheet.name for sheet in made.appendix.published] == PUBLISHED
    assert book.sheetnames == ["Progress report", "Summary", "Variation", "Exceptions",
                               "Milestone check", "Chart data", "Officer's checklist"]
    assert book[CHART_DATA].sheet_state == "hidden"
    assert book[CHECKLIST].sheet_properties.tabColor.rgb.endswith("C00000")
    assert SHEET_NAMES == (REPORT, SUMMARY, VARIATION_SHEET, EXCEPTIONS, MILESTONES, CHART_DATA,
                           CHECKLIST, DATA_ISSUES)


def test_summary_charts_draw_the_outcome_rows(demo):
    made, book = demo
    layout = next(sheet for sheet in made.appendix.sheets if sheet.name == SUMMARY)
    summary = book[SUMMARY]
    outcomes = [f"{outcome}. " for outcome in made.result.plan.outcomes["Outcome"]]
    assert len(layout.charts) == 2
    for chart in layout.charts:
        column, first, last = chart.categories
        labels = [summary.cell(row, column).value for row in range(first, last + 1)]
        assert [label[:len(start)] for label, start in zip(labels, outcomes, strict=True)] \
            == outcomes
        names = [summary.cell(first - 1, series[0]).value for series in chart.series]
        assert names == ["R", "A", "G", "No data"]
        assert all(series[1:3] == (first, last) for series in chart.series)


def test_report_opens_as_the_published_report_does(demo):
    _, book = demo
    report = book[REPORT]
    assert report["A1"].value == "COUNCIL PLAN DELIVERY PLAN PROGRESS REPORT"
    assert report["A2"].value == "(Progress to 30th June 2018 - Quarter 1)"
    texts = sheet_texts(report)
    header = [report.cell(4, column).value for column in (1, 2, 3)]
    assert header == ["RAG Alert", "Action Progress", "Metric Progress"]
    for number, name in enumerate(("RED", "AMBER", "GREEN"), start=5):
        assert report.cell(number, 1).value == name
        fill = RAG_FILLS[name[0]]
        assert all(report.cell(number, c).fill.fgColor.rgb[-6:] == fill for c in (1, 2, 3))
    legend = next(text for text in texts if text.startswith("Direction of Travel"))
    assert all(arrow in legend for arrow in ("↑ better", "↓ worse", "→ stayed the same"))
    assert "Delivery of Council Plan Delivery Plan: 2018/19" in texts
    assert "Key Action Updates" in texts and "Key Outcome Indicators" in texts
    assert ("Direction of travel since last report (improving/ sustained/ declining)"
            in texts)


@pytest.mark.parametrize(("amber", "red", "shown", "not_shown"), [
    (None, None, ("5%", "10%"), ("3%", "8%")),
    (0.03, 0.08, ("3%", "8%"), ("5%", "10%")),
])
def test_rag_key_prints_the_thresholds_used(demo_plan, amber, red, shown, not_shown):
    if amber is not None:
        edit_plan(demo_plan, lambda book: (set_setting(book, "Amber threshold", amber),
                                           set_setting(book, "Red threshold", red)))
    made = appendix_of(demo_plan)
    assert made.result is not None
    settings = made.result.plan.settings
    assert (settings.amber, settings.red) == (amber or 0.05, red or 0.1)
    report = openpyxl.load_workbook(made.written_to)[REPORT]
    key = {report.cell(row, 1).value: report.cell(row, 3).value for row in range(5, 8)}
    low, high = shown
    assert f"greater than {high}" in key["RED"]
    assert f"within target by {low}-{high}" in key["AMBER"]
    assert f"within {low} of target" in key["GREEN"]
    note = report.cell(8, 1).value
    assert f"Exactly {low} off target is GREEN; exactly {high} off target is AMBER" in note
    for text in (*key.values(), note):
        assert not any(re.search(rf"(?<![\d.]){re.escape(old)}", text) for old in not_shown)


def _item_rows(made: AppendixMade, book: Workbook) -> Iterator[tuple[str, object, object]]:
    """(ref, RAG cell, direction cell) of every action and measure row of the report."""
    for number, _ in layout_rows(made.appendix, REPORT, "item"):
        sheet = book[REPORT]
        yield str(sheet.cell(number, 1).value), sheet.cell(number, 4), sheet.cell(number, 5)


def test_every_item_shows_its_letter_and_arrow_as_text(demo_plan):
    # One measure with no figure, so that "No data" is shown too.
    edit_plan(demo_plan, lambda book: set_item(book, "tblMeasures", "M2.3", "Actual", None))
    made = appendix_of(demo_plan)
    book = openpyxl.load_workbook(made.written_to)
    rated = ratings_by_ref(made.result)
    seen = []
    for ref, rag, arrow in _item_rows(made, book):
        seen.append(ref)
        assert rag.data_type == "s" and rag.value in RATING_TEXTS, (ref, rag.value)
        assert arrow.data_type == "s" and arrow.value in ARROW_TEXTS, (ref, arrow.value)
        assert (rag.value, arrow.value) == rated[ref]
        if rag.value in RAG_FILLS:
            assert rag.fill.fgColor.rgb[-6:] == RAG_FILLS[rag.value]
    assert sorted(seen) == sorted(rated), "each action and measure once, in the report"
    assert rated["M2.3"][0] == "No data"
    shown = {rag.value for _, rag, _ in _item_rows(made, book)}
    assert {"R", "A", "G", "No data"} <= shown
    exceptions = book[EXCEPTIONS]
    for number, _ in layout_rows(made.appendix, EXCEPTIONS, "item"):
        assert exceptions.cell(number, 5).value in RATING_TEXTS
        assert exceptions.cell(number, 6).value in ARROW_TEXTS


def _argb(colour: object, default: str) -> str:
    rgb = getattr(colour, "rgb", None)
    return rgb[-6:] if isinstance(rgb, str) else default


def test_every_filled_cell_has_readable_text(demo):
    theme = Theme()
    for name, style in theme.styles.items():
        if style.fill is not None:
            assert contrast_ratio(style.colour, style.fill) >= 4.5, name
    for rating, fill in RAG_FILLS.items():
        assert contrast_ratio(theme.style(f"rag {rating}").colour, fill) >= 4.5
    _, book = demo
    checked = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None or cell.fill.patternType != "solid":
                    continue
                fill = _argb(cell.fill.fgColor, "FFFFFF")
                text = _argb(cell.font.color, "000000")
                assert contrast_ratio(text, fill) >= 4.5, (sheet.title, cell.coordinate)
                checked += 1
    assert checked > 100


def test_empty_commentary_prints_the_seed_reports_sentences(demo_plan):
    def clear(book: Workbook) -> None:
        sheet, columns, first, last = _table(book, "tblCommentary")
        for row in range(first, last + 1):
            sheet.cell(row, columns["Text"]).value = None

    made = appendix_of(edit_plan(demo_plan, clear))
    rows = made.appendix.sheet(REPORT).rows
    section = ""
    headings = 0
    for index, row in enumerate(rows):
        text = row.cells[0].value
        if row.kind == "section":
            section = str(text)
        if row.kind != "commentary heading":
            continue
        headings += 1
        sentences = (SEED_SENTENCES_FOR_ACTIONS if section == "Key Action Updates"
                     else SEED_SENTENCES_FOR_MEASURES)
        assert text in COMMENTARY_HEADINGS
        following = rows[index + 1]
        if following.cells[0].value != sentences[str(text)]:
            # A standard sentence a rating contradicts is replaced by the facts.
            assert text == "Commentary for areas for improvement and detail of ongoing action:"
            assert str(following.cells[0].value).startswith(
                "Red, amber or declining this quarter: "), following
            continue
        assert index + 2 == len(rows) or rows[index + 2].kind != "commentary"  # alone
    sections = sum(row.kind == "section" for row in rows)
    assert headings == 4 * sections


def test_demo_commentary_keeps_the_seed_reports_sentences_where_empty(demo):
    made, _ = demo
    rows = made.appendix.sheet(REPORT).rows
    texts = [str(row.cells[0].value) for row in rows]
    # Outcome 1's first supporting outcome: the seed prints this under Finance updates.
    first = texts.index("Commentary for Finance updates:")
    assert texts[first + 1] == "No items by exception to report."


def test_exceptions_list_every_red_amber_or_declining_item(demo):
    made, book = demo
    rated = ratings_by_ref(made.result)
    expected = {ref for ref, (rag, arrow) in rated.items() if rag in ("R", "A") or arrow == "↓"}
    sheet = book[EXCEPTIONS]
    listed: dict[str, tuple[str, str, str]] = {}
    for number, _ in layout_rows(made.appendix, EXCEPTIONS, "item"):
        ref = str(sheet.cell(number, 1).value)
        assert ref not in listed, f"{ref} listed twice"
        listed[ref] = (sheet.cell(number, 5).value, sheet.cell(number, 6).value,
                       str(sheet.cell(number, 7).value))
    assert set(listed) == expected
    mentioned = {item.ref: item.mentioned for item in made.result.exceptions}
    for ref, (rag, arrow, commentary) in listed.items():
        assert (rag, arrow) == rated[ref]
        assert NO_COMMENTARY_FLAG not in commentary  # the officer's note is on the checklist
        if mentioned[ref]:
            assert ref in commentary or ref.removeprefix("M") in commentary
        else:
            assert commentary == "None", ref  # an empty cell
    # Spot checks against the demo's commentary: 1.1 is never mentioned; 1.2 is; M4.4 is
    # mentioned as "measure 4.4".
    assert listed["1.1"][2] == "None"
    assert listed["1.2"][2].startswith("Actions 1.2 and 1.9")
    assert "(measure 4.4)" in listed["M4.4"][2]
    unmentioned = {ref for ref, flag in mentioned.items() if not flag}
    assert unmentioned and unmentioned <= set(sheet_texts(book[CHECKLIST]))


def test_every_cell_of_the_exceptions_table_is_boxed(demo):
    made, book = demo
    sheet = book[EXCEPTIONS]
    unboxed = [sheet.cell(number, column).coordinate
               for number, _ in layout_rows(made.appendix, EXCEPTIONS, "item")
               for column in range(1, 8)
               if not all(getattr(sheet.cell(number, column).border, side).style
                          for side in ("left", "right", "top", "bottom"))]
    assert unboxed == []


@pytest.mark.parametrize("as_of", [None, date(2018, 8, 15)])
def test_milestone_sheet_lists_the_plans_milestone_checks(demo_plan, as_of):
    made = appendix_of(demo_plan, as_of=as_of)
    sheet = openpyxl.load_workbook(made.written_to)[MILESTONES]
    shown = [tuple(sheet.cell(number, column).value for column in (1, 2, 5))
             for number, _ in layout_rows(made.appendix, MILESTONES, "item")]
    expected = [(item.check, item.ref, item.milestone) for item in made.result.milestones]
    assert shown == expected and expected
    day = as_of or date(2018, 6, 30)
    assert sheet["A1"].value == f"Milestone check, as of {day:%d/%m/%Y}"
    assert ("Due next quarter", "2.10", "By September 2018") in shown
    if as_of is not None:
        assert any(check == "Overdue" for check, _, _ in shown)


def test_a_plan_with_problems_gets_a_data_issues_sheet_naming_the_cells(demo_plan):
    places = []
    edit_plan(demo_plan, lambda book: places.append(
        set_item(book, "tblMeasures", "M1.2", "Actual", "lots")))
    made = appendix_of(demo_plan)
    book = openpyxl.load_workbook(made.written_to)
    assert book.sheetnames[-1] == CHECKLIST
    assert [s.name for s in made.appendix.sheets][-1] == CHECKLIST
    issues = book[CHECKLIST]
    rows = [[cell.value for cell in row] for row in issues.iter_rows(min_row=5)]
    assert places and re.fullmatch(r"Measures![A-Z]+\d+", places[0])
    assert any(row[0] == places[0] and "lots" in str(row[3]) for row in rows), rows


def test_theme_from_settings():
    theme = Theme.from_settings({"Appendix font": "Arial", "Appendix text size": "11",
                                 "Appendix heading colour": "#7030a0",
                                 "Appendix table header colour": "002060",
                                 "Organisation": "Westshire", "Appendix logo text": ""})
    assert (theme.font, theme.size, theme.heading, theme.table_header) == (
        "Arial", 11, "7030A0", "002060")
    assert theme.logo_text == "Westshire"  # a blank logo text falls back to the organisation
    assert theme.style("outcome").colour == "7030A0"
    assert theme.style("table header").fill == "002060"
    assert {style.font for style in theme.styles.values()} == {"Arial"}
    default = Theme.from_settings({"Appendix text size": "huge", "Appendix heading colour":
                                   "blue", "Organisation": "Eastshire"})
    assert (default.size, default.heading) == (Theme().size, Theme().heading)


def test_an_unknown_font_does_not_stop_the_appendix():
    checked = check(DEMO_PLAN)
    assert checked.result is not None
    theme = Theme.from_settings({"Appendix font": "Comic Sans MS"})
    appendix = build_appendix(checked.result, theme)
    assert appendix.pages > 1


def test_settings_restyle_the_appendix(demo_plan):
    logo = "Westshire Council & Partners"

    def restyle(book: Workbook) -> None:
        set_setting(book, "Appendix font", "Arial")
        set_setting(book, "Appendix heading colour", "7030A0")
        set_setting(book, "Appendix table header colour", "002060")
        set_setting(book, "Appendix logo text", logo)

    made = appendix_of(edit_plan(demo_plan, restyle))
    assert not made.problems, "the appendix settings are settings, not problems"
    book = openpyxl.load_workbook(made.written_to)
    for sheet in book.worksheets:
        assert sheet.oddHeader.left.text.replace("&&", "&") == logo
        fonts = {cell.font.name for row in sheet.iter_rows() for cell in row
                 if cell.value is not None}
        assert fonts == {"Arial"}, sheet.title
    report = book[REPORT]
    for number, _ in layout_rows(made.appendix, REPORT, "outcome"):
        assert report.cell(number, 1).font.color.rgb[-6:] == "7030A0"
    for number, _ in layout_rows(made.appendix, REPORT, "table header"):
        assert report.cell(number, 1).fill.fgColor.rgb[-6:] == "002060"


# --- Layout checks: heights, merges, page breaks -------------------------------------------


def needed_height(text: str, width: float, font: str, size: float, bold: bool) -> float:
    """Points a wrapped cell needs in both programs, without the 409.5 pt ceiling."""
    needed = 0.0
    for app in ("excel", "libreoffice"):
        lines = metrics.line_count(text, width, font, size, bold, app)  # type: ignore[arg-type]
        margin = (metrics.EXCEL_VERTICAL_MARGIN_PT if app == "excel"
                  else metrics.LIBREOFFICE_VERTICAL_MARGIN_PT)
        needed = max(needed, lines * metrics.line_height(font, size, bold, app) + margin)
    return needed


def cut_cells(sheet: Sheet, theme: Theme) -> list[str]:
    """Cells whose text needs more height than their row has (shown cut off)."""
    cut = []
    for number, row in enumerate(sheet.rows, start=1):
        column = 0
        for cell in row.cells:
            style = theme.style(cell.style)
            width = sum(metrics.column_width_points(w)
                        for w in sheet.columns[column:column + cell.span])
            column += cell.span
            if cell.value in (None, "") or not style.wrap:
                continue
            need = needed_height(str(cell.value), width, style.font, style.size, style.bold)
            if need > (row.height or 0) + 0.01:
                cut.append(f"{sheet.name}!{get_column_letter(column - cell.span + 1)}{number}"
                           f" needs {need:.1f} pt, row has {row.height}")
    return cut


HEADINGS = {"title", "running header", "section", "outcome", "supporting outcome",
            "table header", "commentary heading"}


def check_layout(appendix: Appendix, theme: Theme) -> None:
    """Nothing cut, no row over Excel's limit, pages that fit, as many as expected, no
    heading left at the foot of a page."""
    for sheet in appendix.sheets:
        assert not cut_cells(sheet, theme)
        assert all(row.height is not None and 0 < row.height <= 409.5 for row in sheet.rows)
        assert all(row.width <= len(sheet.columns) for row in sheet.rows), sheet.name
        capacity = printable_height(sheet.page) / 0.96
        page, pages = 0.0, 1
        for row in sheet.rows:
            if row.page_break_before and page > 0:
                pages += 1
                page = 0.0
            page += row.height or 0
            assert page <= capacity, f"{sheet.name}: page {pages} overflows"
        assert pages == sheet.pages, sheet.name
        for index, row in enumerate(sheet.rows):
            last_on_page = index + 1 == len(sheet.rows) or sheet.rows[index + 1].page_break_before
            assert not (last_on_page and row.kind in HEADINGS), (
                f"{sheet.name} row {index + 1}: a {row.kind} alone at the foot of a page")
        assert sum(metrics.column_width_points(w) for w in sheet.columns) <= printable_width(
            sheet.page), f"{sheet.name} is wider than the page: it would print shrunk"


def check_workbook(path: Path, appendix: Appendix) -> Workbook:
    """The written workbook: merges that do not overlap, heights and breaks as laid out."""
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [sheet.name for sheet in appendix.sheets]
    for sheet in appendix.sheets:
        worksheet = book[sheet.name]
        taken: dict[tuple[int, int], str] = {}
        for merged in worksheet.merged_cells.ranges:
            assert merged.min_row == merged.max_row, f"{merged} spans rows"
            for row, column in merged.cells:
                assert (row, column) not in taken, f"{merged} overlaps {taken[row, column]}"
                taken[row, column] = str(merged)
        heights = [worksheet.row_dimensions[n].ht for n in range(1, len(sheet.rows) + 1)]
        assert all(h is not None and 0 < h <= 409.5 for h in heights), sheet.name
        assert worksheet.max_row == len(sheet.rows)
        breaks = [b.id for b in worksheet.row_breaks.brk]
        assert len(breaks) + 1 == sheet.pages, sheet.name
        last = f"${get_column_letter(len(sheet.columns))}${len(sheet.rows)}"
        quoted = sheet.name.replace("'", "''")
        assert worksheet.print_area == f"'{quoted}'!$A$1:{last}"
        setup = worksheet.page_setup
        assert (setup.orientation, int(setup.paperSize), setup.fitToWidth) == (
            "landscape", int(worksheet.PAPERSIZE_A4), 1)
    return book


def test_demo_layout_fits_its_pages_and_cuts_nothing(demo):
    made, _ = demo
    check_layout(made.appendix, Theme.from_settings(made.workbook.settings))
    check_workbook(made.written_to, made.appendix)


def test_each_outcome_starts_a_page(demo):
    made, _ = demo
    rows = made.appendix.sheet(REPORT).rows
    outcomes = [index for index, row in enumerate(rows) if row.kind == "outcome"]
    firsts: dict[object, int] = {}
    for index in outcomes:
        firsts.setdefault(rows[index].cells[0].value, index)
    assert len(firsts) == 4
    first_outcome = min(firsts.values())  # shares the RAG key's page
    assert not any(row.page_break_before for row in rows[:first_outcome])
    for heading, index in firsts.items():
        if index == first_outcome:
            continue
        start = max(i for i in range(index + 1) if rows[i].page_break_before)
        assert rows[start].new_page
        assert [row.kind for row in rows[start:index]] in (
            ["spacer", "running header", "section"], ["spacer", "running header"]), heading


def test_tables_that_run_on_repeat_their_header(demo):
    made, _ = demo
    for sheet in made.appendix.sheets:
        for index, row in enumerate(sheet.rows):
            if row.page_break_before and row.kind == "item":
                pytest.fail(f"{sheet.name} row {index + 1}: a table runs on without its header")


def test_long_commentary_about_an_exception_is_not_cut(demo_plan):
    paragraph = " ".join(["In relation to action 1.1 the anti-poverty programme continued "
                          "with partners across every district this quarter."] * 14)

    def write(book: Workbook) -> None:
        sheet, columns, first, last = _table(book, "tblCommentary")
        for row in range(first, last + 1):
            if (sheet.cell(row, columns["Outcome"]).value == "1"
                    and sheet.cell(row, columns["Section"]).value == "Areas for improvement"):
                set_text(book, sheet, row, columns["Text"], f"{paragraph}\n\n{paragraph}")
                return

    made = appendix_of(edit_plan(demo_plan, write))
    theme = Theme.from_settings(made.workbook.settings)
    assert cut_cells(made.appendix.sheet(EXCEPTIONS), theme) == []


@pytest.mark.parametrize(("font", "size"), [("Arial", 12), ("Calibri", 14)])
def test_demo_exceptions_are_not_cut_at_a_larger_text_size(demo_plan, font, size):
    edit_plan(demo_plan, lambda book: (set_setting(book, "Appendix font", font),
                                       set_setting(book, "Appendix text size", size)))
    made = appendix_of(demo_plan)
    theme = Theme.from_settings(made.workbook.settings)
    assert theme.size == size
    assert cut_cells(made.appendix.sheet(EXCEPTIONS), theme) == []


# --- Text from the plan stays text ------------------------------------------------------------


def test_text_starting_with_equals_stays_text(demo_plan):
    comment = "=SUM(A1:A3) was the old way; the team now counts by hand."
    action = "=HYPERLINK(\"http://example.com\") review completed."

    def write(book: Workbook) -> None:
        sheet, columns, first, _ = _table(book, "tblCommentary")
        set_text(book, sheet, first, columns["Text"], comment)
        sheet, row, column = item_cell(book, "tblActions", "1.3", "Action")
        set_text(book, sheet, row, column, action)

    made = appendix_of(edit_plan(demo_plan, write))
    book = openpyxl.load_workbook(made.written_to)
    cells = {cell.value: cell for row in book[REPORT].iter_rows() for cell in row
             if isinstance(cell.value, str)}
    for text in (comment, action):
        assert text in cells, text
        assert cells[text].data_type == "s"
    with zipfile.ZipFile(made.written_to) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in archive.read(name).decode(), f"a formula in {name}"


# --- The command line -------------------------------------------------------------------------


def test_default_output_is_plan_appendix_beside_the_plan(demo_plan):
    done = run_ragbook("appendix", demo_plan)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = demo_plan.with_name("demo_plan appendix.xlsx")
    assert appendix_file_for(demo_plan) == expected
    assert expected.exists()
    assert str(expected) in done.stdout
    assert openpyxl.load_workbook(expected).sheetnames == [*PUBLISHED, CHART_DATA, CHECKLIST]


def _values(sheet: Worksheet) -> list[tuple[object, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_into_plan_adds_the_appendix_to_the_plan_and_keeps_everything_else(demo_plan):
    original = openpyxl.load_workbook(demo_plan)
    before = demo_plan.read_bytes()
    done = run_ragbook("appendix", demo_plan, "--into-plan")
    assert done.returncode == 0, done.stdout + done.stderr
    book = openpyxl.load_workbook(demo_plan)
    assert book.sheetnames == [*original.sheetnames, *PUBLISHED, CHART_DATA, CHECKLIST]
    for name in ("Instructions", "Settings", "Outcomes", "Commentary"):
        assert _values(book[name]) == _values(original[name]), name
    backup = demo_plan.with_name("demo_plan.backup.xlsx")
    assert backup.read_bytes() == before
    first = {name: _values(book[name]) for name in (*PUBLISHED, CHECKLIST)}

    again = run_ragbook("appendix", demo_plan, "--into-plan")
    assert again.returncode == 0, again.stdout + again.stderr
    book = openpyxl.load_workbook(demo_plan)
    assert book.sheetnames == [*original.sheetnames, *PUBLISHED, CHART_DATA, CHECKLIST]
    for name, values in first.items():
        assert _values(book[name]) == values, f"{name} changed on the second run"
    assert backup.exists()


def test_into_plan_drops_a_stale_data_issues_sheet(demo_plan):
    places = []

    def stale(book: Workbook) -> None:
        places.append(set_item(book, "tblMeasures", "M1.2", "Actual", "lots"))
        book.create_sheet(DATA_ISSUES)["A1"] = "Data issues in the plan"  # an earlier version's

    edit_plan(demo_plan, stale)
    done = run_ragbook("appendix", demo_plan, "--into-plan")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Officer's checklist" in done.stdout
    book = openpyxl.load_workbook(demo_plan)
    assert book.sheetnames[-1] == CHECKLIST
    assert DATA_ISSUES not in book.sheetnames
    assert places[0] in sheet_texts(book[CHECKLIST])

    edit_plan(demo_plan, lambda book: set_item(book, "tblMeasures", "M1.2", "Actual", 690))
    fixed = run_ragbook("appendix", demo_plan, "--into-plan")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    names = openpyxl.load_workbook(demo_plan).sheetnames
    assert places[0] not in sheet_texts(openpyxl.load_workbook(demo_plan)[CHECKLIST])
    assert names[-7:] == [*PUBLISHED, CHART_DATA, CHECKLIST]
    assert len(names) == len(set(names))


def test_pdf_without_weasyprint_explains_and_still_writes_the_workbook(demo_plan, tmp_path):
    """Where Pango's libraries are missing, WeasyPrint fails to load with an OSError."""
    broken = tmp_path / "broken"
    (broken / "weasyprint").mkdir(parents=True)
    (broken / "weasyprint" / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0'\")\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(broken), "PYTHONIOENCODING": "utf-8"}
    env.pop("RAGBOOK_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "ragbook", "appendix", str(demo_plan), "--pdf",
                           "--html"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "WeasyPrint is needed to make the tagged PDF" in done.stderr
    assert "libpango-1.0-0" in done.stderr and "pip install 'ragbook[pdf]'" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    workbook = demo_plan.with_name("demo_plan appendix.xlsx")
    assert workbook.exists() and str(workbook) in done.stdout
    assert workbook.with_suffix(".html").exists()
    assert not workbook.with_suffix(".pdf").exists()


# --- The golden reference ---------------------------------------------------------------------


def _extra_facts(book: Workbook) -> dict[str, object]:
    """What compare_workbooks leaves out: page breaks, and where the charts are drawn."""
    facts: dict[str, object] = {}
    for sheet in book.worksheets:
        facts[f"{sheet.title}: row breaks"] = [b.id for b in sheet.row_breaks.brk]
        facts[f"{sheet.title}: column breaks"] = [b.id for b in sheet.col_breaks.brk]
        facts[f"{sheet.title}: print area"] = sheet.print_area
        facts[f"{sheet.title}: charts"] = [
            (chart.anchor._from.col, chart.anchor._from.row, chart.width, chart.height)
            for chart in sheet._charts]
    return facts


def test_demo_appendix_matches_the_golden_reference(tmp_path):
    fresh = make_golden(tmp_path / "demo_appendix.xlsx")
    differences = compare_workbooks(GOLDEN, fresh)
    expected, actual = (_extra_facts(openpyxl.load_workbook(p)) for p in (GOLDEN, fresh))
    differences += [f"{key}: expected {expected[key]!r}, got {actual.get(key)!r}"
                    for key in expected if expected[key] != actual.get(key)]
    if differences:
        cells = [d for d in differences if re.match(r"[^:]+![A-Z]+\d+ ", d)]
        first_cell = (f"; first differing cell: {cells[0]}"
                      if cells and cells[0] != differences[0] else "")
        shown = GOLDEN.relative_to(ROOT) if GOLDEN.is_relative_to(ROOT) else GOLDEN
        pytest.fail(f"the demo appendix differs from {shown} in "
                    f"{len(differences)} place(s); first: {differences[0]}{first_cell}. "
                    "If the change is intended, regenerate on purpose with: make golden")


def test_golden_reference_is_deterministic(tmp_path):
    one = make_golden(tmp_path / "one.xlsx").read_bytes()
    two = make_golden(tmp_path / "two.xlsx").read_bytes()
    assert one == two


def _with_outcomes(plan: Path, titles: list[str]) -> Path:
    """The plan with its outcome titles replaced, and more outcomes when ``titles`` is longer."""
    book = openpyxl.load_workbook(plan)
    sheet = book["Outcomes"]
    table = sheet.tables["tblOutcomes"]
    first, last = table.ref.split(":")
    old = int("".join(c for c in last if c.isdigit())) - 1
    for number, title in enumerate(titles, start=1):
        if number > old:
            sheet.cell(number + 1, 1, str(number))
        sheet.cell(number + 1, 2, title)
    end = max(old, len(titles)) + 1
    table.ref = f"{first}:{''.join(c for c in last if c.isalpha())}{end}"
    book.save(plan)
    return plan


@pytest.mark.parametrize("titles", [
    [f"Outcome number {n} with a title of a usual length for a council plan" for n in
     range(1, 31)],
    ["word " * 250, "Places", "Economy", "Ways of working"],
], ids=["thirty outcomes", "a very long title"])
def test_a_summary_too_big_for_charts_still_fits_its_pages(tmp_path, titles):
    plan = _with_outcomes(shutil.copyfile(DEMO_PLAN, tmp_path / "plan.xlsx"), titles)
    made = appendix_of(plan)
    check_layout(made.appendix, Theme.from_settings(made.workbook.settings))
    summary = next(sheet for sheet in made.appendix.sheets if sheet.name == SUMMARY)
    assert summary.charts == []
