"""A real headless Chromium for the tests: axe-core's WCAG checks and reflow at 400% zoom.

The browser is Debian's ``chromium`` (``apt-get install chromium``), driven by Playwright for
Python (the ``dev`` extra) with ``executable_path``: never run ``playwright install``.
axe-core is the npm package pinned in ``tests/browser/package-lock.json``; ``make test``
installs it with ``npm ci --prefix tests/browser``.

``tests/conftest.py`` imports the fixtures from here, so a test only asks for ``browser``::

    @pytest.mark.browser
    def test_appendix_is_accessible(browser, tmp_path):
        page = open_file(browser, make_appendix(tmp_path))
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)

Where Chromium, Playwright or axe-core is missing the tests skip, saying how to install it;
with the ``CI`` variable set they fail instead, as CI must run them.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

BROWSER_DIR = Path(__file__).resolve().parent / "browser"
AXE_JS = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"

# Playwright adds --headless itself (headless=True). The rest suit root in a sandbox whose
# network is closed: no sandbox (root), no GPU, and nothing that phones home at start-up.
# --disable-dev-shm-usage: containers often give /dev/shm only 64 MB, which crashes Chromium.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# WCAG 2.2 levels A and AA: axe tags each rule with the version that introduced it.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

INSTALL_CHROMIUM = "apt-get install chromium"
INSTALL_PLAYWRIGHT = (".venv/bin/pip install -e '.[dev]' (make setup); Playwright uses the "
                      "system Chromium, so do not run `playwright install`")
INSTALL_AXE = ("npm ci --prefix tests/browser (make test runs it; npm is "
               "`apt-get install nodejs npm`)")

# The event loop Playwright's sync API runs in, once the session's browser has started.
_playwright_loop: asyncio.AbstractEventLoop | None = None


def chromium_path() -> str | None:
    """The installed Chromium (or Chrome) on PATH, or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _have_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def missing_browser_tools() -> list[str]:
    """What the browser tests need and cannot find, each with how to install it."""
    missing = []
    if chromium_path() is None:
        missing.append("Chromium (chromium, chromium-browser or google-chrome on PATH): "
                       + INSTALL_CHROMIUM)
    if not _have_playwright():
        missing.append("Playwright for Python: " + INSTALL_PLAYWRIGHT)
    if not AXE_JS.is_file():
        missing.append(f"axe-core ({AXE_JS.relative_to(BROWSER_DIR.parent.parent)}): "
                       + INSTALL_AXE)
    return missing


def require_browser_tools() -> str:
    """Chromium's path when Chromium, Playwright and axe-core are all installed; otherwise a
    skip, or a failure on CI (the ``CI`` variable set), which must run the browser tests."""
    missing = missing_browser_tools()
    if missing:
        what = "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"needed on CI to run the browser tests: {what}", pytrace=False)
        pytest.skip(f"browser tests need {what}")
    path = chromium_path()
    assert path is not None
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session, started on first use."""
    global _playwright_loop
    executable = require_browser_tools()
    from playwright.sync_api import Error, sync_playwright

    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True,
                chromium_sandbox=False, timeout=60_000)
        except Error as exc:
            pytest.fail(f"{executable} did not start under Playwright: {exc}", pytrace=False)
        _playwright_loop = asyncio.get_running_loop()
        try:
            yield chromium
        finally:
            _resume_playwright_loop()
            chromium.close()
    finally:
        _resume_playwright_loop()
        _playwright_loop = None
        playwright.stop()


def _resume_playwright_loop() -> None:
    if _playwright_loop is not None and asyncio._get_running_loop() is None:
        asyncio._set_running_loop(_playwright_loop)


@pytest.fixture(autouse=True)
def _asyncio_free_of_playwright(request: pytest.FixtureRequest) -> Iterator[None]:
    """Let the tests that do not use the browser call ``asyncio.run()``.

    Between its calls Playwright's sync API leaves its event loop marked as running in this
    thread, so while the session's browser is up, ``asyncio.run()`` would fail with "cannot be
    called from a running event loop". Around each test that does not use ``browser``, the
    mark is lifted, and put back afterwards for the next browser test. (A test that reaches
    the browser only through ``request.getfixturevalue`` should name ``browser`` instead.)
    """
    loop = _playwright_loop
    if loop is None or "browser" in request.fixturenames or asyncio._get_running_loop() is not loop:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        _resume_playwright_loop()


def viewport_for_zoom(percent: float, *, width: int = 1280, height: int = 1024) -> ViewportSize:
    """The CSS viewport of a ``width`` x ``height`` window zoomed to ``percent``.

    WCAG 1.4.10 (reflow) means 400% of a 1280 x 1024 window: 320 CSS px wide, 256 high.
    """
    return {"width": round(width * 100 / percent), "height": round(height * 100 / percent)}


def open_file(browser: Browser, path: Path | str, *, width: int = 1280, height: int = 900,
              zoom: float = 1.0) -> Page:
    """A new page (in its own context, with the network off) showing the local HTML file.

    ``zoom`` emulates the browser's zoom: ``zoom=4`` shows a 1280-wide window at 400%, a
    320 CSS px viewport at four device pixels per CSS pixel. Closing the page closes its
    context.
    """
    page = browser.new_page(viewport=viewport_for_zoom(zoom * 100, width=width, height=height),
                            device_scale_factor=zoom, offline=True)
    try:
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
    except BaseException:
        page.close()
        raise
    return page


def axe_violations(page: Page, *, tags: Sequence[str] = AXE_TAGS) -> list[dict[str, Any]]:
    """axe-core's violations of the rules with ``tags`` (WCAG 2.2 A and AA) on the page."""
    require_browser_tools()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE_JS)
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        list(tags),
    )
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def _target(target: Any) -> str:
    # A node in a shadow root or iframe has a list of selectors, outermost first.
    if isinstance(target, list):
        return " >> ".join(_target(part) for part in target)
    return str(target)


def describe_violations(violations: Sequence[dict[str, Any]], *, html_chars: int = 120) -> str:
    """One line per offending node: rule, impact, what the rule asks, where, and the HTML."""
    lines = []
    for violation in violations:
        for node in violation.get("nodes") or [{}]:
            html = re.sub(r"\s+", " ", str(node.get("html", ""))).strip()
            if len(html) > html_chars:
                html = html[:html_chars - 1] + "…"
            impact = node.get("impact") or violation.get("impact") or "?"
            lines.append(f"{violation['id']} [{impact}] {violation.get('help', '')}: "
                         f"{_target(node.get('target', '?'))}  {html}")
    return "\n".join(lines)
