"""No save is lost: two runs on one plan take turns (or the second stops, naming the first),
a plan saved by another program while ragbook works is never overwritten, and what a killed
run leaves behind is cleared by the next."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import DEMO_PLAN, run_ragbook

PYTHON = [sys.executable, "-m", "ragbook"]


def start(*args: object, **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", **env}
    return subprocess.Popen([*PYTHON, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment)


def run_log(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path)["Run log"]
    return [row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~ragbook-"))


@pytest.mark.parametrize("commands", [
    (("recalc",), ("recalc",)),
    (("recalc",), ("appendix", "--into-plan")),
    (("appendix", "--into-plan"), ("recalc",)),
    (("recalc",), ("recalc",), ("recalc",)),
])
def test_runs_on_one_plan_at_once_take_turns_and_no_save_is_lost(demo_plan, commands):
    runs = [start(*command, demo_plan) for command in commands]
    outcomes = [(*run.communicate(timeout=300), run.returncode) for run in runs]
    finished = [(c[0], o) for c, o in zip(commands, outcomes, strict=True) if o[2] == 0]
    assert finished, outcomes
    for _, (_, stderr, code) in zip(commands, outcomes, strict=True):
        if code != 0:  # only on a slow machine: the lock wait ran out
            assert "is being worked on by another ragbook run" in stderr, stderr
    into_plan = []
    for command, (stdout, stderr, _) in finished:
        if "Wrote" in stdout:
            into_plan.append(command)
        else:
            # A plan that gained a chart from the appendix run cannot be saved in place
            # by the next run: its results go to a new file, which says so and logs it.
            assert "the results were written to " in stdout, stdout + stderr
            elsewhere = Path(stdout.split("the results were written to ")[1].split(".xlsx")[0]
                             + ".xlsx")
            assert run_log(elsewhere)[-1] == command
    assert sorted(run_log(demo_plan)) == sorted(into_plan), outcomes
    assert leftovers(demo_plan.parent) == []


HOLD = """
import sys, time
from pathlib import Path
from ragbook.workbook.locking import holding
with holding(Path(sys.argv[1]), "appendix --into-plan"):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_second_run_waits_then_stops_naming_the_first(demo_plan):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(demo_plan), "20"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        before = demo_plan.read_bytes()
        started = time.monotonic()
        done = run_ragbook("recalc", demo_plan,
                           env={**os.environ, "RAGBOOK_LOCK_WAIT": "1.5"})
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    assert (f"{demo_plan} is being worked on by another ragbook run (appendix --into-plan by "
            in done.stderr)
    assert f"process {holder.pid}, started " in done.stderr
    assert "ragbook waited 1.5 s for it to finish. Nothing was changed" in done.stderr
    assert took >= 1.5
    assert demo_plan.read_bytes() == before
    # The holder was killed: its lock went with it, and the next run goes ahead.
    done = run_ragbook("recalc", demo_plan)
    assert done.returncode == 0, done.stderr
    assert leftovers(demo_plan.parent) == []


def excel_saves_while_ragbook_rates(plan: Path, excel_saved: Path, monkeypatch) -> None:
    """While ragbook rates ``plan``, "Excel" saves ``excel_saved`` over it."""
    from ragbook.workbook import operations

    rate = operations.rate_plan

    def rate_while_saved(read):
        os.replace(shutil.copyfile(excel_saved, plan.with_name("tmp.xlsx")), plan)
        return rate(read)

    monkeypatch.setattr(operations, "rate_plan", rate_while_saved)


def test_a_plan_saved_by_another_program_meanwhile_is_not_overwritten(demo_plan, monkeypatch):
    from ragbook.workbook import operations

    excel_saved = demo_plan.with_name("saved by Excel.xlsx")
    book = openpyxl.load_workbook(demo_plan)
    book["Measures"]["Q2"] = 99
    book.save(excel_saved)
    excel_saves_while_ragbook_rates(demo_plan, excel_saved, monkeypatch)
    done = operations.recalculate(demo_plan)
    assert done.changed_on_disk
    assert demo_plan.read_bytes() == excel_saved.read_bytes()
    assert done.written_to == demo_plan.with_name("demo_plan (recalculated).xlsx")
    assert run_log(done.written_to) == ["recalc"]
    assert "was saved by another program while ragbook was working on it" in \
        operations.saved_elsewhere_message(done)


def big_plan(path: Path, measures: int = 3000) -> Path:
    from ragbook.demo import load_demo_plan
    from ragbook.workbook.template import build_plan, save

    tables = dict(load_demo_plan())
    base = tables["measures"]
    frame = pd.concat([base] * (measures // len(base) + 1), ignore_index=True).head(measures)
    frame["Ref"] = [f"M{i // 100 + 1}.{i % 100 + 1}" for i in range(measures)]
    tables["measures"] = frame
    save(build_plan(tables), path)
    return path


def test_the_command_line_leaves_a_plan_saved_meanwhile_as_it_was_saved(tmp_path):
    plan = big_plan(tmp_path / "plan.xlsx", measures=10000)  # takes seconds to rate
    excel_saved = tmp_path / "saved by Excel.xlsx"
    shutil.copyfile(DEMO_PLAN, excel_saved)
    run = start("recalc", plan)
    lock = tmp_path / ".~ragbook-plan.xlsx.lock"
    deadline = time.monotonic() + 60
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # ragbook has read what the plan was (its first step); now "Excel" saves it
    os.replace(shutil.copyfile(excel_saved, tmp_path / "tmp.xlsx"), plan)
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    assert plan.read_bytes() == excel_saved.read_bytes()
    assert ("plan.xlsx was saved by another program while ragbook was working on it, so it "
            "was left as that program saved it and the results were written to "
            f"{tmp_path / 'plan (recalculated).xlsx'}") in stdout
    assert run_log(tmp_path / "plan (recalculated).xlsx") == ["recalc"]


def test_what_killed_runs_leave_is_removed_by_the_next(demo_plan):
    original = demo_plan.read_bytes()
    folder = demo_plan.parent
    killed = 0
    for _ in range(8):
        run = start("recalc", demo_plan, "--no-backup")
        deadline = time.monotonic() + 60
        while run.poll() is None and time.monotonic() < deadline:
            if any(name.endswith(".tmp") for name in leftovers(folder)):
                run.send_signal(signal.SIGKILL)
                killed += 1
                break
            time.sleep(0.002)
        run.communicate()
        assert openpyxl.load_workbook(demo_plan)  # never half-written
        if demo_plan.read_bytes() != original:  # the kill came after the rename
            original = demo_plan.read_bytes()
    assert killed >= 4
    left = [name for name in leftovers(folder) if name.endswith(".tmp")]
    assert left, "the kills left no temporary files to clean"
    done = run_ragbook("recalc", demo_plan)
    assert done.returncode == 0, done.stderr
    assert leftovers(folder) == []
    assert sorted(p.name for p in folder.iterdir()) == ["demo_plan.backup.xlsx",
                                                         "demo_plan.xlsx"]


def test_results_saved_elsewhere_hold_each_change_once(demo_plan, monkeypatch):
    """The changes are made once: the new file written when the plan was saved meanwhile
    has one new Run log, not one per attempt to save."""
    from ragbook.workbook import operations

    book = openpyxl.load_workbook(demo_plan)
    del book["Run log"]
    book.save(demo_plan)
    excel_saved = demo_plan.with_name("saved by Excel.xlsx")
    shutil.copyfile(demo_plan, excel_saved)
    excel_saves_while_ragbook_rates(demo_plan, excel_saved, monkeypatch)
    done = operations.recalculate(demo_plan)
    assert done.changed_on_disk
    names = openpyxl.load_workbook(done.written_to).sheetnames
    assert names.count("Run log") == 1 and not [n for n in names if n.startswith("Run log ")]
    assert run_log(done.written_to) == ["recalc"]
