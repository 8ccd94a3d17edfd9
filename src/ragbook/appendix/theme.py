"""Every style the appendix uses, in one place.

A council restyles its appendix from the plan's Settings sheet, not from code:

| Setting | Default |
|---|---|
| Appendix font | Calibri (LibreOffice uses the metric-compatible Carlito) |
| Appendix text size | 10 |
| Appendix heading colour | 1F4E79 (dark blue) |
| Appendix table header colour | 1F4E79 |
| Appendix logo text | the Organisation setting |

RAG fills are the plan's (red C00000 with white letters, amber FFC000 and
green 00B050 with black letters): each letter is readable on its fill, and
the letter is always there, so nothing relies on colour alone.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from ragbook import schema
from ragbook.appendix import metrics
from ragbook.ratings import fold, is_blank

Align = Literal["left", "center", "right"]
VAlign = Literal["top", "center", "bottom"]

_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


@dataclass(frozen=True)
class Style:
    """What a cell looks like. Colours are six hex digits (RRGGBB)."""

    font: str = "Calibri"
    size: float = 10
    bold: bool = False
    italic: bool = False
    colour: str = "000000"
    fill: str | None = None
    horizontal: Align = "left"
    vertical: VAlign = "top"
    wrap: bool = True
    border: bool = False
    underline: bool = False
    number_format: str | None = None


@dataclass(frozen=True)
class Theme:
    """The appendix's look: a few settings from which every named style follows."""

    font: str = "Calibri"
    size: float = 10
    heading: str = "1F4E79"
    table_header: str = "1F4E79"
    logo_text: str = ""
    grey: str = "595959"
    styles: dict[str, Style] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "styles", self._named_styles())

    def style(self, name: str) -> Style:
        return self.styles[name]

    def _named_styles(self) -> dict[str, Style]:
        body = Style(font=self.font, size=self.size)
        bold = replace(body, bold=True)
        boxed = replace(body, border=True)
        styles = {
            "body": body,
            "title": replace(bold, size=self.size + 8, colour=self.heading, wrap=False),
            "subtitle": replace(bold, size=self.size + 2),
            "running header": replace(body, italic=True, colour=self.grey),
            "section": replace(bold, size=self.size + 3, colour=self.heading),
            "outcome": replace(bold, size=self.size + 2, colour=self.heading),
            "supporting": replace(bold, italic=True),
            "table header": replace(bold, colour="FFFFFF", fill=self.table_header, border=True,
                                    vertical="center"),
            "item": boxed,
            "item centre": replace(boxed, horizontal="center"),
            "item number": replace(boxed, horizontal="right"),
            "item date": replace(boxed, horizontal="center", number_format="dd/mm/yyyy"),
            "arrow": replace(boxed, bold=True, horizontal="center", size=self.size + 2),
            "commentary heading": replace(bold, colour=self.heading),
            "commentary": body,
            "standard sentence": replace(body, italic=True, colour=self.grey),
            "note": replace(body, italic=True, size=self.size - 1, colour=self.grey),
            "warning": replace(body, bold=True, colour="C00000"),
            "item warning": replace(boxed, bold=True, colour="C00000"),
            "link": replace(body, colour="0563C1", underline=True),
            "item link": replace(boxed, colour="0563C1", underline=True),
            "total": replace(bold, border=True),
            "total number": replace(bold, border=True, horizontal="right"),
        }
        for rating, fill in schema.RAG_FILLS.items():
            letter = replace(boxed, bold=True, horizontal="center", fill=fill,
                             colour=schema.RAG_FONTS[rating])
            styles[f"rag {rating}"] = letter
            styles[f"key {rating}"] = replace(letter, horizontal="left")
        styles["rag No data"] = replace(boxed, horizontal="center", italic=True)
        styles["rag n/a"] = styles["rag No data"]
        styles["rag "] = styles["rag No data"]
        return styles

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> Theme:
        """The theme a plan's Settings ask for (unknown or blank settings keep defaults)."""
        folded = {fold(k): v for k, v in settings.items() if not is_blank(v)}
        changes: dict[str, object] = {}
        if "appendix font" in folded:
            # Only fonts whose metrics ragbook has: row heights depend on them.
            with contextlib.suppress(ValueError):
                changes["font"] = metrics.family_name(str(folded["appendix font"]).strip())
        if "appendix text size" in folded:
            try:
                size = float(str(folded["appendix text size"]))
            except ValueError:
                size = 0
            if 6 <= size <= 20:
                changes["size"] = size
        for key, name in (("appendix heading colour", "heading"),
                          ("appendix table header colour", "table_header")):
            match = _HEX.match(str(folded.get(key, "")).strip())
            if match:
                changes[name] = match.group(1).upper()
        logo = folded.get("appendix logo text", folded.get("organisation", ""))
        changes["logo_text"] = str(logo).strip()
        return cls(**changes)  # type: ignore[arg-type]


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG contrast ratio between two RRGGBB colours (4.5 or more reads well)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
