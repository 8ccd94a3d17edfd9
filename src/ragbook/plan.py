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
from ragbook.choices import POLARITY, RANGE
from ragbook.commentary import (
    AREAS_FOR_IMPROVEMENT,
    SECTION,
    ContradictedSentence,
    ExceptionItem,
    contradicted_sentences,
    find_exceptions,
)
from ragbook.measure_series import Series, measure_series
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
from ragbook.variation import DEFAULT as SPC_DEFAULT
from ragbook.variation import SPC_SETTINGS, TOO_FEW, SpcSettings, read_spc_settings, spc_many


@dataclass(frozen=True)
class PlanSettings:
    """The Settings table, read."""

    period: ReportingPeriod
    organisation: str = ""
    plan_title: str = "Council Plan Delivery Plan"
    amber: float = DEFAULT_AMBER
    red: float = DEFAULT_RED
    template_version: int | None = None
    spc: SpcSettings = SPC_DEFAULT
    """How variation and assurance are worked out (the SPC rows of Settings)."""


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
        spc=read_spc_settings(values)[0],
    ), problems


KNOWN_SETTINGS = (*SETTING_NAMES, *APPENDIX_SETTINGS, *SPC_SETTINGS)


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
    refused.update(read_spc_settings(values)[1])
    for name, expected in refused.items():
        value = next((v for k, v in values.items() if fold(k) == fold(name)), None)
        code = "bad-spc-setting" if name in SPC_SETTINGS else "bad-appendix-setting"
        problems.append(problem(code, value, expected + "; the default is "
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
    series: pd.DataFrame | None = None
    """The optional Series table: monthly or quarterly figures for some measures."""
    history: pd.DataFrame | None = None
    """The History table's rows: past quarters, kept by roll-forward."""


class VariationConcern(NamedTuple):
    """A measure whose variation icon is concern, with the reason."""

    ref: str
    variation: str
    assurance: str
    why: str


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

    @cached_property
    def concerns(self) -> list[VariationConcern]:
        """Measures whose latest figure is a special cause of concern (Making Data Count)."""
        table = self.measures.table
        if "SPC" not in table or table.empty:
            return []
        refs = _column(self.plan.measures, "Ref")
        found = []
        for ref, value in zip(refs, table["SPC"].tolist(), strict=True):
            if value is None:
                continue
            result, _ = value
            if result.variation.startswith("concern"):
                found.append(VariationConcern(ref, result.variation, result.assurance,
                                              result.why))
        return found

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
    found = _add_variation(plan, measures)
    return PlanResult(plan, actions, measures,
                      check_plan(plan) + actions.problems + measures.problems + found)


def _add_variation(plan: Plan, measures: Ratings) -> list[Problem]:
    """Variation and Assurance (Making Data Count) for every measure, from its History and
    Series figures and this quarter's actual; the reason goes on the end of Why once there
    are enough figures for the icons. The results themselves go in ``SPC``."""
    table, frame = measures.table, plan.measures
    problems: list[Problem] = []
    size = len(table)
    if not size:
        for name in ("Variation", "Assurance", "SPC"):
            table[name] = pd.Series(dtype=object)
        return problems
    refs = frame["Ref"].tolist() if "Ref" in frame else [None] * size
    actuals = [None if v != v else float(v) for v in table["Actual figure"].tolist()]
    runs = measure_series(refs, actuals, plan.settings.period, plan.history, plan.series,
                          problems)
    polarities = [POLARITY.read(v) for v in
                  (frame["Polarity"].tolist() if "Polarity" in frame else [None] * size)]
    units = [_text(v) for v in (frame["Unit"].tolist() if "Unit" in frame else [""] * size)]
    chosen = [i for i in range(size) if polarities[i] is not None]
    low, high = table["Range low figure"].tolist(), table["Range high figure"].tolist()
    targets = [((None if low[i] != low[i] else low[i]), (None if high[i] != high[i] else high[i]))
               if polarities[i] == RANGE else
               (None if table["Target figure"].iat[i] != table["Target figure"].iat[i]
                else float(table["Target figure"].iat[i])) for i in chosen]
    baselines = _baselines(frame, size, problems)
    results = spc_many([_values(runs[i]) for i in chosen],
                       [str(polarities[i]) for i in chosen], targets,
                       units=[units[i] for i in chosen], settings=plan.settings.spc,
                       baselines=[baselines[i] for i in chosen])
    variation: list[object] = [None] * size
    assurance: list[object] = [None] * size
    spc: list[object] = [None] * size
    for i, result in zip(chosen, results, strict=True):
        variation[i], assurance[i], spc[i] = result.variation, result.assurance, \
            (result, runs[i])
    table["Variation"], table["Assurance"], table["SPC"] = variation, assurance, spc
    if "Why" in table:
        why = table["Why"].tolist()
        for i, result in zip(chosen, results, strict=True):
            if result.variation != TOO_FEW and isinstance(why[i], str):
                why[i] = f"{why[i]}. Variation: {result.why}"
        table["Why"] = why
    return problems


def _baselines(frame: pd.DataFrame, size: int, problems: list[Problem]) -> list[int | None]:
    """Each measure's own SPC baseline (None: the Settings'); a value that is no whole
    number of at least 2 is a warning at its cell."""
    if "SPC baseline" not in frame:
        return [None] * size
    found: list[int | None] = []
    for row, value in zip(frame.index, frame["SPC baseline"].tolist(), strict=True):
        if is_blank(value):
            found.append(None)
            continue
        number = value if isinstance(value, int | float) and not isinstance(value, bool) \
            else None
        if number is None or number != int(number) or number < 2:
            problems.append(problem("bad-spc-baseline", value, "a whole number of at least 2 "
                                    "(the figures the limits are fixed on), or blank",
                                    row=row, column="SPC baseline", severity="warning"))
            found.append(None)
            continue
        found.append(int(number))
    return found


def _values(series: Series | None) -> tuple[float | None, ...]:
    return series.values if series is not None else ()


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
