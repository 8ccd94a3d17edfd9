"""Milestone text, as officers write it, read into dates."""

from __future__ import annotations

import calendar
import csv
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ragbook.calendar import FinancialYear
from ragbook.milestones import (
    ACCEPTED_FORMS,
    BLANK,
    NOT_UNDERSTOOD,
    Milestone,
    MilestoneReading,
    read_milestone,
)

SEED_MILESTONES = Path(__file__).parent / "data" / "seed_milestones.csv"
PLAN_2018 = FinancialYear(2018)


def dues(reading: MilestoneReading) -> list[date | None]:
    return [m.due for m in reading.milestones]


def assert_not_understood(reading: MilestoneReading) -> None:
    assert reading.problem is not None
    assert reading.problem.code == NOT_UNDERSTOOD
    assert reading.problem.severity == "error"
    assert reading.problem.expected == ACCEPTED_FORMS
    assert reading.milestones == ()
    assert not reading.ok


# --- deadlines ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "due"), [
    ("By March 2019", date(2019, 3, 31)),
    ("By end March 2018", date(2018, 3, 31)),
    ("by end of June 2017", date(2017, 6, 30)),
    ("by the end of June 2017", date(2017, 6, 30)),
    ("By Sept 2018", date(2018, 9, 30)),
    ("by Dec 2017", date(2017, 12, 31)),
    ("By February 2020", date(2020, 2, 29)),
    ("Start on site by end March 2017.", date(2017, 3, 31)),
    ("until March 2019", date(2019, 3, 31)),
    ("March 2019", date(2019, 3, 31)),
])
def test_by_month_is_due_at_end_of_month(text: str, due: date) -> None:
    reading = read_milestone(text)
    assert reading.ok and reading.problem is None
    assert [(m.kind, m.due, m.start) for m in reading.milestones] == [("due", due, None)]


@pytest.mark.parametrize(("month", "number"), [
    ("Jan", 1), ("Feb", 2), ("Mar", 3), ("Apr", 4), ("May", 5), ("Jun", 6), ("Jul", 7),
    ("Aug", 8), ("Sep", 9), ("Sept", 9), ("Oct", 10), ("Nov", 11), ("Dec", 12),
    ("Sept.", 9), ("dec.", 12), ("JANUARY", 1), ("september", 9), ("mAY", 5),
])
def test_month_names_may_be_full_or_short_in_any_case(month: str, number: int) -> None:
    assert read_milestone(f"By {month} 2019").final_due == date(
        2019, number, calendar.monthrange(2019, number)[1])


@pytest.mark.parametrize("text", [
    "during 2017/18", "by end 2017/18", "by end of 2017/18", "in 2017/18", "In 2017-18",
    "during 2017/2018", "by 2017/18", "until 2017/18", "2017/18", "during FY 17/18",
])
def test_financial_year_is_due_on_31_march_at_its_end(text: str) -> None:
    assert dues(read_milestone(text)) == [date(2018, 3, 31)]


@pytest.mark.parametrize("text", ["during 2017", "by end of 2017", "by the end of 2017",
                                  "until 2017", "in 2017", "End 2017"])
def test_calendar_year_is_due_on_31_december(text: str) -> None:
    assert dues(read_milestone(text)) == [date(2017, 12, 31)]


def test_by_a_bare_year_is_not_read_as_a_date() -> None:
    assert_not_understood(read_milestone("By 2019"))
    assert dues(read_milestone("increased by 2000 visits by March 2019")) == [date(2019, 3, 31)]


@pytest.mark.parametrize(("text", "due"), [
    ("Q1 2018/19", date(2018, 6, 30)),
    ("Q2 2018/19", date(2018, 9, 30)),
    ("Q3 2018/19", date(2018, 12, 31)),
    ("Q4 2018/19", date(2019, 3, 31)),
    ("by end of Q3 2018/19", date(2018, 12, 31)),
    ("Quarter 2 2018/19", date(2018, 9, 30)),
    ("by end of Quarter 2 of 2018-19", date(2018, 9, 30)),
    ("during Q4 18/19", date(2019, 3, 31)),
])
def test_quarter_is_due_at_end_of_that_quarter_of_the_financial_year(text: str, due: date
                                                                       ) -> None:
    assert dues(read_milestone(text)) == [due]


def test_quarter_without_a_year_is_in_the_plan_year() -> None:
    assert dues(read_milestone("by end of Quarter 2", plan_year=PLAN_2018)) == [
        date(2018, 9, 30)]
    assert dues(read_milestone("Q4", plan_year=PLAN_2018)) == [date(2019, 3, 31)]


@pytest.mark.parametrize("text", ["by end of Quarter 2", "Q3", "By March", "Start in June",
                                  "31 March"])
def test_year_less_phrase_without_plan_year_is_a_problem(text: str) -> None:
    assert_not_understood(read_milestone(text))


@pytest.mark.parametrize(("text", "due"), [
    ("By March", date(2019, 3, 31)),
    ("By December", date(2018, 12, 31)),
    ("by end of April", date(2018, 4, 30)),
    ("31 March", date(2019, 3, 31)),
    ("1st October", date(2018, 10, 1)),
])
def test_month_without_a_year_is_the_month_inside_the_plan_year(text: str, due: date) -> None:
    assert dues(read_milestone(text, plan_year=PLAN_2018)) == [due]


def test_plan_year_may_be_given_as_text() -> None:
    assert dues(read_milestone("By March", plan_year="2018/19")) == [
        date(2019, 3, 31)]


def test_a_year_written_in_the_cell_beats_the_plan_year() -> None:
    assert dues(read_milestone("By March 2021", plan_year=PLAN_2018)) == [date(2021, 3, 31)]


# --- exact dates ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "31/03/2019", "31/3/19", "31-03-2019", "31.03.2019", "31 March 2019", "31st March 2019",
    "31 Mar. 2019", "31 of March 2019", "by 31/03/2019", "By 31st March 2019",
    "2019-03-31", "2019-03-31T00:00:00", "2019-03-31T00:00:00.000Z", "2019-03-31 00:00:00",
])
def test_exact_dates_are_due_that_day_read_day_first(text: str) -> None:
    reading = read_milestone(text)
    assert [(m.kind, m.due) for m in reading.milestones] == [("due", date(2019, 3, 31))]


@pytest.mark.parametrize("value", [
    date(2019, 3, 31), datetime(2019, 3, 31, 17, 30), pd.Timestamp("2019-03-31"),
])
def test_date_cells_are_due_that_day(value: object) -> None:
    reading = read_milestone(value)
    assert reading.problem is None
    assert reading.milestones == (Milestone("due", "31/03/2019", due=date(2019, 3, 31)),)


@pytest.mark.parametrize("value", [43555, 43555.0, "43555", True, 2019, "2019", 3.5])
def test_a_number_is_not_a_date(value: object) -> None:
    assert_not_understood(read_milestone(value))


@pytest.mark.parametrize("text", [
    "31/02/2019", "by 31/02/2019", "2019-02-30", "31 February 2019", "03/31/2019",
    "31/03-2019", "29/02/2019", "13/13/2019",
])
def test_impossible_date_is_a_problem(text: str) -> None:
    assert_not_understood(read_milestone(text))


# --- starts and ongoing work ------------------------------------------------------

@pytest.mark.parametrize(("text", "start"), [
    ("From June 2018", date(2018, 6, 1)),
    ("From July 2018", date(2018, 7, 1)),
    ("From Sept 2018", date(2018, 9, 1)),
    ("Start in June 2018", date(2018, 6, 1)),
    ("Starts in June 2018", date(2018, 6, 1)),
    ("From 15/06/2018", date(2018, 6, 15)),
    ("From Q2 2018/19", date(2018, 7, 1)),
])
def test_from_month_starts_on_first_day_with_no_deadline(text: str, start: date) -> None:
    reading = read_milestone(text)
    assert [(m.kind, m.start, m.due) for m in reading.milestones] == [("start", start, None)]
    assert reading.deadlines == ()
    assert reading.final_due is None


@pytest.mark.parametrize("text", ["From end of June 2018", "From end June 2018",
                                  "from the end of June 2018"])
def test_from_end_of_month_starts_on_last_day(text: str) -> None:
    assert read_milestone(text).start == date(2018, 6, 30)


def test_from_month_to_month_starts_and_has_a_deadline() -> None:
    reading = read_milestone("From June 2018 to March 2019")
    assert reading.start == date(2018, 6, 1)
    assert reading.deadlines == (date(2019, 3, 31),)


@pytest.mark.parametrize("text", ["Ongoing", "ongoing.", "ONGOING", "On-going", "• Ongoing"])
def test_ongoing_has_no_dates(text: str) -> None:
    reading = read_milestone(text)
    assert [(m.kind, m.due, m.start) for m in reading.milestones] == [("ongoing", None, None)]
    assert reading.is_ongoing


@pytest.mark.parametrize("text", ["Ongoing until March 2019", "Ongoing - until Mar 2019",
                                  "ongoing to March 2019", "Ongoing until end of 2018/19"])
def test_ongoing_until_month_is_ongoing_ending_that_month(text: str) -> None:
    reading = read_milestone(text)
    assert [(m.kind, m.due) for m in reading.milestones] == [("ongoing", date(2019, 3, 31))]
    assert reading.final_due == date(2019, 3, 31)


def test_ongoing_only_counts_at_the_start_of_the_cell() -> None:
    assert not read_milestone("Training as part of ongoing development by June 2018").is_ongoing
    assert_not_understood(read_milestone("Work ongoing"))


def test_ongoing_with_a_further_deadline_keeps_both() -> None:
    reading = read_milestone("Ongoing; review by March 2019")
    assert [m.kind for m in reading.milestones] == ["ongoing", "due"]
    assert reading.describe() == "ongoing; due 31/03/2019"


# --- several milestones, sentences ----------------------------------------------

@pytest.mark.parametrize("text", [
    "By Sept 2018 By April 2019", "By Sept 2018; By April 2019", "By Sept 2018, By April 2019",
    "By Sept 2018\nBy April 2019", "By Sept 2018 and by April 2019",
    "30/09/2018 and 30/04/2019", "Sept 2018; April 2019", "• By Sept 2018\n• By April 2019",
])
def test_a_cell_may_hold_several_milestones(text: str) -> None:
    assert dues(read_milestone(text)) == [date(2018, 9, 30), date(2019, 4, 30)]


def test_the_same_deadline_twice_counts_once() -> None:
    reading = read_milestone("Terms agreed by April 2017. Membership agreed by April 2017.")
    assert dues(reading) == [date(2017, 4, 30)]


def test_a_sentence_gives_the_deadline_it_names() -> None:
    reading = read_milestone(
        "Strategy agreed by Local Safeguarding Children's Board by September 2017.")
    assert [(m.kind, m.text, m.due) for m in reading.milestones] == [
        ("due", "by September 2017", date(2017, 9, 30))]


def test_a_sentence_may_name_several_deadlines_in_the_order_written() -> None:
    reading = read_milestone(
        "Grant award programme successfully implemented by end May 2017. Framework initial "
        "mini- competitions undertaken by end August 2017.")
    assert [m.text for m in reading.milestones] == ["by end May 2017", "by end August 2017"]
    assert dues(reading) == [date(2017, 5, 31), date(2017, 8, 31)]


def test_words_after_by_that_are_not_dates_are_not_milestones() -> None:
    reading = read_milestone("Approved by the Customer Programme Board by March 2019")
    assert dues(reading) == [date(2019, 3, 31)]
    assert_not_understood(read_milestone("Approved by the Customer Programme Board"))


def test_from_a_number_is_a_baseline_not_a_start() -> None:
    reading = read_milestone("Foster care households increased from 169 in January 2017 "
                             "to 184 by March 2018.")
    assert [(m.kind, m.due) for m in reading.milestones] == [("due", date(2018, 3, 31))]
    assert reading.start is None


def test_from_a_year_is_a_baseline_not_a_start() -> None:
    reading = read_milestone("On-line transactions increased by 30% from 2016/17 by end "
                             "March 2018.")
    assert [(m.kind, m.due) for m in reading.milestones] == [("due", date(2018, 3, 31))]


def test_a_date_inside_a_sentence_without_by_or_from_is_not_a_milestone() -> None:
    assert_not_understood(read_milestone("Work on site commenced September 2017."))
    assert_not_understood(read_milestone("increased from 48% in 2016/17 to 55% in 2017/18."))


def test_a_cell_with_no_date_phrase_is_a_problem() -> None:
    assert_not_understood(read_milestone("Council pays the Living Wage to its employees."))


# --- never guess ---------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Marhc 2019", "By Marhc 2019", "By Septmber 2018",
                                  "by Junee", "by end of Febuary 2019"])
def test_misspelt_month_is_a_problem_listing_accepted_forms(text: str) -> None:
    reading = read_milestone(text)
    assert_not_understood(reading)
    assert reading.problem is not None
    assert reading.problem.found == f'"{text}"'
    assert "By March 2019" in reading.problem.message


@pytest.mark.parametrize("text", ["by Summer 2019", "by early 2019", "Q3 2018", "Q5 2018/19",
                                  "By March 19", "By March 2019/20", "during 2017/19",
                                  "By March 3019", "TBC", "N/A"])
def test_vague_or_odd_dates_are_problems(text: str) -> None:
    assert_not_understood(read_milestone(text))


@pytest.mark.parametrize("text", [
    "By March 2019; by Marhc 2020", "Review by March 2019 and audit by 31/02/2019",
    "By March 2019; Marhc 2020", "From June 2018 to Marhc 2019", "Ongoing until Marhc 2019",
])
def test_a_malformed_phrase_spoils_the_whole_cell(text: str) -> None:
    assert_not_understood(read_milestone(text))


def test_a_month_name_used_as_a_word_in_a_sentence_is_not_a_date() -> None:
    assert dues(read_milestone("May need review, by March 2019")) == [date(2019, 3, 31)]
    assert read_milestone("Ongoing until further notice").describe() == "ongoing"


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0", float("nan"), pd.NaT, pd.NA,
                                   "•", " - "])
def test_blank_is_a_warning_with_no_milestones(value: object) -> None:
    reading = read_milestone(value)
    assert reading.milestones == ()
    assert reading.problem is not None
    assert reading.problem.code == BLANK
    assert reading.problem.severity == "warning"
    assert reading.problem.found == "(blank)"
    assert reading.ok
    assert reading.describe() == "no milestone"


def test_a_value_that_cannot_even_be_shown_is_a_problem_not_a_crash() -> None:
    class Awkward:
        def __str__(self) -> str:
            raise RuntimeError("no")

    reading = read_milestone(Awkward())
    assert reading.problem is not None
    assert reading.problem.code == NOT_UNDERSTOOD


def test_objects_are_read_by_their_text() -> None:
    class Cell:
        def __str__(self) -> str:
            return "By March 2019"

    assert dues(read_milestone(Cell())) == [date(2019, 3, 31)]


# --- tidying -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "By March 2019.", "  By  March   2019  ", "By\u00a0March\u00a02019", "• By March 2019",
    "- By March 2019", "by march 2019", "BY END MARCH 2019", "By end-March 2019",
    "By March, 2019", "By Mar. 2019.",
])
def test_stray_punctuation_spaces_and_case_are_ignored(text: str) -> None:
    assert dues(read_milestone(text)) == [date(2019, 3, 31)]


def test_milestone_text_is_the_phrase_it_came_from() -> None:
    reading = read_milestone("  •  Start on site by  end March 2017. ")
    assert reading.text == "Start on site by end March 2017"
    assert [m.text for m in reading.milestones] == ["by end March 2017"]


# --- what a reading says -------------------------------------------------------

def test_deadlines_are_sorted_and_final_due_is_the_latest() -> None:
    reading = read_milestone("By April 2019; By Sept 2018")
    assert reading.deadlines == (date(2018, 9, 30), date(2019, 4, 30))
    assert reading.final_due == date(2019, 4, 30)


def test_next_due_is_the_earliest_deadline_on_or_after_the_day() -> None:
    reading = read_milestone("By Sept 2018 By April 2019")
    assert reading.next_due(date(2018, 6, 30)) == date(2018, 9, 30)
    assert reading.next_due(date(2018, 9, 30)) == date(2018, 9, 30)
    assert reading.next_due(date(2018, 10, 1)) == date(2019, 4, 30)


def test_next_due_after_every_deadline_is_the_final_deadline() -> None:
    assert read_milestone("By Sept 2018 By April 2019").next_due(date(2020, 1, 1)) == date(
        2019, 4, 30)
    assert read_milestone("From June 2018").next_due(date(2018, 1, 1)) is None


def test_start_is_the_earliest_start() -> None:
    assert read_milestone("From July 2018; Start in June 2018").start == date(2018, 6, 1)
    assert read_milestone("By March 2019").start is None


@pytest.mark.parametrize(("value", "summary"), [
    ("By March 2019", "due 31/03/2019"),
    ("From June 2018", "starts 01/06/2018"),
    ("Ongoing", "ongoing"),
    ("Ongoing until March 2019", "ongoing, ends 31/03/2019"),
    ("By Sept 2018 By April 2019", "due 30/09/2018 and 30/04/2019"),
    ("By May 2018; By Sept 2018; By April 2019", "due 31/05/2018, 30/09/2018 and 30/04/2019"),
    ("From June 2018 to March 2019", "starts 01/06/2018; due 31/03/2019"),
    ("By Marhc 2019", "not understood"),
    (None, "no milestone"),
])
def test_describe_gives_a_short_summary(value: object, summary: str) -> None:
    assert read_milestone(value).describe() == summary


# --- the seeds ------------------------------------------------------------------------

def _seed_rows() -> list[dict[str, str]]:
    with SEED_MILESTONES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _expected(row: dict[str, str]) -> list[tuple[str, date | None, date | None]]:
    kinds = row["kind"].split(";")
    dues_ = row["due"].split(";") if row["due"] else [""] * len(kinds)
    starts = row["start"].split(";") if row["start"] else [""] * len(kinds)
    return [(kind, date.fromisoformat(due) if due else None,
             date.fromisoformat(start) if start else None)
            for kind, due, start in zip(kinds, dues_, starts, strict=True)]


SEED_ROWS = _seed_rows()


def test_seed_list_covers_both_seed_documents() -> None:
    sources = {row["source"].split(":")[0] for row in SEED_ROWS}
    assert sources == {"000", "003"}
    assert len(SEED_ROWS) >= 90


@pytest.mark.parametrize("row", SEED_ROWS, ids=[row["source"] for row in SEED_ROWS])
@pytest.mark.parametrize("plan_year", [None, PLAN_2018], ids=["no-plan-year", "plan-2018"])
def test_every_seed_milestone_is_read_as_written_down_by_hand(
        row: dict[str, str], plan_year: FinancialYear | None) -> None:
    reading = read_milestone(row["text"], plan_year=plan_year)
    if row["kind"] == "problem":
        assert_not_understood(reading)
        return
    assert reading.problem is None, reading.text
    assert [(m.kind, m.due, m.start) for m in reading.milestones] == _expected(row)


# --- properties ------------------------------------------------------------------------

MONTH_NAMES = [calendar.month_name[n] for n in range(1, 13)]


@given(st.text())
def test_never_raises_for_any_text(text: str) -> None:
    reading = read_milestone(text)
    assert isinstance(reading, MilestoneReading)
    assert reading.ok == (reading.problem is None or reading.problem.severity == "warning")
    assert bool(reading.milestones) != (reading.problem is not None)


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.dates(),
                 st.datetimes(), st.binary(), st.lists(st.integers()), st.decimals(),
                 st.complex_numbers()),
       st.one_of(st.none(), st.integers(1990, 2090).map(FinancialYear)))
def test_never_raises_for_any_value(value: object, plan_year: FinancialYear | None) -> None:
    assert isinstance(read_milestone(value, plan_year=plan_year), MilestoneReading)


@given(st.sampled_from(range(1, 13)), st.integers(1900, 2099), st.booleans(),
       st.sampled_from(["By ", "by end ", "By end of ", "BY "]))
def test_by_month_year_is_always_that_months_last_day(
        month: int, year: int, short: bool, prefix: str) -> None:
    name = calendar.month_abbr[month] if short else calendar.month_name[month]
    reading = read_milestone(f"{prefix}{name} {year}")
    assert reading.deadlines == (date(year, month, calendar.monthrange(year, month)[1]),)


@given(st.sampled_from(MONTH_NAMES), st.integers(1900, 2099))
def test_from_month_year_always_starts_on_the_first(name: str, year: int) -> None:
    reading = read_milestone(f"From {name} {year}")
    assert reading.start == date(year, MONTH_NAMES.index(name) + 1, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_uk_and_iso_dates_are_always_that_day(day: date) -> None:
    for text in (day.strftime("%d/%m/%Y"), day.isoformat(), f"{day.isoformat()}T00:00:00",
                 f"{day.day} {calendar.month_name[day.month]} {day.year}"):
        assert read_milestone(text).deadlines == (day,), text
