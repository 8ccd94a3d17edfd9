"""The plan workbook as LibreOffice prints it: every row tall enough for its text.

The committed demo plan (whose Actions sheet has long wrapped texts) is converted to PDF
once for the module (``ragbook.pdf.to_pdf``); ``pdftotext -bbox`` gives every word's box on
every page. On each table sheet, a row's top is where its first cell's text starts and its
bottom is that plus the row height stored in the sheet (scaled as the page is), so:

* the words printed inside a row's band, column by column, are the whole of the row's text
  (a row too short pushes its last lines into the next row, or off the page);
* no line of text crosses below its row's bottom;
* the rows print at the heights the sheet stores, and the sheet prints over several pages
  with its header row on each, not shrunk onto one.

Like the other rendering tests, these skip when LibreOffice or poppler is not installed,
except on CI (the ``CI`` variable set), where they fail instead.
"""

from __future__ import annotations

import html
import itertools
import math
import re
import shutil
import statistics
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image

from conftest import DEMO_PLAN, rendering_tools
from ragbook.appendix import metrics
from ragbook.pdf import to_pdf
from ragbook.schema import ACTIONS, COMMENTARY, MEASURES, OUTCOMES, SETTINGS, Table

TOOLS = ("pdftotext", "pdftoppm")
PRINTED_TABLES = (SETTINGS, OUTCOMES, ACTIONS, MEASURES, COMMENTARY)
"""The tables of the demo plan that hold rows (Run log and History start empty)."""

LINE_PITCH = metrics.line_height("Calibri", 11, app="libreoffice")
"""Points from one line of Calibri 11 to the next in LibreOffice (11.125)."""


@pytest.fixture(scope="module")
def soffice() -> str:
    """LibreOffice and poppler, or a skip (a failure on CI)."""
    return rendering_tools(*TOOLS, purpose="the printed plan workbook")


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    @property
    def sheet(self) -> str:
        """The sheet printed on the page: its running header (``&A``) is its first line."""
        top = min(word.y_min for word in self.words)
        header = sorted((w for w in self.words if w.y_min < top + 2), key=lambda w: w.x_min)
        return " ".join(word.text for word in header)

    def body(self) -> list[Word]:
        """The words below the running header and above the footer ("Page 3 of 30")."""
        top = min(word.y_min for word in self.words)
        bottom = max(word.y_min for word in self.words)
        footer = sorted((w for w in self.words if w.y_min > bottom - 1), key=lambda w: w.x_min)
        low = bottom - 1 if re.fullmatch(r"Page \d+ of \d+",
                                          " ".join(w.text for w in footer)) else math.inf
        return [w for w in self.words if top + 2 < w.y_min < low]


@dataclass
class Printed:
    workbook: Workbook
    pdf: Path
    pages: list[Page]

    def pages_of(self, sheet: str) -> list[Page]:
        return [page for page in self.pages if page.sheet == sheet]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"(.*?)</word>", re.S)


def read_words(pdf: Path) -> list[Page]:
    """Every word of every page with its box (points from the page's top left)."""
    done = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True, timeout=120)
    return [Page(number, float(width), float(height),
                 [Word(html.unescape(text), *map(float, box))
                  for *box, text in _WORD.findall(body)])
            for number, (width, height, body) in enumerate(_PAGE.findall(done.stdout), start=1)]


@pytest.fixture(scope="module")
def printed(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    folder = tmp_path_factory.mktemp("plan-printed")
    plan = folder / DEMO_PLAN.name
    shutil.copyfile(DEMO_PLAN, plan)
    pdf = to_pdf(plan, folder)
    return Printed(load_workbook(plan), pdf, read_words(pdf))


# --- The sheet as stored -----------------------------------------------------------------------


def stored_height(sheet: Worksheet, row: int) -> float:
    height = sheet.row_dimensions[row].height
    return float(height if height is not None else sheet.sheet_format.defaultRowHeight)


def shown_text(value: object) -> str | None:
    """The text of a cell whose words are checked: text cells only (numbers are short)."""
    return value if isinstance(value, str) and value.strip() else None


def _squashed(text: str) -> str:
    """Text without its spaces and line breaks: how lines are broken does not matter."""
    return re.sub(r"\s+", "", text)


# --- The sheet as printed ----------------------------------------------------------------------


@dataclass
class Band:
    """Where one row printed: from the top of its first line's word boxes, ``height`` down."""

    row: int
    top: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height


def column_lefts(page: Page, table: Table) -> tuple[float, list[float]]:
    """The header row's top on the page, and each column's left edge: a header is
    top-aligned, so its first word is on the row's first line, 1 pt inside the column."""
    body = page.body()
    top = min(word.y_min for word in body)
    first_line = sorted((w for w in body if w.y_min < top + 1), key=lambda w: w.x_min)
    lefts: list[float] = []
    for name in table.headers:
        first = name.split()[0]
        after = lefts[-1] + 1.5 if lefts else -1.0
        found = min((w.x_min for w in first_line if w.text == first and w.x_min > after),
                    default=None)
        assert found is not None, f"{table.sheet} page {page.number}: header {name!r} not found"
        lefts.append(found - 0.5)
    return top, lefts


def column_of(word: Word, lefts: list[float]) -> int:
    """The column (1-based) a word printed in; 0 left of the first."""
    return sum(1 for left in lefts if word.x_min >= left)


@dataclass
class PrintedSheet:
    """A table sheet's pages: the header's and each data row's band, and the page scale."""

    sheet: Worksheet
    table: Table
    pages: list[Page]
    scale: float
    bands: dict[int, tuple[Page, Band, list[float]]]
    headers: list[tuple[Page, Band, list[float]]]

    @property
    def slack(self) -> float:
        """How far above a row's first line's top a line of the row may start: a quarter of
        a line, well below the difference between two lines."""
        return 0.25 * LINE_PITCH * self.scale


def last_row(sheet: Worksheet) -> int:
    row = sheet.max_row
    while row > 1 and sheet.cell(row, 1).value is None:
        row -= 1
    return row


def locate(printed: Printed, table: Table) -> PrintedSheet:
    """Find every row of ``table``'s sheet on its pages, by its first column's text."""
    sheet = printed.workbook[table.sheet]
    pages = printed.pages_of(table.sheet)
    assert pages, f"{table.sheet} did not print"
    final = last_row(sheet)
    anchors: list[tuple[Page, int, Word]] = []
    tops: list[tuple[Page, float, list[float]]] = []
    row = 2
    for page in pages:
        top, lefts = column_lefts(page, table)
        tops.append((page, top, lefts))
        first_column = sorted((w for w in page.body() if column_of(w, lefts) == 1
                               and w.y_min > top + 1), key=lambda w: (w.y_min, w.x_min))
        for word in first_column:
            if row > final:
                break
            expected = str(sheet.cell(row, 1).value).split()[0]
            previous = anchors[-1] if anchors else None
            if word.text == expected and (previous is None or previous[0] is not page
                                          or word.y_min > previous[2].y_min + 1):
                anchors.append((page, row, word))
                row += 1
    assert row == final + 1, f"{table.sheet}: rows from {row} on were not found on its pages"
    gaps = [(later[2].y_min - earlier[2].y_min) / stored_height(sheet, earlier[1])
            for earlier, later in itertools.pairwise(anchors)
            if earlier[0] is later[0]]
    scale = statistics.median(gaps)
    by_page: dict[int, list[float]] = {page.number: lefts for page, _, lefts in tops}
    bands = {number: (page, Band(number, word.y_min, scale * stored_height(sheet, number)),
                      by_page[page.number])
             for page, number, word in anchors}
    headers = [(page, Band(1, top, scale * stored_height(sheet, 1)), lefts)
               for page, top, lefts in tops]
    return PrintedSheet(sheet, table, pages, scale, bands, headers)


def words_in(page: Page, band: Band, lefts: list[float], column: int,
             slack: float) -> list[Word]:
    """The words in ``column`` whose line starts inside ``band``."""
    return [w for w in page.body()
            if band.top - slack <= w.y_min < band.bottom - slack
            and column_of(w, lefts) == column]


def text_in(page: Page, band: Band, lefts: list[float], column: int, slack: float) -> str:
    words = sorted(words_in(page, band, lefts, column, slack),
                   key=lambda w: (round(w.y_min, 0), w.x_min))
    return " ".join(word.text for word in words)


@pytest.fixture(scope="module", params=[table.name for table in PRINTED_TABLES])
def printed_sheet(request: pytest.FixtureRequest, printed: Printed) -> PrintedSheet:
    table = next(table for table in PRINTED_TABLES if table.name == request.param)
    return locate(printed, table)


def _rows_and_cells(located: PrintedSheet) -> Iterator[tuple[int, int, str]]:
    for number in sorted(located.bands):
        for column in range(1, len(located.table.columns) + 1):
            text = shown_text(located.sheet.cell(number, column).value)
            if text is not None:
                yield number, column, text


# --- The tests ---------------------------------------------------------------------------------


def test_rows_print_at_the_heights_the_sheet_stores(printed_sheet: PrintedSheet) -> None:
    located = printed_sheet
    ordered = sorted(located.bands.items())
    wrong = [f"{located.sheet.title} row {number}: printed "
             f"{(later.top - band.top) / located.scale:.2f} pt tall, stored "
             f"{stored_height(located.sheet, number):.2f} pt"
             for (number, (page, band, _)), (_, (next_page, later, _))
             in itertools.pairwise(ordered)
             if page is next_page and abs(later.top - band.bottom) > 0.25]
    assert not wrong, "\n".join(wrong[:15])


def test_every_row_holds_all_of_its_text(printed_sheet: PrintedSheet) -> None:
    """No row's text is taller than the row: all of it prints inside the row's band."""
    located = printed_sheet
    short: list[str] = []
    for number, column, text in _rows_and_cells(located):
        page, band, lefts = located.bands[number]
        inside = text_in(page, band, lefts, column, located.slack)
        if _squashed(inside) != _squashed(text):
            short.append(f"{located.sheet.title}!{get_column_letter(column)}{number} "
                         f"(page {page.number}, {stored_height(located.sheet, number):g} pt "
                         f"tall): printed ...{inside[-40:]!r} inside its row, "
                         f"expected ...{text[-40:]!r}")
    assert not short, f"{len(short)} cells do not fit their rows:\n" + "\n".join(short[:15])


def test_no_line_crosses_below_its_row(printed_sheet: PrintedSheet) -> None:
    """The last line of every cell ends above the row's bottom edge.

    A word's box (pdftotext) runs from the font's OS/2 ascent to its descent; LibreOffice's
    line is the hhea ascender to descender, set 1 pt below the row's top (its cell margin).
    The row's bottom is its first line's box top, moved down to the row's top, plus the
    stored height; the line's bottom is its box bottom, moved up to the hhea descender.
    """
    located = printed_sheet
    font = metrics.font_metrics("Calibri")
    em = 11 / font.units_per_em * located.scale
    above = (font.win_ascent - font.hhea_ascender) * em  # box top above the line's top
    below = (font.win_descent + font.hhea_descender) * em  # box bottom below the line's
    margin = metrics.LIBREOFFICE_VERTICAL_MARGIN_PT / 2 * located.scale
    crossing: list[str] = []
    for number, column, _ in _rows_and_cells(located):
        page, band, lefts = located.bands[number]
        words = words_in(page, band, lefts, column, located.slack)
        if not words:
            continue
        row_bottom = band.bottom + above - margin
        line_bottom = max(w.y_max for w in words) - below
        if line_bottom > row_bottom + 0.1:
            crossing.append(f"{located.sheet.title}!{get_column_letter(column)}{number}: "
                            f"its text ends {(line_bottom - row_bottom) / located.scale:.1f} "
                            "pt below the row")
    assert not crossing, "\n".join(crossing[:15])


def test_the_header_row_holds_its_headers_on_every_page(printed_sheet: PrintedSheet) -> None:
    located = printed_sheet
    assert len(located.headers) == len(located.pages)
    for page, band, lefts in located.headers:
        for column, name in enumerate(located.table.headers, start=1):
            inside = text_in(page, band, lefts, column, located.slack)
            assert _squashed(inside) == _squashed(name), (located.sheet.title, page.number,
                                                          name, inside)


def test_the_actions_sheet_prints_over_several_pages_one_page_wide(printed: Printed) -> None:
    """Fit to one page wide, as many tall as it takes: each page but the last is filled
    with rows, and the columns reach across the page."""
    located = locate(printed, ACTIONS)
    pages = located.pages
    assert len(pages) >= 2, f"82 actions shrunk onto {len(pages)} page"
    header = located.headers[0][1].height
    for page in pages:
        _, lefts = column_lefts(page, ACTIONS)
        assert len(lefts) == len(ACTIONS.columns), f"page {page.number}: every column"
        right = lefts[-1] + located.scale * metrics.LIBREOFFICE_POINTS_PER_CHARACTER * \
            ACTIONS.columns[-1].width
        assert 0.9 * page.width < right < page.width, f"page {page.number}: one page wide"
    printable = pages[0].height - 2 * 0.6 * 72  # less the top and bottom margins
    for page in pages[:-1]:
        rows = sum(band.height for on, band, _ in located.bands.values() if on is page)
        assert header + rows > 0.8 * printable, f"page {page.number} is not filled"


def test_a_picture_of_an_actions_page_has_text_and_fills(printed: Printed,
                                                         tmp_path: Path) -> None:
    """The first Actions page as a picture (``pdftoppm``, for a person to look at too): not
    blank, with the header row's fill and the Previous RAG fills drawn."""
    page = printed.pages_of(ACTIONS.sheet)[0]
    prefix = tmp_path / "actions"
    subprocess.run(["pdftoppm", "-f", str(page.number), "-l", str(page.number), "-r", "60",
                    "-png", str(printed.pdf), str(prefix)], check=True, timeout=120)
    (picture,) = tmp_path.glob("actions*.png")
    image = Image.open(picture).convert("RGB")
    grey = image.convert("L")
    assert sum(grey.histogram()[:200]) / (image.width * image.height) > 0.01, "blank page"
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20) or []}
    for name, wanted in {"amber": (0xFF, 0xC0, 0x00), "green": (0x00, 0xB0, 0x50),
                         "header grey": (0xD9, 0xD9, 0xD9)}.items():
        assert any(all(abs(a - b) <= 8 for a, b in zip(colour, wanted, strict=True))
                   for colour in colours), f"no {name} on the Actions page"
