"""Every style the appendix uses, in one place.

A council restyles its appendix from the plan's Settings sheet, not from code:

| Setting | Default |
|---|---|
| Appendix font | Calibri (LibreOffice uses the metric-compatible Carlito) |
| Appendix text size | 10 |
| Appendix heading colour | 1F4E79 (dark blue) |
| Appendix table header colour | 1F4E79 |
| Appendix logo text | the Organisation setting |
| Appendix footer | the Organisation setting |

RAG fills are the plan's (red C00000 with white letters, amber FFC000 and
green 00B050 with black letters): each letter is readable on its fill, and
the letter is always there, so nothing relies on colour alone.
"""

from __future__ import annotations

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
    footer: str = ""
    """The footer's text on every page (beside "Page n of N")."""
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
        # Making Data Count's colours, each with the letters that read on it.
        for name, (fill, letters) in {"improvement": ("00B0F0", "000000"),
                                      "concern": ("E46C0A", "000000"),
                                      "neutral": ("490092", "FFFFFF"),
                                      "common": ("A6A6A6", "000000")}.items():
            styles[f"mdc {name}"] = replace(boxed, bold=True, fill=fill, colour=letters,
                                            horizontal="center", vertical="center")
        styles["mdc none"] = replace(boxed, italic=True, colour=self.grey, horizontal="center",
                                     vertical="center")
        styles["trend"] = replace(boxed, size=self.size - 2, colour=self.grey)
        styles["rag No data"] = replace(boxed, horizontal="center", italic=True)
        styles["rag n/a"] = styles["rag No data"]
        styles["rag "] = styles["rag No data"]
        return styles

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> Theme:
        """The theme a plan's Settings ask for (blank settings keep the defaults; a value
        that cannot be used keeps the default too, and :func:`read_appendix_settings` says
        so, which ``check`` lists)."""
        changes, _ = read_appendix_settings(settings)
        return cls(**changes)  # type: ignore[arg-type]


APPENDIX_SETTINGS = ("Appendix font", "Appendix text size", "Appendix heading colour",
                     "Appendix table header colour", "Appendix logo text", "Appendix footer")
"""The Settings rows that restyle the appendix (all optional)."""

TEXT_SIZES = (6.0, 20.0)

_NUMBER_WORDS = {word: number for number, word in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty"))}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?|[a-z]+)\s*(?:pt|pts|points?)?$")


def read_text_size(value: object) -> float | None:
    """A text size as an officer may type it: ``11``, ``11pt``, ``10.5 points``, ``eleven``
    (None when it is none of these)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _SIZE.match(str(value).strip().lower())
    if match is None:
        return None
    word = match.group(1)
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    try:
        return float(word)
    except ValueError:
        return None


def read_appendix_settings(settings: dict[str, object]
                           ) -> tuple[dict[str, object], dict[str, str]]:
    """The theme's changes from Settings, and each setting that could not be used with what
    is expected instead (``{"Appendix text size": "a text size from 6 to 20, ..."}``)."""
    folded = {fold(k): v for k, v in settings.items() if not is_blank(v)}
    changes: dict[str, object] = {}
    refused: dict[str, str] = {}
    if "appendix font" in folded:
        # Only fonts whose metrics ragbook has: row heights depend on them.
        try:
            changes["font"] = metrics.family_name(str(folded["appendix font"]).strip())
        except ValueError:
            refused["Appendix font"] = "Calibri or Arial (the fonts whose sizes ragbook knows)"
    if "appendix text size" in folded:
        size = read_text_size(folded["appendix text size"])
        low, high = TEXT_SIZES
        if size is not None and low <= size <= high:
            changes["size"] = size
        else:
            refused["Appendix text size"] = (f"a text size from {low:g} to {high:g}, such as "
                                             f"{Theme.size:g} (the appendix uses {Theme.size:g})")
    for key, name, setting in (("appendix heading colour", "heading", "Appendix heading colour"),
                               ("appendix table header colour", "table_header",
                                "Appendix table header colour")):
        if key not in folded:
            continue
        match = _HEX.match(str(folded[key]).strip())
        if match:
            changes[name] = match.group(1).upper()
        else:
            refused[setting] = "a colour as six hex digits, such as 1F4E79 (dark blue)"
    logo = folded.get("appendix logo text", folded.get("organisation", ""))
    changes["logo_text"] = str(logo).strip()
    footer = folded.get("appendix footer", folded.get("organisation", ""))
    changes["footer"] = str(footer).strip()
    return changes, refused


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG contrast ratio between two RRGGBB colours (4.5 or more reads well)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
