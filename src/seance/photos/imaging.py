"""Image work without Django: the watermark (P10) and the sample photo its preview uses.

Previews shown before purchase always carry the watermark; the same function serves the
live preview in the session form and, later, every preview the import pipeline makes.
"""

import functools
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

# A watermark image larger than this is refused: it is a logo, not a photo.
MAX_MARK_PIXELS = 2000 * 2000
MAX_MARK_BYTES = 2 * 1024 * 1024


class ImagingError(Exception):
    pass


@dataclass(frozen=True)
class Watermark:
    kind: str = "text"  # "text", "image" or "none"
    text: str = ""
    mark: Image.Image | None = None  # the logo, for kind "image"
    position: str = "tiled"  # see photos.models.WatermarkPosition
    opacity: int = 35  # percent


def open_mark(data: bytes) -> Image.Image:
    """Open an uploaded watermark image safely: PNG or JPEG, bounded size, fully decoded."""
    if len(data) > MAX_MARK_BYTES:
        raise ImagingError("too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in {"PNG", "JPEG", "WEBP"}:
                raise ImagingError("format")
            if probe.width * probe.height > MAX_MARK_PIXELS:
                raise ImagingError("too_large")
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except ImagingError:
        raise
    except Image.DecompressionBombError as e:
        raise ImagingError("too_large") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise ImagingError("corrupt") from e
    return image.convert("RGBA")


# DejaVu Sans ships with Séance: it covers the accents of French and Polish and Cyrillic.
FONT_PATH = Path(__file__).resolve().parent.parent / "core" / "fonts" / "DejaVuSans-Bold.ttf"


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size=size)


def clean_text(text: str) -> str:
    """One line of printable text: line breaks and control characters become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _text_tile(text: str, size: int, alpha: int) -> Image.Image:
    font = _font(size)
    left, top, right, bottom = font.getbbox(text)
    pad = max(2, size // 8)
    tile = Image.new("RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    # A dark halo under light text stays readable on white shirts and on dark hair.
    draw.text(
        (pad - left, pad - top),
        text,
        font=font,
        fill=(255, 255, 255, alpha),
        stroke_width=max(1, size // 24),
        stroke_fill=(0, 0, 0, alpha // 2),
    )
    return tile


def _with_alpha(mark: Image.Image, opacity: float) -> Image.Image:
    mark = mark.convert("RGBA")
    alpha = mark.getchannel("A").point(lambda a: round(a * opacity))
    mark.putalpha(alpha)
    return mark


def _place(base: Image.Image, tile: Image.Image, position: str) -> None:
    """Draw ``tile`` on ``base`` (in place); tiles may hang over the edges."""
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    margin = round(min(base.size) * 0.03)
    bw, bh = base.size
    if position == "tiled":
        # Rows of marks on a layer large enough to cover the photo once turned 30°.
        side = int((bw**2 + bh**2) ** 0.5) + 1
        tw, th = tile.size
        step_x, step_y = int(tw * 1.35) + 1, int(th * 2.6) + 1
        sheet = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        for row, y in enumerate(range(0, side, step_y)):
            for x in range(-(step_x // 2) * (row % 2), side, step_x):
                sheet.paste(tile, (x, y), tile)
        sheet = sheet.rotate(30, resample=Image.Resampling.BICUBIC)
        left, top = (side - bw) // 2, (side - bh) // 2
        layer = sheet.crop((left, top, left + bw, top + bh))
    else:
        tw, th = tile.size
        spots = {
            "center": ((bw - tw) // 2, (bh - th) // 2),
            "bottom_right": (bw - tw - margin, bh - th - margin),
            "bottom_left": (margin, bh - th - margin),
            "top_right": (bw - tw - margin, margin),
            "top_left": (margin, margin),
        }
        layer.paste(tile, spots.get(position, spots["center"]), tile)
    base.alpha_composite(layer)


def apply_watermark(image: Image.Image, watermark: Watermark) -> Image.Image:
    """A copy of ``image`` (RGB) with the watermark drawn on it."""
    base = image.convert("RGBA")
    opacity = max(0, min(100, watermark.opacity)) / 100
    short = min(base.size)
    tile = None
    text = clean_text(watermark.text)
    if watermark.kind == "text" and text:
        tiled = watermark.position == "tiled"
        size = max(10, round(short * (0.06 if tiled else 0.09)))
        tile = _text_tile(text, size, round(255 * opacity))
    elif watermark.kind == "image" and watermark.mark is not None:
        scale = 0.25 if watermark.position == "tiled" else 0.35
        mark = ImageOps.contain(watermark.mark, (round(short * scale * 1.6), round(short * scale)))
        tile = _with_alpha(mark, opacity)
    if tile is not None:
        _place(base, tile, watermark.position)
    return base.convert("RGB")


@functools.cache
def sample_photo(width: int = 1200, height: int = 800) -> Image.Image:
    """A synthetic portrait-like picture to preview the watermark on (no stock photo needed)."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # a studio backdrop, light at the top
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=(int(120 - 50 * t), int(150 - 60 * t), int(190 - 70 * t))
        )
    cx = width // 2
    head_r = height // 7
    head_cy = int(height * 0.42)
    draw.ellipse(
        [cx - int(head_r * 2.6), head_cy + int(head_r * 1.3), cx + int(head_r * 2.6), height * 1.6],
        fill=(44, 62, 80),
    )  # shoulders
    draw.rectangle(
        [cx - head_r // 3, head_cy + head_r // 2, cx + head_r // 3, head_cy + int(head_r * 1.5)],
        fill=(224, 172, 138),
    )  # neck
    draw.ellipse(
        [
            cx - int(head_r * 1.12),
            head_cy - int(head_r * 1.38),
            cx + int(head_r * 1.12),
            head_cy + int(head_r * 0.5),
        ],
        fill=(92, 58, 33),
    )  # hair, behind the face
    draw.ellipse(
        [cx - head_r, head_cy - int(head_r * 1.05), cx + head_r, head_cy + head_r],
        fill=(233, 185, 150),
    )  # face
    light = Image.new("L", (width, height), 0)
    ImageDraw.Draw(light).ellipse([width * 0.1, -height * 0.3, width * 0.7, height * 0.5], fill=60)
    light = light.filter(ImageFilter.GaussianBlur(radius=max(1, width // 12)))
    image.paste((255, 255, 255), mask=light)
    return image


def to_jpeg(image: Image.Image, *, quality: int = 82) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()
