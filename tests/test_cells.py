"""Placing problems at their cells, whichever table of a sheet they come from."""

from __future__ import annotations

from ragbook.problems import SheetRow
from ragbook.workbook import schema
from ragbook.workbook.cells import TableGrid, place_in


def test_two_tables_on_one_sheet_each_place_their_own_problems():
    actions = TableGrid(schema.ACTIONS, "Plan", 1, 1, 17, 2, 10, {"Ref": 1, "Status": 6})
    measures = TableGrid(schema.MEASURES, "Plan", 1, 20, 44, 2, 10, {"Ref": 20, "Actual": 36})
    grids = [actions, measures]
    assert place_in(grids, SheetRow("Plan", 7, "tblMeasures"), "Actual", "plan.xlsx") == "Plan!AJ7"
    assert place_in(grids, SheetRow("Plan", 7, "tblActions"), "Status", "plan.xlsx") == "Plan!F7"
    assert place_in(grids, SheetRow("Plan", 7, "tblMeasures"), None, "plan.xlsx") == "Plan!T7:AR7"
