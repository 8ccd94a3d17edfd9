"""No plan file can exhaust the machine: each hostile file is run through the real command
line in a child process whose own peak memory and time are measured, and the file is left
exactly as it was."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

import hostile_files as hostile
from conftest import DEMO_PLAN
from ragbook.schema import RUN_LOG

MEGABYTES_ALLOWED = 300
TOO_BIG = "is not a workbook ragbook will open"
LIMITS = "at most 64 MB each and 256 MB in all, packed at most 100 to 1"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


# Linux counts the memory a process had when it was forked in the peak of the program it
# then runs, so the command is started by a small launcher rather than by this (large) test
# process; the launcher reports the peak of the one child it waited for.
LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write(str(peak))
sys.exit(code)
"""


def measured(*args: object, cwd: Path, kill_after: float = 120) -> Run:
    """``python -m ragbook ARGS`` in a child process, with its peak memory and time (killed
    after ``kill_after`` seconds, so that a test fails rather than hangs)."""
    out, err, peak = cwd / "stdout.txt", cwd / "stderr.txt", cwd / "peak.txt"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("RAGBOOK_DEBUG", None)
    peak.unlink(missing_ok=True)
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(peak), sys.executable,
                                  "-m", "ragbook", *map(str, args)], cwd=cwd,
                                 stdout=stdout, stderr=stderr, env=env, start_new_session=True)
        timer = threading.Timer(kill_after, os.killpg, (child.pid, signal.SIGKILL))
        timer.start()
        try:
            child.wait()
        finally:
            timer.cancel()
    assert peak.exists(), f"ragbook {args[0]} was killed after {kill_after} s"
    return Run(child.returncode, out.read_text(encoding="utf-8"),
               err.read_text(encoding="utf-8"), time.monotonic() - started,
               int(peak.read_text()) / 1024)  # kB on Linux


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def bombs(folder) -> dict[str, Path]:
    made = folder / "made"
    made.mkdir()
    return {"inflating": hostile.inflating_sheet(made / "inflating.xlsx"),
            "comment": hostile.comment_sheet(made / "comment.xlsx"),
            "ratio": hostile.inflating_sheet(made / "ratio.xlsx", megabytes=60),
            "laughs": hostile.laughing_sheet(made / "laughs.xlsx"),
            "parts": hostile.many_parts(made / "parts.xlsx")}


def test_a_table_over_whole_columns_is_read_as_far_as_its_data(tmp_path):
    plan = hostile.whole_column_tables(tmp_path / "whole.xlsx")
    run = measured("check", plan, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No problems found." in run.stdout
    assert "blank row" not in run.stdout
    assert run.seconds < 5, f"{run.seconds:.1f} s"
    assert run.peak_mb < MEGABYTES_ALLOWED, f"{run.peak_mb:.0f} MB"


def test_a_plan_over_whole_columns_is_recalculated_and_logged_in_its_tables(tmp_path):
    plan = hostile.whole_column_tables(tmp_path / "whole.xlsx")
    run = measured("recalc", plan, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.seconds < 5 and run.peak_mb < MEGABYTES_ALLOWED, (run.seconds, run.peak_mb)
    book = openpyxl.load_workbook(plan)
    run_log = book["Run log"]
    whole = f"A1:{get_column_letter(len(RUN_LOG.columns))}1048576"
    assert run_log.tables["tblRunLog"].ref == whole  # the table is left as it was
    assert run_log["B2"].value == "recalc" and run_log["B3"].value is None
    assert book["Actions"]["M2"].value in ("R", "A", "G")


@pytest.mark.parametrize(("bomb", "found"), [
    ("inflating", "its part xl/worksheets/sheet4.xml unpacks to 1,100 MB"),
    ("comment", "its part xl/worksheets/sheet4.xml unpacks to 1,100 MB"),
    ("ratio", "unpacks to 60 MB from"),
    ("parts", "it has 20,0"),
])
@pytest.mark.parametrize("command", ["check", "recalc", "appendix"])
def test_a_zip_bomb_is_refused_at_once_and_left_as_it_was(bombs, folder, tmp_path, bomb,
                                                          found, command):
    plan = tmp_path / f"{bomb}.xlsx"
    shutil.copyfile(bombs[bomb], plan)
    before = plan.read_bytes()
    run = measured(command, plan, cwd=tmp_path)
    assert run.returncode == 1
    assert TOO_BIG in run.stderr and found in run.stderr and LIMITS in run.stderr, run.stderr
    assert "The file has not been changed" in run.stderr
    assert run.seconds < 10 and run.peak_mb < MEGABYTES_ALLOWED, (run.seconds, run.peak_mb)
    assert plan.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [plan.name, "stdout.txt", "stderr.txt", "peak.txt"])


def test_entity_expansion_is_refused(bombs, tmp_path):
    plan = tmp_path / "laughs.xlsx"
    shutil.copyfile(bombs["laughs"], plan)
    before = plan.read_bytes()
    run = measured("recalc", plan, cwd=tmp_path)
    assert run.returncode == 1
    assert "expected an Excel workbook ragbook can read" in run.stderr
    assert run.seconds < 10 and run.peak_mb < MEGABYTES_ALLOWED, (run.seconds, run.peak_mb)
    assert plan.read_bytes() == before


@pytest.fixture(scope="module")
def slow(folder) -> Path:
    return hostile.slow_sheet(folder / "slow.xlsx")


@pytest.fixture(scope="module")
def big(folder) -> Path:
    """A plan of 20,000 measures: a few seconds to read and rate."""
    from test_concurrent_runs import big_plan

    return big_plan(folder / "big.xlsx", measures=20000)


def test_a_huge_comment_is_refused_at_once(slow, tmp_path):
    plan = tmp_path / "slow.xlsx"
    shutil.copyfile(slow, plan)
    before = plan.read_bytes()
    run = measured("recalc", plan, "--time-limit", 3, cwd=tmp_path)
    assert run.returncode == 1
    assert "expected an Excel workbook ragbook can read" in run.stderr
    assert "Comment too big" in run.stderr
    assert run.seconds < 10 and run.peak_mb < MEGABYTES_ALLOWED, (run.seconds, run.peak_mb)
    assert plan.read_bytes() == before


def test_a_file_slower_than_its_time_limit_is_stopped(big, tmp_path):
    plan = tmp_path / "big.xlsx"
    shutil.copyfile(big, plan)
    before = plan.read_bytes()
    run = measured("recalc", plan, "--time-limit", 1, cwd=tmp_path)
    assert run.returncode == 1
    assert "took longer than 1 s to read and rate, so ragbook stopped" in run.stderr
    assert "the file has not been changed" in run.stderr
    assert run.seconds < 10, f"{run.seconds:.1f} s"
    assert plan.read_bytes() == before


def test_in_a_batch_no_hostile_file_stops_the_others(bombs, slow, big, tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copyfile(DEMO_PLAN, plans / "a good plan.xlsx")
    shutil.copyfile(slow, plans / "b slow.xlsx")
    shutil.copyfile(big, plans / "b big.xlsx")
    for name in ("inflating", "comment", "laughs"):
        shutil.copyfile(bombs[name], plans / f"c {name}.xlsx")
    hostile.whole_column_tables(plans / "d whole columns.xlsx")
    shutil.copyfile(DEMO_PLAN, plans / "e another good plan.xlsx")
    run = measured("batch", plans, "--out", tmp_path / "rated", "--time-limit", 3, cwd=tmp_path)
    assert run.returncode == 1
    summary = (tmp_path / "rated" / "batch-summary.csv").read_text(encoding="utf-8")
    status = {line.split(",")[0]: line.split(",")[1] for line in summary.splitlines()[1:]}
    assert status == {"a good plan.xlsx": "ok", "b slow.xlsx": "failed", "b big.xlsx": "failed",
                      "c inflating.xlsx": "failed", "c comment.xlsx": "failed",
                      "c laughs.xlsx": "failed", "d whole columns.xlsx": "ok",
                      "e another good plan.xlsx": "ok"}
    assert "b big.xlsx took longer than 3 s" in run.stdout
    assert "Comment too big" in run.stdout
    assert run.seconds < 60, f"{run.seconds:.1f} s"
    assert sorted(p.name for p in (tmp_path / "rated").iterdir()) == [
        "a good plan.xlsx", "batch-summary.csv", "d whole columns.xlsx",
        "e another good plan.xlsx"]
