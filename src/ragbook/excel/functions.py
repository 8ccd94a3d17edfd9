"""Worksheet functions for officers who prefer formulas, with the engine's answers.

In Excel they appear as ``=RAGBOOK.RAG(actual, target, polarity, [amber], [red])``,
``=RAGBOOK.DIRECTION(current, previous, polarity, [band])``,
``=RAGBOOK.MILESTONE_DUE(text)`` and ``=RAGBOOK.MILESTONE_CHECK(text, status, [as_of])``.
A value the rules cannot use gives the problem as text ("Not rated: ..."),
never a spreadsheet error.

Excel shows each function's docstring, and each ``doc=``, as its description in the
formula bar's help: so each is one plain sentence, on one line.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xlwings.server import arg, func

from ragbook.actions import rate_action
from ragbook.calendar import ReportingPeriod, excel_date, read_date
from ragbook.choices import HIGHER, POLARITY
from ragbook.direction import measure_direction
from ragbook.measures import rate_measure
from ragbook.milestones import read_milestone
from ragbook.numbers import NotANumber, is_not_due, read_number
from ragbook.ratings import is_blank


class NotUnderstood(ValueError):
    """An argument the function cannot read; the message is what the cell shows."""


def _shown(value: object) -> str:
    text = str(value)
    return f'"{text if len(text) <= 40 else text[:37] + "..."}"'


def _given_number(value: object, name: str, expected: str) -> float | None:
    """A number argument (None when blank or n/a), or NotUnderstood naming it."""
    if is_not_due(value):
        return None
    try:
        return read_number(value)
    except NotANumber:
        raise NotUnderstood(f"Not understood: {name} {_shown(value)}; expected {expected}"
                            ) from None


def _day(value: object) -> date:
    """The as-of date as Excel sends it: a date serial (43281 is 30/06/2018), a date, or text
    such as 30/06/2018; blank is today."""
    if is_blank(value):
        return date.today()
    if isinstance(value, int | float) and not isinstance(value, bool):
        day = excel_date(value)
    else:
        day = read_date(value)
    if day is None:
        raise NotUnderstood(f"Not understood: as_of {_shown(value)}; expected a date such as "
                            "30/06/2018 (a date cell, or blank for today)")
    return day


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
@arg("band", doc="No-significant-change band, in the measure's unit: a move no bigger "
                  "than it is sustained (blank: 0)")
def direction(current: Any, previous: Any, polarity: Any,
              band: Any = None) -> str:
    """The direction of travel: ↑ improving, → sustained, ↓ declining, or n/a."""
    try:
        now = _given_number(current, "current", "a number, or blank for no data")
        before = _given_number(previous, "previous", "a number, or blank for no data")
        move = _given_number(band, "band", "a number in the measure's unit, or blank for 0")
        read = POLARITY.read(HIGHER if is_blank(polarity) else polarity)
        if read is None:
            raise NotUnderstood(f"Not understood: polarity {_shown(polarity)}; expected "
                                f"{POLARITY.expected}")
    except NotUnderstood as error:
        return str(error)
    return measure_direction(now, before, read, band=move or 0.0, tolerance="Absolute").arrow


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
@arg("as_of", doc="The as-of date, e.g. 30/06/2018 (blank: today)")
def milestone_check(text: Any, status: Any, as_of: Any = None) -> str:
    """What the milestone report says: Overdue, Due this quarter, Due next quarter, and so on."""
    try:
        day = _day(as_of)
    except NotUnderstood as error:
        return str(error)
    rating = rate_action(status, text, ReportingPeriod.containing(day))
    return rating.check_text or "No milestone due or overdue"
