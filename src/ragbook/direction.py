"""Direction of travel: is this period better, the same, or worse than the last?

* Measures compare values, aware of polarity: a *lower is better* measure
  improves when it falls; a *within range* measure improves when it moves
  closer to its range (two values inside the range are the same).
* A no-significant-change band turns small moves into → (sustained). The band
  is in the measure's unit when its Tolerance is Absolute, and a fraction of
  the previous value when Relative. The default band is 0: any move counts.
* Seasonal measures compare with the same quarter last year instead.
* Actions compare this rating with last period's (GREEN > AMBER > RED).
* Nothing to compare with gives n/a. Direction and rating are independent.
"""

from __future__ import annotations

from typing import NamedTuple

from ragbook import choices as c
from ragbook.numbers import show_amount, show_difference, show_fraction
from ragbook.ratings import (
    ARROW_NAMES,
    DECLINING,
    IMPROVING,
    NOT_APPLICABLE,
    RAG_ORDER,
    RATING_NAMES,
    SUSTAINED,
    compare_ratings,
    is_blank,
)

EPSILON = 1e-9

COMPARED_LABEL = {c.PREVIOUS_QUARTER: "last quarter",
                  c.SAME_QUARTER_LAST_YEAR: "the same quarter last year"}


class Direction(NamedTuple):
    """An arrow and its one-line reason."""

    arrow: str
    why: str


def distance_outside(value: float, low: float | None, high: float | None) -> float:
    """How far a value lies outside a range (0 inside it)."""
    if low is not None and value < low:
        return low - value
    if high is not None and value > high:
        return value - high
    return 0.0


def measure_direction(
    current: float | None,
    previous: float | None,
    polarity: str,
    *,
    band: float = 0.0,
    tolerance: str = c.RELATIVE,
    compare_with: str = c.PREVIOUS_QUARTER,
    unit: str = "",
    range_low: float | None = None,
    range_high: float | None = None,
) -> Direction:
    """The arrow for a measure, from this period's and the compared period's actuals."""
    when = COMPARED_LABEL.get(compare_with, "last quarter")
    read = c.POLARITY.read(polarity if not is_blank(polarity) else c.HIGHER)
    if read is None:
        return Direction(NOT_APPLICABLE, f'Polarity "{polarity}" not understood: expected '
                                         f"{c.POLARITY.expected} -> n/a")
    polarity = read
    if current is None or previous is None:
        missing = "this period" if current is None else f"for {when}"
        return Direction(NOT_APPLICABLE, f"No actual {missing} to compare with -> n/a")
    if polarity == c.RANGE:
        gain = (distance_outside(previous, range_low, range_high)
                - distance_outside(current, range_low, range_high))
    elif polarity == c.LOWER:
        gain = previous - current
    else:
        gain = current - previous
    move = abs(current - previous) if polarity != c.RANGE else abs(gain)
    relative = tolerance == c.RELATIVE
    size = move / abs(previous) if relative and previous != 0 else move
    limit = band if (not relative or previous != 0) else 0.0
    steady = size <= limit + EPSILON * max(1.0, abs(limit)) or gain == 0
    arrow = SUSTAINED if steady else IMPROVING if gain > 0 else DECLINING
    base = (f"{show_amount(current, unit)} vs {show_amount(previous, unit)} {when} "
            f"({polarity.lower()})")
    if arrow == SUSTAINED:
        if current == previous:
            detail = "no change"
        elif polarity == c.RANGE and gain == 0:
            detail = "inside the range both times"
        else:
            shown_band = show_fraction(band) if relative else show_difference(band, unit)
            detail = f"moved by {_amount(move, size, relative, unit)}, within the " \
                     f"no-significant-change band of {shown_band}"
    else:
        detail = f"{'improved' if gain > 0 else 'worsened'} by " \
                 f"{_amount(move, size, relative and previous != 0, unit)}"
    return Direction(arrow, f"{base}: {detail} -> {ARROW_NAMES[arrow]} ({arrow})")


def _amount(move: float, size: float, relative: bool, unit: str) -> str:
    if relative:
        return f"{show_difference(move, unit)} ({show_fraction(size)})"
    return show_difference(move, unit)


def action_direction(current: str, previous: str | None) -> Direction:
    """The arrow for an action: this rating against last period's."""
    if previous is None:
        return Direction(NOT_APPLICABLE, "No previous rating (a new action) -> n/a")
    if current not in RAG_ORDER:
        return Direction(NOT_APPLICABLE, f"Not rated this period ({current or 'blank'}) -> n/a")
    if previous not in RAG_ORDER:
        return Direction(NOT_APPLICABLE, f"Previous rating was {previous} -> n/a")
    arrow = compare_ratings(current, previous)
    return Direction(arrow, f"{RATING_NAMES[current]} now, {RATING_NAMES[previous]} last "
                            f"period -> {ARROW_NAMES[arrow]} ({arrow})")
