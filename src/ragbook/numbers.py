"""Reading numbers from cells, and writing them back in explanations."""

from __future__ import annotations

import math
from datetime import date, datetime

from ragbook.ratings import fold, is_blank

NUMBER_EXPECTED = "a number such as 72 or 72% (no words or spaces in the cell)"
THRESHOLD_EXPECTED = ("a percentage such as 5% (or, when Tolerance is Absolute, a number in "
                      "the measure's unit)")

NOT_DUE_WORDS = frozenset({"n/a", "na", "not due", "not applicable"})


class NotANumber(ValueError):
    """A cell that should hold a number holds something else."""


def read_number(value: object) -> float | None:
    """A cell's number, None when blank; raises NotANumber for anything else.

    Text such as ``"72 %"`` is not a number: it is reported, never guessed.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool | date | datetime):
        raise NotANumber(value)
    if isinstance(value, int | float):
        number = float(value)
        if math.isinf(number):
            raise NotANumber(value)
        return number
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            raise NotANumber(value) from None
        if math.isnan(number) or math.isinf(number):
            raise NotANumber(value)
        return number
    try:
        number = float(value)  # type: ignore[arg-type]  # numpy scalars
    except (TypeError, ValueError):
        raise NotANumber(value) from None
    return None if math.isnan(number) else number


def is_not_due(value: object) -> bool:
    """An actual typed as ``n/a``: the measure is not due this period."""
    return isinstance(value, str) and fold(value) in NOT_DUE_WORDS


def show_number(value: float) -> str:
    """A number as a person writes it: ``61.5``, ``11.41``, ``49,578``."""
    if value != value:
        return "(blank)"
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def show_amount(value: float, unit: str) -> str:
    """A number with its unit: ``72%``, ``11.41 days``, ``53``."""
    number = show_number(value)
    if not unit:
        return number
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}"


def show_difference(value: float, unit: str) -> str:
    """A difference between two amounts: in points when the unit is ``%``."""
    if unit == "%":
        number = show_number(value)
        return f"{number} point{'' if number == '1' else 's'}"
    return show_amount(value, unit)


def show_fraction(value: float, beside: tuple[float, ...] = ()) -> str:
    """A fraction as a percentage with one decimal: ``0.2`` -> ``20.0%``.

    More decimals are shown when one would make it look equal to a threshold
    it is not equal to (10.01% is not shown as 10.0% beside a 10% threshold).
    """
    if not beside:
        return f"{value * 100:.1f}%"
    for places in range(1, 6):
        shown = round(value * 100, places)
        if all(shown != round(limit * 100, places) or abs(value - limit) < 1e-12
               for limit in beside):
            break
    return f"{value * 100:.{places}f}%"


def show_threshold(value: float) -> str:
    """A relative threshold as the key prints it: ``0.05`` -> ``5%``."""
    return f"{value * 100:.10g}%"
