"""Publishing the appendix: the web page, and the tagged PDF printed from it.

Councils publish their Cabinet papers on their websites, where the accessibility
regulations apply: HTML first, and a PDF beside it that is tagged (a structure tree of
headings, tables with header cells, reading order, language and title). The PDF is
printed from the web page by WeasyPrint with tagging on, so it holds exactly what the
page holds. It does not claim PDF/UA: only what can be checked here is checked.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ragbook.appendix.layout import Appendix
from ragbook.appendix.render_html import render_html
from ragbook.appendix.theme import Theme
from ragbook.pdf import PdfError

PDF_HELP = (
    "WeasyPrint is needed to make the tagged PDF and could not be loaded ({error}). "
    "Install it with: pip install 'ragbook[pdf]' (it needs Pango: on Debian/Ubuntu "
    "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0; on Windows and macOS see "
    "https://doc.courtbouillon.org/weasyprint/stable/first_steps.html). The web page "
    "(--html) needs nothing more.")


def pdf_available() -> bool:
    """Whether the tagged PDF can be made here (WeasyPrint and Pango load)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def write_html(appendix: Appendix, theme: Theme, path: Path, *, page: str | None = None
               ) -> Path:
    """Write the appendix's web page to ``path`` (replaced whole, never half-written);
    ``page``: the page already rendered (:func:`render_html`)."""
    page = render_html(appendix, theme) if page is None else page
    def write(target: Path) -> None:
        target.write_text(page, encoding="utf-8")

    _write_whole(path, write)
    return path


def write_pdf(appendix: Appendix, theme: Theme, path: Path, *, page: str | None = None
              ) -> Path:
    """Print the appendix's web page to a tagged PDF at ``path``; ``page``: the page
    already rendered."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: Pango's libraries are missing
        raise PdfError(PDF_HELP.format(error=str(error).splitlines()[0])) from None
    page = render_html(appendix, theme) if page is None else page
    document = HTML(string=page, base_url=str(path.parent))

    def write(target: Path) -> None:
        document.write_pdf(target, pdf_tags=True, uncompressed_pdf=False)

    _write_whole(path, write)
    return path


def _write_whole(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file beside ``path``, then move it into place."""
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix,
                                    dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
