"""Batch at scale: plans rated in parallel across the machine's cores, or on a Dask cluster,
with the same summary as one file after another."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from conftest import DEMO_PLAN, run_ragbook


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plans")
    for number in range(6):
        shutil.copyfile(DEMO_PLAN, folder / f"council {number}.xlsx")
    (folder / "council 9 broken.xlsx").write_bytes(b"not a workbook")
    return folder


def summary(folder: Path) -> list[dict[str, str]]:
    with (folder / "batch-summary.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["Output"] = Path(row["Output"]).name if row["Output"] else ""
    return rows


def test_batch_on_several_workers_gives_what_one_worker_gives(plans, tmp_path):
    one, many = tmp_path / "one", tmp_path / "many"
    done = run_ragbook("batch", plans, "--out", one, "--workers", "1")
    assert done.returncode == 1, done.stdout + done.stderr  # the broken file
    done = run_ragbook("batch", plans, "--out", many, "--workers", "3")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "7/7" in done.stderr
    assert summary(many) == summary(one)
    rows = summary(many)
    assert [row["File"] for row in rows] == sorted(p.name for p in plans.iterdir())
    assert [row["Status"] for row in rows] == ["ok"] * 6 + ["failed"]
    assert {row["R"] for row in rows[:6]} == {"11"}


def test_workers_must_be_a_whole_number(plans, tmp_path):
    done = run_ragbook("batch", plans, "--out", tmp_path / "out", "--workers", "none")
    assert done.returncode == 2
    assert "expected a whole number of workers" in done.stderr


def test_batch_on_a_dask_cluster_gives_what_this_machine_gives(plans, tmp_path):
    import distributed  # the dask extra, installed with the development tools

    local = tmp_path / "local"
    run_ragbook("batch", plans, "--out", local)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        done = run_ragbook("batch", plans, "--out", tmp_path / "dask", "--dask",
                           cluster.scheduler_address)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "7/7" in done.stderr
    assert summary(tmp_path / "dask") == summary(local)
    assert (tmp_path / "dask" / "council 0.xlsx").exists()
