"""A request's memory is bounded: a table whose address reaches far past its data (Excel's
Format as Table over whole rows and columns, A1:XFD1048576) is read only as far as its data
goes, and the biggest request the server accepts stays within a few hundred megabytes.

The server's peak resident memory (``VmHWM``) is read from /proc before and after."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest

from conftest import DEMO_PLAN
from excel_payload import payload_from_workbook
from serving import Server, serve

SCRIPT = "/xlwings/custom-scripts-call/recalculate_rag"
MEGABYTES_ALLOWED = 300


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    yield from serve(tmp_path)


def whole_sheet(payload: dict, table_name: str) -> dict:
    """The payload with one table's range reaching to XFD1048576."""
    payload = copy.deepcopy(payload)
    for sheet in payload["sheets"]:
        for table in sheet["tables"]:
            if table["name"] == table_name:
                table.update(range_address="A1:XFD1048576", header_row_range_address="A1:XFD1",
                             data_body_range_address="A2:XFD1048576", row_count=1048576,
                             column_count=16384, total_row_range_address=None,
                             show_totals=False)
    return payload


def post(server: Server, payload: dict) -> dict:
    """The script's answer, the run log's time left out (two requests may be a second
    apart)."""
    answer = server.post(SCRIPT, content=json.dumps(payload).encode("utf-8"),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    for action in found["actions"]:
        for row in action.get("values") or []:
            if "Recalculate RAG" in row:
                row[0] = "WHEN"
    return found


@pytest.mark.parametrize("table", ["tblActions", "tblMeasures", "tblRunLog"])
def test_a_table_over_the_whole_sheet_is_read_as_far_as_its_data(server, table):
    plan = payload_from_workbook(DEMO_PLAN)
    expected = post(server, plan)
    idle = server.peak_memory_kb()
    stretched = whole_sheet(plan, table)
    assert len(json.dumps(stretched)) < 400_000
    answer = post(server, stretched)
    grown = (server.peak_memory_kb() - idle) / 1024
    assert grown < MEGABYTES_ALLOWED, f"the request took {grown:.0f} MB more"
    if table == "tblRunLog":  # the run log row goes in the table's first empty row
        resizes = [a for a in answer["actions"] if a["func"] == "resizeTable"]
        assert resizes == []
        ignored = ("resizeTable",)
        assert [a for a in answer["actions"] if a["func"] not in ignored] == [
            a for a in expected["actions"] if a["func"] not in ignored]
    else:
        assert answer == expected


def test_the_largest_request_accepted_stays_within_bounds(server):
    plan = payload_from_workbook(DEMO_PLAN)
    actions = next(s for s in plan["sheets"] if s["name"] == "Actions")
    rows = actions["values"]
    body, header = rows[1:], rows[0]
    copies = []
    size = len(json.dumps(plan))
    while size < 9.5 * 1024 * 1024:  # just under the 10 MB limit
        block = copy.deepcopy(body)
        for number, row in enumerate(block):
            row[0] = f"{row[0]}.{len(copies)}.{number}"
        copies.append(block)
        size += len(json.dumps(block))
    actions["values"] = [header, *(row for block in copies for row in block)]
    height, width = len(actions["values"]), len(header)
    for table in actions["tables"]:
        if table["name"] == "tblActions":
            last = table["range_address"].split(":")[1].rstrip("0123456789")
            table.update(range_address=f"A1:{last}{height}",
                         data_body_range_address=f"A2:{last}{height}", row_count=height)
    actions["used_range_address"] = f"A1:{last}{height}"
    actions["used_range_row_count"], actions["used_range_column_count"] = height, width
    idle = server.peak_memory_kb()
    answer = server.post(SCRIPT, content=json.dumps(plan).encode("utf-8"),
                         headers={"Content-Type": "application/json"}, timeout=300)
    assert answer.status_code == 200, answer.text[:300]
    grown = (server.peak_memory_kb() - idle) / 1024
    assert grown < MEGABYTES_ALLOWED, f"{height - 1:,} actions took {grown:.0f} MB more"
