"""Turning a workbook into a PDF with LibreOffice, when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

INSTALL_HELP = (
    "LibreOffice is needed to make a PDF and was not found. Install it "
    "(Debian/Ubuntu: sudo apt-get install libreoffice-calc-nogui; Windows and macOS: "
    "https://www.libreoffice.org/download), or open the appendix in Excel and use "
    "File > Save As > PDF.")

_PLACES = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)


class PdfError(Exception):
    """The PDF could not be made; the message says why and what to do."""


def find_soffice() -> str | None:
    """The LibreOffice program, if installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((place for place in _PLACES if Path(place).exists()), None)


def to_pdf(workbook: Path, folder: Path | None = None, *, timeout: float = 300) -> Path:
    """Convert a workbook to PDF beside it (or in ``folder``); returns the PDF's path."""
    program = find_soffice()
    if program is None:
        raise PdfError(INSTALL_HELP)
    folder = folder or workbook.parent
    env = {**os.environ, "LANG": "en_GB.UTF-8", "LC_ALL": "en_GB.UTF-8"}
    with tempfile.TemporaryDirectory(prefix="ragbook-soffice-") as profile:
        # A profile of its own, so a LibreOffice the officer has open does not interfere.
        command = [program, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                   "--convert-to", "pdf", "--outdir", str(folder), str(workbook)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  env=env, stdin=subprocess.DEVNULL,
                                  creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)
                                  if sys.platform == "win32" else 0)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice took more than {timeout:.0f} s to convert "
                           f"{workbook.name}; try again, or save it as PDF from Excel") from None
    pdf = folder / f"{workbook.stem}.pdf"
    if done.returncode != 0 or not pdf.exists():
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise PdfError(f"LibreOffice could not convert {workbook.name} to PDF"
                       + (f": {detail[-1]}" if detail else ""))
    return pdf
