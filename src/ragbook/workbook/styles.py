"""Cell styles for openpyxl, worked out once and copied.

Setting fonts and fills through openpyxl is slow; copying a finished style is not,
and most cells that get the same style start from the same style too.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy


class StyleCache:
    """Finished styles by name and starting style: the first cell is styled by hand, the
    rest get a copy of its result."""

    def __init__(self) -> None:
        self._done: dict[tuple[object, ...], object] = {}

    def apply(self, cell: object, key: str, style: Callable[[object], None]) -> None:
        """Give ``cell`` the style named ``key``, which ``style`` sets on a cell."""
        start = (key, *(cell._style or ()))  # type: ignore[attr-defined]
        finished = self._done.get(start)
        if finished is None:
            style(cell)
            self._done[start] = copy(cell._style)  # type: ignore[attr-defined]
        else:
            cell._style = copy(finished)  # type: ignore[attr-defined]
