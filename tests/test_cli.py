"""The other commands, run as subprocesses: new, roll-forward, batch, help and exit codes;
and the README's list of the commands, checked against the parser."""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import DEMO_PLAN, ROOT, run_ragbook
from ragbook.cli import COMMANDS, build_parser
from test_recalc import table_rows

README = ROOT / "README.md"
COLUMNS_80 = {**os.environ, "COLUMNS": "80"}  # a plain terminal (argparse wraps to fit it)


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


def _subcommands() -> dict[str, tuple[str, argparse.ArgumentParser]]:
    """Each command's summary (its line in ``ragbook --help``) and its own parser."""
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    summaries = {choice.dest: choice.help for choice in action._choices_actions}
    return {name: (str(summaries[name]), sub) for name, sub in action.choices.items()}


def _options(sub: argparse.ArgumentParser) -> set[str]:
    return {option for action in sub._actions for option in action.option_strings
            if option.startswith("--") and option != "--help"}


def test_help_shows_every_command_summary_whole():
    """``ragbook --help`` on an 80-column terminal: each command's summary on its line (or the
    line under a long name), in full, and a whole phrase, not a sentence cut off."""
    commands = _subcommands()
    assert set(commands) == set(COMMANDS)
    done = run_ragbook("--help", env=COLUMNS_80)
    assert done.returncode == 0
    lines = [line.strip() for line in done.stdout.splitlines()]
    for name, (summary, _) in commands.items():
        assert summary and not re.search(r"(?:[,;:]|\b(?:and|or|the|a|an|of))$",
                                         summary), f"{name}: {summary!r} is cut short"
        at = next(i for i, line in enumerate(lines) if line.split(" ", 1)[0] == name)
        shown = lines[at].removeprefix(name).strip() or lines[at + 1]
        assert shown == summary, f"ragbook --help shows {name} as {shown!r}, not {summary!r}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_shows_the_whole_description(name):
    """The longer text stays for ``ragbook COMMAND --help``: the handler's docstring, as
    written (dedented), after the usage."""
    handler, _ = COMMANDS[name]
    done = run_ragbook(name, "--help", env=COLUMNS_80)
    assert done.returncode == 0
    assert inspect.cleandoc(handler.__doc__ or "") in done.stdout


@pytest.mark.parametrize("command", [("check",), ("recalc",), ("export", "--format", "csv"),
                                     ("appendix",), ("roll-forward", "--out", "next.xlsx")])
def test_a_plan_that_does_not_exist_is_a_mistake_in_the_command(tmp_path, command):
    """Exit status 2, as for any other mistake in the command (the README says so)."""
    done = run_ragbook(command[0], tmp_path / "nothere.xlsx", *command[1:], cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "nothere.xlsx: no such file" in done.stderr
    assert not list(tmp_path.iterdir())


def test_batch_on_a_folder_that_does_not_exist_is_a_mistake_in_the_command(tmp_path):
    done = run_ragbook("batch", tmp_path / "nowhere", "--out", tmp_path / "rated")
    assert done.returncode == 2
    assert "not a folder" in done.stderr


@pytest.fixture
def warnings_only_plan(tmp_path: Path) -> Path:
    """The demo plan with action 1.1's Ref typed as the number 1.1: a warning
    (ref-stored-as-number), and nothing else wrong."""
    book = openpyxl.load_workbook(DEMO_PLAN)
    sheet = book["Actions"]
    column = [cell.value for cell in sheet[1]].index("Ref") + 1
    assert sheet.cell(2, column).value == "1.1"
    sheet.cell(2, column).value = 1.1
    plan = tmp_path / "plan.xlsx"
    book.save(plan)
    return plan


def test_a_plan_with_only_warnings_checks_with_exit_status_0(warnings_only_plan):
    """Warnings are listed, but nothing is wrong enough to stop: check exits 0."""
    done = run_ragbook("check", warnings_only_plan)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 problem(s), 0 error(s):" in done.stdout
    assert "Actions!A2" in done.stdout and "(warning)" in done.stdout
    as_json = run_ragbook("check", warnings_only_plan, "--json")
    assert as_json.returncode == 0, as_json.stderr
    problems = json.loads(as_json.stdout)["problems"]
    assert [(p["code"], p["severity"]) for p in problems] == [("ref-stored-as-number",
                                                               "warning")]


def test_a_plan_with_only_warnings_is_recalculated_exported_and_built_with_exit_status_0(
        warnings_only_plan):
    """recalc writes every rating and lists the warning; as for check, a warning stops
    nothing, so every command gives 0, as the README says."""
    out = warnings_only_plan.with_name("rated.xlsx")
    done = run_ragbook("recalc", warnings_only_plan, "--out", out)
    for command in (("export", warnings_only_plan, "--format", "json"),
                    ("appendix", warnings_only_plan, "--out",
                     warnings_only_plan.with_name("appendix.xlsx"))):
        other = run_ragbook(*command)
        assert other.returncode == 0, other.stdout + other.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Wrote the results to {out}" in done.stdout
    assert "1 problem(s), 0 error(s):" in done.stdout and "(warning)" in done.stdout
    assert table_rows(out, "Actions")[0]["RAG"] == "A"


def _readme_synopsis() -> dict[str, str]:
    """The README's list of the commands: the ``sh`` block under "The command line" with the
    most ``ragbook`` lines (each command on a line of its own, with all its options)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The command line\n", 1)[1].split("\n## ", 1)[0]
    blocks = [[line for line in block.splitlines() if line.startswith("ragbook ")]
              for block in re.findall(r"```sh\n(.*?)```", section, re.S)]
    assert blocks, "README.md: no sh block of commands under The command line"
    return {line.split()[1]: line for line in max(blocks, key=len)}


def test_the_readme_lists_every_command_with_every_option():
    synopsis = _readme_synopsis()
    for name, (_, sub) in _subcommands().items():
        assert name in synopsis, f"README.md does not list ragbook {name}"
        missing = sorted(option for option in _options(sub)
                         if not re.search(rf"{re.escape(option)}(?![\w-])", synopsis[name]))
        assert not missing, f"README.md lists ragbook {name} without {', '.join(missing)}"
    assert set(synopsis) <= set(COMMANDS)


def test_the_readme_says_how_to_run_ragbook_after_make_demo():
    text = README.read_text(encoding="utf-8")
    assert ".venv/bin/ragbook" in text
    assert "source .venv/bin/activate" in text


def test_bad_as_of_date_is_a_usage_error(demo_plan):
    done = run_ragbook("check", demo_plan, "--as-of", "next tuesday")
    assert done.returncode == 2
    assert "2018-06-30" in done.stderr


def test_new_writes_a_blank_plan_whose_only_problem_is_that_it_is_empty(tmp_path):
    plan = tmp_path / "plan.xlsx"
    done = run_ragbook("new", plan, "--organisation", "Anyshire County Council",
                       "--year", "2019/20", "--quarter", "Q2")
    assert done.returncode == 0, done.stderr
    assert settings(plan)["Organisation"] == "Anyshire County Council"
    assert settings(plan)["Reporting quarter"] == "Q2"
    checked = run_ragbook("check", plan, "--json")
    assert checked.returncode == 1, checked.stdout
    assert [p["code"] for p in json.loads(checked.stdout)["problems"]] == ["empty-plan"]
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
    history = [row for row in table_rows(q2, "History") if row["Period"] == "Q1 2018/19"]
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
    assert names == ["demo_plan_2018-19_Q1 appendix.html", "demo_plan_2018-19_Q1 appendix.pdf",
                     "demo_plan_2018-19_Q1 appendix.xlsx", "demo_plan_2018-19_Q1.backup.xlsx",
                     "demo_plan_2018-19_Q1.xlsx"]
    assert table_rows(out / "demo_plan_2018-19_Q1.xlsx", "Actions")[0]["RAG"] == "A"
