"""The action rules and milestone checks of domain.md section 5."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ragbook import ReportingPeriod, rate_action, rate_actions
from ragbook.actions import (
    DISAGREES,
    DUE_NEXT_QUARTER,
    DUE_THIS_QUARTER,
    EARLIER_PART_PASSED,
    NOT_UNDERSTOOD,
    OVERDUE,
    SHOULD_HAVE_STARTED,
)
from ragbook.ratings import AMBER, GREEN, IMPROVING, NO_DATA, NOT_APPLICABLE, RED

Q1 = ReportingPeriod.of("2018/19", "Q1")
Q3 = ReportingPeriod.of("2018/19", "Q3")


def checks(rating):
    return [check.check for check in rating.checks]


def test_complete_is_green_milestone_met():
    rating = rate_action("Complete", "By June 2018", Q1)
    assert rating.rag == GREEN
    assert rating.rating_why == "Complete: milestone met -> GREEN"


def test_missed_deadline_is_red_even_when_on_track():
    rating = rate_action("On track", "By September 2018", Q3)
    assert rating.rag == RED
    assert "Deadline 30/09/2018 has passed" in rating.why
    assert OVERDUE in checks(rating)


def test_deadline_on_the_as_of_date_is_not_missed():
    assert rate_action("On track", "By June 2018", Q1).rag == GREEN


def test_off_track_is_red_expected_to_miss():
    assert rate_action("Off track", "Ongoing until March 2019", Q1).rag == RED


def test_at_risk_with_recovery_plan_is_amber():
    assert rate_action("At risk", "By December 2018", Q1, recovery_plan="Yes").rag == AMBER


def test_at_risk_without_recovery_plan_is_red():
    assert rate_action("At risk", "By December 2018", Q1, recovery_plan="No").rag == RED
    assert rate_action("At risk", "By December 2018", Q1).rag == RED


def test_on_track_is_green():
    rating = rate_action("On track", "By March 2019", Q1)
    assert rating.rag == GREEN
    assert rating.rating_why == "On track: on schedule, due 31/03/2019 -> GREEN"


def test_no_status_is_no_data():
    assert rate_action(None, "By March 2019", Q1).rag == NO_DATA


def test_unknown_status_is_a_problem_and_not_rated():
    rating = rate_action("Nearly there", "By March 2019", Q1)
    assert rating.rag == ""
    assert [p.code for p in rating.problems] == ["unknown-choice"]
    assert "Not started, On track, At risk, Off track or Complete" in rating.why


def test_not_started_after_start_date_should_have_started():
    rating = rate_action("Not started", "From June 2018", Q1.with_as_of(date(2018, 6, 30)))
    assert SHOULD_HAVE_STARTED in checks(rating)


def test_not_started_before_start_date_is_fine():
    rating = rate_action("Not started", "From June 2019", Q1)
    assert checks(rating) == []


def test_due_this_quarter_and_next_quarter():
    assert DUE_THIS_QUARTER in checks(rate_action("On track", "By June 2018", Q1))
    assert DUE_NEXT_QUARTER in checks(rate_action("On track", "By Sept 2018", Q1))


def test_two_part_milestone_rated_on_the_last_deadline():
    q3 = ReportingPeriod.of("2018/19", "Q3")
    rating = rate_action("On track", "By Sept 2018 By April 2019", q3)
    assert rating.rag == GREEN
    assert rating.due == date(2019, 4, 30)
    assert EARLIER_PART_PASSED in checks(rating)


def test_unparseable_milestone_is_a_problem_rated_on_status_alone():
    rating = rate_action("On track", "By Marhc 2019", Q1)
    assert rating.rag == GREEN
    assert "dates not checked" in rating.why
    assert checks(rating) == [NOT_UNDERSTOOD]
    assert rating.problems[0].code == "milestone-not-understood"


def test_green_override_after_the_deadline_disagrees_with_dates():
    rating = rate_action("Off track", "By September 2018", Q3, override="G",
                        override_reason="Agreed extension")
    assert rating.rag == GREEN and rating.computed == RED
    assert DISAGREES in checks(rating)


def test_override_without_reason_is_ignored_and_reported():
    rating = rate_action("Off track", "By March 2019", Q1, override="G")
    assert rating.rag == RED
    assert [p.code for p in rating.problems] == ["override-without-reason"]


def test_direction_against_previous_rating():
    assert rate_action("On track", "By March 2019", Q1, previous="Amber").direction.arrow \
        == IMPROVING
    assert rate_action("On track", "By March 2019", Q1).direction.arrow == NOT_APPLICABLE


def test_table_places_problems_on_rows_and_columns():
    frame = pd.DataFrame({
        "Ref": ["1.1", "1.2", "1.3"],
        "milestone": ["From June 2018", "By Marhc 2019", "By March 2019"],
        "STATUS": ["On track", "On track", "Sideways"],
        "Previous RAG": ["A", "G", None],
    }, index=[4, 5, 6])
    rated = rate_actions(frame, Q1)
    assert list(rated.table["RAG"]) == [GREEN, GREEN, ""]
    assert list(rated.table["Direction"]) == [IMPROVING, "→", NOT_APPLICABLE]
    assert [(p.row, p.column, p.code) for p in rated.problems] == [
        (5, "milestone", "milestone-not-understood"), (6, "STATUS", "unknown-choice")]
    assert rated.table.loc[4, "Milestone check"] == ""
    assert rated.table.loc[5, "Milestone check"] == 'Milestone not understood: "By Marhc 2019"'
