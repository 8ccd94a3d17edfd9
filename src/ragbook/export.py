"""A rated plan as plain rows, for other tools (CSV, JSON)."""

from __future__ import annotations

from datetime import date
from typing import Any

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
