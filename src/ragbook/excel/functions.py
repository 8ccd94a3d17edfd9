"""Worksheet functions for officers who prefer formulas, with the engine's answers.

In Excel they appear as ``=RAGBOOK.RAG(actual, target, polarity, [amber], [red])``,
``=RAGBOOK.DIRECTION(current, previous, polarity, [band])``,
``=RAGBOOK.MILESTONE_DUE(text)`` and ``=RAGBOOK.MILESTONE_CHECK(text, status, [as_of])``.
A value the rules cannot use gives the problem as text ("Not rated: ..."),
never a spreadsheet error.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from xlwings.server import arg, func

from ragbook.actions import rate_action
from ragbook.calendar import ReportingPeriod
from ragbook.direction import measure_direction
from ragbook.measures import rate_measure
from ragbook.milestones import read_milestone
from ragbook.numbers import NotANumber, read_number
from ragbook.ratings import is_blank


def _number(value: object) -> float | None:
    try:
        return read_number(value)
    except NotANumber:
        return None


def _fraction(value: object) -> object:
    """A threshold as typed: 5% arrives as 0.05; blank means the plan default."""
    return None if is_blank(value) else value


@func
@arg("actual", doc="This period's figure")
@arg("target", doc="The target it is compared with")
@arg("polarity", doc="Higher is better, Lower is better or Within range")
@arg("amber", doc="Amber threshold (blank: 5%)")
@arg("red", doc="Red threshold (blank: 10%)")
def rag(actual: Any, target: Any, polarity: Any, amber: Any = None,
        red: Any = None) -> str:
    """The RAG rating of a measure: R, A, G, No data or n/a (the same rules as ragbook)."""
    rating = rate_measure(actual, target, polarity or "Higher is better",
                          amber=_fraction(amber), red=_fraction(red))
    return rating.rag or rating.why


@func
@arg("current", doc="This period's figure")
@arg("previous", doc="Last period's figure")
@arg("polarity", doc="Higher is better, Lower is better or Within range")
@arg("band", doc="No-significant-change band, in the measure's unit (blank: 0)")
def direction(current: Any, previous: Any, polarity: Any,
              band: Any = None) -> str:
    """The direction of travel: ↑ improving, → sustained, ↓ declining, or n/a.

    The band is in the measure's own unit: a move no bigger than it is sustained.
    """
    return measure_direction(_number(current), _number(previous),
                             str(polarity or "Higher is better"), band=_number(band) or 0.0,
                             tolerance="Absolute").arrow


@func
@arg("text", doc='The milestone as written, e.g. "By end March 2019"')
def milestone_due(text: Any) -> Any:
    """The date a milestone is due (the last deadline), or why it cannot be read."""
    reading = read_milestone(text)
    if reading.problem is not None and reading.problem.severity == "error":
        return f"Not understood: expected {reading.problem.expected}"
    return reading.final_due or ""


@func
@arg("text", doc="The milestone as written")
@arg("status", doc="Not started, On track, At risk, Off track or Complete")
@arg("as_of", doc="The as-of date (blank: today)")
def milestone_check(text: Any, status: Any, as_of: Any = None) -> str:
    """What the milestone report says: overdue, due this quarter, due next quarter..."""
    day = as_of.date() if isinstance(as_of, datetime) else as_of if isinstance(as_of, date) \
        else date.today()
    rating = rate_action(status, text, ReportingPeriod.containing(day))
    return rating.check_text or "No milestone due or overdue"
