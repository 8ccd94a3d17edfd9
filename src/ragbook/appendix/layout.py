"""The appendix described as data: sheets of rows of cells, with named styles.

Nothing here knows about openpyxl or Excel's object model. The layout is
built once (:mod:`ragbook.appendix.build`) and rendered by a backend: the file
backend (:mod:`ragbook.appendix.render_file`) writes a workbook, and the Excel
add-in renders the same description into the open workbook.

Where a style applies (a cell names its style) is kept apart from what the
style is (:class:`~ragbook.appendix.theme.Theme` holds them all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ragbook.variation import shown_amount

CellValue = str | float | int | date | None


@dataclass(frozen=True)
class Trend:
    """What a trend chart shows, for the web page to draw and to say in words."""

    ref: str
    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    mean: float
    upper: float
    lower: float
    flagged: tuple[int, ...]
    unit: str

    @property
    def description(self) -> str:
        """The chart in words: its text alternative."""
        present = [(p, v) for p, v in zip(self.periods, self.values, strict=True)
                   if v is not None]
        first, last = present[0], present[-1]
        gaps = sum(v is None for v in self.values)
        unit = self.unit
        missing = f" ({gaps} missing)" if gaps else ""
        return (f"Trend of {self.ref}: {len(present)} figures from {first[0]} to {last[0]}"
                f"{missing}; mean {shown_amount(self.mean, unit)}, limits "
                f"{shown_amount(self.lower, unit)} to {shown_amount(self.upper, unit)}; "
                f"latest {shown_amount(last[1], unit)}"
                + (f"; {len(self.flagged)} special-cause "
                   f"{'point' if len(self.flagged) == 1 else 'points'}" if self.flagged else ""))



@dataclass(frozen=True)
class Cell:
    """One cell: its value, the name of its style, and how many columns it spans."""

    value: CellValue = None
    style: str = "body"
    span: int = 1
    link: str | None = None
    """A place in the workbook to jump to, such as ``Actions!F5`` (data issues)."""
    figure: Trend | None = None
    """A trend chart drawn over the cell (the workbook's chart; the web page's picture);
    the cell's value is the chart in words."""


@dataclass
class Row:
    """A row of cells from column A; spans merge cells to the right."""

    cells: list[Cell]
    height: float | None = None
    """Points; None leaves the program's default."""
    page_break_before: bool = False
    new_page: bool = False
    """The layout starts a new page here (a new outcome), not only because a page is full:
    the web page's print styles break here too, and nowhere else by force."""
    kind: str = "body"
    """What the row is (``title``, ``table header``, ``item``, ``commentary``...):
    tests and backends may use it; it does not change how the row looks."""
    repeat: bool = False
    """A table header row, repeated at the top of a page when its table continues."""
    level: int | None = None
    """A heading row's level (1 for the title, 2 for an outcome...), for the web page and
    the tagged PDF; None for a row that is no heading."""
    caption: str | None = None
    """On a table's first header row: what the table is, for the web page's caption."""

    @property
    def width(self) -> int:
        return sum(cell.span for cell in self.cells)


@dataclass(frozen=True)
class Chart:
    """A chart drawn from cells of its own sheet (rows and columns are 1-based)."""

    title: str
    kind: Literal["stacked bar", "bar", "line"]
    categories: tuple[int, int, int]
    """(column, first row, last row) of the category labels."""
    series: tuple[tuple[int, int, int, str], ...]
    """(column, first row, last row, colour) for each series; the row above first row
    holds its name."""
    anchor: str
    """The top-left cell, such as ``H3``."""
    width_cm: float = 16
    height_cm: float = 9
    sheet: str | None = None
    """The sheet holding the chart's cells (None: its own)."""
    legend: bool = True


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: A4 landscape, one page wide, header and footer."""

    orientation: Literal["landscape", "portrait"] = "landscape"
    paper: Literal["A4"] = "A4"
    fit_width: int = 1
    header_left: str = ""
    header_centre: str = ""
    header_right: str = ""
    footer_left: str = ""
    footer_centre: str = ""
    footer_right: str = "Page {page} of {pages}"
    margins_cm: tuple[float, float, float, float] = (1.5, 1.2, 1.5, 1.2)
    """Top, right, bottom, left."""
    header_margin_cm: float = 0.6
    footer_margin_cm: float = 0.6


@dataclass
class Sheet:
    """One sheet of the appendix."""

    name: str
    columns: list[float]
    """Column widths, in Excel's character units."""
    rows: list[Row] = field(default_factory=list)
    page: PageSetup = field(default_factory=PageSetup)
    charts: list[Chart] = field(default_factory=list)
    freeze: str | None = None
    pages: int = 1
    """How many pages the layout expects this sheet to print on."""
    published: bool = True
    """Part of the report that goes to Cabinet. The officer's checklist is not: the web
    page and the PDF leave it out, and it prints only when asked for."""
    hidden: bool = False
    """A sheet of figures for the charts, hidden in the workbook."""

    def add(self, *rows: Row) -> None:
        self.rows.extend(rows)


@dataclass
class Appendix:
    """The whole appendix: its sheets in order."""

    title: str
    period: str
    sheets: list[Sheet]

    @property
    def pages(self) -> int:
        """Every sheet's pages, as printing the whole workbook gives them (LibreOffice prints
        hidden sheets too)."""
        return sum(sheet.pages for sheet in self.sheets)

    @property
    def visible_pages(self) -> int:
        """The pages of the sheets an officer sees (Excel prints no hidden sheet)."""
        return sum(sheet.pages for sheet in self.sheets if not sheet.hidden)

    def sheet(self, name: str) -> Sheet:
        return next(sheet for sheet in self.sheets if sheet.name == name)

    @property
    def published(self) -> list[Sheet]:
        """The sheets that go to Cabinet, in order."""
        return [sheet for sheet in self.sheets if sheet.published]
