"""Image work without Django: the watermark (P10) and the sample photo its preview uses.

Previews shown before purchase always carry the watermark; the same function serves the
live preview in the session form and, later, every preview the import pipeline makes.
"""

import datetime as dt
import functools
import io
import warnings as _warnings
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
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


def _layer(size: tuple[int, int], tile: Image.Image, position: str) -> Image.Image:
    """A transparent layer of ``size`` with the mark drawn on it; tiles may hang over."""
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    margin = round(min(size) * 0.03)
    bw, bh = size
    if position == "tiled":
        # Rows of marks on a sheet large enough to cover the photo once turned 30°.
        side = int((bw**2 + bh**2) ** 0.5) + 1
        tw, th = tile.size
        step_x, step_y = int(tw * 1.35) + 1, int(th * 2.6) + 1
        sheet = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        for row, y in enumerate(range(0, side, step_y)):
            for x in range(-(step_x // 2) * (row % 2), side, step_x):
                sheet.paste(tile, (x, y), tile)
        sheet = sheet.rotate(30, resample=Image.Resampling.BICUBIC)
        left, top = (side - bw) // 2, (side - bh) // 2
        return sheet.crop((left, top, left + bw, top + bh))
    tw, th = tile.size
    spots = {
        "center": ((bw - tw) // 2, (bh - th) // 2),
        "bottom_right": (bw - tw - margin, bh - th - margin),
        "bottom_left": (margin, bh - th - margin),
        "top_right": (bw - tw - margin, margin),
        "top_left": (margin, margin),
    }
    layer.paste(tile, spots.get(position, spots["center"]), tile)
    return layer


# Every preview of a session has one of two sizes (landscape, portrait) and the same
# watermark: the layer is drawn once and then only blended (a few ms instead of ~250).
# Entries keep a reference to their logo, so the id() in the key cannot be reused meanwhile.
_LAYERS: dict[tuple, tuple[Image.Image | None, Image.Image | None]] = {}
_LAYERS_MAX = 32


def watermark_layer(size: tuple[int, int], watermark: Watermark) -> Image.Image | None:
    """The watermark for a picture of ``size`` as an RGBA layer, or None when there is none."""
    key = (
        size,
        watermark.kind,
        clean_text(watermark.text),
        id(watermark.mark),
        watermark.position,
        watermark.opacity,
    )
    if key in _LAYERS:
        return _LAYERS[key][1]
    opacity = max(0, min(100, watermark.opacity)) / 100
    short = min(size)
    tile = None
    text = clean_text(watermark.text)
    if watermark.kind == "text" and text:
        tiled = watermark.position == "tiled"
        font_size = max(10, round(short * (0.06 if tiled else 0.09)))
        tile = _text_tile(text, font_size, round(255 * opacity))
    elif watermark.kind == "image" and watermark.mark is not None:
        scale = 0.25 if watermark.position == "tiled" else 0.35
        mark = ImageOps.contain(watermark.mark, (round(short * scale * 1.6), round(short * scale)))
        tile = _with_alpha(mark, opacity)
    layer = None if tile is None else _layer(size, tile, watermark.position)
    if len(_LAYERS) >= _LAYERS_MAX:
        _LAYERS.clear()
    _LAYERS[key] = (watermark.mark, layer)
    return layer


def apply_watermark(image: Image.Image, watermark: Watermark) -> Image.Image:
    """A copy of ``image`` (RGB) with the watermark drawn on it."""
    marked = image.convert("RGB")
    if marked is image:
        marked = image.copy()
    layer = watermark_layer(marked.size, watermark)
    if layer is not None:
        marked.paste(layer, (0, 0), layer)
    return marked


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


# --- photo ingest: one decode per file (see shared measurements) -----------------------

MAX_PHOTO_BYTES = 80 * 1024 * 1024
MAX_PHOTO_PIXELS = 120_000_000  # a 100 MP medium-format frame passes; bombs do not
PREVIEW_EDGE = 1600
THUMB_EDGE = 400
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
SUBSEC_ORIGINAL = 37521
OFFSET_ORIGINAL = 36881
DATETIME = 306


ORIENTATION = 0x0112
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """``size`` scaled so its long edge is at most ``edge`` (never enlarged)."""
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


@dataclass(frozen=True)
class Processed:
    width: int
    height: int
    taken_at: dt.datetime | None  # naive camera time, unless the camera wrote its UTC offset
    qr_texts: tuple[str, ...]
    preview: bytes  # JPEG, watermarked
    thumbnail: bytes  # JPEG, watermarked
    warnings: tuple[str, ...] = ()


def _capture_time(image: Image.Image) -> dt.datetime | None:
    """EXIF DateTimeOriginal (+ sub-seconds, + offset when present); reading it decodes no pixel."""
    exif = image.getexif()
    sub = exif.get_ifd(EXIF_IFD)
    raw = sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not raw:
        return None
    try:
        when = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    subsec = str(sub.get(SUBSEC_ORIGINAL) or "").strip("\x00 ")
    if subsec.isdigit():
        when = when.replace(microsecond=int(subsec[:6].ljust(6, "0")))
    offset = str(sub.get(OFFSET_ORIGINAL) or "").strip("\x00 ")
    if len(offset) == 6 and offset[0] in "+-":
        try:
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            sign = 1 if offset[0] == "+" else -1
            when = when.replace(
                tzinfo=dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
            )
        except ValueError:
            pass
    return when


def read_qr(half: Image.Image) -> tuple[str, ...]:
    """QR texts in a photo, from its 1/2-scale decode.

    zxing-cpp first reads a 1/4-scale grey copy (fast: most photos have no card, and cards
    are printed large for this); only if it found a QR symbol it could not decode does it
    look again at 1/2 scale — the retry that pays, without costing every other photo.
    """
    grey = half.convert("L")
    quarter = grey.reduce(2)
    found = zxingcpp.read_barcodes(
        quarter, formats=zxingcpp.BarcodeFormat.QRCode, return_errors=True
    )
    texts = [b.text for b in found if b.valid and b.text]
    if not texts and found:
        texts = [
            b.text
            for b in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
            if b.valid and b.text
        ]
    return tuple(dict.fromkeys(texts))


def process_photo(data: bytes, *, watermark: Watermark) -> Processed:
    """Decode a camera JPEG once at 1/2 scale and make everything the import needs from it.

    Raises ImagingError("not_jpeg" | "too_large" | "corrupt" | "empty") for files that are
    not usable photos; nothing is written by this function.
    """
    if not data:
        raise ImagingError("empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise ImagingError("too_large")
    warnings: list[str] = []
    try:
        with _warnings.catch_warnings():
            # Pillow warns between its own limit (≈ 89 MP) and twice that, where it refuses;
            # our limit, checked below, is the one that counts (a 100 MP frame passes).
            _warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        if image.format != "JPEG":
            raise ImagingError("not_jpeg")
        width, height = image.size
        if width * height > MAX_PHOTO_PIXELS:
            raise ImagingError("too_large")
        taken_at = _capture_time(image)
        if taken_at is None:
            warnings.append("no_capture_time")
        orientation = image.getexif().get(ORIENTATION, 1)
        # DCT-domain downscale: libjpeg decodes straight to 1/2 size (half the work).
        image.draft("RGB", (width // 2, height // 2))
        image.load()
    except ImagingError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImagingError("too_large") from e
    except (OSError, SyntaxError, ValueError) as e:  # truncated, corrupt, not an image
        raise ImagingError("corrupt") from e
    half = image if image.mode == "RGB" else image.convert("RGB")
    qr_texts = read_qr(half)  # orientation does not matter to the reader
    # Below a 2× reduction, bilinear (which Pillow widens into an anti-aliasing filter)
    # looks like bicubic on a 1600 px preview and costs half as much.
    preview = half.resize(_fit(half.size, PREVIEW_EDGE), Image.Resampling.BILINEAR)
    if orientation in TRANSPOSE:  # turn only the small picture, not the decoded frame
        preview = preview.transpose(TRANSPOSE[orientation])
    thumb = preview.resize(
        _fit(preview.size, THUMB_EDGE), Image.Resampling.BICUBIC, reducing_gap=2.0
    )
    return Processed(
        width=width,
        height=height,
        taken_at=taken_at,
        qr_texts=qr_texts,
        preview=to_jpeg(apply_watermark(preview, watermark), quality=82),
        thumbnail=to_jpeg(apply_watermark(thumb, watermark), quality=78),
        warnings=tuple(warnings),
    )
