"""Milestone text, as officers write it, turned into dates.

An action's milestone is written as text ("By March 2019", "From June 2018",
"Ongoing until March 2019") or, in a workbook, as a date cell. These are the
rules ragbook follows to read a milestone cell; an officer can apply them by
hand to see what a cell will mean.

1. A blank cell (or one holding only a bullet or a dash) has no milestone.
   That is a warning, not an error.
2. A cell that *starts* with "Ongoing" is ongoing work, with no date.
   "Ongoing until March 2019" is ongoing work that ends (is due) on 31/03/2019.
   The word "ongoing" later in a cell ("as part of ongoing development") is
   just a word.
3. Everywhere else ragbook looks for date phrases: a date after "by",
   "until", "during", "from" or "start in", or a date standing on its own as
   the whole cell or a whole part of it (parts are split by ";", ",", "and",
   "&" or a new line), perhaps after "in" ("In 2018/19"). A date in the
   middle of a sentence with none of those words in front of it is not a
   milestone: "from 48% in 2016/17", "Work on site commenced September 2017".
   A cell can hold several milestones: "By Sept 2018 By April 2019" has two
   deadlines. They are kept in the order written; the same one written twice
   counts once.
4. What a date phrase means:

   - "By March 2019", "By end March 2019", "by end of June 2017",
     "until March 2019", "March 2019": due on the last day of the month.
   - "From June 2018", "Start in June 2018": starts on the first day of the
     month, with no deadline. "From end of June 2018" starts on the last day.
     "From June 2018 to March 2019" also has a deadline, 31/03/2019.
   - "during 2017/18", "in 2018/19", "by end 2018/19", "by 2018/19": due on
     31 March at the end of that financial year ("2017-18" and "2017/2018"
     are the same year).
   - "during 2017", "by end of 2017", "until 2017": due on 31 December 2017.
     "by 2017" on its own is not read as a date: it could be a number
     ("increased by 2017 people").
   - "Q3 2018/19", "Quarter 2 2018/19", "by end of Q3 2018/19": due at the end
     of that quarter of the financial year (Q1 ends 30 June, Q2 30 September,
     Q3 31 December, Q4 31 March).
   - "31/03/2019", "31/3/19", "31-03-2019", "31.03.2019", "31 March 2019",
     "31st March 2019", "2019-03-31", or a date cell: due on that day. Dates
     are read day first, as in the UK.
   - A month or quarter with no year ("By March", "by end of Quarter 2") is
     read inside the plan year (April to December in its first calendar
     year, January to March in its second). Without a plan year it is a
     problem.
5. "from" followed by a number or a year is a starting level, not a start
   date: "increased from 169 in January 2017 to 184 by March 2018" has one
   milestone, due 31/03/2018. Words that are not a date after "by" ("by the
   Customer Programme Board") are not a milestone.
6. ragbook never guesses. A cell with no date phrase at all, a misspelt
   month ("By Marhc 2019"), an impossible date ("31/02/2019"), a season
   ("by Summer 2019"), a quarter with a calendar year ("Q3 2018"), a month
   followed by a stray number ("By March 19"), a note such as "TBC" or "N/A",
   or a bare number (an Excel serial date must be converted before it gets
   here) is a problem, and a cell with a problem has no milestones at all,
   even if other parts of it were understood.

Month names may be full or short (Jan, Feb, Mar, Apr, May, Jun, Jul, Aug,
Sep, Sept, Oct, Nov, Dec, with or without a full stop), in any case. Bullets,
stray full stops, double and non-breaking spaces are ignored.
"""

from __future__ import annotations

import difflib
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import Literal

from ragbook.calendar import FinancialYear, ReportingPeriod, month_end, uk_date
from ragbook.problems import Problem, Severity, problem

MilestoneKind = Literal["due", "start", "ongoing"]

ACCEPTED_FORMS = (
    'a milestone such as "By March 2019", "By end March 2019", "From June 2018", '
    '"Start in June 2018", "Ongoing", "Ongoing until March 2019", "during 2018/19", '
    '"Q3 2018/19", "31/03/2019" or an Excel date'
)
"""What a milestone cell may hold, as said in every milestone problem."""

NOT_UNDERSTOOD = "milestone-not-understood"
BLANK = "milestone-blank"


@dataclass(frozen=True)
class Milestone:
    """One milestone: a deadline, a start, or ongoing work (which may end on a date)."""

    kind: MilestoneKind
    text: str
    due: date | None = None
    start: date | None = None


@dataclass(frozen=True)
class MilestoneReading:
    """What a milestone cell says: its milestones, or the problem that stops it being read."""

    text: str
    milestones: tuple[Milestone, ...] = ()
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        """True unless the cell could not be read (a blank cell is only a warning)."""
        return self.problem is None or self.problem.severity != "error"

    @cached_property
    def deadlines(self) -> tuple[date, ...]:
        """Every due date, earliest first, each once (an ongoing milestone's end included)."""
        return tuple(sorted({m.due for m in self.milestones if m.due is not None}))

    @cached_property
    def final_due(self) -> date | None:
        """The latest deadline, or None when there is none."""
        deadlines = self.deadlines
        return deadlines[-1] if deadlines else None

    @cached_property
    def start(self) -> date | None:
        """The earliest start date, or None when there is none."""
        starts = [m.start for m in self.milestones if m.start is not None]
        return min(starts) if starts else None

    @property
    def is_ongoing(self) -> bool:
        return any(m.kind == "ongoing" for m in self.milestones)

    def next_due(self, as_of: date) -> date | None:
        """The earliest deadline on or after ``as_of``; once all have passed, the final one."""
        upcoming = [day for day in self.deadlines if day >= as_of]
        return upcoming[0] if upcoming else self.final_due

    def describe(self) -> str:
        """``due 30/09/2018 and 30/04/2019``, ``starts 01/06/2018``, ``ongoing, ends ...``."""
        if not self.ok:
            return "not understood"
        parts = [_describe_ongoing(m) for m in self.milestones if m.kind == "ongoing"]
        starts = sorted({m.start for m in self.milestones if m.start is not None})
        if starts:
            parts.append("starts " + _and_list(uk_date(day) for day in starts))
        dues = sorted({m.due for m in self.milestones if m.kind != "ongoing" and m.due})
        if dues:
            parts.append("due " + _and_list(uk_date(day) for day in dues))
        return "; ".join(parts) if parts else "no milestone"


def _describe_ongoing(milestone: Milestone) -> str:
    return f"ongoing, ends {uk_date(milestone.due)}" if milestone.due else "ongoing"


def _and_list(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# ---------------------------------------------------------------------------
# Reading any cell value

def read_milestone(value: object, *,
                   plan_year: FinancialYear | str | None = None) -> MilestoneReading:
    """Read a milestone cell: text, a date, or blank. Never raises for any ``value``.

    ``plan_year`` places a month or quarter written without a year; it may be
    given as text such as ``"2018/19"``.
    """
    year = _plan_year(plan_year)
    try:
        return _read_value(value, year)
    except Exception:  # a last line of defence: a cell must never stop the rating
        return _unreadable(value, _safe_text(value))


def _plan_year(plan_year: object) -> FinancialYear | None:
    if plan_year is None or isinstance(plan_year, FinancialYear):
        return plan_year
    return FinancialYear.parse(plan_year)


_MISSING_TYPES = frozenset({"NaTType", "NAType"})


def _read_value(value: object, plan_year: FinancialYear | None) -> MilestoneReading:
    if _is_missing(value):
        return _blank()
    if isinstance(value, str):
        return _read_text(value, plan_year)
    if isinstance(value, datetime):
        return _on_day(value.date())
    if isinstance(value, date):
        return _on_day(value)
    if isinstance(value, (bool, numbers.Number)):
        return _unreadable(value, str(value))
    reading = _read_text(str(value), plan_year)
    if reading.problem is not None and reading.problem.severity == "error":
        return _unreadable(value, reading.text)
    return reading


def _is_missing(value: object) -> bool:
    """None, NaN, NaT or pandas NA."""
    if value is None or type(value).__name__ in _MISSING_TYPES:
        return True
    if isinstance(value, numbers.Number) or type(value).__name__ == "datetime64":
        try:
            return bool(value != value)
        except (TypeError, ValueError, ArithmeticError):  # e.g. a signalling Decimal NaN
            return False
    return False


def _blank() -> MilestoneReading:
    return MilestoneReading("", problem=_problem(BLANK, None, "warning"))


def _on_day(day: date) -> MilestoneReading:
    text = uk_date(day)
    return MilestoneReading(text, (Milestone("due", text, due=day),))


def _unreadable(value: object, text: str) -> MilestoneReading:
    return MilestoneReading(text, problem=_problem(NOT_UNDERSTOOD, value, "error"))


def _problem(code: str, value: object, severity: Severity) -> Problem:
    try:
        return problem(code, value, ACCEPTED_FORMS, severity=severity)
    except Exception:  # a value that cannot even be shown
        return problem(code, f"a {type(value).__name__} value", ACCEPTED_FORMS,
                       severity=severity)


def _safe_text(value: object) -> str:
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__}>"


# ---------------------------------------------------------------------------
# Reading text

class _Malformed(Exception):
    """A date phrase that starts like one but cannot be read."""


@lru_cache(maxsize=4096)
def _read_text(text: str, plan_year: FinancialYear | None) -> MilestoneReading:
    tidy = _tidy(text)
    if not tidy:
        return _blank()
    try:
        found = _milestones(tidy, plan_year)
    except _Malformed:
        found = []
    if not found:
        return MilestoneReading(tidy, problem=_problem(NOT_UNDERSTOOD, text, "error"))
    return MilestoneReading(tidy, _unique(found))


_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_SPACES = re.compile(r"[^\S\n]+")
_BULLET = re.compile(r"^[\s\-*•\u2023\u2043\u25aa\u25cf\u25e6\u00b7\uf0a7\uf0b7\uf0d8\uf076]+")
_TRAILING = re.compile(r"[\s.,;:]+$")


def _tidy(text: str) -> str:
    """One clean line per line of the cell: no bullets, single spaces, no trailing stops."""
    text = _ZERO_WIDTH.sub("", text.translate(_DASHES))
    lines = (_SPACES.sub(" ", line) for line in _LINE_BREAK.sub("\n", text).split("\n"))
    tidied = (_TRAILING.sub("", _BULLET.sub("", line)) for line in lines)
    return "\n".join(line for line in tidied if line)


def _unique(found: list[tuple[int, Milestone]]) -> tuple[Milestone, ...]:
    """In the order written, each (kind, due, start) once."""
    seen: set[tuple[str, date | None, date | None]] = set()
    unique = []
    for _, milestone in sorted(found, key=lambda item: item[0]):
        key = (milestone.kind, milestone.due, milestone.start)
        if key not in seen:
            seen.add(key)
            unique.append(milestone)
    return tuple(unique)


_Found = list[tuple[int, Milestone]]
"""Milestones with where their phrase starts, to keep them in the order written."""

_ONGOING = re.compile(r"on[\s\-]?going\b", re.IGNORECASE)
_ONGOING_UNTIL = re.compile(r"[\s,:;\-]*(?:until|till|to|up\s+to|through(?:out)?)\s+",
                            re.IGNORECASE)
_INTRO = re.compile(r"\b(by|until|till|during|from|start(?:s|ing)?\s+in)\b[\s:]+",
                    re.IGNORECASE)
_IN = re.compile(r"in\s+", re.IGNORECASE)
_END = re.compile(r"(?:the\s+)?end(?:\s*-\s*|\s+)(?:of\s+)?", re.IGNORECASE)
_RANGE_TO = re.compile(r"\s*-\s*|\s+to\s+", re.IGNORECASE)
_SEPARATOR = re.compile(r"[;\n&]|,(?!\s*\d{4}\b)|\band\b", re.IGNORECASE)
_GAP = re.compile(r"[\s.,)]*")

_Intro = Literal["by", "until", "till", "during", "from", "start", "in", "bare"]
_INTRO_WORDS: dict[str, _Intro] = {"by": "by", "until": "until", "till": "till",
                                   "during": "during", "from": "from"}
_STARTS: frozenset[_Intro] = frozenset({"from", "start"})


def _milestones(text: str, plan_year: FinancialYear | None) -> _Found:
    found: _Found = []
    rest = 0
    ongoing = _ONGOING.match(text)
    if ongoing:
        milestone, rest = _ongoing(text, ongoing.end(), plan_year)
        found.append((0, milestone))
    found.extend(_introduced(text, rest, plan_year))
    for begin, end in _segments(text, rest):
        found.extend(_standalone(text, begin, end, plan_year))
    return found


def _ongoing(text: str, pos: int, plan_year: FinancialYear | None) -> tuple[Milestone, int]:
    """"Ongoing", or "Ongoing until <date>"; and where the rest of the cell begins."""
    until = _ONGOING_UNTIL.match(text, pos)
    found = _when_after(text, until.end(), plan_year) if until else None
    if found is not None:
        when, at_end = found
        day = _due_day(when, "until", at_end)
        if day is not None:
            return Milestone("ongoing", _phrase(text, 0, when.end), due=day), when.end
    return Milestone("ongoing", _phrase(text, 0, pos)), pos


def _introduced(text: str, pos: int, plan_year: FinancialYear | None) -> _Found:
    """Every date phrase that follows "by", "until", "during", "from" or "start in"."""
    found: _Found = []
    for intro in _INTRO.finditer(text, pos):
        word = intro.group(1).lower()
        kind: _Intro = "start" if word.startswith("start") else _INTRO_WORDS[word]
        found.extend(_phrase_at(text, intro.start(), intro.end(), kind, plan_year))
    return found


def _phrase_at(text: str, begin: int, pos: int, intro: _Intro,
               plan_year: FinancialYear | None) -> _Found:
    when_end = _when_after(text, pos, plan_year)
    if when_end is None:
        return []
    when, at_end = when_end
    if intro not in _STARTS:
        day = _due_day(when, intro, at_end)
        return [] if day is None else [(begin, Milestone("due", _phrase(text, begin, when.end),
                                                         due=day))]
    start = _start_day(when, intro, at_end)
    if start is None:
        return []
    return _with_range_end(text, begin, when.end, start, plan_year)


def _with_range_end(text: str, begin: int, end: int, start: date,
                    plan_year: FinancialYear | None) -> _Found:
    """A start, and the deadline of "From June 2018 to March 2019" when there is one."""
    to = _RANGE_TO.match(text, end)
    until = _when_after(text, to.end(), plan_year) if to else None
    due = _due_day(until[0], "until", until[1]) if until else None
    if until is None or due is None:
        return [(begin, Milestone("start", _phrase(text, begin, end), start=start))]
    phrase = _phrase(text, begin, until[0].end)
    return [(begin, Milestone("start", phrase, start=start)),
            (begin, Milestone("due", phrase, due=due))]


def _segments(text: str, pos: int) -> list[tuple[int, int]]:
    """The parts of the cell between separators (";", ",", "and", "&", new lines)."""
    spans = []
    for separator in _SEPARATOR.finditer(text, pos):
        spans.append((pos, separator.start()))
        pos = separator.end()
    spans.append((pos, len(text)))
    return spans


def _standalone(text: str, begin: int, end: int, plan_year: FinancialYear | None) -> _Found:
    """Dates making up a whole part of the cell ("31/03/2019", "Q3 2018/19", "In 2018/19")."""
    pos = begin + len(text[begin:end]) - len(text[begin:end].lstrip())
    if pos >= end or _INTRO.match(text, pos) or not _date_shaped(text[pos:end]):
        return []
    intro: _Intro = "bare"
    phrase_begin = pos
    within = _IN.match(text, pos)
    if within:
        intro, pos = "in", within.end()
    found: _Found = []
    while pos < end:
        when_end = _when_after(text, pos, plan_year)
        if when_end is None:
            return []
        when, at_end = when_end
        day = _due_day(when, intro, at_end)
        if day is None:
            return []
        found.append((phrase_begin, Milestone("due", _phrase(text, phrase_begin, when.end),
                                              due=day)))
        gap = _GAP.match(text, when.end)
        pos = phrase_begin = gap.end() if gap else when.end
    return found


def _date_shaped(part: str) -> bool:
    """Whether every word in a part of the cell could belong to a date ("Marhc" could)."""
    return all(word in _DATE_WORDS or _close_to_month(word, 0.7)
               for word in _LETTERS.findall(part.lower()))


def _phrase(text: str, begin: int, end: int) -> str:
    return " ".join(text[begin:end].split())


# ---------------------------------------------------------------------------
# Dates: what a phrase names, before it is given a meaning

_Span = Literal["day", "month", "quarter", "financial year", "year"]


@dataclass(frozen=True)
class _When:
    """The days a date expression names, and where it ends in the text."""

    first: date
    last: date
    span: _Span
    end: int


def _due_day(when: _When, intro: _Intro, at_end: bool) -> date | None:
    if when.span == "year" and intro in {"by", "bare"} and not at_end:
        return None  # "by 2019" may be a number
    return when.last


def _start_day(when: _When, intro: _Intro, at_end: bool) -> date | None:
    if intro == "from" and when.span in {"year", "financial year"}:
        return None  # "from 2016/17" is a starting level
    return when.last if at_end else when.first


def _when_after(text: str, pos: int, plan_year: FinancialYear | None
                ) -> tuple[_When, bool] | None:
    """The date at ``pos``, after an optional "end of"; and whether "end" was said."""
    end = _END.match(text, pos)
    when = _when(text, end.end() if end else pos, plan_year)
    return None if when is None else (when, end is not None)


def _when(text: str, pos: int, plan_year: FinancialYear | None) -> _When | None:
    """The date expression starting at ``pos``: None when there is none, or ``_Malformed``."""
    for reader in _READERS:
        when = reader(text, pos, plan_year)
        if when is not None:
            return when
    return None


_TAIL = r"(?!\d|[/.\-]\d)"
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
                  r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
                  + _TAIL + r"(?!:)")
_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + _TAIL)
_DATE_LIKE = re.compile(r"\d{1,4}[/.\-]\d{1,4}[/.\-]\d{1,4}(?!\d)")
_DAY_WORD = re.compile(r"(\d{1,2})(?!\d)(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\b(\.)?",
                       re.IGNORECASE)
_WORD = re.compile(r"([a-z]+)\b(\.)?", re.IGNORECASE)
_NUMBER_AFTER = re.compile(r",?\s+(\d+)(?![\d%])([/\-]\d)?")
_QUARTER = re.compile(r"(?:q|quarter\s*)(\d+)(?![\d%])", re.IGNORECASE)
_QUARTER_YEAR = re.compile(r"[\s,\-]+(?:of\s+)?")
_FINANCIAL_YEAR = re.compile(r"(?:fy\s*)?(\d{4}|\d{2})\s*[/\-]\s*(\d{4}|\d{2})(?!\d|[/\-]\d|%)",
                             re.IGNORECASE)
_CALENDAR_YEAR = re.compile(r"(\d{4})(?!\d|[/\-.,]\d|%)")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")),
        start=1)
    for name in names
}
_ABBREVIATIONS = frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                            "oct", "nov", "dec"})
_VAGUE = frozenset({"spring", "summer", "autumn", "fall", "winter", "christmas", "xmas",
                    "easter", "mid", "early", "late", "beginning", "middle", "start"})
_FIRST_YEAR, _LAST_YEAR = 1900, 2099
_LETTERS = re.compile(r"[a-z]+")
_DATE_WORDS = frozenset(_MONTHS) | _VAGUE | {
    "in", "end", "the", "of", "q", "quarter", "fy", "st", "nd", "rd", "th", "t", "z"}


def _iso(text: str, pos: int, plan_year: FinancialYear | None) -> _When | None:
    match = _ISO.match(text, pos)
    if not match:
        return None
    day = _valid_day(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    return _When(day, day, "day", match.end())


def _numeric(text: str, pos: int, plan_year: FinancialYear | None) -> _When | None:
    """``31/03/2019``, ``31/3/19``, ``31-03-2019``, ``31.03.2019``: day first."""
    match = _NUMERIC.match(text, pos)
    if not match:
        if _DATE_LIKE.match(text, pos):
            raise _Malformed
        return None
    year = int(match.group(4))
    day = _valid_day(year + 2000 if year < 100 else year, int(match.group(3)),
                     int(match.group(1)))
    return _When(day, day, "day", match.end())


def _day_month(text: str, pos: int, plan_year: FinancialYear | None) -> _When | None:
    """``31 March 2019``, ``31st Mar 2019``, ``31 March`` (in the plan year)."""
    match = _DAY_WORD.match(text, pos)
    if not match:
        return None
    month, end = _month_word(text, match)
    if month is None:
        return None
    year, end = _year_after(text, end, month, plan_year)
    day = _valid_day(year, month, int(match.group(1)))
    return _When(day, day, "day", end)


def _month(text: str, pos: int, plan_year: FinancialYear | None) -> _When | None:
    """``March 2019``, ``Sept. 2018``, ``March`` (in the plan year)."""
    match = _WORD.match(text, pos)
    if not match:
        return None
    month, end = _month_word(text, match)
    if month is None:
        return None
    year, end = _year_after(text, end, month, plan_year)
    last = month_end(year, month)
    return _When(last.replace(day=1), last, "month", end)


def _quarter(text: str, pos: int, plan_year: FinancialYear | None) -> _When | None:
    """``Q3 2018/19``, ``Quarter 2 of 2018/19``, ``Q3`` (in the plan year)."""
    match = _QUARTER.match(text, pos)
    if not match:
        return None
    quarter, end = int(match.group(1)), match.end()
    if not 1 <= quarter <= 4:
        raise _Malformed
    gap = _QUARTER_YEAR.match(text, end)
    named = _financial_year_at(text, gap.end()) if gap else None
    if named is not None:
        year, end = named
    elif gap and text[gap.end():gap.end() + 1].isdigit():
        raise _Malformed  # "Q3 2018": a calendar year is not a financial year
    elif plan_year is not None:
        year = plan_year
    else:
        raise _Malformed
    period = ReportingPeriod(year, quarter)
    return _When(period.start, period.end, "quarter", end)


def _financial_year(text: str, pos: int, plan_year: FinancialYear | None) -> _When | None:
    """``2017/18``, ``2017-18``, ``2017/2018``, ``FY 17/18``."""
    named = _financial_year_at(text, pos)
    if named is None:
        return None
    year, end = named
    return _When(year.start, year.end, "financial year", end)


def _calendar_year(text: str, pos: int, plan_year: FinancialYear | None) -> _When | None:
    match = _CALENDAR_YEAR.match(text, pos)
    if not match or not _FIRST_YEAR <= int(match.group(1)) <= _LAST_YEAR:
        return None
    year = int(match.group(1))
    return _When(date(year, 1, 1), date(year, 12, 31), "year", match.end())


_READERS = (_iso, _numeric, _day_month, _quarter, _financial_year, _calendar_year, _month)


def _financial_year_at(text: str, pos: int) -> tuple[FinancialYear, int] | None:
    match = _FINANCIAL_YEAR.match(text, pos)
    if not match:
        return None
    first, second = match.group(1), match.group(2)
    if len(first) == 2:  # "18/19" is a year only when the two follow on; "50/50" is not
        if len(second) == 2 and int(second) == (int(first) + 1) % 100:
            return FinancialYear(2000 + int(first)), match.end()
        return None
    start = int(first)
    following = (start + 1) % 100 if len(second) == 2 else start + 1
    if int(second) != following or not _FIRST_YEAR <= start <= _LAST_YEAR:
        raise _Malformed
    return FinancialYear(start), match.end()


def _month_word(text: str, match: re.Match[str]) -> tuple[int | None, int]:
    """The month a matched word names and where it ends; ``_Malformed`` for a near miss."""
    word_group = match.re.groups - 1  # the word, then an optional full stop
    word, stop = match.group(word_group), match.group(match.re.groups)
    month = _MONTHS.get(word.lower())
    if month is None:
        _reject_near_month(text, match.end(word_group), word)
        return None, match.end(word_group)
    abbreviated = stop is not None and word.lower() in _ABBREVIATIONS
    return month, match.end() if abbreviated else match.end(word_group)


def _reject_near_month(text: str, end: int, word: str) -> None:
    """Raise for a word meant as a month ("Marhc 2019", "Summer 2019", "Septmber")."""
    lowered = word.lower()
    number = _NUMBER_AFTER.match(text, end)
    if number and len(number.group(1)) == 4:
        if lowered in _VAGUE or _close_to_month(lowered, 0.7):
            raise _Malformed
        return
    cut_short = any(name.startswith(lowered) for name in _MONTHS)  # "Marc" may be a name
    if len(lowered) >= 4 and not cut_short and _close_to_month(lowered, 0.8):
        raise _Malformed


@lru_cache(maxsize=1024)
def _close_to_month(word: str, cutoff: float) -> bool:
    return bool(difflib.get_close_matches(word, _MONTHS, n=1, cutoff=cutoff))


def _year_after(text: str, end: int, month: int, plan_year: FinancialYear | None
                ) -> tuple[int, int]:
    """The year written after a month (and where it ends), or the plan year's."""
    number = _NUMBER_AFTER.match(text, end)
    if number:
        digits = number.group(1)
        if len(digits) != 4 or number.group(2) or not _FIRST_YEAR <= int(digits) <= _LAST_YEAR:
            raise _Malformed  # "March 19", "March 2019/20", "March 3019"
        return int(digits), number.end(1)
    if plan_year is None:
        raise _Malformed  # no year, and no plan year to place it in
    return plan_year.month_end(month).year, end


def _valid_day(year: int, month: int, day: int) -> date:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise _Malformed
    try:
        return date(year, month, day)
    except ValueError:
        raise _Malformed from None
