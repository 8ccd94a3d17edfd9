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
from openpyxl.styles import Alignment, Border, Color, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ragbook import choices
from ragbook.appendix import metrics
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
    SERIES,
    SETTING_NAMES,
    SETTINGS,
    TEMPLATE_VERSION,
    Column,
    Kind,
    Table,
)
from ragbook.variation import SPC_SETTING_NOTES, SPC_SETTINGS

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
HEADER_FILL_THEME = 4
HEADER_FONT_THEME = 0
"""The officer's headers: the workbook theme's Accent 1 with Background 1 (white) letters,
as the table style draws them in Excel, written into the cells for LibreOffice."""
HEADER_FONT = "000000"
BODY_FONT = "Calibri"
BODY_SIZE = 11
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
    "Appendix footer": "The text at the foot of every page of the appendix, beside "
                       "Page n of N. Blank: the Organisation.",
}

SETTING_NOTES.update(SPC_SETTING_NOTES)

OPTIONAL_SETTINGS = ("Appendix footer", *SPC_SETTINGS)
"""Settings a new plan lists with a blank value, so that an officer sees they exist."""

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
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = _fitted_heights(data)
            archive.writestr(fixed, data)
    os.replace(partial, target)


_CUSTOM_HEIGHT = re.compile(rb'(<row\b[^>]*?) customHeight="1"')


def _fitted_heights(sheet_xml: bytes) -> bytes:
    """The rows' heights as Excel writes the heights it fits to wrapped text itself: without
    ``customHeight`` (which openpyxl always writes). Excel then refits such a row when its
    text is edited, instead of keeping it at a height set by hand; LibreOffice shows the
    stored height either way."""
    return _CUSTOM_HEIGHT.sub(rb"\1", sheet_xml)


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
    _fit_row_heights(instructions)
    for table in ALL_TABLES:
        _fit_row_heights(workbook[table.sheet], bold_header=True)
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
    _add_outcome_list(sheet, table, rows_in_use)
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
    """Bold headers that wrap, filled as the table style fills them (LibreOffice does not
    draw table styles), grey on ragbook's columns, with a note on the harder columns."""
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(1, index, column.name)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.by_ragbook:
            cell.fill = _solid(RAGBOOK_HEADER_FILL)
            cell.font = _font(bold=True, color=_opaque(HEADER_FONT))
        else:
            cell.fill = PatternFill(fill_type="solid", fgColor=Color(theme=HEADER_FILL_THEME))
            cell.font = _font(bold=True, color=Color(theme=HEADER_FONT_THEME))
        note = header_note(table, column)
        if note:
            cell.comment = _comment(note)


def header_note(table: Table, column: Column) -> str:
    """The note on a column's header: what the column is for, in the Instructions' words,
    on ragbook's columns, the harder ones and those the schema gives help for."""
    if not (column.by_ragbook or column.help or column.name in NOTED_COLUMNS.get(table.name, ())):
        return ""
    guide = COLUMN_GUIDE.get(table.name, {}).get(column.name) or column.help
    return "\n".join(([RAGBOOK_NOTE] if column.by_ragbook else []) + ([guide] if guide else []))


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


OUTCOME_COLUMN = "Outcome"
OUTCOME_LIST = f'INDIRECT("{OUTCOMES.name}[{OUTCOME_COLUMN}]")'
"""The Outcomes table's ids, as a drop-down's source. A structured reference cannot be a
drop-down's source itself; through INDIRECT it can, in Excel and in LibreOffice, and it
follows the table as rows are added, and when the table is moved."""


def _add_outcome_list(sheet: Worksheet, table: Table, rows: range) -> None:
    """A drop-down of the outcomes on the Outcome column of the tables that refer to them."""
    if table.name == OUTCOMES.name or OUTCOME_COLUMN not in table.headers:
        return
    validation = DataValidation(
        type="list", formula1=OUTCOME_LIST, allow_blank=True, showDropDown=False,
        showErrorMessage=True, errorStyle="warning", errorTitle=OUTCOME_COLUMN,
        error=f"{OUTCOME_COLUMN}: please choose one of the outcomes on the {OUTCOMES.sheet} "
              "sheet.")
    validation.add(_span([table.headers.index(OUTCOME_COLUMN) + 1], rows))
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
    listed = (*SETTING_NAMES, *OPTIONAL_SETTINGS)
    names = list(listed) + [name for name in values if name not in listed]
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
    SERIES.name: "Optional: monthly or quarterly figures for a measure that has more than "
                 "the quarters in History, one row each (Ref, Period, Value). A measure listed "
                 "here gets its Variation and Assurance from these rows alone; a missing "
                 "period is a gap, never a zero.",
    HISTORY.name: "Past quarters' figures and ratings, kept when the plan moves on to the "
                  "next quarter. Nothing to fill in. Variation and Assurance read each "
                  "measure's past quarters from here.",
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
    ("In Excel", "The ragbook add-in's four buttons. Recalculate RAG rates every action and "
                 "measure and fills in the grey columns; run it after changing any figures. "
                 "Check milestones writes a Problems sheet: every problem in the plan, linked "
                 "to its cell, the milestones overdue, due this quarter or next, or that "
                 "should have started, and the red, amber or declining items the commentary "
                 "does not mention. Build appendix adds the quarterly appendix for Cabinet to "
                 "this workbook. Roll forward starts the next quarter (see below): save a "
                 "copy of this quarter's workbook first."),
    ("Or", "At a command prompt: ragbook recalc PLAN.xlsx (Recalculate RAG), ragbook check "
           "PLAN.xlsx (the problems and the milestone report), ragbook appendix PLAN.xlsx "
           "--pdf, and ragbook roll-forward PLAN.xlsx --out NEXT.xlsx."),
    ("Roll forward", "This quarter's ratings become Previous RAG and its actuals Previous "
                     "actual; Last year actual is filled in from History; Status (except "
                     "Complete), Recovery plan, Quarter target, Actual, Data note, the "
                     "overrides, the grey columns and the commentary texts are cleared; the "
                     "quarter's figures and ratings are kept in History; Settings move on to "
                     "the next quarter."),
)

MEASURE_KINDS = (
    ("Higher or lower is better",
     "The usual kind: Polarity Higher is better or Lower is better, and a Target. With a "
     "relative Tolerance (the default) how far off target is a percentage of the target. "
     "M4.4: 72% against a target of 90%, higher is better, is 18 points short, 20% of the "
     "target: more than the 10% red threshold, so RED."),
    ("Within range",
     "Polarity Within range, with a Range low and a Range high (one may be blank): a figure "
     "inside the range is GREEN; outside it, how far off is measured from the nearer bound. "
     "Staff turnover kept between 8% and 12%: 12.8% is 0.8 points above the range, 6.7% of "
     "its upper bound, so AMBER. Too low is as bad as too high."),
    ("Absolute tolerance",
     "Tolerance Absolute: how far off is measured in the measure's own unit, not as a "
     "percentage, and the Amber and Red thresholds must be given in that unit. Use it for a "
     "target of 0 or a score centred on 0: Progress 8 with a target of 0 and thresholds of "
     "0.05 and 0.1 points: -0.12 is 0.12 points short, so RED. Or in days: target 6 days, "
     "lower is better, thresholds of 1 and 2 days: 7.2 days is 1.2 days over, so AMBER."),
    ("Quarterly targets",
     "An annual Target is compared each quarter as Target profile says: Whole year (or "
     "blank) compares with the Target as it is; Per quarter with a quarter of it (M1.9: "
     "fewer than 246 fires in the year is 61.5 in Q1, and 53 fires met it, so GREEN); Year "
     "to date with the part of the year gone (Q2: half the Target), for figures that add up "
     "over the year. A Quarter target, when filled in, is this quarter's target and wins "
     "over both."),
    ("Seasonal measures",
     "Compare with Same quarter last year: the arrow compares Actual with Last year actual "
     "instead of Previous actual, for figures that rise and fall with the seasons (M2.6, "
     "young people not in education, employment or training: 3.8% against 4.4% in the same "
     "quarter last year, lower is better, so improving, ↑). The rating still compares "
     "Actual with the target."),
    ("Not due, or no figure yet",
     "Type n/a as the Actual of a measure not due this quarter, such as an annual figure: "
     "its rating is n/a. A blank Actual is No data, never RED."),
)
"""Each kind of measure, with a worked example (``tests/test_template.py`` rates each)."""

_OVERRIDE = ("Only to change ragbook's rating: R, A or G, with an Override reason. ragbook "
             "keeps both ratings, and Why shows the computed one.")
_OVERRIDE_REASON = ("Why the rating is overridden. An override without a reason is not used "
                    "(ragbook's rating stands) and is listed as a problem.")
_OUTCOME = ("The outcome it belongs to: one of the ids on the Outcomes sheet (pick it from "
            "the drop-down).")
_WHY = "How the rating and the arrow were worked out, in a sentence you can check by hand."
_RUN_COUNT = "How many {} this run rated {}."

COLUMN_GUIDE: dict[str, dict[str, str]] = {
    SETTINGS.name: {
        "Setting": "The name of each setting. Please keep these as they are.",
        "Value": "Your choice for each setting; the note beside it says what it expects.",
        "Notes": "What each setting means. For your information only.",
    },
    OUTCOMES.name: {
        "Outcome": "A short id such as 1, used in the Outcome column of the Actions, Measures "
                   "and Commentary sheets, whose drop-downs list these ids.",
        "Title": "The outcome's title, as the report shows it.",
    },
    ACTIONS.name: {
        "Ref": "Unique, such as 1.15. Kept as text, so 1.10 stays 1.10.",
        "Outcome": _OUTCOME,
        "Supporting outcome": "The supporting outcome the action serves, worded the same on "
                              "each of its actions: the report groups actions under it.",
        "Action": "What will be done, as the plan words it.",
        "Milestone": 'When it is due, as the plan writes it: "By March 2019", "From June '
                     '2018", "Ongoing until March 2019" (see Writing milestones).',
        "Status": "This quarter's progress: Not started, On track, At risk, Off track or "
                  "Complete. Complete is GREEN; Off track is RED; At risk is AMBER with a "
                  "recovery plan and RED without; a missed deadline is RED unless Complete.",
        "Recovery plan": "Yes or No: is a recovery plan in place? It decides an At risk "
                         "action's rating: AMBER with one, RED without.",
        "Previous RAG": "Last quarter's rating (R, A or G), for the arrow. Roll forward fills "
                        "it in.",
        "Override RAG": _OVERRIDE,
        "Override reason": _OVERRIDE_REASON,
        "Lead": "Who leads the action: an officer or a service. For your reference.",
        "Risk refs": "The corporate risks the action relates to, such as CR12. For your "
                     "reference.",
        "RAG": "The rating: R, A or G; No data when no status is recorded yet.",
        "Direction": "The arrow: this rating against Previous RAG. ↑ improving, → sustained, "
                     "↓ declining, n/a nothing to compare with.",
        "Milestone due": "The next deadline ragbook read from the Milestone.",
        "Milestone check": "Overdue, due this quarter, due next quarter, should have "
                           "started, or not understood.",
        "Why": _WHY,
    },
    MEASURES.name: {
        "Ref": "Unique, such as M4.4. Kept as text.",
        "Outcome": _OUTCOME,
        "Measure": "The key outcome indicator, as the plan words it.",
        "Unit": "What the figures count: %, days, fires... Used in Why. With % (or figures "
                "typed as percentages) the measure is compared in percentage points: type "
                "72 or 72%.",
        "Polarity": "Higher is better, Lower is better, or Within range: between Range low "
                    "and Range high is on target, and too high and too low are both off it.",
        "Baseline": "The starting figure the plan quotes. For your reference: ragbook rates "
                    "against the target.",
        "Target": "The target, in the measure's unit. An annual target is compared each "
                  "quarter as Target profile says.",
        "Quarter target": "This quarter's own target, when it has one: it wins over Target "
                          "and Target profile. Roll forward clears it.",
        "Target profile": "How an annual Target gives this quarter's: Whole year (blank) as "
                          "it is; Per quarter, Target / 4; Year to date, Target x quarter / 4.",
        "Range low": "The lower bound of a Within range measure (blank: no lower bound).",
        "Range high": "The upper bound of a Within range measure (blank: no upper bound). "
                      "Outside the range, how far off is measured from the nearer bound.",
        "Tolerance": "Relative (blank): how far off target, as a percentage of the target. "
                     "Absolute: in the measure's own unit, for a target of 0 or a score; "
                     "then give both thresholds in that unit.",
        "Amber threshold": "How far off target is still GREEN (exactly on it is GREEN). "
                           "Blank: the Settings default. Relative: a percentage such as 5%; "
                           "Absolute: in the unit.",
        "Red threshold": "How far off target is still AMBER (exactly on it is AMBER); "
                         "further off is RED. Blank: the Settings default.",
        "Change band": "Moves no bigger than this show as sustained (→). Relative: a "
                       "percentage of the figure compared with; Absolute: in the unit. Blank: "
                       "any move counts.",
        "Compare with": "What the arrow compares Actual with: Previous quarter (blank), or "
                        "Same quarter last year for seasonal measures (Last year actual).",
        "Actual": "This quarter's figure, in the measure's unit. n/a: not due this quarter; "
                  "blank: No data.",
        "Previous actual": "Last quarter's figure, for the arrow. Roll forward fills it in.",
        "Last year actual": "The same quarter's figure last year, for seasonal measures. "
                            "Roll forward fills it in from History.",
        "Data note": "Where the figure comes from, or what a reader should know about it.",
        "Override RAG": _OVERRIDE,
        "Override reason": _OVERRIDE_REASON,
        "RAG": "The rating: R, A or G; No data when there is no Actual yet; n/a when it is "
               "not due.",
        "Direction": "The arrow, aware of polarity: ↑ improving, → sustained, ↓ declining, "
                     "n/a nothing to compare with.",
        "Why": _WHY,
        "Variation": "By ragbook (Making Data Count): is the latest figure a real change "
                     "(improvement or concern, high or low) or common cause, from the "
                     "figures in History or Series and this quarter's actual? Needs 13 "
                     "figures. The reason is in Why.",
        "SPC baseline": "Optional: fix this measure's Making Data Count limits on its first "
                        "this-many figures, after a change in how it is measured; blank uses "
                        "the Settings row SPC baseline points.",
        "Assurance": "By ragbook, Making Data Count: whether the target will be hit "
                     "reliably (consistently passing or failing) or hit and miss, from the "
                     "process limits of the measure's figures.",
    },
    COMMENTARY.name: {
        "Outcome": "The outcome the commentary is about (pick it from the drop-down).",
        "Supporting outcome": "The supporting outcome, worded as on the Actions sheet; blank "
                              "for the commentary on the outcome's key outcome indicators.",
        "Section": "Areas of progress, Areas for improvement, Risk updates or Finance "
                   "updates. A section left out prints the report's standard sentence.",
        "Text": "The commentary. Name each RED, AMBER or declining item by its ref in Areas "
                "for improvement: Check milestones lists any the commentary misses.",
    },
    RUN_LOG.name: {
        "When": "When ragbook changed the workbook.",
        "Command": "What ran: recalc (Recalculate RAG), roll-forward, batch...",
        "As-of date": "The date progress was rated to.",
        "Period": "The quarter rated, such as Q1 2018/19.",
        "Actions": "How many actions were rated.",
        "Measures": "How many measures were rated.",
        "R": _RUN_COUNT.format("items", "RED"),
        "A": _RUN_COUNT.format("items", "AMBER"),
        "G": _RUN_COUNT.format("items", "GREEN"),
        "No data": _RUN_COUNT.format("items", "No data"),
        "n/a": _RUN_COUNT.format("items", "n/a"),
        "Not rated": "How many items could not be rated because of a problem in their row.",
        "Problems": "How many problems the run found.",
        "By": "Who ran it.",
        "ragbook": "The version of ragbook that ran.",
    },
    HISTORY.name: {
        "Period": "The quarter, such as Q1 2018/19.",
        "Kind": "Action or Measure.",
        "Ref": "The action's or measure's ref.",
        "Status": "The action's status that quarter.",
        "Actual": "The measure's figure that quarter.",
        "Target": "The measure's Target that quarter.",
        "RAG": "The rating that quarter.",
        "Direction": "The arrow that quarter.",
        "Why": "The reason for that quarter's rating and arrow.",
    },
    SERIES.name: {
        "Ref": "The measure's ref, as in Measures.",
        "Period": "A month (a date such as 01/04/2018) or a quarter (Q1 2018/19); one kind "
                  "per measure.",
        "Value": "The measure's figure for that period, in its own unit.",
    },
}
"""What every column of every table is for: the Instructions sheet lists them all, and the
harder columns' header notes say the same."""

NOTED_COLUMNS: dict[str, frozenset[str]] = {
    ACTIONS.name: frozenset({"Outcome", "Milestone", "Status", "Recovery plan", "Previous RAG",
                             "Override RAG", "Override reason"}),
    MEASURES.name: frozenset({"Outcome", "Unit", "Polarity", "Target", "Quarter target",
                              "Target profile", "Range low", "Range high", "Tolerance",
                              "Amber threshold", "Red threshold", "Change band",
                              "Compare with", "Actual", "Previous actual", "Last year actual",
                              "Override RAG", "Override reason"}),
    COMMENTARY.name: frozenset({"Outcome", "Supporting outcome", "Section", "Text"}),
}
"""The officer's columns that carry a header note (besides those the schema gives help for):
the ones whose meaning is not plain from the header."""

TIPS = ("Keep the tables' headers as they are. You may add your own columns, sort, filter "
        "and add rows at the bottom of a table. Refs such as 1.10 are kept as text.")


def _write_instructions(sheet: Worksheet, thresholds: tuple[float, float],
                        illustrative: bool) -> None:
    writer = _InstructionsWriter(sheet)
    writer.title(TITLE)
    writer.paragraph(ABOUT)
    if illustrative:
        writer.heading("About this demo")
        writer.paragraph(f'Figures whose Data note starts "{ILLUSTRATIVE}" were not published '
                         "in the report: they are made up to show how ragbook works, and are "
                         "not the council's figures.")
    writer.heading("The sheets")
    for table in ALL_TABLES:
        writer.item(table.sheet, SHEET_GUIDE[table.name])
    writer.heading("Running ragbook")
    for label, text in RUNNING:
        writer.item(label, text)
    writer.heading("The RAG key")
    _write_rag_key(writer, thresholds)
    writer.heading("Direction of travel")
    _write_arrows(writer)
    writer.heading("Kinds of measure")
    for label, text in MEASURE_KINDS:
        writer.item(label, text)
    writer.heading("Writing milestones")
    for example, meaning in MILESTONE_EXAMPLES:
        writer.item(example, meaning, bold=False)
    writer.heading("The grey columns")
    writer.paragraph(_grey_columns_text())
    writer.heading("Tips")
    writer.paragraph(TIPS)
    writer.heading("Every column")
    writer.paragraph("What each column of each sheet is for, sheet by sheet. A header with a "
                     "red corner has a note saying the same: point at it to read it.")
    for table in ALL_TABLES:
        writer.subheading(f"{table.sheet} sheet")
        for column in table.columns:
            writer.item(column.name, COLUMN_GUIDE[table.name][column.name],
                        fill=RAGBOOK_HEADER_FILL if column.by_ragbook else None)
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
            "anything typed there is replaced. It never changes anything else you have typed "
            "(except when you roll forward). To change a rating, type it in Override RAG and "
            "give an Override reason.")


def _shape_instructions(sheet: Worksheet) -> None:
    for letter, width in (("A", 26), ("B", 70), ("C", 60)):
        sheet.column_dimensions[letter].width = width
    sheet.sheet_view.showGridLines = False
    _set_print_setup(sheet, title_rows=None)


def _fit_row_heights(sheet: Worksheet, *, bold_header: bool = False) -> None:
    """Row heights for wrapped text, from the appendix's font metrics at the column widths.

    LibreOffice does not fit rows to their text when it opens a file (it shows and prints
    a row without a stored height one line tall), so every row whose text needs more than
    one line, in Excel or in LibreOffice, gets the taller of the two heights. Rows of one
    line keep the default height. ``save`` writes these heights the way Excel writes the
    heights it fits itself (no ``customHeight``), so Excel still refits a row when an
    officer edits its text. ``bold_header``: row 1 is a table's header row, which the table
    style sets in bold.
    """
    one_line = metrics.row_height(1)
    for row in sheet.iter_rows():
        cells = [_measured(cell, sheet, bold=bold_header and cell.row == 1) for cell in row
                 if isinstance(cell.value, str) and cell.value]
        height = metrics.fit_height(cells) if cells else one_line
        if height > one_line:
            sheet.row_dimensions[row[0].row].height = height


DEFAULT_COLUMN_WIDTH = 9.140625
"""Excel's default column width, as stored (shown as 8.43 characters)."""
UNWRAPPED_POINTS = 10_000.0
"""The width given to a cell that does not wrap: its text is one line, however long."""


def _measured(cell: Cell, sheet: Worksheet, *, bold: bool) -> metrics.Cell:
    """A cell as the metrics measure it: text, width in points, font, size, bold."""
    font = cell.font
    try:
        family = metrics.family_name(font.name or BODY_FONT)
    except ValueError:
        family = BODY_FONT
    letter = cell.column_letter
    width = (sheet.column_dimensions[letter].width if letter in sheet.column_dimensions
             else DEFAULT_COLUMN_WIDTH) or DEFAULT_COLUMN_WIDTH
    points = metrics.column_width_points(width) if cell.alignment.wrap_text \
        else UNWRAPPED_POINTS
    text = str(cell.value) if cell.alignment.wrap_text else str(cell.value).splitlines()[0]
    return (text, points, family, float(font.sz or BODY_SIZE), bool(font.b) or bold)


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

    def subheading(self, text: str) -> None:
        self.row += 1
        self._put(1, text, _font(bold=True, italic=True), wrap=False)
        self.row += 1

    def item(self, label: str, text: str, *, bold: bool = True,
             font: Font | None = None, fill: str | None = None) -> None:
        cell = self._put(1, label, font or _font(bold=bold))
        if fill is not None:
            cell.fill = _solid(fill)
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
