"""The plan workbook's shape: its tables, their columns, and what each column holds.

This is the contract that the template, the reader, the writer and the Excel
add-in share (docs: the README's "The plan workbook"). Tables are found by
name, never by position; headers are matched ignoring case and spaces; columns
ragbook does not know are left alone. Change this file only on purpose, with a
new ``TEMPLATE_VERSION``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ragbook import choices as c
from ragbook.commentary import SECTION, SECTIONS
from ragbook.ratings import fold

TEMPLATE_VERSION = 1

Kind = Literal["text", "long text", "number", "fraction", "date", "datetime", "choice",
               "rating", "arrow", "whole number", "ref"]


@dataclass(frozen=True)
class Column:
    """One column of a plan table."""

    name: str
    kind: Kind = "text"
    width: float = 14
    by_ragbook: bool = False
    choice: c.Choice | None = None
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Table:
    """One Excel Table (ListObject) of the plan, on its own sheet."""

    name: str
    sheet: str
    columns: tuple[Column, ...]
    help: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def inputs(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if not column.by_ragbook)

    @property
    def outputs(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.by_ragbook)

    def column(self, name: str) -> Column:
        wanted = fold(name)
        return next(column for column in self.columns if fold(column.name) == wanted)


RATING_INPUT = c.Choice("Rating", ("R", "A", "G"),
                        (("red", "R"), ("amber", "A"), ("green", "G")))

SETTINGS = Table("tblSettings", "Settings", (
    Column("Setting", width=24, required=True),
    Column("Value", width=40, required=True),
    Column("Notes", "long text", width=70),
), help="The plan's organisation, year, reporting quarter and thresholds.")

SETTING_NAMES = ("Organisation", "Plan title", "Plan year", "Reporting quarter", "As-of date",
                 "Amber threshold", "Red threshold", "Template version")

OUTCOMES = Table("tblOutcomes", "Outcomes", (
    Column("Outcome", "ref", width=10, required=True,
           help="A short id such as 1, used by actions, measures and commentary."),
    Column("Title", "long text", width=80, required=True),
), help="The plan's outcomes, in the order the report shows them.")

ACTIONS = Table("tblActions", "Actions", (
    Column("Ref", "ref", width=8, required=True, help="Unique, such as 1.15. Kept as text."),
    Column("Outcome", "ref", width=9, required=True),
    Column("Supporting outcome", "long text", width=36),
    Column("Action", "long text", width=60),
    Column("Milestone", width=22, required=True,
           help='As written: "By March 2019", "From June 2018", "Ongoing until March 2019".'),
    Column("Status", "choice", width=13, choice=c.STATUS, required=True),
    Column("Recovery plan", "choice", width=10, choice=c.RECOVERY_PLAN),
    Column("Previous RAG", "rating", width=10, choice=RATING_INPUT),
    Column("Override RAG", "rating", width=10, choice=RATING_INPUT),
    Column("Override reason", "long text", width=30),
    Column("Lead", width=16),
    Column("Risk refs", width=10),
    Column("RAG", "rating", width=8, by_ragbook=True),
    Column("Direction", "arrow", width=10, by_ragbook=True),
    Column("Milestone due", "date", width=12, by_ragbook=True),
    Column("Milestone check", "long text", width=30, by_ragbook=True),
    Column("Why", "long text", width=60, by_ragbook=True),
), help="Every action with its milestone and this quarter's status.")

_MEASURE_VALUE = "The measure's own unit; with Unit % type 72 or 72%."
MEASURES = Table("tblMeasures", "Measures", (
    Column("Ref", "ref", width=8, required=True, help="Unique, such as M4.4. Kept as text."),
    Column("Outcome", "ref", width=9, required=True),
    Column("Measure", "long text", width=60),
    Column("Unit", width=10, help="%, days, fires... Used in explanations."),
    Column("Polarity", "choice", width=16, choice=c.POLARITY, required=True),
    Column("Baseline", "number", width=10),
    Column("Target", "number", width=10, help=_MEASURE_VALUE),
    Column("Quarter target", "number", width=10,
           help="This quarter's target; wins over Target and Target profile."),
    Column("Target profile", "choice", width=13, choice=c.TARGET_PROFILE,
           help="Per quarter: Target / 4. Year to date: Target x quarter / 4."),
    Column("Range low", "number", width=10),
    Column("Range high", "number", width=10),
    Column("Tolerance", "choice", width=11, choice=c.TOLERANCE),
    Column("Amber threshold", "fraction", width=10,
           help="Blank: the Settings default. Relative: a percentage; Absolute: in the unit."),
    Column("Red threshold", "fraction", width=10),
    Column("Change band", "fraction", width=10,
           help="Moves no bigger than this show as sustained (→)."),
    Column("Compare with", "choice", width=16, choice=c.COMPARE_WITH),
    Column("Actual", "number", width=10, required=True, help=_MEASURE_VALUE + " n/a: not due."),
    Column("Previous actual", "number", width=10),
    Column("Last year actual", "number", width=10),
    Column("Data note", "long text", width=30),
    Column("Override RAG", "rating", width=10, choice=RATING_INPUT),
    Column("Override reason", "long text", width=30),
    Column("RAG", "rating", width=8, by_ragbook=True),
    Column("Direction", "arrow", width=10, by_ragbook=True),
    Column("Why", "long text", width=60, by_ragbook=True),
    Column("Variation", width=19, by_ragbook=True,
           help="Making Data Count: is the latest figure a real change or noise, from the "
                "measure's History (and Series)."),
    Column("Assurance", width=20, by_ragbook=True,
           help="Making Data Count: will the target be hit reliably, from the process "
                "limits of the measure's figures."),
    Column("SPC baseline", "whole number", width=12,
           help="Fix this measure's limits on its first this-many figures, after a change "
                "in how it is measured (blank: the Settings' SPC baseline points)."),
), help="Every key outcome indicator with its target and this quarter's actual.")

COMMENTARY_SECTIONS = SECTIONS

COMMENTARY = Table("tblCommentary", "Commentary", (
    Column("Outcome", "ref", width=9, required=True),
    Column("Supporting outcome", "long text", width=40,
           help="Blank for the commentary on the outcome's key outcome indicators."),
    Column("Section", "choice", width=20, choice=SECTION, required=True),
    Column("Text", "long text", width=100),
), help="The four commentary sections for each supporting outcome and outcome.")

RUN_LOG = Table("tblRunLog", "Run log", (
    Column("When", "datetime", width=17),
    Column("Command", width=14),
    Column("As-of date", "date", width=12),
    Column("Period", width=11),
    Column("Actions", "whole number", width=9),
    Column("Measures", "whole number", width=9),
    Column("R", "whole number", width=6),
    Column("A", "whole number", width=6),
    Column("G", "whole number", width=6),
    Column("No data", "whole number", width=8),
    Column("n/a", "whole number", width=6),
    Column("Not rated", "whole number", width=9),
    Column("Problems", "whole number", width=9),
    Column("By", width=14),
    Column("ragbook", width=9),
), help="One row each time ragbook changes this workbook.")

HISTORY = Table("tblHistory", "History", (
    Column("Period", width=11),
    Column("Kind", width=9),
    Column("Ref", "ref", width=8),
    Column("Status", width=12),
    Column("Actual", "number", width=10),
    Column("Target", "number", width=10),
    Column("RAG", "rating", width=8),
    Column("Direction", "arrow", width=10),
    Column("Why", "long text", width=60),
), help="Every past quarter's values and ratings, kept by roll-forward.")

SERIES = Table("tblSeries", "Series", (
    Column("Ref", "ref", width=8, required=True, help="The measure's Ref, such as M4.4."),
    Column("Period", width=14, required=True,
           help="A month, as a date such as 01/04/2018, or a quarter such as Q1 2018/19."),
    Column("Value", "number", width=10, required=True,
           help="The measure's figure for that period, in its own unit."),
), help="Monthly or quarterly figures for measures that have more than the quarters in "
        "History (optional): a measure listed here is charted from these rows alone.")

PLAN_TABLES = (SETTINGS, OUTCOMES, ACTIONS, MEASURES, COMMENTARY)
"""The tables a plan must have."""

OPTIONAL_TABLES = (SERIES,)
"""Tables an officer may fill in; a plan without them is rated the same."""

EXTRA_TABLES = (RUN_LOG, HISTORY)
"""Tables ragbook adds when it needs them."""

READ_TABLES = PLAN_TABLES + OPTIONAL_TABLES
"""The tables read as the plan's inputs."""

ALL_TABLES = PLAN_TABLES + OPTIONAL_TABLES + EXTRA_TABLES

INSTRUCTIONS_SHEET = "Instructions"

EXCEL_TEXT_LIMIT = 32767
"""The most characters an Excel cell holds."""

NUMBER_FORMATS: dict[str, str] = {
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
    "fraction": "0.0%",
    "whole number": "0",
    "ref": "@",
}
"""Excel number formats by column kind (the rest stay General)."""

RAG_FILLS = {"R": "C00000", "A": "FFC000", "G": "00B050"}
"""RAG fills. The letters are drawn in black on amber and green, white on red."""
RAG_FONTS = {"R": "FFFFFF", "A": "000000", "G": "000000"}
