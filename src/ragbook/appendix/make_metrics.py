"""Regenerate ``ragbook/data/font_metrics.json`` from the installed font files.

Run ``python -m ragbook.appendix.make_metrics`` (needs the dev dependency fontTools and the
Debian packages ``fonts-crosextra-carlito`` and ``fonts-liberation2``).  The runtime module
:mod:`ragbook.appendix.metrics` only reads the JSON this writes, so neither fontTools nor the
font files are needed to build an appendix.

Carlito is metric-compatible with Calibri and Liberation Sans with Arial: same advance widths
and vertical metrics, which is why LibreOffice substitutes them and why their numbers stand in
for the Microsoft fonts here.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts"))

# (family as ragbook names it, style) -> font file name; the files are found under FONT_DIRS.
FONT_FILES: dict[tuple[str, str], str] = {
    ("Calibri", "regular"): "Carlito-Regular.ttf",
    ("Calibri", "bold"): "Carlito-Bold.ttf",
    ("Calibri", "italic"): "Carlito-Italic.ttf",
    ("Calibri", "bold_italic"): "Carlito-BoldItalic.ttf",
    ("Arial", "regular"): "LiberationSans-Regular.ttf",
    ("Arial", "bold"): "LiberationSans-Bold.ttf",
    ("Arial", "italic"): "LiberationSans-Italic.ttf",
    ("Arial", "bold_italic"): "LiberationSans-BoldItalic.ttf",
}

SUBSTITUTES = {"Calibri": "Carlito", "Arial": "Liberation Sans"}

# Characters a UK council report is likely to contain.  Code points a font lacks are left out
# of its table; the runtime then uses the font's default width.
CHARACTER_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: £ ° ½ é ...
    (0x0100, 0x017F),  # Latin Extended-A: Welsh ŵ ŷ, names from across Europe
    (0x0192, 0x0192),  # ƒ
    (0x0218, 0x021B),  # Ș ș Ț ț (Romanian)
    (0x02C6, 0x02C7),  # ˆ ˇ
    (0x02D8, 0x02DD),  # spacing accents
    (0x2010, 0x2027),  # hyphens, dashes, quotes, bullet, ellipsis
    (0x2030, 0x2030),  # ‰
    (0x2032, 0x2033),  # ′ ″
    (0x2039, 0x203A),  # ‹ ›
    (0x2044, 0x2044),  # ⁄
    (0x2070, 0x2070),  # ⁰
    (0x2074, 0x2079),  # superscript digits
    (0x20AC, 0x20AC),  # €
    (0x2113, 0x2113),  # ℓ
    (0x2116, 0x2116),  # №
    (0x2122, 0x2122),  # ™
    (0x2153, 0x215E),  # vulgar fractions
    (0x2190, 0x2199),  # arrows: direction of travel
    (0x2202, 0x2202),  # ∂
    (0x2206, 0x2206),  # ∆
    (0x2212, 0x2212),  # − minus
    (0x2219, 0x221A),  # ∙ √
    (0x221E, 0x221E),  # ∞
    (0x2248, 0x2248),  # ≈
    (0x2260, 0x2260),  # ≠
    (0x2264, 0x2265),  # ≤ ≥
    (0x25A0, 0x25A1),  # ■ □
    (0x25AA, 0x25AB),  # ▪ ▫
    (0x25B2, 0x25B2),  # ▲
    (0x25BA, 0x25BA),  # ►
    (0x25BC, 0x25BC),  # ▼
    (0x25C4, 0x25C4),  # ◄
    (0x25CB, 0x25CB),  # ○
    (0x25CF, 0x25CF),  # ●
    (0x2610, 0x2612),  # ☐ ☑ ☒
    (0x2713, 0x2714),  # ✓ ✔
    (0x2717, 0x2718),  # ✗ ✘
    (0xFB01, 0xFB02),  # ﬁ ﬂ
)


def find_font(file_name: str, dirs: Iterable[Path] = FONT_DIRS) -> Path:
    """The first installed file called ``file_name`` under ``dirs``."""
    for directory in dirs:
        for path in sorted(directory.rglob(file_name)):
            return path
    raise FileNotFoundError(f"font file {file_name} not found under {', '.join(map(str, dirs))};"
                            " install fonts-crosextra-carlito and fonts-liberation2")


def covered_widths(advance: dict[int, int]) -> Iterator[tuple[int, int]]:
    """(code point, advance width) for every wanted character the font has, in order."""
    for first, last in CHARACTER_RANGES:
        for code in range(first, last + 1):
            if code in advance:
                yield code, advance[code]


def encode_runs(widths: Iterable[tuple[int, int]]) -> dict[str, str]:
    """Compact runs over consecutive code points: ``{"0020-007E": "463 463 ...", ...}``."""
    runs: list[tuple[int, list[int]]] = []
    for code, width in widths:
        if runs and runs[-1][0] + len(runs[-1][1]) == code:
            runs[-1][1].append(width)
        else:
            runs.append((code, [width]))
    return {f"{start:04X}-{start + len(ws) - 1:04X}": " ".join(map(str, ws))
            for start, ws in runs}


def font_record(path: Path) -> dict[str, Any]:
    """The numbers ragbook needs from one font file."""
    from fontTools.ttLib import TTFont  # dev-only dependency

    with TTFont(path, lazy=True) as font:
        cmap = font.getBestCmap()
        hmtx = font["hmtx"]
        advance = {code: hmtx[glyph][0] for code, glyph in cmap.items()}
        hhea, os2, head = font["hhea"], font["OS/2"], font["head"]
        lowercase = [advance[c] for c in range(ord("a"), ord("z") + 1)]
        return {
            "file": path.name,
            "font_name": font["name"].getDebugName(4),
            "version": font["name"].getDebugName(5),
            "units_per_em": head.unitsPerEm,
            "hhea": {"ascender": hhea.ascent, "descender": hhea.descent,
                     "line_gap": hhea.lineGap},
            "win": {"ascent": os2.usWinAscent, "descent": os2.usWinDescent},
            "typo": {"ascender": os2.sTypoAscender, "descender": os2.sTypoDescender,
                     "line_gap": os2.sTypoLineGap,
                     "use_typo_metrics": bool(os2.fsSelection & (1 << 7))},
            "x_avg_char_width": os2.xAvgCharWidth,
            "default_width": round(sum(lowercase) / len(lowercase)),
            "widths": encode_runs(covered_widths(advance)),
        }


def build(dirs: Iterable[Path] = FONT_DIRS) -> dict[str, Any]:
    """The whole metrics document."""
    dirs = tuple(dirs)
    fonts: dict[str, dict[str, Any]] = {}
    for (family, style), file_name in sorted(FONT_FILES.items()):
        fonts.setdefault(family, {})[style] = font_record(find_font(file_name, dirs))
    return {
        "about": "Advance widths and vertical metrics in font units, generated by "
                 "python -m ragbook.appendix.make_metrics from the metric-compatible "
                 "substitutes (Calibri=Carlito, Arial=Liberation Sans). widths: "
                 "{first-last code point (hex): space-separated advance widths}; "
                 "characters not listed use default_width (the mean width of a-z).",
        "format": 1,
        "fonts": fonts,
        "substitutes": SUBSTITUTES,
    }


def dumps(document: dict[str, Any]) -> str:
    """Deterministic JSON: sorted keys, one width run per line."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=True) + "\n"


def default_output() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "font_metrics.json"


def main(argv: list[str] | None = None) -> int:
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # noisy about Carlito's timestamps
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_output(), help="file to write")
    args = parser.parse_args(argv)
    text = dumps(build())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
