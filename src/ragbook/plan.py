"""A whole delivery plan: its settings and tables, rated together.

This is where the per-item rules meet the plan: the reporting period and
thresholds come from Settings, refs must be unique and belong to a known
outcome, and the milestone report and exceptions are gathered for the
report. Readers (the workbook file, the Excel add-in) build a :class:`Plan`;
the result is the same whichever way the plan arrived.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

import pandas as pd

from ragbook.action_table import rate_actions
from ragbook.actions import CHECKS
from ragbook.appendix.theme import APPENDIX_SETTINGS, read_appendix_settings
from ragbook.calendar import FinancialYear, ReportingPeriod, parse_quarter, read_date
from ragbook.commentary import (
    AREAS_FOR_IMPROVEMENT,
    SECTION,
    ContradictedSentence,
    ExceptionItem,
    contradicted_sentences,
    find_exceptions,
)
from ragbook.measure_table import rate_measures
from ragbook.numbers import NotANumber, read_number, show_threshold
from ragbook.problems import Problem, SheetRow, Shown, problem
from ragbook.ratings import (
    DEFAULT_AMBER,
    DEFAULT_RED,
    count_ratings,
    fold,
    is_blank,
)
from ragbook.schema import SETTING_NAMES
from ragbook.tables import Ratings


@dataclass(frozen=True)
class PlanSettings:
    """The Settings table, read."""

    period: ReportingPeriod
    organisation: str = ""
    plan_title: str = "Council Plan Delivery Plan"
    amber: float = DEFAULT_AMBER
    red: float = DEFAULT_RED
    template_version: int | None = None


def read_settings(values: dict[str, object], where: dict[str, object] | None = None,
                  as_of: date | None = None) -> tuple[PlanSettings | None, list[Problem]]:
    """Settings from ``{"Plan year": "2018/19", ...}``; None when the period cannot be known.

    ``where`` maps each setting to its row label (for problem places); ``as_of``
    overrides the setting.
    """
    where = where or {}
    folded = {fold(k): v for k, v in values.items()}
    problems: list[Problem] = []

    def flag(name: str, code: str, expected: str) -> None:
        problems.append(problem(code, folded.get(fold(name)), expected, row=where.get(name),
                                column="Value"))

    year, quarter = None, None
    try:
        year = FinancialYear.parse(folded.get("plan year", ""))
    except ValueError:
        flag("Plan year", "bad-plan-year", "a financial year such as 2018/19")
    try:
        quarter = parse_quarter(folded.get("reporting quarter", ""))
    except ValueError:
        flag("Reporting quarter", "bad-quarter", "a quarter: Q1, Q2, Q3 or Q4")
    day = as_of or read_date(folded.get("as-of date"))
    if day is None and not is_blank(folded.get("as-of date")) and as_of is None:
        flag("As-of date", "bad-date", "a date such as 30/06/2018, or blank for the quarter end")
    thresholds = []
    for name, default in (("Amber threshold", DEFAULT_AMBER), ("Red threshold", DEFAULT_RED)):
        try:
            number = read_number(folded.get(fold(name)), fraction=True)
        except NotANumber:
            number = None
            flag(name, "bad-threshold", "a percentage such as 5%")
        else:
            if number is not None and not 0 <= number <= 1:
                flag(name, "bad-threshold", "a percentage such as 5% (0.05)")
                number = None
        thresholds.append(default if number is None else number)
    if thresholds[0] > thresholds[1]:
        problems.append(problem(
            "amber-above-red", Shown(show_threshold(thresholds[0])),
            f"an amber threshold no larger than the red threshold "
            f"({show_threshold(thresholds[1])})", row=where.get("Amber threshold"),
            column="Value"))
    problems.extend(_other_settings(values, where))
    if year is not None and quarter is not None and day is not None:
        period = ReportingPeriod(year, quarter, day)
        if not period.start <= day <= period.end + timedelta(days=92):
            problems.append(problem(
                "as-of-outside-quarter", day.strftime("%d/%m/%Y"),
                f"a date in {period.label} (or soon after it), or blank for the quarter's end, "
                f"{period.end:%d/%m/%Y}", row=where.get("As-of date"), column="Value",
                severity="warning"))
    version = folded.get("template version")
    if year is None or quarter is None:
        return None, problems
    return PlanSettings(
        period=ReportingPeriod(year, quarter, day),
        organisation=_text(folded.get("organisation")),
        plan_title=_text(folded.get("plan title")) or "Council Plan Delivery Plan",
        amber=thresholds[0], red=thresholds[1],
        template_version=int(version) if isinstance(version, int | float)
        and not is_blank(version) else None,
    ), problems


KNOWN_SETTINGS = (*SETTING_NAMES, *APPENDIX_SETTINGS)


def _other_settings(values: dict[str, object], where: dict[str, object]) -> list[Problem]:
    """A setting ragbook does not know (misspelt, it would be ignored), and an appendix
    setting that cannot be used: said, never passed over."""
    problems = []
    known = {fold(name) for name in KNOWN_SETTINGS}
    for name in values:
        if fold(name) not in known:
            close = difflib.get_close_matches(name, KNOWN_SETTINGS, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            listed = ", ".join(KNOWN_SETTINGS)
            problems.append(problem(
                "unknown-setting", name, f"one of the settings ragbook reads ({listed}){hint}",
                row=where.get(name), column="Setting", severity="warning"))
    _, refused = read_appendix_settings(values)
    for name, expected in refused.items():
        value = next((v for k, v in values.items() if fold(k) == fold(name)), None)
        problems.append(problem("bad-appendix-setting", value, expected + "; the default is "
                                "used until then", row=where.get(name), column="Value",
                                severity="warning"))
    return problems


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    return "" if is_blank(value) else str(value).strip()


@dataclass
class Plan:
    """A plan's settings and its tables as frames (columns named as in the schema)."""

    settings: PlanSettings
    outcomes: pd.DataFrame
    actions: pd.DataFrame
    measures: pd.DataFrame
    commentary: pd.DataFrame


class MilestoneItem(NamedTuple):
    """One line of the milestone report."""

    check: str
    ref: str
    outcome: str
    action: str
    milestone: str
    detail: str


@dataclass
class PlanResult:
    """Everything rating a plan produces."""

    plan: Plan
    actions: Ratings
    measures: Ratings
    problems: list[Problem] = field(default_factory=list)

    @cached_property
    def milestones(self) -> list[MilestoneItem]:
        """The milestone report (worked out when first asked for)."""
        return _milestone_report(self.plan.actions, self.actions)

    @cached_property
    def exceptions(self) -> list[ExceptionItem]:
        """Every red, amber or declining item, and whether the commentary mentions it
        (worked out when first asked for)."""
        return _exceptions(self.plan, self.actions, self.measures, self.improvement_text)

    @cached_property
    def contradicted(self) -> list[ContradictedSentence]:
        """Where the report's standard sentence for Areas for improvement ("No actions
        relevant to this area") would print beside red, amber or declining items."""
        return contradicted_sentences(self.exceptions, self.improvement_text)

    @cached_property
    def improvement_text(self) -> dict[tuple[str, str], str]:
        """The Areas for improvement commentary of each (outcome, supporting outcome)."""
        return _improvement_text(self.plan)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def uncommented(self) -> list[ExceptionItem]:
        """Red, amber or declining items that the commentary does not mention."""
        return [item for item in self.exceptions if not item.mentioned]

    def counts(self) -> dict[str, int]:
        """Ratings across actions and measures, every item counted once:
        ``{"R": 11, "A": 37, "G": 70, "No data": 0, "n/a": 0, "Not rated": 0}``."""
        return count_ratings(self.actions.table["RAG"].tolist()
                             + self.measures.table["RAG"].tolist())

    @property
    def items(self) -> int:
        """How many actions and measures the plan has."""
        return len(self.actions.table) + len(self.measures.table)


def counts_text(counts: dict[str, int], *, zeros: bool = True) -> str:
    """``R 9, A 36, G 70, No data 0, n/a 0, Not rated 3 (118 items)``: every item counted
    once, so the figures add up to the plan (``zeros=False`` leaves out the zero counts)."""
    shown = ", ".join(f"{name} {count}" for name, count in counts.items() if zeros or count)
    total = sum(counts.values())
    return f"{shown} ({total} item{'' if total == 1 else 's'})"


def _items(frame: pd.DataFrame, column: str) -> Iterable[tuple[Hashable, object]]:
    """(row, value) for a column, quickly (pandas' own iteration is slow)."""
    return zip(frame.index.tolist(), frame[column].tolist(), strict=True)


def check_plan(plan: Plan) -> list[Problem]:
    """Problems across tables: an empty plan, duplicate refs, unknown outcomes, unknown
    sections."""
    found: list[Problem] = []
    if plan.actions.empty and plan.measures.empty:
        found.append(Problem(
            code="empty-plan", place="Actions and Measures sheets",
            found="no actions and no measures",
            expected="the plan's actions on the Actions sheet and its key outcome indicators "
                     "on the Measures sheet, one row each (see the Instructions sheet)"))
    outcomes = {str(v).strip() for v in plan.outcomes["Outcome"] if not is_blank(v)}
    for name, frame in (("Actions", plan.actions), ("Measures", plan.measures)):
        seen: dict[str, object] = {}
        for row, value in _items(frame, "Ref"):
            ref = _text(value)
            if not ref:
                found.append(problem("blank-ref", None, f"a ref for every row of {name}",
                                     row=row, column="Ref"))
            elif ref in seen:
                first = seen[ref]
                number = first.number if isinstance(first, SheetRow) else first
                found.append(problem("duplicate-ref", ref,
                                     f"a ref used once only (it is also in row {number})",
                                     row=row, column="Ref"))
            else:
                seen[ref] = row
        for row, outcome in _items(frame, "Outcome"):
            if _text(outcome) not in outcomes:
                found.append(problem("unknown-outcome", outcome,
                                     "an outcome listed in the Outcomes sheet", row=row,
                                     column="Outcome"))
    for row, outcome in _items(plan.commentary, "Outcome"):
        if _text(outcome) not in outcomes:
            found.append(problem("unknown-outcome", outcome,
                                 "an outcome listed in the Outcomes sheet", row=row,
                                 column="Outcome"))
    if "Section" in plan.commentary:
        for row, section in _items(plan.commentary, "Section"):
            if SECTION.read(section) is None:
                found.append(problem("blank-choice" if is_blank(section) else "unknown-choice",
                                     section, SECTION.expected, row=row, column="Section"))
    return found


def rate_plan(plan: Plan, *, explain: bool = True) -> PlanResult:
    """Rate every action and measure of a plan, and gather its reports."""
    settings = plan.settings
    actions = rate_actions(plan.actions, settings.period)
    measures = rate_measures(plan.measures, period=settings.period, amber=settings.amber,
                             red=settings.red, explain=explain)
    return PlanResult(plan, actions, measures,
                      check_plan(plan) + actions.problems + measures.problems)


def _milestone_report(frame: pd.DataFrame, rated: Ratings) -> list[MilestoneItem]:
    items: list[MilestoneItem] = []
    columns = [frame[name].tolist() if name in frame else [None] * len(frame)
               for name in ("Ref", "Outcome", "Action", "Milestone")]
    for i, rating in enumerate(rated.items):
        for check in rating.checks:
            ref, outcome, action, milestone = (_text(values[i]) for values in columns)
            items.append(MilestoneItem(check.check, ref, outcome, action, milestone,
                                       check.detail))
    order = {name: i for i, name in enumerate(CHECKS)}
    return sorted(items, key=lambda item: order[item.check])


def _column(frame: pd.DataFrame, name: str) -> list[str]:
    if name not in frame.columns:
        return [""] * len(frame)
    return [_text(value) for value in frame[name].to_numpy(dtype=object)]


def _improvement_text(plan: Plan) -> dict[tuple[str, str], str]:
    """The Areas for improvement commentary of each (outcome, supporting outcome)."""
    notes = plan.commentary
    improvement: dict[tuple[str, str], str] = {}
    wanted = fold(AREAS_FOR_IMPROVEMENT)
    for outcome, supporting, section, text in zip(
            _column(notes, "Outcome"), _column(notes, "Supporting outcome"),
            _column(notes, "Section"), _column(notes, "Text"), strict=True):
        if fold(section) == wanted:
            key = (outcome, supporting)
            improvement[key] = f"{improvement.get(key, '')} {text}"
    return improvement


def _exceptions(plan: Plan, actions: Ratings, measures: Ratings,
                improvement: dict[tuple[str, str], str]) -> list[ExceptionItem]:
    items: list[tuple[str, str, str, str, str, str]] = []
    for kind, frame, rated in (("action", plan.actions, actions),
                               ("measure", plan.measures, measures)):
        items.extend(zip([kind] * len(frame), _column(frame, "Ref"), _column(frame, "Outcome"),
                         _column(frame, "Supporting outcome"),
                         rated.table["RAG"].to_numpy(dtype=object),
                         rated.table["Direction"].to_numpy(dtype=object), strict=True))
    return find_exceptions(items, improvement)
