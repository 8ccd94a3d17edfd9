"""The README's pictures: a page of the demo appendix's tagged PDF, its web page, and the
add-in's task pane after Recalculate RAG.

Builds the appendix of the committed demo plan with the library (what ``ragbook appendix
--html --pdf`` does). Page 2 of the tagged PDF (WeasyPrint) is turned into a picture with
poppler's ``pdftoppm`` at 110 dpi, palette-optimised, as ``docs/appendix-page.png``; the
web page is opened in headless Chromium (Debian's ``chromium``, driven by Playwright) and
its top is saved as ``docs/appendix-web.png``. The task pane is served by ``ragbook serve``
on 127.0.0.1 and opened over the demo plan in the browser tests' fake Excel
(``tests/browser/fake-office.js``); after a click on Recalculate RAG it is saved as
``docs/addin-pane.png``. Needs poppler-utils and Chromium::

    make picture        # or: .venv/bin/python docs/make_picture.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from ragbook.appendix.publish import write_html, write_pdf
from ragbook.appendix.theme import Theme
from ragbook.pdf import PdfError
from ragbook.workbook.operations import make_appendix

ROOT = Path(__file__).resolve().parents[1]
DEMO_PLAN = ROOT / "workbook_templates" / "demo_plan_2018-19_Q1.xlsx"
PICTURE = ROOT / "docs" / "appendix-page.png"
WEB_PICTURE = ROOT / "docs" / "appendix-web.png"
PANE_PICTURE = ROOT / "docs" / "addin-pane.png"
VARIATION_PICTURE = ROOT / "docs" / "appendix-variation.png"
PANE_VIEW = {"width": 350, "height": 760}
"""About the size of Excel's task pane."""
WEB_VIEW = {"width": 1100, "height": 900}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PAGE = 2
DPI = 110
COLOURS = 64
"""Palette size: text, rules, the table header's blue and the three RAG fills fit easily."""
LARGEST = 400 * 1024


def render_page(target: Path = PICTURE, page: int = PAGE, dpi: int = DPI) -> Path:
    """Write page ``page`` of the demo appendix to ``target`` as an optimised PNG."""
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm is needed (Debian/Ubuntu: sudo apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="ragbook-picture-") as name:
        folder = Path(name)
        plan = folder / DEMO_PLAN.name
        shutil.copyfile(DEMO_PLAN, plan)
        made = make_appendix(plan, out=folder / "appendix.xlsx")
        if made.written_to is None or made.appendix is None:
            raise SystemExit(f"{DEMO_PLAN.name} gave no appendix")
        theme = Theme.from_settings(made.workbook.settings)
        try:
            pdf = write_pdf(made.appendix, theme, folder / "appendix.pdf")
        except PdfError as error:
            raise SystemExit(str(error)) from None
        _screenshot(write_html(made.appendix, theme, folder / "appendix.html"), WEB_PICTURE)
        stem = folder / "page"
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi),
                        "-png", "-singlefile", str(pdf), str(stem)], check=True, timeout=120)
        _optimised(stem.with_suffix(".png"), target)
    return target


def _optimised(picture: Path, target: Path) -> None:
    with Image.open(picture) as image:
        small = image.convert("RGB").quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT,
                                              dither=Image.Dither.NONE)
        target.parent.mkdir(parents=True, exist_ok=True)
        small.save(target, optimize=True)
    size = target.stat().st_size
    if size > LARGEST:
        raise SystemExit(f"{target} is {size // 1024} KB: more than {LARGEST // 1024} KB")


def _screenshot(page: Path, target: Path) -> None:
    """The top of the web page as Chromium shows it, and outcome 1's variation table."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is needed (Debian/Ubuntu: sudo apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            view = browser.new_page(viewport=WEB_VIEW)
            view.goto(page.as_uri())
            shot = page.with_suffix(".png")
            view.screenshot(path=str(shot))
            table = view.locator("table", has=view.locator(
                "caption", has_text="Variation and assurance of outcome 1")).first
            variation = page.with_name("variation.png")
            table.screenshot(path=str(variation))
        finally:
            browser.close()
    _optimised(shot, target)
    _optimised(variation, VARIATION_PICTURE)


def pane_picture(target: Path = PANE_PICTURE) -> Path:
    """The task pane over the demo plan, after Recalculate RAG."""
    sys.path.insert(0, str(ROOT / "tests"))
    from playwright.sync_api import sync_playwright

    from fake_excel import open_taskpane, state_from_workbook
    from serving import free_port

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is needed (Debian/Ubuntu: sudo apt-get install chromium)")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ragbook", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import httpx

        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                pane = open_taskpane(browser, f"http://127.0.0.1:{port}",
                                     state_from_workbook(DEMO_PLAN), **PANE_VIEW)
                status = pane.click("Recalculate RAG")
                if "finished at" not in status:
                    raise SystemExit(f"Recalculate RAG did not finish: {pane.error()}")
                # The clock in the status line, fixed so the picture does not change each run.
                pane.page.evaluate("""() => {
                    const status = document.getElementById('ragbook-status');
                    status.textContent = status.textContent.replace(/at .*\\./, 'at 09:30.');
                }""")
                shot = Path(folder) / "pane.png"
                pane.page.screenshot(path=str(shot))
                _optimised(shot, target)
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    return target


def main() -> None:
    pane = pane_picture()
    print(f"Wrote {pane.relative_to(ROOT)}: the task pane after Recalculate RAG")
    picture = render_page()
    with Image.open(picture) as image:
        width, height = image.size
    print(f"Wrote {WEB_PICTURE.relative_to(ROOT)}: the top of the demo appendix's web page")
    print(f"Wrote {VARIATION_PICTURE.relative_to(ROOT)}: outcome 1's variation and assurance")
    print(f"Wrote {picture.relative_to(ROOT)}: page {PAGE} of the demo appendix's tagged PDF, "
          f"{width}x{height} px, {picture.stat().st_size // 1024} KB", file=sys.stdout)


if __name__ == "__main__":
    main()
