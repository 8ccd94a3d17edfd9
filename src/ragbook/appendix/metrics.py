"""Text measurement for the printed appendix: widths, line wrapping and row heights.

Neither Excel nor LibreOffice auto-fits the height of a merged cell, and LibreOffice does not
auto-fit rows when it opens a file, so ragbook writes every row height itself.  Widths and
vertical metrics come from the fonts (``ragbook/data/font_metrics.json``, generated from
Carlito and Liberation Sans, the metric-compatible stand-ins for Calibri and Arial, by
``python -m ragbook.appendix.make_metrics``); nothing here needs fontTools or Pillow.

The two programs lay a wrapped cell out differently, so each has its own model and by
default (``app="both"``) a row is made tall enough for both.

LibreOffice (measured with LibreOffice 7.4: ``soffice --headless --convert-to pdf``, text
positions read back with ``pdftotext -bbox``; ``tests/test_metrics.py`` repeats the check):

* a column of OOXML width *w* is ``5.55 * w`` points wide (its digit width for the default
  Calibri 11), about 6% wider than Excel's ``7 * w`` pixels;
* text starts 1 pt inside the cell.  With 1 pt each side (``LIBREOFFICE_CELL_PADDING_PT``)
  and text taken to be 0.6% wider than its advance widths add up to
  (``LIBREOFFICE_TEXT_SCALE``; LibreOffice kerns and rounds, and sets lines up to 0.4% wider
  or narrower), ``wrap`` gave at least LibreOffice's line count for all 829 paragraphs tried
  (with 1 pt of padding in all, 81 had too few lines; with 2 pt and no scale, 3);
* lines are the hhea ascender + descender apart, without the line gap (Calibri 11: 11.1 pt
  against Excel's 15; Arial 10: 11.2 pt), plus up to 0.12 pt of rounding
  (``LIBREOFFICE_LINE_ROUNDING_PT``); the cell's top and bottom margins take 2 pt
  (``LIBREOFFICE_VERTICAL_MARGIN_PT``);
* a row height that is not a whole number of pixels is cut down to one, so heights here are
  always rounded up to a multiple of 0.75 pt;
* lines break after spaces and hyphens but never before ``/ , . : ;`` or a closing bracket,
  even after a space (Unicode line breaking); a word too long for a line breaks after some
  slashes and hyphens and otherwise between characters.

Excel (not available to measure: its documented defaults, and assumptions erring wide):

* a column of width *w* is ``trunc(((256 * w + trunc(128 / 7)) / 256) * 7)`` pixels (the
  OOXML formula, 7 px being Calibri 11's widest digit), 5 px of it padding
  (``EXCEL_CELL_PADDING_PT``);
* each line takes the font's default row height, Excel's 15 pt for Calibri 11 and 12.75 pt
  for Arial 10.  For other sizes the rule that reproduces those two is used: the font set at
  a whole number of pixels at 96 dpi, its OS/2 ascent and descent rounded, plus 2 px;
* text is taken to be laid out at that whole pixel size (Calibri 11 at 15 px rather than
  14.67 px, 2.3% wider), with a further 2% for hinting and printer fonts
  (``EXCEL_TEXT_SCALE``);
* a row gets one pixel more than its lines (``EXCEL_VERTICAL_MARGIN_PT``).

By default (``app="both"``) a row is as tall as the taller of the two.  Excel's 15 pt per
Calibri 11 line is a third more than LibreOffice's 11.1 pt, so in LibreOffice such a row
shows about a third of its text's height as space below the text (top-align wrapped cells);
``app="libreoffice"`` or ``app="excel"`` sizes rows for one program alone.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

App = Literal["both", "excel", "libreoffice"]
Cell = tuple[str, float, str, float, bool]
"""One cell of a row: text, width in points (summed over merged columns), font, size, bold."""

POINTS_PER_PIXEL = 0.75  # 72 points per inch over 96 pixels per inch
MAX_ROW_HEIGHT = 409.5  # Excel's tallest row, in points (546 px)
MAX_DIGIT_WIDTH_PX = 7  # widest digit of the default font, Calibri 11, at 96 dpi

# Excel: documented defaults (Excel is not available here to measure).
EXCEL_CELL_PADDING_PT = 5 * POINTS_PER_PIXEL  # horizontal, both sides together
EXCEL_LINE_EXTRA_PX = 2  # added to the font's rounded ascent + descent for one line
EXCEL_TEXT_SCALE = 1.02  # allowance for hinted widths and printer fonts
EXCEL_VERTICAL_MARGIN_PT = POINTS_PER_PIXEL  # one pixel more than the lines need

# LibreOffice: measured with LibreOffice 7.4 (see the module docstring).
LIBREOFFICE_CELL_PADDING_PT = 2.0  # horizontal, both sides together
LIBREOFFICE_TEXT_SCALE = 1.006  # lines measured up to 0.4% wider than their advance widths
LIBREOFFICE_POINTS_PER_CHARACTER = 5.55  # column width per OOXML width unit
LIBREOFFICE_LINE_ROUNDING_PT = 0.125  # line pitch beyond ascender + descender
LIBREOFFICE_VERTICAL_MARGIN_PT = 2.0  # top and bottom cell margins together

_APPS: tuple[Literal["excel", "libreoffice"], ...] = ("excel", "libreoffice")
_FONT_ALIASES = {"calibri": "Calibri", "carlito": "Calibri", "arial": "Arial",
                 "liberation sans": "Arial"}


@dataclass(frozen=True)
class FontMetrics:
    """One font style: advance widths and vertical metrics, in font units."""

    units_per_em: int
    widths: dict[int, int]
    default_width: int
    win_ascent: int
    win_descent: int
    hhea_ascender: int
    hhea_descender: int

    def advance(self, char: str) -> int:
        """Advance width of one character in font units."""
        width = self.widths.get(ord(char))
        return self._fallback_advance(char) if width is None else width

    def _fallback_advance(self, char: str) -> int:
        """Characters the font lacks: marks take no room, symbols and CJK a whole em."""
        category = unicodedata.category(char)
        if category in {"Mn", "Me", "Cf", "Cc"}:
            return 0
        if category == "So" or unicodedata.east_asian_width(char) in {"W", "F"}:
            return self.units_per_em
        return self.default_width


def _parse_widths(runs: dict[str, str]) -> dict[int, int]:
    widths: dict[int, int] = {}
    for span, values in runs.items():
        first = int(span.split("-")[0], 16)
        for offset, value in enumerate(values.split()):
            widths[first + offset] = int(value)
    return widths


def _font_from_record(record: dict[str, Any]) -> FontMetrics:
    return FontMetrics(
        units_per_em=record["units_per_em"],
        widths=_parse_widths(record["widths"]),
        default_width=record["default_width"],
        win_ascent=record["win"]["ascent"],
        win_descent=record["win"]["descent"],
        hhea_ascender=record["hhea"]["ascender"],
        hhea_descender=record["hhea"]["descender"],
    )


@cache
def _all_fonts() -> dict[tuple[str, str], FontMetrics]:
    source = resources.files("ragbook").joinpath("data/font_metrics.json")
    document = json.loads(source.read_text(encoding="utf-8"))
    return {(family, style): _font_from_record(record)
            for family, styles in document["fonts"].items()
            for style, record in styles.items()}


def family_name(font: str) -> str:
    """The family with metrics: "Calibri" (or Carlito) and "Arial" (or Liberation Sans)."""
    try:
        return _FONT_ALIASES[font.strip().lower()]
    except KeyError:
        raise ValueError(f"no font metrics for {font!r}: use Calibri or Arial") from None


def font_metrics(font: str = "Calibri", bold: bool = False, italic: bool = False) -> FontMetrics:
    """Metrics of one style of Calibri or Arial."""
    style = {(False, False): "regular", (True, False): "bold", (False, True): "italic",
             (True, True): "bold_italic"}[(bold, italic)]
    return _all_fonts()[(family_name(font), style)]


def text_width(text: str, font: str = "Calibri", size: float = 11, bold: bool = False,
               *, italic: bool = False) -> float:
    """Width of ``text`` set on one line, in points: the sum of its advance widths."""
    metrics = font_metrics(font, bold, italic)
    return sum(map(metrics.advance, text)) * size / metrics.units_per_em


_BREAKS = re.compile(r"\r\n|\r|\n")
# A break opportunity: after a run of spaces, or after a hyphen between two letters.
_PIECE = re.compile(r"[^ ]*?(?:(?<=[^\W\d_])-(?=[^\W\d_])| +|$)")


# Unicode line breaking (UAX #14, LB13), which LibreOffice follows: no break before closing
# punctuation, "!", "?", ",", ".", ":", ";" or "/", even after spaces.
_NO_BREAK_BEFORE = frozenset(")]},.:;!?/")


def _pieces(paragraph: str) -> list[str]:
    """Split a paragraph after every break opportunity; the pieces join back to it."""
    pieces: list[str] = []
    for piece in _PIECE.findall(paragraph):
        if pieces and piece[:1] in _NO_BREAK_BEFORE:
            pieces[-1] += piece
        elif piece:
            pieces.append(piece)
    return pieces


def _measure(text: str, advance: Callable[[str], int]) -> int:
    return sum(map(advance, text))


def _split_by_characters(word: str, limit: float, advance: Callable[[str], int]) -> list[str]:
    """Break a word that is wider than a line between characters (at least one a line)."""
    chunks: list[str] = []
    current, used = "", 0
    for char in word:
        width = advance(char)
        if current and used + width > limit:
            chunks.append(current)
            current, used = "", 0
        current += char
        used += width
    chunks.append(current)
    return chunks


# Inside a word too long for a line (a URL, say) LibreOffice breaks after some slashes and
# hyphens and between characters elsewhere.  Breaking after every slash and hyphen, and
# between characters only where that is not enough, took at least as many lines in the
# calibration.
_SEGMENT = re.compile(r".+?(?:[-/]+|$)")


def _split_word(word: str, limit: float, advance: Callable[[str], int]) -> list[str]:
    """Break a word that is wider than a line into lines."""
    chunks: list[str] = []
    current, used = "", 0
    for segment in _SEGMENT.findall(word):
        width = _measure(segment, advance)
        if current and used + width > limit:
            chunks.append(current)
            current, used = "", 0
        if not current and width > limit:
            *full_lines, current = _split_by_characters(segment, limit, advance)
            chunks.extend(full_lines)
            used = _measure(current, advance)
        else:
            current += segment
            used += width
    chunks.append(current)
    return chunks


def _wrap_paragraph(paragraph: str, limit: float, advance: Callable[[str], int]) -> list[str]:
    """Greedy line filling of one paragraph; spaces at a break hang past the limit."""
    lines: list[str] = []
    current, used = "", 0
    for piece in _pieces(paragraph):
        word = piece.rstrip(" ")
        word_width = _measure(word, advance)
        if current and used + word_width > limit:
            lines.append(current.rstrip(" "))
            current, used = "", 0
        if not current and word_width > limit:
            *full_lines, current = _split_word(word, limit, advance)
            lines.extend(full_lines)
            used = _measure(current, advance)
            piece = piece[len(word):]
        current += piece
        used += _measure(piece, advance)
    lines.append(current.rstrip(" "))
    return lines


def wrap(text: str, width: float, font: str = "Calibri", size: float = 11, bold: bool = False,
         *, italic: bool = False) -> list[str]:
    """The lines a wrapped cell ``width`` points wide (text area, no padding) shows ``text`` in.

    Explicit line breaks (``\\n``, ``\\r\\n``, ``\\r``) always break and empty lines are
    kept; otherwise lines break after spaces and after a hyphen between two letters, and a
    word wider than the whole line is broken between characters.
    """
    metrics = font_metrics(font, bold, italic)
    limit = width * metrics.units_per_em / size if size > 0 else math.inf
    lines: list[str] = []
    for paragraph in _BREAKS.split(text):
        lines.extend(_wrap_paragraph(paragraph, limit, metrics.advance))
    return lines


# --- columns ---------------------------------------------------------------------------------


def column_width_pixels(width: float) -> int:
    """Pixels at 96 dpi of an OOXML column ``width`` (openpyxl's ``column_dimensions[].width``).

    This is the stored width, which includes the padding: Excel's default column, shown as
    8.43 characters, is stored as 9.140625 and is 64 px wide.
    """
    offset = math.trunc(128 / MAX_DIGIT_WIDTH_PX)
    return math.trunc(((256 * width + offset) / 256) * MAX_DIGIT_WIDTH_PX)


def column_width_points(width: float) -> float:
    """Points of an OOXML column ``width``, as Excel lays it out."""
    return column_width_pixels(width) * POINTS_PER_PIXEL


def _libreoffice_column_points(points: float) -> float:
    """How wide LibreOffice makes a column that is ``points`` wide in Excel.

    The pixel count may have lost up to a pixel per column to truncation; one pixel is
    assumed lost, which errs towards a narrower column.
    """
    pixels = round(points / POINTS_PER_PIXEL)
    characters = max(pixels - 1, 0) / MAX_DIGIT_WIDTH_PX
    return characters * LIBREOFFICE_POINTS_PER_CHARACTER


def _gdi_pixel_size(size: float) -> int:
    """The whole-pixel em Windows renders ``size`` points at on a 96 dpi screen."""
    return math.floor(size / POINTS_PER_PIXEL + 0.5)


def _excel_text_scale(size: float) -> float:
    exact = size / POINTS_PER_PIXEL
    return max(1.0, _gdi_pixel_size(size) / exact) * EXCEL_TEXT_SCALE if exact else 1.0


def text_area_width(width: float, font: str = "Calibri", size: float = 11,
                    app: App = "both") -> float:
    """The ``wrap`` width of a cell ``width`` points wide: less padding, allowing for layout.

    For ``app="both"`` it is the narrower of the two programs' widths.
    """
    family_name(font)
    if app == "excel":
        area = (width - EXCEL_CELL_PADDING_PT) / _excel_text_scale(size)
    elif app == "libreoffice":
        area = (_libreoffice_column_points(width) - LIBREOFFICE_CELL_PADDING_PT) \
            / LIBREOFFICE_TEXT_SCALE
    else:
        area = min(text_area_width(width, font, size, each) for each in _APPS)
    return max(area, 0.0)


def line_count(text: str, width: float, font: str = "Calibri", size: float = 11,
               bold: bool = False, app: App = "both") -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` points wide."""
    if app == "both":
        return max(line_count(text, width, font, size, bold, each) for each in _APPS)
    return len(wrap(text, text_area_width(width, font, size, app), font, size, bold))


# --- heights ---------------------------------------------------------------------------------


def _excel_line_pixels(font: str, size: float, bold: bool) -> int:
    metrics = font_metrics(font, bold)
    em = _gdi_pixel_size(size)
    ascent = math.floor(metrics.win_ascent * em / metrics.units_per_em + 0.5)
    descent = math.floor(metrics.win_descent * em / metrics.units_per_em + 0.5)
    return ascent + descent + EXCEL_LINE_EXTRA_PX


def line_height(font: str = "Calibri", size: float = 11, bold: bool = False,
                app: App = "both") -> float:
    """Points from one line of a wrapped cell to the next (Calibri 11 in Excel: 15)."""
    if app == "excel":
        return _excel_line_pixels(font, size, bold) * POINTS_PER_PIXEL
    if app == "libreoffice":
        metrics = font_metrics(font, bold)
        extent = metrics.hhea_ascender - metrics.hhea_descender
        return size * extent / metrics.units_per_em + LIBREOFFICE_LINE_ROUNDING_PT
    return max(line_height(font, size, bold, each) for each in _APPS)


def _round_up_to_pixel(points: float) -> float:
    return math.ceil(points / POINTS_PER_PIXEL - 1e-9) * POINTS_PER_PIXEL


def row_height(lines: int, font: str = "Calibri", size: float = 11, bold: bool = False,
               app: App = "both") -> float:
    """Points a row needs for ``lines`` lines (at least one), in whole pixels, at most 409.5."""
    lines = max(lines, 1)
    if app == "both":
        return max(row_height(lines, font, size, bold, each) for each in _APPS)
    margin = EXCEL_VERTICAL_MARGIN_PT if app == "excel" else LIBREOFFICE_VERTICAL_MARGIN_PT
    height = lines * line_height(font, size, bold, app) + margin
    return min(_round_up_to_pixel(height), MAX_ROW_HEIGHT)


def cell_height(text: str, width: float, font: str = "Calibri", size: float = 11,
                bold: bool = False, app: App = "both") -> float:
    """Points of row height that show all of one wrapped cell ``width`` points wide."""
    if app == "both":
        return max(cell_height(text, width, font, size, bold, each) for each in _APPS)
    lines = line_count(text, width, font, size, bold, app)
    return row_height(lines, font, size, bold, app)


def fit_height(cells: Iterable[Cell], app: App = "both") -> float:
    """Height in points for a worksheet row that shows every cell's text completely.

    Each cell is ``(text, width, font, size, bold)`` with ``width`` the cell's width in points,
    summed over the columns of a merged cell.  At least one line of Calibri 11; at most
    ``MAX_ROW_HEIGHT``, so a longer text is cut off rather than the file made invalid.
    """
    heights = [cell_height(text, width, font, size, bold, app)
               for text, width, font, size, bold in cells]
    return max(heights, default=row_height(1, app=app))
