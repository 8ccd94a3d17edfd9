"""Where a measure's run of figures comes from, for its Making Data Count icons.

A measure's series is its History rows (the quarters roll-forward kept) plus this quarter's
actual. A measure listed in the optional Series table (Ref, Period, Value) is charted from
those rows alone: monthly figures (a date in Period) or quarterly ones (``Q1 2018/19``).

Periods are put in order and a period with no figure between the first and the last is a
gap (``None``), never a zero. A Series row whose period cannot be read is a problem at its
cell; History is ragbook's own table, so a row it cannot use is passed over.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ragbook.calendar import FinancialYear, ReportingPeriod, parse_quarter, read_date
from ragbook.numbers import NotANumber, read_number
from ragbook.problems import Problem, problem
from ragbook.ratings import fold, is_blank

_QUARTER_LABEL = re.compile(r"^\s*(Q[1-4]|Quarter\s*[1-4])\s+(\d{4}\s*[/-]\s*\d{2,4})\s*$",
                            re.IGNORECASE)
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
PERIOD_EXPECTED = "a month, as a date such as 01/04/2018, or a quarter such as Q1 2018/19"


@dataclass(frozen=True)
class Series:
    """A measure's figures in period order, with a gap (None) for each missing period."""

    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    source: str
    """``History`` or ``Series``."""


def _quarter_number(period: ReportingPeriod) -> int:
    return period.year.start_year * 4 + period.quarter - 1


def _quarter_label(number: int) -> str:
    year, quarter = divmod(number, 4)
    return f"Q{quarter + 1} {year}/{(year + 1) % 100:02d}"


def _month_label(number: int) -> str:
    year, month = divmod(number, 12)
    return date(year, month + 1, 1).strftime("%b %Y")


def read_period(value: object) -> tuple[str, int] | None:
    """``("Q", n)`` for a quarter, ``("M", n)`` for a month (numbered so that the next
    period is n + 1); None when it is neither."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        match = _QUARTER_LABEL.match(value)
        if match:
            try:
                year = FinancialYear.parse(re.sub(r"\s+", "", match.group(2)))
                quarter = parse_quarter(match.group(1))
            except ValueError:
                return None
            return "Q", _quarter_number(ReportingPeriod(year, quarter))
        match = _MONTH.match(value)
        if match and 1 <= int(match.group(2)) <= 12:
            return "M", int(match.group(1)) * 12 + int(match.group(2)) - 1
    day = read_date(value)
    if day is not None:
        return "M", day.year * 12 + day.month - 1
    return None


def _number(value: object) -> float | None:
    try:
        number = read_number(value)
    except NotANumber:
        return None
    return None if number is None or math.isnan(number) else number


def _in_order(kind: str, figures: dict[int, float | None], source: str) -> Series:
    first, last = min(figures), max(figures)
    label = _quarter_label if kind == "Q" else _month_label
    numbers = range(first, last + 1)
    return Series(tuple(label(n) for n in numbers), tuple(figures.get(n) for n in numbers),
                  source)


def _from_series_table(frame: pd.DataFrame | None, problems: list[Problem]
                       ) -> dict[str, Series]:
    if frame is None or frame.empty or not {"Ref", "Period", "Value"} <= set(frame.columns):
        return {}
    by_ref: dict[str, tuple[str, dict[int, float | None]]] = {}
    for row, ref, period, value in zip(frame.index, frame["Ref"], frame["Period"],
                                       frame["Value"], strict=True):
        if is_blank(ref):
            continue
        key = str(ref).strip()
        found = read_period(period)
        if found is None:
            problems.append(problem("bad-period", period, PERIOD_EXPECTED, row=row,
                                    column="Period", severity="warning"))
            continue
        kind, number = found
        known = by_ref.setdefault(key, (kind, {}))
        if known[0] != kind:
            problems.append(problem(
                "mixed-periods", period, "the same kind of period on every row of one "
                f"measure: {key} has both months and quarters", row=row, column="Period",
                severity="warning"))
            continue
        known[1][number] = _number(value)
    return {ref: _in_order(kind, figures, "Series") for ref, (kind, figures) in by_ref.items()
            if figures}


def _from_history(history: pd.DataFrame | None) -> dict[str, dict[int, float | None]]:
    if history is None or history.empty or not {"Period", "Kind", "Ref", "Actual"} <= set(
            history.columns):
        return {}
    found: dict[str, dict[int, float | None]] = {}
    for period, kind, ref, actual in zip(history["Period"], history["Kind"], history["Ref"],
                                         history["Actual"], strict=True):
        if is_blank(ref) or fold(kind) != "measure":
            continue
        when = read_period(period)
        if when is None or when[0] != "Q":
            continue
        found.setdefault(str(ref).strip(), {})[when[1]] = _number(actual)
    return found


def measure_series(refs: list[object], actuals: list[float | None],
                   period: ReportingPeriod, history: pd.DataFrame | None,
                   series: pd.DataFrame | None, problems: list[Problem]) -> list[Series | None]:
    """Each measure's series, in the order of ``refs`` (None for a measure with no
    figures at all). ``actuals`` are this quarter's, as the rating read them."""
    listed = _from_series_table(series, problems)
    past = _from_history(history)
    now = _quarter_number(period)
    out: list[Series | None] = []
    for ref, actual in zip(refs, actuals, strict=True):
        key = "" if is_blank(ref) else str(ref).strip()
        if key in listed:
            out.append(listed[key])
            continue
        figures = {n: v for n, v in past.get(key, {}).items() if n < now}
        figures[now] = None if actual is None or math.isnan(actual) else actual
        if all(v is None for v in figures.values()):
            out.append(None)
            continue
        out.append(_in_order("Q", figures, "History"))
    return out
