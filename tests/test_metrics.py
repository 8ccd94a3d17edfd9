"""Font metrics, line wrapping and row heights for the printed appendix.

The last test is the calibration against LibreOffice: it writes wrapped cells with row heights
from ``fit_height``, prints them to PDF with LibreOffice and reads the text back with
``pdftotext -bbox`` to check that no line is cut off and that rows are not much too tall.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ragbook.appendix import metrics
from ragbook.appendix.metrics import (
    MAX_ROW_HEIGHT,
    App,
    column_width_pixels,
    column_width_points,
    fit_height,
    line_count,
    line_height,
    row_height,
    text_area_width,
    text_width,
    wrap,
)

# Commentary in the style of the seed report (a county council's 2018/19 Q1 delivery plan).
PROGRESS = (
    "In relation to action 1.4 for the academic year 2018-2019 changes have been made to the "
    "Personal Education Plans (PEPs). There is one primary PEP to cover both KS1 and KS2 and "
    "one secondary PEP to cover both KS3 and KS4 which is hoped will make the process more "
    "straightforward for schools to complete. The Virtual School website has information, "
    "guidance, FAQs and sample PEPs so that carers, schools, social workers and other "
    "professionals know how to complete a good quality PEP and training across the county "
    "planned for later in the year. The Early Years Team (part of the Learning Improvement "
    "Service) are now linked in with the 0-4 year old PEPs and the whole team have received "
    "training so that they are able to support child minders and early years settings in "
    "completing a good quality PEP."
)
SAFE_AND_WELL = (
    "For action 1.7 Safe and Well continues to support the Prevention and Public Health "
    "agenda, now further enhanced with the introduction of Atrial Fibrillation (AF) "
    "tests/referrals, plus the remodelling of the falls prevention assessment delivery process "
    "in line with the Public Health requirements. Safe and Well targets are being accomplished."
)
INTEGRATION = (
    "Actions 1.2 and 1.9 refer to health and care integration and Planning for Integrated Care "
    "Communities (ICCs) continues to progress with most ICCs now having Multi-Disciplinary Team "
    "meetings (MDT). Work continues to be made across the county looking at how health and care "
    "services can better join up to improve outcomes for people in Cumbria. This includes "
    "opportunities to co-locate our services. In the North of the county a significant amount "
    "of work has been undertaken to develop Integrated Health and Care Teams in ICCs; the local "
    "health and care leaders from across the NHS and social care coming together to progress "
    "this work. In the south of the county ICC's continue to develop around GP practices with "
    "emerging MDT working across health and care services."
)
LIST = (
    "The role of the Fire and Rescue Service in supporting a broad prevention and public "
    "health approach enhanced and expanded, including:\n"
    "\u2022 a programme of 10,000 a year safe and well visits carried out\n"
    "\u2022 a Multi Service Officer role piloted\n\n"
    "Direction of travel: \u2191 improving \u2013 \u00a3250k saved against a target of "
    "\u00a3300k (83%); \u2018on track\u2019 \u2192 \u201cgreen\u201d."
)
LONG_TOKEN = ("See https://www.cumbria.gov.uk/council-plan/delivery-plan-2018-19/quarter-1/"
              "performance-appendix-and-commentary.pdf for the full commentary.")
SHORT = "By March 2019"
HEADING = "OUTCOME 1: PEOPLE IN CUMBRIA ARE HEALTHY AND SAFE"
VERY_LONG = f"{PROGRESS} {INTEGRATION} {SAFE_AND_WELL}"  # about 1,500 characters

FONTS = [("Calibri", 11.0, False), ("Calibri", 11.0, True), ("Calibri", 10.0, False),
         ("Arial", 10.0, False), ("Arial", 10.0, True)]


# ---------------------------------------------------------------------------------------------
# Widths


def test_widths_are_the_font_files_advance_widths() -> None:
    # Carlito Regular: "H" 1276, "e" 1019, "l" 470, "o" 1080 units of 2048.
    assert text_width("Hello", "Calibri", 11) == pytest.approx((1276 + 1019 + 470 * 2 + 1080)
                                                               * 11 / 2048)
    # Liberation Sans: digits 1139 units, bold "W" 1933 units.
    assert text_width("0123456789", "Arial", 10) == pytest.approx(10 * 1139 * 10 / 2048)
    assert text_width("W", "Arial", 10, bold=True) == pytest.approx(1933 * 10 / 2048)
    assert text_width("") == 0


def test_width_scales_with_size_and_bold_is_wider() -> None:
    text = "Performance against target"
    assert text_width(text, size=22) == pytest.approx(2 * text_width(text, size=11))
    assert text_width(text, bold=True) > text_width(text)
    assert text_width(text, "Arial", 10) > text_width(text, "Calibri", 10)


def test_report_characters_have_their_own_widths() -> None:
    font = metrics.font_metrics("Calibri")
    for char in "£€‘’“”–—•…↑→↓éŵ":
        assert ord(char) in font.widths, char
    assert text_width("→") == pytest.approx(1854 * 11 / 2048)


def test_unknown_characters_fall_back_sensibly() -> None:
    font = metrics.font_metrics("Calibri")
    assert font.advance("\u0301") == 0  # combining accent
    assert font.advance("✔") == font.units_per_em  # a symbol from a fallback font
    assert font.advance("中") == font.units_per_em
    assert font.advance("\u0400") == font.default_width  # Cyrillic: not in the table


def test_font_aliases_and_unknown_fonts() -> None:
    assert text_width("abc", "Carlito") == text_width("abc", "calibri")
    assert text_width("abc", "Liberation Sans") == text_width("abc", "Arial")
    with pytest.raises(ValueError, match="Comic Sans"):
        text_width("abc", "Comic Sans")


def test_metrics_file_is_small_sorted_and_complete() -> None:
    source = resources.files("ragbook").joinpath("data/font_metrics.json")
    raw = source.read_text(encoding="utf-8")
    assert len(raw.encode()) < 100_000
    document = json.loads(raw)
    assert raw == json.dumps(document, indent=1, sort_keys=True) + "\n"
    for family in ("Calibri", "Arial"):
        for style in ("regular", "bold"):
            record = document["fonts"][family][style]
            assert record["units_per_em"] == 2048
            assert {"ascender", "descender", "line_gap"} <= record["hhea"].keys()
            assert {"ascent", "descent"} <= record["win"].keys()


# ---------------------------------------------------------------------------------------------
# Wrapping


def test_short_text_stays_on_one_line() -> None:
    assert wrap("By March 2019", 200) == ["By March 2019"]
    assert wrap("", 100) == [""]


def test_explicit_breaks_always_break_and_empty_lines_are_kept() -> None:
    assert wrap("one\ntwo\r\nthree\rfour", 500) == ["one", "two", "three", "four"]
    assert wrap("first\n\nthird\n", 500) == ["first", "", "third", ""]


def test_lines_break_at_spaces_and_never_exceed_the_width() -> None:
    width = 120.0
    lines = wrap(PROGRESS, width)
    assert len(lines) > 5
    assert " ".join(lines) == PROGRESS
    for index, line in enumerate(lines):
        assert text_width(line) <= width
        if index + 1 < len(lines):  # the next word would not have fitted
            next_word = lines[index + 1].split(" ")[0]
            assert text_width(f"{line} {next_word}") > width


def test_lines_break_after_hyphens_between_letters() -> None:
    width = max(text_width("The Multi-"), text_width("Disciplinary")) + 1
    assert wrap("The Multi-Disciplinary Team", width) == ["The Multi-", "Disciplinary", "Team"]
    # ...but not inside a number range
    assert wrap("IRMP 16-20", text_width("IRMP 16-") + 1) == ["IRMP", "16-20"]


def test_no_break_before_closing_punctuation_or_slash() -> None:
    width = text_width("online needs") + 1
    assert wrap("online needs / carers", width) == ["online", "needs /", "carers"]


def test_a_word_longer_than_the_line_is_broken_by_characters() -> None:
    word = "Supercalifragilisticexpialidocious"
    lines = wrap(f"a {word} b", 50)
    assert "".join(lines).replace(" ", "") == f"a{word}b"
    assert all(text_width(line) <= 50 for line in lines)
    assert lines[0] == "a"
    assert wrap("xyz", 0.1) == ["x", "y", "z"]  # at least one character a line


def test_a_long_url_breaks_after_slashes_and_hyphens_first() -> None:
    url = "https://www.example.gov.uk/council-plan/2018-19/quarter-1/appendix.pdf"
    lines = wrap(url, 60)
    assert "".join(lines) == url
    assert all(text_width(line) <= 60 for line in lines)
    assert "council-" in lines


def test_spaces_at_a_break_hang_and_leading_spaces_count() -> None:
    width = text_width("alpha") + 0.5
    assert wrap("alpha    beta", width) == ["alpha", "beta"]
    assert wrap("  indented", 500) == ["  indented"]


def test_bold_and_larger_text_need_more_lines() -> None:
    assert len(wrap(PROGRESS, 200, bold=True)) >= len(wrap(PROGRESS, 200))
    assert len(wrap(PROGRESS, 200, size=14)) > len(wrap(PROGRESS, 200, size=10))


# ---------------------------------------------------------------------------------------------
# Columns and heights


def test_column_width_formula() -> None:
    # Excel's default column: 8.43 characters on screen, stored as 9.140625, 64 px, 48 pt.
    assert column_width_pixels(9.140625) == 64
    assert column_width_points(9.140625) == 48.0
    # A width of 8.43 as openpyxl stores it is the stored value: 59 px.
    assert column_width_pixels(8.43) == 59
    assert column_width_points(8.43) == pytest.approx(44.25)
    assert column_width_pixels(20) == 140
    assert column_width_pixels(0) == 0


def test_padding_is_taken_off_the_text_area() -> None:
    assert text_area_width(48, app="excel") < 48 - metrics.EXCEL_CELL_PADDING_PT + 0.01
    assert text_area_width(48, app="libreoffice") < 48 * 5.55 / 5.25
    assert text_area_width(48) == min(text_area_width(48, app="excel"),
                                      text_area_width(48, app="libreoffice"))
    assert text_area_width(1) == 0


def test_line_heights_match_excel_defaults() -> None:
    assert line_height("Calibri", 11, app="excel") == 15.0
    assert line_height("Arial", 10, app="excel") == 12.75
    assert line_height("Calibri", 11) == 15.0
    # LibreOffice sets lines ascender + descender apart: Calibri 11 is 11 pt plus rounding.
    assert line_height("Calibri", 11, app="libreoffice") == pytest.approx(11.125)


def test_row_heights_are_whole_pixels_and_grow_with_lines() -> None:
    previous = 0.0
    for lines in range(1, 40):
        height = row_height(lines, "Calibri", 11)
        assert height % 0.75 == 0
        assert height >= min(lines * 15.0, MAX_ROW_HEIGHT)
        assert height >= previous
        previous = height
    assert row_height(0) == row_height(1)
    assert row_height(1, "Calibri", 11) == 15.75
    assert row_height(100) == MAX_ROW_HEIGHT == 409.5


def test_fit_height_grows_with_text_length() -> None:
    width = column_width_points(40)
    heights = [fit_height([(VERY_LONG[:length], width, "Calibri", 11, False)])
               for length in range(0, len(VERY_LONG) + 1, 25)]
    assert heights == sorted(heights)
    assert heights[0] == row_height(1) < heights[-1] <= MAX_ROW_HEIGHT


def test_fit_height_takes_the_tallest_cell_and_at_least_one_line() -> None:
    narrow, wide = column_width_points(15), column_width_points(60)
    tall = fit_height([(SAFE_AND_WELL, narrow, "Calibri", 11, False)])
    short = fit_height([(SHORT, wide, "Arial", 10, True)])
    assert fit_height([(SAFE_AND_WELL, narrow, "Calibri", 11, False),
                       (SHORT, wide, "Arial", 10, True)]) == tall > short
    assert fit_height([]) == row_height(1)
    assert fit_height([("", narrow, "Arial", 10, False)]) == row_height(1, "Arial", 10)


def test_merged_cells_use_the_summed_width() -> None:
    columns = [12, 20, 25]
    merged = sum(column_width_points(width) for width in columns)
    single = column_width_points(columns[0])
    assert fit_height([(INTEGRATION, merged, "Calibri", 11, False)]) < \
        fit_height([(INTEGRATION, single, "Calibri", 11, False)])
    lines = line_count(INTEGRATION, merged)
    assert fit_height([(INTEGRATION, merged, "Calibri", 11, False)]) == row_height(lines)


def test_fit_height_never_exceeds_excels_maximum() -> None:
    text = VERY_LONG * 4
    assert fit_height([(text, column_width_points(10), "Calibri", 11, False)]) == 409.5


def test_both_is_the_taller_of_the_two_programs() -> None:
    width = column_width_points(30)
    cell = (INTEGRATION, width, "Arial", 10, False)
    both = fit_height([cell])
    assert both == max(fit_height([cell], app="excel"), fit_height([cell], app="libreoffice"))


# ---------------------------------------------------------------------------------------------
# Calibration against LibreOffice


@dataclass(frozen=True)
class Case:
    """One wrapped cell printed by LibreOffice."""

    key: int
    text: str
    columns: tuple[float, ...]  # OOXML widths of the (merged) columns
    font: str
    size: float
    bold: bool
    app: App

    @property
    def width(self) -> float:
        return sum(column_width_points(width) for width in self.columns)

    @property
    def height(self) -> float:
        return fit_height([(self.text, self.width, self.font, self.size, self.bold)], self.app)


@dataclass(frozen=True)
class Printed:
    """Where LibreOffice put a case's text."""

    case: Case
    text: str  # every word on the page but the marker, in reading order
    lines: int
    slack: float  # points from the last line's foot to the row's last possible line foot

    @property
    def line_pitch(self) -> float:
        c = self.case
        return line_height(c.font, c.size, c.bold, "libreoffice")

    @property
    def slack_lines(self) -> float:
        return self.slack / self.line_pitch


LAYOUTS: tuple[tuple[float, ...], ...] = ((14,), (32,), (24, 20), (30, 25, 20))
TEXTS = (SHORT, HEADING, SAFE_AND_WELL, LIST, LONG_TOKEN, PROGRESS, INTEGRATION, VERY_LONG)


def calibration_cases() -> list[Case]:
    """Every text in every layout, font and app, where the row can be tall enough."""
    cases: list[Case] = []
    for columns in LAYOUTS:
        for text in TEXTS:
            for font, size, bold in FONTS:
                for app in ("libreoffice", "both"):
                    case = Case(len(cases), text, columns, font, size, bold, app)
                    if case.height < MAX_ROW_HEIGHT:
                        cases.append(case)
    return cases


def _prepare(sheet: Worksheet, columns: tuple[float, ...]) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    margins = sheet.page_margins
    margins.left = margins.right = margins.top = margins.bottom = 0.4
    margins.header = margins.footer = 0
    sheet.column_dimensions["A"].width = 6
    for index, width in enumerate(columns):
        sheet.column_dimensions["BCDEF"[index]].width = width


def _write_case(sheet: Worksheet, row: int, case: Case) -> None:
    """Text top-aligned in B (merged over the layout's columns), a bottom-aligned marker in A."""
    font = Font(name=case.font, size=case.size, bold=case.bold)
    cell = sheet.cell(row, 2, case.text)
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    marker = sheet.cell(row, 1, f"R{case.key}")
    marker.font = font
    marker.alignment = Alignment(vertical="bottom")
    if len(case.columns) > 1:
        sheet.merge_cells(start_row=row, start_column=2, end_row=row,
                          end_column=1 + len(case.columns))
    sheet.row_dimensions[row].height = case.height
    sheet.row_breaks.append(Break(id=row))  # one case a page


def build_workbook(cases: list[Case], path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for number, columns in enumerate(LAYOUTS):
        sheet = book.create_sheet(f"layout{number}")
        _prepare(sheet, columns)
        for row, case in enumerate((c for c in cases if c.columns == columns), start=1):
            _write_case(sheet, row, case)
    book.save(path)


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>')
_MARKER = re.compile(r"R(\d+)")


def _page_words(page: str) -> list[tuple[float, float, str]]:
    """(foot, left, text) of every word on a page, from ``pdftotext -bbox``."""
    return [(float(foot), float(left), html.unescape(word))
            for left, foot, word in _WORD.findall(page)]


def read_pdf(pdf: Path, cases: list[Case]) -> list[Printed]:
    """Each case's words and how far its last line is from its marker's line."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    printed: list[Printed] = []
    for page in xml.split("<page ")[1:]:
        words = _page_words(page)
        markers = [(foot, word) for foot, _, word in words if _MARKER.fullmatch(word)]
        assert len(markers) == 1, markers
        marker_foot, marker = markers[0]
        body = sorted((foot, left, word) for foot, left, word in words if word != marker)
        feet = sorted({round(foot, 1) for foot, _, _ in body})
        case = cases[int(marker[1:])]
        printed.append(Printed(case, " ".join(word for _, _, word in body), len(feet),
                               marker_foot - max(feet, default=marker_foot)))
    return printed


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def print_with_libreoffice(cases: list[Case], directory: Path, soffice: str) -> list[Printed]:
    workbook = directory / "calibration.xlsx"
    build_workbook(cases, workbook)
    profile = (directory / "profile").as_uri()
    env = {**os.environ, "LANG": "en_GB.UTF-8"}
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(directory), str(workbook)],
                   capture_output=True, text=True, timeout=180, check=True, env=env)
    return read_pdf(directory / "calibration.pdf", cases)


@pytest.fixture
def renderer() -> Iterator[str]:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) and poppler (pdftotext) are needed on CI")
        pytest.skip("LibreOffice (soffice) or poppler (pdftotext) is not installed")
    yield soffice


def test_libreoffice_never_clips_and_rows_are_not_much_too_tall(renderer: str,
                                                                tmp_path: Path) -> None:
    cases = calibration_cases()
    assert len(cases) > 200
    printed = print_with_libreoffice(cases, tmp_path, renderer)
    assert sorted(p.case.key for p in printed) == [c.key for c in cases]
    for result in printed:
        case = result.case
        label = f"{case.font} {case.size} bold={case.bold} {case.columns} {case.app}"
        assert _squash(result.text) == _squash(case.text), f"words missing: {label}"
        assert result.slack >= -0.5, f"last line clipped by {-result.slack:.1f} pt: {label}"
        # Sized for LibreOffice: at most a line or so to spare.  Sized for both: the same,
        # besides the room Excel's taller lines take.
        excel_extra = case.height - replace(case, app="libreoffice").height
        spare = result.slack_lines - excel_extra / result.line_pitch
        assert spare < 2.0, f"{spare:.1f} lines to spare: {label}"
    tight = [p for p in printed if p.case.app == "libreoffice"]
    assert sum(p.slack_lines < 1.25 for p in tight) >= 0.9 * len(tight)
