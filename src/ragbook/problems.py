"""Problems found in a plan, as data.

A problem says where it is (``Measures!G5`` once it comes from a workbook,
``row 3, Target`` for a plain DataFrame), a short code, the value found, and
what was expected. Rating a plan collects problems; it never stops at the
first one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import Literal

Severity = Literal["error", "warning"]

Locator = Callable[[Hashable, str], str]
"""Turns a row label and a column name into a place such as ``Measures!G5``."""


class Shown(str):
    """A found value already written as the cell shows it (``20%``): shown as it is."""


def show_value(value: object) -> str:
    """A found value as an officer would recognise it."""
    if isinstance(value, Shown):
        return str(value)
    if value is None:
        return "(blank)"
    if isinstance(value, float) and value != value:
        return "(blank)"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, str):
        if value.strip() == "":
            return "(blank)"
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f'"{shown}"'
    return str(value)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where."""

    code: str
    found: str
    expected: str
    place: str = ""
    row: Hashable | None = None
    column: str | None = None
    severity: Severity = "error"
    item: str = ""
    """The column and the item the cell holds, in words: ``Status of action 1.1``."""

    @property
    def message(self) -> str:
        """``Actions!F2 (Status of action 1.1): found "Delayed"; expected one of ...``."""
        where = self.place + (f" ({self.item})" if self.item else "")
        return f"{where}: found {self.found}; expected {self.expected}" if where else \
            f"found {self.found}; expected {self.expected}"

    def at(self, place: str) -> Problem:
        return replace(self, place=place)

    def about(self, item: str) -> Problem:
        return replace(self, item=item)

    def as_dict(self) -> dict[str, str]:
        return {
            "place": self.place,
            "item": self.item,
            "severity": self.severity,
            "code": self.code,
            "found": self.found,
            "expected": self.expected,
            "message": self.message,
        }

    def __str__(self) -> str:
        return self.message


def problem(code: str, value: object, expected: str, *, row: Hashable | None = None,
            column: str | None = None, severity: Severity = "error") -> Problem:
    """A problem with a value; its place is filled in by :func:`locate`."""
    return Problem(code=code, found=show_value(value), expected=expected, row=row,
                   column=column, severity=severity, place=default_place(row, column))


@dataclass(frozen=True, order=True)
class SheetRow:
    """A row of a worksheet: the row label of every frame read from a workbook."""

    sheet: str
    number: int
    table: str = ""
    """The Excel Table the row belongs to (a sheet may hold several)."""

    def __str__(self) -> str:
        return f"{self.sheet} row {self.number}"


_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def sheet_ref(sheet: str) -> str:
    """A sheet name as Excel writes it in a reference: quoted only when it must be."""
    if _PLAIN_SHEET.fullmatch(sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@functools.cache
def column_letter(number: int) -> str:
    """A worksheet column's letters: 1 -> ``A``, 28 -> ``AB``."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_name(row: int, column: int) -> str:
    """``B5`` for row 5, column 2."""
    return f"{column_letter(column)}{row}"


def default_place(row: Hashable | None, column: str | None) -> str:
    """Where a problem is without column letters: ``row 3, Target``, ``Actions row 5, Status``."""
    if isinstance(row, SheetRow):
        return f"{row}, {column}" if column else str(row)
    parts = []
    if row is not None:
        parts.append(f"row {row}")
    if column:
        parts.append(column)
    return ", ".join(parts)


def locate(problems: Iterable[Problem], locator: Locator) -> list[Problem]:
    """Give each problem that has a row and column its place in a workbook."""
    placed = []
    for item in problems:
        if item.row is not None and item.column is not None:
            item = item.at(locator(item.row, item.column))
        placed.append(item)
    return placed
