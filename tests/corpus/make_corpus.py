"""The corpus of malformed plans, and what ragbook must say about each.

Every case is one file in ``tests/corpus/plans/`` made from the committed demo
plan (cut down to a few rows) by one deliberate mistake, and the place and
message an officer must get for it. ``tests/test_bad_plans.py`` runs the real
command line on a copy of each file and checks the exit status, the place, the
message, that nothing is a traceback, and that the file is left byte for byte.

Run it to (re)write the corpus; the files are committed::

    .venv/bin/python tests/corpus/make_corpus.py

The output is deterministic: zip entries carry a fixed time, the workbook's
"modified" property is fixed, and the password-protected file is encrypted
with fixed (not random) salts.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

os.environ.setdefault("OPENPYXL_LXML", "False")  # as ragbook and the tests write, before openpyxl
import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEMO_PLAN = ROOT / "workbook_templates" / "demo_plan_2018-19_Q1.xlsx"
PLANS = HERE / "plans"
REGENERATE = "regenerate with: .venv/bin/python tests/corpus/make_corpus.py"

PASSWORD = "secret"
"""The password of the password-protected case."""

FIXED_TIME = (2018, 7, 1, 0, 0, 0)
FIXED_MODIFIED = b"2018-07-01T00:00:00Z"

KEEP_ROWS = {"Actions": 4, "Measures": 3, "Commentary": 4}
"""Data rows kept from the demo plan, per table (Settings and Outcomes are kept whole)."""

# The commands a case runs. ``{out}`` is a new file in the test's own folder.
CHECK = "check"
RECALC_OUT = "recalc --out {out}"
RECALC = "recalc"
IN_PLAN = (CHECK, RECALC_OUT)
"""A plan ragbook can open: it must report the problem whether checking or rating."""
UNREADABLE = (CHECK, RECALC)
"""A file ragbook cannot read: refused by both, and never touched."""
NOT_REPLACEABLE = (RECALC,)
"""A good plan that ragbook may read but must not replace (check is fine on it)."""


@dataclass(frozen=True)
class Case:
    """One malformed plan and what the officer must be told about it."""

    name: str
    """The test id."""
    file: str
    """The file under plans/ (absent for the missing-file case)."""
    what: str
    """The mistake, as an officer would describe it."""
    commands: tuple[str, ...]
    exit: int
    """The exit status every command must give: 1 problems or unusable file, 2 usage error
    (a plan whose problems are all warnings gives 0: see ``exit_for``)."""
    place: str
    """``Sheet!Cell`` (or range), or the file name for a file-level problem."""
    message: str
    """A fragment of the message: what was found and what is expected."""
    make: Callable[[], bytes] | None = None
    problems: int = 1
    """For a plan ragbook can open: how many problems it must list (no collateral noise)."""
    companions: tuple[tuple[str, bytes], ...] = ()
    """Files kept beside the plan (lock files): written to plans/ too."""
    setup: str = ""
    """``read-only`` (the file) or ``read-only-folder``: done by the test, by permission bits."""
    finding: str = ""
    """Non-empty when ragbook does not yet give the message: the test is a strict xfail."""
    warning_only: bool = False
    """The problem is a warning: every command lists it but exits 0 (nothing is wrong enough
    to stop)."""

    def exit_for(self, command: str) -> int:
        """The exit status ``command`` (one of ``commands``) must give."""
        return 0 if self.warning_only else self.exit


# --- building the files ------------------------------------------------------------------------


def _load(data: bytes) -> Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data))


def _table(book: Workbook, sheet: str) -> Table:
    tables = book[sheet].tables
    return tables[next(iter(tables))]


def _set_last_row(table: Table, last_row: int) -> None:
    first_col, first_row, last_col, _ = range_boundaries(table.ref)
    ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"
    table.ref = ref
    if table.autoFilter is not None:
        table.autoFilter.ref = ref


def _column(book: Workbook, sheet: str, header: str) -> int:
    for cell in book[sheet][1]:
        if cell.value == header:
            return int(cell.column)
    raise KeyError(f"{sheet} has no column {header!r}")


def cell(book: Workbook, sheet: str, row: int, header: str) -> Cell:
    """The cell of a table column (found by its header on row 1) on a sheet row."""
    return book[sheet].cell(row, _column(book, sheet, header))


def put(book: Workbook, sheet: str, row: int, header: str, value: object, *,
        text: bool = False) -> None:
    target = cell(book, sheet, row, header)
    target.value = value
    if text:  # as Excel keeps text typed into a cell formatted as Text: never a formula
        target.data_type = "s"


def _cut_down(book: Workbook) -> None:
    """Only the plan's own five tables, a few rows each, without the header notes."""
    for name in ("Instructions", "Run log", "History"):
        del book[name]
    for sheet in book.worksheets:
        for header in sheet[1]:
            header.comment = None
    for sheet, keep in KEEP_ROWS.items():
        table = _table(book, sheet)
        _, header_row, _, last_row = range_boundaries(table.ref)
        first_gone = header_row + keep + 1
        book[sheet].delete_rows(first_gone, last_row - first_gone + 1)
        _set_last_row(table, header_row + keep)


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return normalised(out.getvalue())


def normalised(data: bytes) -> bytes:
    """The same package with fixed entry times and a fixed "modified" date."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + FIXED_MODIFIED,
                              body)
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, body)
    return out.getvalue()


_BASE: list[bytes] = []


def base_plan() -> bytes:
    """The demo plan cut down to a few rows per table: a good plan, checked clean."""
    if not _BASE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(DEMO_PLAN)
        _cut_down(book)
        _BASE.append(_saved(book))
    return _BASE[0]


def edited(change: Callable[[Workbook], None]) -> Callable[[], bytes]:
    """A builder: the base plan with ``change`` made by openpyxl."""
    def make() -> bytes:
        book = _load(base_plan())
        change(book)
        return _saved(book)
    return make


def setting(name: str, value: object) -> Callable[[], bytes]:
    def change(book: Workbook) -> None:
        sheet = book["Settings"]
        row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == name)
        put(book, "Settings", row, "Value", value)
    return edited(change)


def cells(sheet: str, row: int, **values: object) -> Callable[[], bytes]:
    """Set cells of one row: ``cells("Measures", 2, Actual="72 %")`` (underscores are
    spaces in header names)."""
    def change(book: Workbook) -> None:
        for header, value in values.items():
            put(book, sheet, row, header.replace("_", " "), value)
    return edited(change)


def _drop_table(book: Workbook) -> None:
    del book["Measures"].tables["tblMeasures"]


def _rename_header(book: Workbook) -> None:
    column = _column(book, "Measures", "Polarity")
    book["Measures"].cell(1, column).value = "Good is"
    table = _table(book, "Measures")
    for table_column in table.tableColumns:
        if table_column.name == "Polarity":
            table_column.name = "Good is"


def _blank_row(book: Workbook) -> None:
    """A blank row inserted at Actions row 4, inside the table (as Excel's Insert Row)."""
    table = _table(book, "Actions")
    first_col, _, last_col, last_row = range_boundaries(table.ref)
    span = f"{get_column_letter(first_col)}4:{get_column_letter(last_col)}{last_row}"
    book["Actions"].move_range(span, rows=1)
    _set_last_row(table, last_row + 1)


def _merged(book: Workbook) -> None:
    """The same supporting outcome merged down two rows, as officers like to."""
    book["Actions"].merge_cells("C2:C3")


def _commentary_too_long() -> bytes:
    """Commentary!D2 holds 40,000 characters. openpyxl cuts text to 32,767 characters when
    a cell is set, so the text goes into the sheet's XML (as other programs can write it)."""
    marker = "@@too long@@"
    book = _load(base_plan())
    put(book, "Commentary", 2, "Text", marker)
    words = "Progress on the integrated care communities continues. "
    return _replaced(_saved(book), f"<t>{marker}</t>".encode(),
                     f"<t>{(words * 1000)[:40_000]}</t>".encode())


def _replaced(data: bytes, old: bytes | re.Pattern[bytes], new: bytes) -> bytes:
    """The package with ``old`` (found in exactly one part, once) replaced by ``new``."""
    pattern = old if isinstance(old, re.Pattern) else re.compile(re.escape(old))
    parts = _parts(data)
    hits = [name for name, body in parts.items() if pattern.search(body)]
    assert len(hits) == 1 and len(pattern.findall(parts[hits[0]])) == 1, hits
    parts[hits[0]] = pattern.sub(new, parts[hits[0]])
    return _zipped(parts)


FORMULA_LIKE = {
    ("Commentary", 2, "Text"): "=SUM(A1:A3) is how the totals were worked out",
    ("Commentary", 3, "Text"): "+12 foster care households recruited this quarter",
    ("Commentary", 4, "Text"): "-3 complaints compared with Q4 2017/18",
    ("Commentary", 5, "Text"): "@Finance team: figures to follow in Q2",
    ("Actions", 2, "Lead"): "@Jo Smith",
}
"""Cells whose text begins like a formula: they must stay text (docs/workbook.md)."""


def _formula_like(book: Workbook) -> None:
    for (sheet, row, header), text in FORMULA_LIKE.items():
        put(book, sheet, row, header, text, text=True)


_MARKER = 424242.125


def _cached_error() -> bytes:
    """Measures!Q2 holds a formula whose saved result is #DIV/0!, as Excel saves it."""
    book = _load(base_plan())
    put(book, "Measures", 2, "Actual", _MARKER)
    pattern = re.compile(rb'<c r="Q2"([^>]*?)( t="n")?><v>' + str(_MARKER).encode()
                         + rb"</v></c>")
    return _replaced(_saved(book), pattern,
                     rb'<c r="Q2"\1 t="e"><f>R2/0</f><v>#DIV/0!</v></c>')


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zipped(parts: dict[str, bytes], *, stored_first: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            entry = zipfile.ZipInfo(name, FIXED_TIME)
            entry.compress_type = (zipfile.ZIP_STORED if name == stored_first
                                   else zipfile.ZIP_DEFLATED)
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, body)
    return out.getvalue()


def _truncated() -> bytes:
    """A download or copy that stopped halfway."""
    data = base_plan()
    return data[: len(data) // 2]


def _damaged_part() -> bytes:
    """A complete zip whose xl/workbook.xml bytes were damaged (its checksum fails)."""
    data = bytearray(base_plan())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/workbook.xml")
    name_length = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    middle = start + info.compress_size // 2
    data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
    return bytes(data)


@contextmanager
def _fixed_salts() -> Iterator[None]:
    """msoffcrypto's random salts and keys, and its clock, made repeatable for a committed
    file."""
    from msoffcrypto.method import ecma376_agile
    from msoffcrypto.method.container import ecma376_encrypted

    class _Now(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> _Now:
            return cls(2018, 7, 1)

    counter = [0]

    def fixed(size: int) -> bytes:
        counter[0] += 1
        return hashlib.sha512(f"ragbook corpus {counter[0]}".encode()).digest()[:size]

    originals = ecma376_agile._random_buffer, ecma376_encrypted.datetime
    ecma376_agile._random_buffer = fixed
    ecma376_encrypted.datetime = _Now
    try:
        yield
    finally:
        ecma376_agile._random_buffer, ecma376_encrypted.datetime = originals


def _encrypted() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with _fixed_salts():
        OOXMLFile(io.BytesIO(base_plan())).encrypt(PASSWORD, out)
    return out.getvalue()


def _old_xls() -> bytes:
    """The start of an Excel 97-2003 workbook (an OLE compound file)."""
    return bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + bytes.fromhex("3E000300FEFF0900") \
        + bytes(488)


def _csv() -> bytes:
    return (b"Ref,Outcome,Milestone,Status\r\n1.1,1,From June 2018,At risk\r\n"
            b"1.2,1,By July 2018,At risk\r\n")


def _ods() -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice Calc saves by default."""
    manifest = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
                b'"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                b"</manifest:manifest>")
    content = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
               b'"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table='
               b'"urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text='
               b'"urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               b"<office:body><office:spreadsheet><table:table table:name=\"Actions\">"
               b"<table:table-row><table:table-cell><text:p>Ref</text:p></table:table-cell>"
               b"</table:table-row></table:table></office:spreadsheet></office:body>"
               b"</office:document-content>")
    return _zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                    "META-INF/manifest.xml": manifest, "content.xml": content},
                   stored_first="mimetype")


def excel_lock(user: str = "Officer") -> bytes:
    """Excel's owner file: the user's name, counted and padded to 165 bytes."""
    name = user.encode("ascii")
    return (bytes([len(name)]) + name).ljust(54, b" ") + bytes([len(name), 0]) \
        + "".join(ch + "\0" for ch in user).encode("ascii").ljust(109, b" ")


LIBREOFFICE_LOCK = (b",Officer,COUNCIL-PC,01.07.2018 09:30,"
                    b"file:///C:/Users/Officer/AppData/Roaming/LibreOffice/4;")


# --- the cases ---------------------------------------------------------------------------------

STATUS_CHOICES = "one of Not started, On track, At risk, Off track or Complete"
NUMBER = "expected a number such as 72 or 72%"

CASES: tuple[Case, ...] = (
    # Tables and columns
    Case("missing_table", "missing_table.xlsx", "the Measures table deleted (a plain range)",
         IN_PLAN, 1, "missing_table.xlsx",
         "found no Excel Table named tblMeasures (the Measures sheet has no table on it); "
         "expected the Measures table as an Excel Table named tblMeasures",
         edited(_drop_table)),
    Case("required_column_renamed", "required_column_renamed.xlsx",
         'the Polarity header renamed to "Good is"', IN_PLAN, 1, "Measures!A1:AB1",
         'expected a column named "Polarity" in tblMeasures', edited(_rename_header)),
    Case("blank_row", "blank_row.xlsx", "a blank row inserted inside the Actions table",
         IN_PLAN, 1, "Actions!A4:Q4", "found a blank row; expected no blank rows inside "
         "tblActions", edited(_blank_row)),
    Case("merged_cells", "merged_cells.xlsx", "Supporting outcome merged down two rows",
         IN_PLAN, 1, "Actions!C2:C3", "found merged cells C2:C3; expected one value per cell "
         "inside tblActions: unmerge them", edited(_merged)),
    # Cells of the wrong kind
    Case("text_in_number", "text_in_number.xlsx", "words in a Target cell", IN_PLAN, 1,
         "Measures!G3", f'found "about 600"; {NUMBER}', cells("Measures", 3, Target="about 600")),
    # Text that shows a number (pasted from another system) is read as that number.
    Case("percent_typed_as_text", "percent_typed_as_text.xlsx",
         'an Amber threshold typed as the text "7 %" (read as 7%)', IN_PLAN, 0, "", "",
         cells("Measures", 2, Amber_threshold="7 %")),
    Case("actual_percent_text", "actual_percent_text.xlsx",
         'a Unit % measure whose Actual is the text "72 %" (read as 72)', IN_PLAN, 0, "", "",
         cells("Measures", 2, Actual="72 %")),
    Case("date_in_number", "date_in_number.xlsx", "a date in an Actual cell", IN_PLAN, 1,
         "Measures!Q3", f"found 2018-06-30; {NUMBER}",
         cells("Measures", 3, Actual=date(2018, 6, 30))),
    Case("formula_error_value", "formula_error_value.xlsx", "#DIV/0! in an Actual cell",
         IN_PLAN, 1, "Measures!Q2", "found #DIV/0!; expected a value, not an Excel error",
         cells("Measures", 2, Actual="#DIV/0!")),
    Case("formula_error_cached", "formula_error_cached.xlsx",
         "a formula in Actual whose saved result is #DIV/0!", IN_PLAN, 1, "Measures!Q2",
         "found #DIV/0!; expected a value, not an Excel error", _cached_error),
    Case("formula_without_value", "formula_without_value.xlsx",
         "a formula in Actual never calculated (saved by a program other than Excel)",
         IN_PLAN, 1, "Measures!Q2",
         "found the formula =R2*1.1; expected a value: this formula has no saved result",
         cells("Measures", 2, Actual="=R2*1.1")),
    Case("text_too_long", "text_too_long.xlsx", "a commentary of 40,000 characters", IN_PLAN,
         1, "Commentary!D2", "found 40,000 characters; expected at most 32,767 characters",
         _commentary_too_long),
    # Choices
    Case("unknown_status", "unknown_status.xlsx", 'Status "Nearly done"', IN_PLAN, 1,
         "Actions!F2", f'found "Nearly done"; expected {STATUS_CHOICES}',
         cells("Actions", 2, Status="Nearly done")),
    Case("unknown_polarity", "unknown_polarity.xlsx", 'Polarity "Up is good"', IN_PLAN, 1,
         "Measures!E2", 'found "Up is good"; expected one of Higher is better, Lower is '
         "better or Within range", cells("Measures", 2, Polarity="Up is good")),
    Case("unknown_tolerance", "unknown_tolerance.xlsx", 'Tolerance "Percent"', IN_PLAN, 1,
         "Measures!L2", 'found "Percent"; expected one of Relative or Absolute',
         cells("Measures", 2, Tolerance="Percent")),
    Case("unknown_previous_rag", "unknown_previous_rag.xlsx", 'Previous RAG "Purple"',
         IN_PLAN, 1, "Actions!H2", 'found "Purple"; expected R, A or G (or Red, Amber, Green)',
         cells("Actions", 2, Previous_RAG="Purple")),
    Case("unknown_override", "unknown_override.xlsx", 'Override RAG "Purple" with a reason',
         IN_PLAN, 1, "Measures!U3", 'found "Purple"; expected R, A or G',
         cells("Measures", 3, Override_RAG="Purple", Override_reason="Agreed at board")),
    Case("unknown_section", "unknown_section.xlsx", 'a commentary Section "Highlights"',
         IN_PLAN, 1, "Commentary!C2", 'found "Highlights"; expected one of Areas of progress, '
         "Areas for improvement, Risk updates or Finance updates",
         cells("Commentary", 2, Section="Highlights")),
    # Milestones
    Case("unparseable_milestone", "unparseable_milestone.xlsx", 'Milestone "Sometime soon"',
         IN_PLAN, 1, "Actions!E2", 'found "Sometime soon"; expected a milestone such as "By '
         'March 2019"', cells("Actions", 2, Milestone="Sometime soon")),
    # Refs and outcomes
    Case("duplicate_ref", "duplicate_ref.xlsx", "action ref 1.1 used twice", IN_PLAN, 1,
         "Actions!A3", 'found "1.1"; expected a ref used once only (it is also in row 2)',
         cells("Actions", 3, Ref="1.1")),
    Case("blank_ref", "blank_ref.xlsx", "a measure with no Ref", IN_PLAN, 1, "Measures!A3",
         "found (blank); expected a ref for every row of Measures", cells("Measures", 3, Ref=None)),
    Case("ref_stored_as_number", "ref_stored_as_number.xlsx", "the ref 1.1 stored as a number",
         IN_PLAN, 1, "Actions!A2", "found the number 1.1; expected a ref stored as text",
         cells("Actions", 2, Ref=1.1), warning_only=True),
    Case("unknown_outcome_action", "unknown_outcome_action.xlsx",
         "an action in outcome 9, which Outcomes does not list", IN_PLAN, 1, "Actions!B2",
         'found "9"; expected an outcome listed in the Outcomes sheet',
         cells("Actions", 2, Outcome="9")),
    Case("unknown_outcome_commentary", "unknown_outcome_commentary.xlsx",
         "commentary for outcome 5, which Outcomes does not list", IN_PLAN, 1, "Commentary!A2",
         'found "5"; expected an outcome listed in the Outcomes sheet',
         cells("Commentary", 2, Outcome="5")),
    # Measure rules
    Case("zero_target_relative", "zero_target_relative.xlsx",
         "Target 0 with a Relative tolerance", IN_PLAN, 1, "Measures!G3",
         "found 0; expected a non-zero target, or Tolerance Absolute",
         cells("Measures", 3, Target=0)),
    Case("range_without_bounds", "range_without_bounds.xlsx",
         "Within range with no Range low or Range high", IN_PLAN, 1, "Measures!J2",
         "expected a Range low and/or Range high for a Within range measure",
         cells("Measures", 2, Polarity="Within range")),
    Case("absolute_without_thresholds", "absolute_without_thresholds.xlsx",
         "Tolerance Absolute with no thresholds", IN_PLAN, 1, "Measures!M2",
         "found (blank); expected a threshold in the measure's own unit (Tolerance is "
         "Absolute)", cells("Measures", 2, Tolerance="Absolute"), problems=2),
    Case("amber_above_red_measure", "amber_above_red_measure.xlsx",
         "a measure's Amber threshold 20% above its Red threshold 10%", IN_PLAN, 1,
         "Measures!M2", "found 20%; expected an amber threshold no larger than the red "
         "threshold", cells("Measures", 2, Amber_threshold=0.2, Red_threshold=0.1)),
    Case("override_without_reason", "override_without_reason.xlsx",
         "a measure's Override RAG with no Override reason", IN_PLAN, 1, "Measures!V2",
         "found (blank); expected a reason for overriding the computed rating",
         cells("Measures", 2, Override_RAG="G")),
    Case("action_override_without_reason", "action_override_without_reason.xlsx",
         "an action's Override RAG with no Override reason", IN_PLAN, 1, "Actions!J2",
         "found (blank); expected a reason for overriding the computed rating",
         cells("Actions", 2, Override_RAG="Green")),
    # Settings
    Case("bad_plan_year", "bad_plan_year.xlsx", 'Plan year "2018/20"', IN_PLAN, 1,
         "Settings!B4", 'found "2018/20"; expected a financial year such as 2018/19',
         setting("Plan year", "2018/20")),
    Case("bad_quarter", "bad_quarter.xlsx", 'Reporting quarter "Q5"', IN_PLAN, 1,
         "Settings!B5", 'found "Q5"; expected a quarter: Q1, Q2, Q3 or Q4',
         setting("Reporting quarter", "Q5")),
    Case("bad_as_of_date", "bad_as_of_date.xlsx", 'As-of date "end of June"', IN_PLAN, 1,
         "Settings!B6", 'found "end of June"; expected a date such as 30/06/2018',
         setting("As-of date", "end of June")),
    Case("settings_threshold_text", "settings_threshold_text.xlsx",
         'the Settings Amber threshold typed as the text "5 %" (read as 5%)', IN_PLAN, 0, "",
         "", setting("Amber threshold", "5 %")),
    Case("settings_amber_above_red", "settings_amber_above_red.xlsx",
         "the Settings Amber threshold 20% above the Red threshold 10%", IN_PLAN, 1,
         "Settings!B7", "found 20%; expected an amber threshold no larger than the red threshold",
         setting("Amber threshold", 0.2)),
    # Text that looks like a formula: not an error; it must stay text.
    Case("formula_like_text", "formula_like_text.xlsx",
         "commentary and a Lead beginning with =, +, - or @", IN_PLAN, 0, "", "",
         edited(_formula_like)),
    # Files ragbook cannot read
    Case("old_xls", "plan.xls", "an Excel 97-2003 .xls workbook", UNREADABLE, 1, "plan.xls",
         "is in the old Excel format (.xls), which ragbook cannot read: open it in Excel and "
         "Save As Excel Workbook (.xlsx)", _old_xls),
    Case("csv", "plan.csv", "a .csv export of the Actions sheet", UNREADABLE, 1, "plan.csv",
         "is not an Excel workbook (a .csv file)", _csv),
    Case("ods", "plan.ods", "a LibreOffice Calc .ods spreadsheet", UNREADABLE, 1, "plan.ods",
         "is not an Excel workbook (a .ods file)", _ods),
    Case("empty_file", "empty_file.xlsx", "an empty file (0 bytes)", UNREADABLE, 1,
         "empty_file.xlsx", "is empty (0 bytes)", lambda: b""),
    Case("corrupt_zip", "corrupt_zip.xlsx", "a workbook cut off halfway (truncated zip)",
         UNREADABLE, 1, "corrupt_zip.xlsx",
         "is damaged or is not an Excel workbook (it is not a complete zip package)", _truncated),
    Case("damaged_part", "damaged_part.xlsx", "a zip whose workbook part fails its checksum",
         UNREADABLE, 1, "damaged_part.xlsx",
         "is damaged or is not an Excel workbook (it is not a complete zip package)",
         _damaged_part),
    Case("csv_renamed_xlsx", "csv_renamed_xlsx.xlsx", "a CSV file renamed to .xlsx",
         UNREADABLE, 1, "csv_renamed_xlsx.xlsx", "is damaged or is not an Excel workbook", _csv),
    Case("password_protected", "password_protected.xlsx", "a workbook with a password to open",
         UNREADABLE, 1, "password_protected.xlsx",
         "is password-protected (encrypted): remove the password in Excel", _encrypted),
    Case("missing_file", "missing_file.xlsx", "a file name that does not exist", UNREADABLE,
         2, "missing_file.xlsx", "no such file"),
    # Good plans ragbook must not replace
    Case("read_only_file", "read_only_file.xlsx", "a read-only file", NOT_REPLACEABLE, 1,
         "read_only_file.xlsx", "is read-only, so ragbook cannot save over it: use --out",
         base_plan, setup="read-only"),
    Case("read_only_folder", "read_only_folder.xlsx", "a plan in a read-only folder",
         NOT_REPLACEABLE, 1, "read_only_folder.xlsx",
         "is in a read-only folder", base_plan, setup="read-only-folder"),
    Case("open_in_excel", "open_in_excel.xlsx", "a workbook open in Excel (~$ lock beside it)",
         NOT_REPLACEABLE, 1, "open_in_excel.xlsx",
         "is open in Excel (its lock file ~$open_in_excel.xlsx is beside it)", base_plan,
         companions=(("~$open_in_excel.xlsx", excel_lock()),)),
    Case("open_in_libreoffice", "open_in_libreoffice.xlsx",
         "a workbook open in LibreOffice (.~lock file beside it)", NOT_REPLACEABLE, 1,
         "open_in_libreoffice.xlsx", "is open in LibreOffice (its lock file "
         ".~lock.open_in_libreoffice.xlsx# is beside it)", base_plan,
         companions=((".~lock.open_in_libreoffice.xlsx#", LIBREOFFICE_LOCK),)),
)

GOOD_PLAN = "good_plan.xlsx"
"""The cut-down demo plan itself, with no mistake: it must check clean."""


def case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def corpus_files() -> dict[str, bytes]:
    """Every file of the corpus, by name."""
    files = {GOOD_PLAN: base_plan()}
    for item in CASES:
        if item.make is not None:
            files[item.file] = item.make()
        files.update(item.companions)
    return files


def generate(folder: Path = PLANS) -> list[Path]:
    """Write the corpus into ``folder``, removing files no case makes any more."""
    folder.mkdir(parents=True, exist_ok=True)
    files = corpus_files()
    for old in folder.iterdir():
        if old.is_file() and old.name not in files:
            old.unlink()
    written = []
    for name, data in sorted(files.items()):
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


def main() -> int:
    written = generate()
    total = sum(path.stat().st_size for path in written)
    print(f"Wrote {len(written)} files ({total // 1024} KB) for {len(CASES)} cases to {PLANS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
