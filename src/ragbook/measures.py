"""Rating one measure (key outcome indicator) against its target.

The rules (domain.md section 3), for one measure:

* The **shortfall** is how far the actual is on the worse side of the target:
  below it for *higher is better*, above it for *lower is better*, outside
  the nearest bound for *within range*. It is zero when the target is met.
* With a **relative** tolerance (the default) the shortfall is a fraction of
  the target (or of the bound); with an **absolute** one it stays in the
  measure's own unit, and the thresholds are in that unit too.
* shortfall <= amber threshold -> GREEN ("within 5%" includes 5%);
  amber < shortfall <= red -> AMBER ("5-10%" includes 10%);
  shortfall > red -> RED. Thresholds default to 5% and 10%.
* No actual -> No data; an actual typed ``n/a`` -> n/a (not due this period).
* A quarter target wins over the annual target; otherwise an annual target
  may be profiled per quarter (target / 4) or year to date (target x q / 4).
* An officer's override needs a reason; the computed rating is kept beside it.

:func:`rate_measure` is the readable, one-measure form of these rules. The
table engine in :mod:`ragbook.measure_table` applies the same rules to whole
plans at once, and the tests check that the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ragbook import choices as c
from ragbook.calendar import ReportingPeriod
from ragbook.measure_rules import EXPECTED
from ragbook.numbers import (
    ACTUAL_EXPECTED,
    NUMBER_EXPECTED,
    THRESHOLD_EXPECTED,
    NotANumber,
    is_not_due,
    read_number,
    show_amount,
    show_difference,
    show_fraction,
    show_threshold,
)
from ragbook.percent_slips import RATING_FIGURES, fraction_expected, fraction_slips
from ragbook.problems import Problem, Shown, problem
from ragbook.ratings import (
    AMBER,
    DEFAULT_AMBER,
    DEFAULT_RED,
    GREEN,
    NO_DATA,
    NOT_APPLICABLE,
    RATING_NAMES,
    RED,
    is_blank,
    read_override,
)

EPSILON = 1e-9
"""Slack for floating-point arithmetic at the exact 5% and 10% boundaries."""

NOT_RATED = ""
"""The rating left blank when a problem stops a measure being rated."""

# Reasons, as codes that the table engine and the explanations share.
MET = "met"
WITHIN_AMBER = "within-amber"
OVER_AMBER = "over-amber"
OVER_RED = "over-red"
NO_ACTUAL = "no-data"
NOT_DUE = "not-due"
BLOCKED = "not-rated"


def band_rating(shortfall: float, amber: float, red: float) -> tuple[str, str]:
    """The rating and reason for a shortfall against the two thresholds."""
    if shortfall <= 0:
        return GREEN, MET
    if shortfall <= amber + EPSILON * max(1.0, abs(amber)):
        return GREEN, WITHIN_AMBER
    if shortfall <= red + EPSILON * max(1.0, abs(red)):
        return AMBER, OVER_AMBER
    return RED, OVER_RED


@dataclass(frozen=True)
class MeasureRating:
    """A measure's rating, the facts behind it, and its one-line reason (:attr:`why`)."""

    rag: str
    computed: str
    reason: str
    actual: float | None = None
    compared_with: float | None = None
    target_label: str = "target"
    polarity: str = c.HIGHER
    tolerance: str = c.RELATIVE
    unit: str = ""
    shortfall: float | None = None
    amber: float = DEFAULT_AMBER
    red: float = DEFAULT_RED
    side: str = ""
    override_reason: str = ""
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def overridden(self) -> bool:
        return self.rag != self.computed

    @property
    def why(self) -> str:
        return explain_rating(self)


def threshold_text(value: float, tolerance: str, unit: str) -> str:
    return show_threshold(value) if tolerance == c.RELATIVE else show_difference(value, unit)


def explain_rating(rating: MeasureRating) -> str:
    """The one-line reason for a measure's rating, checkable by hand."""
    computed = rating_reason(
        rating.reason, rating.computed, rating.actual, rating.compared_with,
        rating.target_label, rating.polarity, rating.tolerance, rating.unit, rating.shortfall,
        rating.amber, rating.red, rating.side, rating.problems)
    return with_override(computed, rating.rag, rating.computed, rating.override_reason)


def with_override(computed_reason: str, rag: str, computed: str, override_reason: str) -> str:
    """The reason, with the officer's override and its reason when the rating was overridden."""
    if rag == computed:
        return computed_reason
    return (f"Officer override to {RATING_NAMES[rag]} "
            f"(computed: {computed_reason}). Reason: {override_reason}")


def rating_reason(reason: str, computed: str, actual: float | None,
                  compared_with: float | None, target_label: str, polarity: str,
                  tolerance: str, unit: str, shortfall: float | None, amber: float, red: float,
                  side: str, problems: tuple[Problem, ...] = ()) -> str:
    """The reason for the computed rating, from the facts a :class:`MeasureRating` holds
    (the table engine calls this directly, one row at a time)."""
    if reason == NO_ACTUAL:
        return "No actual reported yet -> No data"
    if reason == NOT_DUE:
        return "Actual marked n/a: not due this period -> n/a"
    if reason == BLOCKED:
        first = next((p for p in problems if p.severity == "error"), None)
        detail = f"{first.column or 'input'}: found {first.found}; expected {first.expected}" \
            if first else "a problem in its inputs"
        return f"Not rated: {detail}"
    assert actual is not None and compared_with is not None
    compared = (target_label if polarity == c.RANGE
                else f"{target_label} {show_amount(compared_with, unit)}")
    base = f"{show_amount(actual, unit)} vs {compared} ({polarity.lower()})"
    name = RATING_NAMES[computed]
    if reason == MET:
        met = "inside the range" if polarity == c.RANGE else "target met"
        return f"{base}: {met} -> {name}"
    short = shortfall_text(shortfall or 0.0, compared_with, tolerance, unit, side,
                           polarity, target_label, amber, red)
    if reason == WITHIN_AMBER:
        return (f"{base}: {short}, within the {threshold_text(amber, tolerance, unit)} amber "
                f"threshold -> {name}")
    red_text = threshold_text(red, tolerance, unit)
    if reason == OVER_AMBER:
        return (f"{base}: {short}, more than the {threshold_text(amber, tolerance, unit)} amber "
                f"threshold but not more than the {red_text} red threshold -> {name}")
    return f"{base}: {short}, more than the {red_text} red threshold -> {name}"


def shortfall_text(shortfall: float, compared_with: float, tolerance: str, unit: str, side: str,
                   polarity: str, target_label: str, amber: float, red: float) -> str:
    """How far off the measure is, in its own unit (points for a percentage), and as a
    percentage of what it was compared with when the tolerance is relative:
    ``18 points short (20.0% of the target)``, ``15 days above the range (25.0% of its upper
    bound, 60 days)``."""
    relative = tolerance == c.RELATIVE
    amount = shortfall * abs(compared_with) if relative else shortfall
    text = f"{show_difference(amount, unit)} {side}"
    share = show_fraction(shortfall, beside=(amber, red)) if relative else ""
    if polarity == c.RANGE:
        bound = f"its {'lower' if side.startswith('below') else 'upper'} bound, " \
                f"{show_amount(compared_with, unit)}"
        return f"{text} ({share} of {bound})" if relative else f"{text} ({bound})"
    return f"{text} ({share} of the {target_label})" if relative else text


def target_label(profile: str, quarter_target: float | None,
                 period: ReportingPeriod | None) -> str:
    """What the actual is compared with, in words: ``Q1 target``, ``year-to-date target``."""
    quarter = f"Q{period.quarter} " if period else "quarter "
    if quarter_target is not None or profile == c.PER_QUARTER:
        return f"{quarter}target"
    if profile == c.YEAR_TO_DATE:
        return "year-to-date target"
    return "target"


def profiled_target(target: float, profile: str, quarter: int) -> float:
    """The annual target as this quarter's figure."""
    if profile == c.PER_QUARTER:
        return target / 4
    if profile == c.YEAR_TO_DATE:
        return target * quarter / 4
    return target


class _Inputs:
    """Collects a measure's inputs and the problems found reading them."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def choice(self, choice: c.Choice, value: object) -> str | None:
        read = choice.read(value)
        if read is None:
            code = "blank-choice" if is_blank(value) else "unknown-choice"
            self.problems.append(problem(code, value, choice.expected, column=choice.column))
        return read

    def number(self, column: str, value: object, expected: str = NUMBER_EXPECTED,
               fraction: bool = False) -> float | None:
        try:
            return read_number(value, fraction=fraction)
        except NotANumber:
            self.problems.append(problem("not-a-number", value, expected, column=column))
            return None

    def add(self, code: str, value: object, expected: str, column: str) -> None:
        self.problems.append(problem(code, value, expected, column=column))


def rate_measure(
    actual: object,
    target: object = None,
    polarity: object = c.HIGHER,
    *,
    quarter_target: object = None,
    range_low: object = None,
    range_high: object = None,
    tolerance: object = None,
    amber: object = None,
    red: object = None,
    unit: str = "",
    target_profile: object = None,
    period: ReportingPeriod | None = None,
    override: object = None,
    override_reason: object = None,
    default_amber: float = DEFAULT_AMBER,
    default_red: float = DEFAULT_RED,
) -> MeasureRating:
    """Rate one measure. Never raises for bad input: problems come back in the result.

    >>> rating = rate_measure(72, 90, "Higher is better", unit="%")
    >>> rating.rag, rating.why.split(": ")[1]
    ('R', '18 points short (20.0% of the target), more than the 10% red threshold -> RED')
    """
    found = _Inputs()
    pol = found.choice(c.POLARITY, polarity)
    tol = found.choice(c.TOLERANCE, tolerance) or c.RELATIVE
    profile = found.choice(c.TARGET_PROFILE, target_profile) or c.WHOLE_YEAR
    not_due = is_not_due(actual)
    value = None if not_due else found.number("Actual", actual, ACTUAL_EXPECTED)
    goal = found.number("Target", target)
    goal_q = found.number("Quarter target", quarter_target)
    low = found.number("Range low", range_low)
    high = found.number("Range high", range_high)
    amber_at = _threshold(found, "Amber threshold", amber, tol, default_amber)
    red_at = _threshold(found, "Red threshold", red, tol, default_red)
    unit = "" if is_blank(unit) else str(unit).strip()
    value, goal, goal_q, low, high = _without_fraction_slips(
        found, unit, {"Actual": value, "Target": goal, "Quarter target": goal_q,
                      "Range low": low, "Range high": high})

    compared = _what_to_compare(found, pol, tol, goal, goal_q, low, high, profile, period,
                                is_blank(target))
    typed = not (is_blank(amber) and is_blank(red))  # both blank: Settings' problem
    if amber_at is not None and red_at is not None and amber_at > red_at and typed:
        found.add("amber-above-red", Shown(threshold_text(amber_at, tol, unit)),
                  EXPECTED["amber-above-red"], "Amber threshold")
    final_override, reason_text, refused = read_override(override, override_reason)
    if refused is not None:
        found.problems.append(refused)

    facts: dict[str, object] = dict(
        polarity=pol or c.HIGHER, tolerance=tol, unit=unit,
        amber=amber_at if amber_at is not None else default_amber,
        red=red_at if red_at is not None else default_red,
        target_label=target_label(profile, goal_q, period),
        problems=tuple(found.problems), override_reason=reason_text,
    )
    blocked = any(p.severity == "error" and p.column not in _NON_BLOCKING
                  for p in found.problems)
    if not_due:
        computed, why = NOT_APPLICABLE, NOT_DUE
    elif blocked:
        computed, why = NOT_RATED, BLOCKED
    elif value is None:
        computed, why = NO_DATA, NO_ACTUAL
    else:
        assert compared is not None and pol is not None
        short, side, basis = _shortfall(value, pol, compared, low, high)
        if tol == c.RELATIVE and short > 0:
            short = short / abs(basis)
        computed, why = band_rating(short, float(facts["amber"]),  # type: ignore[arg-type]
                                    float(facts["red"]))  # type: ignore[arg-type]
        facts.update(actual=value, compared_with=basis, shortfall=short, side=side)
        if pol == c.RANGE:
            facts["target_label"] = f"range {range_text(low, high, unit)}"
    rag = final_override if (final_override and why != BLOCKED) else computed
    return MeasureRating(rag=rag, computed=computed, reason=why, **facts)  # type: ignore[arg-type]


_NON_BLOCKING = {"Override RAG", "Override reason"}


def _without_fraction_slips(found: _Inputs, unit: str, figures: dict[str, float | None]
                            ) -> list[float | None]:
    """The figures, with any that is plainly a fraction typed for a percentage reported and
    left out (:func:`ragbook.percent_slips.fraction_slips`)."""
    if unit != "%":
        return list(figures.values())
    arrays = {name: np.array([np.nan if v is None else v], dtype=float)
              for name, v in figures.items()}
    kept = dict(figures)
    for name, slipped in fraction_slips(arrays, np.array([True])).items():
        if slipped[0]:
            value = figures[name]
            assert value is not None
            found.add("fraction-in-percentage", value, fraction_expected(value, {
                o: float(arrays[o][0]) for o in RATING_FIGURES if o != name}), name)
            kept[name] = None
    return list(kept.values())


def range_text(low: float | None, high: float | None, unit: str) -> str:
    left = show_amount(low, unit) if low is not None else "-"
    right = show_amount(high, unit) if high is not None else "-"
    return f"{left} to {right}"


def _threshold(found: _Inputs, column: str, value: object, tolerance: str,
               default: float) -> float | None:
    number = found.number(column, value, THRESHOLD_EXPECTED, fraction=True)
    if number is None:
        if tolerance == c.ABSOLUTE:
            found.add("absolute-needs-thresholds", value,
                      EXPECTED["absolute-needs-thresholds"], column)
        return None if tolerance == c.ABSOLUTE else default
    if number < 0:
        found.add("negative-threshold", value, EXPECTED["negative-threshold"], column)
        return None
    if tolerance == c.RELATIVE and number > 1:
        found.add("threshold-not-a-fraction", value,
                  EXPECTED["threshold-not-a-fraction"], column)
        return None
    return number


def _what_to_compare(found: _Inputs, pol: str | None, tol: str, goal: float | None,
                     goal_q: float | None, low: float | None, high: float | None,
                     profile: str, period: ReportingPeriod | None,
                     target_blank: bool = True) -> float | None:
    """The figure the actual is compared with (0 stands for a range: its bounds are used)."""
    if pol == c.RANGE:
        if low is None and high is None:
            found.add("range-without-bounds", None,
                      EXPECTED["range-without-bounds"], "Range low")
            return None
        if low is not None and high is not None and low > high:
            found.add("range-upside-down", low, EXPECTED["range-upside-down"],
                      "Range low")
        if tol == c.RELATIVE and 0 in (low, high):
            column = "Range low" if low == 0 else "Range high"
            found.add("zero-bound-relative", 0, EXPECTED["zero-bound-relative"], column)
        return 0.0
    if goal_q is not None:
        compared = goal_q
    elif goal is None:
        if pol is not None and target_blank:
            found.add("blank-target", None, EXPECTED["blank-target"], "Target")
        return None
    elif profile != c.WHOLE_YEAR and period is None:
        found.add("profile-needs-quarter", profile,
                  EXPECTED["profile-needs-quarter"],
                  "Target profile")
        return None
    else:
        compared = profiled_target(goal, profile, period.quarter if period else 4)
    if tol == c.RELATIVE and compared == 0:
        column = "Quarter target" if goal_q is not None else "Target"
        found.add("zero-target-relative", 0, EXPECTED["zero-target-relative"], column)
    return compared


def _shortfall(value: float, pol: str, compared: float, low: float | None,
               high: float | None) -> tuple[float, str, float]:
    """How far the actual is on the worse side, which side, and the figure it was compared with."""
    if pol == c.HIGHER:
        return max(compared - value, 0.0), "short", compared
    if pol == c.LOWER:
        return max(value - compared, 0.0), "over", compared
    if low is not None and value < low:
        return low - value, "below the range", low
    if high is not None and value > high:
        return value - high, "above the range", high
    nearest = low if high is None or (low is not None and value - low <= high - value) else high
    assert nearest is not None
    return 0.0, "", nearest
