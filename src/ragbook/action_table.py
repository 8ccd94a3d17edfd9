"""Rating a whole table of actions, row by row, with the rules of :mod:`ragbook.actions`."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ragbook import schema
from ragbook.actions import ActionRating, rate_action
from ragbook.calendar import ReportingPeriod
from ragbook.problems import Problem, default_place
from ragbook.tables import Columns, Ratings

ACTION_INPUTS = tuple(column.name for column in schema.ACTIONS.inputs)
"""The Actions table's officer columns (the workbook schema is the one list)."""
REQUIRED = ("Milestone", "Status")


def rate_actions(frame: pd.DataFrame, period: ReportingPeriod) -> Ratings:
    """Rate every action in a frame whose columns are the Actions table's.

    Returns the frame's index with ``RAG``, ``Computed RAG``, ``Direction``,
    ``Milestone due``, ``Milestone check`` and ``Why``, and the problems found.
    """
    columns = Columns(frame, ACTION_INPUTS)
    problems: list[Problem] = columns.missing(REQUIRED, "the actions table")
    rows: list[ActionRating] = []
    values = {name: (columns.get(name).to_numpy(dtype=object)  # type: ignore[union-attr]
                     if columns.has(name) else [None] * len(frame))
              for name in ("Status", "Milestone", "Recovery plan", "Previous RAG",
                           "Override RAG", "Override reason")}
    for i, row in enumerate(frame.index):
        rated = rate_action(values["Status"][i], values["Milestone"][i], period,
                            recovery_plan=values["Recovery plan"][i],
                            previous=values["Previous RAG"][i],
                            override=values["Override RAG"][i],
                            override_reason=values["Override reason"][i])
        rows.append(rated)
        for found in rated.problems:
            column = columns.label(found.column or "Milestone")
            problems.append(replace(found, row=row, column=column,
                                    place=default_place(row, column)))
    table = pd.DataFrame({
        "RAG": [r.rag for r in rows],
        "Computed RAG": [r.computed for r in rows],
        "Direction": [r.direction.arrow for r in rows],
        "Milestone due": [r.due for r in rows],
        "Milestone check": [r.check_text for r in rows],
        "Why": [r.why for r in rows],
    }, index=frame.index)
    return Ratings(table, problems, rows)
