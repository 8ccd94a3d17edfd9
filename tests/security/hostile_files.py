"""Plan files made to hurt: a table over whole columns, zip bombs, a parse that never ends,
entity expansion. Each is the committed demo plan with one part changed, written straight
into the zip so that nothing has to hold the inflated bytes."""

from __future__ import annotations

import base64
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from conftest import DEMO_PLAN

MEGABYTE = 1024 * 1024
SHEET = "xl/worksheets/sheet4.xml"  # the Actions sheet


def _rewrite(target: Path, part: str, write: Callable[[bytes, zipfile.ZipFile], None]) -> Path:
    """The demo plan with ``part`` written by ``write(old bytes, zip)`` instead."""
    with zipfile.ZipFile(DEMO_PLAN) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                write(data, out)
            else:
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def _streamed(part: str, head: bytes, repeat: bytes, times: int, tail: bytes):
    def write(_: bytes, out: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(part, date_time=(2018, 6, 30, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w", force_zip64=True) as stream:
            stream.write(head)
            for _ in range(times):
                stream.write(repeat)
            stream.write(tail)
    return write


def _around_sheet_data(data: bytes) -> tuple[bytes, bytes]:
    head, _, rest = data.partition(b"<sheetData>")
    return head, b"<sheetData>" + rest


def whole_column_tables(target: Path) -> Path:
    """Every table formatted over whole columns, as Excel's Format as Table on A:Q makes it
    (to row 1,048,576)."""
    with zipfile.ZipFile(DEMO_PLAN) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/tables/table"):
                data = re.sub(rb'ref="([A-Z]+)1:([A-Z]+)\d+"', rb'ref="\g<1>1:\g<2>1048576"', data)
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def inflating_sheet(target: Path, megabytes: int = 1100) -> Path:
    """A sheet that inflates to ``megabytes`` of blank space from a file of about 1 MB."""
    with zipfile.ZipFile(DEMO_PLAN) as source:
        head, tail = _around_sheet_data(source.read(SHEET))
    return _rewrite(target, SHEET, _streamed(SHEET, head, b" " * MEGABYTE, megabytes, tail))


def comment_sheet(target: Path, megabytes: int = 1100) -> Path:
    """A sheet holding one XML comment of ``megabytes`` (its parse time grows with the square
    of its length)."""
    with zipfile.ZipFile(DEMO_PLAN) as source:
        head, tail = _around_sheet_data(source.read(SHEET))
    return _rewrite(target, SHEET, _streamed(SHEET, head + b"<!--", b"x" * MEGABYTE, megabytes,
                                             b"-->" + tail))


def slow_sheet(target: Path, megabytes: int = 20) -> Path:
    """A sheet whose one XML comment is random text: it packs like real data (within every
    size limit) but takes minutes to parse."""
    with zipfile.ZipFile(DEMO_PLAN) as source:
        head, tail = _around_sheet_data(source.read(SHEET))
    noise = base64.b64encode(os.urandom(megabytes * MEGABYTE * 3 // 4))

    def write(_: bytes, out: zipfile.ZipFile) -> None:
        out.writestr(SHEET, head + b"<!--" + noise + b"-->" + tail,
                     compress_type=zipfile.ZIP_DEFLATED)

    return _rewrite(target, SHEET, write)


def laughing_sheet(target: Path) -> Path:
    """Entity expansion ("billion laughs"): ten entities each ten times the one before."""
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))

    def write(data: bytes, out: zipfile.ZipFile) -> None:
        out.writestr("xl/worksheets/sheet1.xml",
                     f"<!DOCTYPE worksheet [{entities}]>".encode()
                     + data.replace(b"Delivery plan progress workbook", b"&a9;"),
                     compress_type=zipfile.ZIP_DEFLATED)

    return _rewrite(target, "xl/worksheets/sheet1.xml", write)


def many_parts(target: Path, count: int = 20_000) -> Path:
    """A package of tens of thousands of tiny parts."""
    with zipfile.ZipFile(DEMO_PLAN) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            out.writestr(info, source.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
        for number in range(count):
            out.writestr(f"xl/media/extra{number}.bin", b"")
    return target
