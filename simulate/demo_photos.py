"""Demo photos: a small drawn scene per case and stage, the same for the same seed.

Each picture shows a street (sky, buildings, pavement, road), the problem's object in a colour of
the stage (report: as found, handling: repaired, check: as checked) and a caption with the type
code, the stage and the case number. Captions are ASCII: the built-in font has no Chinese
glyphs, and no font file is shipped. The bytes go through cases/photos.py store_photo like any
upload, which re-encodes and hashes them.
"""

from __future__ import annotations

import io
import zlib
from typing import Final

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SIZE: Final = (240, 180)
STAGE_LABEL: Final = {"report": "REPORT", "handling": "AFTER", "check": "CHECK"}
# The object: broken red at the report, mended green after handling, blue when checked.
STAGE_COLOUR: Final = {"report": (200, 60, 40), "handling": (60, 160, 70), "check": (50, 90, 190)}


def demo_photo(
    seed: int, key: str, stage: str, type_code: str, type_name: str, number: str
) -> bytes:
    """A JPEG of a few KB for `stage` of the case `number`; `key` varies the scene."""
    rng = np.random.default_rng([seed, zlib.crc32(f"{key}/{stage}".encode())])
    width, height = SIZE
    image = Image.new("RGB", SIZE, _colour(rng, (150, 190, 225), 15))
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.35, 0.5))
    x = 0
    while x < width:  # a row of buildings
        w, h = int(rng.integers(25, 60)), int(rng.integers(25, horizon))
        draw.rectangle((x, horizon - h, x + w, horizon), fill=_colour(rng, (170, 160, 150), 30))
        x += w + int(rng.integers(0, 8))
    draw.rectangle((0, horizon, width, height), fill=(120, 120, 125))  # pavement
    road = horizon + (height - horizon) // 3
    draw.rectangle((0, road, width, height), fill=(70, 70, 75))
    for dash in range(0, width, 30):
        draw.rectangle((dash, road + 28, dash + 15, road + 31), fill=(230, 230, 230))
    _object(draw, rng, _form(type_name), road, STAGE_COLOUR[stage])
    font = ImageFont.load_default(size=13)
    draw.rectangle((0, 0, width, 20), fill=(0, 0, 0))
    draw.text((4, 3), f"{type_code}  {STAGE_LABEL[stage]}  {number}", fill="white", font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def _colour(
    rng: np.random.Generator, base: tuple[int, int, int], spread: int
) -> tuple[int, int, int]:
    r, g, b = (int(np.clip(c + rng.integers(-spread, spread + 1), 0, 255)) for c in base)
    return r, g, b


def _form(type_name: str) -> str:
    if any(word in type_name for word in ("井盖", "箅子", "盖板", "破损", "塌陷")):
        return "cover"
    if any(word in type_name for word in ("灯", "杆", "牌", "树")):
        return "pole"
    return "box"


def _object(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    form: str,
    road: int,
    colour: tuple[int, int, int],
) -> None:
    """A cover, a pole or a box, by the type's name."""
    x = int(rng.integers(50, 190))
    if form == "cover":  # a manhole cover in the road
        y = road + int(rng.integers(10, 40))
        draw.ellipse((x - 22, y - 10, x + 22, y + 10), fill=colour, outline=(20, 20, 20), width=2)
    elif form == "box":  # a box on the pavement
        draw.rectangle((x - 18, road - 36, x + 18, road - 2), fill=colour, outline=(20, 20, 20))
    else:  # a pole with a lamp or a sign
        draw.rectangle((x - 2, road - 80, x + 2, road), fill=(60, 60, 60))
        draw.ellipse((x - 10, road - 92, x + 10, road - 76), fill=colour)
