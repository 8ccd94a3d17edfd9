"""Writing ratings back into a plan workbook: only ragbook's own columns and tables.

``RAG``, ``Direction``, ``Milestone due``, ``Milestone check`` and ``Why`` are
written into the Actions and Measures tables (added at the table's right-hand
end when missing, if those cells are empty), RAG cells get their colour, and
a row is added to the run log. No other cell is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from datetime import date, datetime

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo

from ragbook.plan import PlanResult
from ragbook.problems import SheetRow, problem, sheet_ref
from ragbook.ratings import fold, is_blank
from ragbook.roll_forward import CopyFrom, RollForward
from ragbook.workbook import schema
from ragbook.workbook.cells import run_log_row, total_row
from ragbook.workbook.files import PlanFileError
from ragbook.workbook.reader import FoundTable, PlanWorkbook
from ragbook.workbook.styles import StyleCache

NO_FILL = PatternFill(fill_type=None)
FILLS = {rating: PatternFill("solid", fgColor=colour)
         for rating, colour in schema.RAG_FILLS.items()}


def set_text(cell: object, value: str) -> None:
    """Write text that stays text, even when it starts with =, +, - or @."""
    cell.value = value  # type: ignore[attr-defined]
    cell.data_type = "s"  # type: ignore[attr-defined]


def write_results(workbook: PlanWorkbook, result: PlanResult) -> None:
    """Write every rating, arrow, milestone check and reason into the tables."""
    styles = StyleCache()
    for spec, rated in ((schema.ACTIONS, result.actions), (schema.MEASURES, result.measures)):
        found = workbook.tables.get(spec.name)
        if found is None or rated.table.empty:
            continue
        for column in spec.outputs:
            ensure_column(found, column.name)
        rows = [label.number for label in rated.table.index]
        for column in spec.outputs:
            values = rated.table[column.name].to_numpy(dtype=object)
            position = found.columns[column.name]
            for row, value in zip(rows, values, strict=True):
                _write_output(found.worksheet.cell(row, position), column, value, styles)


def _write_output(cell: object, column: schema.Column, value: object,
                  styles: StyleCache) -> None:
    if column.kind == "date":
        cell.value = value if isinstance(value, date) else None  # type: ignore[attr-defined]
        styles.apply(cell, "date", _date_style)
    elif column.kind == "rating":
        rating = "" if is_blank(value) else str(value)
        set_text(cell, rating)
        styles.apply(cell, f"rating {rating}", lambda c: _rating_style(c, rating))
    else:
        set_text(cell, "" if is_blank(value) else str(value))
        if column.kind == "long text":
            styles.apply(cell, "wrap", _wrap_style)


def _date_style(cell: object) -> None:
    cell.number_format = schema.NUMBER_FORMATS["date"]  # type: ignore[attr-defined]


def _wrap_style(cell: object) -> None:
    alignment = cell.alignment  # type: ignore[attr-defined]
    if not (alignment and alignment.wrap_text):
        cell.alignment = Alignment(wrap_text=True, vertical="top")  # type: ignore[attr-defined]


def paint_rating(cell: object, rating: str) -> None:
    """Write a rating letter and give the cell its RAG colour (none for No data and n/a)."""
    set_text(cell, rating)
    _rating_style(cell, rating)


def _rating_style(cell: object, rating: str) -> None:
    cell.fill = FILLS.get(rating, NO_FILL)  # type: ignore[attr-defined]
    font = copy(cell.font)  # type: ignore[attr-defined]
    colour = schema.RAG_FONTS.get(rating)
    cell.font = Font(name=font.name, size=font.size, bold=rating in FILLS,  # type: ignore
                     italic=font.italic, color=colour if colour else font.color)
    cell.alignment = Alignment(horizontal="center", vertical="top")  # type: ignore[attr-defined]


def ensure_column(found: FoundTable, name: str) -> None:
    """Add a ragbook column at the table's right-hand end when it is missing."""
    if name in found.columns:
        return
    sheet = found.worksheet
    column = found.end_column + 1
    end = found.end_row + (found.table.totalsRowCount or 0)
    for row in range(found.header_row, min(end, sheet.max_row) + 1):
        if not is_blank(sheet.cell(row, column).value):
            where = f"{sheet_ref(sheet.title)}!{get_column_letter(column)}{row}"
            raise PlanFileError(problem(
                "no-room-for-column", sheet.cell(row, column).value,
                f'an empty column to the right of {found.spec.name} for ragbook\'s "{name}" '
                "column: add the column to the table yourself, or move what is there",
            ).at(where))
    header = sheet.cell(found.header_row, column)
    set_text(header, name)
    header._style = copy(sheet.cell(found.header_row, found.end_column)._style)
    table = found.table
    next_id = max((c.id for c in table.tableColumns), default=0) + 1
    table.tableColumns.append(TableColumn(id=next_id, name=name))
    _resize(table, found.first_column, found.header_row, column, end)
    found.last_column = found.end_column = column
    found.columns[name] = column


def _resize(table: ExcelTable, first_col: int, first_row: int, last_col: int,
            last_row: int) -> None:
    ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"
    table.ref = ref
    if table.autoFilter is not None:
        filter_end = last_row - (table.totalsRowCount or 0)
        table.autoFilter.ref = (f"{get_column_letter(first_col)}{first_row}:"
                                f"{get_column_letter(last_col)}{filter_end}")


def append_row(workbook: PlanWorkbook, spec: schema.Table, values: Sequence[object]) -> None:
    """Add a row at the end of one of ragbook's own tables (made when missing)."""
    found = workbook.tables.get(spec.name) or _new_table(workbook.book, workbook, spec)
    if found.table is not None and found.table.totalsRowCount:
        raise PlanFileError(total_row(found))
    sheet = found.worksheet
    row = found.next_row(lambda number: any(
        not is_blank(sheet.cell(number, c).value)
        for c in range(found.first_column, found.last_column + 1)))
    if row > found.end_row:  # below the table: the row must be free
        for column in range(found.first_column, found.end_column + 1):
            if not is_blank(sheet.cell(row, column).value):
                raise PlanFileError(problem(
                    "no-room-for-row", sheet.cell(row, column).value,
                    f"an empty row below {spec.name} for ragbook to add to it",
                ).at(f"{sheet_ref(sheet.title)}!{get_column_letter(column)}{row}"))
    by_name = dict(zip(spec.headers, values, strict=True))
    for name, column in found.columns.items():
        cell = sheet.cell(row, column)
        value = by_name.get(name)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
        kind = spec.column(name).kind
        if kind in schema.NUMBER_FORMATS:
            cell.number_format = schema.NUMBER_FORMATS[kind]
        if kind == "long text":
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if row > found.end_row:
        _resize(found.table, found.first_column, found.header_row, found.end_column, row)
        found.end_row = row
    found.last_row = max(found.last_row, row)


def _new_table(book: Workbook, workbook: PlanWorkbook, spec: schema.Table) -> FoundTable:
    """A new sheet holding an empty table of ragbook's (the run log, the history)."""
    title = spec.sheet
    taken = {fold(name) for name in book.sheetnames}
    suffix = 2
    while fold(title) in taken:
        title, suffix = f"{spec.sheet} {suffix}", suffix + 1
    sheet = book.create_sheet(title)
    for column, spec_column in enumerate(spec.columns, start=1):
        set_text(sheet.cell(1, column), spec_column.name)
        sheet.cell(1, column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = spec_column.width
    last = get_column_letter(len(spec.columns))
    table = ExcelTable(displayName=spec.name, ref=f"A1:{last}2")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    table._initialise_columns()
    for column, spec_column in zip(table.tableColumns, spec.columns, strict=True):
        column.name = spec_column.name
    sheet.add_table(table)
    sheet.freeze_panes = "A2"
    found = FoundTable(spec, sheet.title, 1, 1, len(spec.columns), 2, 2,
                       {c.name: i for i, c in enumerate(spec.columns, start=1)},
                       worksheet=sheet, table=table)
    workbook.tables[spec.name] = found
    return found


def add_run_log(workbook: PlanWorkbook, result: PlanResult, command: str, problems: int,
                when: datetime | None = None) -> None:
    """Record this run: when, the as-of date, the counts and the number of problems."""
    append_row(workbook, schema.RUN_LOG, run_log_row(result, command, problems, when))


def apply_roll_forward(workbook: PlanWorkbook, change: RollForward) -> None:
    """Write the next quarter's starting point into the workbook."""
    settings = workbook.tables[schema.SETTINGS.name]
    for row in range(settings.first_row, settings.last_row + 1):
        name = settings.worksheet.cell(row, settings.columns["Setting"]).value
        for setting, value in change.settings.items():
            if not is_blank(name) and fold(name) == fold(setting):
                cell = settings.worksheet.cell(row, settings.columns["Value"])
                if isinstance(value, str):
                    set_text(cell, value)
                else:
                    cell.value = value
    for spec, changes in ((schema.ACTIONS, change.actions), (schema.MEASURES, change.measures),
                          (schema.COMMENTARY, change.commentary)):
        found = workbook.tables.get(spec.name)
        if found is None:
            continue
        for label, cells in changes.items():
            assert isinstance(label, SheetRow)
            _change_row(found, label.number, cells)
    for values in change.history:
        append_row(workbook, schema.HISTORY, values)


def _change_row(found: FoundTable, row: int, cells: dict[str, object]) -> None:
    sheet = found.worksheet
    copies = {}
    for name, value in cells.items():
        if isinstance(value, CopyFrom) and value.column in found.columns:
            source = sheet.cell(row, found.columns[value.column])
            copies[name] = (source.value, source.number_format)
    for name, value in cells.items():
        if name not in found.columns:
            continue
        cell = sheet.cell(row, found.columns[name])
        if isinstance(value, CopyFrom):
            cell.value, cell.number_format = copies.get(name, (None, "General"))
        elif name == "RAG":
            paint_rating(cell, "")
        elif isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
            if isinstance(value, int | float):
                cell.number_format = "General"  # History values are in the measure's unit
