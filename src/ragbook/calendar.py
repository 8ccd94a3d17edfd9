"""The reporting calendar: financial years, quarters and the as-of date.

UK local-government financial years run 1 April to 31 March and are written
``2018/19``. Quarter 1 is April-June, Q2 July-September, Q3 October-December,
Q4 January-March. A report's as-of date is the end of its quarter unless the
officer gives another.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property

QUARTER_MONTHS = {1: (4, 6), 2: (7, 9), 3: (10, 12), 4: (1, 3)}
"""First and last calendar month of each quarter of a financial year."""

_YEAR = re.compile(r"^\s*(?:FY\s*)?(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})\s*$", re.IGNORECASE)
_QUARTER = re.compile(r"^\s*(?:Q|Quarter\s*)([1-4])\s*$", re.IGNORECASE)


def month_end(year: int, month: int) -> date:
    """The last day of a calendar month."""
    return date(year, month, _calendar.monthrange(year, month)[1])


EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's date serials (1900 date system): 43281 is 30 June 2018."""
LAST_EXCEL_SERIAL = 2_958_465
"""31 December 9999, the last date Excel holds."""
DATE_FORMS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%Y-%m-%dT%H:%M:%S", "%d %B %Y", "%d %b %Y")
"""How a date typed as text is read: 30/06/2018, 2018-06-30, 30/06/18, 30 June 2018."""


def excel_date(serial: float) -> date | None:
    """The date of an Excel date serial (None outside Excel's dates, 1 to 2,958,465)."""
    if not 1 <= serial <= LAST_EXCEL_SERIAL:
        return None
    return EXCEL_EPOCH + timedelta(days=int(serial))


def read_date(value: object) -> date | None:
    """A date cell, or a date typed as text (see :data:`DATE_FORMS`); None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        text = " ".join(value.split())
        for form in DATE_FORMS:
            try:
                return datetime.strptime(text, form).date()
            except ValueError:
                continue
    return None


def ordinal_day(day: int) -> str:
    """``1`` -> ``1st``, ``30`` -> ``30th``, as the seed writes dates."""
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def uk_date(day: date) -> str:
    """``30/06/2018``."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def long_date(day: date) -> str:
    """``30th June 2018``."""
    return f"{ordinal_day(day.day)} {day.strftime('%B %Y')}"


@dataclass(frozen=True, order=True)
class FinancialYear:
    """A financial year, named by the calendar year it starts in (2018 is ``2018/19``)."""

    start_year: int

    @classmethod
    def parse(cls, text: object) -> FinancialYear:
        """Read ``2018/19``, ``2018-19`` or ``2018/2019``.

        Raises ``ValueError`` naming the accepted form.
        """
        match = _YEAR.match(str(text))
        if match:
            first, second = int(match.group(1)), match.group(2)
            expected_second = (first + 1) % 100 if len(second) == 2 else first + 1
            if int(second) == expected_second:
                return cls(first)
        raise ValueError(f"expected a financial year such as 2018/19, found {text!r}")

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        """The financial year a date falls in."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def next(self) -> FinancialYear:
        return FinancialYear(self.start_year + 1)

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    def month_end(self, month: int) -> date:
        """The end of a calendar month inside this year (March is in the second calendar year)."""
        return month_end(self.start_year if month >= 4 else self.start_year + 1, month)

    def quarter_end(self, quarter: int) -> date:
        return self.month_end(QUARTER_MONTHS[quarter][1])

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


def parse_quarter(text: object) -> int:
    """Read ``Q1``..``Q4`` (or ``Quarter 1``, or a bare 1-4)."""
    if isinstance(text, int) and not isinstance(text, bool) and 1 <= text <= 4:
        return text
    value = str(text).strip()
    if value in {"1", "2", "3", "4"}:
        return int(value)
    match = _QUARTER.match(value)
    if match:
        return int(match.group(1))
    raise ValueError(f"expected a quarter Q1, Q2, Q3 or Q4, found {text!r}")


@dataclass(frozen=True)
class ReportingPeriod:
    """One quarter of one financial year, with the date the report is made up to."""

    year: FinancialYear
    quarter: int
    as_of_date: date | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.quarter not in QUARTER_MONTHS:
            raise ValueError(f"expected a quarter 1 to 4, found {self.quarter!r}")

    @classmethod
    def of(cls, year: str | FinancialYear, quarter: object, as_of: date | None = None
           ) -> ReportingPeriod:
        """``ReportingPeriod.of("2018/19", "Q1")``."""
        fy = year if isinstance(year, FinancialYear) else FinancialYear.parse(year)
        return cls(fy, parse_quarter(quarter), as_of)

    @classmethod
    def containing(cls, day: date) -> ReportingPeriod:
        """The quarter a date falls in, as of that date."""
        fy = FinancialYear.containing(day)
        quarter = next(q for q, (first, last) in QUARTER_MONTHS.items()
                       if first <= day.month <= last)
        return cls(fy, quarter, day)

    @cached_property
    def start(self) -> date:
        first = QUARTER_MONTHS[self.quarter][0]
        return date(self.year.start_year if first >= 4 else self.year.start_year + 1, first, 1)

    @cached_property
    def end(self) -> date:
        return self.year.quarter_end(self.quarter)

    @property
    def as_of(self) -> date:
        """The as-of date: the officer's, or the end of the quarter."""
        return self.as_of_date or self.end

    def with_as_of(self, day: date | None) -> ReportingPeriod:
        return replace(self, as_of_date=day)

    def previous(self) -> ReportingPeriod:
        """The previous quarter (Q4 of the previous year for Q1)."""
        if self.quarter == 1:
            return ReportingPeriod(self.year.previous(), 4)
        return ReportingPeriod(self.year, self.quarter - 1)

    def next(self) -> ReportingPeriod:
        """The next quarter (Q1 of the next year after Q4)."""
        return self._following

    @cached_property
    def _following(self) -> ReportingPeriod:
        if self.quarter == 4:
            return ReportingPeriod(self.year.next(), 1)
        return ReportingPeriod(self.year, self.quarter + 1)

    def same_period_last_year(self) -> ReportingPeriod:
        return ReportingPeriod(self.year.previous(), self.quarter)

    @property
    def label(self) -> str:
        """``Q1 2018/19``."""
        return f"Q{self.quarter} {self.year}"

    @property
    def progress_title(self) -> str:
        """``Progress to 30th June 2018 - Quarter 1``, as the report's title line."""
        return f"Progress to {long_date(self.as_of)} - Quarter {self.quarter}"

    def __str__(self) -> str:
        return self.label
