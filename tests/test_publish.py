"""The published appendix: the web page and the tagged PDF, checked rather than claimed.

The demo plan, with a Settings ``Appendix footer``, goes through ``ragbook appendix
--html --pdf`` as a subprocess. Then:

* the web page's structure is read with ``html.parser`` (one ``h1``, headings in order,
  captions, ``th`` with ``scope``, language and title), and axe-core runs on it in headless
  Chromium, at normal size and at 400% zoom: no WCAG 2.2 A or AA violation;
* the PDF's structure tree is read with pikepdf (``tests/pdf_structure.py``): headings,
  a table with ``TH`` and ``TD`` cells for every table of the report, language and title,
  and pdfua's checks that apply;
* the three renderings of the same layout (the appendix file, the appendix the add-in
  builds in the open workbook, the web page) hold the same items, ratings, texts and
  order, and every ref of the seed report is in the web page and the PDF in the seed's
  order;
* nothing for the officer (the checklist, to-do notes) and nothing about ragbook is
  published; the footer is on every PDF page.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from browser_tools import axe_violations, describe_violations, open_file, viewport_for_zoom
from conftest import DEMO_PLAN, ROOT, run_ragbook
from fake_excel import FakeBook, clicked
from pdf_structure import PDFUA_IDENTIFICATION, pdfua_failures, read_tagged
from ragbook.appendix.build import CHECKLIST, REPORT
from ragbook.appendix.render_html import RATING_WORDS
from ragbook.ratings import ARROW_NAMES

SEED_RATINGS = ROOT / "tests" / "data" / "seed_ratings.csv"
"""Every ref of the seed report with its published rating, in the seed's order."""
FOOTER = "Cabinet, 4 October 2018: Appendix A"
REF = re.compile(r"^M?\d+\.\d+$")
NEVER_PUBLISHED = ("ragbook", "No commentary mentions", "add it to Areas for improvement",
                   CHECKLIST, "not for publication", "Data issues")


@dataclass
class Published:
    plan: Path
    workbook: Path
    html: Path
    pdf: Path
    stdout: str


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    folder = tmp_path_factory.mktemp("published")
    plan = folder / "demo_plan.xlsx"
    shutil.copyfile(DEMO_PLAN, plan)
    book = openpyxl.load_workbook(plan)
    settings = book["Settings"]
    row = next(r for r in range(2, settings.max_row + 1)
               if settings.cell(r, 1).value == "Appendix footer")
    settings.cell(row, 2).value = FOOTER
    book.save(plan)
    done = run_ragbook("appendix", plan, "--html", "--pdf", cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    workbook = plan.with_name("demo_plan appendix.xlsx")
    return Published(plan, workbook, workbook.with_suffix(".html"),
                     workbook.with_suffix(".pdf"), done.stdout)


# --- Reading the web page ----------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    section: str = ""


@dataclass
class Page(HTMLParser):
    """Headings, tables (their captions, header cells and rows) and text, in order."""

    lang: str = ""
    title: str = ""
    headings: list[Element] = field(default_factory=list)
    tables: list[dict[str, object]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)
    """(section id, text) of every paragraph, heading and cell, in order."""

    def __post_init__(self) -> None:
        super().__init__()
        self._stack: list[Element] = []
        self._section = ""
        self._row: list[Element] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = named.get("lang", "")
        if tag == "section":
            self._section = named.get("id", "")
        if tag == "table":
            self.tables.append({"caption": "", "head": [], "rows": [],
                                "section": self._section})
        if tag == "thead":
            self._in_head = True
        if tag == "tbody":
            self._in_head = False
        if tag == "tr":
            self._row = []
        if tag == "br" and self._stack:
            self._stack[-1].text += "\n"
            return
        if tag in ("title", "h1", "h2", "h3", "h4", "h5", "h6", "p", "th", "td", "caption"):
            self._stack.append(Element(tag, named, section=self._section))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None and self.tables:
            key = "head" if self._in_head else "rows"
            self.tables[-1][key].append(self._row)  # type: ignore[union-attr]
            self._row = None
        if not self._stack or self._stack[-1].tag != tag:
            return
        element = self._stack.pop()
        element.text = element.text.strip()
        if tag == "title":
            self.title = element.text
        elif tag == "caption":
            self.tables[-1]["caption"] = element.text
        elif tag in ("th", "td") and self._row is not None:
            self._row.append(element)
        if tag.startswith("h") and tag[1:].isdigit():
            self.headings.append(element)
        if tag not in ("title", "caption"):
            self.texts.append((element.section, element.text))

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._stack[-1].text += data


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _letter(cell: Element) -> str:
    """A rating as the workbook writes it: ``Red`` back to ``R``."""
    back = {word: letter for letter, word in RATING_WORDS.items()}
    return back.get(cell.text, cell.text)


def _arrow(cell: Element) -> str:
    """``↑ improving`` back to the workbook's ``↑``."""
    for arrow, name in ARROW_NAMES.items():
        if cell.text == f"{arrow} {name}":
            return arrow
    return cell.text


def html_items(page: Page, section: str = "progress-report") -> list[tuple[str, ...]]:
    """(ref, text, rating, arrow) of every action and measure row of the report."""
    items = []
    for table in page.tables:
        if table["section"] != section:
            continue
        for row in table["rows"]:  # type: ignore[union-attr]
            # An item row: a ref and its wording (the variation tables' rows have a chart).
            if row and REF.match(row[0].text) and row[1].text:
                items.append((row[0].text, row[1].text, _letter(row[-2]), _arrow(row[-1])))
    return items


def report_rows(source: Path | FakeBook) -> list[tuple[object, ...]]:
    """The report sheet's rows of values, from a file or from the add-in's workbook."""
    if isinstance(source, FakeBook):
        return [tuple(row) for row in source[REPORT].rows()]
    return list(openpyxl.load_workbook(source)[REPORT].iter_rows(values_only=True))


def workbook_items(source: Path | FakeBook) -> list[tuple[str, ...]]:
    return [(str(row[0]), str(row[1]), str(row[3]), str(row[4]))
            for row in report_rows(source)
            if row[0] is not None and REF.match(str(row[0])) and row[1] is not None]


def workbook_texts(source: Path | FakeBook) -> list[str]:
    """Every text of the report sheet in order, without the header rows repeated where a
    page breaks (the web page repeats a table's head only when printed)."""
    texts: list[str] = []
    previous = ""
    for row in report_rows(source):
        values = tuple(v for v in row if v not in (None, ""))
        if not values:
            continue
        if values[0] == "Ref" and REF.match(previous):
            continue  # a table's header again after a page break, between its rows
        previous = str(values[0])
        texts.extend(str(v) for v in values)
    return texts


def seed_refs() -> list[str]:
    """Every action and measure ref of the seed report, in its order."""
    with SEED_RATINGS.open(encoding="utf-8", newline="") as file:
        refs = [row["Ref"] for row in csv.DictReader(file)]  # actions, then measures
    # The report walks each outcome's actions, then its key outcome indicators.
    return sorted(refs, key=lambda ref: (int(ref.removeprefix("M").split(".")[0]),
                                         ref.startswith("M")))


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=120).stdout


# --- The web page --------------------------------------------------------------------------


def test_the_web_page_has_one_h1_headings_in_order_a_language_and_a_title(published):
    page = read_page(published.html)
    assert page.lang == "en-GB"
    assert page.title.startswith("Council Plan Delivery Plan Progress Report")
    levels = [int(h.tag[1]) for h in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    skips = [(page.headings[i].text, page.headings[i + 1].text)
             for i in range(len(levels) - 1) if levels[i + 1] > levels[i] + 1]
    assert not skips, skips
    assert any(h.text.startswith("OUTCOME 4") for h in page.headings if h.tag == "h2")


def test_every_table_has_a_caption_and_header_cells_with_scope(published):
    page = read_page(published.html)
    assert len(page.tables) > 20
    for table in page.tables:
        assert table["caption"], table
        head = [cell for row in table["head"] for cell in row]  # type: ignore[union-attr]
        assert head and all(cell.tag == "th" and cell.attrs.get("scope") in ("col", "colgroup")
                            for cell in head), table["caption"]
        for row in table["rows"]:  # type: ignore[union-attr]
            if len(row) > 1:
                assert row[0].tag == "th" and row[0].attrs["scope"] == "row"


def test_ratings_are_words_and_arrows_have_their_words(published):
    page = read_page(published.html)
    cells = [row[-2].text for table in page.tables if table["section"] == "progress-report"
             for row in table["rows"] if len(row) > 2]  # type: ignore[union-attr]
    assert {"Red", "Amber", "Green"} <= set(cells)
    assert not {"R", "A", "G"} & set(cells)
    html = published.html.read_text(encoding="utf-8")
    assert "↑</span> improving" in html and "→</span> sustained" in html


@pytest.mark.browser
@pytest.mark.parametrize("zoom", [100, 400])
def test_axe_finds_no_wcag_violation_on_the_web_page(published, browser, zoom):
    view = viewport_for_zoom(zoom) if zoom != 100 else {"width": 1280, "height": 900}
    page = open_file(browser, published.html, width=view["width"], height=view["height"])
    try:
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        if zoom == 400:  # reflow: no page-wide sideways scrolling (tables scroll in place)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= view["width"], width
    finally:
        page.close()


# --- The PDF ----------------------------------------------------------------------------------


def test_the_pdf_is_tagged_with_headings_tables_language_and_title(published):
    tagged = read_tagged(published.pdf)
    assert tagged.tagged and tagged.marked
    assert tagged.lang == "en-GB"
    assert tagged.title and tagged.title.startswith("Council Plan Delivery Plan Progress Report")
    assert not tagged.claims_pdfua  # only what is checked here is claimed
    tags = [tag for tag, _ in tagged.headings]
    assert tags.count("H1") == 1 and "H2" in tags and "H4" in tags
    assert next(text for tag, text in tagged.headings if tag == "H2").startswith("OUTCOME 1")
    page = read_page(published.html)
    assert len(tagged.tables) >= len(page.tables)  # a table over two pages is tagged twice
    for table in tagged.tables:
        assert table.th_count > 0 and table.td_count > 0, table
    captions = {table.caption for table in tagged.tables if table.caption}
    assert {str(t["caption"]) for t in page.tables} <= captions


def test_the_pdf_passes_the_pdfua_checks_that_apply(published):
    assert pdfua_failures(published.pdf, ignore=[PDFUA_IDENTIFICATION]) == []


def test_the_pdf_is_a4_landscape_with_the_footer_on_every_page(published):
    info = subprocess.run(["pdfinfo", str(published.pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts", info), info
    for number in range(1, pages + 1):
        text = pdf_text(published.pdf, number)
        assert FOOTER in text, number
        assert f"Page {number} of {pages}" in text, number
        assert "Cumbria County Council" in text


# --- What is published, and in what order -------------------------------------------------


def test_nothing_for_the_officer_and_nothing_about_ragbook_is_published(published):
    web = published.html.read_text(encoding="utf-8")
    printed = pdf_text(published.pdf)
    for text in NEVER_PUBLISHED:
        assert text not in web, text
        assert text not in printed, text
    # ... while the workbook keeps the checklist for the officer.
    book = openpyxl.load_workbook(published.workbook)
    visible = [sheet.title for sheet in book.worksheets if sheet.sheet_state == "visible"]
    assert visible[-1] == CHECKLIST
    checklist = " ".join(str(c.value) for row in book[CHECKLIST].iter_rows() for c in row
                         if c.value is not None)
    assert "1.1" in checklist and "No actions relevant to this area" in checklist


def test_every_seed_ref_is_published_in_the_seeds_order(published):
    expected = seed_refs()
    assert len(expected) == 82 + 36
    assert [ref for ref, *_ in html_items(read_page(published.html))] == expected
    report = pdf_text(published.pdf).split("Summary: Q1 2018/19")[0]
    # Leave out the variation tables, which name some measures again.
    report = re.sub(r"Variation and Assurance\n.*?(?=Commentary for|Too few figures)", "",
                    report, flags=re.S)
    printed = [m.group(1) for m in re.finditer(r"^\s*(M?\d+\.\d+)\s{2,}", report, re.M)]
    assert printed == expected


@pytest.mark.browser
def test_the_file_the_open_workbook_and_the_web_page_agree(published, tmp_path, pane):
    plan = tmp_path / "plan.xlsx"
    shutil.copyfile(published.plan, plan)
    _, in_excel = clicked(pane, plan, "Build appendix")
    page = read_page(published.html)
    from_file = workbook_items(published.workbook)
    assert from_file == workbook_items(in_excel)
    assert from_file == html_items(page)
    # Every text, in order: headings, key, tables, commentary.
    web = [text for section, text in page.texts if section == "progress-report" and text]
    web = [_web_as_workbook(text) for text in web]
    assert workbook_texts(published.workbook) == web
    assert workbook_texts(in_excel) == web


def _web_as_workbook(text: str) -> str:
    back = {word: letter for letter, word in RATING_WORDS.items()}
    for arrow, name in ARROW_NAMES.items():
        if text == f"{arrow} {name}":
            return arrow
    return back.get(text, text)
