"""Reading numbers from cells, and writing them back in explanations."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from ragbook.ratings import fold, is_blank

NUMBER_EXPECTED = "a number such as 72 or 72%"
ACTUAL_EXPECTED = ("a number such as 72 or 72%: leave the cell blank while there is no figure "
                   "(No data), or type n/a when the measure is not due this period")
"""What an Actual cell holding words (``TBC``, ``-``, ``awaiting data``) is told."""
THRESHOLD_EXPECTED = ("a percentage such as 5% (or, when Tolerance is Absolute, a number in "
                      "the measure's unit)")

NOT_DUE_WORDS = frozenset({"n/a", "na", "not due", "not applicable"})


_NUMBER_TEXT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
"""A number as text: digits with a point and exponent, never ``nan`` or ``inf``."""


class NotANumber(ValueError):
    """A cell that should hold a number holds something else."""


def read_number(value: object, *, fraction: bool = False) -> float | None:
    """A cell's number, None when blank; raises NotANumber for anything else.

    Text that shows a number is read as that number: ``"1,250"``, ``" 72 "``, and
    ``"72%"`` (pasted from another system), which is 72, in points, as a percentage
    measure's figures are kept; with ``fraction`` (thresholds), ``"5%"`` is 0.05.
    Words are never guessed at.
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
        text = value.strip().replace(",", "")
        percent = text.endswith("%")
        if percent:
            text = text[:-1].rstrip()
        if not _NUMBER_TEXT.fullmatch(text):
            raise NotANumber(value)
        number = float(text)
        if percent and fraction:
            number = round(number / 100, 12)
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
    """A number with its unit: ``72%``, ``11.41 days``, ``1 day``, ``53``."""
    number = show_number(value)
    if not unit:
        return number
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit_for(number, unit)}"


def show_difference(value: float, unit: str) -> str:
    """A difference between two amounts: in points when the unit is ``%``."""
    if unit == "%":
        number = show_number(value)
        return f"{number} {unit_for(number, 'points')}"
    return show_amount(value, unit)


_IRREGULAR = {"children": "child", "people": "person", "men": "man", "women": "woman"}
"""Plural to singular, where adding or dropping an s does not do."""
_IRREGULAR_PLURALS = {one: many for many, one in _IRREGULAR.items()}
_COUNTABLE = ("day", "week", "month", "year", "hour", "minute", "second", "household", "home",
              "house", "child", "person", "place", "fire", "visit", "case", "family",
              "property", "school", "referral", "business", "job", "apprenticeship", "bed",
              "point")
"""Units an officer may type in the singular, which read wrongly beside 5 (``5 day``)."""


def unit_for(number: str, unit: str) -> str:
    """A one-word unit in the number it goes with: ``1 day``, ``2 days``, ``1 child``.

    Units of several words, symbols and unknown words are left as typed (``per 10,000``)."""
    if not unit.isalpha():
        return unit
    word = unit.lower()
    if number in {"1", "-1"}:
        if word in _IRREGULAR:
            return _match_case(_IRREGULAR[word], unit)
        if word.endswith("ies") and word[:-3] + "y" in _COUNTABLE:
            return _match_case(word[:-3] + "y", unit)
        if word.endswith("es") and word[:-2] in _COUNTABLE:
            return _match_case(word[:-2], unit)
        if word.endswith("s") and word[:-1] in _COUNTABLE:
            return _match_case(word[:-1], unit)
        return unit
    if word in _IRREGULAR_PLURALS:
        return _match_case(_IRREGULAR_PLURALS[word], unit)
    if word in _COUNTABLE:
        if word.endswith("y") and word[-2:-1] not in "aeiou":
            return _match_case(word[:-1] + "ies", unit)
        plural = word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")
        return _match_case(plural, unit)
    return unit


def _match_case(word: str, like: str) -> str:
    return word.capitalize() if like[:1].isupper() else word


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
