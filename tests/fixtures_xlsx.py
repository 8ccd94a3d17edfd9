"""Workbooks built in code for the tests: openpyxl makes a plain one, then
:class:`Package` adds the parts Excel writes and openpyxl cannot (shapes,
sparklines, form controls...), as Excel itself lays them out.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table
from PIL import Image as PILImage

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
DRAWINGML = "http://schemas.openxmlformats.org/drawingml/2006/main"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"

DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"

CFB_HEADER = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
"""The start of an OLE compound file: an old .xls, or an encrypted workbook."""


def workbook_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plain_book() -> openpyxl.Workbook:
    """Two sheets of plain values: Measures and Actions."""
    book = openpyxl.Workbook()
    measures = book.active
    assert measures is not None
    measures.title = "Measures"
    measures.append(["Ref", "Measure", "Target", "Actual"])
    measures.append(["M1", "Homes built", 100, 92])
    measures.append(["M2", "Trees planted", 500, 510])
    actions = book.create_sheet("Actions")
    actions.append(["Ref", "Action", "Status"])
    actions.append(["A1", "Open the library", "On track"])
    return book


@functools.cache  # one build: openpyxl stamps the time it saves
def plain_xlsx() -> bytes:
    return workbook_bytes(plain_book())


def png_bytes() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (8, 8), "green").save(out, "PNG")
    return out.getvalue()


@functools.cache  # one build: openpyxl stamps the time it saves
def rich_openpyxl_xlsx() -> bytes:
    """What openpyxl itself writes and reads back whole: comments, a table, data
    validation, conditional formatting, a picture and defined names."""
    book = plain_book()
    measures = book["Measures"]
    measures["B2"].comment = Comment("Counted at year end", "Officer")
    measures.add_table(Table(displayName="tblMeasures", ref="A1:D3"))
    valid = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    measures.add_data_validation(valid)
    valid.add("E2:E3")
    measures.conditional_formatting.add(
        "D2:D3", CellIsRule(operator="lessThan", formula=["C2"], fill=None))
    measures.add_image(Image(io.BytesIO(png_bytes())), "G2")
    book.defined_names["Targets"] = DefinedName("Targets", attr_text="Measures!$C$2:$C$3")
    return workbook_bytes(book)


def formulas_xlsx(rows: int = 3) -> bytes:
    """Sheet Measures with ``rows`` formulas, saved by openpyxl (no cached values)."""
    book = plain_book()
    measures = book["Measures"]
    for row in range(2, rows + 2):
        measures.cell(row, 5, f"=D{row}/C{row}")
    return workbook_bytes(book)


class Package:
    """The parts of an .xlsx, to add or change before writing it out again."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.parts = {name: archive.read(name) for name in archive.namelist()}

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.parts.items():
                archive.writestr(name, data)
        return out.getvalue()

    def text(self, part: str) -> str:
        return self.parts[part].decode("utf-8")

    def put(self, part: str, text: str | bytes, content_type: str | None = None) -> None:
        self.parts[part] = text.encode("utf-8") if isinstance(text, str) else text
        if content_type:
            self.override(part, content_type)

    def edit(self, part: str, change: Callable[[str], str]) -> None:
        self.put(part, change(self.text(part)))

    def override(self, part: str, content_type: str) -> None:
        entry = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        self.edit("[Content_Types].xml", lambda xml: xml.replace("</Types>", entry + "</Types>"))

    def default(self, extension: str, content_type: str) -> None:
        entry = f'<Default Extension="{extension}" ContentType="{content_type}"/>'
        if f'Extension="{extension}"' not in self.text("[Content_Types].xml"):
            self.edit("[Content_Types].xml",
                      lambda xml: xml.replace("</Types>", entry + "</Types>"))

    def relate(self, source: str, rel_type: str, target: str) -> str:
        """Add a relationship from ``source`` to ``target`` (a path from the package
        root, written relative to ``source`` as Excel does); returns its id."""
        folder, name = source.rsplit("/", 1) if "/" in source else ("", source)
        rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        xml = self.text(rels) if rels in self.parts else (
            f'<Relationships xmlns="{PKG_REL}"></Relationships>')
        rel_id = f"rIdX{len(re.findall('<Relationship ', xml)) + 1}"
        full_type = rel_type if rel_type.startswith("http") else f"{REL}/{rel_type}"
        relative = posixpath.relpath(target, folder or ".")
        entry = f'<Relationship Id="{rel_id}" Type="{full_type}" Target="{relative}"/>'

        self.put(rels, xml.replace("</Relationships>", entry + "</Relationships>"))
        return rel_id

    def sheet_append(self, sheet: str, xml: str) -> None:
        """Add elements at the end of a worksheet (give them in schema order)."""
        self.edit(sheet, lambda text: text.replace("</worksheet>", xml + "</worksheet>"))


SHEET1 = "xl/worksheets/sheet1.xml"
SHEET2 = "xl/worksheets/sheet2.xml"


def anchor(content: str) -> str:
    return ("<xdr:twoCellAnchor><xdr:from><xdr:col>5</xdr:col><xdr:colOff>0</xdr:colOff>"
            "<xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>8"
            "</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>6</xdr:row><xdr:rowOff>0"
            f"</xdr:rowOff></xdr:to>{content}<xdr:clientData/></xdr:twoCellAnchor>")


TEXT_BOX = (
    '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="TextBox 1"/>'
    '<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/>'
    '<a:ext cx="1800000" cy="900000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
    "</a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r>"
    "<a:t>Figures are provisional</a:t></a:r></a:p></xdr:txBody></xdr:sp>")


def picture(rel_id: str) -> str:
    return (f'<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="3" name="Picture 2"/><xdr:cNvPicPr/>'
            f'</xdr:nvPicPr><xdr:blipFill><a:blip xmlns:r="{REL}" r:embed="{rel_id}"/>'
            '<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:prstGeom '
            'prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>')


def add_drawing(package: Package, sheet: str, anchors: str, number: int = 1) -> str:
    """Give ``sheet`` an Excel-style drawing part holding ``anchors``."""
    part = f"xl/drawings/drawing{number}.xml"
    package.put(part, f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{DRAWINGML}">{anchors}</xdr:wsDr>',
                DRAWING_CT)
    rel_id = package.relate(sheet, "drawing", part)
    package.sheet_append(sheet, f'<drawing xmlns:r="{REL}" r:id="{rel_id}"/>')
    return part


def with_text_box(data: bytes | None = None, sheet: str = SHEET1) -> bytes:
    package = Package(data or plain_xlsx())
    add_drawing(package, sheet, anchor(TEXT_BOX))
    return package.to_bytes()


def with_picture(data: bytes | None = None, *, text_box: bool = False,
                 extension: str = "png", media: bytes | None = None) -> bytes:
    """An Excel-style picture on Measures (and a text box beside it if asked)."""
    package = Package(data or plain_xlsx())
    media_part = f"xl/media/image1.{extension}"
    package.put(media_part, media or png_bytes())
    package.default(extension, f"image/{'x-' if extension in ('emf', 'wmf') else ''}{extension}")
    drawing = "xl/drawings/drawing1.xml"
    rel_id = package.relate(drawing, "image", media_part)
    anchors = anchor(picture(rel_id)) + (anchor(TEXT_BOX) if text_box else "")
    add_drawing(package, SHEET1, anchors)
    return package.to_bytes()


def extension(uri: str, body: str) -> str:
    return f'<ext uri="{uri}" xmlns:x14="{X14}">{body}</ext>'


SPARKLINES = extension(
    "{05C60535-1F16-4FD2-B633-F4F36F0B64E0}",
    f'<x14:sparklineGroups xmlns:xm="{XM}"><x14:sparklineGroup displayEmptyCellsAs="gap">'
    '<x14:colorSeries rgb="FF376092"/><x14:colorNegative rgb="FFD00000"/>'
    '<x14:colorAxis rgb="FF000000"/><x14:colorMarkers rgb="FFD00000"/>'
    '<x14:colorFirst rgb="FFD00000"/><x14:colorLast rgb="FFD00000"/>'
    '<x14:colorHigh rgb="FFD00000"/><x14:colorLow rgb="FFD00000"/><x14:sparklines>'
    "<x14:sparkline><xm:f>Measures!C2:D2</xm:f><xm:sqref>F2</xm:sqref></x14:sparkline>"
    "</x14:sparklines></x14:sparklineGroup></x14:sparklineGroups>")

DATA_BARS = extension(
    "{78C0D931-6437-407D-A8EE-F0AAD7539E65}",
    f'<x14:conditionalFormattings xmlns:xm="{XM}"><x14:conditionalFormatting>'
    '<x14:cfRule type="dataBar" id="{00000000-0001-0000-0000-000000000000}">'
    '<x14:dataBar minLength="0" maxLength="100" gradient="0"><x14:cfvo type="autoMin"/>'
    '<x14:cfvo type="autoMax"/><x14:negativeFillColor rgb="FFFF0000"/>'
    '<x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule><xm:sqref>D2:D3</xm:sqref>'
    "</x14:conditionalFormatting></x14:conditionalFormattings>")

CROSS_SHEET_LIST = extension(
    "{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}",
    f'<x14:dataValidations xmlns:xm="{XM}" count="1"><x14:dataValidation type="list" '
    'allowBlank="1"><x14:formula1><xm:f>Actions!$C$2:$C$9</xm:f></x14:formula1>'
    "<xm:sqref>B2:B3</xm:sqref></x14:dataValidation></x14:dataValidations>")


def with_extensions(*extensions: str, data: bytes | None = None, sheet: str = SHEET1) -> bytes:
    """Excel 2010+ features kept in the worksheet's extension list."""
    package = Package(data or plain_xlsx())
    package.sheet_append(sheet, f"<extLst>{''.join(extensions)}</extLst>")
    return package.to_bytes()


def with_cached_formulas(count: int = 2, *, x_prefix: bool = False) -> bytes:
    """Formulas as Excel saves them, each with the value it last calculated; one
    more formula has no saved value."""
    package = Package(plain_xlsx())
    rows = "".join(
        f'<row r="{row}"><c r="E{row}"><f>C{row}*2</f><v>{row}</v></c></row>'
        for row in range(10, count + 10))
    rows += f'<row r="{count + 10}"><c r="F{count + 10}"><f>SUM(C2:C3)</f></c></row>'
    package.edit(SHEET1, lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))
    if x_prefix:  # as some non-Excel tools write it: every element with a prefix
        package.edit(SHEET1, lambda xml: re.sub(r"<(/?)(?=[a-zA-Z])", r"<\1x:", xml).replace(
            'xmlns="', 'xmlns:x="'))
    return package.to_bytes()


CTRL_PROPS_CT = "application/vnd.ms-excel.controlproperties+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"


def checkbox_vml() -> str:
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:'
            'office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"><v:shape '
            'id="_x0000_s1025" type="#_x0000_t201" filled="f" stroked="f">'
            '<x:ClientData ObjectType="Checkbox"><x:Anchor>5, 0, 1, 0, 6, 0, 2, 0</x:Anchor>'
            "<x:Checked>1</x:Checked></x:ClientData></v:shape></xml>")


def with_form_control() -> bytes:
    """A check box (form control) on Measures, as Excel stores it."""
    package = Package(plain_xlsx())
    package.default("vml", VML_CT)
    package.put("xl/drawings/vmlDrawing1.vml", checkbox_vml())
    vml_id = package.relate(SHEET1, "vmlDrawing", "xl/drawings/vmlDrawing1.vml")
    package.put("xl/ctrlProps/ctrlProp1.xml",
                '<formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9'
                '/main" objectType="CheckBox" checked="Checked" lockText="1"/>', CTRL_PROPS_CT)
    ctrl_id = package.relate(SHEET1, "ctrlProp", "xl/ctrlProps/ctrlProp1.xml")
    package.sheet_append(
        SHEET1,
        f'<legacyDrawing xmlns:r="{REL}" r:id="{vml_id}"/>'
        f'<controls xmlns:r="{REL}"><control shapeId="1025" r:id="{ctrl_id}" '
        'name="Check Box 1"/></controls>')
    return package.to_bytes()


THREADED_CT = "application/vnd.ms-excel.threadedcomments+xml"


def with_threaded_comment() -> bytes:
    """A modern (threaded) comment on Measures!B2, beside its legacy note."""
    book = plain_book()
    book["Measures"]["B2"].comment = Comment("[Threaded comment] Check this", "Officer")
    package = Package(workbook_bytes(book))
    part = "xl/threadedComments/threadedComment1.xml"
    package.put(part,
                '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018'
                '/threadedcomments"><threadedComment ref="B2" dT="2024-05-01T10:00:00.00" '
                'personId="{00000000-0000-0000-0000-000000000001}" '
                'id="{00000000-0000-0000-0000-000000000002}"><text>Check this</text>'
                "</threadedComment></ThreadedComments>", THREADED_CT)
    package.relate(
        SHEET1, "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment", part)
    return package.to_bytes()


def with_part(part: str, text: str, content_type: str, *, rel_type: str | None = None,
              source: str = SHEET1) -> bytes:
    """Any extra part, related to ``source`` if ``rel_type`` is given."""
    package = Package(plain_xlsx())
    package.put(part, text, content_type)
    if rel_type:
        package.relate(source, rel_type, part)
    return package.to_bytes()


def big_xlsx(rows: int) -> bytes:
    """A plan with ``rows`` rows of ten cells, each row with two formulas that
    carry cached values, as Excel saves it."""
    package = Package(plain_xlsx())
    lines = []
    for row in range(4, rows + 4):
        values = "".join(f'<c r="{col}{row}"><v>{row * 7 % 1000}</v></c>' for col in "ABCDEFGH")
        lines.append(f'<row r="{row}">{values}<c r="I{row}"><f>A{row}+B{row}</f><v>{row}</v>'
                     f'</c><c r="J{row}" t="str"><f>TEXT(I{row},"0")</f><v>{row}</v></c></row>')
    package.edit(SHEET1, lambda xml: xml.replace("</sheetData>", "".join(lines) + "</sheetData>"))
    return package.to_bytes()


def with_chart() -> bytes:
    """A bar chart on Measures, made by openpyxl (as Excel does: a drawing holding a
    chart part)."""
    from openpyxl.chart import BarChart, Reference

    book = plain_book()
    measures = book["Measures"]
    chart = BarChart()
    chart.add_data(Reference(measures, min_col=3, min_row=1, max_row=3), titles_from_data=True)
    measures.add_chart(chart, "F2")
    return workbook_bytes(book)


SMARTART = (
    '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="4" name="Diagram 3"/>'
    "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x=\"0\" y=\"0\"/>"
    '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData '
    'uri="http://schemas.openxmlformats.org/drawingml/2006/diagram"/></a:graphic>'
    "</xdr:graphicFrame>")


def with_smartart() -> bytes:
    package = Package(plain_xlsx())
    add_drawing(package, SHEET1, anchor(SMARTART))
    return package.to_bytes()


def with_svg_picture() -> bytes:
    """A picture inserted from an SVG: Excel keeps a PNG copy and the SVG beside it."""
    package = Package(with_picture())
    svg = '<a:extLst><a:ext uri="{96DAC541-7B7A-43D3-8B79-37D633B846F1}"><asvg:svgBlip ' \
          'xmlns:asvg="http://schemas.microsoft.com/office/drawing/2016/SVG/main" ' \
          f'xmlns:r="{REL}" r:embed="rIdX9"/></a:ext></a:extLst>'
    package.edit("xl/drawings/drawing1.xml",
                 lambda xml: re.sub(r"(<a:blip [^>]*?)/>", lambda m: m.group(1) + ">" + svg
                                    + "</a:blip>", xml))
    return package.to_bytes()


def with_sheet_tail(xml: str, sheet: str = SHEET1) -> bytes:
    """Elements Excel writes after a sheet's cells (give them in schema order)."""
    package = Package(plain_xlsx())
    package.sheet_append(sheet, xml)
    return package.to_bytes()


def with_total_row(plan: Path, target: Path, name: str) -> Path:
    """A copy of the plan whose table ``name`` shows a Total Row."""
    book = openpyxl.load_workbook(plan)
    for sheet in book.worksheets:
        if name in sheet.tables:
            found = sheet.tables[name]
            first, last = found.ref.split(":")
            column = "".join(c for c in last if c.isalpha())
            below = int("".join(c for c in last if c.isdigit())) + 1
            found.ref = f"{first}:{column}{below}"
            found.totalsRowCount = 1
            sheet[f"{''.join(c for c in first if c.isalpha())}{below}"] = "Total"
    book.save(target)
    return target
