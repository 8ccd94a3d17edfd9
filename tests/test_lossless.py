"""Recalculating an officer's workbook in place loses nothing: only ragbook's cells change.

Each workbook of the officer corpus (``officer_workbooks.py``) is recalculated by the real
command line. The plan is replaced in place, with a byte-identical backup; every part of
the package that ragbook has no cells in is byte-identical; the parts it edits still hold
everything else they held (cells outside ragbook's columns, formulas and their saved
results, extension lists, drawings); and LibreOffice, openpyxl and python-calamine all open
the result, LibreOffice showing the new ratings.
"""

from __future__ import annotations

import csv
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

import officer_workbooks as officer
from conftest import DEMO_PLAN, run_ragbook

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
EDITED_SHEETS = ("Actions", "Measures", "Run log")


def ragbook_columns(plan: Path) -> dict[str, set[str] | None]:
    """Where ragbook writes: the letters of its output columns on Actions and Measures, and
    every cell of the Run log (None)."""
    from ragbook import schema

    book = openpyxl.load_workbook(plan, read_only=True)
    found: dict[str, set[str] | None] = {"Run log": None}
    for spec in (schema.ACTIONS, schema.MEASURES):
        outputs = {column.name for column in spec.outputs}
        header = next(book[spec.sheet].iter_rows(max_row=1))
        found[spec.sheet] = {cell.column_letter for cell in header if cell.value in outputs}
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return officer.build(tmp_path_factory.mktemp("officer"))


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n")


def kept_cells(xml: bytes, columns: set[str] | None) -> dict[str, bytes]:
    """The cells of a worksheet part outside ragbook's columns, each as canonical XML."""
    if columns is None:
        return {}
    root = etree.fromstring(xml)
    found = {}
    for cell in root.iter(f"{M}c"):
        ref = cell.get("r", "")
        letters = ref.rstrip("0123456789")
        if not (letters in columns and ref[len(letters):] != "1"):
            found[ref] = _c14n(cell)
    return found


def kept_elements(xml: bytes) -> list[bytes]:
    """Everything in a worksheet part but its cells and its recorded extent."""
    root = etree.fromstring(xml)
    return [_c14n(child) for child in root
            if child.tag not in (f"{M}sheetData", f"{M}dimension")]


def lo_csv(path: Path, sheet: str, tmp: Path) -> list[list[str]]:
    """A sheet as LibreOffice headless reads the file, as CSV rows."""
    index = openpyxl.load_workbook(path, read_only=True).sheetnames.index(sheet) + 1
    out = tmp / "csv"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                    "--convert-to", f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,"
                    f"false,false,false,{index}", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    found = next(out.glob(f"{path.stem}*.csv"))
    with found.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    found.unlink()
    return rows


def ratings_of(plan: Path) -> dict[str, str]:
    """A plan's measure ratings, as ragbook rates it (before it is changed)."""
    from ragbook.workbook.operations import check

    result = check(plan).result
    refs = result.plan.measures["Ref"]
    return {refs[row]: rag for row, rag in result.measures.table["RAG"].items()}


@pytest.mark.parametrize("name", ["dashboard chart", "note and defined name",
                                  "formula with its result", "picture and sparklines",
                                  "list from another sheet", "macro-enabled",
                                  "saved by LibreOffice"])
def test_recalc_in_place_changes_only_ragbooks_cells(corpus, name, tmp_path):
    plan = corpus[name]
    original = plan.read_bytes()
    before = members(plan)
    parts = officer.sheet_parts(plan)
    expected = ratings_of(plan)
    columns = ragbook_columns(plan)
    done = run_ragbook("recalc", plan)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Wrote the results to {plan}" in done.stdout, done.stdout
    assert "recalculated" not in done.stdout
    backup = plan.with_name(f"{plan.stem}.backup{plan.suffix}")
    assert backup.read_bytes() == original
    assert not list(plan.parent.glob("*(recalculated*"))
    after = members(plan)

    edited = {parts[sheet] for sheet in EDITED_SHEETS} | {"xl/styles.xml"}
    calculation_chain = {"xl/calcChain.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    if "xl/calcChain.xml" in before and "xl/calcChain.xml" not in after:
        edited |= calculation_chain  # a formula in a ragbook cell gave way to a value
    assert set(after) == set(before) - (calculation_chain & edited & {"xl/calcChain.xml"})
    same = [part for part in before if part not in edited]
    assert [part for part in same if before[part] != after[part]] == []
    for sheet, letters in columns.items():
        part = parts[sheet]
        assert kept_elements(after[part]) == kept_elements(before[part]), sheet
        was, now = kept_cells(before[part], letters), kept_cells(after[part], letters)
        assert {ref: cell for ref, cell in now.items() if ref in was} == was, sheet

    # Every reader opens it, and they agree on the ratings.
    book = openpyxl.load_workbook(plan, data_only=True)
    measures = book["Measures"]
    headers = [cell.value for cell in measures[1]]
    by_openpyxl = {row[0]: row[headers.index("RAG")]
                   for row in measures.iter_rows(min_row=2, values_only=True) if row[0]}
    calamine = CalamineWorkbook.from_path(str(plan)).get_sheet_by_name("Measures").to_python()
    assert {row[0]: row[headers.index("RAG")] for row in calamine[1:] if row[0]} == by_openpyxl
    rows = lo_csv(plan, "Measures", tmp_path)
    assert {row[0]: row[headers.index("RAG")] for row in rows[1:] if row[0]} == by_openpyxl
    assert by_openpyxl == expected
    assert book["Run log"].max_row == 2 and book["Run log"]["B2"].value == "recalc"


def test_a_formula_keeps_its_saved_result_and_a_formula_in_ragbooks_column_gives_way(corpus):
    plan = corpus["formula with its result"]
    part = officer.sheet_parts(plan)["Measures"]
    formula, saved = officer.FORMULA_ACTUAL
    cell = f"{formula}{saved}</c>"
    before = re.search(rf'<c r="Q3"[^>]*>{re.escape(cell)}', members(plan)[part].decode())
    assert before is not None
    assert run_ragbook("recalc", plan).returncode == 0
    xml = members(plan)[part].decode()
    assert before.group(0) in xml  # the same cell, its style included
    rag = etree.fromstring(xml.encode()).find(f'.//{M}c[@r="W4"]')
    assert rag.find(f"{M}f") is None and rag.get("t") == "inlineStr"
    assert "xl/calcChain.xml" not in members(plan)  # Excel rebuilds it
    assert openpyxl.load_workbook(plan)["Measures"]["Q3"].value == "=300/419*1000"


def test_a_shared_formula_in_a_ragbook_column_stops_the_run_naming_the_cell(tmp_path):
    plan = tmp_path / "shared.xlsx"
    package = officer.fx.Package(DEMO_PLAN.read_bytes())
    part = officer.sheet_parts(DEMO_PLAN)["Measures"]
    package.edit(part, lambda xml: re.sub(
        r'<c r="W2"( s="\d+")? t="n" />', r'<c r="W2"\1 t="str"><f t="shared" ref="W2:W5" '
        r'si="0">IF(Q2&gt;G2,"R","G")</f><v>R</v></c>', xml, count=1))
    assert 't="shared"' in package.text(part)
    plan.write_bytes(package.to_bytes())
    original = plan.read_bytes()
    done = run_ragbook("recalc", plan)
    assert done.returncode == 1
    assert "Measures!W2" in done.stderr and "formula shared with other cells" in done.stderr
    assert "nothing was changed" in done.stderr
    assert plan.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.xlsx"]


def test_recalc_twice_updates_the_plan_each_time_and_never_makes_a_copy(corpus, tmp_path):
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(corpus["dashboard chart"].read_bytes())
    logged = openpyxl.load_workbook(plan)["Run log"].max_row
    for _ in range(2):
        assert run_ragbook("recalc", plan).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.backup.xlsx", "plan.xlsx"]
    assert openpyxl.load_workbook(plan)["Run log"].max_row == logged + 2


def test_out_never_writes_over_a_file_without_force(demo_plan, tmp_path):
    out = tmp_path / "rated.xlsx"
    out.write_bytes(b"an officer's own file")
    done = run_ragbook("recalc", demo_plan, "--out", out)
    assert done.returncode == 2
    assert "already exists" in done.stderr and "--force" in done.stderr
    assert out.read_bytes() == b"an officer's own file"
    done = run_ragbook("recalc", demo_plan, "--out", out, "--force")
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(out)["Run log"]["B2"].value == "recalc"


def test_roll_forward_copies_the_package_with_the_changes_made(corpus, tmp_path):
    plan = corpus["picture and sparklines"]
    out = tmp_path / "next.xlsx"
    done = run_ragbook("roll-forward", plan, "--out", out)
    assert done.returncode == 0, done.stdout + done.stderr
    before, after = members(plan), members(out)
    parts = officer.sheet_parts(plan)
    edited = {parts[s] for s in ("Settings", "Actions", "Measures", "Commentary", "Run log",
                                 "History")} | {"xl/styles.xml"}
    grown = {p for p in before if p.startswith("xl/tables/") and before[p] != after[p]}
    assert [p for p in before if p not in edited | grown and before[p] != after[p]] == []
    for part in grown:  # the History table grew to hold the quarter: only its range changed
        was, now = etree.fromstring(before[part]), etree.fromstring(after[part])
        assert was.get("displayName") in ("tblHistory", "tblRunLog")
        for table in (was, now):
            for element in (table, table.find(f"{M}autoFilter")):
                if element is not None:
                    element.attrib.pop("ref", None)
        assert _c14n(was) == _c14n(now)
    book = openpyxl.load_workbook(out)
    assert book["Settings"]["B5"].value == "Q2" or "Q2" in [
        c.value for row in book["Settings"].iter_rows() for c in row]
    assert book["History"].max_row > 100
