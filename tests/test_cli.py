"""The other commands, run as subprocesses: new, roll-forward, batch, help and exit codes."""

from __future__ import annotations

import csv
import shutil

import openpyxl
import pytest

from conftest import run_ragbook
from ragbook.cli import COMMANDS
from test_recalc import table_rows


def settings(path) -> dict[str, object]:
    return {row["Setting"]: row["Value"] for row in table_rows(path, "Settings")}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_documented_with_an_example(name):
    handler, _ = COMMANDS[name]
    assert "Example: ragbook " in (handler.__doc__ or ""), f"{name} needs an example in its help"
    done = run_ragbook(name, "--help")
    assert done.returncode == 0
    assert "Example: ragbook" in done.stdout


def test_no_command_prints_help_and_exits_2():
    done = run_ragbook()
    assert done.returncode == 2
    assert "recalc" in done.stdout


def test_missing_plan_is_a_usage_error(tmp_path):
    done = run_ragbook("check", tmp_path / "nowhere.xlsx")
    assert done.returncode == 2
    assert "no such file" in done.stderr


def test_bad_as_of_date_is_a_usage_error(demo_plan):
    done = run_ragbook("check", demo_plan, "--as-of", "next tuesday")
    assert done.returncode == 2
    assert "2018-06-30" in done.stderr


def test_new_writes_a_blank_plan_that_checks_clean(tmp_path):
    plan = tmp_path / "plan.xlsx"
    done = run_ragbook("new", plan, "--organisation", "Anyshire County Council",
                       "--year", "2019/20", "--quarter", "Q2")
    assert done.returncode == 0, done.stderr
    assert settings(plan)["Organisation"] == "Anyshire County Council"
    assert settings(plan)["Reporting quarter"] == "Q2"
    checked = run_ragbook("check", plan)
    assert checked.returncode == 0, checked.stdout
    assert run_ragbook("new", plan).returncode == 2  # will not overwrite


def test_roll_forward_starts_the_next_quarter(demo_plan, tmp_path):
    q2 = tmp_path / "plan Q2.xlsx"
    done = run_ragbook("roll-forward", demo_plan, "--out", q2)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Q1 2018/19 to Q2 2018/19" in done.stdout
    assert settings(q2)["Reporting quarter"] == "Q2"
    assert settings(q2)["As-of date"] is None
    before = {row["Ref"]: row for row in table_rows(demo_plan, "Actions")}
    actions = {row["Ref"]: row for row in table_rows(q2, "Actions")}
    assert actions["1.15"]["Previous RAG"] == "A"  # Q1's rating
    assert actions["1.15"]["Status"] is None and actions["1.15"]["RAG"] is None
    assert actions["1.15"]["Milestone"] == before["1.15"]["Milestone"]
    measures = {row["Ref"]: row for row in table_rows(q2, "Measures")}
    assert measures["M4.2"]["Previous actual"] == 11.41
    assert measures["M4.2"]["Actual"] is None
    assert all(row["Text"] is None for row in table_rows(q2, "Commentary"))
    history = table_rows(q2, "History")
    assert len(history) == 82 + 36
    m44 = next(row for row in history if row["Ref"] == "M4.4")
    assert (m44["Period"], m44["Actual"], m44["RAG"], m44["Direction"]) == \
        ("Q1 2018/19", 72, "R", "↓")
    rated = run_ragbook("check", q2)
    assert "Q2 2018/19" in rated.stdout


def test_roll_forward_from_q4_goes_to_q1_of_next_year(demo_plan, tmp_path):
    book = openpyxl.load_workbook(demo_plan)
    sheet = book["Settings"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "Reporting quarter":
            row[1].value = "Q4"
        if row[0].value == "As-of date":
            row[1].value = None
    book.save(demo_plan)
    out = tmp_path / "next.xlsx"
    assert run_ragbook("roll-forward", demo_plan, "--out", out).returncode == 0
    assert (settings(out)["Plan year"], settings(out)["Reporting quarter"]) == ("2019/20", "Q1")


def test_roll_forward_twice_fills_last_year_actual_from_history(demo_plan, tmp_path):
    current = demo_plan
    for quarter in range(4):
        following = tmp_path / f"step{quarter}.xlsx"
        done = run_ragbook("roll-forward", current, "--out", following)
        assert done.returncode == 0, done.stdout + done.stderr
        current = following
    measures = {row["Ref"]: row for row in table_rows(current, "Measures")}
    assert settings(current)["Reporting quarter"] == "Q1"
    assert measures["M4.2"]["Last year actual"] == 11.41  # Q1 2018/19 from History


def test_batch_processes_every_plan_and_one_failure_stops_none(demo_plan, tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copyfile(demo_plan, plans / "a good plan.xlsx")
    shutil.copyfile(demo_plan, plans / "c also good.xlsx")
    (plans / "b broken.xlsx").write_bytes(b"not a workbook")
    (plans / "~$a good plan.xlsx").write_bytes(b"lock")
    out = tmp_path / "rated"
    done = run_ragbook("batch", plans, "--out", out)
    assert done.returncode == 1
    assert (out / "a good plan.xlsx").exists() and (out / "c also good.xlsx").exists()
    with (out / "batch-summary.csv").open(encoding="utf-8") as handle:
        summary = {row["File"]: row for row in csv.DictReader(handle)}
    assert set(summary) == {"a good plan.xlsx", "b broken.xlsx", "c also good.xlsx"}
    assert summary["b broken.xlsx"]["Status"] == "failed"
    assert summary["a good plan.xlsx"]["Status"] == "ok"
    assert summary["a good plan.xlsx"]["R"] == "11"
    assert "3/3" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_demo_rates_the_bundled_plan_and_writes_every_file(tmp_path):
    out = tmp_path / "demo"
    done = run_ragbook("demo", "--out", out)
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: the plan's own warnings
    assert "Traceback" not in done.stdout + done.stderr
    assert "something went wrong" not in done.stdout + done.stderr
    assert "Wrote the results to" in done.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == ["demo_plan_2018-19_Q1 appendix.pdf", "demo_plan_2018-19_Q1 appendix.xlsx",
                     "demo_plan_2018-19_Q1.backup.xlsx", "demo_plan_2018-19_Q1.xlsx"]
    assert table_rows(out / "demo_plan_2018-19_Q1.xlsx", "Actions")[0]["RAG"] == "A"
