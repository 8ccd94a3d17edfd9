"""The browser harness itself: axe-core in Chromium finds what it should, and only that."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import browser_tools
from browser_tools import (
    AXE_TAGS,
    axe_violations,
    describe_violations,
    open_file,
    require_browser_tools,
    viewport_for_zoom,
)

GOOD_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Delivery plan 2018-19: quarter 1 ratings</title></head>
<body>
<main>
<h1>Quarter 1 ratings</h1>
<p>Each measure is rated red, amber or green against its target for the quarter, and
the ratings are set out in the table below with the measure they belong to.</p>
<table>
<caption>Ratings by measure, quarter 1</caption>
<thead><tr><th scope="col">Measure</th><th scope="col">Rating</th></tr></thead>
<tbody>
<tr><th scope="row">Household waste recycled</th><td>Green</td></tr>
<tr><th scope="row">Planning applications decided in time</th><td>Amber</td></tr>
</tbody>
</table>
</main>
</body>
</html>
"""


def page_with(body: str, *, head: str = "") -> str:
    return ('<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f"<title>Test page</title>{head}</head><body><main><h1>Test page</h1>"
            f"{body}</main></body></html>")


def write(tmp_path: Path, html: str, name: str = "page.html") -> Path:
    target = tmp_path / name
    target.write_text(html, encoding="utf-8")
    return target


def rule_ids(violations: list[dict]) -> set[str]:
    return {violation["id"] for violation in violations}


@pytest.mark.browser
def test_axe_finds_an_image_without_alt(browser, tmp_path):
    (tmp_path / "chart.png").write_bytes(b"")
    page = open_file(browser, write(tmp_path, page_with('<img src="chart.png">')))
    try:
        violations = axe_violations(page)
    finally:
        page.close()
    assert rule_ids(violations) == {"image-alt"}, describe_violations(violations)
    described = describe_violations(violations)
    assert "image-alt [critical]" in described
    assert '<img src="chart.png">' in described


@pytest.mark.browser
def test_axe_finds_light_grey_text_on_white(browser, tmp_path):
    html = page_with('<p id="faint" style="color: #bbbbbb; background: #ffffff">'
                     "Ratings are provisional until the quarter closes.</p>")
    page = open_file(browser, write(tmp_path, html))
    try:
        violations = axe_violations(page)
    finally:
        page.close()
    assert rule_ids(violations) == {"color-contrast"}, describe_violations(violations)
    assert "#faint" in describe_violations(violations)


@pytest.mark.browser
def test_a_good_page_has_no_wcag_22_aa_violations(browser, tmp_path):
    page = open_file(browser, write(tmp_path, GOOD_PAGE))
    try:
        violations = axe_violations(page)
        # The check ran: axe-core is on the page and knows the WCAG 2.2 rules.
        assert page.evaluate("axe.version").startswith("4.")
        assert page.evaluate("tags => axe.getRules(tags).length", ["wcag22aa"]) > 0
    finally:
        page.close()
    assert violations == [], describe_violations(violations)


@pytest.mark.browser
def test_a_good_page_reflows_at_400_percent_zoom(browser, tmp_path):
    page = open_file(browser, write(tmp_path, GOOD_PAGE), **viewport_for_zoom(400))
    try:
        assert page.viewport_size == {"width": 320, "height": 256}
        assert page.evaluate("window.innerWidth") == 320
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        page.close()


@pytest.mark.browser
def test_zoom_emulates_the_browser_zoom(browser, tmp_path):
    page = open_file(browser, write(tmp_path, GOOD_PAGE), zoom=4)
    try:
        assert page.evaluate("[window.innerWidth, window.devicePixelRatio]") == [320, 4]
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        page.close()


@pytest.mark.browser
def test_a_fixed_width_page_does_not_reflow(browser, tmp_path):
    html = page_with('<div style="width: 600px">A fixed-width block of text.</div>')
    page = open_file(browser, write(tmp_path, html), **viewport_for_zoom(400))
    try:
        assert page.evaluate("document.documentElement.scrollWidth") > 320
    finally:
        page.close()


@pytest.mark.browser
def test_the_page_has_no_network(browser, tmp_path):
    html = page_with('<img src="https://example.com/logo.png" alt="Council logo">')
    page = open_file(browser, write(tmp_path, html))
    try:
        assert page.evaluate("navigator.onLine") is False
    finally:
        page.close()


def test_asyncio_run_works_beside_the_browser():
    # Playwright's sync API marks its loop as running between calls; the harness lifts
    # that mark for the tests that do not use the browser.
    async def answer() -> int:
        return 42

    assert asyncio.run(answer()) == 42


def test_viewport_for_zoom():
    assert viewport_for_zoom(400) == {"width": 320, "height": 256}
    assert viewport_for_zoom(100) == {"width": 1280, "height": 1024}
    assert viewport_for_zoom(200, width=1366, height=768) == {"width": 683, "height": 384}


def test_axe_tags_are_wcag_22_a_and_aa():
    assert AXE_TAGS == ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def test_describe_violations_gives_a_line_per_node():
    violations = [{
        "id": "image-alt", "impact": "critical", "help": "Images must have alternative text",
        "nodes": [
            {"target": ["img.logo"], "html": '<img class="logo"\n   src="a.png">',
             "impact": "critical"},
            {"target": [["iframe", "img"]], "html": "<img src=" + "x" * 300 + ">",
             "impact": "critical"},
        ],
    }]
    lines = describe_violations(violations).splitlines()
    assert lines[0] == ('image-alt [critical] Images must have alternative text: img.logo  '
                        '<img class="logo" src="a.png">')
    assert "iframe >> img" in lines[1]
    assert lines[1].endswith("…") and len(lines[1]) < 200
    assert describe_violations([]) == ""


@pytest.mark.parametrize("ci", ["", "1"])
def test_missing_tools_skip_locally_and_fail_on_ci(monkeypatch, ci):
    monkeypatch.setattr("browser_tools.chromium_path", lambda: None)
    monkeypatch.setattr("browser_tools._have_playwright", lambda: False)
    monkeypatch.setattr("browser_tools.AXE_JS",
                        browser_tools.BROWSER_DIR / "node_modules" / "missing" / "axe.min.js")
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected) as raised:
        require_browser_tools()
    message = str(raised.value)
    assert "apt-get install chromium" in message
    assert "pip install -e '.[dev]'" in message
    assert "npm ci --prefix tests/browser" in message
