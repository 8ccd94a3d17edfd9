"""``ragbook export``: every input column, the target used, the period on every row, CSV
(UTF-8 with a BOM) and JSON holding the same table, and plans with problems still exported.

Each test runs the real command line on a copy of the committed demo plan."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import run_ragbook
from ragbook import schema
from ragbook.export import COLUMNS, DTYPES, spreadsheet_safe

BOM = b"\xef\xbb\xbf"


def read_csv(path: Path) -> pd.DataFrame:
    """The CSV as the README says to read it: refs stay text, ``n/a`` stays a rating."""
    return pd.read_csv(path, encoding="utf-8-sig", dtype=DTYPES, keep_default_na=False,
                       na_values=[""])


def export(plan: Path, tmp_path: Path, name: str = "out") -> tuple[Path, Path, dict]:
    """Export a plan both ways; returns the CSV, the JSON and the JSON loaded."""
    csv_path, json_path = tmp_path / f"{name}.csv", tmp_path / f"{name}.json"
    for fmt, path in (("csv", csv_path), ("json", json_path)):
        done = run_ragbook("export", plan, "--format", fmt, "--out", path)
        assert done.returncode == 0, done.stderr
    return csv_path, json_path, json.loads(json_path.read_text(encoding="utf-8"))


def edit(plan: Path, sheet: str, ref: str, values: dict[str, object]) -> None:
    """Set cells of the row whose Ref is ``ref``, found by their headers."""
    book = openpyxl.load_workbook(plan)
    ws = book[sheet]
    headers = [cell.value for cell in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == ref)
    for name, value in values.items():
        ws.cell(row, headers.index(name) + 1).value = value
    book.save(plan)


def test_every_input_column_is_exported_with_the_period_and_the_target_used(demo_plan,
                                                                           tmp_path):
    csv_path, _, data = export(demo_plan, tmp_path)
    items = pd.DataFrame(data["items"])
    inputs = {c.name for table in (schema.ACTIONS, schema.MEASURES) for c in table.inputs}
    expected = (inputs - {"Action", "Measure"}) | {
        "Title", "Organisation", "Plan", "Period", "As-of date", "Kind", "RAG", "Computed RAG",
        "Direction", "Target used", "Milestone due", "Milestone check", "Why", "Variation",
        "Assurance", "Problems"}
    assert set(items.columns) == expected
    assert list(items.columns) == list(COLUMNS) == list(data["columns"])
    for name in ("Baseline", "Range low", "Range high", "Tolerance", "Amber threshold",
                 "Red threshold", "Change band", "Compare with", "Target profile",
                 "Data note", "Lead", "Risk refs"):
        assert name in items.columns
    assert len(items) == 82 + 36
    assert set(items["Period"]) == {"Q1 2018/19"}
    assert set(items["As-of date"]) == {"2018-06-30"}
    assert set(items["Organisation"]) == {"Cumbria County Council"}
    assert set(items["Plan"]) == {"Council Plan Delivery Plan"}
    assert (items["Problems"] == 0).all()
    by_ref = items.set_index("Ref")
    assert by_ref.at["1.2", "Risk refs"] == "CR12"
    assert by_ref.at["M1.8", "Baseline"] == 49578
    m44 = by_ref.loc["M4.4"]
    assert (m44["Actual"], m44["Target used"], m44["RAG"], m44["Direction"]) == (
        72, 90, "R", "↓")
    # a profiled target: the annual 246 fires, compared with its quarter, 61.5
    assert (by_ref.at["M1.9", "Target"], by_ref.at["M1.9", "Target used"]) == (246, 61.5)
    assert by_ref.at["M1.9", "Target profile"] == "Per quarter"
    assert pd.isna(by_ref.at["1.2", "Target used"])  # an action compares no figure
    assert by_ref.at["1.2", "Milestone due"] == "2018-07-31"
    assert set(items["Kind"]) == {"action", "measure"}
    # the CSV opens in Excel with its arrows: UTF-8 with a byte-order mark
    raw = csv_path.read_bytes()
    assert raw.startswith(BOM + b"Organisation,Plan,Period,As-of date,Kind,Ref,")
    assert "↓".encode() in raw and "↑".encode() in raw


def test_the_csv_and_the_json_hold_the_same_table(demo_plan, tmp_path):
    csv_path, _, data = export(demo_plan, tmp_path)
    # what pandas makes of each without help: the same columns, in the same order, and the
    # figures are numbers in both
    plain_csv = pd.read_csv(csv_path, encoding="utf-8-sig")
    plain_json = pd.DataFrame(data["items"])
    assert list(plain_csv.columns) == list(plain_json.columns) == list(COLUMNS)
    assert len(plain_csv) == len(plain_json)
    for name, kind in COLUMNS.items():
        if kind == "number" and plain_json[name].notna().any():
            assert plain_csv[name].dtype == plain_json[name].dtype == "float64", name
    assert plain_csv["Problems"].dtype == plain_json["Problems"].dtype == "int64"
    assert pd.json_normalize(data["items"]).columns.tolist() == list(COLUMNS)
    # read with the column types, both give the same frame, value for value; the CSV's
    # only difference is the ' in front of text a spreadsheet would take for a formula
    from_csv = read_csv(csv_path)
    from_json = pd.DataFrame(data["items"]).astype(DTYPES)
    assert from_csv.dtypes.to_dict() == from_json.dtypes.to_dict()
    guarded = from_json.copy()
    for name, kind in COLUMNS.items():
        if kind in ("text", "date"):
            guarded[name] = from_json[name].map(spreadsheet_safe, na_action="ignore")
    pd.testing.assert_frame_equal(from_csv, guarded.astype(DTYPES))
    quoted = from_csv["Why"][from_json["Why"] != from_csv["Why"]]
    assert len(quoted) >= 1 and quoted.str.startswith("'-").all()  # "-0.12 points vs ..."


def test_the_json_has_the_plan_summary_columns_items_and_problems(demo_plan, tmp_path):
    done = run_ragbook("export", demo_plan, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data) == ["organisation", "plan", "period", "as_of", "amber_threshold",
                          "red_threshold", "actions", "measures", "ratings", "not_rated",
                          "columns", "items", "problems"]
    assert (data["period"], data["as_of"], data["not_rated"]) == ("Q1 2018/19", "2018-06-30", 0)
    ratings = {"R": 11, "A": 37, "G": 70, "No data": 0, "n/a": 0}
    assert {name: data["ratings"][name] for name in ratings} == ratings
    assert data["columns"]["Actual"] == "number" and data["columns"]["Ref"] == "text"
    assert data["columns"]["Milestone due"] == "date"
    assert data["problems"] == []
    assert done.stderr == ""


def test_csv_on_standard_output_has_the_byte_order_mark_too(demo_plan):
    done = run_ragbook("export", demo_plan, "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("\ufeffOrganisation,Plan,Period,")
    assert "↓" in done.stdout


@pytest.fixture
def plan_with_problems(demo_plan: Path) -> Path:
    """The demo plan with problems that stop two rows being rated (a measure's Actual typed
    as "TBC", an action's Status "Maybe") and one that does not (a misspelt milestone)."""
    edit(demo_plan, "Measures", "M4.4", {"Actual": "TBC"})
    edit(demo_plan, "Actions", "1.3", {"Status": "Maybe"})
    edit(demo_plan, "Actions", "1.4", {"Milestone": "By Marhc 2019"})
    return demo_plan


def test_a_plan_with_problems_is_exported_and_says_how_many_rows_were_not_rated(
        plan_with_problems, tmp_path):
    out = tmp_path / "ratings.json"
    done = run_ragbook("export", plan_with_problems, "--format", "json", "--out", out)
    assert done.returncode == 1  # the plan has problems: as check and recalc say
    data = json.loads(out.read_text(encoding="utf-8"))
    items = pd.DataFrame(data["items"]).set_index("Ref")
    assert len(items) == 82 + 36
    assert sorted(items.index[items["RAG"].isna()]) == ["1.3", "M4.4"]
    assert data["not_rated"] == data["ratings"].get("Not rated", 2) == 2
    assert (f"2 rows not rated because of problems (run `ragbook check {plan_with_problems}` "
            "for the list)") in done.stderr
    assert (items.loc["1.4", "RAG"], items.loc["1.4", "Problems"]) == ("G", 1)  # rated
    assert items.loc["1.3", "Problems"] == 1
    m44 = items.loc["M4.4"]
    assert m44["Problems"] == 1 and pd.isna(m44["Actual"]) and pd.isna(m44["Target used"])
    assert m44["Why"].startswith('Not rated: Actual: found "TBC"')
    assert items.loc["M4.5", "Problems"] == 0 and items.loc["M4.5", "RAG"] == "G"
    assert any(p["place"].startswith("Measures!Q") and p["code"] == "not-a-number"
               for p in data["problems"])
    assert items["Problems"].sum() == len(data["problems"]) == 3

    csv_out = tmp_path / "ratings.csv"
    done = run_ragbook("export", plan_with_problems, "--format", "csv", "--out", csv_out)
    assert done.returncode == 1
    assert "not rated because of problems" in done.stderr
    rows = read_csv(csv_out).set_index("Ref")
    assert rows.loc["M4.4", "Problems"] == 1 and pd.isna(rows.loc["M4.4", "RAG"])
    assert rows["RAG"].isna().sum() == data["not_rated"]


def test_a_plan_whose_problems_leave_every_row_rated_says_so(demo_plan, tmp_path):
    edit(demo_plan, "Actions", "1.4", {"Milestone": "By Marhc 2019"})
    done = run_ragbook("export", demo_plan, "--format", "csv", "--out", tmp_path / "out.csv")
    assert done.returncode == 1
    assert "Every row was rated, but the plan has 1 problem(s)" in done.stderr
    assert read_csv(tmp_path / "out.csv")["RAG"].notna().all()


def test_a_plan_that_cannot_be_rated_exports_nothing_and_says_why_on_stderr(demo_plan):
    book = openpyxl.load_workbook(demo_plan)
    settings = book["Settings"]
    row = next(r for r in range(1, settings.max_row + 1)
               if settings.cell(r, 1).value == "Plan year")
    settings.cell(row, 2).value = "soon"
    book.save(demo_plan)
    done = run_ragbook("export", demo_plan, "--format", "json")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "could not be rated" in done.stderr and "Settings!B4" in done.stderr


def test_within_range_uses_the_bound_and_dates_are_iso_text(demo_plan, tmp_path):
    edit(demo_plan, "Measures", "M1.1", {"Polarity": "Within range", "Range low": 20,
                                         "Range high": 26, "Target": None})
    edit(demo_plan, "Actions", "1.4", {"Milestone": datetime(2019, 3, 31)})
    csv_path, _, data = export(demo_plan, tmp_path)
    items = pd.DataFrame(data["items"]).set_index("Ref")
    m11 = items.loc["M1.1"]
    assert (m11["Range low"], m11["Range high"], m11["Actual"]) == (20, 26, 28.2)
    assert m11["Target used"] == 26  # above the range: compared with its top
    assert m11["RAG"] == "A"  # 2.2 over 26 is 8.5%
    assert items.loc["1.4", "Milestone"] == "2019-03-31"
    assert items.loc["1.4", "Milestone due"] == "2019-03-31"
    assert read_csv(csv_path).set_index("Ref").loc["1.4", "Milestone"] == "2019-03-31"


def test_two_quarters_stack_into_one_table(demo_plan, tmp_path):
    next_quarter = tmp_path / "next.xlsx"
    done = run_ragbook("roll-forward", demo_plan, "--out", next_quarter)
    assert done.returncode == 0, done.stdout + done.stderr
    q1_csv, _, q1 = export(demo_plan, tmp_path, "q1")
    q2_csv, _, q2 = export(next_quarter, tmp_path, "q2")
    stacked = pd.concat([read_csv(q1_csv), read_csv(q2_csv)], ignore_index=True)
    assert list(stacked.columns) == list(COLUMNS)
    assert stacked.groupby("Period").size().to_dict() == {"Q1 2018/19": 118, "Q2 2018/19": 118}
    assert set(stacked["As-of date"]) == {"2018-06-30", "2018-09-30"}
    m44 = stacked[stacked["Ref"] == "M4.4"].set_index("Period")
    assert m44.at["Q1 2018/19", "Actual"] == 72
    assert m44.at["Q2 2018/19", "Previous actual"] == 72
    assert m44.at["Q2 2018/19", "RAG"] == "No data"
    # the JSON stacks the same way
    both = pd.concat([pd.DataFrame(q1["items"]), pd.DataFrame(q2["items"])],
                     ignore_index=True)
    assert both.pivot(index="Ref", columns="Period", values="RAG").shape == (118, 2)
