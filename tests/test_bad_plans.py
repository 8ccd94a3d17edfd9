"""The corpus of malformed plans (tests/corpus/): every one gets its message at its
place from the real command line, exits non-zero, never shows a traceback, and is
left byte for byte as it was (docs/workbook.md, "What the tool promises").

The cases, their files and their expected places and messages are listed once, in
``tests/corpus/make_corpus.py``. A case whose ``finding`` is set is a fault ragbook
still has: its test says what the officer should be told, and is a strict xfail.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import stat
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from conftest import run_ragbook
from corpus.make_corpus import (
    CASES,
    CHECK,
    FORMULA_LIKE,
    GOOD_PLAN,
    IN_PLAN,
    PASSWORD,
    PLANS,
    REGENERATE,
    Case,
    case,
    generate,
)

CFB = bytes.fromhex("D0CF11E0A1B11AE1")
INTERNAL_ERROR = "something went wrong inside ragbook"
COUNT_LINE = re.compile(r"^(\d+) problem\(s\), \d+ error\(s\):$", re.MULTILINE)
WARNING = "  (warning)"


def as_param(item: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=item.finding)] if item.finding else []
    return pytest.param(item, id=item.name, marks=marks)


FAILING = [as_param(item) for item in CASES if item.exit != 0]


@dataclass
class Copied:
    """A case's file copied into a folder of its own, with what must not change."""

    case: Case
    plan: Path
    out: Path
    before: dict[str, tuple[bytes, int]]

    @property
    def folder(self) -> Path:
        return self.plan.parent

    def now(self) -> dict[str, tuple[bytes, int]]:
        return snapshot(self.folder)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in the folder with its bytes and permission bits."""
    return {p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def copied(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Copied]:
    item: Case = request.param
    folder = tmp_path / "plans"
    folder.mkdir()
    plan = folder / item.file
    if item.make is not None:
        shutil.copyfile(PLANS / item.file, plan)
    for name, _ in item.companions:
        shutil.copyfile(PLANS / name, folder / name)
    # Read-only by the permission bits, as ragbook checks them (the tests may run as root).
    if item.setup == "read-only":
        plan.chmod(0o444)
    before = snapshot(folder)
    if item.setup == "read-only-folder":
        folder.chmod(0o555)
    try:
        yield Copied(item, plan, tmp_path / "out.xlsx", before)
    finally:
        folder.chmod(0o755)
        for path in folder.iterdir():
            path.chmod(0o644)


def run_case(item: Case, copied: Copied) -> list[tuple[str, subprocess.CompletedProcess[str]]]:
    """Run every command of the case on the copy (at once: none of them may write it)."""
    def run(command: str) -> subprocess.CompletedProcess[str]:
        name, *rest = command.split()
        return run_ragbook(name, copied.plan, *(word.format(out=copied.out) for word in rest))

    with ThreadPoolExecutor(len(item.commands)) as pool:
        return list(zip(item.commands, pool.map(run, item.commands), strict=True))


def place_pattern(place: str) -> re.Pattern[str]:
    """``Measures!G3`` as a whole place, written as Excel writes it (not 'Measures'!G3,
    G30 nor G3:H3); a file name as a whole name (not plan.xls inside plan.xlsx)."""
    if "!" in place:
        return re.compile(rf"(?<![\w'!]){re.escape(place)}(?!\w|:[$A-Z])")
    return re.compile(rf"(?<![\w.-]){re.escape(place)}(?![\w.])")


def lines_at(output: str, place: str) -> list[str]:
    pattern = place_pattern(place)
    return [line for line in output.splitlines() if pattern.search(line)]


def problem_lines(stdout: str) -> list[str]:
    """The message of every problem ``check`` or ``recalc`` lists (the lines under the
    count, up to the first blank line)."""
    counted = COUNT_LINE.search(stdout)
    if counted is None:
        return []
    lines = []
    for line in stdout[counted.end():].splitlines()[1:]:
        if not line.strip():
            break
        lines.append(line.strip().removesuffix(WARNING.strip()).rstrip())
    return lines


@pytest.mark.parametrize("copied", FAILING, indirect=True)
def test_malformed_plan_gets_its_message_at_its_place(copied: Copied) -> None:
    item = copied.case
    for command, done in run_case(item, copied):
        output = done.stdout + done.stderr
        shown = f"$ ragbook {command} {item.file}\n{output}"
        assert "Traceback" not in output, shown
        assert INTERNAL_ERROR not in output, shown
        assert done.returncode == item.exit_for(command), shown
        assert item.exit != 0 and (done.returncode != 0 or item.warning_only), shown
        at_place = lines_at(output, item.place)
        assert at_place, f"nothing said at {item.place}:\n{shown}"
        assert any(item.message in line for line in at_place), (
            f"expected at {item.place}: ...{item.message}...\n{shown}")
        if item.commands == IN_PLAN and item.exit == 1:
            counted = COUNT_LINE.search(done.stdout)
            assert counted and int(counted.group(1)) == item.problems, shown
        assert copied.now() == copied.before, f"{command} changed the folder of {item.file}"


ISSUE = {
    # The issue's list
    "missing_table", "required_column_renamed", "text_in_number", "actual_percent_text",
    "percent_typed_as_text", "unknown_status", "unparseable_milestone", "duplicate_ref",
    "unknown_outcome_action", "zero_target_relative", "range_without_bounds",
    "override_without_reason", "formula_error_value", "blank_row", "merged_cells",
    "text_too_long", "formula_like_text", "old_xls", "csv", "corrupt_zip",
    "password_protected", "read_only_file", "open_in_excel",
    # and the brief's
    "unknown_polarity", "absolute_without_thresholds", "amber_above_red_measure",
    "ref_stored_as_number", "unknown_outcome_commentary", "bad_plan_year", "bad_quarter",
    "bad_as_of_date", "formula_without_value", "unknown_previous_rag", "unknown_section",
    "empty_file", "ods", "open_in_libreoffice", "read_only_folder", "missing_file",
}


def test_the_corpus_covers_the_issue_and_each_case_is_complete() -> None:
    assert len(CASES) >= 30
    assert not ISSUE - {c.name for c in CASES}
    assert len({c.name for c in CASES}) == len({c.file for c in CASES}) == len(CASES)
    for item in CASES:
        assert item.what and item.commands and item.exit in (0, 1, 2), item.name
        assert bool(item.exit) == bool(item.place and item.message), item.name
        assert (PLANS / item.file).exists() == (item.make is not None), item.name


def test_the_good_plan_the_corpus_is_made_from_checks_clean(tmp_path: Path) -> None:
    """The control: each case's problems come from its one mistake."""
    plan = tmp_path / GOOD_PLAN
    shutil.copyfile(PLANS / GOOD_PLAN, plan)
    done = run_ragbook("check", plan)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No problems found." in done.stdout


@pytest.mark.parametrize("copied", [as_param(case("formula_like_text"))], indirect=True)
def test_text_beginning_like_a_formula_stays_text(copied: Copied) -> None:
    """Listed with the malformed plans, but not an error: commentary (and any text)
    beginning with =, +, - or @ is the officer's text, and must stay text when ragbook
    writes the workbook. So both commands exit 0."""
    given = openpyxl.load_workbook(copied.plan)
    for (sheet, row, header), text in FORMULA_LIKE.items():
        typed = given[sheet].cell(row, next(c.column for c in given[sheet][1] if c.value == header))
        assert (typed.value, typed.data_type) == (text, "s")  # the case is what it says
    runs = dict(run_case(copied.case, copied))
    for done in runs.values():
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        assert "No problems found." in done.stdout, output
        assert "Traceback" not in output
    assert copied.now() == copied.before
    book = openpyxl.load_workbook(copied.out)
    for (sheet, row, header), text in FORMULA_LIKE.items():
        column = next(c.column for c in book[sheet][1] if c.value == header)
        written = book[sheet].cell(row, column)
        assert (written.value, written.data_type) == (text, "s"), f"{sheet}!{written.coordinate}"
    with zipfile.ZipFile(copied.out) as archive:
        sheets = b"".join(archive.read(n) for n in archive.namelist()
                          if n.startswith("xl/worksheets/"))
    assert b"<f>SUM(A1:A3)" not in sheets


READ_AS_SHOWN = {"percent_typed_as_text": ("Measures", "M1.1", "Why", "red threshold -> RED"),
                 "actual_percent_text": ("Measures", "M1.1", "Why", "72% vs target"),
                 "settings_threshold_text": ("Settings", "Amber threshold", "Value", 0.05)}


@pytest.mark.parametrize("copied", [as_param(case(name)) for name in READ_AS_SHOWN],
                         indirect=True)
def test_text_that_shows_a_number_is_read_as_that_number(copied: Copied) -> None:
    """Percentages held as text ("72 %", pasted from another system) are the number they show,
    in the CLI as in the add-in: no problem, and the rating uses the number."""
    runs = dict(run_case(copied.case, copied))
    for done in runs.values():
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        assert "No problems found." in done.stdout, output
    exported = json.loads(run_ragbook("check", copied.plan, "--json").stdout)
    assert exported["problems"] == []
    sheet, ref, column, wanted = READ_AS_SHOWN[copied.case.name]
    book = openpyxl.load_workbook(copied.out)
    rows = list(book[sheet].iter_rows(values_only=True))
    header = rows[0]
    row = next(r for r in rows[1:] if ref in (r[0], r[1]) or r[0] == ref)
    value = row[header.index(column)]
    if isinstance(wanted, str):
        assert wanted in str(value), value
    else:
        assert value == "5 %"  # the officer's text is kept as typed, and read as 5%
        assert exported["amber_threshold"] == wanted


JSON_CASES = ["blank_row", "merged_cells", "absolute_without_thresholds", "bad_plan_year",
              "required_column_renamed", "settings_amber_above_red", "ref_stored_as_number"]


@pytest.mark.parametrize("name", JSON_CASES)
def test_check_json_gives_the_same_places_as_the_text(tmp_path: Path, name: str) -> None:
    plan = tmp_path / case(name).file
    shutil.copyfile(PLANS / plan.name, plan)
    text = run_ragbook(CHECK, plan)
    as_json = run_ragbook(CHECK, plan, "--json")
    assert as_json.returncode == text.returncode == case(name).exit_for(CHECK)
    report = json.loads(as_json.stdout)
    assert [p["message"] for p in report["problems"]] == problem_lines(text.stdout)
    assert any(place_pattern(case(name).place).fullmatch(p["place"])
               for p in report["problems"])
    # The codes are for programs: the JSON has them, the officer's lines do not.
    assert all(p["code"] for p in report["problems"])
    assert not any(f"[{p['code']}]" in text.stdout for p in report["problems"])


# --- the corpus is what make_corpus.py makes ---------------------------------------------------


def contents(path: Path) -> object:
    """What a file holds: a package's parts whatever the zip compression (decrypted when
    password-protected), else its bytes."""
    data = path.read_bytes()
    if data.startswith(CFB) and path.suffix == ".xlsx":
        encrypted = OOXMLFile(io.BytesIO(data))
        encrypted.load_key(password=PASSWORD)
        plain = io.BytesIO()
        encrypted.decrypt(plain)
        data = plain.getvalue()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, zlib.error, EOFError):  # the damaged cases: their bytes
        return data


def test_the_corpus_is_what_make_corpus_generates(tmp_path: Path) -> None:
    fresh = tmp_path / "plans"
    generate(fresh)
    committed = sorted(p.name for p in PLANS.iterdir())
    assert sorted(p.name for p in fresh.iterdir()) == committed, REGENERATE
    differ = [name for name in committed
              if (fresh / name).read_bytes() != (PLANS / name).read_bytes()]
    for name in differ:  # another zlib compresses differently: the contents must agree
        assert contents(fresh / name) == contents(PLANS / name), f"{name}: {REGENERATE}"
    if differ:
        again = tmp_path / "again"
        generate(again)
        for name in differ:
            assert (again / name).read_bytes() == (fresh / name).read_bytes(), (
                f"make_corpus.py is not deterministic for {name}")
