"""Draw the ragbook add-in icons: a traffic light (red, amber, green).

Writes static/images/icons/ragbook-16.png, -32, -64 and -80 (the sizes the
manifest asks for). The PNGs are committed; run this again only to change them:

    .venv/bin/python addin/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZES = (16, 32, 64, 80)
HOUSING = (38, 38, 38, 255)
LIGHTS = ((192, 0, 0, 255), (255, 192, 0, 255), (0, 176, 80, 255))  # ragbook's RAG fills
SCALE = 8  # draw large, then shrink, for smooth edges
OUT = Path(__file__).resolve().parent / "static" / "images" / "icons"


def icon(size: int) -> Image.Image:
    """A dark rounded housing with three lights stacked top to bottom."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    width = big * 0.56
    left = (big - width) / 2
    margin = big * 0.03
    draw.rounded_rectangle((left, margin, left + width, big - margin), radius=width * 0.28,
                           fill=HOUSING)
    pitch = (big - 2 * margin) / 3
    radius = min(width * 0.36, pitch * 0.40)
    for number, colour in enumerate(LIGHTS):
        cx = big / 2
        cy = margin + pitch * (number + 0.5)
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        path = OUT / f"ragbook-{size}.png"
        icon(size).save(path, optimize=True)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
