"""Row heights and page breaks, worked out before anything is written.

Each row's height comes from the real width of its text in its font (see
:mod:`ragbook.appendix.metrics`), so wrapped and merged cells show in full in
Excel and in LibreOffice. Rows are laid onto A4 pages: a new outcome starts a
new page, a heading is never left alone at the foot of a page, and a table
that runs onto another page repeats its header row there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ragbook.appendix import metrics
from ragbook.appendix.layout import Cell, PageSetup, Row, Sheet
from ragbook.appendix.theme import Theme

CM = 72 / 2.54
A4 = (21.0 * CM, 29.7 * CM)
FILL = 0.96
"""How full a page may get: a little room for the programs' own rounding."""


def printable_height(page: PageSetup) -> float:
    """Points of a page that rows may fill."""
    short, long = A4
    height = short if page.orientation == "landscape" else long
    top, _, bottom, _ = page.margins_cm
    return (height - (top + bottom) * CM) * FILL


def printable_width(page: PageSetup) -> float:
    short, long = A4
    width = long if page.orientation == "landscape" else short
    _, right, _, left = page.margins_cm
    return width - (left + right) * CM


def row_height(row: Row, columns: list[float], theme: Theme) -> float:
    """The height that shows every cell of a row in full (at most Excel's 409.5 pt)."""
    cells = []
    position = 0
    for cell in row.cells:
        width: float = sum(metrics.column_width_points(w)
                    for w in columns[position:position + cell.span])
        position += cell.span
        style = theme.style(cell.style)
        text = "" if cell.value is None else _shown(cell.value)
        if not style.wrap:
            text = text.replace("\n", " ")
            width = 10_000.0
        cells.append((text, width, style.font, style.size, style.bold))
    return metrics.fit_height(cells)


TALLEST = metrics.MAX_ROW_HEIGHT - metrics.POINTS_PER_PIXEL
"""A row this tall may be cut: its text is split over continuation rows instead."""


def split_tall_row(row: Row, columns: list[float], theme: Theme) -> list[Row]:
    """A row too tall for Excel (409.5 pt) as several rows, its longest text shared out.

    The longest cell's words are split where a row is full; the row's other cells
    stay on the first row, and continuation rows keep their styles (and borders).
    """
    if row_height(row, columns, theme) < TALLEST:
        return [row]
    longest = max(range(len(row.cells)), key=lambda i: len(_shown(row.cells[i].value or "")))
    words = _shown(row.cells[longest].value or "").split(" ")
    rows: list[Row] = []
    first = True
    while words:
        fits, low, high = 1, 1, len(words)
        while low <= high:  # the most words that still fit in one row
            middle = (low + high) // 2
            trial = _with_text(row, longest, " ".join(words[:middle]), keep_others=first)
            if row_height(trial, columns, theme) < TALLEST:
                fits, low = middle, middle + 1
            else:
                high = middle - 1
        rows.append(_with_text(row, longest, " ".join(words[:fits]), keep_others=first))
        words = words[fits:]
        first = False
    return rows


def _with_text(row: Row, index: int, text: str, *, keep_others: bool) -> Row:
    cells = [replace(cell, value=text) if i == index
             else cell if keep_others else replace(cell, value=None, link=None)
             for i, cell in enumerate(row.cells)]
    return replace(row, cells=cells, height=None, page_break_before=False)


def _shown(value: object) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Block:
    """Rows that belong together: a heading with the start of its table, a table, a
    commentary section. ``keep`` leading rows never split across pages; ``header``
    rows are repeated when the block runs onto a new page."""

    rows: list[Row]
    keep: int = 1
    header: list[Row] = field(default_factory=list)
    new_page: bool = False


class Pages:
    """Lays blocks of rows onto pages, setting each row's height and page breaks."""

    def __init__(self, sheet: Sheet, theme: Theme) -> None:
        self.sheet = sheet
        self.theme = theme
        self.capacity = printable_height(sheet.page)
        self.used = 0.0
        self.pages = 1

    def measure(self, row: Row) -> float:
        if row.height is None:
            row.height = row_height(row, self.sheet.columns, self.theme)
        return row.height

    def add(self, block: Block) -> None:
        block.rows = [part for row in block.rows
                      for part in split_tall_row(row, self.sheet.columns, self.theme)]
        for row in block.rows + block.header:
            self.measure(row)
        kept = sum(row.height or 0 for row in block.rows[:block.keep])
        starts_page = block.new_page and bool(self.sheet.rows)
        overflows = self.used + kept > self.capacity and self.used > 0
        if starts_page or overflows:
            self._break(block.rows[0])
        block.rows[0].new_page = starts_page
        for index, row in enumerate(block.rows):
            height = row.height or 0
            if self.used + height > self.capacity and self.used > 0 and index >= block.keep:
                repeat = [replace(h, page_break_before=False, cells=list(h.cells), caption=None)
                          for h in block.header]
                if repeat:
                    self._break(repeat[0])
                    for copy in repeat:
                        self.sheet.rows.append(copy)
                        self.used += copy.height or 0
                else:
                    self._break(row)
            self.sheet.rows.append(row)
            self.used += height
        self.sheet.pages = self.pages

    def space(self, points: float) -> None:
        """Room for something that is not a row (a chart), on this page or the next."""
        if self.used + points > self.capacity and self.used > 0:
            self.pages += 1
            self.used = 0.0
            marker = Row([Cell(None)], height=metrics.line_height(), page_break_before=True,
                         kind="spacer")
            self.sheet.rows.append(marker)
        self.used += points
        self.sheet.pages = self.pages

    def _break(self, row: Row) -> None:
        row.page_break_before = True
        self.pages += 1
        self.used = 0.0
