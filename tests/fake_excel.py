"""The add-in's real client in a real browser, against a fake Excel.

``tests/browser/fake-office.js`` is a small workbook model behind the part of the Office
JavaScript API that xlwings Server's client and ragbook's scripts call (see its header). Here
Python:

* writes its starting state from a plan file (``state_from_workbook``): values (formula cells
  with the value Excel last calculated), number formats, fills, fonts, alignment, borders,
  hyperlinks, merges, row heights, column widths, notes, tables, names, print areas;
* opens ``/taskpane.html`` from a running ``ragbook serve`` in Chromium with the fake served in
  place of ``office.js`` (``open_taskpane``), so the page runs the server's own JavaScript;
* clicks buttons as an officer does (``TaskPane.click``), presses ribbon buttons, evaluates
  worksheet functions, and reads the workbook back (``TaskPane.book``) as a ``FakeBook``
  to compare with what the command line writes to the same plan.

Nothing else is let out of the page: a request to anywhere but the server fails.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel, to_excel

from excel_payload import (
    _CALCULATION,
    _empty_string_results,
    _load,
    _name_entry,
    _selection,
    is_date_number_format,
)
from serving import Server, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

FAKE_OFFICE_JS = Path(__file__).resolve().parent / "browser" / "fake-office.js"
OFFICE_JS = re.compile(r"/vendor/office-js/[^/]+/dist/office\.js$")

POINTS_PER_CHARACTER = 7.0 * 0.75
"""A column width in characters of Calibri 11 is about 7 px, 5.25 points, per character."""

_BORDER_EDGES = {"top": "EdgeTop", "bottom": "EdgeBottom", "left": "EdgeLeft",
                 "right": "EdgeRight"}
_BORDER_STYLES = {"thin": ("Continuous", "Thin"), "medium": ("Continuous", "Medium"),
                  "thick": ("Continuous", "Thick"), "hair": ("Continuous", "Hairline"),
                  "dashed": ("Dash", "Thin"), "dotted": ("Dot", "Thin"),
                  "double": ("Double", "Thick"), "mediumDashed": ("Dash", "Medium")}
_HORIZONTAL = {"left": "Left", "center": "Center", "right": "Right", "justify": "Justify",
               "centerContinuous": "CenterAcrossSelection", "fill": "Fill",
               "distributed": "Distributed", "general": "General"}
_VERTICAL = {"top": "Top", "center": "Center", "bottom": "Bottom", "justify": "Justify",
             "distributed": "Distributed"}


# --- the workbook into the fake -------------------------------------------------------------------

def _rgb(color: Any) -> str | None:
    """``#RRGGBB`` from an openpyxl colour, or ``None`` when it is not a plain RGB."""
    if color is None or color.type != "rgb" or not isinstance(color.rgb, str):
        return None
    return "#" + color.rgb[-6:].upper()


def _cell_state(cell: Cell, cached: Any, epoch: dt.datetime) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    value = cell.value
    if cell.data_type == "f":
        spec["formula"] = value if isinstance(value, str) else str(value.text)
        value = cached
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        value = to_excel(value, epoch)
    if value is not None:
        spec["value"] = value
    if cell.number_format != "General":
        spec["number_format"] = cell.number_format
    if cell.fill is not None and cell.fill.fill_type == "solid":
        color = _rgb(cell.fill.fgColor)
        if color:
            spec["fill"] = color
    font = cell.font
    out: dict[str, Any] = {}
    if font is not None:
        if font.b:
            out["bold"] = True
        if font.i:
            out["italic"] = True
        if font.sz and float(font.sz) != 11:
            out["size"] = float(font.sz)
        if font.name and font.name != "Calibri":
            out["name"] = font.name
        if (color := _rgb(font.color)) and color != "#000000":
            out["color"] = color
    if out:
        spec["font"] = out
    align = cell.alignment
    if align.horizontal and align.horizontal != "general":
        spec["horizontal"] = _HORIZONTAL.get(align.horizontal, "General")
    if align.vertical and align.vertical != "bottom":
        spec["vertical"] = _VERTICAL.get(align.vertical, "Bottom")
    if align.wrap_text:
        spec["wrap"] = True
    borders = {}
    for side, edge in _BORDER_EDGES.items():
        line = getattr(cell.border, side)
        if line is not None and line.style:
            style, weight = _BORDER_STYLES.get(line.style, ("Continuous", "Thin"))
            borders[edge] = {"style": style, "weight": weight,
                             "color": _rgb(line.color) or "#000000"}
    if borders:
        spec["borders"] = borders
    if cell.hyperlink is not None:
        link = cell.hyperlink
        spec["hyperlink"] = {"address": link.target or (f"#{link.location}" if link.location
                                                         else None),
                             "document_reference": None, "screen_tip": link.tooltip}
    return spec


def _names_state(book: openpyxl.Workbook, scope: Any) -> list[dict[str, Any]]:
    """Defined names as Excel lists them (alphabetically), each with the type Excel works out
    for it; print areas and other built-in names are not listed."""
    names = book.defined_names if scope is None else scope.defined_names
    found = []
    for key in sorted(names, key=str.lower):
        defined = names[key]
        if defined.name.startswith("_xlnm."):
            continue
        entry = _name_entry(defined.name, defined.attr_text or "", scope, book,
                            list(book.worksheets))
        found.append({"name": entry["name"], "formula": entry["refers_to"],
                      "type": entry["type"]})
    return found


def state_from_workbook(path: Path) -> dict[str, Any]:
    """The fake's starting state for the plan file at ``path``, as Excel would hold it once
    opened: formula cells carry their cached results (an uncached one is empty), and the
    selection is the one saved in the file."""
    formulas, values, name, data = _load(path)
    epoch = formulas.epoch
    sheets = []
    for ws in formulas.worksheets:
        cached = values[ws.title]
        empty_results = None
        cells: dict[str, dict[str, Any]] = {}
        for (row, column), cell in ws._cells.items():
            value = cached._cells[(row, column)].value if (row, column) in cached._cells else None
            if cell.data_type == "f" and value is None:
                if empty_results is None:
                    empty_results = _empty_string_results(data, ws.title)
                value = "" if cell.coordinate in empty_results else None
            spec = _cell_state(cell, value, epoch)
            if spec:
                cells[cell.coordinate] = spec
        tables = []
        for table in ws.tables.values():
            style = table.tableStyleInfo
            tables.append({
                "name": table.displayName, "range": table.ref,
                "show_headers": bool(table.headerRowCount if table.headerRowCount is not None
                                     else 1),
                "show_totals": bool(table.totalsRowCount),
                "style": style.name if style is not None and style.name else "",
                "show_filter_button": table.autoFilter is not None,
                "show_banded_rows": bool(style.showRowStripes) if style is not None else False,
                "show_banded_columns": bool(style.showColumnStripes) if style is not None
                else False,
                "highlight_first_column": bool(style.showFirstColumn) if style is not None
                else False,
                "highlight_last_column": bool(style.showLastColumn) if style is not None
                else False,
            })
        notes = {coord: {"content": comment.text, "author": comment.author or ""}
                 for coord, comment in ((c.coordinate, c.comment) for c in ws._cells.values()
                                        if c.comment is not None)}
        print_area = ws.print_area
        if print_area:
            print_area = ",".join(area.split("!")[-1].replace("$", "")
                                  for area in print_area.split(","))
        sheets.append({
            "name": ws.title,
            "visibility": {"visible": "Visible", "hidden": "Hidden",
                           "veryHidden": "VeryHidden"}[ws.sheet_state],
            "show_gridlines": bool(ws.sheet_view.showGridLines in (None, True)),
            "cells": cells,
            "row_heights": {str(row): dim.height for row, dim in ws.row_dimensions.items()
                            if dim.height is not None},
            "column_widths": {letter: dim.width * POINTS_PER_CHARACTER
                              for letter, dim in ws.column_dimensions.items()
                              if dim.width and dim.customWidth},
            "merges": [str(merged) for merged in ws.merged_cells.ranges],
            "notes": notes,
            "tables": tables,
            "print_area": print_area or None,
            "names": _names_state(formulas, ws),
        })
    return {"name": name, "active_sheet": formulas.index(formulas.active),
            "selection": _selection(formulas.active) or "A1",
            "calculation": _CALCULATION.get(formulas.calculation.calcMode or "auto",
                                            "Automatic"),
            "sheets": sheets, "names": _names_state(formulas, None)}


# --- the fake back into Python --------------------------------------------------------------------

@dataclass
class FakeSheet:
    """One sheet of the fake workbook as it ended up."""

    state: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.state["name"])

    def cell(self, address: str) -> dict[str, Any]:
        return self.state["cells"].get(address.replace("$", "").upper(), {})

    def value(self, address: str) -> Any:
        """The cell's value as openpyxl would give it: a date-formatted number as a datetime,
        an empty cell as ``None``."""
        spec = self.cell(address)
        value = spec.get("value")
        if value == "":
            return None
        if (isinstance(value, int | float) and not isinstance(value, bool)
                and is_date_number_format(spec.get("number_format"))):
            return from_excel(value)
        return value

    def fill(self, address: str) -> str | None:
        return self.cell(address).get("fill")

    def font_color(self, address: str) -> str:
        return self.cell(address).get("font", {}).get("color", "#000000")

    def font(self, address: str) -> dict[str, Any]:
        return self.cell(address).get("font", {})

    def number_format(self, address: str) -> str:
        return self.cell(address).get("number_format", "General")

    def hyperlink(self, address: str) -> dict[str, Any] | None:
        return self.cell(address).get("hyperlink")

    @property
    def max_row(self) -> int:
        rows = [range_boundaries(a)[1] for a in self.state["cells"]]
        return max(rows, default=0)

    @property
    def max_column(self) -> int:
        columns = [range_boundaries(a)[0] for a in self.state["cells"]]
        return max(columns, default=0)

    def rows(self) -> Iterator[list[Any]]:
        """Every row's values from A1 to the last used cell, like openpyxl's
        ``iter_rows(values_only=True)``."""
        for row in range(1, self.max_row + 1):
            yield [self.value(f"{get_column_letter(c)}{row}")
                   for c in range(1, self.max_column + 1)]

    def table(self, name: str) -> dict[str, Any]:
        return next(t for t in self.state["tables"] if t["name"] == name)


@dataclass
class FakeBook:
    """The fake workbook read back from the page (``fakeExcel.snapshot()``)."""

    state: dict[str, Any]

    @property
    def sheetnames(self) -> list[str]:
        return [s["name"] for s in self.state["sheets"]]

    def __getitem__(self, name: str) -> FakeSheet:
        for sheet in self.state["sheets"]:
            if sheet["name"] == name:
                return FakeSheet(sheet)
        raise KeyError(name)

    @property
    def active(self) -> FakeSheet:
        return FakeSheet(self.state["sheets"][self.state["active_sheet"]])


# --- the task pane in Chromium --------------------------------------------------------------------

FINISHED = ("finished at", "did not finish")


class TaskPane:
    """``/taskpane.html`` open in Chromium over a fake Excel workbook."""

    def __init__(self, page: Page):
        self.page = page
        self.console: list[str] = []
        self.failed_requests: list[str] = []
        self.calls: list[Any] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("request", lambda request: self.calls.append(request)
                if "/xlwings/custom-" in request.url and request.method == "POST" else None)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def status(self) -> str:
        return self.page.locator("#ragbook-status").inner_text().strip()

    def error(self) -> str:
        """The red error box's text, or "" when it is hidden."""
        alert = self.page.locator("#global-error-alert")
        if "d-none" in (alert.get_attribute("class") or "").split():
            return ""
        return alert.locator("span").inner_text().strip()

    def click(self, label: str, *, timeout_s: float = 180) -> str:
        """Click the pane's button named ``label`` and wait until it has finished; the status
        line it leaves."""
        button = self.page.get_by_role("button", name=label, exact=True)
        if label == "Roll forward":
            self.page.get_by_label("I have saved a copy of this quarter's workbook").check()
        before = self.page.evaluate("fakeExcel.runs")
        button.click()
        self.page.wait_for_function(
            """([before, words]) => {
                const text = document.getElementById('ragbook-status').textContent;
                return fakeExcel.runs > before && words.some(w => text.includes(w));
            }""", arg=[before, list(FINISHED)], timeout=timeout_s * 1000)
        return self.status()

    def press_ribbon(self, function_name: str, *, timeout_s: float = 180) -> None:
        """Press the ribbon button whose manifest ``<FunctionName>`` is ``function_name``."""
        self.page.set_default_timeout(timeout_s * 1000)
        self.page.evaluate("name => fakeExcel.pressRibbon(name)", function_name)

    def evaluate_function(self, name: str, *args: Any, address: str = "Measures!K2") -> Any:
        """``=RAGBOOK.NAME(args)`` in a cell: each argument goes in as Excel passes it (a 1x1
        matrix); the result, or ``{"error": ..., "message": ...}``."""
        return self.page.evaluate(
            "([name, args, address]) => fakeExcel.evaluate(name, args, address)",
            [name, [[[arg]] for arg in args], address])

    def alerts(self) -> list[str]:
        """The prompts of the dialogs the scripts opened (xlwings' ``alert``), oldest first."""
        urls = self.page.evaluate("fakeExcel.dialogs.map(d => d.url)")
        return [parse_qs(urlsplit(url).query).get("prompt", [""])[0] for url in urls]

    def script_calls(self) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
        """Each script call the client made: the script named in the URL, the payload it
        sent, and the server's JSON answer (``None`` if there was none)."""
        found = []
        for request in self.calls:
            path = urlsplit(request.url).path
            if "/custom-scripts-call/" not in path:
                continue
            response = request.response()
            answer = response.json() if response is not None and response.ok else None
            found.append((path.rsplit("/", 1)[-1], request.post_data_json, answer))
        return found

    def book(self) -> FakeBook:
        return FakeBook(self.page.evaluate("fakeExcel.snapshot()"))

    def close(self) -> None:
        self.page.context.close()


def open_taskpane(browser: Browser, server_url: str, state: dict[str, Any], *,
                  width: int = 350, height: int = 900) -> TaskPane:
    """A new browser context showing the server's task pane over a fake workbook in
    ``state``. The page may talk only to the server; ``office.js`` is the fake."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    pane = TaskPane(page)
    context.add_init_script(f"globalThis.__FAKE_EXCEL_STATE__ = {json.dumps(state)};")
    origin = server_url.rstrip("/")

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if OFFICE_JS.search(urlsplit(url).path):
            request_route.fulfill(path=FAKE_OFFICE_JS, content_type="text/javascript")
        elif url.startswith(origin + "/"):
            request_route.continue_()
        else:
            pane.failed_requests.append(url)
            request_route.abort()

    context.route("**/*", route)
    page.goto(origin + "/taskpane.html", wait_until="load")
    page.wait_for_function("typeof fakeExcel !== 'undefined' && typeof xlwings !== 'undefined'"
                           " && document.querySelector('[xw-click-initialized]') !== null")
    return pane


# --- fixtures (tests/conftest.py imports them) ----------------------------------------------------

@pytest.fixture(scope="session")
def addin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``ragbook serve`` on 127.0.0.1 for the session, with no sign-in."""
    yield from serve(tmp_path_factory.mktemp("addin-server"))


@pytest.fixture
def pane(browser: Browser, addin_server: Server) -> Iterator[Any]:
    """``pane(plan)``: the task pane open in Chromium over a fake workbook loaded from the
    plan file; closed at the end of the test."""
    opened: list[TaskPane] = []

    def open_on(plan: Path, **options: Any) -> TaskPane:
        found = open_taskpane(browser, addin_server.url, state_from_workbook(plan), **options)
        opened.append(found)
        return found

    yield open_on
    for found in opened:
        found.close()


def clicked(pane: Any, plan: Path, label: str) -> tuple[TaskPane, FakeBook]:
    """Open the pane on ``plan``, click ``label`` and check that it finished; the pane and the
    workbook as the button left it."""
    opened = pane(plan)
    status = opened.click(label)
    assert status.startswith(f"{label} finished at"), (status, opened.error(), opened.console)
    return opened, opened.book()
