"""A rated plan as plain rows, for other tools (CSV, JSON)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, Any

from ragbook.plan import PlanResult
from ragbook.ratings import is_blank

ITEM_COLUMNS = (
    "Kind", "Ref", "Outcome", "Supporting outcome", "Title", "Milestone", "Status",
    "Recovery plan", "Previous RAG", "Unit", "Polarity", "Target", "Quarter target", "Actual",
    "Previous actual", "Last year actual", "Override RAG", "Override reason", "RAG",
    "Computed RAG", "Direction", "Milestone due", "Milestone check", "Why",
)
"""Every exported row has these keys (blank where they do not apply)."""


def _plain(value: object) -> Any:
    if is_blank(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def item_rows(result: PlanResult) -> list[dict[str, Any]]:
    """One row per action, then per measure, with inputs, rating, direction and reason."""
    rows = []
    for kind, frame, rated, title in (
        ("action", result.plan.actions, result.actions, "Action"),
        ("measure", result.plan.measures, result.measures, "Measure"),
    ):
        for label in frame.index:
            row: dict[str, Any] = {name: None for name in ITEM_COLUMNS}
            row["Kind"] = kind
            for name in ITEM_COLUMNS:
                if name in frame.columns:
                    row[name] = _plain(frame.at[label, name])
                if name in rated.table.columns:
                    row[name] = _plain(rated.table.at[label, name])
            row["Title"] = _plain(frame.at[label, title]) if title in frame.columns else None
            rows.append(row)
    return rows


def summary(result: PlanResult) -> dict[str, Any]:
    """The plan's period and counts, for the head of a JSON export or a batch summary."""
    settings = result.plan.settings
    return {
        "organisation": settings.organisation,
        "plan": settings.plan_title,
        "period": settings.period.label,
        "as_of": settings.period.as_of.isoformat(),
        "amber_threshold": settings.amber,
        "red_threshold": settings.red,
        "actions": len(result.actions.table),
        "measures": len(result.measures.table),
        "ratings": result.counts(),
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection)."""


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd|...``,
    ``@SUM(1)``) with a ``'`` in front, so that Excel and LibreOffice show it as text;
    numbers, and all other text, as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """CSV for opening in a spreadsheet: no text cell can become a formula."""
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(name) for name in header])
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
