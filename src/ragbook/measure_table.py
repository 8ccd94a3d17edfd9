"""Rating a whole table of measures at once.

The same rules as :func:`ragbook.measures.rate_measure`, written with numpy so a
plan of any size is rated in one pass. Each bad cell becomes a problem tied to
its row and column; the other rows are rated as usual.

Choice columns (Polarity, Tolerance, ...) may be plain text or pandas
categoricals; categoricals are read once per category, which is what makes
very large frames fast.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ragbook import choices as c
from ragbook import schema
from ragbook.calendar import ReportingPeriod
from ragbook.direction import measure_direction
from ragbook.measure_rules import EXPECTED
from ragbook.measures import (
    BLOCKED,
    EPSILON,
    MET,
    NO_ACTUAL,
    NOT_DUE,
    NOT_RATED,
    OVER_AMBER,
    OVER_RED,
    WITHIN_AMBER,
    range_text,
    rating_reason,
    target_label,
    threshold_text,
    with_override,
)
from ragbook.numbers import (
    ACTUAL_EXPECTED,
    NOT_DUE_WORDS,
    NUMBER_EXPECTED,
    THRESHOLD_EXPECTED,
    NotANumber,
    read_number,
)
from ragbook.percent_slips import (
    RATING_FIGURES,
    TRAVEL_FIGURES,
    fraction_expected,
    fraction_slips,
)
from ragbook.problems import Problem, Shown, problem
from ragbook.ratings import (
    AMBER,
    DECLINING,
    DEFAULT_AMBER,
    DEFAULT_RED,
    GREEN,
    IMPROVING,
    NO_DATA,
    NOT_APPLICABLE,
    RATING_CHOICES,
    RED,
    SUSTAINED,
    fold,
    is_blank,
    read_rating,
)
from ragbook.tables import Columns, Ratings, blank_mask

MEASURE_INPUTS = tuple(column.name for column in schema.MEASURES.inputs)
"""The Measures table's officer columns (the workbook schema is the one list)."""
REQUIRED = ("Polarity", "Target", "Actual")

# Ratings, reasons, arrows and choices as small integers while the table is worked on: each
# name below is a position in the tuple beside it, so no bare number stands for a choice.
_RAGS = np.array([RED, AMBER, GREEN, NO_DATA, NOT_APPLICABLE, NOT_RATED], dtype=object)
R_, A_, G_, NODATA_, NA_, UNRATED_ = range(6)
_REASONS = np.array([MET, WITHIN_AMBER, OVER_AMBER, OVER_RED, NO_ACTUAL, NOT_DUE, BLOCKED],
                    dtype=object)
MET_, WITHIN_AMBER_, OVER_AMBER_, OVER_RED_, NO_ACTUAL_, NOT_DUE_, BLOCKED_ = range(7)
_ARROWS = np.array([IMPROVING, SUSTAINED, DECLINING, NOT_APPLICABLE], dtype=object)
IMPROVING_, SUSTAINED_, DECLINING_, NO_ARROW_ = range(4)
HIGHER_, LOWER_, RANGE_ = (c.POLARITY.at(o) for o in (c.HIGHER, c.LOWER, c.RANGE))
RELATIVE_, ABSOLUTE_ = (c.TOLERANCE.at(o) for o in (c.RELATIVE, c.ABSOLUTE))
PER_QUARTER_, YEAR_TO_DATE_ = (c.TARGET_PROFILE.at(o) for o in (c.PER_QUARTER,
                                                                c.YEAR_TO_DATE))
WHOLE_YEAR_ = c.TARGET_PROFILE.at(c.WHOLE_YEAR)
LAST_YEAR_ = c.COMPARE_WITH.at(c.SAME_QUARTER_LAST_YEAR)
NOT_UNDERSTOOD = -1
_OVERRIDE_CODES = {RED: R_, AMBER: A_, GREEN: G_}
_NON_BLOCKING = {"Override RAG", "Override reason", "Compare with", "Previous actual",
                 "Last year actual", "Change band"}


class _Table:
    """One pass over a measures frame: parsed columns and the problems found."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.columns = Columns(frame, MEASURE_INPUTS)
        self.index = frame.index
        self.size = len(frame)
        self.problems: list[Problem] = []
        self.blocked = np.zeros(self.size, dtype=bool)

    def _flag(self, mask: np.ndarray, code: str, values: object,
              expected: str | Callable[[int], str], column: str) -> None:
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        if column not in _NON_BLOCKING:
            self.blocked |= mask
        found = values if isinstance(values, np.ndarray) else None
        label = self.columns.label(column)
        for row in rows:
            value = values(row) if callable(values) else found[row] if found is not None else values
            wanted = expected(int(row)) if callable(expected) else expected
            self.problems.append(problem(code, value, wanted, row=self.index[int(row)],
                                         column=label))

    def choice(self, choice: c.Choice) -> np.ndarray:
        """Codes into ``choice.options`` (-1 where not understood)."""
        series = self.columns.get(choice.column)
        default = -1 if choice.default is None else choice.options.index(choice.default)
        if series is None:
            return np.full(self.size, default, dtype=np.int64)
        lookup = {option: i for i, option in enumerate(choice.options)}
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()
            uniques = series.cat.categories
        else:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
        # Code -1 (a missing value) picks the last entry: the default.
        table = np.array([lookup.get(choice.read(u) or "", -1) for u in uniques] + [default],
                         dtype=np.int64)
        result = table[codes]
        bad = result < 0
        if bad.any():
            raw = series.to_numpy(dtype=object)
            blank = blank_mask(series)
            self._flag(bad & blank, "blank-choice", raw, choice.expected, choice.column)
            self._flag(bad & ~blank, "unknown-choice", raw, choice.expected, choice.column)
        return result

    def blank(self, column: str) -> np.ndarray:
        """True where the column's cell is empty (everywhere when there is no such column)."""
        series = self.columns.get(column)
        return np.ones(self.size, dtype=bool) if series is None else blank_mask(series)

    def numbers(self, column: str, not_due: bool = False, expected: str = NUMBER_EXPECTED,
                fraction: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Floats (NaN where blank or bad), and for Actual where it says n/a."""
        series = self.columns.get(column)
        nowhere = np.zeros(self.size, dtype=bool)
        if series is None:
            return np.full(self.size, np.nan), nowhere
        if series.dtype.kind in "fiu":
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            infinite = np.isinf(values)
            if infinite.any():
                self._flag(infinite, "not-a-number", values, expected, column)
                values = np.where(infinite, np.nan, values)
            return values, nowhere
        raw = series.to_numpy(dtype=object)
        values = np.full(self.size, np.nan)
        marked = nowhere.copy()
        bad = nowhere.copy()
        for i, cell in enumerate(raw):
            if not_due and isinstance(cell, str) and fold(cell) in NOT_DUE_WORDS:
                marked[i] = True
                continue
            try:
                number = read_number(cell, fraction=fraction)
            except NotANumber:
                bad[i] = True
                continue
            if number is not None:
                values[i] = number
        self._flag(bad, "not-a-number", raw, expected, column)
        return values, marked

    def texts(self, column: str) -> np.ndarray:
        series = self.columns.get(column)
        if series is None:
            return np.full(self.size, "", dtype=object)
        return series.to_numpy(dtype=object)


def rate_measures(
    frame: pd.DataFrame,
    *,
    period: ReportingPeriod | None = None,
    amber: float = DEFAULT_AMBER,
    red: float = DEFAULT_RED,
    explain: bool = True,
) -> Ratings:
    """Rate every measure in a frame whose columns are the Measures table's.

    Returns the frame's index with ``RAG``, ``Computed RAG``, ``Direction``,
    ``Shortfall`` and ``Compared with``, plus ``Why`` (rating and direction
    reasons) when ``explain`` is true, and the problems found.
    """
    t = _Table(frame)
    t.problems.extend(t.columns.missing(REQUIRED, "the measures table"))
    if any(p.code == "missing-column" for p in t.problems):
        t.blocked[:] = True

    pol = t.choice(c.POLARITY) if t.columns.has("Polarity") else np.full(t.size, NOT_UNDERSTOOD)
    tol = np.maximum(t.choice(c.TOLERANCE), RELATIVE_)  # not understood: reported, Relative
    profile = t.choice(c.TARGET_PROFILE)
    actual, not_due = t.numbers("Actual", not_due=True, expected=ACTUAL_EXPECTED)
    target, _ = t.numbers("Target")
    quarter_target, _ = t.numbers("Quarter target")
    low, _ = t.numbers("Range low")
    high, _ = t.numbers("Range high")
    percent = _percent(t)
    figures = {"Actual": actual, "Target": target, "Quarter target": quarter_target,
               "Range low": low, "Range high": high}
    figures = _fraction_slips(t, figures, percent, RATING_FIGURES, RATING_FIGURES)
    actual, target, quarter_target, low, high = (figures[name] for name in RATING_FIGURES)
    amber_at = _thresholds(t, "Amber threshold", tol, amber)
    red_at = _thresholds(t, "Red threshold", tol, red)
    relative = tol == RELATIVE_

    compared = _compared(t, pol, relative, profile, target, quarter_target, low, high, period)
    typed = ~(t.blank("Amber threshold") & t.blank("Red threshold"))  # else Settings' problem
    upside = typed & ~np.isnan(amber_at) & ~np.isnan(red_at) & (amber_at > red_at)
    units = t.texts("Unit")
    t._flag(upside, "amber-above-red",
            lambda i: Shown(threshold_text(float(amber_at[i]), c.TOLERANCE.options[tol[i]],
                                            "" if is_blank(units[i]) else str(units[i]).strip())),
            EXPECTED["amber-above-red"], "Amber threshold")
    amber_at = np.where(np.isnan(amber_at), amber, amber_at)
    red_at = np.where(np.isnan(red_at), red, red_at)

    short, basis, side = _shortfalls(pol, actual, compared, low, high)
    scale = np.where(relative & (short > 0), np.abs(basis), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        short = short / np.where(scale == 0, np.nan, scale)

    reason = np.select(
        [not_due, t.blocked, np.isnan(actual), short <= 0,
         short <= amber_at + EPSILON * np.maximum(1.0, np.abs(amber_at)),
         short <= red_at + EPSILON * np.maximum(1.0, np.abs(red_at))],
        [NOT_DUE_, BLOCKED_, NO_ACTUAL_, MET_, WITHIN_AMBER_, OVER_AMBER_], default=OVER_RED_)
    computed = np.array([G_, G_, A_, R_, NODATA_, NA_, UNRATED_])[reason]  # by reason
    final = _overrides(t, computed)
    arrows, travel = _directions(t, pol, relative, figures, percent)

    table = pd.DataFrame({
        "RAG": _RAGS[final], "Computed RAG": _RAGS[computed], "Direction": _ARROWS[arrows],
        "Shortfall": np.where(reason <= OVER_RED_, short, np.nan),
        "Compared with": np.where(reason <= OVER_RED_, basis, np.nan),
        # The figures as read (a percentage slip fixed), for the measure's run of figures.
        "Actual figure": np.where(not_due, np.nan, actual),
        "Target figure": np.where(pol == RANGE_, np.nan, compared),
        "Range low figure": low, "Range high figure": high,
    }, index=frame.index)
    if explain:
        _explain(t, table, _Facts(reason, side, pol, tol, profile, actual, low, high,
                                  quarter_target, amber_at, red_at, *travel), period)
    return Ratings(table, t.problems)


def _thresholds(t: _Table, column: str, tol: np.ndarray, default: float) -> np.ndarray:
    values, _ = t.numbers(column, expected=THRESHOLD_EXPECTED, fraction=True)
    raw = t.texts(column)
    missing = np.isnan(values)
    t._flag(missing & (tol == ABSOLUTE_), "absolute-needs-thresholds", raw,
            EXPECTED["absolute-needs-thresholds"], column)
    negative = values < 0
    t._flag(negative, "negative-threshold", raw, EXPECTED["negative-threshold"], column)
    too_big = (tol == RELATIVE_) & (values > 1)
    t._flag(too_big, "threshold-not-a-fraction", raw,
            EXPECTED["threshold-not-a-fraction"], column)
    values = np.where(missing & (tol != ABSOLUTE_), default, values)
    return np.where(negative | too_big, np.nan, values)


def _compared(t: _Table, pol: np.ndarray, relative: np.ndarray, profile: np.ndarray,
              target: np.ndarray, quarter_target: np.ndarray, low: np.ndarray,
              high: np.ndarray, period: ReportingPeriod | None) -> np.ndarray:
    is_range = pol == RANGE_
    t._flag(is_range & np.isnan(low) & np.isnan(high), "range-without-bounds", None,
            EXPECTED["range-without-bounds"], "Range low")
    t._flag(is_range & (low > high), "range-upside-down", low,
            EXPECTED["range-upside-down"], "Range low")
    t._flag(is_range & relative & (low == 0), "zero-bound-relative", low,
            EXPECTED["zero-bound-relative"],
            "Range low")
    t._flag(is_range & relative & (low != 0) & (high == 0), "zero-bound-relative", high,
            EXPECTED["zero-bound-relative"],
            "Range high")
    other = ~is_range
    has_quarter = ~np.isnan(quarter_target)
    blank = other & ~has_quarter & np.isnan(target)
    t._flag(blank & (pol != NOT_UNDERSTOOD) & t.blank("Target"), "blank-target", None,
            EXPECTED["blank-target"], "Target")
    profiled = other & ~has_quarter & ~np.isnan(target) & (profile > WHOLE_YEAR_)
    if period is None:
        t._flag(profiled, "profile-needs-quarter", t.texts("Target profile"),
                EXPECTED["profile-needs-quarter"],
                "Target profile")
    quarter = period.quarter if period else 4
    scale = np.select([profile == PER_QUARTER_, profile == YEAR_TO_DATE_], [0.25, quarter / 4],
                      default=1.0)
    compared = np.where(has_quarter, quarter_target, target * scale)
    checkable = other & ~blank & ~(profiled & (period is None))
    zero = checkable & relative & (compared == 0)
    t._flag(zero & has_quarter, "zero-target-relative", 0,
            EXPECTED["zero-target-relative"],
            "Quarter target")
    t._flag(zero & ~has_quarter, "zero-target-relative", 0,
            EXPECTED["zero-target-relative"],
            "Target")
    return np.where(is_range, 0.0, compared)


def _shortfalls(pol: np.ndarray, actual: np.ndarray, compared: np.ndarray, low: np.ndarray,
                high: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shortfall in the measure's unit, the figure compared with, and which side (code)."""
    below = np.nan_to_num(low - actual, nan=0.0).clip(min=0)
    above = np.nan_to_num(actual - high, nan=0.0).clip(min=0)
    near_low = np.isnan(high) | (~np.isnan(low) & (actual - low <= high - actual))
    range_basis = np.where(below > 0, low, np.where(above > 0, high,
                                                    np.where(near_low, low, high)))
    short = np.select([pol == HIGHER_, pol == LOWER_, pol == RANGE_],
                      [np.maximum(compared - actual, 0.0), np.maximum(actual - compared, 0.0),
                       below + above], default=np.nan)
    basis = np.where(pol == RANGE_, range_basis, compared)
    side = np.select([pol == HIGHER_, pol == LOWER_, below > 0, above > 0],
                     [SHORT_, OVER_, BELOW_, ABOVE_], default=INSIDE_)
    return short, basis, side


def _overrides(t: _Table, computed: np.ndarray) -> np.ndarray:
    series = t.columns.get("Override RAG")
    if series is None:
        return computed
    present = ~blank_mask(series)
    if not present.any():
        return computed
    raw = series.to_numpy(dtype=object)
    reasons = t.columns.get("Override reason")
    reason_blank = blank_mask(reasons) if reasons is not None else np.ones(t.size, bool)
    final = computed.copy()
    unknown = np.zeros(t.size, dtype=bool)
    for i in np.flatnonzero(present):
        code = _OVERRIDE_CODES.get(read_rating(raw[i]) or "")
        if code is None:
            unknown[i] = True
        elif not reason_blank[i] and computed[i] != UNRATED_:
            final[i] = code
    t._flag(unknown, "unknown-override", raw, RATING_CHOICES, "Override RAG")
    t._flag(present & ~unknown & reason_blank, "override-without-reason",
            None if reasons is None else reasons.to_numpy(dtype=object),
            EXPECTED["override-without-reason"], "Override reason")
    return final


def _percent(t: _Table) -> np.ndarray:
    """True for the measures whose Unit is %."""
    return np.array([isinstance(u, str) and u.strip() == "%" for u in t.texts("Unit")],
                    dtype=bool)


def _fraction_slips(t: _Table, figures: dict[str, np.ndarray], percent: np.ndarray,
                    among: tuple[str, ...], check: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Report each figure that is plainly a fraction typed for a percentage (0.85 for 85), and
    leave it out (a figure so read would give a false rating or arrow): the figures without
    them."""
    figures = dict(figures)
    if not percent.any():
        return figures
    for name, slipped in fraction_slips(figures, percent, among, check).items():
        if not slipped.any():
            continue
        values = figures[name].copy()
        others = [o for o in among if o != name and o in figures]

        def expected(i: int, values: np.ndarray = values, others: list[str] = others) -> str:
            return fraction_expected(float(values[i]), {o: float(figures[o][i]) for o in others})

        t._flag(slipped, "fraction-in-percentage", values, expected, name)
        figures[name] = np.where(slipped, np.nan, values)
    return figures


def _directions(t: _Table, pol: np.ndarray, relative: np.ndarray,
                figures: dict[str, np.ndarray], percent: np.ndarray
                ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Arrow codes, and (compare-with codes, the value compared with, the band) for the
    explanations."""
    actual, low, high = figures["Actual"], figures["Range low"], figures["Range high"]
    compare = t.choice(c.COMPARE_WITH)
    previous, _ = t.numbers("Previous actual")
    last_year, _ = t.numbers("Last year actual")
    travel = _fraction_slips(t, {**figures, "Previous actual": previous,
                                 "Last year actual": last_year},
                             percent, RATING_FIGURES + TRAVEL_FIGURES, TRAVEL_FIGURES)
    previous, last_year = travel["Previous actual"], travel["Last year actual"]
    band, _ = t.numbers("Change band")
    t._flag(band < 0, "negative-band", band, EXPECTED["negative-band"], "Change band")
    band = np.where(np.isnan(band) | (band < 0), 0.0, band)
    before = np.where(compare == LAST_YEAR_, last_year, previous)

    def outside(values: np.ndarray) -> np.ndarray:
        return (np.nan_to_num(low - values, nan=0.0).clip(min=0)
                + np.nan_to_num(values - high, nan=0.0).clip(min=0))

    gain = np.select([pol == HIGHER_, pol == LOWER_, pol == RANGE_],
                     [actual - before, before - actual, outside(before) - outside(actual)],
                     default=np.nan)
    move = np.where(pol == RANGE_, np.abs(gain), np.abs(actual - before))
    use_relative = relative & (before != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(use_relative, move / np.abs(before), move)
    limit = np.where(relative & (before == 0), 0.0, band)
    steady = (size <= limit + EPSILON * np.maximum(1.0, np.abs(limit))) | (gain == 0)
    arrows = np.where(steady, SUSTAINED_, np.where(gain > 0, IMPROVING_, DECLINING_))
    unknown = (np.isnan(gain) | np.isnan(actual) | np.isnan(before)
               | (compare == NOT_UNDERSTOOD))
    return np.where(unknown, NO_ARROW_, arrows), (compare, before, band)


_SIDES = ("short", "over", "below the range", "above the range", "")
SHORT_, OVER_, BELOW_, ABOVE_, INSIDE_ = range(5)


@dataclass
class _Facts:
    """The per-row arrays the explanations are written from."""

    reason: np.ndarray
    side: np.ndarray
    pol: np.ndarray
    tol: np.ndarray
    profile: np.ndarray
    actual: np.ndarray
    low: np.ndarray
    high: np.ndarray
    quarter_target: np.ndarray
    amber: np.ndarray
    red: np.ndarray
    compare: np.ndarray
    before: np.ndarray
    band: np.ndarray


def _numbers(values: np.ndarray) -> list[float | None]:
    """An array's values as Python floats, NaN as None (reading numpy one element at a time
    is slow)."""
    return [None if value != value else value for value in values.tolist()]


def _options(choice: c.Choice, codes: np.ndarray, otherwise: str) -> list[str]:
    """The options the codes stand for (``otherwise`` where one was not understood)."""
    return [otherwise if code == NOT_UNDERSTOOD else choice.options[code]
            for code in codes.tolist()]


def _explain(t: _Table, table: pd.DataFrame, f: _Facts, period: ReportingPeriod | None
             ) -> None:
    """Add ``Rating why``, ``Direction why`` and ``Why`` row by row, in the same words as
    the one-measure functions (:func:`rating_reason`, :func:`measure_direction`)."""
    units = ["" if is_blank(u) else str(u).strip() for u in t.texts("Unit")]
    override_reasons = t.texts("Override reason").tolist()
    by_row: dict[Hashable, list[Problem]] = {}
    for p in t.problems:
        by_row.setdefault(p.row, []).append(p)
    index = list(t.index)
    rag = table["RAG"].tolist()
    computed = table["Computed RAG"].tolist()
    shortfall = _numbers(table["Shortfall"].to_numpy())
    basis = _numbers(table["Compared with"].to_numpy())
    actual, before, low, high, quarter_target = (
        _numbers(values) for values in (f.actual, f.before, f.low, f.high, f.quarter_target))
    understood = (f.pol != NOT_UNDERSTOOD).tolist()
    polarities = _options(c.POLARITY, f.pol, c.HIGHER)
    tolerances = _options(c.TOLERANCE, f.tol, c.RELATIVE)
    profiles = _options(c.TARGET_PROFILE, f.profile, c.WHOLE_YEAR)
    compare = [None if code == NOT_UNDERSTOOD else c.COMPARE_WITH.options[code]
               for code in f.compare.tolist()]
    reasons = _REASONS[f.reason].tolist()
    sides = [_SIDES[x] for x in f.side.tolist()]
    amber, red, band = f.amber.tolist(), f.red.tolist(), f.band.tolist()
    rating_why, direction_why = [], []
    for i in range(t.size):
        polarity, unit = polarities[i], units[i]
        if polarity == c.RANGE:
            label = f"range {range_text(low[i], high[i], unit)}"
        else:
            label = target_label(profiles[i], quarter_target[i], period)
        why = rating_reason(
            reasons[i], computed[i], actual[i], basis[i], label, polarity, tolerances[i], unit,
            shortfall[i], amber[i], red[i], sides[i],
            tuple(by_row.get(index[i], ())) if by_row else ())
        if rag[i] != computed[i]:
            why = with_override(why, rag[i], computed[i], str(override_reasons[i]).strip())
        rating_why.append(why)
        compare_with = compare[i]
        if compare_with is None or not understood[i]:
            direction_why.append("Polarity or Compare with not understood -> n/a")
            continue
        direction_why.append(measure_direction(
            actual[i], before[i], polarity, band=band[i], tolerance=tolerances[i],
            compare_with=compare_with, unit=unit, range_low=low[i], range_high=high[i]).why)
    table["Rating why"] = rating_why
    table["Direction why"] = direction_why
    table["Why"] = [f"{r}. Direction: {d}"
                    for r, d in zip(rating_why, direction_why, strict=True)]


__all__ = ["MEASURE_INPUTS", "rate_measures"]
