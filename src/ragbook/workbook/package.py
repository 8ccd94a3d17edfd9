"""Carrying ragbook's changes out in a workbook file without loss.

An ``.xlsx`` (or ``.xlsm``) file is a zip of XML parts. ragbook rewrites only the worksheet
parts that hold the cells it changes, the table parts whose range or columns change, the
styles part when a cell needs a look the workbook does not have yet, and the book-level
bookkeeping that must follow (a new sheet's entries; Excel's calculation chain, which is
dropped so that Excel rebuilds it, when a formula in one of ragbook's cells gives way to a
value). Every other part is copied byte for byte: formulas and their saved results, charts,
drawings, pictures, pivot tables, slicers, sparklines, comments, VBA, custom XML and anything
else stay exactly as they were. Text is written as text (an inline string): it never becomes
a formula.

Where a change cannot be made safely (one of ragbook's cells holds a shared or array formula
an officer wrote), :class:`~ragbook.changes.CannotChange` names the cell and nothing is
written.
"""

from __future__ import annotations

import copy
import functools
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import unquote

import numpy as np
from lxml import etree

from ragbook import schema
from ragbook.calendar import EXCEL_EPOCH
from ragbook.changes import CannotChange, CellValues, Changes, Copied, Look, NewTable
from ragbook.problems import Problem, cell_name, column_letter, sheet_ref
from ragbook.workbook.losses import resolve_part

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
M = f"{{{MAIN}}}"
R_ID = f"{{{RELS}}}id"
_C = f"{M}c"
WORKSHEET_TYPE = f"{RELS}/worksheet"
TABLE_TYPE = f"{RELS}/table"
CALC_CHAIN_TYPE = f"{RELS}/calcChain"
SHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
TABLE_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_blank_text=False)
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELL = re.compile(r"([A-Z]{1,3})(\d+)$")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _xml(data: bytes) -> etree._Element:
    """A part's XML. A part with a DTD is refused: a workbook has none, and entities are how
    a small file is made to expand without end."""
    root = etree.fromstring(data, _PARSER)
    if root.getroottree().docinfo.doctype:
        raise ValueError("the part declares a DTD, which no workbook does")
    return root


@functools.cache
def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _box(ref: str) -> tuple[int, int, int, int]:
    """``B2:D5`` -> (top, left, bottom, right); one cell is a box of one."""
    first, _, last = ref.replace("$", "").partition(":")
    start, end = _CELL.match(first), _CELL.match(last or first)
    if not start or not end:
        raise ValueError(ref)
    return (int(start[2]), _column_number(start[1]), int(end[2]), _column_number(end[1]))


def _ref(top: int, left: int, bottom: int, right: int) -> str:
    return f"{cell_name(top, left)}:{cell_name(bottom, right)}"


def resolve(source: str, target: str) -> str:
    """The part a relationship of ``source`` points to (``target`` as written in the rels)."""
    return resolve_part(source, unquote(target))


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


class Package:
    """A workbook file's parts: read as they are, changed where ragbook changes them, and
    written out with every other part as it was."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.infos = archive.infolist()
            self.data = {info.filename: archive.read(info) for info in self.infos}
        for name, part in self.data.items():
            prologue = part[:part.find(b"<", part.find(b"?>") + 1) + 10] if part else b""
            if name.endswith((".xml", ".rels")) and b"<!DOCTYPE" in prologue.upper():
                raise ValueError(f"the part {name} declares a DTD, which no workbook does")
        self.parsed: dict[str, etree._Element] = {}
        self.edited: set[str] = set()
        self.added: list[str] = []
        self.dropped: set[str] = set()
        self.sheets = self._sheets()
        self._tables: dict[str, tuple[str, str]] | None = None

    # reading

    def read(self, part: str) -> etree._Element:
        """A part's XML, parsed once (to read; :meth:`tree` to change it)."""
        if part not in self.parsed:
            self.parsed[part] = _xml(self.data[part])
        return self.parsed[part]

    def tree(self, part: str) -> etree._Element:
        """A part's XML, to be changed (it is written back when the package is saved)."""
        self.edited.add(part)
        return self.read(part)

    def relationships(self, part: str) -> list[etree._Element]:
        rels = _rels_name(part)
        if rels not in self.data and rels not in self.parsed:
            return []
        return list(self.read(rels))

    def _sheets(self) -> dict[str, str]:
        """Sheet name -> worksheet part."""
        targets = {rel.get("Id"): resolve("xl/workbook.xml", rel.get("Target", ""))
                   for rel in self.relationships("xl/workbook.xml")}
        sheets = self.read("xl/workbook.xml").find(f"{M}sheets")
        found = {}
        self.sheet_names: list[str] = []
        for sheet in sheets if sheets is not None else []:
            self.sheet_names.append(sheet.get("name", ""))
            part = targets.get(sheet.get(R_ID))
            if part in self.data:
                found[sheet.get("name", "")] = part
        return found

    def tables(self) -> dict[str, tuple[str, str]]:
        """Every Excel Table, by its name in lower case (as ragbook.ratings.fold gives a table
        name): its sheet and its part."""
        if self._tables is None:
            self._tables = {}
            for sheet, part in self.sheets.items():
                for rel in self.relationships(part):
                    if rel.get("Type") == TABLE_TYPE:
                        table = resolve(part, rel.get("Target", ""))
                        if table in self.data:
                            root = self.read(table)
                            name = root.get("displayName") or root.get("name") or ""
                            self._tables.setdefault(name.lower(), (sheet, table))
        return self._tables

    def table_part(self, name: str) -> str:
        """The part of the Excel Table named ``name``."""
        return self.tables()[name.lower()][1]

    # writing

    def add(self, part: str, root: etree._Element) -> None:
        self.parsed[part] = root
        self.edited.add(part)
        self.added.append(part)

    def drop(self, part: str) -> None:
        self.dropped.add(part)

    def save(self, target: Path) -> None:
        """Write the package to ``target``: changed parts anew, the rest as they were."""
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in self.infos:
                name = info.filename
                if name in self.dropped:
                    continue
                entry = zipfile.ZipInfo(name, info.date_time)
                entry.compress_type = info.compress_type
                entry.external_attr = info.external_attr
                data = self.data[name]
                if name in self.edited:
                    data = etree.tostring(self.parsed[name], xml_declaration=True,
                                          encoding="UTF-8", standalone=True)
                out.writestr(entry, data)
            for name in self.added:
                out.writestr(name, etree.tostring(self.parsed[name], xml_declaration=True,
                                                  encoding="UTF-8", standalone=True))


# --- cells -------------------------------------------------------------------------------------


class _RowCells:
    """A row's cells by column, found from the right-hand end (where ragbook's columns are),
    so a long row is looked through only as far as the cell asked for."""

    __slots__ = ("cursor", "found", "lowest", "number", "row")

    def __init__(self, row: etree._Element, number: int) -> None:
        self.row = row
        self.cursor: etree._Element | None = row[-1] if len(row) else None
        self.found: dict[int, etree._Element] = {}
        self.lowest = 1 << 30
        self.number = number

    def get(self, column: int) -> etree._Element | None:
        found = self.found
        while self.lowest > column and self.cursor is not None:
            cell = self.cursor
            self.cursor = cell.getprevious()
            if cell.tag != _C:
                continue
            ref = cell.get("r")
            if not ref:  # cells placed by their order alone: read the row from the left
                self._all()
                break
            self.lowest = _column_number(ref.rstrip("0123456789"))
            found[self.lowest] = cell
        return found.get(column)

    def _all(self) -> None:
        previous = 0
        for cell in self.row.iterfind(_C):
            ref = cell.get("r")
            column = _column_number(ref.rstrip("0123456789")) if ref else previous + 1
            if not ref:
                cell.set("r", cell_name(self.number, column))
            self.found[column] = cell
            previous = column
        self.cursor, self.lowest = None, 0

    def after(self, column: int) -> etree._Element | None:
        """The first cell right of ``column`` (once :meth:`get` has looked that far)."""
        later = [c for c in self.found if c > column]
        return self.found[min(later)] if later else None


class Sheet:
    """A worksheet part's cells, found and made in order."""

    def __init__(self, name: str, root: etree._Element) -> None:
        self.name = name
        self.root = root
        data = root.find(f"{M}sheetData")
        if data is None:
            data = etree.SubElement(root, f"{M}sheetData")
        self.data = data
        self.rows: dict[int, etree._Element] = {}
        self.numbers: list[int] = []
        previous = 0
        for row in data.iterfind(f"{M}row"):
            given = row.get("r")
            number = int(given or previous + 1)
            if not given:
                row.set("r", str(number))
            self.rows[number] = row
            self.numbers.append(number)
            previous = number
        self._cells: dict[int, _RowCells] = {}
        self._arrays: list[tuple[int, int, int, int]] | None = None
        self.bottom = 0
        self.right = 0

    def row(self, number: int) -> etree._Element:
        row = self.rows.get(number)
        if row is not None:
            return row
        row = etree.Element(f"{M}row", r=str(number))
        later = next((n for n in self.numbers if n > number), None) if (
            self.numbers and self.numbers[-1] > number) else None
        if later is None:
            self.data.append(row)
            self.numbers.append(number)
        else:
            self.rows[later].addprevious(row)
            self.numbers.insert(self.numbers.index(later), number)
        self.rows[number] = row
        return row

    def cells(self, number: int) -> _RowCells:
        found = self._cells.get(number)
        if found is None:
            found = self._cells[number] = _RowCells(self.row(number), number)
        return found

    def cell(self, number: int, column: int) -> etree._Element:
        cells = self.cells(number)
        cell = cells.get(column)
        if cell is not None:
            return cell
        cell = etree.Element(f"{M}c", r=cell_name(number, column))
        later = cells.after(column)
        if later is None:
            self.row(number).append(cell)
        else:
            later.addprevious(cell)
        cells.found[column] = cell
        spans = self.row(number).get("spans")
        if spans:
            low, _, high = spans.partition(":")
            if low.isdigit() and high.isdigit():
                self.row(number).set("spans", f"{min(int(low), column)}:{max(int(high), column)}")
        self.bottom, self.right = max(self.bottom, number), max(self.right, column)
        return cell

    def existing(self, number: int, column: int) -> etree._Element | None:
        if number not in self.rows:
            return None
        return self.cells(number).get(column)

    def arrays(self) -> list[tuple[int, int, int, int]]:
        """The ranges of the sheet's array formulas (and spilled dynamic arrays)."""
        if self._arrays is None:
            self._arrays = []
            for formula in self.data.iter(f"{M}f"):
                if formula.get("t") == "array" and formula.get("ref"):
                    self._arrays.append(_box(formula.get("ref")))
        return self._arrays

    def finish(self) -> None:
        """Keep the sheet's recorded extent (``<dimension>``) around every cell written."""
        dimension = self.root.find(f"{M}dimension")
        if dimension is None or not self.bottom:
            return
        try:
            top, left, bottom, right = _box(dimension.get("ref", "A1"))
        except ValueError:
            return
        if bottom >= self.bottom and right >= self.right:
            return
        dimension.set("ref", _ref(top, left, max(bottom, self.bottom), max(right, self.right)))


def _refuse_formula(sheet: Sheet, row: int, column: int, cell: etree._Element) -> bool:
    """True when the cell held a formula that can give way to a value; CannotChange when
    the formula is one other cells share or an array."""
    arrays = sheet.arrays()
    if not len(cell) and not arrays:
        return False
    where = f"{sheet_ref(sheet.name)}!{cell_name(row, column)}"
    formula = cell.find(f"{M}f")
    inside = next((box for box in arrays
                   if box[0] <= row <= box[2] and box[1] <= column <= box[3]), None)
    kind = formula.get("t") if formula is not None else None
    if inside is not None or kind == "array" or (kind == "shared" and formula.get("ref")):
        shared = "shared with other cells" if kind == "shared" else "an array formula"
        raise CannotChange(Problem(
            code="formula-in-ragbook-cell", found=f"a formula {shared} in one of ragbook's cells",
            expected="ragbook's columns free of formulas: delete the formula (ragbook writes "
                     "this column), or move it to a column of your own; nothing was changed",
            place=where))
    return formula is not None


class Writer:
    """Cells written with their values and looks; the styles they need added once each."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.sheets: dict[str, Sheet] = {}
        self.styles = Styles(package)
        self.formulas_replaced = False

    def sheet(self, name: str) -> Sheet:
        if name not in self.sheets:
            self.sheets[name] = Sheet(name, self.package.tree(self.package.sheets[name]))
        return self.sheets[name]

    def write(self, sheet: Sheet, row: int, column: int, value: object,
              look: Look = "plain", number_format: str | None = None) -> None:
        existing = sheet.existing(row, column)
        if existing is not None and _refuse_formula(sheet, row, column, existing):
            self.formulas_replaced = True
        cell = existing if existing is not None else sheet.cell(row, column)
        base = int(cell.get("s") or 0)
        if isinstance(value, Copied):
            source = sheet.existing(row, value.column)
            _copy_value(cell, source)
            style = self.styles.with_format_of(base, int(source.get("s") or 0)
                                               if source is not None else 0)
        else:
            _set_value(cell, value)
            style = self.styles.looking(base, look, value, number_format)
        if style:
            cell.set("s", str(style))
        elif "s" in cell.attrib:
            del cell.attrib["s"]

    def finish(self) -> None:
        for sheet in self.sheets.values():
            sheet.finish()
        if self.formulas_replaced:
            _drop_calculation_chain(self.package)


def _clear(cell: etree._Element) -> None:
    for child in list(cell):
        cell.remove(child)
    for name in ("t", "cm", "vm", "ph"):
        cell.attrib.pop(name, None)


def _serial(value: date | datetime) -> float:
    if isinstance(value, datetime):
        days = (value.replace(tzinfo=None) - datetime.combine(EXCEL_EPOCH, time())
                ).total_seconds() / 86400
        return round(days, 10)
    return float((value - EXCEL_EPOCH).days)


def _set_value(cell: etree._Element, value: object) -> None:
    _clear(cell)
    if isinstance(value, np.generic):  # numpy's numbers and booleans, as Python's
        value = value.item()
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return
    if isinstance(value, bool):
        cell.set("t", "b")
        etree.SubElement(cell, f"{M}v").text = "1" if value else "0"
    elif isinstance(value, int | float):
        etree.SubElement(cell, f"{M}v").text = repr(value) if isinstance(value, float) else str(
            value)
    elif isinstance(value, date):
        etree.SubElement(cell, f"{M}v").text = _number(_serial(value))
    else:
        _set_text(cell, str(value))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _set_text(cell: etree._Element, text: str) -> None:
    cell.set("t", "inlineStr")
    shown = etree.SubElement(etree.SubElement(cell, f"{M}is"), f"{M}t")
    shown.text = _NOT_IN_XML.sub("", text)
    if text != text.strip():
        shown.set(_XML_SPACE, "preserve")


def _copy_value(cell: etree._Element, source: etree._Element | None) -> None:
    """A cell's saved value put in another (a formula's result, not the formula)."""
    _clear(cell)
    if source is None:
        return
    kind = source.get("t")
    shown = source.find(f"{M}v")
    if kind == "inlineStr":
        inline = source.find(f"{M}is")
        if inline is not None:
            cell.set("t", "inlineStr")
            cell.append(copy.deepcopy(inline))
        return
    if shown is None or shown.text is None:
        return
    if kind == "str":  # a formula's text result
        _set_text(cell, shown.text)
        return
    if kind in ("s", "b", "e", "d"):
        cell.set("t", kind)
    etree.SubElement(cell, f"{M}v").text = shown.text


def _drop_calculation_chain(package: Package) -> None:
    """Excel's record of which cells to calculate in which order is dropped (Excel makes it
    again) once a formula it lists is gone."""
    if "xl/calcChain.xml" not in package.data:
        return
    package.drop("xl/calcChain.xml")
    rels = package.tree(_rels_name("xl/workbook.xml"))
    for rel in list(rels):
        if rel.get("Type") == CALC_CHAIN_TYPE:
            rels.remove(rel)
    types = package.tree("[Content_Types].xml")
    for override in list(types):
        if override.get("PartName") == "/xl/calcChain.xml":
            types.remove(override)


# --- styles ------------------------------------------------------------------------------------


class Styles:
    """The cell formats (``cellXfs``) cells are given: one new format per base format and
    look, added to the styles part only when the workbook has none like it."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self._root: etree._Element | None = None
        self._made: dict[tuple[object, ...], int] = {}

    @property
    def root(self) -> etree._Element:
        if self._root is None:
            self._root = self.package.tree("xl/styles.xml")
        return self._root

    def _list(self, name: str) -> etree._Element:
        found = self.root.find(f"{M}{name}")
        if found is None:
            found = etree.Element(f"{M}{name}", count="0")
            order = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs")
            after = [self.root.find(f"{M}{n}") for n in order[:order.index(name)]]
            anchor = next((a for a in reversed(after) if a is not None), None)
            if anchor is None:
                self.root.insert(0, found)
            else:
                anchor.addnext(found)
        return found

    def _xf(self, index: int) -> etree._Element:
        xfs = self._list("cellXfs")
        if len(xfs) == 0:
            etree.SubElement(xfs, f"{M}xf", numFmtId="0", fontId="0", fillId="0",
                             borderId="0", xfId="0")
        return xfs[index] if index < len(xfs) else xfs[0]

    def _add(self, name: str, element: etree._Element) -> int:
        """Index of an element in one of the style lists, appended if it is not there."""
        items = self._list(name)
        wanted = etree.tostring(element, method="c14n")
        for index, item in enumerate(items):
            if etree.tostring(item, method="c14n") == wanted:
                return index
        items.append(element)
        items.set("count", str(len(items)))
        return len(items) - 1

    def number_format(self, code: str) -> int:
        if code == "General":
            return 0
        formats = self._list("numFmts")
        for item in formats:
            if item.get("formatCode") == code:
                return int(item.get("numFmtId", "0"))
        number = max([163, *(int(i.get("numFmtId", "0")) for i in formats)]) + 1
        etree.SubElement(formats, f"{M}numFmt", numFmtId=str(number), formatCode=code)
        formats.set("count", str(len(formats)))
        return number

    def looking(self, base: int, look: Look, value: object,
                number_format: str | None) -> int:
        rating = "" if value is None else str(value)
        if look == "number":
            number_format = "General" if isinstance(value, int | float) and not isinstance(
                value, bool) else None
        key = (base, look, rating if look == "rating" else None, number_format)
        if look in ("plain", "number") and number_format is None:
            return base
        if key not in self._made:
            self._made[key] = self._make(base, look, rating, number_format)
        return self._made[key]

    def with_format_of(self, base: int, source: int) -> int:
        key = (base, "format of", source)
        if key not in self._made:
            xf = copy.deepcopy(self._xf(base))
            xf.set("numFmtId", self._xf(source).get("numFmtId", "0"))
            xf.set("applyNumberFormat", "1")
            self._made[key] = self._new_xf(xf)
        return self._made[key]

    def _new_xf(self, xf: etree._Element) -> int:
        return self._add("cellXfs", xf)

    def _make(self, base: int, look: Look, rating: str, number_format: str | None) -> int:
        xf = copy.deepcopy(self._xf(base))
        if number_format is not None:
            xf.set("numFmtId", str(self.number_format(number_format)))
            xf.set("applyNumberFormat", "1")
        if look == "wrap":
            alignment = xf.find(f"{M}alignment")
            if alignment is None or alignment.get("wrapText") not in ("1", "true"):
                self._align(xf, wrapText="1", vertical="top")
        if look == "rating":
            xf.set("fillId", str(self._fill(rating)))
            xf.set("applyFill", "1")
            xf.set("fontId", str(self._font(int(xf.get("fontId") or 0), rating)))
            xf.set("applyFont", "1")
            self._align(xf, horizontal="center", vertical="top")
        return self._new_xf(xf)

    def _align(self, xf: etree._Element, **how: str) -> None:
        alignment = xf.find(f"{M}alignment")
        if alignment is None:
            alignment = etree.Element(f"{M}alignment")
            xf.insert(0, alignment)
        alignment.attrib.clear()
        for name, value in how.items():
            alignment.set(name, value)
        xf.set("applyAlignment", "1")

    def _fill(self, rating: str) -> int:
        colour = schema.RAG_FILLS.get(rating)
        if colour is None:
            return 0
        fill = etree.Element(f"{M}fill")
        pattern = etree.SubElement(fill, f"{M}patternFill", patternType="solid")
        etree.SubElement(pattern, f"{M}fgColor", rgb=f"FF{colour}")
        etree.SubElement(pattern, f"{M}bgColor", indexed="64")
        return self._add("fills", fill)

    def _font(self, base: int, rating: str) -> int:
        fonts = self._list("fonts")
        font = copy.deepcopy(fonts[base]) if base < len(fonts) else etree.Element(f"{M}font")
        # A cell without a rating loses the colour of the one it had (white letters would
        # vanish on the plain cell), as the add-in does.
        colour = schema.RAG_FONTS.get(rating)
        for name in ("b", "color"):
            for old in font.findall(f"{M}{name}"):
                font.remove(old)
        if rating in schema.RAG_FILLS:
            font.insert(0, etree.Element(f"{M}b"))
        if colour:
            at = font.find(f"{M}sz")
            element = etree.Element(f"{M}color", rgb=f"FF{colour}")
            if at is not None:
                at.addnext(element)
            else:
                font.append(element)
        return self._add("fonts", font)

    def bold(self) -> int:
        """A format for headers: the workbook's default, bold."""
        key = ("bold",)
        if key not in self._made:
            fonts = self._list("fonts")
            font = copy.deepcopy(fonts[0]) if len(fonts) else etree.Element(f"{M}font")
            for old in font.findall(f"{M}b"):
                font.remove(old)
            font.insert(0, etree.Element(f"{M}b"))
            xf = copy.deepcopy(self._xf(0))
            xf.set("fontId", str(self._add("fonts", font)))
            xf.set("applyFont", "1")
            self._made[key] = self._new_xf(xf)
        return self._made[key]


# --- applying a list of changes ------------------------------------------------------------


def apply(changes: Changes, package: Package) -> None:
    """Carry ``changes`` out in ``package`` (nothing is written to disk)."""
    writer = Writer(package)
    for column in changes.columns:
        sheet = writer.sheet(column.sheet)
        table = package.tree(package.table_part(column.table))
        header_like = sheet.existing(column.header_row, column.column - 1)
        writer.write(sheet, column.header_row, column.column, column.header)
        if header_like is not None and header_like.get("s"):
            sheet.cell(column.header_row, column.column).set("s", header_like.get("s"))
        _add_table_column(table, column.header, column.column, column.last_row)
    for cells in changes.cells:
        _write_cells(writer, cells)
    for rows in changes.rows:
        sheet = writer.sheet(rows.sheet)
        for offset, values in enumerate(rows.rows):
            for position, (value, (look, number_format)) in enumerate(
                    zip(values, rows.looks, strict=True)):
                if value is not None:
                    writer.write(sheet, rows.first_row + offset, rows.first_column + position,
                                 value, look, number_format)
        if rows.grows_to is not None:
            table = package.tree(package.table_part(rows.table))
            _resize_table(table, (rows.header_row, rows.first_column, rows.grows_to,
                                  rows.end_column))
    for new in changes.tables:
        _add_sheet_with_table(package, writer, new)
    writer.finish()


def _write_cells(writer: Writer, cells: CellValues) -> None:
    sheet = writer.sheet(cells.sheet)
    for row, value in cells.values.items():
        writer.write(sheet, row, cells.column, value, cells.look, cells.number_format)


def _resize_table(table: etree._Element, box: tuple[int, int, int, int]) -> None:
    table.set("ref", _ref(*box))
    totals = int(table.get("totalsRowCount") or 0)
    autofilter = table.find(f"{M}autoFilter")
    if autofilter is not None:
        top, left, bottom, right = box
        autofilter.set("ref", _ref(top, left, bottom - totals, right))


def _add_table_column(table: etree._Element, name: str, column: int, last_row: int) -> None:
    top, left, _, _ = _box(table.get("ref", "A1"))
    columns = table.find(f"{M}tableColumns")
    assert columns is not None
    number = max([0, *(int(c.get("id") or 0) for c in columns)]) + 1
    etree.SubElement(columns, f"{M}tableColumn", id=str(number), name=name)
    columns.set("count", str(len(columns)))
    _resize_table(table, (top, left, last_row, column))


def _add_sheet_with_table(package: Package, writer: Writer, new: NewTable) -> None:
    """A new sheet holding one of ragbook's tables, as Excel would add it."""
    sheet_part = _free_part(package, "xl/worksheets/sheet{}.xml")
    table_part = _free_part(package, "xl/tables/table{}.xml")
    width, height = len(new.headers), len(new.rows) + 1
    last = column_letter(width)
    root = _xml(f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><dimension ref="A1:{last}'
                f'{height}"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
                'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView>'
                '</sheetViews><sheetFormatPr defaultRowHeight="15"/><cols/><sheetData/>'
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                'footer="0.3"/><tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
                '</worksheet>'.encode())
    cols = root.find(f"{M}cols")
    for number, size in enumerate(new.widths, start=1):
        etree.SubElement(cols, f"{M}col", min=str(number), max=str(number), width=str(size),
                         customWidth="1")
    package.add(sheet_part, root)
    package.sheets[new.sheet] = sheet_part
    package.sheet_names.append(new.sheet)
    sheet = Sheet(new.sheet, root)
    writer.sheets[new.sheet] = sheet
    bold = writer.styles.bold()
    for column, header in enumerate(new.headers, start=1):
        writer.write(sheet, 1, column, header)
        sheet.cell(1, column).set("s", str(bold))
    for offset, values in enumerate(new.rows, start=2):
        for column, (value, (look, number_format)) in enumerate(
                zip(values, new.looks, strict=True), start=1):
            if value is not None:
                writer.write(sheet, offset, column, value, look, number_format)
    table_id = 1 + max([0, *(int(package.read(p).get("id") or 0)
                             for p in _table_parts(package))])
    table = _xml(f'<table xmlns="{MAIN}" id="{table_id}" name="{new.table}" displayName='
                 f'"{new.table}" ref="A1:{last}{height}"><autoFilter ref="A1:{last}{height}"/>'
                 f'<tableColumns count="{width}"/><tableStyleInfo name="TableStyleMedium2" '
                 'showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
                 'showColumnStripes="0"/></table>'.encode())
    columns = table.find(f"{M}tableColumns")
    for number, header in enumerate(new.headers, start=1):
        etree.SubElement(columns, f"{M}tableColumn", id=str(number), name=header)
    package.add(table_part, table)
    package.add(_rels_name(sheet_part), _xml(
        f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{TABLE_TYPE}" '
        f'Target="../tables/{posixpath.basename(table_part)}"/></Relationships>'.encode()))
    workbook_rels = package.tree(_rels_name("xl/workbook.xml"))
    rel_id = _free_id(workbook_rels)
    etree.SubElement(workbook_rels, f"{{{PACKAGE_RELS}}}Relationship", Id=rel_id,
                     Type=WORKSHEET_TYPE, Target=sheet_part.removeprefix("xl/"))
    book = package.tree("xl/workbook.xml")
    sheets = book.find(f"{M}sheets")
    assert sheets is not None
    number = 1 + max([0, *(int(s.get("sheetId") or 0) for s in sheets)])
    etree.SubElement(sheets, f"{M}sheet", name=new.sheet, sheetId=str(number),
                     attrib={R_ID: rel_id})
    types = package.tree("[Content_Types].xml")
    for part, kind in ((sheet_part, SHEET_CONTENT), (table_part, TABLE_CONTENT)):
        etree.SubElement(types, f"{{{TYPES}}}Override", PartName=f"/{part}", ContentType=kind)


def _table_parts(package: Package) -> Iterable[str]:
    return [name for name in (*package.data, *package.added)
            if name.startswith("xl/tables/") and name.endswith(".xml")
            and name not in package.dropped]


def _free_part(package: Package, pattern: str) -> str:
    number = 1
    while pattern.format(number) in package.data or pattern.format(number) in package.added:
        number += 1
    return pattern.format(number)


def _free_id(rels: etree._Element) -> str:
    taken = {rel.get("Id") for rel in rels}
    number = len(taken) + 1
    while f"rId{number}" in taken:
        number += 1
    return f"rId{number}"


