import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from seance.photos import imaging
from seance.photos.models import WatermarkPosition

POSITIONS = [p.value for p in WatermarkPosition]


def png(width=200, height=100, color=(200, 30, 30, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), color).save(out, "PNG")
    return out.getvalue()


def changed_pixels(a: Image.Image, b: Image.Image) -> int:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
    return diff.point(lambda v: 255 if v > 8 else 0).histogram()[255]


@settings(max_examples=25, deadline=None)
@given(
    width=st.integers(40, 900),
    height=st.integers(40, 900),
    position=st.sampled_from(POSITIONS),
    text=st.text(min_size=1, max_size=40).filter(str.strip),
    opacity=st.integers(0, 100),
)
def test_text_watermark_keeps_size_and_never_fails(width, height, position, text, opacity):
    photo = Image.new("RGB", (width, height), (90, 120, 160))
    marked = imaging.apply_watermark(
        photo, imaging.Watermark(kind="text", text=text, position=position, opacity=opacity)
    )
    assert marked.size == photo.size
    assert marked.mode == "RGB"


@pytest.mark.parametrize("position", POSITIONS)
def test_watermark_marks_the_photo_and_opacity_matters(position):
    photo = imaging.sample_photo(600, 400)
    faint = imaging.apply_watermark(
        photo, imaging.Watermark(kind="text", text="Studio Lumière", position=position, opacity=10)
    )
    strong = imaging.apply_watermark(
        photo, imaging.Watermark(kind="text", text="Studio Lumière", position=position, opacity=90)
    )
    assert changed_pixels(photo, strong) > 500
    assert changed_pixels(photo, strong) >= changed_pixels(photo, faint)
    assert ImageChops.difference(faint, strong).getbbox() is not None


def test_tiled_watermark_covers_the_whole_photo():
    photo = Image.new("RGB", (1200, 800), (100, 100, 100))
    marked = imaging.apply_watermark(
        photo, imaging.Watermark(kind="text", text="PROOF", position="tiled", opacity=80)
    )
    # Every quarter of the photo carries some of the mark: no clean corner to crop.
    for box in [(0, 0, 600, 400), (600, 0, 1200, 400), (0, 400, 600, 800), (600, 400, 1200, 800)]:
        assert changed_pixels(photo.crop(box), marked.crop(box)) > 200


def test_image_watermark_is_drawn():
    photo = Image.new("RGB", (800, 600), (255, 255, 255))
    mark = imaging.open_mark(png())
    marked = imaging.apply_watermark(
        photo, imaging.Watermark(kind="image", mark=mark, position="center", opacity=100)
    )
    r, g, _b = marked.getpixel((400, 300))
    assert r > 150 and g < 80


def test_no_watermark_leaves_the_photo_alone():
    photo = imaging.sample_photo(300, 200)
    same = imaging.apply_watermark(photo, imaging.Watermark(kind="none"))
    assert ImageChops.difference(photo, same).getbbox() is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "corrupt"),
        (b"not an image at all", "corrupt"),
        (png()[:60], "corrupt"),
        (b"GIF89a" + b"\x00" * 40, "corrupt"),
        (b"x" * (imaging.MAX_MARK_BYTES + 1), "too_large"),
    ],
)
def test_bad_watermark_files_are_refused(data, reason):
    with pytest.raises(imaging.ImagingError) as e:
        imaging.open_mark(data)
    assert str(e.value) == reason


def test_decompression_bomb_is_refused_before_decoding():
    # A tiny PNG that claims 20000 × 20000 pixels.
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    assert len(out.getvalue()) < imaging.MAX_MARK_BYTES
    with pytest.raises(imaging.ImagingError) as e:
        imaging.open_mark(out.getvalue())
    assert str(e.value) == "too_large"


def test_gif_is_refused_as_a_format():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(imaging.ImagingError) as e:
        imaging.open_mark(out.getvalue())
    assert str(e.value) == "format"


def test_our_pixel_limit_is_the_one_that_counts(monkeypatch):
    """Pillow warns above its own limit; a photo between that and MAX_PHOTO_PIXELS passes,
    one above MAX_PHOTO_PIXELS is refused (here both limits are scaled down to a small JPEG)."""
    from tests.photos.fakes import camera_jpeg

    data = camera_jpeg(size=(1200, 800))  # 960,000 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 600_000)  # Pillow warns, does not refuse
    monkeypatch.setattr(imaging, "MAX_PHOTO_PIXELS", 1_000_000)
    assert imaging.process_photo(data, watermark=imaging.Watermark(kind="none")).width == 1200
    monkeypatch.setattr(imaging, "MAX_PHOTO_PIXELS", 900_000)
    with pytest.raises(imaging.ImagingError) as e:
        imaging.process_photo(data, watermark=imaging.Watermark(kind="none"))
    assert str(e.value) == "too_large"
