"""A run killed at any moment leaves the plan as it was or as the run finished it, never
half-written; what it left behind is cleared by the next run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import zipfile

import openpyxl

from conftest import DEMO_PLAN, run_ragbook

KILLS = 50


def run_log_rows(path) -> int:
    return sum(1 for row in openpyxl.load_workbook(path)["Run log"].iter_rows(min_row=2)
               if row[1].value)


def test_recalc_killed_at_random_moments_leaves_the_old_or_the_new_plan(tmp_path):
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(DEMO_PLAN.read_bytes())
    started = time.monotonic()
    assert run_ragbook("recalc", plan).returncode == 0
    took = time.monotonic() - started
    versions = {plan.read_bytes(): run_log_rows(plan)}
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    chance = random.Random(20181)
    finished = 0
    for _ in range(KILLS):
        before = plan.read_bytes()
        run = subprocess.Popen([sys.executable, "-m", "ragbook", "recalc", str(plan)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(chance.uniform(0.2, 1.0) * took)
        run.send_signal(signal.SIGKILL)
        run.wait()
        after = plan.read_bytes()
        if after == before:
            continue
        finished += 1  # the run got as far as replacing the plan: it must be whole
        with zipfile.ZipFile(plan) as archive:
            assert archive.testzip() is None
        assert run_log_rows(plan) == versions[before] + 1
        versions[after] = versions[before] + 1
    assert 0 < finished < KILLS, f"{finished} of {KILLS} runs finished: kill them at other times"
    # A kill while the new file was being written leaves its hidden temporary file (nothing
    # can remove it as the process dies); the next run takes the lock and clears it.
    assert run_ragbook("recalc", plan).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.backup.xlsx", "plan.xlsx"]
