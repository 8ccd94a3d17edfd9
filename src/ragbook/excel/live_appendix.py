"""The live backend: the appendix layout rendered into the workbook open in Excel.

The same :class:`~ragbook.appendix.layout.Appendix` the file backend writes,
turned into xlwings calls (which become the add-in's actions): values, merges,
fonts, fills, alignment, wrapping, borders, number formats, column widths (in
points on this route), row heights, links and the print area. What Office.js
cannot set from here (orientation, fit to one page wide, header and footer,
page breaks) is left to Excel's Page Layout; ``ragbook appendix`` sets it all
on a file. Cells of one style next to each other get their style in one go,
so a long appendix is still a few thousand actions, not tens of thousands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import xlwings as xw

from ragbook.appendix import metrics
from ragbook.appendix.layout import Appendix, Chart, Sheet
from ragbook.appendix.theme import Style, Theme
from ragbook.excel.book import safe_text, write_values
from ragbook.problems import column_letter

Box = tuple[int, int, int, int]
"""First row, first column, last row, last column (1-based)."""


def render_live(book: xw.Book, appendix: Appendix, theme: Theme,
                replace: Iterable[str] = ()) -> None:
    """Add the appendix's sheets at the end of the workbook, replacing earlier ones."""
    names = [sheet.name for sheet in book.sheets]
    for name in replace:
        if name in names:
            book.sheets[name].delete()
            names.remove(name)
    drawn: list[tuple[xw.Sheet, Sheet]] = []
    for sheet in appendix.sheets:
        target = book.sheets.add(sheet.name, after=book.sheets[len(names) - 1])
        names.append(sheet.name)
        _render_sheet(target, sheet, theme)
        drawn.append((target, sheet))
    # Charts last: a chart may read the figures of a sheet added after its own.
    for target, sheet in drawn:
        for chart in sheet.charts:
            _draw(target, chart, book.sheets[chart.sheet] if chart.sheet else target)
        if sheet.hidden:
            target.visible = False


def _render_sheet(target: xw.Sheet, sheet: Sheet, theme: Theme) -> None:
    width = len(sheet.columns)
    grid: list[list[object]] = []
    boxes: dict[str, list[Box]] = defaultdict(list)
    merges: list[Box] = []
    links: list[tuple[int, int, str, str]] = []
    for number, row in enumerate(sheet.rows, start=1):
        line: list[object] = [""] * width
        column = 1
        for cell in row.cells:
            if cell.value is not None and column <= width:
                line[column - 1] = cell.value
            box = (number, column, number, column + cell.span - 1)
            boxes[cell.style].append(box)
            if cell.span > 1:
                merges.append(box)
            if cell.link:
                links.append((number, column, cell.link,
                              str(safe_text(str(cell.value or cell.link)))))
            column += cell.span
        grid.append(line)
    if grid:
        write_values(target, 1, 1, grid)
    for index, columns in enumerate(sheet.columns, start=1):
        letter = column_letter(index)
        target.range(f"{letter}:{letter}").column_width = metrics.column_width_points(columns)
    for first, last, height in _height_runs([row.height for row in sheet.rows]):
        target.range(f"{first}:{last}").row_height = height
    body = theme.style("body")
    if grid:
        _style(target.range((1, 1), (len(grid), width)), body, None)
    bordered: list[Box] = []
    for name, found in boxes.items():
        style = theme.style(name)
        if style.border:
            bordered.extend(found)
        if name == "body":
            continue
        for box in _stack(found):
            _style(target.range(box[:2], box[2:]), style, body)
    for box in _stack(_whole_rows(bordered)):
        target.range(box[:2], box[2:]).borders.set(weight="thin", color="#808080",
                                                    line_style="continuous")
    for box in merges:
        target.range(box[:2], box[2:]).merge()
    for number, column, place, text in links:
        target.range((number, column)).add_hyperlink(f"#{place}", text_to_display=text,
                                                  screen_tip="Go to the cell")
    if sheet.rows and not sheet.hidden:
        target.page_setup.print_area = f"A1:{column_letter(width)}{len(sheet.rows)}"


POINTS_PER_CM = 72 / 2.54
CHART_TYPES = {"stacked bar": "bar_stacked", "bar": "bar_clustered", "line": "line"}


def _draw(target: xw.Sheet, chart: Chart, source: xw.Sheet) -> None:
    """A chart as the file's appendix has it: the same cells, type, series colours,
    categories and size; a bar chart's title and legend below (a trend chart has
    neither: its table's header says what it shows)."""
    column, first, last = chart.categories
    left = min(series[0] for series in chart.series)
    right = max(series[0] for series in chart.series)
    drawn = target.charts.add(
        width=chart.width_cm * POINTS_PER_CM, height=chart.height_cm * POINTS_PER_CM,
        chart_type=CHART_TYPES[chart.kind], anchor=target.range(chart.anchor),
        source=source.range((first - 1, left), (last, right)), plot_by="columns")
    drawn.set_x_axis_values(source.range((first, column), (last, column)))
    if chart.kind != "line":
        drawn.title = chart.title
    if chart.legend:
        drawn.legend.position = "bottom"
    else:
        drawn.legend.visible = False
    series = _series(drawn, len(chart.series))
    for number, (_, _, _, colour) in enumerate(chart.series):
        colour = colour if colour.startswith("#") else f"#{colour}"
        if chart.kind == "line":
            series[number].line_color = colour
        else:
            series[number].fill_color = colour


def _series(drawn: xw.Chart, count: int) -> xw.main.ChartSeriesCollection:
    """A new chart's series. xlwings Server cannot count them before Excel has drawn the
    chart, but they are the source's columns, so their number is known."""
    if drawn.impl.__class__.__module__.endswith("_xlremote"):
        from xlwings.pro import _xlremote

        return xw.main.ChartSeriesCollection(
            impl=_xlremote.ChartSeriesCollection(drawn.impl, count=count))
    return drawn.series


def _height_runs(heights: list[float | None]) -> list[tuple[int, int, float]]:
    runs: list[tuple[int, int, float]] = []
    for number, height in enumerate(heights, start=1):
        if height is None:
            continue
        if runs and runs[-1][2] == height and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number, height)
        else:
            runs.append((number, number, height))
    return runs


def _stack(boxes: list[Box]) -> list[Box]:
    """Cells of one style stacked in the same columns on consecutive rows, as one box."""
    stacked: list[Box] = []
    last: dict[tuple[int, int], int] = {}  # columns -> index in stacked of their lowest box
    for top, left, bottom, right in sorted(boxes, key=lambda b: (b[1], b[3], b[0])):
        at = last.get((left, right))
        if at is not None and stacked[at][2] == top - 1:
            stacked[at] = (stacked[at][0], left, bottom, right)
        else:
            last[(left, right)] = len(stacked)
            stacked.append((top, left, bottom, right))
    return stacked


def _whole_rows(boxes: list[Box]) -> list[Box]:
    """Bordered cells side by side on one row, as one box per row."""
    by_row: dict[int, list[Box]] = defaultdict(list)
    for box in boxes:
        by_row[box[0]].append(box)
    joined: list[Box] = []
    for row, found in by_row.items():
        found.sort(key=lambda b: b[1])
        start = found[0]
        for box in found[1:]:
            if box[1] == start[3] + 1:
                start = (row, start[1], row, box[3])
            else:
                joined.append(start)
                start = box
        joined.append(start)
    return joined


def _style(cells: xw.Range, style: Style, base: Style | None) -> None:
    """Give cells a style: everything when ``base`` is None, else only what differs from it."""

    def differs(name: str) -> bool:
        return base is None or getattr(style, name) != getattr(base, name)

    font = cells.font
    if differs("font"):
        font.name = style.font
    if differs("size"):
        font.size = style.size
    if differs("bold"):
        font.bold = style.bold
    if differs("italic"):
        font.italic = style.italic
    if differs("colour"):
        font.color = f"#{style.colour}"
    if style.fill and differs("fill"):
        cells.color = f"#{style.fill}"
    if differs("horizontal"):
        cells.horizontal_alignment = style.horizontal
    if differs("vertical"):
        cells.vertical_alignment = style.vertical
    if differs("wrap"):
        cells.wrap_text = style.wrap
    if style.number_format and differs("number_format"):
        cells.number_format = style.number_format
