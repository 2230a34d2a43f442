"""O5: the photo as the lab prints it — print size, centred crop, orientation, dpi, safety."""

import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageDraw
from PIL.JpegImagePlugin import JpegImageFile

from seance.photos import lab
from seance.photos.imaging import ImagingError
from tests.photos.fakes import camera_jpeg

RED, GREEN, BLUE = (220, 20, 20), (20, 200, 20), (20, 20, 220)


def jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.mode == "RGB"
    return image


def close_to(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


@pytest.mark.parametrize(
    ("photo", "paper", "expected"),
    [
        ((800, 1200), (13, 18), (1535, 2126)),
        ((1200, 800), (13, 18), (2126, 1535)),  # a landscape photo prints 18 × 13
        ((800, 1200), (20, 30), (2362, 3543)),
        ((1200, 800), (20, 30), (3543, 2362)),
        ((1200, 800), (18, 13), (2126, 1535)),  # the product's own orientation does not matter
        ((1000, 1000), (13, 18), (1535, 2126)),  # square: the paper as given
    ],
)
def test_print_size_follows_the_paper_turned_like_the_photo(photo, paper, expected):
    data = lab.render_print(camera_jpeg(size=photo), Decimal(paper[0]), Decimal(paper[1]))
    image = opened(data)
    assert image.size == expected
    assert image.info["dpi"] == (300, 300)


def test_print_px_rounds_to_the_nearest_pixel_and_caps_the_long_side():
    assert lab.print_px(Decimal("13"), Decimal("18")) == ((1535, 2126), 300)
    assert lab.print_px(Decimal("20"), Decimal("30"), dpi=150) == ((1181, 1772), 150)
    # 50 × 70 cm at 300 dpi would be 5906 × 8268 px: capped, printed at a lower dpi.
    assert lab.print_px(Decimal("50"), Decimal("70")) == ((5143, 7200), 261)
    with pytest.raises(ValueError):
        lab.print_px(Decimal("0"), Decimal("18"))


@given(
    st.decimals(min_value=1, max_value=150, places=1),
    st.decimals(min_value=1, max_value=150, places=1),
    st.sampled_from([150, 254, 300, 600]),
)
def test_print_px_keeps_the_aspect_and_the_cap(width, height, dpi):
    (w, h), actual = lab.print_px(width, height, dpi=dpi, max_side_px=7200)
    assert max(w, h) <= 7200 and actual <= dpi
    # Rounding moves each side by half a pixel at most.
    assert abs(w / h - float(width / height)) <= (0.5 / min(w, h)) * (1 + float(width / height))


def test_crop_to_the_paper_aspect_is_centred():
    # 2:1 photo on 13 × 18 (1.385:1): about 615 px of 4000 go on each side. The bands we
    # paint just inside that are cut away on both sides, and nothing else is.
    photo = Image.new("RGB", (4000, 2000), GREEN)
    draw = ImageDraw.Draw(photo)
    draw.rectangle([0, 0, 599, 1999], fill=RED)
    draw.rectangle([3400, 0, 3999, 1999], fill=BLUE)
    image = opened(lab.render_print(jpeg(photo), Decimal("13"), Decimal("18")))
    assert image.size == (2126, 1535)
    for y in (0, 767, 1534):
        assert close_to(image.getpixel((0, y)), GREEN)
        assert close_to(image.getpixel((2125, y)), GREEN)
    # Not cropped more than needed: the bands end within a few pixels of the edges.
    wider = Image.new("RGB", (4000, 2000), GREEN)
    draw = ImageDraw.Draw(wider)
    draw.rectangle([0, 0, 629, 1999], fill=RED)
    draw.rectangle([3370, 0, 3999, 1999], fill=BLUE)
    image = opened(lab.render_print(jpeg(wider), Decimal("13"), Decimal("18")))
    assert close_to(image.getpixel((0, 767)), RED)
    assert close_to(image.getpixel((2125, 767)), BLUE)


def test_exif_orientation_is_applied():
    # Stored landscape, top half red; orientation 6 says "turn 90° clockwise to show":
    # shown upright it is a portrait whose right half is red.
    raw = Image.new("RGB", (1800, 1200), BLUE)
    ImageDraw.Draw(raw).rectangle([0, 0, 1799, 599], fill=RED)
    exif = Image.Exif()
    exif[0x0112] = 6
    image = opened(lab.render_print(jpeg(raw, exif=exif), Decimal("13"), Decimal("18")))
    assert image.size == (1535, 2126)  # printed portrait, like the photo is shown
    assert close_to(image.getpixel((1500, 1063)), RED)
    assert close_to(image.getpixel((30, 1063)), BLUE)
    assert image.getexif().get(0x0112, 1) == 1  # never turned twice by a viewer


def test_icc_profile_is_kept():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = jpeg(Image.new("RGB", (1200, 800), GREEN), icc_profile=profile)
    image = opened(lab.render_print(data, Decimal("13"), Decimal("18")))
    assert image.info["icc_profile"] == profile


def test_large_photos_are_decoded_at_a_reduced_size(monkeypatch):
    requested = []
    original = JpegImageFile.draft

    def spy(self, mode, size):
        result = original(self, mode, size)
        requested.append((size, self.size))
        return result

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    data = lab.render_print(camera_jpeg(size=(6000, 4000)), Decimal("13"), Decimal("18"))
    assert opened(data).size == (2126, 1535)
    [(_, decoded)] = requested
    assert decoded == (3000, 2000)  # 1/2 scale still covers the 2126 × 1535 crop
    requested.clear()
    lab.render_print(camera_jpeg(size=(2400, 1600)), Decimal("13"), Decimal("18"))
    assert requested == []  # not much larger than needed: full decode


def test_portrait_is_upright_at_0_8_even_from_a_landscape_photo():
    for size in ((1200, 800), (800, 1200)):
        image = opened(lab.render_portrait(camera_jpeg(size=size)))
        assert image.size == (640, 800)
        assert image.info["dpi"] == (300, 300)


def test_cmyk_and_transparent_sources_become_rgb():
    cmyk = io.BytesIO()
    Image.new("CMYK", (800, 1200), (0, 255, 255, 0)).save(cmyk, "JPEG")
    assert opened(lab.render_print(cmyk.getvalue(), Decimal("13"), Decimal("18"))).size == (
        1535,
        2126,
    )
    png = io.BytesIO()
    Image.new("RGBA", (800, 1000), (0, 0, 0, 0)).save(png, "PNG")
    image = opened(lab.render_portrait(png.getvalue()))
    assert close_to(image.getpixel((320, 400)), (255, 255, 255))  # transparent prints white


def test_a_file_object_works_too():
    data = lab.render_print(io.BytesIO(camera_jpeg()), Decimal("13"), Decimal("18"))
    assert opened(data).size == (2126, 1535)


def _with_declared_size(data: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header claiming another size (as a bomb does)."""
    at = data.index(b"\xff\xc0") + 5  # marker, length (2), precision (1)
    return data[:at] + height.to_bytes(2, "big") + width.to_bytes(2, "big") + data[at + 4 :]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"not a photo at all", "corrupt"),
        (camera_jpeg()[:3000], "corrupt"),  # truncated
        (_with_declared_size(camera_jpeg(), 11_000, 11_000), "too_large"),  # our limit
        (_with_declared_size(camera_jpeg(), 20_000, 20_000), "too_large"),  # Pillow's
    ],
    ids=["empty", "garbage", "truncated", "over-our-limit", "bomb"],
)
def test_bad_files_raise_a_clear_error(data, reason):
    with pytest.raises(ImagingError) as raised:
        lab.render_print(data, Decimal("13"), Decimal("18"))
    assert raised.value.args == (reason,)
