"""A rated plan as plain rows, for other tools (CSV, JSON).

Every row is one action or measure with the plan's organisation, title, period and as-of
date, every officer column of the Actions and Measures tables (taken from the workbook
schema, so a new column is exported without changing this file), and ragbook's results:
the rating, the computed rating, the arrow, the target used, the milestone columns, the
reason and the number of problems at the row. Rows of several quarters (or plans) stack
into one table; ``Period`` tells them apart.

CSV and JSON hold the same columns, in the same order, with the same types: numbers are
numbers (as ragbook reads them: ``"1,250"`` is 1250; words in a number cell are blank,
and counted in ``Problems``), blanks are empty (CSV) or null (JSON), dates are ISO text
(``2018-06-30``) and everything else is text.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any, Literal

from ragbook import schema
from ragbook.numbers import NotANumber, read_number
from ragbook.plan import PlanResult
from ragbook.problems import Problem
from ragbook.ratings import is_blank

ColumnType = Literal["text", "number", "date", "whole number"]

TITLE_SOURCES = {"action": "Action", "measure": "Measure"}
"""Each table's description column, exported as ``Title``."""

TARGET_USED = "Target used"
"""The figure the actual was compared with: this quarter's target (``Quarter target``, or
``Target`` as profiled), or for a ``Within range`` measure the bound it was measured
against. Blank when nothing was compared (no data, n/a, not rated, or an action)."""

PLAN_COLUMNS: tuple[str, ...] = ("Organisation", "Plan", "Period", "As-of date", "Kind")
"""The plan and the kind of item, on every row, so that quarters and plans stack."""

_KIND_TYPES: dict[str, ColumnType] = {"number": "number", "fraction": "number",
                                      "whole number": "number",  # blank cells: not int64
                                      "date": "date", "datetime": "date"}


def _columns() -> dict[str, ColumnType]:
    """Every exported column, in order, with its type (from the schema)."""
    columns: dict[str, ColumnType] = {name: "date" if name == "As-of date" else "text"
                                      for name in PLAN_COLUMNS}
    tables = (schema.ACTIONS, schema.MEASURES)
    for column in (column for table in tables for column in table.inputs):
        name = "Title" if column.name in TITLE_SOURCES.values() else column.name
        columns.setdefault(name, _KIND_TYPES.get(column.kind, "text"))
    for column in (column for table in tables for column in table.outputs):
        columns.setdefault(column.name, _KIND_TYPES.get(column.kind, "text"))
        if column.name == "RAG":
            columns.setdefault("Computed RAG", "text")
        elif column.name == "Direction":
            columns.setdefault(TARGET_USED, "number")
    columns["Problems"] = "whole number"
    return columns


COLUMNS: dict[str, ColumnType] = _columns()
"""Every exported column, in order, with its type; the JSON export carries it as
``"columns"``."""

ITEM_COLUMNS: tuple[str, ...] = tuple(COLUMNS)
"""Every exported row has these keys, in this order (blank where they do not apply)."""

DTYPES: dict[str, str] = {name: {"number": "float64", "whole number": "int64"}.get(kind, "string")
                          for name, kind in COLUMNS.items()}
"""pandas dtypes that read the CSV and the JSON into the same frame:
``pd.read_csv(path, encoding="utf-8-sig", dtype=DTYPES, keep_default_na=False,
na_values=[""])`` and ``pd.DataFrame(data["items"]).astype(DTYPES)``. A CSV carries no
types: without ``dtype`` pandas takes refs such as 1.10 for numbers (1.1), and an empty
column for numbers too; without ``keep_default_na=False`` the rating ``n/a`` for missing."""

_RESULT_NAMES = {TARGET_USED: "Compared with"}
"""Exported columns that the rating engine names differently."""


def _text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return _date(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _date(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _text(value)


def _number(value: object, fraction: bool = False) -> float | None:
    try:
        return read_number(value, fraction=fraction)
    except NotANumber:  # words where a number belongs: a problem at the row
        return None


_FRACTIONS = frozenset(column.name for table in (schema.ACTIONS, schema.MEASURES)
                       for column in table.columns if column.kind == "fraction")
"""Columns whose ``5%`` typed as text means 0.05 (thresholds, change band)."""


def _value(name: str, value: object) -> Any:
    kind = COLUMNS[name]
    if kind == "number":
        return _number(value, fraction=name in _FRACTIONS)
    if kind == "date":
        return _date(value)
    return _text(value)


def _problems_per_row(result: PlanResult,
                      problems: Iterable[Problem]) -> dict[str, Counter[Hashable]]:
    """How many problems each row of each table has (a row label found in one table only)."""
    labels = {"action": set(result.plan.actions.index), "measure": set(result.plan.measures.index)}
    counts: dict[str, Counter[Hashable]] = {kind: Counter() for kind in labels}
    for found in problems:
        if found.row is None:
            continue
        homes = [kind for kind, rows in labels.items() if found.row in rows]
        if len(homes) == 1:
            counts[homes[0]][found.row] += 1
    return counts


def item_rows(result: PlanResult, problems: Iterable[Problem] | None = None
              ) -> list[dict[str, Any]]:
    """One row per action, then per measure: the plan's period, the item's inputs, its
    rating, direction, target used and reason, and how many of ``problems`` (default: the
    result's) are at its row."""
    settings = result.plan.settings
    plan = {"Organisation": settings.organisation or None, "Plan": settings.plan_title,
            "Period": settings.period.label, "As-of date": settings.period.as_of.isoformat()}
    per_row = _problems_per_row(result, result.problems if problems is None else problems)
    rows = []
    for kind, table, frame, rated in (
            ("action", schema.ACTIONS, result.plan.actions, result.actions),
            ("measure", schema.MEASURES, result.plan.measures, result.measures)):
        sources = {("Title" if column.name == TITLE_SOURCES[kind] else column.name):
                   frame[column.name].tolist()
                   for column in table.inputs if column.name in frame.columns}
        for name in ITEM_COLUMNS[ITEM_COLUMNS.index("RAG"):]:
            found = _RESULT_NAMES.get(name, name)
            if found in rated.table.columns:
                sources[name] = rated.table[found].tolist()
        for i, label in enumerate(frame.index):
            row: dict[str, Any] = dict.fromkeys(ITEM_COLUMNS)
            row.update(plan, Kind=kind)
            for name, values in sources.items():
                row[name] = _value(name, values[i])
            row["Problems"] = per_row[kind][label]
            rows.append(row)
    return rows


def not_rated(rows: Iterable[dict[str, Any]]) -> int:
    """How many exported rows have no rating (problems at the row stopped it)."""
    return sum(row["RAG"] is None for row in rows)


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


def export_json(result: PlanResult, rows: list[dict[str, Any]],
                problems: Sequence[Problem]) -> str:
    """The JSON export: the plan's summary, its columns and their types, one item per row,
    and every problem (text exactly as in the workbook: JSON is not opened as a sheet)."""
    document = {**summary(result), "not_rated": not_rated(rows), "columns": COLUMNS,
                "items": rows, "problems": [p.as_dict() for p in problems]}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def export_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The CSV export's text (write it as ``utf-8-sig``: :data:`CSV_ENCODING`)."""
    out = io.StringIO(newline="")
    write_csv(out, ITEM_COLUMNS, ([row[name] for name in ITEM_COLUMNS] for row in rows))
    return out.getvalue()


CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark, so that Excel shows ↑ → ↓ and accents as they are."""


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
