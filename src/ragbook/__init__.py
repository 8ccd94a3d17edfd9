"""ragbook: RAG (red/amber/green) performance reporting for council delivery plans.

The rating engine is plain Python over plain values and pandas DataFrames::

    import ragbook
    period = ragbook.ReportingPeriod.of("2018/19", "Q1")
    ragbook.rate_measure(72, 90, "Higher is better", unit="%").why
    ragbook.rate_measures(measures_frame, period=period).table
    ragbook.rate_actions(actions_frame, period).table
    ragbook.read_milestone("By end March 2019").final_due
    ragbook.spc([71, 73, 70, ...], "Higher is better", target=80).variation

Every rating carries its reason (``why``), and bad input comes back as
:class:`Problem` values, never as an exception.
"""

import os

# openpyxl writes the same bytes whether or not lxml (which ragbook uses to change a plan
# file's parts) is installed, and keeps parsing through defusedxml.
os.environ.setdefault("OPENPYXL_LXML", "False")

from ragbook.action_table import rate_actions
from ragbook.actions import ActionRating, rate_action
from ragbook.calendar import FinancialYear, ReportingPeriod
from ragbook.direction import Direction, action_direction, measure_direction
from ragbook.measure_table import rate_measures
from ragbook.measures import MeasureRating, rate_measure
from ragbook.milestones import Milestone, MilestoneReading, read_milestone
from ragbook.problems import Problem
from ragbook.tables import Ratings
from ragbook.variation import SpcResult, SpcSettings, spc, spc_many

__version__ = "0.1.0"

__all__ = [
    "ActionRating",
    "Direction",
    "FinancialYear",
    "MeasureRating",
    "Milestone",
    "MilestoneReading",
    "Problem",
    "Ratings",
    "ReportingPeriod",
    "SpcResult",
    "SpcSettings",
    "__version__",
    "action_direction",
    "measure_direction",
    "rate_action",
    "rate_actions",
    "rate_measure",
    "rate_measures",
    "read_milestone",
    "spc",
    "spc_many",
]
