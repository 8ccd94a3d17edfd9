"""The fixed choices officers pick from, and how their typing is read.

Each choice list is what the workbook's drop-downs offer. Reading is
case- and space-insensitive, and accepts a few short forms.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ragbook.ratings import fold, is_blank


@dataclass(frozen=True)
class Choice:
    """A column with fixed choices: the canonical words, and other spellings accepted."""

    column: str
    options: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()
    default: str | None = None

    def read(self, value: object) -> str | None:
        """The canonical option, the default when blank, or None when not one of the options."""
        if is_blank(value):
            return self.default
        lookup = self.lookup
        exact = lookup.get(value) if type(value) is str else None
        return exact or lookup.get(fold(value))

    def at(self, option: str) -> int:
        """An option's position, as the table engine codes it (-1: not understood)."""
        return self.options.index(option)

    @property
    def lookup(self) -> dict[str, str]:
        """Folded spellings -> the canonical option (worked out once per choice)."""
        return _lookup(self.options, self.aliases)

    @property
    def expected(self) -> str:
        listed = ", ".join(self.options[:-1]) + f" or {self.options[-1]}"
        return f"one of {listed}"


@functools.cache
def _lookup(options: tuple[str, ...], aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    table = {fold(option): option for option in options}
    table.update({fold(alias): option for alias, option in aliases})
    table.update({option: option for option in options})  # as the drop-down writes it
    return table


HIGHER = "Higher is better"
LOWER = "Lower is better"
RANGE = "Within range"
POLARITY = Choice("Polarity", (HIGHER, LOWER, RANGE),
                  (("higher", HIGHER), ("lower", LOWER), ("range", RANGE),
                   ("within a range", RANGE)))

RELATIVE = "Relative"
ABSOLUTE = "Absolute"
TOLERANCE = Choice("Tolerance", (RELATIVE, ABSOLUTE), default=RELATIVE)

PREVIOUS_QUARTER = "Previous quarter"
SAME_QUARTER_LAST_YEAR = "Same quarter last year"
COMPARE_WITH = Choice("Compare with", (PREVIOUS_QUARTER, SAME_QUARTER_LAST_YEAR),
                      (("last quarter", PREVIOUS_QUARTER),
                       ("same period last year", SAME_QUARTER_LAST_YEAR)),
                      default=PREVIOUS_QUARTER)

WHOLE_YEAR = "Whole year"
PER_QUARTER = "Per quarter"
YEAR_TO_DATE = "Year to date"
TARGET_PROFILE = Choice("Target profile", (WHOLE_YEAR, PER_QUARTER, YEAR_TO_DATE),
                        (("annual", WHOLE_YEAR), ("quarterly", PER_QUARTER),
                         ("cumulative", YEAR_TO_DATE), ("ytd", YEAR_TO_DATE)),
                        default=WHOLE_YEAR)

NOT_STARTED = "Not started"
ON_TRACK = "On track"
AT_RISK = "At risk"
OFF_TRACK = "Off track"
COMPLETE = "Complete"
STATUS = Choice("Status", (NOT_STARTED, ON_TRACK, AT_RISK, OFF_TRACK, COMPLETE),
                (("completed", COMPLETE), ("done", COMPLETE)))

YES = "Yes"
NO = "No"
RECOVERY_PLAN = Choice("Recovery plan", (YES, NO), (("y", YES), ("n", NO)), default=NO)
