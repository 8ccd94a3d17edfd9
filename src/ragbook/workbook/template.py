"""The plan workbook as ragbook makes it: a blank plan, or a plan filled with data.

Every table of ``schema.ALL_TABLES`` becomes a real Excel Table on its own
sheet, with drop-down lists on the columns with fixed choices, RAG colours that
also work for ratings typed by hand, number formats and widths from the schema,
and grey headers on the columns ragbook writes. An Instructions sheet explains
the workbook to the officer.

Run ``python -m ragbook.workbook.template [OUTDIR]`` to regenerate the two
committed workbooks in ``workbook_templates/``.
"""

from __future__ import annotations

import io
import math
import os
import re
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ragbook import choices
from ragbook.ratings import (
    AMBER,
    DECLINING,
    DEFAULT_AMBER,
    DEFAULT_RED,
    GREEN,
    IMPROVING,
    RATING_NAMES,
    RED,
    SUSTAINED,
    fold,
)
from ragbook.schema import (
    ACTIONS,
    ALL_TABLES,
    COMMENTARY,
    HISTORY,
    INSTRUCTIONS_SHEET,
    MEASURES,
    NUMBER_FORMATS,
    OUTCOMES,
    RAG_FILLS,
    RAG_FONTS,
    RUN_LOG,
    SETTING_NAMES,
    SETTINGS,
    TEMPLATE_VERSION,
    Column,
    Kind,
    Table,
)

BLANK_PLAN_FILE = "delivery_plan.xlsx"
DEMO_PLAN_FILE = "demo_plan_2018-19_Q1.xlsx"
DEFAULT_FOLDER = "workbook_templates"

SPARE_ROWS = 2000
"""Rows below each table that still get drop-downs and colours, for rows officers add."""

TABLE_STYLE = "TableStyleMedium2"
FIXED_TIME = datetime(2018, 6, 30)
"""Document and zip timestamps, so that regenerated files are identical."""
AUTHOR = "ragbook"

RAGBOOK_HEADER_FILL = "D9D9D9"
"""Grey: the header of a column ragbook writes."""
HEADER_FONT = "000000"
BODY_FONT = "Calibri"
BODY_SIZE = 11
LINE_HEIGHT = 15.0
"""Points per line of Calibri 11, for row heights."""
KEY_BORDER = "BFBFBF"
ARROW_FONTS = {IMPROVING: "006100", SUSTAINED: "9C5700", DECLINING: "9C0006"}
"""Dark green, dark red and dark amber: Excel's own Good, Bad and Neutral text colours."""

RAGBOOK_NOTE = "Written by ragbook: typed values are replaced on each recalculation"
FORMULA_STARTS = ("=", "+", "-", "@")
"""Text starting with one of these would be read by Excel as a formula."""

REF_FROZEN = (ACTIONS.name, MEASURES.name)
"""Tables whose Ref column stays in view as well as the header row."""

WRAPPED_KINDS = frozenset({"text", "long text", "choice"})
CENTRED_KINDS = frozenset({"rating", "arrow"})
NUMBER_KINDS = frozenset({"number", "fraction", "whole number"})
DATE_KINDS = frozenset({"date", "datetime"})

ILLUSTRATIVE = "Illustrative figure"
QUARTERS = choices.Choice("Reporting quarter", ("Q1", "Q2", "Q3", "Q4"))

SETTING_KINDS: dict[str, Kind] = {
    "Plan year": "ref",
    "As-of date": "date",
    "Amber threshold": "fraction",
    "Red threshold": "fraction",
    "Template version": "whole number",
}
"""How each setting's value is typed and shown; the rest are text."""

SETTING_NOTES = {
    "Organisation": "Your council's name, as the report shows it.",
    "Plan title": "The plan's name, such as Council Plan Delivery Plan.",
    "Plan year": "The financial year (April to March), written like 2018/19.",
    "Reporting quarter": "Q1 (April to June), Q2 (July to September), "
                         "Q3 (October to December) or Q4 (January to March).",
    "As-of date": "Blank: the end of the reporting quarter. Otherwise the date progress "
                  "is reported to, as dd/mm/yyyy.",
    "Amber threshold": "A measure this far off target or less is GREEN; further off is AMBER. "
                       "Exactly on the threshold is GREEN. A measure may set its own.",
    "Red threshold": "A measure further off target than this is RED. Exactly on the "
                     "threshold is AMBER. A measure may set its own.",
    "Template version": "The version of this workbook's layout, for ragbook. "
                        "Please do not change it.",
}

DEFAULT_SETTINGS: dict[str, object] = {
    "Amber threshold": DEFAULT_AMBER,
    "Red threshold": DEFAULT_RED,
    "Template version": TEMPLATE_VERSION,
}

Row = dict[str, object]


# ---------------------------------------------------------------------------
# The public functions

def new_plan(settings: Mapping[str, object] | None = None) -> Workbook:
    """A blank plan workbook: the Settings filled in, every other table empty."""
    return _plan({}, settings or {})


def build_plan(tables: Mapping[str, pd.DataFrame],
               settings: Mapping[str, object] | None = None) -> Workbook:
    """A plan workbook holding ``tables`` (keyed like ``load_demo_plan()``: settings, outcomes...).

    Columns missing from a table are left blank; columns the schema does not
    know are kept, after the schema's. ``settings`` overrides the settings table.
    The Template version is this template's unless ``settings`` gives another:
    the workbook made is of this template's shape, whatever the data says.
    """
    given = dict(_settings_in(tables.get("settings")))
    given.update(settings or {})
    rows = {table.name: _frame_rows(table, tables.get(_key(table))) for table in ALL_TABLES
            if table is not SETTINGS}
    extras = {table.name: _extra_columns(table, tables.get(_key(table))) for table in ALL_TABLES}
    return _plan(rows, given, extras=extras, illustrative=_has_illustrative(tables))


def save(workbook: Workbook, path: str | Path) -> None:
    """Write ``workbook`` to ``path``; fixed timestamps make the same plan give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(partial, "w") as archive:
        for item in source.infolist():
            fixed = zipfile.ZipInfo(item.filename, FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(fixed, source.read(item))
    os.replace(partial, target)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the blank plan and the demo plan to OUTDIR (default ``workbook_templates``)."""
    from ragbook.demo import load_demo_plan

    arguments = list(sys.argv[1:] if argv is None else argv)
    folder = Path(arguments[0] if arguments else DEFAULT_FOLDER)
    for name, workbook in ((BLANK_PLAN_FILE, new_plan()),
                           (DEMO_PLAN_FILE, build_plan(load_demo_plan()))):
        save(workbook, folder / name)
        print(f"wrote {folder / name}")
    return 0


# ---------------------------------------------------------------------------
# The workbook

def _plan(rows: Mapping[str, list[Row]], settings: Mapping[str, object], *,
          extras: Mapping[str, tuple[Column, ...]] | None = None,
          illustrative: bool = False) -> Workbook:
    workbook = Workbook()
    _fix_properties(workbook)
    setting_rows = _setting_rows(settings)
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    _write_instructions(instructions, _thresholds(setting_rows), illustrative)
    for table in ALL_TABLES:
        shaped = replace(table, columns=table.columns + (extras or {}).get(table.name, ()))
        sheet = workbook.create_sheet(table.sheet)
        data = setting_rows if table is SETTINGS else rows.get(table.name, [])
        _write_table(sheet, shaped, data)
    _finish_settings(workbook[SETTINGS.sheet], setting_rows)
    for sheet in (instructions, workbook[SETTINGS.sheet]):
        _fit_row_heights(sheet)
    workbook.active = 0
    return workbook


def _fix_properties(workbook: Workbook) -> None:
    properties = workbook.properties
    properties.creator = AUTHOR
    properties.lastModifiedBy = AUTHOR
    properties.created = FIXED_TIME
    properties.modified = FIXED_TIME
    properties.title = "Delivery plan"


def _key(table: Table) -> str:
    """The key of ``table`` in the dict ``load_demo_plan()`` returns: ``tblActions`` -> actions."""
    return table.sheet.lower().replace(" ", "_")


# ---------------------------------------------------------------------------
# A table on its sheet

def _write_table(sheet: Worksheet, table: Table, rows: list[Row]) -> None:
    last_row = 1 + max(1, len(rows))
    _write_headers(sheet, table)
    for number, row in enumerate(rows or [{}], start=2):
        for index, column in enumerate(table.columns, start=1):
            _write_cell(sheet.cell(number, index), row.get(column.name), column.kind)
    for index, column in enumerate(table.columns, start=1):
        _shape_column(sheet, index, column)
    _add_excel_table(sheet, table, last_row)
    rows_in_use = range(2, last_row + SPARE_ROWS + 1)
    _add_choice_lists(sheet, table, rows_in_use)
    _add_rating_colours(sheet, table, rows_in_use)
    _add_arrow_colours(sheet, table, rows_in_use)
    _add_absolute_formats(sheet, table, rows_in_use)
    sheet.freeze_panes = "B2" if table.name in REF_FROZEN else "A2"
    _set_print_setup(sheet, title_rows="1:1")


def _add_excel_table(sheet: Worksheet, table: Table, last_row: int) -> None:
    ref = f"A1:{get_column_letter(len(table.columns))}{last_row}"
    excel_table = ExcelTable(displayName=table.name, ref=ref)
    excel_table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True,
                                                showColumnStripes=False,
                                                showFirstColumn=False, showLastColumn=False)
    sheet.add_table(excel_table)


def _write_headers(sheet: Worksheet, table: Table) -> None:
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(1, index, column.name)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.by_ragbook:
            cell.fill = _solid(RAGBOOK_HEADER_FILL)
            cell.font = _font(bold=True, color=_opaque(HEADER_FONT))
        note = _header_note(column)
        if note:
            cell.comment = _comment(note)


def _header_note(column: Column) -> str:
    notes = [RAGBOOK_NOTE] if column.by_ragbook else []
    if column.help:
        notes.append(column.help)
    return "\n".join(notes)


def _comment(text: str) -> Comment:
    lines = sum(1 + len(line) // 40 for line in text.splitlines())
    return Comment(text, AUTHOR, height=20 + 16 * lines, width=260)


def _shape_column(sheet: Worksheet, index: int, column: Column) -> None:
    """Width, number format and alignment, for the column and each of its data cells."""
    letter = get_column_letter(index)
    dimension = sheet.column_dimensions[letter]
    dimension.width = column.width
    number_format = NUMBER_FORMATS.get(column.kind, "General")
    alignment = _alignment(column.kind)
    dimension.number_format = number_format
    dimension.alignment = alignment
    for (cell,) in sheet.iter_rows(min_row=2, max_row=sheet.max_row, min_col=index,
                                   max_col=index):
        cell.number_format = number_format
        cell.alignment = alignment


def _alignment(kind: Kind) -> Alignment:
    horizontal = "center" if kind in CENTRED_KINDS else None
    return Alignment(wrap_text=kind in WRAPPED_KINDS or None, vertical="top",
                     horizontal=horizontal)


def _font(**style: object) -> Font:
    """A cell font: the workbook's Calibri 11 unless ``style`` says otherwise."""
    return Font(**{"name": BODY_FONT, "size": BODY_SIZE, **style})


def _opaque(colour: str) -> str:
    """``RRGGBB`` as the ``AARRGGBB`` Excel writes: fully opaque."""
    return "FF" + colour


def _solid(colour: str) -> PatternFill:
    """A solid fill. Conditional formats take the colour from bgColor, cells from fgColor."""
    return PatternFill(fill_type="solid", fgColor=_opaque(colour), bgColor=_opaque(colour))


def _span(columns: Iterable[int], rows: range) -> str:
    """``F2:F2083``, or several such ranges separated by spaces."""
    return " ".join(f"{get_column_letter(index)}{rows.start}:{get_column_letter(index)}"
                    f"{rows.stop - 1}" for index in columns)


def _columns_where(table: Table, wanted: object) -> list[tuple[int, Column]]:
    return [(index, column) for index, column in enumerate(table.columns, start=1)
            if column.kind == wanted]


# ---------------------------------------------------------------------------
# Drop-down lists, colours and conditional number formats

def _add_choice_lists(sheet: Worksheet, table: Table, rows: range) -> None:
    for index, column in enumerate(table.columns, start=1):
        if column.choice is not None:
            _add_choice_list(sheet, column.name, column.choice, _span([index], rows))


def _add_choice_list(sheet: Worksheet, name: str, choice: choices.Choice, cells: str) -> None:
    validation = DataValidation(
        type="list", formula1='"' + ",".join(choice.options) + '"', allow_blank=True,
        showDropDown=False, showErrorMessage=True, errorStyle="warning",
        errorTitle=name, error=f"{name}: please choose {choice.expected}.")
    validation.add(cells)
    sheet.add_data_validation(validation)


def _add_rating_colours(sheet: Worksheet, table: Table, rows: range) -> None:
    for index, _column in _columns_where(table, "rating"):
        cells = _span([index], rows)
        first = f"{get_column_letter(index)}{rows.start}"
        for rating in (RED, AMBER, GREEN):
            words = (rating, RATING_NAMES[rating])
            formula = "OR(" + ",".join(f'UPPER(TRIM({first}))="{word.upper()}"'
                                       for word in words) + ")"
            style = DifferentialStyle(fill=_solid(RAG_FILLS[rating]),
                                      font=Font(color=_opaque(RAG_FONTS[rating]), bold=True))
            sheet.conditional_formatting.add(
                cells, Rule(type="expression", formula=[formula], dxf=style, stopIfTrue=True))


def _add_arrow_colours(sheet: Worksheet, table: Table, rows: range) -> None:
    for index, _column in _columns_where(table, "arrow"):
        cells = _span([index], rows)
        first = f"{get_column_letter(index)}{rows.start}"
        for arrow, colour in ARROW_FONTS.items():
            style = DifferentialStyle(font=Font(color=_opaque(colour), bold=True))
            sheet.conditional_formatting.add(
                cells, Rule(type="expression", formula=[f'TRIM({first})="{arrow}"'],
                            dxf=style, stopIfTrue=True))


ABSOLUTE_COLUMNS = ("Amber threshold", "Red threshold", "Change band")
"""Shown as percentages, except on rows whose Tolerance is Absolute (then in the unit)."""


def _add_absolute_formats(sheet: Worksheet, table: Table, rows: range) -> None:
    headers = [column.name for column in table.columns]
    if choices.TOLERANCE.column not in headers:
        return
    tolerance = get_column_letter(headers.index(choices.TOLERANCE.column) + 1)
    indexes = [headers.index(name) + 1 for name in ABSOLUTE_COLUMNS if name in headers]
    formula = f'UPPER(TRIM(${tolerance}{rows.start}))="{choices.ABSOLUTE.upper()}"'
    style = DifferentialStyle(numFmt=NumberFormat(numFmtId=0, formatCode="General"))
    sheet.conditional_formatting.add(
        _span(indexes, rows), Rule(type="expression", formula=[formula], dxf=style))


def _set_print_setup(sheet: Worksheet, title_rows: str | None) -> None:
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.oddHeader.center.text = "&A"
    sheet.oddFooter.right.text = "Page &P of &N"
    if title_rows:
        sheet.print_title_rows = title_rows


# ---------------------------------------------------------------------------
# Cell values

def _write_cell(cell: Cell, value: object, kind: Kind) -> None:
    """Put ``value`` in ``cell`` typed for ``kind``; text always stays text, never a formula."""
    typed = _typed(value, kind)
    if isinstance(typed, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", typed)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = typed


def _typed(value: object, kind: Kind) -> object:
    """The value as the cell should hold it: a number, a date, text, or None for blank."""
    value = _plain(value)
    if value is None:
        return None
    if kind in NUMBER_KINDS:
        return _number(value, whole=kind == "whole number")
    if kind in DATE_KINDS:
        return _date(value, with_time=kind == "datetime")
    return _text(value)


def _plain(value: object) -> object:
    """Python's own types for pandas' and numpy's, and None for every kind of blank."""
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _number(value: object, *, whole: bool) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return value
    if isinstance(value, float) and whole and value.is_integer():
        return int(value)
    return value


_UK_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def _date(value: object, *, with_time: bool) -> object:
    if isinstance(value, str):
        value = _parse_date(value)
    if isinstance(value, datetime):
        return value if with_time else value.date()
    return value


def _parse_date(text: str) -> date | datetime | str:
    """``2018-06-30`` or ``30/06/2018`` as a date; other text is left as it is."""
    found = _UK_DATE.match(text)
    try:
        if found:
            day, month, year = (int(part) for part in found.groups())
            return date(year, month, day)
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return text


def _text(value: object) -> str:
    """Text as typed; a whole float such as 1.0 (a ref read as a number) as ``1``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# ---------------------------------------------------------------------------
# Rows from data frames

def _frame_rows(table: Table, frame: pd.DataFrame | None) -> list[Row]:
    """Each row of ``frame`` as ``{header: value}``, headers matched to the schema's."""
    if frame is None:
        return []
    schema_names = {fold(name): name for name in table.headers}
    names = [schema_names.get(fold(name), str(name)) for name in frame.columns]
    return [dict(zip(names, values, strict=True))
            for values in frame.itertuples(index=False, name=None)]


def _extra_columns(table: Table, frame: pd.DataFrame | None) -> tuple[Column, ...]:
    """The columns of ``frame`` the schema does not know, kept as text after the schema's."""
    if frame is None:
        return ()
    known = {fold(name) for name in table.headers}
    return tuple(Column(str(name), "long text", width=20) for name in frame.columns
                 if fold(name) not in known)


def _has_illustrative(tables: Mapping[str, pd.DataFrame]) -> bool:
    measures = tables.get(_key(MEASURES))
    if measures is None or "Data note" not in measures.columns:
        return False
    return any(isinstance(note, str) and note.strip().lower().startswith(ILLUSTRATIVE.lower())
               for note in measures["Data note"])


# ---------------------------------------------------------------------------
# Settings

def _settings_in(frame: pd.DataFrame | None) -> dict[str, object]:
    """The settings table as ``{setting: value}``; the template version is always this one's."""
    if frame is None or "Setting" not in frame.columns or "Value" not in frame.columns:
        return {}
    given = {str(name): value for name, value in zip(frame["Setting"], frame["Value"],
                                                     strict=True) if _plain(name) is not None}
    given.pop("Template version", None)
    return given


def _setting_rows(settings: Mapping[str, object]) -> list[Row]:
    values = {**DEFAULT_SETTINGS, **settings}
    names = list(SETTING_NAMES) + [name for name in values if name not in SETTING_NAMES]
    return [{"Setting": name,
             "Value": _typed(values.get(name), SETTING_KINDS.get(name, "text")),
             "Notes": SETTING_NOTES.get(name)}
            for name in names]


def _thresholds(rows: list[Row]) -> tuple[float, float]:
    values = {row["Setting"]: row["Value"] for row in rows}
    amber, red = values.get("Amber threshold"), values.get("Red threshold")
    return (amber if isinstance(amber, int | float) else DEFAULT_AMBER,
            red if isinstance(red, int | float) else DEFAULT_RED)


def _finish_settings(sheet: Worksheet, rows: list[Row]) -> None:
    """Each value typed and formatted for its setting, and a Q1-Q4 list for the quarter."""
    for number, row in enumerate(rows, start=2):
        kind = SETTING_KINDS.get(str(row["Setting"]), "text")
        cell = sheet.cell(number, 2)
        _write_cell(cell, row["Value"], kind)
        cell.number_format = NUMBER_FORMATS.get(kind, "General")
        cell.alignment = Alignment(horizontal="left", vertical="top")
        if row["Setting"] == QUARTERS.column:
            _add_choice_list(sheet, QUARTERS.column, QUARTERS, cell.coordinate)


# ---------------------------------------------------------------------------
# The Instructions sheet

TITLE = "Delivery plan progress workbook"

ABOUT = ("This workbook holds your delivery plan: its outcomes, actions and measures, and this "
         "quarter's progress. ragbook reads it, rates every action and measure RED, AMBER or "
         "GREEN, shows which way each is heading, and builds the report's appendix.")

SHEET_GUIDE: dict[str, str] = {
    SETTINGS.name: "Fill in your organisation, plan title, plan year (like 2018/19) and "
                   "reporting quarter. Leave As-of date blank to report to the end of the "
                   "quarter. The thresholds are the plan's defaults.",
    OUTCOMES.name: "One row per outcome: a short id (1, 2, 3...) and its title, in the "
                   "order the report shows them.",
    ACTIONS.name: "One row per action: its ref (such as 1.15), outcome, supporting outcome, "
                  "the action, its milestone as written in the plan, and this quarter's "
                  "status. If it is at risk, say whether a recovery plan is in place. "
                  "Previous RAG is last quarter's rating.",
    MEASURES.name: "One row per measure: its ref (such as M4.4), outcome, wording, unit, "
                   "whether higher or lower is better, the target and this quarter's actual. "
                   "Previous actual is last quarter's figure. Type n/a as the actual when "
                   "the measure is not due this quarter.",
    COMMENTARY.name: "The commentary for each supporting outcome: areas of progress, areas "
                     "for improvement, risk updates and finance updates. Leave a section out "
                     "when there is nothing to report: the report prints the standard "
                     "sentence.",
    RUN_LOG.name: "ragbook adds a row each time it changes this workbook. Nothing to fill in.",
    HISTORY.name: "Past quarters' figures and ratings, kept when the plan moves on to the "
                  "next quarter. Nothing to fill in.",
}

MILESTONE_EXAMPLES = (
    ("By March 2019", "due by the end of March 2019"),
    ("From June 2018", "starts in June 2018; no deadline"),
    ("Ongoing", "no date"),
    ("Ongoing until March 2019", "ongoing, due to end by the end of March 2019"),
    ("By Sept 2018 By April 2019", "two milestones, one for each part of the action"),
    ("by end 2018/19", "due by 31 March at the end of that financial year"),
    ("Q3 2018/19", "due by the end of that quarter"),
    ("31/03/2019", "due that day (day first), or an Excel date"),
)

RUNNING = (
    ("In Excel", "Use the ragbook add-in's buttons: Recalculate RAG (rates every action and "
                 "measure), Check milestones (lists milestones overdue or coming up) and "
                 "Build appendix (the report's tables)."),
    ("Or", "At a command prompt: ragbook recalc PLAN.xlsx"),
)

TIPS = ("Keep the tables' headers as they are. You may add your own columns, sort, filter "
        "and add rows at the bottom of a table. Refs such as 1.10 are kept as text.")


def _write_instructions(sheet: Worksheet, thresholds: tuple[float, float],
                        illustrative: bool) -> None:
    writer = _InstructionsWriter(sheet)
    writer.title(TITLE)
    writer.paragraph(ABOUT)
    writer.heading("The sheets")
    for table in ALL_TABLES:
        writer.item(table.sheet, SHEET_GUIDE[table.name])
    writer.heading("The RAG key")
    _write_rag_key(writer, thresholds)
    writer.heading("Direction of travel")
    _write_arrows(writer)
    writer.heading("Writing milestones")
    for example, meaning in MILESTONE_EXAMPLES:
        writer.item(example, meaning, bold=False)
    writer.heading("The grey columns")
    writer.paragraph(_grey_columns_text())
    writer.heading("Running ragbook")
    for label, text in RUNNING:
        writer.item(label, text)
    writer.heading("Tips")
    writer.paragraph(TIPS)
    if illustrative:
        writer.heading("About this demo")
        writer.paragraph(f'Figures whose Data note starts "{ILLUSTRATIVE}" were not published '
                         "in the report: they are made up to show how ragbook works, and are "
                         "not the council's figures.")
    _shape_instructions(sheet)


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def _rag_key(thresholds: tuple[float, float]) -> list[tuple[str, str, str]]:
    """The seed report's RAG key, with the plan's thresholds."""
    amber, red = (_percent(value) for value in thresholds)
    return [
        (RED, "Has missed or is expected to miss a key milestone date",
         f"Off target by more than {red} (urgent action required to improve performance)"),
        (AMBER, "At risk of missing a key milestone date but a recovery plan is in place",
         f"Off target by {amber} to {red} (some action required to improve performance)"),
        (GREEN, "On schedule, key milestone date met, or complete",
         f"On target, exceeding target, or within {amber} of target (action may be required "
         "to achieve further improvement)"),
    ]


def _write_rag_key(writer: _InstructionsWriter, thresholds: tuple[float, float]) -> None:
    writer.key_row(("Rating", "Actions", "Measures"), header=True)
    for rating, actions, measures in _rag_key(thresholds):
        writer.key_row((RATING_NAMES[rating], actions, measures), rating=rating)
    amber, red = (_percent(value) for value in thresholds)
    writer.paragraph(f"Exactly {amber} off target is GREEN; exactly {red} off target is "
                     f"AMBER. These are the thresholds on the Settings sheet; a measure may "
                     "have its own.")
    writer.paragraph("No data: no actual reported yet (never shown as red). n/a: not due "
                     "this quarter.")


def _write_arrows(writer: _InstructionsWriter) -> None:
    meanings = {IMPROVING: "Improving since last quarter (or since the same quarter last "
                           "year, for seasonal measures)",
                SUSTAINED: "Sustained: about the same",
                DECLINING: "Declining"}
    for arrow, colour in ARROW_FONTS.items():
        writer.item(arrow, meanings[arrow], font=_font(bold=True, size=14, color=_opaque(colour)))
    writer.item("n/a", "Nothing to compare with, such as a new action")


def _grey_columns_text() -> str:
    names: list[str] = []
    for table in (ACTIONS, MEASURES):
        names.extend(column.name for column in table.outputs if column.name not in names)
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return (f"ragbook fills the columns with grey headers ({listed}) each time it runs; "
            "anything typed there is replaced. It never changes anything else you have typed. "
            "To change a rating, type it in Override RAG and give an Override reason.")


def _shape_instructions(sheet: Worksheet) -> None:
    for letter, width in (("A", 26), ("B", 70), ("C", 60)):
        sheet.column_dimensions[letter].width = width
    sheet.sheet_view.showGridLines = False
    _set_print_setup(sheet, title_rows=None)


def _fit_row_heights(sheet: Worksheet) -> None:
    """Row heights for wrapped text, estimated from its length and the column widths.

    Used only on sheets whose text ragbook writes: Excel fits other rows itself,
    and a fixed height would stop it doing so when an officer edits a cell.
    """
    for row in sheet.iter_rows():
        lines = max((_lines(cell, sheet) for cell in row), default=1)
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = lines * LINE_HEIGHT


def _lines(cell: Cell, sheet: Worksheet) -> int:
    if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
        return 1
    width = sheet.column_dimensions[cell.column_letter].width or 10
    per_line = max(1, int(width * 1.2))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in cell.value.split("\n"))


class _InstructionsWriter:
    """Writes the Instructions sheet a row at a time: labels in A, text in B (and C)."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1

    def _put(self, column: int, text: str, font: Font | None = None,
             wrap: bool = True) -> Cell:
        cell = self.sheet.cell(self.row, column)
        _write_cell(cell, text, "text")
        cell.alignment = Alignment(wrap_text=wrap, vertical="top")
        if font is not None:
            cell.font = font
        return cell

    def title(self, text: str) -> None:
        self._put(1, text, _font(bold=True, size=16), wrap=False)
        self.row += 2

    def heading(self, text: str) -> None:
        self.row += 1
        self._put(1, text, _font(bold=True, size=12), wrap=False)
        self.row += 1

    def paragraph(self, text: str) -> None:
        self._put(2, text)
        self.row += 1

    def item(self, label: str, text: str, *, bold: bool = True,
             font: Font | None = None) -> None:
        self._put(1, label, font or _font(bold=bold))
        self._put(2, text)
        self.row += 1

    def key_row(self, texts: tuple[str, str, str], *, header: bool = False,
                rating: str | None = None) -> None:
        side = Side(style="thin", color=_opaque(KEY_BORDER))
        for column, text in enumerate(texts, start=1):
            cell = self._put(column, text, _font(bold=header or column == 1))
            cell.border = Border(left=side, right=side, top=side, bottom=side)
        if rating is not None:
            first = self.sheet.cell(self.row, 1)
            first.fill = _solid(RAG_FILLS[rating])
            first.font = _font(bold=True, color=_opaque(RAG_FONTS[rating]))
            first.alignment = Alignment(horizontal="center", vertical="top")
        self.row += 1


if __name__ == "__main__":
    raise SystemExit(main())
