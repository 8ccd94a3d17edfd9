"""Rating one action from its status and milestone dates, and checking its milestones.

The rules (domain.md section 5), in the order they are applied:

1. No status recorded yet -> No data.
2. Complete -> GREEN (milestone met).
3. The deadline is before the as-of date and the action is not complete -> RED (missed).
   Where a cell holds several milestones, the last deadline decides the rating;
   earlier ones that have passed are listed in the milestone check for the
   officer to confirm.
4. Off track -> RED (expected to miss).
5. At risk with a recovery plan -> AMBER; at risk without one -> RED.
6. On track, or Not started -> GREEN (on schedule).

Milestone checks for the report: overdue, due this quarter, due next quarter,
should have started (a start date passed with status Not started), milestone
not understood, and rating disagrees with the dates (for example an officer's
GREEN override, or a status of On track, when the deadline has passed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from ragbook import choices as c
from ragbook.calendar import ReportingPeriod, uk_date
from ragbook.direction import Direction, action_direction
from ragbook.milestones import MilestoneReading, read_milestone
from ragbook.problems import Problem, problem
from ragbook.ratings import (
    AMBER,
    GREEN,
    NO_DATA,
    RATING_CHOICES,
    RATING_NAMES,
    RED,
    is_blank,
    read_override,
    read_rating,
)

NOT_RATED = ""

OVERDUE = "Overdue"
DUE_THIS_QUARTER = "Due this quarter"
DUE_NEXT_QUARTER = "Due next quarter"
SHOULD_HAVE_STARTED = "Should have started"
EARLIER_PART_PASSED = "Earlier milestone passed"
NOT_UNDERSTOOD = "Milestone not understood"
DISAGREES = "Rating disagrees with dates"

CHECKS = (OVERDUE, DUE_THIS_QUARTER, DUE_NEXT_QUARTER, SHOULD_HAVE_STARTED,
          EARLIER_PART_PASSED, NOT_UNDERSTOOD, DISAGREES)
"""Every milestone check, in the order the report lists them."""


class MilestoneCheck(NamedTuple):
    """One thing the milestone report says about an action."""

    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail}" if self.detail else self.check


@dataclass(frozen=True)
class ActionRating:
    """An action's rating, its milestone checks, and the reasons."""

    rag: str
    computed: str
    rating_why: str
    milestone: MilestoneReading
    due: date | None = None
    checks: tuple[MilestoneCheck, ...] = ()
    direction: Direction = field(default_factory=lambda: action_direction(NO_DATA, None))
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def why(self) -> str:
        return f"{self.rating_why}. Direction: {self.direction.why}"

    @property
    def check_text(self) -> str:
        """The ``Milestone check`` cell: every check, separated by semicolons."""
        return "; ".join(str(check) for check in self.checks)


def status_rating(status: str | None, recovery_plan: str, deadline_passed: bool,
                  due_text: str) -> tuple[str, str]:
    """The computed rating and its reason, from status and dates (rules 1-6)."""
    if status is None:
        return NO_DATA, "No status recorded yet -> No data"
    if status == c.COMPLETE:
        return GREEN, "Complete: milestone met -> GREEN"
    if deadline_passed:
        return RED, f"Deadline {due_text} has passed and the action is not complete -> RED"
    if status == c.OFF_TRACK:
        return RED, "Off track: expected to miss its milestone -> RED"
    if status == c.AT_RISK:
        if recovery_plan == c.YES:
            return AMBER, "At risk of missing its milestone, recovery plan in place -> AMBER"
        return RED, "At risk of missing its milestone with no recovery plan -> RED"
    schedule = f", due {due_text}" if due_text else ""
    return GREEN, f"{status}: on schedule{schedule} -> GREEN"


def milestone_checks(reading: MilestoneReading, status: str | None, period: ReportingPeriod,
                     override: str | None = None) -> tuple[MilestoneCheck, ...]:
    """What the milestone report says about one action at the period's as-of date."""
    if reading.problem is not None and reading.problem.severity == "error":
        return (MilestoneCheck(NOT_UNDERSTOOD, f'"{reading.text}"'),)
    as_of = period.as_of
    done = status == c.COMPLETE
    found: list[MilestoneCheck] = []
    final = reading.final_due
    if final is not None and final < as_of and not done:
        found.append(MilestoneCheck(OVERDUE, f"was due {uk_date(final)}"))
    for day in reading.deadlines:
        if day != final and day < as_of and not done:
            found.append(MilestoneCheck(EARLIER_PART_PASSED,
                                        f"due {uk_date(day)}: confirm it was met"))
    upcoming = [d for d in reading.deadlines if d >= as_of] if not done else []
    this_q = [d for d in upcoming if period.start <= d <= period.end]
    following = period.next()
    next_q = [d for d in upcoming if following.start <= d <= following.end]
    if this_q:
        found.append(MilestoneCheck(DUE_THIS_QUARTER, f"due {uk_date(min(this_q))}"))
    if next_q:
        found.append(MilestoneCheck(DUE_NEXT_QUARTER, f"due {uk_date(min(next_q))}"))
    start = reading.start
    if start is not None and start < as_of and status == c.NOT_STARTED:
        found.append(MilestoneCheck(SHOULD_HAVE_STARTED, f"from {uk_date(start)}"))
    if final is not None and final < as_of and not done:
        if override in (GREEN, AMBER):
            found.append(MilestoneCheck(
                DISAGREES, f"{RATING_NAMES[override]} entered but the deadline "
                           f"{uk_date(final)} has passed"))
        if status in (c.ON_TRACK, c.NOT_STARTED, c.AT_RISK):
            found.append(MilestoneCheck(
                DISAGREES, f"status {status} but the deadline {uk_date(final)} has passed"))
    return tuple(found)


def rate_action(
    status: object,
    milestone: object,
    period: ReportingPeriod,
    *,
    recovery_plan: object = None,
    previous: object = None,
    override: object = None,
    override_reason: object = None,
) -> ActionRating:
    """Rate one action. Never raises for bad input: problems come back in the result.

    >>> from ragbook.calendar import ReportingPeriod
    >>> q1 = ReportingPeriod.of("2018/19", "Q1")
    >>> rate_action("At risk", "By December 2018", q1, recovery_plan="Yes").rag
    'A'
    """
    problems: list[Problem] = []
    reading = read_milestone(milestone, plan_year=period.year)
    if reading.problem is not None:
        problems.append(reading.problem)
    state = c.STATUS.read(status)
    if state is None and not is_blank(status):
        problems.append(problem("unknown-choice", status, c.STATUS.expected, column="Status"))
    plan = c.RECOVERY_PLAN.read(recovery_plan)
    if plan is None:
        problems.append(problem("unknown-choice", recovery_plan, c.RECOVERY_PLAN.expected,
                                column="Recovery plan"))
        plan = c.NO
    before = read_rating(previous)
    if before is None and not is_blank(previous):
        problems.append(problem("unknown-rating", previous, RATING_CHOICES,
                                column="Previous RAG"))
    wanted, reason, refused = read_override(override, override_reason)
    if refused is not None:
        problems.append(refused)

    final_due = reading.final_due
    passed = final_due is not None and final_due < period.as_of
    due = reading.next_due(period.as_of)
    if state is None and not is_blank(status):
        computed, why = NOT_RATED, _not_rated(problems)
    else:
        computed, why = status_rating(state, plan, passed,
                                      uk_date(final_due) if final_due else "")
        if reading.problem is not None and reading.problem.severity == "error":
            why = f"{why} (milestone not understood: dates not checked)"
    rag = computed
    if wanted is not None and computed != NOT_RATED:
        rag = wanted
        why = (f"Officer override to {RATING_NAMES[wanted]} (computed: {why}). "
               f"Reason: {reason}")
    checks = milestone_checks(reading, state, period, wanted if wanted else None)
    return ActionRating(rag=rag, computed=computed, rating_why=why, milestone=reading,
                        due=due, checks=checks, direction=action_direction(rag, before),
                        problems=tuple(problems))


def _not_rated(problems: list[Problem]) -> str:
    first = next(p for p in problems if p.column == "Status")
    return f"Not rated: Status: found {first.found}; expected {first.expected}"
