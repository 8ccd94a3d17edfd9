"""Shared fixtures: the committed demo plan, and running the real command line."""

from __future__ import annotations

import os

os.environ.setdefault("OPENPYXL_LXML", "False")  # as ragbook sets it, before openpyxl loads

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from browser_tools import _asyncio_free_of_playwright, browser  # noqa: F401 (fixtures)
from fake_excel import addin_server, pane  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]
DEMO_PLAN = ROOT / "workbook_templates" / "demo_plan_2018-19_Q1.xlsx"
BLANK_PLAN = ROOT / "workbook_templates" / "delivery_plan.xlsx"


def rendering_tools(*tools: str, purpose: str) -> str:
    """LibreOffice's ``soffice`` when it and ``tools`` (poppler's) are installed; otherwise a
    skip, or a failure on CI (the ``CI`` variable set), which must run the rendering tests."""
    from ragbook.pdf import find_soffice

    program = find_soffice()
    missing = [name for name in tools if shutil.which(name) is None]
    if program is None or missing:
        what = ", ".join((["soffice (LibreOffice)"] if program is None else []) + missing)
        if os.environ.get("CI"):
            pytest.fail(f"{what} needed on CI to check {purpose}")
        pytest.skip(f"{what} not installed")
    return program


def run_ragbook(*args: object, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ragbook ARGS`` as a user would, capturing what it prints."""
    env = {**(os.environ if env is None else env), "PYTHONIOENCODING": "utf-8"}
    env.pop("RAGBOOK_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "ragbook", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


@pytest.fixture
def demo_plan(tmp_path: Path) -> Path:
    """A fresh copy of the committed demo plan."""
    target = tmp_path / "demo_plan.xlsx"
    shutil.copyfile(DEMO_PLAN, target)
    return target
