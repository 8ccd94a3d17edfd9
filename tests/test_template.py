"""The plan workbook template: the committed files, the schema's rules, and how it renders."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from ragbook.appendix import metrics
from ragbook.calendar import ReportingPeriod
from ragbook.demo import load_demo_plan
from ragbook.direction import measure_direction
from ragbook.measures import rate_measure
from ragbook.milestones import read_milestone
from ragbook.ratings import IMPROVING, RATING_NAMES
from ragbook.schema import (
    ACTIONS,
    ALL_TABLES,
    COMMENTARY,
    INSTRUCTIONS_SHEET,
    MEASURES,
    NUMBER_FORMATS,
    RAG_FILLS,
    RAG_FONTS,
    SETTING_NAMES,
    SETTINGS,
    TEMPLATE_VERSION,
    Table,
)
from ragbook.workbook import template
from workbook_compare import compare_workbooks, first_difference

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbook_templates"
REGENERATE = "regenerate with: .venv/bin/python -m ragbook.workbook.template"
SHEETS = [INSTRUCTIONS_SHEET, "Settings", "Outcomes", "Actions", "Measures", "Commentary",
          "Series", "Run log", "History"]


def _reloaded(workbook: Workbook, folder: Path, name: str) -> Workbook:
    path = folder / name
    template.save(workbook, path)
    return load_workbook(path)


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    folder = tmp_path_factory.mktemp("demo")
    return _reloaded(template.build_plan(load_demo_plan()), folder, "demo.xlsx")


@pytest.fixture(scope="module")
def blank_plan(tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    return _reloaded(template.new_plan(), tmp_path_factory.mktemp("blank"), "blank.xlsx")


@pytest.fixture(scope="module", params=["blank", "demo"])
def plan(request: pytest.FixtureRequest, blank_plan: Workbook, demo_plan: Workbook) -> Workbook:
    return blank_plan if request.param == "blank" else demo_plan


def _table_rows(sheet: Worksheet, table: Table) -> range:
    """The rows that should carry drop-downs and colours: data rows plus the spare rows."""
    _, _, _, last = range_boundaries(sheet.tables[table.name].ref)
    return range(2, last + template.SPARE_ROWS + 1)


def _letter(table: Table, name: str) -> str:
    return get_column_letter(table.headers.index(name) + 1)


def _column_range(sheet: Worksheet, table: Table, name: str) -> str:
    rows = _table_rows(sheet, table)
    letter = _letter(table, name)
    return f"{letter}{rows.start}:{letter}{rows.stop - 1}"


def _rules_over(sheet: Worksheet, cells: str) -> list:
    return [rule for formatting in sheet.conditional_formatting
            for rule in formatting.rules if cells in str(formatting.sqref).split()]


# ---------------------------------------------------------------------------
# The committed workbooks are what the code makes

@pytest.mark.parametrize("name, make", [
    (template.BLANK_PLAN_FILE, template.new_plan),
    (template.DEMO_PLAN_FILE, lambda: template.build_plan(load_demo_plan())),
])
def test_committed_workbook_is_what_the_code_makes(name: str, make) -> None:
    path = COMMITTED / name
    assert path.exists(), f"{path} is missing; {REGENERATE}"
    difference = first_difference(path, make())
    assert difference is None, f"{name} differs from the code: {difference}\n{REGENERATE}"


def test_saving_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        template.save(template.new_plan(), tmp_path / folder / "plan.xlsx")
    assert (tmp_path / "one/plan.xlsx").read_bytes() == (tmp_path / "two/plan.xlsx").read_bytes()


def test_document_properties_are_fixed(blank_plan: Workbook) -> None:
    properties = blank_plan.properties
    assert properties.creator == "ragbook"
    assert properties.created == template.FIXED_TIME
    assert properties.modified == template.FIXED_TIME


def test_main_writes_both_workbooks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert template.main([str(tmp_path)]) == 0
    assert compare_workbooks(tmp_path / template.BLANK_PLAN_FILE, template.new_plan()) == []
    assert (tmp_path / template.DEMO_PLAN_FILE).exists()
    assert template.DEMO_PLAN_FILE in capsys.readouterr().out


def test_compare_points_at_the_first_changed_cell(tmp_path: Path) -> None:
    changed = template.new_plan()
    changed["Actions"]["B2"] = "1"
    changed["Actions"].freeze_panes = "C2"
    differences = compare_workbooks(template.new_plan(), changed)
    assert differences[0].startswith("Actions!B2 value: expected None, got '1'")
    assert "Actions: freeze panes: expected 'B2', got 'C2'" in differences


def test_compare_sees_layout_and_can_ignore_cell_styles() -> None:
    changed = template.new_plan()
    sheet = changed[INSTRUCTIONS_SHEET]
    sheet.merge_cells("A1:C1")
    sheet.page_setup.orientation = "portrait"
    sheet["A1"].font = Font(name="Calibri", size=11)
    differences = compare_workbooks(template.new_plan(), changed)
    assert any("A1 font: expected 'bold 16pt Calibri" in line for line in differences)
    assert any("merged cells: expected [], got ['A1:C1']" in line for line in differences)
    assert any("page setup: expected ('landscape'" in line for line in differences)
    unstyled = compare_workbooks(template.new_plan(), changed, cell_styles=False)
    assert not any(" font:" in line for line in unstyled)


# ---------------------------------------------------------------------------
# Sheets and tables

def test_sheets_are_in_order_and_instructions_open_first(plan: Workbook) -> None:
    assert plan.sheetnames == SHEETS
    assert plan.active.title == INSTRUCTIONS_SHEET


def test_every_schema_table_is_an_excel_table_with_the_schema_headers(plan: Workbook) -> None:
    for table in ALL_TABLES:
        sheet = plan[table.sheet]
        assert table.name in sheet.tables, table.name
        excel_table = sheet.tables[table.name]
        assert excel_table.ref.startswith("A1:")
        assert [column.name for column in excel_table.tableColumns] == list(table.headers)
        assert [cell.value for cell in sheet[1]] == list(table.headers)
        assert excel_table.tableStyleInfo.name == template.TABLE_STYLE
        assert excel_table.tableStyleInfo.showRowStripes


def test_an_empty_table_has_one_blank_row(blank_plan: Workbook) -> None:
    for table in ALL_TABLES:
        if table is not SETTINGS:
            ref = blank_plan[table.sheet].tables[table.name].ref
            assert ref == f"A1:{get_column_letter(len(table.columns))}2", table.name
            assert all(cell.value is None for cell in blank_plan[table.sheet][2])


def test_demo_tables_hold_every_row(demo_plan: Workbook) -> None:
    tables = load_demo_plan()
    for table, key in ((ACTIONS, "actions"), (MEASURES, "measures"),
                       (COMMENTARY, "commentary")):
        ref = demo_plan[table.sheet].tables[table.name].ref
        assert ref.endswith(str(len(tables[key]) + 1)), table.name


def test_column_widths_and_number_formats_come_from_the_schema(demo_plan: Workbook) -> None:
    for table in ALL_TABLES:
        sheet = demo_plan[table.sheet]
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            assert sheet.column_dimensions[letter].width == column.width
            expected = NUMBER_FORMATS.get(column.kind, "General")
            if table is not SETTINGS:
                assert sheet[f"{letter}2"].number_format == expected, (table.name, column.name)


def test_long_text_wraps_at_the_top(demo_plan: Workbook) -> None:
    cell = demo_plan["Commentary"][f"{_letter(COMMENTARY, 'Text')}2"]
    assert cell.alignment.wrap_text
    assert cell.alignment.vertical == "top"


def test_freeze_panes_keep_headers_and_refs_in_view(plan: Workbook) -> None:
    for table in ALL_TABLES:
        expected = "B2" if table in (ACTIONS, MEASURES) else "A2"
        assert plan[table.sheet].freeze_panes == expected, table.sheet


def test_print_setup_is_landscape_fit_to_width(plan: Workbook) -> None:
    for sheet in plan.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0  # as many pages tall as it takes
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        margins = sheet.page_margins
        assert 0.25 <= margins.left == margins.right <= 1
        assert margins.header < margins.top and margins.footer < margins.bottom
        assert sheet.oddFooter.right.text == "Page &P of &N"


def test_every_table_sheet_repeats_its_header_row_on_each_printed_page(plan: Workbook) -> None:
    for table in ALL_TABLES:
        assert plan[table.sheet].print_title_rows == "$1:$1", table.sheet
    assert plan[INSTRUCTIONS_SHEET].print_title_rows is None


# ---------------------------------------------------------------------------
# Row heights: LibreOffice shows a row at the height the sheet stores

def _needed_height(sheet: Worksheet, row: int, app: str) -> float:
    cells = []
    for cell in sheet[row]:
        if not isinstance(cell.value, str) or not cell.value:
            continue
        wrapped = bool(cell.alignment.wrap_text)
        width = metrics.column_width_points(sheet.column_dimensions[cell.column_letter].width)
        cells.append((cell.value if wrapped else cell.value.splitlines()[0],
                      width if wrapped else 10_000.0, cell.font.name or "Calibri",
                      float(cell.font.sz or 11), bool(cell.font.b) or (
                          row == 1 and sheet.title != INSTRUCTIONS_SHEET)))
    return metrics.fit_height(cells, app=app) if cells else 0.0


def test_every_row_is_tall_enough_for_its_text_in_excel_and_libreoffice(plan: Workbook) -> None:
    for sheet in plan.worksheets:
        default = sheet.sheet_format.defaultRowHeight
        for row in range(1, sheet.max_row + 1):
            stored = sheet.row_dimensions[row].height
            for app in ("excel", "libreoffice"):
                needed = _needed_height(sheet, row, app)
                if needed > metrics.row_height(1, app=app):
                    assert stored is not None and stored >= needed, (sheet.title, row, app)
            if stored is None:
                assert _needed_height(sheet, row, "both") <= metrics.row_height(1)
            assert stored is None or stored > default, "one-line rows keep the default"


def test_the_demo_actions_rows_are_as_tall_as_their_longest_text(demo_plan: Workbook) -> None:
    sheet = demo_plan["Actions"]
    action = ACTIONS.headers.index("Action") + 1
    for row in range(2, sheet.max_row + 1):
        text = sheet.cell(row, action).value
        lines = metrics.line_count(text, metrics.column_width_points(60))
        assert sheet.row_dimensions[row].height >= metrics.row_height(lines), row
    tall = [row for row in range(2, sheet.max_row + 1) if sheet.row_dimensions[row].height]
    assert len(tall) == sheet.max_row - 1  # every demo action wraps


def test_row_heights_are_saved_as_excel_saves_heights_it_fits(tmp_path: Path) -> None:
    """Without customHeight: Excel still refits the row when its text is edited."""
    path = tmp_path / "plan.xlsx"
    template.save(template.build_plan(load_demo_plan()), path)
    with zipfile.ZipFile(path) as package:
        sheets = [name for name in package.namelist() if name.startswith("xl/worksheets/sheet")]
        rows = [row for name in sheets
                for row in re.findall(rb"<row\b[^>]*>", package.read(name))]
    heights = [row for row in rows if b' ht="' in row]
    assert len(heights) > 82
    assert not [row for row in rows if b"customHeight" in row]
    assert load_workbook(path)["Actions"].row_dimensions[2].height > 15


def test_ragbook_columns_have_grey_headers_with_a_comment(blank_plan: Workbook) -> None:
    for table in ALL_TABLES:
        sheet = blank_plan[table.sheet]
        for index, column in enumerate(table.columns, start=1):
            header = sheet.cell(1, index)
            assert header.font.b, (table.name, column.name)
            if column.by_ragbook:
                assert header.fill.fgColor.rgb.endswith(template.RAGBOOK_HEADER_FILL)
                assert template.RAGBOOK_NOTE in header.comment.text
            else:
                # the table style's header colours, written into the cells for LibreOffice
                assert header.fill.patternType == "solid"
                assert header.fill.fgColor.theme == template.HEADER_FILL_THEME
                assert header.font.color.theme == template.HEADER_FONT_THEME


def test_the_harder_columns_have_a_header_note_in_the_instructions_words(
        blank_plan: Workbook) -> None:
    hard = {"Polarity", "Tolerance", "Target profile", "Range low", "Range high",
            "Change band", "Compare with", "Quarter target", "Override RAG", "Override reason",
            "Amber threshold", "Red threshold", "Milestone", "Status", "Recovery plan",
            "Outcome"}
    noted: set[str] = set()
    for table in ALL_TABLES:
        sheet = blank_plan[table.sheet]
        for index, column in enumerate(table.columns, start=1):
            comment = sheet.cell(1, index).comment
            expected = template.header_note(table, column)
            if not expected:
                assert comment is None, (table.name, column.name)
                continue
            noted.add(column.name)
            assert comment.text == expected
            assert template.COLUMN_GUIDE[table.name][column.name] in comment.text
            assert len(template.COLUMN_GUIDE[table.name][column.name]) <= 260, column.name
            if column.help:
                assert column.name in noted
    assert hard <= noted, hard - noted


# ---------------------------------------------------------------------------
# Drop-downs and conditional formats

def test_every_choice_column_has_a_drop_down_of_exactly_its_choices(plan: Workbook) -> None:
    for table in ALL_TABLES:
        sheet = plan[table.sheet]
        for column in table.columns:
            if column.choice is None:
                continue
            cells = _column_range(sheet, table, column.name)
            found = [validation for validation in sheet.data_validations.dataValidation
                     if cells in str(validation.sqref).split()]
            assert len(found) == 1, (table.name, column.name)
            validation = found[0]
            assert validation.type == "list"
            assert validation.formula1.strip('"').split(",") == list(column.choice.options)
            assert not validation.showDropDown
            assert validation.showErrorMessage
            assert validation.errorStyle == "warning"  # "Red" and "y" are read too
            assert all(option in validation.error for option in column.choice.options)


def test_reporting_quarter_has_a_drop_down_of_the_four_quarters(plan: Workbook) -> None:
    sheet = plan["Settings"]
    row = 2 + SETTING_NAMES.index("Reporting quarter")
    found = [validation for validation in sheet.data_validations.dataValidation
             if str(validation.sqref) == f"B{row}"]
    assert [validation.formula1 for validation in found] == ['"Q1,Q2,Q3,Q4"']


def test_outcome_columns_have_a_drop_down_of_the_outcomes_table(plan: Workbook) -> None:
    for table in (ACTIONS, MEASURES, COMMENTARY):
        sheet = plan[table.sheet]
        cells = _column_range(sheet, table, "Outcome")
        found = [validation for validation in sheet.data_validations.dataValidation
                 if cells in str(validation.sqref).split()]
        assert len(found) == 1, table.name
        validation = found[0]
        assert (validation.type, validation.formula1) == ("list",
                                                          'INDIRECT("tblOutcomes[Outcome]")')
        assert validation.showErrorMessage and validation.errorStyle == "warning"
        assert validation.allow_blank and not validation.showDropDown
    assert not plan["Outcomes"].data_validations.dataValidation


def _typed_rating_matches(formula: str, typed: str) -> bool:
    """Evaluate ``OR(UPPER(TRIM(X))="R",...)`` for a typed value, as Excel would."""
    words = [part.split('"')[1] for part in formula.split("=")[1:]]
    return " ".join(typed.split()).upper() in words or typed.strip().upper() in words


def test_rating_columns_are_coloured_even_when_typed_by_hand(plan: Workbook) -> None:
    for table in ALL_TABLES:
        sheet = plan[table.sheet]
        for column in table.columns:
            if column.kind != "rating":
                continue
            rules = _rules_over(sheet, _column_range(sheet, table, column.name))
            assert len(rules) == 3, (table.name, column.name)
            for rule, (letter, typed) in zip(rules, [("R", " red "), ("A", "Amber"),
                                                     ("G", "g")], strict=True):
                assert rule.type == "expression"
                assert rule.dxf.fill.fgColor.rgb.endswith(RAG_FILLS[letter])
                assert rule.dxf.font.color.rgb.endswith(RAG_FONTS[letter])
                assert _typed_rating_matches(rule.formula[0], typed)
                assert f"({_letter(table, column.name)}2)" in rule.formula[0]


def test_direction_arrows_are_coloured(plan: Workbook) -> None:
    for table in ALL_TABLES:
        sheet = plan[table.sheet]
        for column in table.columns:
            if column.kind != "arrow":
                continue
            rules = _rules_over(sheet, _column_range(sheet, table, column.name))
            colours = {rule.formula[0].split('"')[1]: rule.dxf.font.color.rgb[-6:]
                       for rule in rules}
            assert colours == template.ARROW_FONTS
            assert all(rule.dxf.font.b for rule in rules)


def test_thresholds_show_in_the_unit_when_tolerance_is_absolute(plan: Workbook) -> None:
    sheet = plan["Measures"]
    rows = _table_rows(sheet, MEASURES)
    cells = " ".join(f"{_letter(MEASURES, name)}{rows.start}:{_letter(MEASURES, name)}"
                     f"{rows.stop - 1}" for name in template.ABSOLUTE_COLUMNS)
    found = [rule for formatting in sheet.conditional_formatting
             for rule in formatting.rules if str(formatting.sqref) == cells]
    assert len(found) == 1
    assert found[0].dxf.numFmt.formatCode == "General"
    assert f"${_letter(MEASURES, 'Tolerance')}2" in found[0].formula[0]
    assert '"ABSOLUTE"' in found[0].formula[0]


# ---------------------------------------------------------------------------
# Values keep their types

def test_refs_stay_text(demo_plan: Workbook) -> None:
    refs = {cell.value: cell for cell in demo_plan["Actions"]["A"][1:]}
    assert refs["1.10"].data_type == "s"
    assert refs["1.10"].number_format == "@"
    measure_refs = [cell.value for cell in demo_plan["Measures"]["A"][1:]]
    assert "M1.10" in measure_refs
    assert demo_plan["Outcomes"]["A2"].value == "1"


FORMULA_LIKE = ["=SUM(A1)", "+44 1234 567890", "-", "- a dash list", "@risk", "=1+1"]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    commentary = pd.DataFrame({"Outcome": ["1"] * len(FORMULA_LIKE),
                               "Section": ["Areas of progress"] * len(FORMULA_LIKE),
                               "Text": FORMULA_LIKE})
    settings = {"Organisation": "=HYPERLINK(\"x\")"}
    reloaded = _reloaded(template.build_plan({"commentary": commentary}, settings),
                         tmp_path, "formulas.xlsx")
    texts = reloaded["Commentary"][_letter(COMMENTARY, "Text")][1:]
    assert [cell.value for cell in texts] == FORMULA_LIKE
    assert all(cell.data_type == "s" for cell in texts)
    organisation = reloaded["Settings"]["B2"]
    assert (organisation.value, organisation.data_type) == ('=HYPERLINK("x")', "s")


def test_dates_are_real_dates_shown_day_first(demo_plan: Workbook, tmp_path: Path) -> None:
    as_of = demo_plan["Settings"][f"B{2 + SETTING_NAMES.index('As-of date')}"]
    assert as_of.value == datetime(2018, 6, 30)
    assert as_of.number_format == "dd/mm/yyyy"
    actions = pd.DataFrame({"Ref": ["1.1", "1.2"], "Milestone due": ["2019-03-31",
                                                                     date(2018, 9, 30)]})
    reloaded = _reloaded(template.build_plan({"actions": actions}), tmp_path, "dates.xlsx")
    due = reloaded["Actions"][_letter(ACTIONS, "Milestone due")]
    assert [cell.value for cell in due[1:]] == [datetime(2019, 3, 31), datetime(2018, 9, 30)]
    assert all(cell.is_date and cell.number_format == "dd/mm/yyyy" for cell in due[1:])


def test_settings_have_their_types_and_formats(demo_plan: Workbook) -> None:
    values = {row[0].value: row[1] for row in demo_plan["Settings"].iter_rows(min_row=2)}
    assert list(values) == [*SETTING_NAMES, *template.OPTIONAL_SETTINGS]
    assert values["Appendix footer"].value is None  # blank: the Organisation
    assert (values["Amber threshold"].value, values["Amber threshold"].number_format) == (
        0.05, "0.0%")
    assert (values["Red threshold"].value, values["Red threshold"].number_format) == (0.1, "0.0%")
    assert values["Template version"].value == TEMPLATE_VERSION
    assert isinstance(values["Template version"].value, int)
    assert (values["Plan year"].value, values["Plan year"].data_type) == ("2018/19", "s")


def test_a_new_plan_has_default_settings_with_notes(blank_plan: Workbook) -> None:
    rows = [[cell.value for cell in row] for row in blank_plan["Settings"].iter_rows(min_row=2)]
    values = {name: value for name, value, _ in rows}
    assert values == {"Organisation": None, "Plan title": None, "Plan year": None,
                      "Reporting quarter": None, "As-of date": None, "Amber threshold": 0.05,
                      "Red threshold": 0.1, "Template version": TEMPLATE_VERSION,
                      "Appendix footer": None, "SPC minimum points": None,
                      "SPC shift points": None, "SPC trend points": None,
                      "SPC two of three": None, "SPC screen outliers": None,
                      "SPC baseline points": None}
    notes = {name: note for name, _, note in rows}
    assert notes["As-of date"].startswith("Blank: the end of the reporting quarter")
    assert all(notes.values())


def test_settings_given_override_the_defaults() -> None:
    plan = template.new_plan({"Organisation": "Anytown Council", "Amber threshold": "0.03",
                              "As-of date": "31/12/2018"})
    values = {row[0].value: row[1].value for row in plan["Settings"].iter_rows(min_row=2)}
    assert values["Organisation"] == "Anytown Council"
    assert values["Amber threshold"] == 0.03
    assert values["As-of date"] == date(2018, 12, 31)
    assert values["Template version"] == TEMPLATE_VERSION


def test_measure_values_are_numbers_and_words_stay_words() -> None:
    measures = pd.DataFrame({"Ref": ["M1", "M2", "M3"], "Actual": ["n/a", "72", None],
                             "Target": [90.0, float("nan"), 5]})
    sheet = template.build_plan({"measures": measures})["Measures"]
    actual, target = _letter(MEASURES, "Actual"), _letter(MEASURES, "Target")
    assert [sheet[f"{actual}{row}"].value for row in (2, 3, 4)] == ["n/a", 72.0, None]
    assert [sheet[f"{target}{row}"].value for row in (2, 3, 4)] == [90.0, None, 5]
    assert sheet[f"{_letter(MEASURES, 'Polarity')}2"].value is None


def test_columns_the_schema_does_not_know_are_kept_after_its_own() -> None:
    outcomes = pd.DataFrame({"outcome": ["1"], "TITLE": ["Healthy"], "Owner": ["Jo"]})
    sheet = template.build_plan({"outcomes": outcomes})["Outcomes"]
    assert [cell.value for cell in sheet[1]] == ["Outcome", "Title", "Owner"]
    assert [cell.value for cell in sheet[2]] == ["1", "Healthy", "Jo"]
    assert sheet.tables["tblOutcomes"].ref == "A1:C2"


# ---------------------------------------------------------------------------
# The Instructions sheet

def _instructions_text(plan: Workbook) -> str:
    return "\n".join(str(cell.value) for row in plan[INSTRUCTIONS_SHEET].iter_rows()
                     for cell in row if cell.value is not None)


def test_instructions_explain_the_rag_key_with_the_thresholds(demo_plan: Workbook) -> None:
    text = _instructions_text(demo_plan)
    assert "Off target by more than 10%" in text
    assert "Exactly 5% off target is GREEN; exactly 10% off target is AMBER" in text
    assert "recovery plan" in text
    for button in ("Recalculate RAG", "Check milestones", "Build appendix", "Roll forward",
                   "ragbook recalc PLAN.xlsx", "ragbook roll-forward PLAN.xlsx"):
        assert button in text
    title = demo_plan[INSTRUCTIONS_SHEET]["A1"]
    assert title.font.b and title.font.sz == 16


def test_instructions_use_the_plan_thresholds() -> None:
    plan = template.new_plan({"Amber threshold": 0.03, "Red threshold": 0.08})
    assert "Exactly 3% off target is GREEN; exactly 8% off target is AMBER" in (
        _instructions_text(plan))


def _instructions_columns(plan: Workbook) -> dict[str, dict[str, str]]:
    """The "Every column" section: {sheet: {column: its explanation}}."""
    sheet = plan[INSTRUCTIONS_SHEET]
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    started = False
    for label, text in sheet.iter_rows(min_col=1, max_col=2, values_only=True):
        if label == "Every column":
            started = True
        elif started and isinstance(label, str) and label.endswith(" sheet") and text is None:
            current = found.setdefault(label.removesuffix(" sheet"), {})
        elif started and current is not None and label is not None:
            current[str(label)] = str(text)
    return found


def test_instructions_explain_every_column_of_every_table(plan: Workbook) -> None:
    explained = _instructions_columns(plan)
    assert list(explained) == [table.sheet for table in ALL_TABLES]
    for table in ALL_TABLES:
        assert list(explained[table.sheet]) == list(table.headers), table.sheet
        for column in table.columns:
            text = explained[table.sheet][column.name]
            assert text == template.COLUMN_GUIDE[table.name][column.name]
            assert len(text) > 10, (table.name, column.name)


def test_ragbook_columns_are_grey_in_the_instructions_too(blank_plan: Workbook) -> None:
    sheet = blank_plan[INSTRUCTIONS_SHEET]
    grey = {cell.value for cell in sheet["A"]
            if cell.fill.fgColor.rgb and cell.fill.fgColor.rgb.endswith(
                template.RAGBOOK_HEADER_FILL)}
    assert grey == {column.name for table in ALL_TABLES for column in table.outputs}


def test_instructions_explain_every_kind_of_measure(blank_plan: Workbook) -> None:
    text = _instructions_text(blank_plan)
    for words in ("Within range", "Range low", "Range high", "Tolerance Absolute",
                  "in the measure's own unit", "Target profile", "Per quarter",
                  "Year to date", "Quarter target", "Same quarter last year",
                  "Last year actual", "seasons", "Change band", "n/a"):
        assert words in text, words


MEASURE_EXAMPLES = {
    "Higher or lower is better": [dict(actual=72, target=90, polarity="Higher is better",
                                       unit="%")],
    "Within range": [dict(actual=12.8, polarity="Within range", range_low=8, range_high=12,
                          unit="%")],
    "Absolute tolerance": [dict(actual=-0.12, target=0, polarity="Higher is better",
                                tolerance="Absolute", amber=0.05, red=0.1, unit="points"),
                           dict(actual=7.2, target=6, polarity="Lower is better",
                                tolerance="Absolute", amber=1, red=2, unit="days")],
    "Quarterly targets": [dict(actual=53, target=246, polarity="Lower is better",
                               target_profile="Per quarter", unit="fires")],
}


@pytest.mark.parametrize("label", list(MEASURE_EXAMPLES))
def test_each_worked_example_gives_the_rating_it_says(label: str) -> None:
    text = dict(template.MEASURE_KINDS)[label]
    said = re.findall(r"\bso (RED|AMBER|GREEN)\b", text)  # "... so AMBER"
    q1 = ReportingPeriod.of("2018/19", "Q1")
    rated = [RATING_NAMES[rate_measure(period=q1, **example).rag]
             for example in MEASURE_EXAMPLES[label]]
    assert said == rated
    for example in MEASURE_EXAMPLES[label]:
        why = rate_measure(period=q1, **example).why
        shortfall = re.search(r"([\d.]+ (?:points|days)) (?:short|over|above)", why)
        if shortfall:
            assert shortfall.group(1) in text, (why, text)


def test_the_seasonal_example_gives_the_arrow_it_says() -> None:
    text = dict(template.MEASURE_KINDS)["Seasonal measures"]
    arrow = measure_direction(3.8, 4.4, "Lower is better",
                              compare_with="Same quarter last year", unit="%")
    assert arrow.arrow == IMPROVING and f"improving, {IMPROVING}" in text


def test_the_instructions_name_the_demo_measures_they_quote() -> None:
    measures = load_demo_plan()["measures"].set_index("Ref")
    kinds = dict(template.MEASURE_KINDS)
    assert measures.at["M2.4", "Tolerance"] == "Absolute"
    assert measures.at["M2.6", "Compare with"] == "Same quarter last year"
    assert measures.at["M1.9", "Target profile"] == "Per quarter"
    assert "M2.6" in kinds["Seasonal measures"] and "M1.9" in kinds["Quarterly targets"]


def test_rag_key_cells_are_filled(demo_plan: Workbook) -> None:
    sheet = demo_plan[INSTRUCTIONS_SHEET]
    fills = {cell.value: cell.fill.fgColor.rgb[-6:] for cell in sheet["A"]
             if cell.value in ("RED", "AMBER", "GREEN")}
    assert fills == {"RED": RAG_FILLS["R"], "AMBER": RAG_FILLS["A"], "GREEN": RAG_FILLS["G"]}


def test_every_milestone_example_is_understood() -> None:
    for example, _meaning in template.MILESTONE_EXAMPLES:
        reading = read_milestone(example, plan_year="2018/19")
        assert reading.ok and reading.milestones, example
    help_examples = ACTIONS.column("Milestone").help.split('"')[1::2]
    shown = [example for example, _ in template.MILESTONE_EXAMPLES]
    assert set(help_examples) <= set(shown)


def test_only_the_demo_says_which_figures_are_illustrative(demo_plan: Workbook,
                                                            blank_plan: Workbook) -> None:
    assert template.ILLUSTRATIVE in _instructions_text(demo_plan)
    assert template.ILLUSTRATIVE not in _instructions_text(blank_plan)


# ---------------------------------------------------------------------------
# Rendering

@pytest.fixture
def soffice() -> Iterator[str]:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is needed on CI to check the workbook renders")
        pytest.skip("LibreOffice (soffice) is not installed")
    yield found


def test_libreoffice_renders_the_demo_plan(soffice: str, tmp_path: Path) -> None:
    workbook = tmp_path / template.DEMO_PLAN_FILE
    template.save(template.build_plan(load_demo_plan()), workbook)
    profile = (tmp_path / "profile").as_uri()
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(workbook)],
        capture_output=True, text=True, timeout=180, check=False)
    pdf = tmp_path / (workbook.stem + ".pdf")
    assert result.returncode == 0, result.stderr
    assert pdf.exists() and pdf.stat().st_size > 10_000, result.stdout + result.stderr
