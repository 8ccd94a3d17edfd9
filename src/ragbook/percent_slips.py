"""Percentages typed as fractions: 0.85 in a measure whose figures are in points (90 for 90%).

Both the one-measure function and the table engine find them with :func:`fraction_slips`, and
report them in the words of :func:`fraction_expected`, so a slip gets the same message
whichever way the measure is rated.
"""

from __future__ import annotations

import numpy as np

from ragbook.numbers import show_number

RATING_FIGURES = ("Actual", "Target", "Quarter target", "Range low", "Range high")
"""The figures a rating compares, all in the measure's unit."""

TRAVEL_FIGURES = ("Previous actual", "Last year actual")
"""The figures the direction of travel compares with the actual."""

FRACTION_CLOSE = 5.0
"""How near (as a ratio) a figure times 100 must be to the measure's other figures for it to
be plainly a fraction: 0.85 beside a target of 90 is; 0.05 beside 90 is not plainly anything."""


def fraction_slips(figures: dict[str, np.ndarray], percent: np.ndarray,
                   among: tuple[str, ...] = RATING_FIGURES,
                   check: tuple[str, ...] = RATING_FIGURES) -> dict[str, np.ndarray]:
    """Where a percentage measure's figure is plainly a fraction typed for a percentage.

    A measure whose Unit is % keeps its figures in points (90 for 90%). A figure from 0 to 1
    (not 0) whose other figures (those in ``among``, blank and 0 aside) are all above 1, and
    which times 100 is within :data:`FRACTION_CLOSE` of them, is 0.85 typed for 85%: rating
    it as 0.85% would be a false RED. Returns, for each column of ``check`` in ``figures``,
    the rows where it is so.
    """
    slips = {}
    for name in check:
        if name not in figures:
            continue
        values = figures[name]
        others = [figures[o] for o in among if o != name and o in figures]
        if not others:
            slips[name] = np.zeros(len(values), dtype=bool)
            continue
        stacked = np.abs(np.vstack(others))
        present = ~np.isnan(stacked) & (stacked != 0)
        with np.errstate(invalid="ignore"):
            smallest = np.where(present, stacked, np.inf).min(axis=0)
            largest = np.where(present, stacked, -np.inf).max(axis=0)
            size = np.abs(values) * 100
            slips[name] = (percent & (np.abs(values) <= 1) & (values != 0) & present.any(axis=0)
                           & (smallest > 1) & (size * FRACTION_CLOSE >= smallest)
                           & (size <= largest * FRACTION_CLOSE))
    return slips


def fraction_expected(value: float, beside: dict[str, float]) -> str:
    """What a fraction typed for a percentage is told: the figure in points, and why."""
    shown = ", ".join(f"{name} {show_number(number)}" for name, number in beside.items()
                      if number == number and number != 0)
    return (f"the percentage in points, as this measure's other figures are ({shown}): "
            f"{show_number(value * 100)} for {show_number(value * 100)}%, not "
            f"{show_number(value)}")
