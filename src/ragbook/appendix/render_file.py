"""The file backend: an :class:`~ragbook.appendix.layout.Appendix` written with openpyxl.

Every cell, merge, height and page break comes from the layout; this module
only translates named styles into openpyxl objects (each made once) and sets
up printing: A4 landscape, one page wide, a header and a "Page n of N" footer,
and the layout's page breaks.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.drawing.text import Font as TextFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.worksheet import Worksheet

from ragbook.appendix.layout import Appendix, Chart, PageSetup, Sheet
from ragbook.appendix.theme import Style, Theme
from ragbook.workbook.styles import StyleCache

CM_PER_INCH = 2.54
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


class _Styles:
    """The theme's named styles as openpyxl styles, each worked out once."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._cache = StyleCache()

    def paint(self, cell: object, name: str) -> None:
        """Give a cell a named style."""
        self._cache.apply(cell, name, lambda c: _set_style(c, self.theme.style(name)))


def _set_style(cell: object, style: Style) -> None:
    cell.font = Font(name=style.font, size=style.size, bold=style.bold,  # type: ignore[attr-defined]
                     italic=style.italic, color=style.colour,
                     underline="single" if style.underline else None)
    cell.alignment = Alignment(horizontal=style.horizontal,  # type: ignore[attr-defined]
                               vertical=style.vertical, wrap_text=style.wrap)
    if style.fill:
        cell.fill = PatternFill("solid", fgColor=style.fill)  # type: ignore[attr-defined]
    if style.border:
        cell.border = BOX  # type: ignore[attr-defined]
    if style.number_format:
        cell.number_format = style.number_format  # type: ignore[attr-defined]


def render(appendix: Appendix, theme: Theme, book: Workbook | None = None) -> Workbook:
    """Write the appendix's sheets into ``book`` (a new workbook when None).

    Sheets of the same names already in ``book`` are replaced, in place.
    """
    if book is None:
        book = Workbook()
        book.remove(book.active)
    styles = _Styles(theme)
    made = []
    for sheet in appendix.sheets:  # every sheet first: a chart may read another's cells
        position = len(book.sheetnames)
        if sheet.name in book.sheetnames:
            position = book.sheetnames.index(sheet.name)
            book.remove(book[sheet.name])
        made.append((book.create_sheet(sheet.name, position), sheet))
    for worksheet, sheet in made:
        _write_sheet(worksheet, sheet, styles)
    return book


CHECKLIST_TAB = "C00000"
"""The tab colour of a sheet that is not for publication (the Officer's checklist)."""


def _write_sheet(worksheet: Worksheet, sheet: Sheet, styles: _Styles) -> None:
    if not sheet.published:
        worksheet.sheet_properties.tabColor = CHECKLIST_TAB
    for index, width in enumerate(sheet.columns, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    breaks = RowBreak()
    for number, row in enumerate(sheet.rows, start=1):
        column = 1
        for cell in row.cells:
            target = worksheet.cell(number, column)
            if cell.value is not None and cell.value != "":
                target.value = cell.value
                if isinstance(cell.value, str):
                    target.data_type = "s"  # text from the plan never becomes a formula
            for offset in range(cell.span):
                styles.paint(worksheet.cell(number, column + offset), cell.style)
            if cell.link:
                target.hyperlink = f"#{cell.link}"
            if cell.span > 1:
                worksheet.merge_cells(start_row=number, start_column=column,
                                      end_row=number, end_column=column + cell.span - 1)
            column += cell.span
        if row.height is not None:
            worksheet.row_dimensions[number].height = row.height
        if row.page_break_before and number > 1:
            breaks.append(Break(id=number - 1))
    worksheet.row_breaks = breaks
    for chart in sheet.charts:
        source = worksheet.parent[chart.sheet] if chart.sheet else worksheet
        drawn = _line(source, chart, styles.theme) if chart.kind == "line" else \
            _chart(worksheet, chart, styles.theme)
        worksheet.add_chart(drawn, chart.anchor)
    if sheet.hidden:
        worksheet.sheet_state = "hidden"
    if sheet.freeze:
        worksheet.freeze_panes = sheet.freeze
    _page_setup(worksheet, sheet, styles.theme)


def _text_in(font: str, size: float, bold: bool = False) -> RichText:
    """Chart text in the appendix's font (charts do not follow cell styles)."""
    properties = CharacterProperties(latin=TextFont(typeface=font), sz=int(size * 100),
                                     b=bold)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=properties),
                                 endParaRPr=properties)])


def _chart(worksheet: Worksheet, chart: Chart, theme: Theme) -> BarChart:
    bar = BarChart()
    bar.type = "bar"
    bar.grouping = "stacked" if chart.kind == "stacked bar" else "clustered"
    if chart.kind == "stacked bar":
        bar.overlap = 100
    bar.title = chart.title
    bar.width = chart.width_cm
    bar.height = chart.height_cm
    column, first, last = chart.categories
    for series_column, start, end, colour in chart.series:
        data = Reference(worksheet, min_col=series_column, min_row=start - 1, max_row=end)
        bar.add_data(data, titles_from_data=True)
        bar.series[-1].graphicalProperties.solidFill = colour
        bar.series[-1].graphicalProperties.line.solidFill = colour
    bar.set_categories(Reference(worksheet, min_col=column, min_row=first, max_row=last))
    bar.y_axis.majorGridlines = None
    bar.x_axis.scaling.orientation = "maxMin"  # first outcome at the top
    bar.legend.position = "b"
    for axis in (bar.x_axis, bar.y_axis):
        axis.txPr = _text_in(theme.font, theme.size - 1)
    bar.legend.txPr = _text_in(theme.font, theme.size - 1)
    bar.title.tx.rich.p[0].pPr = ParagraphProperties(
        defRPr=CharacterProperties(latin=TextFont(typeface=theme.font),
                                   sz=int((theme.size + 3) * 100), b=True))
    for run in bar.title.tx.rich.p[0].r or []:
        run.rPr = CharacterProperties(latin=TextFont(typeface=theme.font),
                                      sz=int((theme.size + 3) * 100), b=True)
    return bar


def _line(source: Worksheet, chart: Chart, theme: Theme) -> LineChart:
    """A small trend chart: the figures, the mean and the two process limits."""
    line = LineChart()
    line.title = None
    line.width = chart.width_cm
    line.height = chart.height_cm
    column, first, last = chart.categories
    for number, (series_column, start, end, colour) in enumerate(chart.series):
        data = Reference(source, min_col=series_column, min_row=start - 1, max_row=end)
        line.add_data(data, titles_from_data=True)
        drawn = line.series[-1]
        drawn.graphicalProperties.line.solidFill = colour
        drawn.graphicalProperties.line.width = 19050 if number == 0 else 12700
        if number > 1:
            drawn.graphicalProperties.line.dashStyle = "dash"
        drawn.smooth = False
        if number == 0:
            drawn.marker.symbol = "circle"
            drawn.marker.size = 4
            drawn.marker.graphicalProperties.solidFill = colour
            drawn.marker.graphicalProperties.line.solidFill = colour
        else:
            drawn.marker.symbol = "none"
    line.set_categories(Reference(source, min_col=column, min_row=first, max_row=last))
    line.legend = None
    line.visible_cells_only = False  # the figures are on a hidden sheet
    line.display_blanks = "gap"  # a missing period is a gap
    line.y_axis.majorGridlines = None
    line.x_axis.delete = True
    for axis in (line.x_axis, line.y_axis):
        axis.txPr = _text_in(theme.font, theme.size - 3)
    return line


def _header_text(text: str) -> str:
    return text.replace("&", "&&").replace("{page}", "&P").replace("{pages}", "&N")


def _page_setup(worksheet: Worksheet, sheet: Sheet, theme: Theme) -> None:
    page: PageSetup = sheet.page
    setup = worksheet.page_setup
    setup.orientation = page.orientation
    setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    setup.fitToWidth = page.fit_width
    setup.fitToHeight = 0
    top, right, bottom, left = (m / CM_PER_INCH for m in page.margins_cm)
    worksheet.page_margins.top, worksheet.page_margins.bottom = top, bottom
    worksheet.page_margins.left, worksheet.page_margins.right = left, right
    worksheet.page_margins.header = page.header_margin_cm / CM_PER_INCH
    worksheet.page_margins.footer = page.footer_margin_cm / CM_PER_INCH
    for part, text in ((worksheet.oddHeader.left, page.header_left),
                       (worksheet.oddHeader.center, page.header_centre),
                       (worksheet.oddHeader.right, page.header_right),
                       (worksheet.oddFooter.left, page.footer_left),
                       (worksheet.oddFooter.center, page.footer_centre),
                       (worksheet.oddFooter.right, page.footer_right)):
        if text:
            part.text = _header_text(text)
            part.size = 8
            part.font = f"{theme.font},Regular"
    last_column = get_column_letter(len(sheet.columns))
    worksheet.print_area = f"A1:{last_column}{max(len(sheet.rows), 1)}"
    worksheet.print_options.horizontalCentered = True
