"""Camera-like JPEGs for the demo studio and the tests: a scene, optionally a QR card in it,
an EXIF capture time. Nothing here is used when real photos are imported."""

import datetime as dt
import io
import random

import segno
from PIL import Image, ImageDraw, ImageFilter


def qr_image(payload: str, module_px: int) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=module_px, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def camera_jpeg(
    *,
    size: tuple[int, int] = (1200, 800),
    qr: str | None = None,
    qr_fraction: float = 0.2,
    taken_at: dt.datetime | None = None,
    seed: int = 0,
    angle: float = 0.0,
    quality: int = 85,
) -> bytes:
    """A JPEG like a camera's: noise-free scene, optional card with a QR, EXIF time."""
    rng = random.Random(seed)  # noqa: S311 - a picture, not a secret
    width, height = size
    image = Image.new(
        "RGB", size, (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
    )
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, width), rng.randint(0, height)
        r = rng.randint(width // 30, width // 8)
        draw.ellipse(
            [x - r, y - r, x + r, y + r], fill=tuple(rng.randint(0, 255) for _ in range(3))
        )
    if qr:
        side = int(width * qr_fraction)
        code = qr_image(qr, max(1, side // 37))
        code = code.resize((side, side), Image.Resampling.NEAREST)
        card = Image.new("RGB", (int(side * 1.3), int(side * 1.3)), "white")
        card.paste(code, ((card.width - side) // 2, (card.height - side) // 2))
        if angle:
            card = card.rotate(angle, expand=True, fillcolor=(90, 90, 90))
        image.paste(card, ((width - card.width) // 2, (height - card.height) // 2))
        image = image.filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    exif = Image.Exif()
    if taken_at is not None:
        exif.get_ifd(0x8769)[36867] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    image.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()
