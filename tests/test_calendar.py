"""The reporting calendar (domain.md section 1)."""

from __future__ import annotations

from datetime import date

import pytest

from ragbook import FinancialYear, ReportingPeriod


def test_financial_year_runs_april_to_march():
    year = FinancialYear.parse("2018/19")
    assert (year.start, year.end) == (date(2018, 4, 1), date(2019, 3, 31))
    assert str(year) == "2018/19"


@pytest.mark.parametrize("text", ["2018/19", "2018-19", "2018/2019", " 2018 / 19 "])
def test_financial_year_accepts_common_spellings(text):
    assert FinancialYear.parse(text) == FinancialYear(2018)


@pytest.mark.parametrize("text", ["2018/20", "18/19", "2018", "Q1", ""])
def test_financial_year_rejects_what_is_not_one(text):
    with pytest.raises(ValueError, match="2018/19"):
        FinancialYear.parse(text)


@pytest.mark.parametrize("quarter,end", [
    ("Q1", date(2018, 6, 30)), ("Q2", date(2018, 9, 30)),
    ("Q3", date(2018, 12, 31)), ("Q4", date(2019, 3, 31)),
])
def test_quarter_ends(quarter, end):
    assert ReportingPeriod.of("2018/19", quarter).end == end


def test_as_of_defaults_to_quarter_end():
    period = ReportingPeriod.of("2018/19", "Q1")
    assert period.as_of == date(2018, 6, 30)
    assert period.with_as_of(date(2018, 7, 15)).as_of == date(2018, 7, 15)


def test_previous_period_of_q1_is_q4_of_last_year():
    assert ReportingPeriod.of("2018/19", "Q1").previous() == ReportingPeriod.of("2017/18", "Q4")


def test_q4_rolls_into_q1_of_next_year():
    assert ReportingPeriod.of("2018/19", "Q4").next() == ReportingPeriod.of("2019/20", "Q1")


def test_same_period_last_year():
    assert (ReportingPeriod.of("2018/19", "Q2").same_period_last_year()
            == ReportingPeriod.of("2017/18", "Q2"))


def test_progress_title_reads_like_the_seed():
    assert (ReportingPeriod.of("2018/19", "Q1").progress_title
            == "Progress to 30th June 2018 - Quarter 1")


def test_period_containing_a_date():
    period = ReportingPeriod.containing(date(2019, 2, 10))
    assert period.label == "Q4 2018/19"
