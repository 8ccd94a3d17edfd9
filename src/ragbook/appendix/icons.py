"""Variation and assurance in the appendix: Making Data Count's icons beside RAG.

* Under each outcome's Key Outcome Indicators: a table of the measures with enough figures
  for the icons, each with its variation and assurance (words on the icon's colour) and a
  small trend chart of its figures with the mean and the process limits; the measures with
  too few figures are named in one line below.
* A sheet of its own, "Variation", listing every measure's RAG, direction, variation and
  assurance side by side, with a key.
* The charts read their figures from a hidden sheet, "Chart data" (not published).
"""

from __future__ import annotations

from ragbook.appendix.layout import Cell, Chart, PageSetup, Row, Sheet, Trend
from ragbook.appendix.pages import Block, Pages
from ragbook.appendix.theme import Theme
from ragbook.measure_series import Series
from ragbook.variation import (
    COMMON,
    FAILING,
    HIT_AND_MISS,
    PASSING,
    TOO_FEW,
    SpcResult,
)

VARIATION_SHEET = "Variation"
CHART_DATA = "Chart data"
TREND_HEIGHT = 72.0
"""Points: a trend chart's row (about 2.5 cm)."""
TREND_WIDTH_CM = 6.0

FIGURE_COLOUR = "404040"
MEAN_COLOUR = "1F4E79"
LIMIT_COLOUR = "A6A6A6"


def icon_style(word: str) -> str:
    """The named style of a variation or assurance word: Making Data Count's colours."""
    if word.startswith("improvement") or word == PASSING:
        return "mdc improvement"
    if word.startswith("concern") or word == FAILING:
        return "mdc concern"
    if word.startswith("neutral"):
        return "mdc neutral"
    if word in (COMMON, HIT_AND_MISS):
        return "mdc common"
    return "mdc none"


def shown_word(word: object) -> str:
    """``improvement (high)`` -> ``Improvement (high)``; blank stays blank."""
    text = "" if word is None else str(word)
    return text[:1].upper() + text[1:]


class ChartData:
    """The hidden sheet the trend charts read their figures from, laid out on pages like
    every other sheet (LibreOffice prints hidden sheets)."""

    COLUMNS = (14.0, 11.0, 11.0, 11.0, 11.0)

    def __init__(self, theme: Theme, page: PageSetup) -> None:
        self.sheet = Sheet(CHART_DATA, list(self.COLUMNS), page=page, published=False,
                           hidden=True)
        self.pages = Pages(self.sheet, theme)
        width = len(self.COLUMNS)
        self.title = [Row([Cell("Chart data", "subtitle", span=width)], kind="title"),
                      Row([Cell("Not for publication: each measure's figures, mean and "
                                "process limits, as its trend chart in the Progress report "
                                "draws them.", "note", span=width)], kind="note")]

    @property
    def empty(self) -> bool:
        return not self.sheet.rows

    def add(self, ref: str, series: Series, result: SpcResult) -> tuple[int, int]:
        """The trend's figures as rows; (first, last) row of its figures."""
        header = Row([Cell(ref, "table header"), Cell("Figure", "table header"),
                      Cell("Mean", "table header"), Cell("Upper limit", "table header"),
                      Cell("Lower limit", "table header")], kind="table header")
        rows = [Row([Cell(period, "item"), Cell(value, "item number"),
                     Cell(_rounded(result.mean), "item number"),
                     Cell(_rounded(result.upper), "item number"),
                     Cell(_rounded(result.lower), "item number")], kind="item")
                for period, value in zip(series.periods, result.values, strict=True)]
        if not self.sheet.rows:
            self.pages.add(Block(self.title, keep=len(self.title)))
        # One block that never splits (a header repeated inside it would break the chart's
        # run of rows).
        self.pages.add(Block([header, *rows], keep=len(rows) + 1))
        placed = [number for number, row in enumerate(self.sheet.rows, start=1)
                  if row is rows[0] or row is rows[-1]]
        return placed[0], placed[-1]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def trend_chart(ref: str, rows: tuple[int, int], anchor: str,
                width_cm: float = TREND_WIDTH_CM) -> Chart:
    first, last = rows
    return Chart(title=f"{ref}: figures, mean and limits", kind="line",
                 categories=(1, first, last),
                 series=((2, first, last, FIGURE_COLOUR), (3, first, last, MEAN_COLOUR),
                         (4, first, last, LIMIT_COLOUR), (5, first, last, LIMIT_COLOUR)),
                 anchor=anchor, width_cm=width_cm, height_cm=TREND_HEIGHT * 2.54 / 72,
                 sheet=CHART_DATA, legend=False)


def trend_of(ref: str, series: Series, result: SpcResult, unit: str) -> Trend | None:
    if result.variation == TOO_FEW or result.mean is None or result.upper is None \
            or result.lower is None:
        return None
    return Trend(ref, series.periods, result.values, result.mean, result.upper, result.lower,
                 result.flagged, unit)


def variation_key(width: int, minimum: int) -> list[Row]:
    """What the words mean, for the Variation sheet."""
    lines = [
        "Making Data Count (NHS England) reads each measure's figures as a run over time, "
        "with a mean and process limits (the mean plus or minus 2.66 times the average "
        "change from one figure to the next).",
        "Variation: Improvement or Concern when the latest figure is a special cause (outside "
        "the limits, a shift of points on one side of the mean, a trend of points each "
        "rising or falling, or two of three near a limit), high or low; Neutral for a "
        "measure with no better direction; Common cause when the latest figure is within "
        "the usual variation.",
        "Assurance: Consistently passing or Consistently failing when the target lies "
        "outside the limits, on the passing or the failing side; Hit and miss when it lies "
        "between them; No target when there is none to compare.",
        f"Too few points: fewer figures than the {minimum} the icons need.",
    ]
    return [Row([Cell(text, "note", span=width)], kind="note") for text in lines]


def icon_cell(word: object, span: int = 1) -> Cell:
    text = "" if word is None else str(word)
    return Cell(shown_word(text), icon_style(text) if text else "item", span=span)
