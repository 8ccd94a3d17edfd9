"""What openpyxl would drop or damage by loading and saving a workbook.

:func:`scan_losses` reads the workbook's parts (as bytes and small XML files,
fast even for big sheets) and lists what openpyxl 3.1 does not keep: shapes,
sparklines, form controls, newer conditional formats and data validation,
threaded comments, cached formula values and more. ragbook then writes a new
file instead of replacing the plan.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

from defusedxml.ElementTree import fromstring as read_xml

XML_ERRORS = (ElementTree.ParseError, ValueError)
"""A part that is not XML, or holds entities or a DTD (refused by defusedxml)."""


@dataclass(frozen=True)
class Loss:
    """Something the workbook holds that openpyxl would drop or damage on saving."""

    what: str
    where: str


SHAPES = "shapes and text boxes"
SMARTART = "SmartArt graphics"
PICTURES_NO_PILLOW = "pictures (Pillow, which openpyxl needs for pictures, is not installed)"
PICTURES_WMF = "WMF and EMF pictures"
SVG_PICTURES = "SVG pictures (only their PNG copies would be kept)"
CHARTS = "charts (their formatting)"
SPARKLINES = "sparklines"
NEW_CONDITIONAL_FORMATS = "newer conditional formatting (data bars, icon sets)"
NEW_DATA_VALIDATION = "newer-style data validation (such as drop-down lists from another sheet)"
FORM_CONTROLS = "form controls (check boxes, buttons, drop-downs)"
ACTIVEX = "ActiveX controls"
CONTROLS = "form controls or ActiveX controls"
EMBEDDED = "embedded objects (files inserted into a sheet)"
HEADER_PICTURES = "pictures in the page header or footer"
SLICERS = "slicers"
TIMELINES = "timelines"
PIVOT_TABLES = "pivot tables (openpyxl keeps them only in part)"
THREADED_COMMENTS = "threaded comments (they would become old-style notes)"
NEWER_CHARTS = "charts of the newer kinds (waterfall, treemap, funnel...)"
DYNAMIC_ARRAYS = "dynamic array formulas and data types (they would become old-style formulas)"
CUSTOM_XML = "custom XML data (such as Power Query queries or SharePoint information)"
SENSITIVITY_LABEL = "the sensitivity label"
OTHER = "other content openpyxl does not read"


def cached_values(count: int) -> str:
    """The saved results of formulas, which openpyxl writes back empty."""
    if count == 1:
        return ("the cached value of 1 formula (Excel recalculates it when the file is next "
                "opened, but other programs will show it empty)")
    return (f"cached values of {count} formulas (Excel recalculates them when the file is next "
            "opened, but other programs will show them empty)")


_EXTENSIONS = {
    "{78C0D931-6437-407D-A8EE-F0AAD7539E65}": NEW_CONDITIONAL_FORMATS,
    "{B025F937-C7B1-47D3-B67F-A62EFF666E3E}": NEW_CONDITIONAL_FORMATS,
    "{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}": NEW_DATA_VALIDATION,
    "{05C60535-1F16-4FD2-B633-F4F36F0B64E0}": SPARKLINES,
    "{A8765BA9-456A-4DAB-B4F3-ACF838C121DE}": SLICERS,
    "{3A4CF648-6AED-40F4-86FF-DC5316D8AED3}": SLICERS,
    "{7E03D99C-DC04-49D9-9315-930204A7B6E9}": TIMELINES,
    "{FC87AEE6-9EDD-4A0A-B7FB-166176984837}": "protected ranges",
    "{01252117-D84E-4E92-8308-4BE1C098FCBB}": "ignored-error markers",
    "{F7C9EE02-42E1-4005-9D12-6889AFFD525C}": "Office add-in data",
}
"""Worksheet extensions (extLst) by uri: openpyxl 3.1 drops every one of them."""

_PART_LOSSES = (
    ("xl/charts/chartEx", NEWER_CHARTS),
    ("xl/charts/chart", CHARTS),
    ("xl/ctrlProps/", FORM_CONTROLS),
    ("xl/activeX/", ACTIVEX),
    ("xl/embeddings/", EMBEDDED),
    ("xl/slicers/", SLICERS),
    ("xl/timelines/", TIMELINES),
    ("xl/pivotTables/", PIVOT_TABLES),
    ("xl/threadedComments/", THREADED_COMMENTS),
    ("xl/queryTables/", "query tables (the links from tables to their data sources)"),
    ("xl/connections.xml", "data connections"),
    ("xl/model/", "the data model (Power Pivot)"),
    ("xl/metadata.xml", DYNAMIC_ARRAYS),
    ("xl/richData/", "pictures in cells and linked data types"),
    ("xl/webextensions/", "Office add-in data"),
    ("customXml/", CUSTOM_XML),
    ("customUI", "custom ribbon buttons"),
    ("docMetadata/", SENSITIVITY_LABEL),
)
"""Parts openpyxl drops (or, for charts and pivot tables, re-writes), by name prefix."""

_KEPT = (
    "[Content_Types].xml", "docProps/app.xml", "docProps/core.xml", "docProps/custom.xml",
    "xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml", "xl/theme/", "xl/worksheets/",
    "xl/chartsheets/", "xl/tables/", "xl/comments", "xl/media/", "xl/charts/",
    "xl/externalLinks/", "xl/pivotCache/", "xl/drawings/", "xl/vbaProject",
    # Not kept, but nothing an officer made: Excel rebuilds the calculation chain,
    # page setup stays in the sheet, a thumbnail is only a preview; the list of
    # comment authors and the slicers' and timelines' caches go with the threaded
    # comments, slicers and timelines reported on their sheets.
    "xl/calcChain.xml", "xl/printerSettings/", "docProps/thumbnail", "xl/persons/",
    "xl/slicerCaches/", "xl/timelineCaches/",
)
"""Parts openpyxl keeps, or whose loss does not matter (xl/drawings/ is looked into)."""

XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
DRAWINGML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
DIAGRAM_URI = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
SVG_BLIP = "{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass
class _Package:
    """The parts of a workbook and how they relate, read from its zip."""

    archive: zipfile.ZipFile
    sheets: dict[str, str] = field(default_factory=dict)
    children: dict[str, dict[str, str]] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)

    def read(self, part: str) -> bytes:
        return self.archive.read(part)

    def where(self, part: str) -> str:
        """The sheet a part belongs to (through drawings, charts...), else the part."""
        seen, todo = {part}, [part]
        while todo:
            current = todo.pop(0)
            if current in self.sheets:
                return self.sheets[current]
            for parent in self.parents.get(current, []):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return part


def scan_losses(path: Path) -> list[Loss]:
    """What openpyxl 3.1 would drop or damage if it loaded and saved this workbook,
    sheet by sheet. Reads the zip's parts as text; never builds giant sheet trees."""
    with zipfile.ZipFile(path) as archive:
        package = _read_package(archive)
        losses = [*_sheet_losses(package), *_part_losses(package)]
        order = {name: index for index, name in enumerate(package.sheets.values())}
    unique = list(dict.fromkeys(losses))
    named = {(loss.where, loss.what) for loss in unique}
    unique = [loss for loss in unique if not (
        loss.what == CONTROLS and {(loss.where, FORM_CONTROLS), (loss.where, ACTIVEX)} & named)]
    return sorted(unique, key=lambda loss: order.get(loss.where, len(order)))


def describe_losses(losses: Iterable[Loss]) -> str:
    """``sparklines in Measures and Actions; shapes and text boxes in Dashboard``."""
    places: dict[str, list[str]] = {}
    for loss in losses:
        places.setdefault(loss.what, []).append(loss.where)
    return "; ".join(f"{what} in {_and(where)}" for what, where in places.items())


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _read_package(archive: zipfile.ZipFile) -> _Package:
    package = _Package(archive)
    for name in archive.namelist():
        source = _rels_source(name)
        if source is not None:
            package.children[source] = _relationships(archive.read(name), source)
    for source, targets in package.children.items():
        for target in targets.values():
            package.parents.setdefault(target, []).append(source)
    package.sheets = _sheet_names(archive, package.children.get("xl/workbook.xml", {}))
    return package


def _sheet_names(archive: zipfile.ZipFile, workbook_rels: dict[str, str]) -> dict[str, str]:
    """Sheet part -> sheet name, in the workbook's order."""
    try:
        root = read_xml(archive.read("xl/workbook.xml"))
    except (KeyError, *XML_ERRORS):
        return {}
    names = {}
    for sheet in root.iter():
        part = workbook_rels.get(sheet.get(f"{RELATIONSHIPS}id", ""))
        if sheet.tag.endswith("}sheet") and part:
            names[part] = sheet.get("name", part)
    return names


def _rels_source(name: str) -> str | None:
    """``xl/worksheets/_rels/sheet1.xml.rels`` -> ``xl/worksheets/sheet1.xml``."""
    folder, _, file = name.rpartition("_rels/")
    if not file.endswith(".rels") or (folder and not folder.endswith("/")):
        return None
    return folder + file[: -len(".rels")]


def _relationships(xml: bytes, source: str) -> dict[str, str]:
    """Relationship id -> the part it points to (external links left out)."""
    found: dict[str, str] = {}
    try:
        rels = read_xml(xml)
    except XML_ERRORS:
        return found
    for rel in rels.iter():
        target = rel.get("Target")
        if rel.tag.endswith("Relationship") and target and rel.get("TargetMode") != "External":
            found[rel.get("Id", "")] = resolve_part(source, unquote(target))
    return found


def resolve_part(source: str, target: str) -> str:
    """The part a relationship of ``source`` points to (``target`` as written, unquoted)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _part_losses(package: _Package) -> Iterator[Loss]:
    for part in package.archive.namelist():
        if part.endswith("/") or "_rels/" in part:
            continue
        if part.startswith("xl/drawings/"):
            yield from _drawing_losses(package, part)
            continue
        what = next((what for prefix, what in _PART_LOSSES if part.startswith(prefix)), None)
        if what is None and not part.startswith(_KEPT):
            what = OTHER
        if what is not None:
            yield Loss(what, _where(package, part))


def _where(package: _Package, part: str) -> str:
    """The owning sheet, or for a workbook-wide part its folder (``customXml``)."""
    owner = package.where(part)
    if owner != part:
        return owner
    folder = part.rpartition("/")[0]
    return part if folder in ("", "xl") else folder


def _drawing_losses(package: _Package, part: str) -> Iterator[Loss]:
    if part.endswith(".vml"):
        if _vml_has_controls(package.read(part)):
            yield Loss(FORM_CONTROLS, package.where(part))
        return
    if not part.endswith(".xml"):
        return
    try:
        root = read_xml(package.read(part))
    except XML_ERRORS:
        return  # openpyxl cannot read it either: the reader reports the workbook as damaged
    if root.tag != f"{XDR}wsDr":
        return  # shapes drawn on a chart: they go with the chart, reported as such
    where = package.where(part)
    media = package.children.get(part, {})
    for what in dict.fromkeys(_drawn_losses(root, media)):
        yield Loss(what, where)


def _drawn_losses(root: ElementTree.Element, media: dict[str, str]) -> Iterator[str]:
    pillow = _pillow_available()
    for element in root.iter():
        tag = element.tag
        if tag in (f"{XDR}sp", f"{XDR}grpSp", f"{XDR}cxnSp"):
            yield SHAPES
        elif tag == f"{DRAWINGML}graphicData" and element.get("uri") == DIAGRAM_URI:
            yield SMARTART
        elif tag == SVG_BLIP:
            yield SVG_PICTURES
        elif tag == f"{XDR}pic" and not pillow:
            yield PICTURES_NO_PILLOW
        elif tag == f"{DRAWINGML}blip" and pillow:
            target = media.get(element.get(f"{RELATIONSHIPS}embed", ""), "")
            if target.lower().endswith((".wmf", ".emf")):
                yield PICTURES_WMF


def _vml_has_controls(vml: bytes) -> bool:
    """Old-style drawings hold comments' note boxes (rebuilt by openpyxl) and form
    controls (lost)."""
    kinds = set(re.findall(rb'ObjectType\s*=\s*"(\w+)"', vml))
    return bool(kinds - {b"Note"})


def _pillow_available() -> bool:
    """Whether openpyxl can keep pictures: it drops them all without Pillow (it asks
    the very name looked at here)."""
    from openpyxl.reader import drawings

    return bool(getattr(drawings, "PILImage", False))


# --- inside a sheet's XML: searched as bytes, never parsed whole ---


_ROOT = re.compile(rb"<(\w+:)?(?:worksheet|chartsheet|dialogsheet)[\s>]")
_EXTENSION_URI = re.compile(rb'<(?:\w+:)?ext\s[^>]*?uri\s*=\s*"([^"]+)"')
_TAIL_LOSSES = (
    (re.compile(rb"<(?:\w+:)?controls[\s>/]"), CONTROLS),
    (re.compile(rb"<(?:\w+:)?oleObjects[\s>/]"), EMBEDDED),
    (re.compile(rb"<(?:\w+:)?legacyDrawingHF[\s>/]"), HEADER_PICTURES),
)


def _sheet_losses(package: _Package) -> Iterator[Loss]:
    for part, name in package.sheets.items():
        try:
            xml = package.read(part)
        except KeyError:
            continue
        for what in _in_sheet(xml):
            yield Loss(what, name)


def _in_sheet(xml: bytes) -> Iterator[str]:
    root = _ROOT.search(xml, 0, 4096)
    prefix = (root.group(1) or b"") if root else b""
    count = _cached_formulas(xml, prefix)
    if count:
        yield cached_values(count)
    tail = _after_cells(xml)
    for uri in _EXTENSION_URI.findall(tail):
        yield _EXTENSIONS.get(uri.decode("ascii", "replace").upper(),
                              f"Excel extension data ({uri.decode('ascii', 'replace')})")
    for pattern, what in _TAIL_LOSSES:
        if pattern.search(tail):
            yield what


def _after_cells(xml: bytes) -> bytes:
    """What follows ``</sheetData>``: the sheet's settings, drawings and extensions."""
    end = xml.rfind(b"sheetData")
    return xml[xml.find(b">", end) + 1:] if end >= 0 else xml


def _cached_formulas(xml: bytes, prefix: bytes) -> int:
    """Formula cells that carry the value Excel last calculated (``<f>..</f><v>3</v>``)."""
    if b"<" + prefix + b"f" not in xml:
        return 0
    return len(_formula_with_value(prefix).findall(xml))


def _formula_with_value(prefix: bytes) -> re.Pattern[bytes]:
    p = re.escape(prefix)
    return re.compile(rb"<" + p + rb"f(?:\s[^>]*)?(?:/>|>[^<]*</" + p + rb"f>)\s*<" + p
                      + rb"v(?:\s[^>/]*)?>[^<]")
