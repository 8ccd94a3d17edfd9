"""Time the Recalculate RAG button on a 2,000-row plan: in the server, over HTTP, and
clicked in the browser.

In the same run: parsing the payload's JSON (the floor), running the script
on ``xw.Book(json=...)`` as the server does, a full request to a real
``ragbook serve`` on 127.0.0.1, and the button clicked in the task pane in headless
Chromium over the fake Excel of the browser tests (``tests/browser/fake-office.js``): from
the click to the last cell applied, which includes xlwings' client reading the workbook,
the request and applying every action. Usage::

    python bench/addin.py [--rows 2000] [--runs 10]

The last line is ``recalculate_rag <N> rows: <ms> ms server-side, <ms> ms over HTTP, <ms> ms
in the browser from click to the last cell``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import httpx
import xlwings as xw

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from excel_payload import payload_from_workbook  # noqa: E402
from fake_excel import open_taskpane, state_from_workbook  # noqa: E402
from ragbook.excel import scripts  # noqa: E402
from ragbook.milestones import _read_text  # noqa: E402
from ragbook.workbook.template import build_plan, save  # noqa: E402
from recalc import plan_tables  # noqa: E402


def best_ms(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_script(payload: dict) -> dict:
    _read_text.cache_clear()  # each run reads the milestones afresh, as a first click does
    book = xw.Book(json=payload)
    scripts.recalculate_rag.__wrapped__(book)
    return book.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    measures = args.rows * 2 // 3
    with tempfile.TemporaryDirectory() as folder:
        plan = Path(folder) / "plan.xlsx"
        save(build_plan(plan_tables(measures, actions=args.rows - measures)), plan)
        payload = payload_from_workbook(plan)
        state = state_from_workbook(plan)
    body = json.dumps(payload, default=str)
    rows = args.rows
    gc.collect()
    gc.freeze()  # as ragbook serve does once it has loaded everything
    parse_ms = best_ms(args.runs, lambda: json.loads(body))
    server_ms = best_ms(args.runs, lambda: run_script(json.loads(body)))
    actions = len(run_script(json.loads(body))["actions"])
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ragbook", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/xlwings/custom-scripts-call/recalculate_rag"
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/xlwings/custom-scripts-meta", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)

        def request() -> None:
            answer = httpx.post(url, content=body, timeout=60,
                                headers={"Content-Type": "application/json"})
            answer.raise_for_status()

        http_ms = best_ms(args.runs, request)
        browser_ms = clicked_ms(f"http://127.0.0.1:{port}", state, args.runs)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"  payload {len(body) // 1024} KB, {rows} rows, {actions} actions returned; "
          f"best of {args.runs}")
    print(f"  JSON parse of the payload (floor): {parse_ms:.1f} ms; the script takes "
          f"{server_ms / parse_ms:.0f}x that server-side, the request {http_ms / parse_ms:.0f}x")
    print(f"  clicked in the browser: {browser_ms / http_ms:.1f}x the request over HTTP "
          "(xlwings' client reads the workbook, sends it and applies every action)")
    print(f"recalculate_rag {rows} rows: {server_ms:.0f} ms server-side, {http_ms:.0f} ms over "
          f"HTTP, {browser_ms:.0f} ms in the browser from click to the last cell")


def clicked_ms(server_url: str, state: dict, runs: int) -> float:
    """Best time from clicking Recalculate RAG in the task pane to the last cell the client
    applied, each run on a freshly loaded workbook."""
    from playwright.sync_api import sync_playwright

    from browser_tools import CHROMIUM_ARGS, chromium_path

    best = float("inf")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=CHROMIUM_ARGS, headless=True)
        try:
            for _ in range(runs):
                pane = open_taskpane(browser, server_url, state)
                try:
                    pane.page.evaluate("""() => {
                        const button = document.querySelector('[xw-click="recalculate_rag"]');
                        button.addEventListener('click', () => {
                            window.clickedAt = performance.now();
                        }, {capture: true, once: true});
                    }""")
                    status = pane.click("Recalculate RAG")
                    if "finished at" not in status:
                        raise SystemExit(f"Recalculate RAG in the browser: {status} "
                                         f"{pane.error()}")
                    best = min(best, pane.page.evaluate("fakeExcel.lastApplied - clickedAt"))
                finally:
                    pane.close()
        finally:
            browser.close()
    return best


if __name__ == "__main__":
    main()
