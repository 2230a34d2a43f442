"""The photo as the lab prints it (O5): at the print size of a product, cropped to its
aspect, without watermark. Also the portraits of the yearbook export, cropped the same way.

No Django here: callers read the original from the private storage and pass its bytes.
"""

import io
import math
import warnings as _warnings
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps

from seance.photos.imaging import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, ORIENTATION, ImagingError

CM_PER_INCH = Decimal("2.54")
JPEG_QUALITY = 92
# Decode at a reduced size (JPEG DCT scaling) only when it leaves at least this margin above
# what the print needs: resampling from a little more than needed keeps the print sharp.
DRAFT_MARGIN = 1.25
# The orientations that swap width and height (EXIF 5–8).
_SWAPS_AXES = {5, 6, 7, 8}


def print_px(width_cm: Decimal, height_cm: Decimal, *, dpi: int = 300, max_side_px: int = 7200):
    """The pixel size of a print of ``width_cm`` × ``height_cm`` at ``dpi``, and its dpi.

    Each side is ``cm / 2.54 × dpi`` rounded to the nearest pixel, halves up: a 13 × 18 cm
    print at 300 dpi is 1535 × 2126 px (1535.43 and 2125.98), 20 × 30 cm is 2362 × 3543 px.
    When the long side would pass ``max_side_px``, both sides shrink in proportion (same
    rounding) and the dpi returned is the one that still prints at the right size, rounded.
    """
    width_cm, height_cm = Decimal(width_cm), Decimal(height_cm)
    if width_cm <= 0 or height_cm <= 0 or dpi <= 0:
        raise ValueError("A print size and resolution must be positive.")

    def px(cm: Decimal, per_inch: Decimal) -> int:
        return max(1, int((cm / CM_PER_INCH * per_inch).to_integral_value(ROUND_HALF_UP)))

    per_inch = Decimal(dpi)
    long_cm = max(width_cm, height_cm)
    if px(long_cm, per_inch) > max_side_px:
        per_inch = Decimal(max_side_px) * CM_PER_INCH / long_cm
    size = (px(width_cm, per_inch), px(height_cm, per_inch))
    return size, int(per_inch.to_integral_value(ROUND_HALF_UP))


def _open(source: BinaryIO | bytes) -> Image.Image:
    """Open a photo lazily (headers only), refusing what could not be decoded safely."""
    if isinstance(source, bytes | bytearray | memoryview):
        if not source:
            raise ImagingError("empty")
        if len(source) > MAX_PHOTO_BYTES:
            raise ImagingError("too_large")
        source = io.BytesIO(source)
    try:
        with _warnings.catch_warnings():
            # The limit is ours (MAX_PHOTO_PIXELS), checked below; Pillow still raises
            # DecompressionBombError past twice its own.
            _warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source)
    except Image.DecompressionBombError as e:
        raise ImagingError("too_large") from e
    except (OSError, SyntaxError, ValueError) as e:  # not an image, truncated header
        raise ImagingError("corrupt") from e
    if image.width * image.height > MAX_PHOTO_PIXELS:
        raise ImagingError("too_large")
    return image


def _crop_scale(size: tuple[int, int], target: tuple[int, int]) -> float:
    """How much a picture of ``size`` is scaled once centre-cropped to fill ``target``."""
    return max(target[0] / size[0], target[1] / size[1])


def _to_rgb(image: Image.Image) -> tuple[Image.Image, bytes | None]:
    """The picture in RGB, and the ICC profile that still describes it (if any)."""
    icc = image.info.get("icc_profile") or None
    if image.mode == "RGB":
        return image, icc
    if image.mode == "CMYK" and icc:
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError):
            converted = None
        if converted is not None:
            return converted, None  # now sRGB: no profile needed
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))  # paper is white
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat, None
    # A grey or CMYK profile does not describe RGB pixels: drop it (sRGB is assumed).
    return image.convert("RGB"), None


def render(
    source: BinaryIO | bytes,
    size_px: tuple[int, int],
    *,
    dpi: int = 300,
    orient_like_photo: bool = True,
) -> bytes:
    """The photo centre-cropped to the aspect of ``size_px`` and resized to exactly it: JPEG.

    The EXIF orientation is applied first. With ``orient_like_photo``, ``size_px`` is turned
    to the photo's orientation (a landscape photo on portrait paper prints landscape); a
    square photo keeps ``size_px`` as given. The JPEG is RGB, quality 92, baseline, records
    ``dpi`` and keeps the photo's ICC profile when it still applies.

    Raises ImagingError("empty" | "too_large" | "corrupt") for files that cannot be decoded
    safely; a photo is never decoded at more than its full size, and JPEGs much larger than
    needed are decoded at 1/2, 1/4 or 1/8 scale.
    """
    image = _open(source)
    try:
        raw_w, raw_h = image.size
        orientation = image.getexif().get(ORIENTATION, 1)
        shown = (raw_h, raw_w) if orientation in _SWAPS_AXES else (raw_w, raw_h)
        target = tuple(size_px)
        if orient_like_photo and shown[0] != shown[1]:
            short, long = sorted(target)
            target = (long, short) if shown[0] > shown[1] else (short, long)
        # What the crop needs, in the file's own (unrotated) pixels: ask no more of libjpeg.
        scale = _crop_scale(shown, target) * DRAFT_MARGIN
        if scale < 0.5:
            image.draft("RGB", (math.ceil(raw_w * scale), math.ceil(raw_h * scale)))
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # no copy of the decoded frame
    except ImagingError:
        raise
    except Image.DecompressionBombError as e:
        raise ImagingError("too_large") from e
    except (OSError, SyntaxError, ValueError, EOFError) as e:  # truncated or corrupt data
        raise ImagingError("corrupt") from e
    image, icc = _to_rgb(image)
    printed = ImageOps.fit(image, target, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    out = io.BytesIO()
    options = {"icc_profile": icc} if icc else {}
    printed.save(out, "JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi), **options)
    return out.getvalue()


def render_print(
    source: BinaryIO | bytes,
    width_cm: Decimal,
    height_cm: Decimal,
    *,
    dpi: int = 300,
    max_side_px: int = 7200,
) -> bytes:
    """O5: the photo as the lab prints it on ``width_cm`` × ``height_cm`` paper (no watermark).

    The paper is turned like the photo (a landscape photo on a 13 × 18 product prints as
    18 × 13), the photo centre-cropped to the paper's aspect and resized to the print size
    of :func:`print_px` (13 × 18 cm at 300 dpi: 1535 × 2126 px, or 2126 × 1535).
    """
    size, actual_dpi = print_px(width_cm, height_cm, dpi=dpi, max_side_px=max_side_px)
    return render(source, size, dpi=actual_dpi)


# PSPA guidelines: yearbook portraits are at least 640 × 800 px, 0.8 aspect, portrait.
PORTRAIT_PX = (640, 800)


def render_portrait(
    source: BinaryIO | bytes, *, size_px: tuple[int, int] = PORTRAIT_PX, dpi: int = 300
) -> bytes:
    """A yearbook portrait: always upright ``size_px`` (0.8), centre-cropped from the photo."""
    return render(source, size_px, dpi=dpi, orient_like_photo=False)
