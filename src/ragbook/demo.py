"""The bundled demo plan: Cumbria County Council's Q1 2018/19 delivery plan.

Its tables live as CSV files in ``ragbook/data/demo_plan`` (see the README
there for where each figure comes from).
"""

from __future__ import annotations

from importlib.resources import files

import pandas as pd

from ragbook.calendar import ReportingPeriod

TABLES = ("settings", "outcomes", "actions", "measures", "commentary", "history")
_NUMBERS = ("Baseline", "Target", "Quarter target", "Range low", "Range high",
            "Amber threshold", "Red threshold", "Change band", "Actual", "Previous actual",
            "Last year actual")


def load_demo_plan() -> dict[str, pd.DataFrame]:
    """The demo plan's tables, keyed by ``settings``, ``outcomes``, ``actions``, ...

    Text columns stay text (blank cells are NaN); number columns are read as
    numbers, except where a cell holds words such as ``n/a``.
    """
    folder = files("ragbook") / "data" / "demo_plan"
    tables = {}
    for name in TABLES:
        with (folder / f"{name}.csv").open(encoding="utf-8") as handle:
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[""])
        for column in _NUMBERS:
            if column in frame.columns:
                numbers = pd.to_numeric(frame[column], errors="coerce")
                if numbers.notna().sum() == frame[column].notna().sum():
                    frame[column] = numbers
        tables[name] = frame
    return tables


def demo_period(tables: dict[str, pd.DataFrame]) -> ReportingPeriod:
    """The reporting period in the demo plan's settings."""
    settings = dict(zip(tables["settings"]["Setting"], tables["settings"]["Value"], strict=True))
    return ReportingPeriod.of(settings["Plan year"], settings["Reporting quarter"])
