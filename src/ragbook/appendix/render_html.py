"""The web backend: the published appendix as one accessible, self-contained HTML page.

It reads the same :class:`~ragbook.appendix.layout.Appendix` the workbook is written
from, so the page holds the same items, ratings, texts and order. What the layout
marks, the page says in HTML: a heading row's level becomes ``h1`` to ``h4``, a table's
header row becomes ``th`` cells with ``scope`` under a ``caption``, a rating is a word
(``Red``) as well as its colour, an arrow has its word beside it (``↑ improving``).
Only the published sheets are shown; the Officer's checklist is left out.

Print styles (CSS paged media) give A4 landscape, the running header, the footer and
"Page n of N", so the tagged PDF (:mod:`ragbook.appendix.publish`) is printed from
this same page.

Every text from the workbook is escaped: nothing an officer typed becomes markup.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ragbook.appendix.layout import Appendix, Cell, PageSetup, Row, Sheet, Trend
from ragbook.appendix.theme import Theme, contrast_ratio
from ragbook.ratings import ARROW_NAMES, NOT_APPLICABLE
from ragbook.schema import RAG_FILLS, RAG_FONTS

LANGUAGE = "en-GB"
RATING_WORDS = {"R": "Red", "A": "Amber", "G": "Green"}
"""A rating as the page writes it: the word, on the rating's colour."""
TABLE_KINDS = frozenset({"table header", "item", "variation item", "key", "total"})
HEADING_TAGS = {1: "h1", 2: "h2", 3: "h3", 4: "h4", 5: "h5", 6: "h6"}
FONT_FALLBACKS = {"Calibri": '"Calibri", "Carlito", ', "Arial": '"Arial", "Liberation Sans", '}


def rating_word(value: object) -> str:
    """``R`` as ``Red``; words (No data, n/a) and the key's RED as they are."""
    text = "" if value is None else str(value)
    return RATING_WORDS.get(text, text)


def arrow_text(value: object) -> tuple[str, str]:
    """An arrow and its word: ``("↑", "improving")``; ``("", "n/a")`` for no arrow."""
    text = "" if value is None else str(value)
    if text in ARROW_NAMES:
        return text, ARROW_NAMES[text]
    return "", text or NOT_APPLICABLE


def render_html(appendix: Appendix, theme: Theme) -> str:
    """The published appendix as one HTML page (UTF-8 text)."""
    sheets = appendix.published
    page = sheets[0].page if sheets else PageSetup()
    body = "\n".join(_sheet(sheet, number) for number, sheet in enumerate(sheets))
    title = f"{appendix.title}: {appendix.period}"
    return (f'<!DOCTYPE html>\n<html lang="{LANGUAGE}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_escape(title)}</title>\n"
            f'<meta name="author" content="{_escape(page.header_left)}">\n'
            f'<meta name="description" content="{_escape(title)}">\n'
            f"<style>\n{stylesheet(theme, page)}</style>\n</head>\n<body>\n"
            f'<header class="running"><span>{_escape(page.header_left)}'
            f"</span><span>{_escape(page.header_centre)}</span>"
            f"<span>{_escape(page.header_right)}</span></header>\n"
            f"<main>\n{body}\n</main>\n"
            f'<footer class="page-footer"><p>{_escape(page.footer_left)}</p></footer>\n'
            "</body>\n</html>\n")


def _escape(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _slug(style: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", style.lower()).strip("-") or "body"


# --- Sheets, in runs of rows -------------------------------------------------------------


@dataclass
class _Run:
    """Consecutive rows that are one table, or one row that is not."""

    rows: list[Row]
    table: bool


def _runs(sheet: Sheet) -> Iterator[_Run]:
    """The sheet's rows as tables and single rows. A table starts at a header row with a
    caption; header rows repeated where a page breaks are left out (the page repeats a
    table's head itself when printed)."""
    current: list[Row] | None = None
    for row in sheet.rows:
        if row.kind in ("spacer", "chart"):
            continue
        if row.kind == "table header" and row.caption is not None:
            if current:
                yield _Run(current, True)
            current = [row]
            continue
        if current is not None and row.kind in TABLE_KINDS:
            if row.kind == "table header" and any(r.kind != "table header" for r in current):
                continue  # a repeated header
            current.append(row)
            continue
        if current:
            yield _Run(current, True)
            current = None
        yield _Run([row], False)
    if current:
        yield _Run(current, True)


def _sheet(sheet: Sheet, number: int) -> str:
    parts = [f'<section class="sheet{" new-page" if number else ""}" '
             f'id="{_slug(sheet.name)}">']
    for run in _runs(sheet):
        parts.append(_table(run.rows, sheet) if run.table else _line(run.rows[0]))
    parts.append("</section>")
    return "\n".join(parts)


def _line(row: Row) -> str:
    """A row that is no table: a heading, or a paragraph."""
    text = " ".join(str(cell.value) for cell in row.cells if cell.value not in (None, ""))
    if not text:
        return ""
    style = row.cells[0].style
    classes = _slug(style) + (" new-page" if row.new_page else "")
    if row.level is not None:
        tag = HEADING_TAGS[min(max(row.level, 1), 6)]
        return f'<{tag} class="{classes}">{_escape(text)}</{tag}>'
    return f'<p class="{classes}">{_paragraph(text)}</p>'


def _paragraph(text: str) -> str:
    return "<br>".join(_escape(line) for line in text.split("\n"))


# --- Tables ------------------------------------------------------------------------------


def _shown_cells(row: Row) -> list[tuple[Cell, int]]:
    """A table row's cells with their first column, leaving out the blank gaps the
    workbook keeps between groups of columns (the Summary's)."""
    cells = []
    position = 0
    for cell in row.cells:
        if not (cell.style == "body" and cell.value in (None, "")):
            cells.append((cell, position))
        position += cell.span
    return cells


def _table(rows: list[Row], sheet: Sheet) -> str:
    heads = [row for row in rows if row.kind == "table header"]
    body = [row for row in rows if row.kind != "table header"]
    caption = heads[0].caption or ""
    widths = _column_widths(heads[-1], sheet)
    lines = [f'<div class="table-wrap" role="region" aria-label="{_escape(caption)}" '
             'tabindex="0">',
             "<table>", f"<caption>{_escape(caption)}</caption>", "<colgroup>"]
    lines += [f'<col style="width: {width:.1f}%">' for width in widths]
    lines += ["</colgroup>", "<thead>"]
    lines += [_header_row(row, last=index == len(heads) - 1) for index, row in enumerate(heads)]
    lines += ["</thead>", "<tbody>"]
    columns = len(widths)
    lines += [_body_row(row, columns) for row in body]
    lines += ["</tbody>", "</table>", "</div>"]
    return "\n".join(lines)


def _column_widths(header: Row, sheet: Sheet) -> list[float]:
    spans = [sum(sheet.columns[start:start + cell.span]) for cell, start in _shown_cells(header)]
    total = sum(spans) or 1.0
    return [100 * span / total for span in spans]


def _header_row(row: Row, *, last: bool) -> str:
    cells = []
    for cell, _ in _shown_cells(row):
        span = f' colspan="{cell.span}"' if cell.span > 1 and not last else ""
        scope = "colgroup" if span else "col"
        cells.append(f'<th scope="{scope}"{span}>{_paragraph(str(cell.value or ""))}</th>')
    return "<tr>" + "".join(cells) + "</tr>"


def _body_row(row: Row, columns: int) -> str:
    shown = _shown_cells(row)
    if len(shown) == 1 and columns > 1:  # a sentence across the table ("No red ... items")
        cell = shown[0][0]
        return (f'<tr><td colspan="{columns}" class="{_slug(cell.style)}">'
                f"{_paragraph(str(cell.value or ''))}</td></tr>")
    cells = []
    for index, (cell, _) in enumerate(shown):
        tag = "th" if index == 0 else "td"
        scope = ' scope="row"' if index == 0 else ""
        cells.append(f'<{tag}{scope} class="{_slug(cell.style)}">{_cell_text(cell)}</{tag}>')
    return "<tr>" + "".join(cells) + "</tr>"


def _cell_text(cell: Cell) -> str:
    if cell.figure is not None:
        return trend_svg(cell.figure)
    if cell.style.startswith("mdc "):
        return f"{_icon(cell.style)}{_escape(cell.value)}"
    if cell.style.startswith("rag "):
        return _escape(rating_word(cell.value))
    if cell.style == "arrow":
        arrow, word = arrow_text(cell.value)
        if not arrow:
            return _escape(word)
        return f'<span class="arrow-sign" aria-hidden="true">{arrow}</span> {_escape(word)}'
    value = cell.value
    if isinstance(value, date):
        return _escape(value.strftime("%d/%m/%Y"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _paragraph("" if value is None else str(value))


# --- Making Data Count's pictures ------------------------------------------------------------

_ICON_COLOURS = {"mdc improvement": "#00B0F0", "mdc concern": "#E46C0A",
                 "mdc neutral": "#490092", "mdc common": "#A6A6A6"}


def _icon(style: str) -> str:
    """A small round icon in the word's colour, beside the word (which says it all)."""
    colour = _ICON_COLOURS.get(style)
    if colour is None:
        return ""
    return f'<span class="mdc-icon" style="background: {colour}" aria-hidden="true"></span> '


def trend_svg(trend: Trend, width: float = 320, height: float = 72) -> str:
    """A small trend chart: the figures (a gap where one is missing), the mean and the two
    process limits, with the chart in words as its text alternative."""
    present = [v for v in trend.values if v is not None]
    low = min([*present, trend.lower])
    high = max([*present, trend.upper])
    span = (high - low) or 1.0
    pad = 6.0
    count = max(len(trend.values) - 1, 1)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * i / count

    def y(v: float) -> float:
        return pad + (height - 2 * pad) * (high - v) / span

    lines = []
    run: list[str] = []
    for i, value in enumerate(trend.values):
        if value is None:
            if len(run) > 1:
                lines.append(run)
            run = []
            continue
        run.append(f"{x(i):.1f},{y(value):.1f}")
    if run:
        lines.append(run)
    paths = "".join(f'<polyline points="{" ".join(points)}" fill="none" stroke="#404040" '
                    'stroke-width="1.5"/>' for points in lines)
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{3 if i in trend.flagged else 2}" '
        f'fill="{"#E46C0A" if i in trend.flagged else "#404040"}"/>'
        for i, v in enumerate(trend.values) if v is not None)
    rules = "".join(
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
        f'stroke="{colour}" stroke-width="1"{dash}/>'
        for v, colour, dash in ((trend.mean, "#1F4E79", ""),
                                (trend.upper, "#767676", ' stroke-dasharray="4 3"'),
                                (trend.lower, "#767676", ' stroke-dasharray="4 3"')))
    picture = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
               f'width="{width:g}" height="{height:g}">{rules}{paths}{dots}</svg>')
    # An image with its words as alt: the web page and the tagged PDF both carry them.
    data = base64.b64encode(picture.encode("utf-8")).decode("ascii")
    return (f'<img class="trend" src="data:image/svg+xml;base64,{data}" '
            f'width="{width:g}" height="{height:g}" alt="{_escape(trend.description)}">')


# --- Styles --------------------------------------------------------------------------------


def _css_string(text: str) -> str:
    """Text as a CSS string: quotes, backslashes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\n\r\f]", " ", escaped) + '"'


def _readable_on(fill: str) -> str:
    """White or black letters, whichever reads better on ``fill``."""
    return "FFFFFF" if contrast_ratio("FFFFFF", fill) >= contrast_ratio("000000", fill) \
        else "000000"


def stylesheet(theme: Theme, page: PageSetup) -> str:
    """The page's CSS: screen, and print (A4 landscape, header, footer, page numbers)."""
    font = FONT_FALLBACKS.get(theme.font, f'"{theme.font}", ') + "sans-serif"
    top, right, bottom, left = page.margins_cm
    heading = theme.heading if contrast_ratio(theme.heading, "FFFFFF") >= 4.5 else "1F4E79"
    header_fill = theme.table_header
    rules = [
        f":root {{ --heading: #{heading}; --header-fill: #{header_fill}; "
        f"--header-text: #{_readable_on(header_fill)}; --grey: #{theme.grey}; }}",
        f"body {{ font-family: {font}; font-size: {theme.size + 2:g}pt; line-height: 1.4; "
        "color: #000; background: #fff; margin: 0 auto; padding: 1rem 1.5rem; "
        "max-width: 80rem; }",
        ".running { display: flex; justify-content: space-between; gap: 1rem; "
        "color: var(--grey); font-size: 0.9em; border-bottom: 1px solid #bfbfbf; "
        "padding-bottom: 0.25rem; flex-wrap: wrap; }",
        "h1, h2, h3, h4 { color: var(--heading); line-height: 1.25; margin: 1.2em 0 0.4em; }",
        "h1 { font-size: 1.8em; } h2 { font-size: 1.35em; } h3 { font-size: 1.15em; } "
        "h4 { font-size: 1em; }",
        "h3.supporting { font-style: italic; color: #000; }",
        "p { margin: 0.4em 0; }",
        ".subtitle { font-weight: bold; font-size: 1.1em; }",
        ".section { color: var(--heading); font-weight: bold; font-size: 1.15em; "
        "margin-top: 1.2em; }",
        ".running-header, .standard-sentence, .note { color: var(--grey); font-style: italic; }",
        ".table-wrap { overflow-x: auto; margin: 0.5em 0 1em; }",
        "table { border-collapse: collapse; width: 100%; }",
        "caption { text-align: left; font-weight: bold; padding: 0.3em 0; "
        "color: var(--grey); font-size: 0.9em; }",
        "th, td { border: 1px solid #808080; padding: 0.25em 0.4em; vertical-align: top; "
        "text-align: left; overflow-wrap: break-word; }",
        "thead th { background: var(--header-fill); color: var(--header-text); "
        "vertical-align: middle; }",
        "tbody th { font-weight: normal; }",
        ".rag-r, .rag-a, .rag-g, .key-r, .key-a, .key-g { font-weight: bold; }",
        ".rag-r, .rag-a, .rag-g, .rag-no-data, .rag-n-a, .rag, .arrow, .item-centre "
        "{ text-align: center; }",
        ".item-number, .total-number { text-align: right; }",
        ".total, .total-number { font-weight: bold; }",
        ".rag-no-data, .rag-n-a, .rag { font-style: italic; }",
        ".arrow-sign { font-weight: bold; font-size: 1.2em; }",
        ".page-footer { color: var(--grey); border-top: 1px solid #bfbfbf; margin-top: 2rem; "
        "font-size: 0.9em; }",
    ]
    for rating, fill in RAG_FILLS.items():
        letters = RAG_FONTS[rating]
        slug = rating.lower()
        rules.append(f".rag-{slug}, .key-{slug} {{ background: #{fill}; color: #{letters}; }}")
    for name in ("improvement", "concern", "neutral", "common", "none"):
        style = theme.style(f"mdc {name}")
        fill = f"background: #{style.fill}; " if style.fill else ""
        rules.append(f".mdc-{name} {{ {fill}color: #{style.colour}; "
                     f"font-weight: {'bold' if style.bold else 'normal'}; "
                     f"font-style: {'italic' if style.italic else 'normal'}; }}")
    rules += [".trend { display: block; max-width: 100%; height: auto; }",
              ".mdc-icon { display: inline-block; width: 0.7em; height: 0.7em; "
              "border-radius: 50%; border: 1px solid #000; vertical-align: -0.05em; }"]
    rules += [
        "@media print {",
        "  body { max-width: none; padding: 0; font-size: " f"{theme.size:g}pt; "
        "line-height: 1.25; }",
        "  h1, h2, h3, h4 { margin: 0.6em 0 0.25em; }",
        "  .section { margin-top: 0.6em; }",
        "  p { margin: 0.25em 0; }",
        "  .table-wrap { margin: 0.25em 0 0.5em; }",
        "  th, td { padding: 0.15em 0.3em; }",
        "  .running, .page-footer { display: none; }",
        "  .table-wrap { overflow: visible; }",
        "  .new-page { break-before: page; }",
        "  h1, h2, h3, h4, .section, .subtitle, caption { break-after: avoid; }",
        "  tr, h1, h2, h3, h4 { break-inside: avoid; }",
        "  thead { display: table-header-group; }",
        "  p { orphans: 2; widows: 2; }",
        "}",
        f"@page {{ font-family: {font}; }}",
        "@page {",
        f"  size: A4 {page.orientation};",
        f"  margin: {top}cm {right}cm {bottom}cm {left}cm;",
        f"  @top-left {{ content: {_css_string(page.header_left)}; font-size: 9pt; "
        "color: #404040; }",
        f"  @top-center {{ content: {_css_string(page.header_centre)}; font-size: 9pt; "
        "color: #404040; }",
        f"  @top-right {{ content: {_css_string(page.header_right)}; font-size: 9pt; "
        "color: #404040; }",
        f"  @bottom-left {{ content: {_css_string(page.footer_left)}; font-size: 9pt; "
        "color: #404040; }",
        '  @bottom-right { content: "Page " counter(page) " of " counter(pages); '
        "font-size: 9pt; color: #404040; }",
        "}",
    ]
    return "\n".join(rules) + "\n"
