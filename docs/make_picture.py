"""Render page 2 of the demo plan's appendix (the first outcome's first page) for the README.

Builds the appendix of the committed demo plan with the library (what ``ragbook
appendix`` does), prints it to PDF with LibreOffice (``ragbook.pdf.to_pdf``), turns page 2
into a picture with poppler's ``pdftoppm`` at 110 dpi and writes it, palette-optimised,
to ``docs/appendix-page.png``. Needs LibreOffice and poppler-utils::

    make picture        # or: .venv/bin/python docs/make_picture.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from ragbook.pdf import PdfError, to_pdf
from ragbook.workbook.operations import make_appendix

ROOT = Path(__file__).resolve().parents[1]
DEMO_PLAN = ROOT / "workbook_templates" / "demo_plan_2018-19_Q1.xlsx"
PICTURE = ROOT / "docs" / "appendix-page.png"
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
        if made.written_to is None:
            raise SystemExit(f"{DEMO_PLAN.name} gave no appendix")
        try:
            pdf = to_pdf(made.written_to, folder)
        except PdfError as error:
            raise SystemExit(str(error)) from None
        stem = folder / "page"
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi),
                        "-png", "-singlefile", str(pdf), str(stem)], check=True, timeout=120)
        with Image.open(stem.with_suffix(".png")) as image:
            small = image.convert("RGB").quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT,
                                                  dither=Image.Dither.NONE)
            target.parent.mkdir(parents=True, exist_ok=True)
            small.save(target, optimize=True)
    size = target.stat().st_size
    if size > LARGEST:
        raise SystemExit(f"{target} is {size // 1024} KB: more than {LARGEST // 1024} KB")
    return target


def main() -> None:
    picture = render_page()
    with Image.open(picture) as image:
        width, height = image.size
    print(f"Wrote {picture.relative_to(ROOT)}: page {PAGE} of the demo appendix, "
          f"{width}x{height} px, {picture.stat().st_size // 1024} KB", file=sys.stdout)


if __name__ == "__main__":
    main()
