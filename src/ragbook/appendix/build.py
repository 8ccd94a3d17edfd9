"""Building the appendix from a rated plan, in the order of the published report.

1. Title and period; the RAG key with the thresholds used; the arrows.
2. For each outcome (each on a new page) and each of its supporting outcomes:
   the Key Action Updates table and the four commentary sections.
3. For each outcome, its Key Outcome Indicators table and commentary.

Beyond the seed report, on sheets of their own: a summary (ratings per outcome,
the change since last quarter, a chart), the exceptions (every red, amber or
declining item with its commentary) and the milestone check.

All of that is report content, for Cabinet. What the officer must check first (items
the commentary does not mention, standard sentences a rating contradicts, data
issues) is on the Officer's checklist, a sheet the web page and the PDF leave out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import cast

import pandas as pd

from ragbook import schema
from ragbook.appendix import metrics
from ragbook.appendix.icons import (
    CHART_DATA,
    TREND_HEIGHT,
    VARIATION_SHEET,
    ChartData,
    icon_cell,
    trend_chart,
    trend_of,
    variation_key,
)
from ragbook.appendix.layout import Appendix, Cell, Chart, PageSetup, Row, Sheet
from ragbook.appendix.pages import Block, Pages
from ragbook.appendix.theme import Theme
from ragbook.calendar import long_date
from ragbook.commentary import (
    AREAS_FOR_IMPROVEMENT,
    HEADINGS,
    SECTIONS,
    STANDARD_SENTENCES,
    STANDARD_SENTENCES_FOR_MEASURES,
    exceptions_sentence,
    mentioned_refs,
)
from ragbook.measure_series import Series
from ragbook.numbers import show_threshold
from ragbook.plan import PlanResult
from ragbook.problems import Problem, column_letter
from ragbook.ratings import (
    ARROW_NAMES,
    COUNTED,
    DECLINING,
    IMPROVING,
    NO_DATA,
    NOT_APPLICABLE,
    SUSTAINED,
    count_ratings,
    fold,
    is_blank,
)
from ragbook.variation import SpcResult

REPORT = "Progress report"
SUMMARY = "Summary"
EXCEPTIONS = "Exceptions"
MILESTONES = "Milestone check"
CHECKLIST = "Officer's checklist"
DATA_ISSUES = "Data issues"
"""The sheet earlier versions wrote the data issues on (now part of the checklist)."""

REPORT_COLUMNS = [9, 66, 20, 12, 22]
DIRECTION_HEADER = ("Direction of travel since last report (improving/ sustained/ "
                    "declining)")
CHARTED = ("R", "A", "G", NO_DATA)
"""The ratings the summary's charts stack."""


def _text(value: object) -> str:
    return "" if is_blank(value) else str(value).strip()


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


class _Plan:
    """The rated plan, arranged the way the report walks through it."""

    def __init__(self, result: PlanResult) -> None:
        self.result = result
        plan = result.plan
        self.settings = plan.settings
        self.outcomes = [(_text(o), _text(t)) for o, t in
                         zip(plan.outcomes["Outcome"], plan.outcomes["Title"], strict=True)
                         if not is_blank(o)]
        rated = ["RAG", "Direction"]  # this run's ratings, not what the workbook held
        self.actions = plan.actions.drop(columns=rated, errors="ignore").join(
            result.actions.table[rated])
        spc = [name for name in ("Variation", "Assurance", "SPC")
               if name in result.measures.table]
        self.measures = plan.measures.drop(columns=rated + spc, errors="ignore").join(
            result.measures.table[rated + spc])
        self.notes: dict[tuple[str, str, str], str] = {}
        self.chart_data: ChartData | None = None
        commentary = plan.commentary
        for _, row in commentary.iterrows():
            key = (_text(row.get("Outcome")), _text(row.get("Supporting outcome")),
                   fold(row.get("Section", "")))
            self.notes[key] = "\n\n".join(filter(None, [self.notes.get(key, ""),
                                                        _text(row.get("Text"))]))

    def actions_of(self, outcome: str) -> pd.DataFrame:
        return self.actions[self.actions["Outcome"].map(_text) == outcome]

    def measures_of(self, outcome: str) -> pd.DataFrame:
        return self.measures[self.measures["Outcome"].map(_text) == outcome]

    def supporting_outcomes(self, outcome: str) -> list[str]:
        seen: dict[str, None] = {}
        frame = self.actions_of(outcome)
        if "Supporting outcome" in frame:
            for value in frame["Supporting outcome"]:
                seen.setdefault(_text(value), None)
        return list(seen)

    def note(self, outcome: str, supporting: str, section: str) -> str:
        return self.notes.get((outcome, supporting, fold(section)), "")

    @staticmethod
    def outcome_heading(outcome: str, title: str) -> str:
        """``OUTCOME 1: PEOPLE IN CUMBRIA ARE HEALTHY AND SAFE``; an outcome whose id is not a
        number (such as ``NW``) is headed by its title alone."""
        return f"OUTCOME {outcome}: {title.upper()}" if outcome.isdigit() else title.upper()


def build_appendix(result: PlanResult, theme: Theme | None = None,
                   problems: list[Problem] | None = None, *, link_problems: bool = False
                   ) -> Appendix:
    """The whole appendix for a rated plan (``problems`` placed at their cells).

    ``link_problems`` makes each data issue a link to its cell: for an appendix
    that lives inside the plan workbook.
    """
    plan = _Plan(result)
    theme = theme or Theme(logo_text=plan.settings.organisation)
    settings = plan.settings
    period = settings.period
    page = PageSetup(header_left=theme.logo_text or settings.organisation,
                     header_centre=f"{settings.plan_title} Progress Report",
                     header_right=f"{period.label} (to {long_date(period.as_of)})",
                     footer_left=theme.footer or settings.organisation)
    plan.chart_data = ChartData(theme, page)
    appendix = Appendix(title=f"{settings.plan_title} Progress Report",
                        period=period.progress_title, sheets=[])
    appendix.sheets.append(_report(plan, theme, page))
    appendix.sheets.append(_summary(plan, theme, page))
    appendix.sheets.append(_variation(plan, theme, page))
    appendix.sheets.append(_exceptions(plan, theme, page))
    appendix.sheets.append(_milestones(plan, theme, page))
    if plan.chart_data.sheet.rows:
        appendix.sheets.append(plan.chart_data.sheet)
    issues = problems if problems is not None else result.problems
    appendix.sheets.append(_checklist(plan, issues, theme, page, link_problems))
    return appendix


def _row(*cells: Cell, kind: str = "body", repeat: bool = False,
         caption: str | None = None) -> Row:
    return Row(list(cells), kind=kind, repeat=repeat, caption=caption)


def _wide(value: str, style: str, width: int, kind: str, level: int | None = None) -> Row:
    return Row([Cell(value, style, span=width)], kind=kind, level=level)


# --- The report, as published ------------------------------------------------------------


def _report(plan: _Plan, theme: Theme, page: PageSetup) -> Sheet:
    sheet = Sheet(REPORT, list(REPORT_COLUMNS), page=page)
    pages = Pages(sheet, theme)
    width = len(REPORT_COLUMNS)
    settings = plan.settings
    pages.add(Block([
        _wide(f"{settings.plan_title} Progress Report".upper(), "title", width, "title",
              level=1),
        _wide(f"({settings.period.progress_title})", "subtitle", width, "title"),
        _wide("", "body", width, "spacer"),
    ], keep=3))
    pages.add(Block(_rag_key(plan, width), keep=5))
    for number, (outcome, title) in enumerate(plan.outcomes):
        first = number > 0  # the first outcome shares the RAG key's page when it fits
        for supporting in plan.supporting_outcomes(outcome):
            _action_section(pages, plan, outcome, title, supporting, new_page=first)
            first = False
        _indicator_section(pages, plan, outcome, title, new_page=first)
    return sheet


def _rag_key(plan: _Plan, width: int) -> list[Row]:
    amber = show_threshold(plan.settings.amber)
    red = show_threshold(plan.settings.red)
    rows = [_row(Cell("RAG Alert", "table header"), Cell("Action Progress", "table header"),
                 Cell("Metric Progress", "table header", span=width - 2), kind="table header",
                 caption="RAG key: what each rating means for actions and for measures")]
    key = (
        ("R", "RED", "Has missed or is expected to miss a key milestone date in the current plan",
         f"Off target by greater than {red} (urgent action required to improve performance)"),
        ("A", "AMBER", "At risk of missing a key milestone date but recovery plan in place",
         f"Off target but within target by {amber}-{red} (some action required to improve "
         "performance)"),
        ("G", "GREEN", "On schedule or key milestone date met",
         f"On target, exceeding target, or within {amber} of target (action may be required to "
         "achieve further improvement)"),
    )
    for rating, name, action, metric in key:
        rows.append(_row(Cell(name, f"rag {rating}"), Cell(action, f"key {rating}"),
                         Cell(metric, f"key {rating}", span=width - 2), kind="key"))
    rows.append(_wide(f"Exactly {amber} off target is GREEN; exactly {red} off target is "
                      "AMBER. No data: no figure reported yet. n/a: not due this period.",
                      "note", width, "note"))
    rows.append(_wide(f"Direction of Travel arrows indicate whether performance is "
                      f"{IMPROVING} better, {DECLINING} worse, {SUSTAINED} stayed the same "
                      "since the last quarter", "body", width, "legend"))
    return rows


def _running_header(plan: _Plan, width: int) -> Row:
    return _wide(f"Delivery of {plan.settings.plan_title}: {plan.settings.period.year}",
                 "running header", width, "running header")


def _action_section(pages: Pages, plan: _Plan, outcome: str, title: str, supporting: str,
                    *, new_page: bool) -> None:
    width = len(REPORT_COLUMNS)
    year = plan.settings.period.year
    header = _row(Cell("Ref", "table header"), Cell(f"Action for {year}", "table header"),
                  Cell("Milestone", "table header"), Cell("RAG (against target)", "table header"),
                  Cell(DIRECTION_HEADER, "table header"), kind="table header", repeat=True,
                  caption=f"Key action updates for outcome {outcome}"
                          + (f", supporting outcome: {supporting}" if supporting else ""))
    heading = [
        _wide("", "body", width, "spacer"),
        _running_header(plan, width),
        _wide("Key Action Updates", "section", width, "section"),
        _wide(plan.outcome_heading(outcome, title), "outcome", width, "outcome", level=2),
        _wide(f"Supporting outcome: {supporting}" if supporting else "Supporting outcome",
              "supporting", width, "supporting outcome", level=3),
        header,
    ]
    frame = plan.actions_of(outcome)
    if "Supporting outcome" in frame:
        frame = frame[frame["Supporting outcome"].map(_text) == supporting]
    items = [_row(Cell(_text(row.get("Ref")), "item"), Cell(_text(row.get("Action")), "item"),
                  Cell(_text(row.get("Milestone")), "item"), _rag_cell(row["RAG"]),
                  _arrow_cell(row["Direction"]), kind="item")
             for _, row in frame.iterrows()]
    pages.add(Block(heading + items, keep=len(heading) + min(1, len(items)), header=[header],
                    new_page=new_page))
    _commentary(pages, plan, outcome, supporting, STANDARD_SENTENCES)


def _indicator_section(pages: Pages, plan: _Plan, outcome: str, title: str, *,
                       new_page: bool) -> None:
    frame = plan.measures_of(outcome)
    if frame.empty:
        return
    width = len(REPORT_COLUMNS)
    year = plan.settings.period.year
    header = _row(Cell("Ref", "table header"),
                  Cell(f"Measure for {year}", "table header", span=2),
                  Cell("RAG (against target)", "table header"),
                  Cell(DIRECTION_HEADER, "table header"), kind="table header", repeat=True,
                  caption=f"Key outcome indicators for outcome {outcome}")
    heading = [
        _wide("", "body", width, "spacer"),
        _running_header(plan, width),
        _wide(plan.outcome_heading(outcome, title), "outcome", width, "outcome", level=2),
        _wide("Key Outcome Indicators", "section", width, "section", level=3),
        header,
    ]
    items = [_row(Cell(_text(row.get("Ref")), "item"),
                  Cell(_text(row.get("Measure")), "item", span=2), _rag_cell(row["RAG"]),
                  _arrow_cell(row["Direction"]), kind="item")
             for _, row in frame.iterrows()]
    pages.add(Block(heading + items, keep=len(heading) + 1, header=[header], new_page=new_page))
    _indicator_variation(pages, plan, outcome, frame)
    _commentary(pages, plan, outcome, "", STANDARD_SENTENCES_FOR_MEASURES)


def _indicator_variation(pages: Pages, plan: _Plan, outcome: str, frame: pd.DataFrame) -> None:
    """Making Data Count's icons and a trend chart for each of the outcome's measures with
    enough figures; the others named in a line."""
    width = len(REPORT_COLUMNS)
    minimum = plan.settings.spc.minimum_points
    charted: list[tuple[Row, str, Series, SpcResult]] = []
    too_few: list[str] = []
    for _, row in frame.iterrows():
        ref = _text(row.get("Ref"))
        found = row.get("SPC")
        if not isinstance(found, tuple):
            continue
        result, series = cast(tuple[SpcResult, Series | None], found)
        trend = trend_of(ref, series, result, _text(row.get("Unit"))) if series else None
        if trend is None or series is None:
            too_few.append(ref)
            continue
        item = Row([Cell(ref, "item"), Cell(None, "trend", figure=trend),
                    icon_cell(row.get("Variation")), icon_cell(row.get("Assurance"), span=2)],
                   height=TREND_HEIGHT, kind="variation item")
        charted.append((item, ref, series, result))
    rows: list[Row] = []
    header = None
    if charted:
        header = _row(Cell("Ref", "table header"),
                      Cell("Trend: figures, mean (solid) and limits (dashed)", "table header"),
                      Cell("Variation", "table header"),
                      Cell("Assurance", "table header", span=2),
                      kind="table header", repeat=True,
                      caption=f"Variation and assurance of outcome {outcome}'s indicators "
                              "(Making Data Count)")
        rows = [_wide("Variation and Assurance", "commentary heading", width,
                      "variation heading", level=4), header, *(item for item, _, _, _ in charted)]
    if too_few:
        rows.append(_wide(f"Too few figures for variation and assurance ({minimum} needed): "
                          f"{', '.join(too_few)}.", "note", width, "note"))
    if not rows:
        return
    pages.add(Block(rows, keep=min(3, len(rows)), header=[header] if header else []))
    for item, ref, series, result in charted:
        number = next(i for i, placed in enumerate(pages.sheet.rows, start=1)
                      if placed is item)
        assert plan.chart_data is not None
        span = plan.chart_data.add(ref, series, result)
        pages.sheet.charts.append(trend_chart(ref, span, f"B{number}",
                                              width_cm=metrics.column_width_points(
                                                  REPORT_COLUMNS[1]) * 2.54 / 72))


def _variation(plan: _Plan, theme: Theme, page: PageSetup) -> Sheet:
    """Every measure's RAG, direction, variation and assurance side by side."""
    columns: list[float] = [8, 56, 9, 16, 19, 21, 9]
    sheet = Sheet(VARIATION_SHEET, columns, page=page)
    pages = Pages(sheet, theme)
    width = len(columns)
    settings = plan.settings.spc
    title = [
        _wide(f"Variation and assurance: {plan.settings.period.label}", "title", width,
              "title", level=2),
        _wide(f"({plan.settings.period.progress_title})", "subtitle", width, "title"),
        _wide("", "body", width, "spacer"),
    ]
    pages.add(Block([*title, *variation_key(width, settings.minimum_points)],
                    keep=len(title) + 1))
    screened = "screened" if settings.screen_outliers else "kept"
    baseline = (f", limits from the first {settings.baseline} figures" if settings.baseline
                else "")
    shown_settings = (f"Worked out with: shift {settings.shift_points} points, trend "
                      f"{settings.trend_points} points, two of three: {settings.two_of_three}, "
                      f"outlying moving ranges {screened}{baseline}.")
    pages.add(Block([_wide(shown_settings, "note", width, "note"),
                     _wide("", "body", width, "spacer")]))
    header = _row(Cell("Ref", "table header"), Cell("Measure", "table header"),
                  Cell("RAG", "table header"), Cell("Direction", "table header"),
                  Cell("Variation", "table header"), Cell("Assurance", "table header"),
                  Cell("Figures", "table header"), kind="table header", repeat=True,
                  caption="Every measure's RAG rating, direction of travel, variation and "
                          "assurance")
    items = []
    for outcome, _ in plan.outcomes:
        for _, row in plan.measures_of(outcome).iterrows():
            found = row.get("SPC")
            points = found[0].points if isinstance(found, tuple) else 0
            items.append(_row(Cell(_text(row.get("Ref")), "item"),
                              Cell(_text(row.get("Measure")), "item"),
                              _rag_cell(row["RAG"]), _arrow_cell(row["Direction"]),
                              icon_cell(row.get("Variation")), icon_cell(row.get("Assurance")),
                              Cell(points, "item number"), kind="item"))
    pages.add(Block([header, *items], keep=2, header=[header]))
    return sheet


def _rag_cell(rating: object) -> Cell:
    value = _text(rating)
    return Cell(value, f"rag {value}" if value in ("R", "A", "G", NO_DATA, NOT_APPLICABLE)
                else "rag ")


def _arrow_cell(arrow: object) -> Cell:
    return Cell(_text(arrow) or NOT_APPLICABLE, "arrow")


def _commentary(pages: Pages, plan: _Plan, outcome: str, supporting: str,
                standard: dict[str, str]) -> None:
    """The four commentary sections. An empty section prints the report's standard
    sentence, unless a rating contradicts it (red, amber or declining items under "No
    actions relevant to this area"): then the facts print instead, and the Officer's
    checklist asks for the commentary."""
    width = len(REPORT_COLUMNS)
    contradicted = {(c.outcome, c.supporting_outcome): c for c in plan.result.contradicted}
    for section in SECTIONS:
        text = plan.note(outcome, supporting, section)
        heading = _wide(HEADINGS[section], "commentary heading", width, "commentary heading",
                        level=4)
        against = contradicted.get((outcome, supporting))
        if text:
            body = [_wide(part, "commentary", width, "commentary") for part in _paragraphs(text)]
        elif section == AREAS_FOR_IMPROVEMENT and against is not None:
            body = [_wide(exceptions_sentence(against.items), "commentary", width,
                          "commentary")]
        else:
            body = [_wide(standard[section], "standard sentence", width, "commentary")]
        pages.add(Block([heading, *body], keep=2))


# --- Beyond the report: summary, exceptions, milestones, data issues ---------------------


COUNT_WIDTHS = (6, 6, 6, 8, 5, 8)
"""The widths of the summary's count columns (R, A, G, No data, n/a, Not rated)."""


def _summary(plan: _Plan, theme: Theme, page: PageSetup) -> Sheet:
    columns: list[float] = [30, *COUNT_WIDTHS, 1.5, *COUNT_WIDTHS, 1.5, 9, 9, 9]
    sheet = Sheet(SUMMARY, columns, page=page)
    pages = Pages(sheet, theme)
    width = len(columns)
    title = [
        _wide(f"Summary: {plan.settings.period.label}", "title", width, "title", level=2),
        _wide(f"({plan.settings.period.progress_title})", "subtitle", width, "title"),
        _wide("", "body", width, "spacer"),
    ]
    span = len(COUNTED)
    groups = _row(Cell("", "table header"), Cell("Actions", "table header", span=span),
                  Cell("", "body"), Cell("Measures", "table header", span=span),
                  Cell("", "body"),
                  Cell("Change since last quarter (actions and measures)", "table header",
                       span=3), kind="table header", repeat=True,
                  caption="Ratings per outcome, for actions and for measures, and the change "
                          "since last quarter")
    header = _row(Cell("Outcome", "table header"),
                  *[Cell(r, "table header") for r in COUNTED], Cell("", "body"),
                  *[Cell(r, "table header") for r in COUNTED], Cell("", "body"),
                  *[Cell(f"{a} {ARROW_NAMES[a]}", "table header")
                    for a in (IMPROVING, SUSTAINED, DECLINING)],
                  kind="table header", repeat=True)
    rows = []
    totals: Counter[tuple[str, str]] = Counter()
    for outcome, name in plan.outcomes:
        actions = count_ratings(plan.actions_of(outcome)["RAG"].tolist())
        measures = count_ratings(plan.measures_of(outcome)["RAG"].tolist())
        arrows = Counter(plan.actions_of(outcome)["Direction"]) + \
            Counter(plan.measures_of(outcome)["Direction"])
        for rating in COUNTED:
            totals[("action", rating)] += actions[rating]
            totals[("measure", rating)] += measures[rating]
        for arrow in (IMPROVING, SUSTAINED, DECLINING):
            totals[("arrow", arrow)] += arrows[arrow]
        rows.append(_row(Cell(f"{outcome}. {name}", "item"),
                         *[Cell(actions[r], "item number") for r in COUNTED],
                         Cell("", "body"),
                         *[Cell(measures[r], "item number") for r in COUNTED],
                         Cell("", "body"),
                         *[Cell(arrows[a], "item number")
                           for a in (IMPROVING, SUSTAINED, DECLINING)], kind="item"))
    rows.append(_row(Cell("All outcomes", "total"),
                     *[Cell(totals[("action", r)], "total number") for r in COUNTED],
                     Cell("", "body"),
                     *[Cell(totals[("measure", r)], "total number") for r in COUNTED],
                     Cell("", "body"),
                     *[Cell(totals[("arrow", a)], "total number")
                       for a in (IMPROVING, SUSTAINED, DECLINING)], kind="total"))
    before = len(sheet.rows)
    pages.add(Block([*title, groups, header, *rows], keep=len(title) + 3,
                    header=[groups, header]))
    placed = [number for number, row in enumerate(sheet.rows[before:], start=before + 1)
              if row.kind == "item"]
    note = ("Change since last quarter counts the direction-of-travel arrows of actions and "
            "measures together.")
    pages.add(Block([_wide(note, "note", width, "note"), _wide("", "body", width, "spacer")]))
    # A chart reads one block of cells: one row per outcome, none between them. A table that
    # ran onto a second page (repeating its headers), or an outcome too long for one row,
    # leaves the charts out rather than drawing the wrong rows.
    if not placed or len(placed) != len(plan.outcomes) or \
            placed[-1] - placed[0] != len(placed) - 1:
        return sheet
    first, last = placed[0], placed[-1]
    fills = {**schema.RAG_FILLS, NO_DATA: "A6A6A6"}
    anchor_row = len(sheet.rows) + 1
    measures_at = 2 + span + 1
    for name, first_column, anchor in (("Actions", 2, f"A{anchor_row}"),
                                       ("Measures", measures_at,
                                        f"{column_letter(measures_at)}{anchor_row}")):
        sheet.charts.append(Chart(
            title=f"{name} by rating, per outcome", kind="stacked bar",
            categories=(1, first, last),
            series=tuple((first_column + i, first, last, fills[r])
                         for i, r in enumerate(CHARTED)),
            anchor=anchor, width_cm=12.5 if name == "Actions" else 11.5, height_cm=8))
    chart_height = 8 * 72 / 2.54
    pages.space(chart_height)
    sheet.add(Row([Cell(None)], height=min(chart_height, 409.0), kind="chart"))
    return sheet


def _exceptions(plan: _Plan, theme: Theme, page: PageSetup) -> Sheet:
    columns: list[float] = [7, 9, 8, 40, 7, 10, 56]
    sheet = Sheet(EXCEPTIONS, columns, page=page)
    pages = Pages(sheet, theme)
    width = len(columns)
    header = _row(*[Cell(text, "table header") for text in (
        "Ref", "Kind", "Outcome", "Action or measure", "RAG", "Direction",
        "Commentary (areas for improvement)")], kind="table header", repeat=True,
        caption="Red, amber or declining items, with their commentary")
    title = [_wide(f"Exceptions: red, amber or declining items, {plan.settings.period.label}",
                   "title", width, "title", level=2),
             _wide("Every red or amber item, and every item whose direction is declining, "
                   "with the commentary that mentions it.", "note", width, "note"),
             _wide("", "body", width, "spacer")]
    rows = []
    texts = {**{_text(r): _text(t) for r, t in _pairs(plan.actions, "Action")},
             **{_text(r): _text(t) for r, t in _pairs(plan.measures, "Measure")}}
    for item in plan.result.exceptions:
        said = _mentions(plan, item.outcome,
                         item.supporting_outcome if item.kind == "action" else "", item.ref)
        rows.append(_row(Cell(item.ref, "item"), Cell(item.kind, "item"),
                         Cell(item.outcome, "item centre"), Cell(texts.get(item.ref, ""), "item"),
                         _rag_cell(item.rag), _arrow_cell(item.direction),
                         Cell(said, "item"), kind="item"))
    if not rows:
        rows.append(_wide("No red, amber or declining items this quarter.", "standard sentence",
                          width, "item"))
    pages.add(Block([*title, header, *rows], keep=len(title) + 2, header=[header]))
    return sheet


def _pairs(frame: pd.DataFrame, column: str) -> Iterable[tuple[object, object]]:
    if "Ref" not in frame or column not in frame:
        return []
    return zip(frame["Ref"], frame[column], strict=True)


def _mentions(plan: _Plan, outcome: str, supporting: str, ref: str) -> str:
    text = plan.note(outcome, supporting, AREAS_FOR_IMPROVEMENT)
    found = [part for part in _paragraphs(text) if ref.upper() in mentioned_refs(part)]
    return "\n\n".join(found)


def _milestones(plan: _Plan, theme: Theme, page: PageSetup) -> Sheet:
    columns: list[float] = [20, 7, 8, 52, 22, 26]
    sheet = Sheet(MILESTONES, columns, page=page)
    pages = Pages(sheet, theme)
    width = len(columns)
    period = plan.settings.period
    header = _row(*[Cell(text, "table header") for text in (
        "Check", "Ref", "Outcome", "Action", "Milestone", "Detail")],
        kind="table header", repeat=True,
        caption="Milestones overdue, due this quarter or next, and other milestone checks")
    title = [_wide(f"Milestone check, as of {period.as_of:%d/%m/%Y}", "title", width, "title",
                   level=2),
             _wide(f"Overdue, due this quarter ({period.label}), due next quarter "
                   f"({period.next().label}), and other milestone checks.", "note", width,
                   "note"),
             _wide("", "body", width, "spacer")]
    rows = [_row(Cell(item.check, "item"), Cell(item.ref, "item"),
                 Cell(item.outcome, "item centre"), Cell(item.action, "item"),
                 Cell(item.milestone, "item"), Cell(item.detail, "item"), kind="item")
            for item in plan.result.milestones]
    if not rows:
        rows.append(_wide("Nothing overdue, due this quarter or due next quarter.",
                          "standard sentence", width, "item"))
    pages.add(Block([*title, header, *rows], keep=len(title) + 2, header=[header]))
    return sheet


CHECKLIST_COLUMNS: list[float] = [13, 16, 8, 32, 8, 9, 56]


def _checklist(plan: _Plan, problems: list[Problem], theme: Theme, page: PageSetup,
               links: bool) -> Sheet:
    """What the officer checks before the report goes to Cabinet: not for publication."""
    columns = list(CHECKLIST_COLUMNS)
    sheet = Sheet(CHECKLIST, columns, page=page, published=False)
    pages = Pages(sheet, theme)
    width = len(columns)
    pages.add(Block([
        _wide("Officer's checklist: not for publication", "title", width, "title", level=2),
        _wide("What to check before the report goes to Cabinet. The web page and the PDF of "
              "the appendix leave this sheet out.", "note", width, "note"),
        _wide("", "body", width, "spacer"),
    ], keep=3))
    result = plan.result

    def table(heading: str, header: Row, rows: list[Row], nothing: str) -> None:
        rows = rows or [_wide(nothing, "standard sentence", width, "item")]
        pages.add(Block([_wide(heading, "section", width, "section", level=3), header, *rows,
                         _wide("", "body", width, "spacer")], keep=3, header=[header]))

    def where(outcome: str, supporting: str) -> str:
        return f"Supporting outcome: {supporting}" if supporting else \
            f"Outcome {outcome}: key outcome indicators"

    table("Red, amber or declining items the commentary does not mention",
          _row(*[Cell(text, "table header") for text in (
              "Ref", "Kind", "Outcome", "Where", "RAG", "Direction", "What to do")],
              kind="table header", repeat=True,
              caption="Red, amber or declining items the commentary does not mention"),
          [_row(Cell(item.ref, "item"), Cell(item.kind, "item"),
                Cell(item.outcome, "item centre"),
                Cell(where(item.outcome, item.supporting_outcome if item.kind == "action"
                           else ""), "item"),
                _rag_cell(item.rag), _arrow_cell(item.direction),
                Cell(f"Mention {item.ref} in its Areas for improvement commentary, with what "
                     "is being done about it.", "item"), kind="item")
           for item in result.uncommented],
          "Every red, amber or declining item is mentioned in its commentary.")
    table("Standard sentences a rating contradicts",
          _row(Cell("Outcome", "table header"), Cell("Where", "table header", span=3),
               Cell("Items", "table header", span=2), Cell("What to do", "table header"),
               kind="table header", repeat=True,
               caption="Standard sentences a rating contradicts"),
          [_row(Cell(c.outcome, "item centre"),
                Cell(where(c.outcome, c.supporting_outcome), "item", span=3),
                Cell(c.refs, "item", span=2),
                Cell(f'Areas for improvement is empty, so "{c.sentence}" would print beside '
                     "these items; the report lists them instead. Write the commentary on "
                     "the Commentary sheet.", "item"), kind="item")
           for c in result.contradicted],
          "No standard sentence contradicts a rating.")
    table("Data issues in the plan",
          _row(*[Cell(text, "table header") for text in ("Place", "Item", "Severity")],
               Cell("Found", "table header"), Cell("Expected", "table header", span=3),
               kind="table header", repeat=True, caption="Data issues in the plan"),
          [_row(Cell(p.place, "item link" if links and "!" in p.place else "item",
                     link=p.place if links and "!" in p.place else None),
                Cell(p.item, "item"), Cell(p.severity, "item"), Cell(p.found, "item"),
                Cell(p.expected, "item", span=3), kind="item") for p in problems],
          "No data issues: every item was rated as typed.")
    return sheet


SHEET_NAMES = (REPORT, SUMMARY, VARIATION_SHEET, EXCEPTIONS, MILESTONES, CHART_DATA, CHECKLIST,
               DATA_ISSUES)
"""Every sheet the appendix has, in order, and ``Data issues``, which earlier versions
wrote: adding the appendix to a plan replaces them all."""
