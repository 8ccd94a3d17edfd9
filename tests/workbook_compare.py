"""Compare two workbooks as Excel shows them, not as their zip files happen to be written.

``compare_workbooks(expected, actual)`` lists every difference a person would
see or Excel would act on: sheets and their order, each cell's value, type and
look, merged cells, widths and heights, frozen panes, tables, drop-down lists,
conditional formats, print setup, names, tab colours, comments and pictures.
Zip and XML details and the document's timestamps are ignored. Each
difference starts with where it is (``Actions!B5`` or ``Actions: freeze panes``),
so the first one is enough to find a golden test's failure.

Either side may be a path or an ``openpyxl`` workbook; a workbook is written
and read back first, so that both sides are compared as the file would be.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeAlias

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles.colors import Color
from openpyxl.styles.fills import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

WorkbookSource: TypeAlias = "str | Path | Workbook"
Facts = dict[str, object]

LONGEST_SHOWN = 120
"""Longer values are cut short in messages."""


def compare_workbooks(expected: WorkbookSource, actual: WorkbookSource, *,
                      cell_styles: bool = True) -> list[str]:
    """Every difference between the two workbooks, in sheet and cell order; [] when equal."""
    return list(_differences(_open(expected), _open(actual), cell_styles))


def first_difference(expected: WorkbookSource, actual: WorkbookSource, *,
                     cell_styles: bool = True) -> str | None:
    """The first difference ``compare_workbooks`` would list, or None when there is none."""
    return next(_differences(_open(expected), _open(actual), cell_styles), None)


def _open(source: WorkbookSource) -> Workbook:
    if isinstance(source, Workbook):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            ExcelWriter(source, archive).save()
        buffer.seek(0)
        return load_workbook(buffer)
    return load_workbook(source)


def _differences(expected: Workbook, actual: Workbook, cell_styles: bool) -> Iterator[str]:
    yield from _compare_facts("workbook", _workbook_facts(expected), _workbook_facts(actual))
    for name in expected.sheetnames:
        if name in actual.sheetnames:
            yield from _sheet_differences(expected[name], actual[name], cell_styles)


def _sheet_differences(expected: Worksheet, actual: Worksheet,
                       cell_styles: bool) -> Iterator[str]:
    where = expected.title
    for row, column in _cell_positions(expected, actual):
        yield from _compare_facts(
            f"{where}!{get_column_letter(column)}{row}",
            _cell_facts(_cell(expected, row, column), cell_styles),
            _cell_facts(_cell(actual, row, column), cell_styles))
    for facts in (_layout_facts, _table_facts, _validation_facts, _conditional_format_facts,
                  _print_facts, _sheet_property_facts):
        yield from _compare_facts(where, facts(expected, cell_styles),
                                  facts(actual, cell_styles))


def _compare_facts(where: str, expected: Mapping[str, object],
                   actual: Mapping[str, object]) -> Iterator[str]:
    """``where item: expected X, got Y`` for each item that differs, missing or unexpected."""
    separator = "" if "!" in where else ":"
    for key, value in expected.items():
        if key not in actual:
            yield f"{where}{separator} {key}: missing (expected {_shown(value)})"
        elif not _same(value, actual[key]):
            yield f"{where}{separator} {key}: expected {_shown(value)}, got {_shown(actual[key])}"
    for key, value in actual.items():
        if key not in expected:
            yield f"{where}{separator} {key}: unexpected {_shown(value)}"


def _same(expected: object, actual: object) -> bool:
    if isinstance(expected, float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=1e-12, abs_tol=1e-300)
    if isinstance(expected, tuple | list) and isinstance(actual, tuple | list):
        return len(expected) == len(actual) and all(
            _same(one, other) for one, other in zip(expected, actual, strict=True))
    return expected == actual


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= LONGEST_SHOWN else text[:LONGEST_SHOWN - 1] + "…"


# ---------------------------------------------------------------------------
# The workbook

def _workbook_facts(workbook: Workbook) -> Facts:
    properties = workbook.properties
    return {
        "sheets": list(workbook.sheetnames),
        "active sheet": workbook.active.title if workbook.active is not None else None,
        "properties": (properties.creator, properties.title, properties.subject,
                       properties.description, properties.keywords, properties.category),
        **{f"defined name {name}": item.attr_text
           for name, item in sorted(workbook.defined_names.items())},
    }


# ---------------------------------------------------------------------------
# Cells

def _cell_positions(expected: Worksheet, actual: Worksheet) -> list[tuple[int, int]]:
    return sorted(set(expected._cells) | set(actual._cells))


def _cell(sheet: Worksheet, row: int, column: int) -> Cell:
    """The cell, or a blank one (not added to the sheet) where the sheet has none."""
    found = sheet._cells.get((row, column))
    return found if found is not None else Cell(sheet, row=row, column=column)


def _cell_facts(cell: Cell, cell_styles: bool) -> Facts:
    facts: Facts = {"value": cell.value, "type": cell.data_type}
    if cell_styles:
        facts.update({
            "number format": cell.number_format,
            "font": _font(cell.font),
            "fill": _fill(cell.fill),
            "alignment": _alignment(cell.alignment),
            "border": _border(cell.border),
            "quote prefix": bool(cell.quotePrefix),
        })
    facts["comment"] = cell.comment.text if cell.comment is not None else None
    facts["hyperlink"] = cell.hyperlink.target if cell.hyperlink is not None else None
    return facts


def _colour(colour: Color | None) -> str | None:
    if colour is None:
        return None
    if colour.type == "rgb":
        return str(colour.rgb)
    if colour.type == "theme":
        return f"theme {colour.theme} tint {colour.tint}"
    return f"{colour.type} {colour.value}"


def _font(font: Any) -> str | None:
    """``bold 14pt Calibri colour FF9C0006``: the parts of a font that show."""
    if font is None:
        return None
    parts = ["bold" if font.b else "", "italic" if font.i else "",
             f"underline {font.u}" if font.u else "", "struck through" if font.strike else "",
             f"{font.sz:g}pt" if font.sz else "", font.name or "",
             f"colour {_colour(font.color)}" if font.color is not None else ""]
    return " ".join(part for part in parts if part) or "default"


def _fill(fill: Any) -> str | None:
    if fill is None:
        return None
    if isinstance(fill, PatternFill):
        if not fill.patternType:
            return "none"
        return f"{fill.patternType} {_colour(fill.fgColor)} on {_colour(fill.bgColor)}"
    return f"{type(fill).__name__} {fill!r}"


def _alignment(alignment: Any) -> str | None:
    if alignment is None:
        return None
    parts = [f"horizontal {alignment.horizontal}" if alignment.horizontal else "",
             f"vertical {alignment.vertical}" if alignment.vertical else "",
             "wrap" if alignment.wrap_text else "",
             "shrink" if alignment.shrink_to_fit else "",
             f"indent {alignment.indent:g}" if alignment.indent else "",
             f"rotated {alignment.textRotation}" if alignment.textRotation else ""]
    return ", ".join(part for part in parts if part) or "default"


def _border(border: Any) -> str | None:
    if border is None:
        return None
    sides = [f"{name} {side.style} {_colour(side.color)}"
             for name, side in (("left", border.left), ("right", border.right),
                                ("top", border.top), ("bottom", border.bottom))
             if side is not None and side.style]
    return ", ".join(sides) or "none"


# ---------------------------------------------------------------------------
# The sheet

def _layout_facts(sheet: Worksheet, cell_styles: bool) -> Facts:
    facts: Facts = {
        "merged cells": sorted(str(merged) for merged in sheet.merged_cells.ranges),
        "freeze panes": sheet.freeze_panes,
    }
    for index, dimension in _columns(sheet):
        look = (dimension.number_format, _alignment(dimension.alignment)) if cell_styles else ()
        facts[f"column {get_column_letter(index)}"] = (
            dimension.width if dimension.customWidth else None, bool(dimension.hidden), *look)
    for index, row in sorted(sheet.row_dimensions.items()):
        if row.ht is not None or row.hidden:
            facts[f"row {index}"] = (row.ht, bool(row.hidden))
    return facts


def _columns(sheet: Worksheet) -> Iterator[tuple[int, Any]]:
    """Each column with its own settings, a ``<col min max>`` group counted once per column."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min is None:
            continue
        for index in range(dimension.min, (dimension.max or dimension.min) + 1):
            yield index, dimension


def _table_facts(sheet: Worksheet, _cell_styles: bool) -> Facts:
    facts: Facts = {}
    for table in sorted(sheet.tables.values(), key=lambda table: table.name):
        style = table.tableStyleInfo
        facts[f"table {table.name}"] = (
            table.ref,
            [column.name for column in table.tableColumns],
            style.name if style else None,
            bool(style.showRowStripes) if style else None,
            bool(style.showColumnStripes) if style else None,
            table.autoFilter.ref if table.autoFilter is not None else None,
            table.totalsRowCount,
        )
    return facts


def _validation_facts(sheet: Worksheet, _cell_styles: bool) -> Facts:
    facts: Facts = {}
    for validation in sheet.data_validations.dataValidation:
        key = _unique(facts, f"data validation {validation.sqref}")
        facts[key] = (validation.type, validation.operator, validation.formula1,
                      validation.formula2, bool(validation.allow_blank),
                      bool(validation.showDropDown), bool(validation.showErrorMessage),
                      validation.errorStyle, validation.errorTitle, validation.error,
                      validation.promptTitle, validation.prompt)
    return facts


def _conditional_format_facts(sheet: Worksheet, _cell_styles: bool) -> Facts:
    facts: Facts = {}
    for formatting in sheet.conditional_formatting:
        rules = sorted(formatting.rules, key=lambda rule: rule.priority or 0)
        for number, rule in enumerate(rules, start=1):
            key = _unique(facts, f"conditional format {formatting.sqref} rule {number}")
            facts[key] = (rule.type, rule.operator, list(rule.formula or []),
                          bool(rule.stopIfTrue), rule.text, _differential(rule.dxf),
                          _nested(rule.colorScale), _nested(rule.dataBar),
                          _nested(rule.iconSet))
    return facts


def _differential(style: Any) -> tuple[object, ...] | None:
    if style is None:
        return None
    number_format = style.numFmt.formatCode if style.numFmt is not None else None
    return (_fill(style.fill), _font(style.font), number_format, _border(style.border))


def _nested(part: Any) -> str | None:
    """A colour scale, data bar or icon set, compared as its XML."""
    if part is None:
        return None
    from openpyxl.xml.functions import tostring

    return tostring(part.to_tree()).decode()


def _print_facts(sheet: Worksheet, _cell_styles: bool) -> Facts:
    setup, margins, options = sheet.page_setup, sheet.page_margins, sheet.print_options
    fit = sheet.sheet_properties.pageSetUpPr
    return {
        "page setup": (setup.orientation, setup.paperSize, setup.scale, setup.fitToWidth,
                       setup.fitToHeight, bool(fit.fitToPage) if fit is not None else False),
        "print titles": (sheet.print_title_rows, sheet.print_title_cols),
        "print area": sheet.print_area,
        "page margins": (margins.left, margins.right, margins.top, margins.bottom,
                         margins.header, margins.footer),
        "print options": (bool(options.gridLines), bool(options.headings),
                          bool(options.horizontalCentered), bool(options.verticalCentered)),
        "header": _header_footer(sheet, "Header"),
        "footer": _header_footer(sheet, "Footer"),
    }


def _header_footer(sheet: Worksheet, part: str) -> tuple[object, ...]:
    texts: list[object] = []
    for page in ("odd", "even", "first"):
        item = getattr(sheet, f"{page}{part}")
        texts.extend(getattr(item, side).text for side in ("left", "center", "right"))
    return tuple(texts)


def _sheet_property_facts(sheet: Worksheet, _cell_styles: bool) -> Facts:
    view = sheet.sheet_view
    return {
        "tab colour": _colour(sheet.sheet_properties.tabColor),
        "state": sheet.sheet_state,
        "grid lines": bool(view.showGridLines) if view.showGridLines is not None else True,
        "zoom": view.zoomScale,
        "pictures": len(sheet._images),
        "charts": len(sheet._charts),
        **{f"defined name {name}": item.attr_text
           for name, item in sorted(sheet.defined_names.items())},
    }


def _unique(facts: Iterable[str], key: str) -> str:
    taken = set(facts)
    if key not in taken:
        return key
    number = 2
    while f"{key} ({number})" in taken:
        number += 1
    return f"{key} ({number})"
