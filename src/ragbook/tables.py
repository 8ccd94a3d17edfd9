"""What the rating engine hands back for a whole table, and how it finds its columns.

Headers are matched case- and space-insensitively, so ``previous  actual``
finds ``Previous actual``. Columns ragbook does not know are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ragbook.problems import Problem, problem
from ragbook.ratings import fold, is_blank


@dataclass
class Ratings:
    """The rated table (the input's index, ragbook's columns) and the problems found."""

    table: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    """Per-row details, where the engine has them (an ActionRating per action)."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def counts(self, column: str = "RAG") -> dict[str, int]:
        """How many rows have each value in a column, e.g. ``{"G": 30, "A": 12}``."""
        return {str(k): int(v) for k, v in self.table[column].value_counts(sort=False).items()}


class Columns:
    """A frame's columns, found by their officer names."""

    def __init__(self, frame: pd.DataFrame, known: Iterable[str]) -> None:
        self.frame = frame
        by_fold = {fold(name): name for name in frame.columns if isinstance(name, str)}
        self.names = {name: by_fold[fold(name)] for name in known if fold(name) in by_fold}

    def has(self, name: str) -> bool:
        return name in self.names

    def get(self, name: str) -> pd.Series | None:
        """The column, or None when the frame does not have it."""
        actual = self.names.get(name)
        return None if actual is None else self.frame[actual]

    def label(self, name: str) -> str:
        """The column's name as the frame spells it (for problem places)."""
        return self.names.get(name, name)

    def missing(self, required: Iterable[str], table: str) -> list[Problem]:
        return [problem("missing-column", None, f'a column "{name}" in {table}', column=name)
                for name in required if name not in self.names]


def blank_mask(series: pd.Series) -> np.ndarray:
    """True where a cell is empty (None, NaN or only spaces)."""
    if series.dtype.kind in "fiub":
        return series.isna().to_numpy()
    values = series.to_numpy(dtype=object)
    return np.fromiter((is_blank(v) for v in values), dtype=bool, count=len(values))
