"""The words of the RAG key: ratings, arrows, and how officers type them.

Ratings written by ragbook are ``R``, ``A``, ``G``, ``No data`` and ``n/a``.
Arrows are ``↑`` (improving), ``→`` (sustained), ``↓`` (declining) and ``n/a``.
Officers may type ratings as ``R/A/G`` or ``Red/Amber/Green`` in any case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ragbook.measure_rules import EXPECTED
from ragbook.problems import Problem, problem

RED = "R"
AMBER = "A"
GREEN = "G"
NO_DATA = "No data"
NOT_APPLICABLE = "n/a"
NOT_RATED_LABEL = "Not rated"
"""How summaries count the items a problem stopped being rated (their RAG cell is blank)."""

RATINGS = (RED, AMBER, GREEN, NO_DATA, NOT_APPLICABLE)
COUNTED = (*RATINGS, NOT_RATED_LABEL)
"""What every summary counts, so that every item is counted once."""


def count_ratings(ratings: Iterable[object]) -> dict[str, int]:
    """How many items have each rating, in :data:`COUNTED` order, every item counted once:
    those a problem kept from being rated (a blank rating) as Not rated."""
    counts = dict.fromkeys(COUNTED, 0)
    for rating in ratings:
        counts[rating if rating in RATINGS else NOT_RATED_LABEL] += 1
    return counts
RAG_ORDER = {RED: 0, AMBER: 1, GREEN: 2}
"""Worst to best, for comparing ratings (direction of travel for actions)."""

RATING_NAMES = {RED: "RED", AMBER: "AMBER", GREEN: "GREEN",
                NO_DATA: "No data", NOT_APPLICABLE: "n/a"}

IMPROVING = "↑"
SUSTAINED = "→"
DECLINING = "↓"
ARROWS = (IMPROVING, SUSTAINED, DECLINING, NOT_APPLICABLE)
ARROW_NAMES = {IMPROVING: "improving", SUSTAINED: "sustained", DECLINING: "declining",
               NOT_APPLICABLE: "n/a"}

DEFAULT_AMBER = 0.05
DEFAULT_RED = 0.10

_SPACES = re.compile(r"[\s_]+")

_AS_WRITTEN = frozenset({RED, AMBER, GREEN, NO_DATA, NOT_APPLICABLE})

_RATING_WORDS = {
    "r": RED, "red": RED,
    "a": AMBER, "amber": AMBER,
    "g": GREEN, "green": GREEN,
    "no data": NO_DATA, "nodata": NO_DATA,
    "n/a": NOT_APPLICABLE, "na": NOT_APPLICABLE, "not applicable": NOT_APPLICABLE,
}

RATING_CHOICES = "R, A or G (or Red, Amber, Green)"


def fold(text: object) -> str:
    """Lower case with runs of spaces made one: how headers and choices are matched."""
    return _SPACES.sub(" ", str(text)).strip().lower()


def is_blank(value: object) -> bool:
    """True for None, NaN, NaT and cells holding only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        return False


def read_rating(value: object) -> str | None:
    """An officer's rating as ragbook writes it, or None when it is not a rating.

    >>> read_rating("amber"), read_rating(" Red "), read_rating("g")
    ('A', 'R', 'G')
    """
    if isinstance(value, str) and value in _AS_WRITTEN:  # as ragbook writes them
        return value
    if is_blank(value):
        return None
    return _RATING_WORDS.get(fold(value))


def is_rag(value: object) -> bool:
    return value in RAG_ORDER


def compare_ratings(current: str, previous: str) -> str:
    """The arrow between two R/A/G ratings: better, same or worse."""
    if current not in RAG_ORDER or previous not in RAG_ORDER:
        return NOT_APPLICABLE
    step = RAG_ORDER[current] - RAG_ORDER[previous]
    return IMPROVING if step > 0 else DECLINING if step < 0 else SUSTAINED


def read_override(override: object, reason: object) -> tuple[str | None, str, Problem | None]:
    """An officer's override: the rating and reason to use, or the problem with it.

    An override must be R, A or G and must carry a reason; otherwise it is
    ignored (the computed rating stands) and the problem says why.
    """
    if is_blank(override):
        return None, "", None
    rating = read_rating(override)
    if rating not in RAG_ORDER:
        return None, "", problem("unknown-override", override, RATING_CHOICES,
                                 column="Override RAG")
    if is_blank(reason):
        return None, "", problem("override-without-reason", reason,
                                 EXPECTED["override-without-reason"],
                                 column="Override reason")
    return rating, str(reason).strip(), None
