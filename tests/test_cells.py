"""Placing problems at their cells, whichever table of a sheet they come from."""

from __future__ import annotations

from ragbook import schema
from ragbook.cells import TableGrid, map_headers, place_in, table_frame
from ragbook.problems import SheetRow


def test_two_tables_on_one_sheet_each_place_their_own_problems():
    actions = TableGrid(schema.ACTIONS, "Plan", 1, 1, 17, 2, 10, {"Ref": 1, "Status": 6})
    measures = TableGrid(schema.MEASURES, "Plan", 1, 20, 44, 2, 10, {"Ref": 20, "Actual": 36})
    grids = [actions, measures]
    assert place_in(grids, SheetRow("Plan", 7, "tblMeasures"), "Actual", "plan.xlsx") == "Plan!AJ7"
    assert place_in(grids, SheetRow("Plan", 7, "tblActions"), "Status", "plan.xlsx") == "Plan!F7"
    assert place_in(grids, SheetRow("Plan", 7, "tblMeasures"), None, "plan.xlsx") == "Plan!T7:AR7"


def _measures(headers: list[str], rows: list[list[object]]) -> TableGrid:
    grid = TableGrid(schema.MEASURES, "Measures", 1, 1, len(headers), 2, 1 + len(rows))
    map_headers(grid, headers, [])
    return grid


def test_percentage_cells_are_read_as_points_without_a_unit_column():
    headers = ["Ref", "Outcome", "Measure", "Polarity", "Target", "Actual"]
    rows = [["M1.1", "1", "Share", "Higher is better", 0.72, 0.7]]
    formats = [["General", "General", "General", "General", "0%", "0%"]]
    frame = table_frame(_measures(headers, rows), [2], rows, [], formats)
    assert frame[["Target", "Actual"]].iloc[0].tolist() == [72.0, 70.0]
    assert "Unit" not in frame


def test_problems_in_a_row_are_listed_in_the_schemas_column_order():
    headers = ["Actual", "Ref", "Outcome", "Measure", "Polarity", "Target"]
    rows = [["#N/A", 1.5, "#REF!", "Share", "Higher is better", 70]]
    problems: list = []
    table_frame(_measures(headers, rows), [2], rows, problems)
    assert [p.place for p in problems] == ["Measures!B2", "Measures!C2", "Measures!A2"]
