"""The appendix as a reader sees it: printed to PDF by LibreOffice, read back with poppler.

The demo plan's appendix is converted once for the module (``ragbook.pdf.to_pdf``, with
``LANG=en_GB.UTF-8``); ``pdftotext`` reads its pages and ``pdftoppm`` turns them into
small pictures. A large plan (2,000 actions, 500 measures) is checked too.

These tests skip when LibreOffice is not installed, except on CI (the ``CI`` variable
set), where they fail instead: they must always run there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import util
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from PIL import Image

from conftest import DEMO_PLAN, ROOT, rendering_tools
from ragbook.appendix.build import REPORT, SUMMARY
from ragbook.appendix.layout import Appendix
from ragbook.appendix.theme import Theme
from ragbook.demo import load_demo_plan
from ragbook.pdf import to_pdf
from ragbook.workbook.operations import AppendixMade
from test_appendix import (
    COMMENTARY_HEADINGS,
    appendix_of,
    check_layout,
    check_workbook,
    edit_plan,
    set_setting,
)

TOOLS = ("pdftotext", "pdftoppm", "pdfinfo", "pdffonts")
RAG_COLOURS = {"R": (0xC0, 0x00, 0x00), "A": (0xFF, 0xC0, 0x00), "G": (0x00, 0xB0, 0x50)}
LARGE_ACTIONS, LARGE_MEASURES = 2000, 500


@pytest.fixture(scope="module")
def soffice() -> str:
    """LibreOffice and poppler, or a skip (a failure on CI)."""
    return rendering_tools(*TOOLS, purpose="the printed appendix")


@dataclass
class Printed:
    """An appendix, its workbook and its PDF, with the text of each page."""

    appendix: Appendix
    workbook: Path
    pdf: Path
    pages: list[str]

    def page_text(self, number: int) -> str:
        """One page's text, read with ``pdftotext -f N -l N``."""
        return _run("pdftotext", "-f", str(number), "-l", str(number), str(self.pdf), "-")

    def first_page_of(self, text: str) -> int:
        """The number of the first page showing ``text`` (whitespace as on the page)."""
        wanted = _flat(text)
        return next(number for number, page in enumerate(self.pages, start=1)
                    if wanted in _flat(page))

    def sheet_pages(self) -> dict[str, range]:
        """The pages each sheet printed on (sheets print in order, from their titles)."""
        starts = [self.first_page_of(str(sheet.rows[0].cells[0].value))
                  for sheet in self.appendix.sheets]
        ends = [*starts[1:], len(self.pages) + 1]
        return {sheet.name: range(start, end)
                for sheet, start, end in zip(self.appendix.sheets, starts, ends, strict=True)}


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True,
                          timeout=120).stdout


def _flat(text: str) -> str:
    return " ".join(text.split())


def print_appendix(made: AppendixMade, folder: Path) -> Printed:
    assert made.appendix is not None and made.written_to is not None
    pdf = to_pdf(made.written_to, folder)
    text = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return Printed(made.appendix, made.written_to, pdf, pages)


def pdf_pages(pdf: Path) -> int:
    found = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.MULTILINE)
    assert found, pdf
    return int(found.group(1))


@pytest.fixture(scope="module")
def demo(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    folder = tmp_path_factory.mktemp("printed")
    plan = folder / "demo_plan.xlsx"
    shutil.copyfile(DEMO_PLAN, plan)
    return print_appendix(appendix_of(plan), folder)


def _body_lines(page: str, appendix: Appendix) -> list[str]:
    """A page's lines without the page header and footer."""
    setup = appendix.sheets[0].page
    furniture = {setup.header_left, setup.header_centre, setup.header_right, setup.footer_left}
    return [line.strip() for line in page.splitlines()
            if line.strip() and line.strip() not in furniture
            and not re.fullmatch(r"Page \d+ of \d+", line.strip())]


# --- Counting pages ----------------------------------------------------------------------------


def test_pdf_has_as_many_pages_as_the_layout_expects(demo):
    assert pdf_pages(demo.pdf) == len(demo.pages) == demo.appendix.pages
    printed = {name: len(pages) for name, pages in demo.sheet_pages().items()}
    expected = {sheet.name: sheet.pages for sheet in demo.appendix.sheets}
    assert printed == expected
    for number, page in enumerate(demo.pages, start=1):
        assert f"Page {number} of {len(demo.pages)}" in page


def test_no_cell_prints_as_hashes(demo):
    assert not [n for n, page in enumerate(demo.pages, start=1) if "###" in page]


# --- The text a reader must find -------------------------------------------------------------


def test_every_action_and_measure_ref_is_printed_in_the_report(demo):
    tables = load_demo_plan()
    refs = [str(ref) for name in ("actions", "measures") for ref in tables[name]["Ref"]]
    assert len(refs) == 118
    report = demo.sheet_pages()[REPORT]
    words = {word for number in report for word in demo.pages[number - 1].split()}
    assert [ref for ref in refs if ref not in words] == []


def test_every_outcome_title_is_printed_upper_cased(demo):
    report = _flat(" ".join(demo.pages[n - 1] for n in demo.sheet_pages()[REPORT]))
    for outcome, title in load_demo_plan()["outcomes"].itertuples(index=False):
        assert title.upper() in report, outcome
        # "OUTCOME 1: PEOPLE IN ...", as the seed; an outcome without a number (the seed's
        # "NEW WAYS OF WORKING ...") by its title alone.
        heading = f"OUTCOME {outcome}: {title.upper()}" if outcome.isdigit() else title.upper()
        assert heading in report


def test_the_four_commentary_headings_follow_every_table(demo):
    report = "\n".join(demo.pages[n - 1] for n in demo.sheet_pages()[REPORT])
    sections = sum(row.kind == "section" for row in demo.appendix.sheet(REPORT).rows)
    tables = load_demo_plan()
    supporting = len(tables["actions"][["Outcome", "Supporting outcome"]].drop_duplicates())
    indicators = tables["measures"]["Outcome"].nunique()
    assert sections == supporting + indicators == 13 + 4  # as in the seed report
    for heading in COMMENTARY_HEADINGS:
        assert report.count(heading) == sections, heading


def test_each_outcome_starts_on_a_new_page(demo):
    titles = [title.upper() for title in load_demo_plan()["outcomes"]["Title"]]
    running_header = "Delivery of Council Plan Delivery Plan: 2018/19"
    seen = []
    for index, title in enumerate(titles):
        number = demo.first_page_of(title)
        seen.append(number)
        page = demo.page_text(number)
        assert _flat(page) == _flat(demo.pages[number - 1])
        lines = _body_lines(page, demo.appendix)
        headings = [line for line in lines if any(t in line for t in titles)]
        assert title in headings[0], f"{title}: another outcome is first on page {number}"
        if index == 0:  # the first outcome shares page 1 with the title and the RAG key
            assert lines[0] == "COUNCIL PLAN DELIVERY PLAN PROGRESS REPORT", lines[:3]
            continue
        assert lines[0] == running_header, (title, lines[:3])
        assert title not in _flat(demo.page_text(number - 1)), title
    assert seen == sorted(seen) and seen[0] == 1


# --- Pictures of the pages -------------------------------------------------------------------


def _page_images(pdf: Path, folder: Path, dpi: int = 30) -> list[Image.Image]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
                   check=True, timeout=120)
    return [Image.open(path).convert("RGB") for path in sorted(folder.glob("page-*.png"))]


def _body(image: Image.Image) -> Image.Image:
    """The page between the header and footer margins (1.5 cm of 21 cm, top and bottom)."""
    width, height = image.size
    return image.crop((0, round(height * 1.5 / 21), width, round(height * 19.5 / 21)))


def _ink(image: Image.Image) -> float:
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:235]) / (grey.width * grey.height)


def _colours(image: Image.Image) -> set[str]:
    """Which RAG fills show in the picture (big enough to be a cell, not anti-aliasing)."""
    counts = dict.fromkeys(RAG_COLOURS, 0)
    small = image.quantize(colors=64).convert("RGB")
    for count, colour in small.getcolors(maxcolors=1 << 16) or []:
        for name, target in RAG_COLOURS.items():
            if all(abs(a - b) <= 16 for a, b in zip(colour, target, strict=True)):
                counts[name] += count
    return {name for name, count in counts.items() if count >= 30}


def test_pages_are_not_blank_and_show_the_rag_fills(demo, tmp_path):
    images = _page_images(demo.pdf, tmp_path / "png")
    assert len(images) == demo.appendix.pages
    for number, image in enumerate(images, start=1):
        assert _ink(_body(image)) > 0.003, f"page {number} is blank"
        assert _body_lines(demo.pages[number - 1], demo.appendix), f"page {number}: no text"
    sheets = demo.sheet_pages()
    assert _colours(images[0]) == {"R", "A", "G"}, "the RAG key shows its three fills"
    report_colours: set[str] = set()
    for number in sheets[REPORT]:
        shown = _colours(images[number - 1])
        report_colours |= shown
        if "RAG (against" in demo.pages[number - 1]:
            assert shown, f"page {number} has a table of ratings but no RAG fill"
    assert report_colours == {"R", "A", "G"}
    summary = images[sheets[SUMMARY][0] - 1]
    assert _colours(summary) == {"R", "A", "G"}, "the summary's charts are drawn"


STYLED_LOGO = "Westshire Council & Partners"


@pytest.fixture(scope="module")
def styled(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    """The demo plan's appendix in Arial, with the council's own logo text."""
    folder = tmp_path_factory.mktemp("styled")
    plan = folder / "demo_plan.xlsx"
    shutil.copyfile(DEMO_PLAN, plan)

    def restyle(book: openpyxl.Workbook) -> None:
        set_setting(book, "Appendix font", "Arial")
        set_setting(book, "Appendix logo text", STYLED_LOGO)

    made = appendix_of(edit_plan(plan, restyle))
    check_layout(made.appendix, Theme.from_settings(made.workbook.settings))
    return print_appendix(made, folder)


def test_the_councils_styling_prints(styled):
    assert pdf_pages(styled.pdf) == len(styled.pages) == styled.appendix.pages
    assert all(STYLED_LOGO in page for page in styled.pages)
    fonts = _run("pdffonts", str(styled.pdf))
    assert "LiberationSans" in fonts  # Arial's metric-compatible stand-in


def test_the_councils_font_is_the_only_font(styled):
    fonts = _run("pdffonts", str(styled.pdf))
    assert "Carlito" not in fonts


# --- A large plan ------------------------------------------------------------------------------


def _bench() -> ModuleType:
    """bench/appendix.py, which makes the large plan (it imports bench/recalc.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = util.spec_from_file_location("bench_appendix", ROOT / "bench" / "appendix.py")
        assert spec is not None and spec.loader is not None
        module = util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "bench"))


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppendixMade]:
    folder = tmp_path_factory.mktemp("large")
    plan = _bench().write_large_plan(folder / "large_plan.xlsx", LARGE_ACTIONS, LARGE_MEASURES)
    made = appendix_of(plan)
    assert made.result is not None
    assert (len(made.result.actions.table), len(made.result.measures.table)) == (
        LARGE_ACTIONS, LARGE_MEASURES)
    yield made


def test_large_plan_gives_a_valid_workbook(large):
    appendix = large.appendix
    book = check_workbook(large.written_to, appendix)
    words = {str(cell.value) for row in book[REPORT].iter_rows(max_col=1) for cell in row
             if cell.value is not None}
    plan = large.result.plan
    refs = [str(ref) for frame in (plan.actions, plan.measures) for ref in frame["Ref"]]
    assert len(set(refs)) == LARGE_ACTIONS + LARGE_MEASURES
    assert [ref for ref in refs if ref not in words] == []
    check_layout(appendix, Theme.from_settings(large.workbook.settings))


def test_large_plan_prints_the_pages_the_layout_expects(soffice, large, tmp_path):
    printed = print_appendix(large, tmp_path)
    assert pdf_pages(printed.pdf) == large.appendix.pages
    assert {name: len(pages) for name, pages in printed.sheet_pages().items()} == {
        sheet.name: sheet.pages for sheet in large.appendix.sheets}
    assert not [n for n, page in enumerate(printed.pages, start=1) if "###" in page]
