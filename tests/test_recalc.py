"""``ragbook recalc`` on real workbooks, run as a user runs it, results read back with openpyxl."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

import officer_workbooks
from conftest import ROOT, run_ragbook
from fixtures_xlsx import with_text_box
from ragbook import schema

OUTPUTS = {spec.sheet: tuple(column.name for column in spec.outputs)
           for spec in (schema.ACTIONS, schema.MEASURES)}


def table_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path)
    rows = book[sheet].iter_rows(values_only=True)
    header = [str(h) for h in next(rows)]
    return [dict(zip(header, row, strict=False)) for row in rows if any(row)]


def seed_ratings() -> dict[tuple[str, str], tuple[str, str]]:
    with (ROOT / "tests" / "data" / "seed_ratings.csv").open(encoding="utf-8") as handle:
        return {(row["Kind"], row["Ref"]): (row["RAG"], row["Direction"])
                for row in csv.DictReader(handle)}


def test_recalc_reproduces_every_rating_and_arrow_of_the_seed_report(demo_plan):
    done = run_ragbook("recalc", demo_plan)
    assert done.returncode == 0, done.stdout + done.stderr
    seed = seed_ratings()
    found = {}
    for kind, sheet in (("action", "Actions"), ("measure", "Measures")):
        for row in table_rows(demo_plan, sheet):
            found[(kind, row["Ref"])] = (row["RAG"], row["Direction"])
    assert found == seed


def test_recalc_fills_rag_cells_with_their_colour(demo_plan):
    run_ragbook("recalc", demo_plan)
    sheet = openpyxl.load_workbook(demo_plan)["Measures"]
    header = [c.value for c in sheet[1]]
    rag = header.index("RAG") + 1
    colours = {sheet.cell(r, rag).value: sheet.cell(r, rag).fill.fgColor.rgb
               for r in range(2, sheet.max_row + 1)}
    assert colours["R"].endswith("C00000")
    assert colours["A"].endswith("FFC000")
    assert colours["G"].endswith("00B050")


def test_recalc_writes_milestone_due_as_a_uk_date_and_the_checks(demo_plan):
    run_ragbook("recalc", demo_plan)
    rows = {row["Ref"]: row for row in table_rows(demo_plan, "Actions")}
    assert rows["1.2"]["Milestone check"] == "Due next quarter: due 31/07/2018"
    assert rows["1.2"]["Milestone due"].strftime("%d/%m/%Y") == "31/07/2018"
    sheet = openpyxl.load_workbook(demo_plan)["Actions"]
    due_column = [c.value for c in sheet[1]].index("Milestone due") + 1
    assert sheet.cell(3, due_column).number_format == "dd/mm/yyyy"


def test_recalc_changes_only_ragbooks_cells(demo_plan, tmp_path):
    before = openpyxl.load_workbook(demo_plan)
    run_ragbook("recalc", demo_plan)
    after = openpyxl.load_workbook(demo_plan)
    for sheet in before.sheetnames:
        if sheet == "Run log":
            continue
        old, new = before[sheet], after[sheet]
        header = [c.value for c in old[1]]
        ours = {i + 1 for i, h in enumerate(header) if h in OUTPUTS.get(sheet, ())}
        assert old.max_row == new.max_row and old.max_column == new.max_column, sheet
        for row in old.iter_rows():
            for cell in row:
                if cell.column in ours:
                    continue
                twin = new.cell(cell.row, cell.column)
                assert (twin.value, twin.number_format) == (cell.value, cell.number_format), \
                    f"{sheet}!{cell.coordinate}"
        assert len(new.data_validations.dataValidation) == \
            len(old.data_validations.dataValidation), sheet
        assert len(new.conditional_formatting) == len(old.conditional_formatting), sheet
        assert {t.name: t.ref for t in new.tables.values()} == \
            {t.name: t.ref for t in old.tables.values()}, sheet
    assert before.sheetnames == after.sheetnames


def test_recalc_keeps_the_previous_version_as_a_backup(demo_plan):
    original = demo_plan.read_bytes()
    done = run_ragbook("recalc", demo_plan)
    backup = demo_plan.with_name("demo_plan.backup.xlsx")
    assert backup.read_bytes() == original
    assert "previous version kept as demo_plan.backup.xlsx" in done.stdout


def test_recalc_adds_a_run_log_row(demo_plan):
    run_ragbook("recalc", demo_plan)
    run_ragbook("recalc", demo_plan, "--as-of", "2018-07-31")
    log = table_rows(demo_plan, "Run log")
    assert [row["Command"] for row in log] == ["recalc", "recalc"]
    assert log[1]["As-of date"].strftime("%d/%m/%Y") == "31/07/2018"
    assert (log[0]["Actions"], log[0]["Measures"], log[0]["R"]) == (82, 36, 11)


def test_recalc_with_out_leaves_the_plan_byte_identical(demo_plan, tmp_path):
    original = demo_plan.read_bytes()
    out = tmp_path / "rated.xlsx"
    done = run_ragbook("recalc", demo_plan, "--out", out)
    assert done.returncode == 0, done.stderr
    assert demo_plan.read_bytes() == original
    assert table_rows(out, "Actions")[0]["RAG"] == "A"


def test_as_of_date_moves_deadlines_into_the_past(demo_plan):
    run_ragbook("recalc", demo_plan, "--as-of", "2018-08-15")
    rows = {row["Ref"]: row for row in table_rows(demo_plan, "Actions")}
    assert rows["1.2"]["RAG"] == "R"  # By July 2018, not complete
    assert rows["1.2"]["Milestone check"].startswith("Overdue: was due 31/07/2018")


def test_xlsm_keeps_its_vba(demo_plan, tmp_path):
    macro_plan = officer_workbooks.macro_enabled(tmp_path / "plan.xlsm")
    with zipfile.ZipFile(macro_plan) as made:
        vba = made.read("xl/vbaProject.bin")
    done = run_ragbook("recalc", macro_plan)
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(macro_plan) as saved:
        assert saved.read("xl/vbaProject.bin") == vba
    assert table_rows(macro_plan, "Actions")[0]["RAG"] == "A"


def test_a_workbook_with_shapes_is_recalculated_in_place_keeping_them(demo_plan, tmp_path):
    shaped = tmp_path / "shaped.xlsx"
    position = openpyxl.load_workbook(demo_plan).sheetnames.index("Actions") + 1
    actions_part = f"xl/worksheets/sheet{position}.xml"
    shaped.write_bytes(with_text_box(demo_plan.read_bytes(), actions_part))
    original = shaped.read_bytes()
    done = run_ragbook("recalc", shaped)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Wrote the results to " in done.stdout and "recalculated" not in done.stdout
    assert (tmp_path / "shaped.backup.xlsx").read_bytes() == original
    assert not (tmp_path / "shaped (recalculated).xlsx").exists()
    with zipfile.ZipFile(io.BytesIO(original)) as before, zipfile.ZipFile(shaped) as after:
        drawings = [n for n in before.namelist() if "drawing" in n]
        assert drawings
        assert all(before.read(n) == after.read(n) for n in drawings)
    assert table_rows(shaped, "Actions")[0]["RAG"] == "A"


def test_missing_output_column_is_added_to_the_table(demo_plan):
    book = openpyxl.load_workbook(demo_plan)
    sheet = book["Measures"]
    table = sheet.tables["tblMeasures"]
    headers = [c.value for c in sheet[1]]
    gone = headers.index("Assurance") + 1  # one of ragbook's columns
    sheet.delete_cols(gone)
    first, end = table.ref.split(":")
    table.ref = f"{first}:{openpyxl.utils.get_column_letter(len(headers) - 1)}" \
                f"{''.join(c for c in end if c.isdigit())}"
    del table.tableColumns[gone - 1]
    table.autoFilter.ref = table.ref
    book.save(demo_plan)
    done = run_ragbook("recalc", demo_plan)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = table_rows(demo_plan, "Measures")
    assert rows[0]["Why"].startswith("28.2% vs target 25%")
    assert rows[0]["Assurance"] == "too few points"  # added back, at the table's end
    assert [c.value for c in openpyxl.load_workbook(demo_plan)["Measures"][1]][-1] == \
        "Assurance"


@pytest.mark.parametrize("command", ["recalc", "check"])
def test_commands_print_no_traceback_for_a_corrupt_file(tmp_path, command):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook")
    done = run_ragbook(command, broken)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "broken.xlsx" in done.stderr
    assert broken.read_bytes() == b"PK\x03\x04 this is not really a workbook"


def test_check_json_lists_problems_milestones_and_uncommented_exceptions(demo_plan):
    import json

    done = run_ragbook("check", demo_plan, "--json")
    report = json.loads(done.stdout)
    assert report["period"] == "Q1 2018/19"
    assert report["problems"] == []
    assert {m["ref"] for m in report["milestones"]} >= {"1.2", "3.16"}
    uncommented = {e["ref"] for e in report["exceptions_without_commentary"]}
    assert "1.1" in uncommented and "1.2" not in uncommented
    assert done.returncode == 0


def test_export_csv_has_every_item_with_its_reason(demo_plan):
    done = run_ragbook("export", demo_plan, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 82 + 36
    m44 = next(row for row in rows if row["Ref"] == "M4.4")
    assert (m44["RAG"], m44["Direction"]) == ("R", "↓")
    assert m44["Why"].startswith("72% vs target 90% (higher is better): 18 points short (20.0% "
                                 "of the target)")
