"""Starting the next quarter: what changes in the plan, as data.

Rolling forward from a rated quarter:

* this quarter's final ratings become each action's ``Previous RAG``;
* each measure's ``Actual`` becomes its ``Previous actual``, and ``Last year
  actual`` is taken from the History for the same quarter a year before the
  new one (blank when History has none);
* this quarter's inputs are cleared: Status (except Complete: a finished action
  stays Complete, and so GREEN), Recovery plan, overrides, Quarter target,
  Actual, Data note, and every commentary text; ragbook's own columns are
  cleared too;
* a History row keeps every action's and measure's values and ratings for
  the quarter just finished;
* Settings move to the next quarter (Q4 rolls into Q1 of the next year) and
  the as-of date is cleared.

The outcome is a set of cell changes per table row; the workbook writer
applies them.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import pandas as pd

from ragbook.calendar import ReportingPeriod
from ragbook.choices import COMPLETE, STATUS
from ragbook.plan import PlanResult
from ragbook.problems import Problem
from ragbook.ratings import is_blank

ACTION_CLEARED = ("Status", "Recovery plan", "Override RAG", "Override reason", "RAG",
                  "Direction", "Milestone due", "Milestone check", "Why")
MEASURE_CLEARED = ("Quarter target", "Actual", "Data note", "Override RAG", "Override reason",
                   "RAG", "Direction", "Why", "Variation", "Assurance")

Changes = dict[Hashable, dict[str, object]]
"""Row label -> {column: new value} (None clears the cell)."""


@dataclass(frozen=True)
class CopyFrom:
    """Take the cell of another column of the same row, as it is (value and format)."""

    column: str


@dataclass
class RollForward:
    """Everything that changes when a plan moves to its next quarter."""

    finished: ReportingPeriod
    next: ReportingPeriod
    settings: dict[str, object]
    actions: Changes = field(default_factory=dict)
    measures: Changes = field(default_factory=dict)
    commentary: Changes = field(default_factory=dict)
    history: list[list[object]] = field(default_factory=list)


def last_year_actuals(history: pd.DataFrame | None, period: ReportingPeriod) -> dict[str, object]:
    """Measure ref -> actual recorded in History for ``period`` (the same quarter a year ago)."""
    if history is None or history.empty:
        return {}
    wanted = history[(history["Period"].astype(str) == period.label)
                     & (history["Kind"].astype(str).str.lower() == "measure")]
    return {str(ref): actual for ref, actual in zip(wanted["Ref"], wanted["Actual"], strict=True)
            if not is_blank(actual)}


def roll_forward(result: PlanResult, history: pd.DataFrame | None = None) -> RollForward:
    """The changes that start the quarter after the rated one."""
    plan = result.plan
    finished = plan.settings.period
    following = finished.next()
    change = RollForward(finished, following, {
        "Plan year": str(following.year), "Reporting quarter": f"Q{following.quarter}",
        "As-of date": None,
    })
    label = finished.label
    for row in plan.actions.index:
        rag = result.actions.table.at[row, "RAG"]
        cleared: dict[str, object] = {name: None for name in ACTION_CLEARED}
        if STATUS.read(_cell(plan.actions, row, "Status")) == COMPLETE:
            del cleared["Status"]  # done is done: it stays Complete next quarter
        change.actions[row] = {"Previous RAG": rag if rag in ("R", "A", "G") else None,
                               **cleared}
        change.history.append([label, "Action", _cell(plan.actions, row, "Ref"),
                               _cell(plan.actions, row, "Status"), None, None, rag,
                               result.actions.table.at[row, "Direction"],
                               result.actions.table.at[row, "Why"]])
    last_year = last_year_actuals(history, following.same_period_last_year())
    for row in plan.measures.index:
        ref = _cell(plan.measures, row, "Ref")
        actual = _cell(plan.measures, row, "Actual")
        change.measures[row] = {"Previous actual": CopyFrom("Actual"),
                                "Last year actual": last_year.get(str(ref)),
                                **{name: None for name in MEASURE_CLEARED}}
        rated = result.measures.table
        change.history.append([label, "Measure", ref, None, actual,
                               _cell(plan.measures, row, "Target"), rated.at[row, "RAG"],
                               rated.at[row, "Direction"],
                               rated.at[row, "Why"] if "Why" in rated else None])
    for row in plan.commentary.index:
        change.commentary[row] = {"Text": None}
    return change


def nothing_reported(result: PlanResult, place: str = "") -> Problem | None:
    """A quarter in which nothing was reported (every Actual and every Status blank): rolled
    forward, next quarter's Previous actuals and Previous RAGs would all be blank."""
    plan = result.plan
    if plan.actions.empty and plan.measures.empty:
        return None
    for frame, column in ((plan.actions, "Status"), (plan.measures, "Actual")):
        if column in frame.columns and not all(is_blank(v) for v in frame[column].tolist()):
            return None
    label = plan.settings.period.label
    return Problem(
        code="nothing-reported", place=place,
        found=f"no Status and no Actual filled in for {label}",
        expected=f"{label}'s statuses and figures before it is rolled forward (they become "
                 "next quarter's Previous RAG and Previous actual); to roll forward anyway, "
                 "use --force")


def _cell(frame: pd.DataFrame, row: Hashable, column: str) -> object:
    if column not in frame.columns:
        return None
    value = frame.at[row, column]
    return None if is_blank(value) else value
