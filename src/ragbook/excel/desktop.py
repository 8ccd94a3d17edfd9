"""The same buttons for desktop xlwings (Windows or macOS, with a local Python).

An Excel workbook calls these with xlwings' ``RunPython`` from a button or the
ribbon, for example::

    Sub RecalculateRAG()
        RunPython "import ragbook.excel.desktop as r; r.recalculate_rag()"
    End Sub

Each runs the add-in script of the same name on the calling workbook, so the
desktop route gives what the server and Lite routes give. The worksheet
functions need no VBA: ``xlwings addin install`` and the add-in's Import
Functions button read them from ``ragbook.excel.functions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import xlwings as xw

from ragbook.excel import scripts


def _run(script: Callable[..., Any], book: xw.Book | None = None) -> None:
    target = book or xw.Book.caller()
    getattr(script, "__wrapped__", script)(target)


def recalculate_rag(book: xw.Book | None = None) -> None:
    """Recalculate RAG on the workbook that called it."""
    _run(scripts.recalculate_rag, book)


def check_milestones(book: xw.Book | None = None) -> None:
    """Check milestones on the workbook that called it."""
    _run(scripts.check_milestones, book)


def build_appendix(book: xw.Book | None = None) -> None:
    """Build the appendix in the workbook that called it."""
    _run(scripts.build_appendix, book)


def roll_forward(book: xw.Book | None = None) -> None:
    """Start the next quarter in the workbook that called it."""
    _run(scripts.roll_forward, book)
