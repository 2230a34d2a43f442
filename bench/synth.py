"""Seeded, realistic 24 MP camera JPEGs for the photo-ingest benchmark (issue 4).

Every photo is a 6000×4000 studio portrait-like frame saved at JPEG quality 92 with EXIF
(DateTimeOriginal, make/model, orientation): a mottled backdrop with a floor, a pupil whose
clothes, hair and skin carry fine texture, out-of-focus props, vignetting and sensor noise, so
that files weigh 4–8 MB like real ones (a flat synthetic frame compresses to a few hundred KB
and would flatter every decoder).

Some photos show a printed QR card held in front of the pupil, as the photographer shoots
before each pupil: the QR is the one Séance prints (``codes.card_payload`` of a seeded code,
version and error level as ``cards.qr_code`` makes them), its side (the symbol, quiet zone
excluded) is 3–15 % of the frame width, log-uniformly spread so small hard cards are well
represented, turned up to ±30°, with a slight perspective, focus or motion blur, uneven light
and reduced contrast, and fingers on the card's edges. A few photos carry a *foreign* QR code
(a school poster on the wall, another studio's card) that must never be taken as a card.

Files are generated once into a cache directory and reused: each file name is a hash of its
spec and of GENERATOR_VERSION, so changing the plan or the generator makes new files.

    python bench/synth.py [--photos N] [--cards-ratio R] [--cache DIR]   # generate only
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import io
import json
import math
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import NormalDist

from PIL import Image, ImageChops, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from seance.photos import codes  # noqa: E402  (needs the sys.path line above)

GENERATOR_VERSION = 1
WIDTH, HEIGHT = 6000, 4000
QUALITY = 92
SITE_URL = "https://photos.example.net"
DEFAULT_CACHE = Path(os.environ.get("SEANCE_BENCH_CACHE", "/tmp/seance-bench"))  # noqa: S108
QR_MIN, QR_MAX = 0.03, 0.15  # QR side / frame width
SESSION_START = dt.datetime(2026, 5, 12, 8, 30, 0)

# Foreign QR codes: what a photographer meets in a school and must not sort by.
FOREIGN_PAYLOADS = (
    "https://www.ecole-des-tilleuls.example.org/kermesse-2026?utm_source=affiche&utm_medium=qr",
    "https://studio-rival.example.com/gallery/7H3K9P2M4XQA",
    "https://instagram.example.com/ecoledestilleuls",
    "WIFI:T:WPA;S:Ecole-Invites;P:tilleuls2026;;",
)


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules of ``payload`` exactly as Séance prints its cards (or as segno would)."""
    try:
        from seance.photos.cards import qr_code  # the printed symbol: version, level

        qr = qr_code(payload)
    except ImportError:  # reportlab missing: same call as cards.qr_code
        import segno

        qr = segno.make(payload, error="m", boost_error=True, micro=False)
    return [[bool(v) for v in row] for row in qr.matrix]


@dataclasses.dataclass(frozen=True)
class Spec:
    """Everything that determines one generated photo (and its ground truth)."""

    index: int
    seed: int
    kind: str  # "plain", "card" or "foreign"
    taken_at: str  # EXIF DateTimeOriginal, "YYYY:MM:DD HH:MM:SS"
    orientation: int = 1
    payload: str = ""  # what the QR in the frame encodes ("" for plain photos)
    code: str = ""  # the card's access code (cards only)
    qr_fraction: float = 0.0  # QR side (symbol without quiet zone) / frame width
    angle: float = 0.0  # degrees
    perspective: float = 0.0  # corner jitter, fraction of the card size
    blur: float = 0.0  # Gaussian radius in full-resolution pixels
    motion: int = 0  # motion blur length in pixels (0: none)
    light_low: float = 1.0  # darkest side of the card, relative to its lit side
    black: int = 0  # printed black as photographed (contrast)
    white: int = 255  # paper white as photographed

    @property
    def name(self) -> str:
        blob = json.dumps([GENERATOR_VERSION, dataclasses.asdict(self)], sort_keys=True)
        digest = hashlib.sha1(blob.encode()).hexdigest()[:10]  # noqa: S324 (a file name)
        return f"IMG_{self.index:04d}_{self.kind}_{digest}.JPG"


def plan(photos: int, cards_ratio: float, seed: int = 2026) -> list[Spec]:
    """The photos of one synthetic shooting day, in shooting order, with their ground truth."""
    rng = random.Random(seed)  # noqa: S311 (a benchmark, not a secret)
    n_cards = max(0, min(photos, round(photos * cards_ratio)))
    n_foreign = min(photos - n_cards, max(1, round(photos * 0.05))) if photos >= 4 else 0
    kinds = ["card"] * n_cards + ["foreign"] * n_foreign
    kinds += ["plain"] * (photos - len(kinds))
    # Cards open a pupil's series: spread them out, as a photographer would.
    rng.shuffle(kinds)
    # QR sizes: log-uniform over [3 %, 15 %], stratified so every run covers the whole range.
    lo, hi = math.log(QR_MIN), math.log(QR_MAX)
    sizes = [
        math.exp(lo + (hi - lo) * (k + rng.random()) / max(1, n_cards)) for k in range(n_cards)
    ]
    rng.shuffle(sizes)
    foreign = list(FOREIGN_PAYLOADS)
    rng.shuffle(foreign)
    specs: list[Spec] = []
    when = SESSION_START
    for index, kind in enumerate(kinds):
        when += dt.timedelta(seconds=rng.randint(3, 40))
        common = {
            "index": index,
            "seed": rng.randrange(2**31),
            "kind": kind,
            "taken_at": when.strftime("%Y:%m:%d %H:%M:%S"),
            "orientation": rng.choice([1] * 8 + [6, 8]),
        }
        if kind == "card":
            code = codes.new_code(rng.randrange)
            blurred = rng.random() < 0.4
            specs.append(
                Spec(
                    **common,
                    payload=codes.card_payload(SITE_URL, code),
                    code=code,
                    qr_fraction=round(sizes.pop(), 4),
                    angle=round(rng.uniform(-30, 30), 1),
                    perspective=round(rng.uniform(0.0, 0.06), 3),
                    blur=round(rng.uniform(0.8, 1.8) if blurred else rng.uniform(0.2, 0.7), 2),
                    motion=rng.choice([0, 0, 0, 3, 5]) if blurred else 0,
                    light_low=round(rng.uniform(0.55, 1.0), 2),
                    black=rng.randint(15, 70),
                    white=rng.randint(175, 245),
                )
            )
        elif kind == "foreign":
            specs.append(
                Spec(
                    **common,
                    payload=foreign[len(specs) % len(foreign)],
                    qr_fraction=round(rng.uniform(0.04, 0.10), 4),
                    angle=round(rng.uniform(-10, 10), 1),
                    perspective=round(rng.uniform(0.0, 0.05), 3),
                    blur=round(rng.uniform(0.3, 1.0), 2),
                    light_low=round(rng.uniform(0.7, 1.0), 2),
                    black=rng.randint(15, 50),
                    white=rng.randint(190, 245),
                )
            )
        else:
            specs.append(Spec(**common))
    return specs


# --- textures ---------------------------------------------------------------------------

_GAUSS = NormalDist()


def _gauss_lut(sigma: float) -> list[int]:
    """Maps uniform bytes to Gaussian noise around 128 (inverse CDF): seeded, no numpy."""
    return [
        max(0, min(255, round(128 + sigma * _GAUSS.inv_cdf((i + 0.5) / 256)))) for i in range(256)
    ]


def noise(rng: random.Random, size: tuple[int, int], sigma: float) -> Image.Image:
    """Seeded Gaussian noise (mode L, centred on 128)."""
    raw = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return raw.point(_gauss_lut(sigma))


def smooth_noise(rng: random.Random, size: tuple[int, int], cell: float, sigma: float):
    """Noise with grains of about ``cell`` pixels (fabric, skin, mottled backdrop)."""
    small = (max(2, round(size[0] / cell)), max(2, round(size[1] / cell)))
    return noise(rng, small, sigma).resize(size, Image.Resampling.BICUBIC)


def _add(image: Image.Image, grain: Image.Image) -> Image.Image:
    """``image`` (RGB) plus a centred L texture on every channel."""
    return ImageChops.add(image, Image.merge("RGB", [grain] * 3), 1.0, -128)


def textured(rng, size, color, cell, sigma) -> Image.Image:
    return _add(Image.new("RGB", size, color), smooth_noise(rng, size, cell, sigma))


def _jitter(rng, color, amount=25):
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in color)


# --- the scene --------------------------------------------------------------------------


def _backdrop(rng: random.Random) -> Image.Image:
    top = _jitter(rng, rng.choice([(120, 150, 190), (150, 150, 150), (190, 170, 140)]), 30)
    bottom = tuple(max(0, c - rng.randint(30, 70)) for c in top)
    ramp = Image.linear_gradient("L").resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
    scene = Image.composite(
        Image.new("RGB", (WIDTH, HEIGHT), bottom), Image.new("RGB", (WIDTH, HEIGHT), top), ramp
    )
    scene = _add(scene, smooth_noise(rng, (WIDTH, HEIGHT), 240, 30))  # painted canvas
    scene = _add(scene, smooth_noise(rng, (WIDTH, HEIGHT), 3, 9))  # its weave
    floor_y = int(HEIGHT * rng.uniform(0.78, 0.88))
    floor = textured(rng, (WIDTH, HEIGHT - floor_y), _jitter(rng, (110, 85, 60), 20), 2.5, 26)
    scene.paste(floor, (0, floor_y))
    # Props out of focus: a bench, a plant, a lamp.
    draw = ImageDraw.Draw(scene)
    for _ in range(rng.randint(3, 6)):
        x, y = rng.randint(0, WIDTH), rng.randint(0, HEIGHT)
        w, h = rng.randint(200, 900), rng.randint(200, 1400)
        color = tuple(rng.randint(20, 230) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x, y, x + w, y + h], fill=color)
    return scene.filter(ImageFilter.BoxBlur(3))


def _paste_shape(scene, rng, box, color, cell, sigma, shape="ellipse", blur=6):
    """A textured shape (clothes, skin, hair) pasted with soft edges."""
    x0, y0, x1, y1 = (round(v) for v in box)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(WIDTH, x1), min(HEIGHT, y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    size = (x1 - x0, y1 - y0)
    mask = Image.new("L", (size[0] // 4 + 1, size[1] // 4 + 1), 0)
    inner = [2, 2, mask.width - 3, mask.height - 3]
    getattr(ImageDraw.Draw(mask), shape)(inner, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(blur / 4)).resize(size, Image.Resampling.BILINEAR)
    scene.paste(textured(rng, size, color, cell, sigma), (x0, y0), mask)


def _pupil(scene: Image.Image, rng: random.Random) -> tuple[int, int, int]:
    """Draws a pupil; returns (centre x, chest y, head radius) for the card's placement."""
    cx = round(WIDTH * rng.uniform(0.35, 0.65))
    head_r = round(HEIGHT * rng.uniform(0.11, 0.15))
    head_y = round(HEIGHT * rng.uniform(0.30, 0.38))
    clothes = tuple(rng.randint(20, 220) for _ in range(3))
    skin = _jitter(rng, (225, 175, 140), 30)
    hair = _jitter(rng, (70, 45, 25), 30)
    # Shoulders and body: knitted or woven cloth, fine grain.
    _paste_shape(
        scene,
        rng,
        (cx - head_r * 3.2, head_y + head_r * 1.2, cx + head_r * 3.2, head_y + head_r * 7),
        clothes,
        1.6,
        30,
    )
    # Stripes or checks on some shirts: sharp edges, as on real clothes.
    if rng.random() < 0.5:
        draw = ImageDraw.Draw(scene)
        dark = tuple(max(0, c - 60) for c in clothes)
        step = rng.randint(25, 70)
        y0 = round(head_y + head_r * 1.9)
        for y in range(y0, min(HEIGHT, round(head_y + head_r * 6)), step):
            draw.rectangle([cx - head_r * 2.6, y, cx + head_r * 2.6, y + step // 3], fill=dark)
    _paste_shape(
        scene,
        rng,
        (cx - head_r * 0.4, head_y + head_r * 0.6, cx + head_r * 0.4, head_y + head_r * 1.6),
        skin,
        5,
        8,
        "rectangle",
    )
    _paste_shape(
        scene,
        rng,
        (cx - head_r * 1.2, head_y - head_r * 1.3, cx + head_r * 1.2, head_y + head_r * 0.9),
        hair,
        1.2,
        40,
    )
    _paste_shape(
        scene, rng, (cx - head_r, head_y - head_r, cx + head_r, head_y + head_r * 1.05), skin, 4, 12
    )
    draw = ImageDraw.Draw(scene)
    for side in (-1, 1):  # eyes
        ex, ey = cx + side * head_r * 0.38, head_y - head_r * 0.05
        draw.ellipse(
            [ex - head_r * 0.12, ey - head_r * 0.07, ex + head_r * 0.12, ey + head_r * 0.07],
            fill=(245, 245, 240),
        )
        draw.ellipse(
            [ex - head_r * 0.06, ey - head_r * 0.06, ex + head_r * 0.06, ey + head_r * 0.06],
            fill=(60, 40, 30),
        )
    draw.arc(
        [cx - head_r * 0.35, head_y + head_r * 0.25, cx + head_r * 0.35, head_y + head_r * 0.6],
        20,
        160,
        fill=(150, 60, 60),
        width=max(4, head_r // 40),
    )
    return cx, round(head_y + head_r * 3.2), head_r


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]):
    """Coefficients for Image.transform(PERSPECTIVE) mapping output ``dst`` to input ``src``."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    n = 8  # Gaussian elimination with partial pivoting: 8 unknowns, no numpy needed
    m = [[*row, b] for row, b in zip(rows, rhs, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [a - f * b for a, b in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def _printed(spec: Spec, rng: random.Random, *, poster: bool) -> tuple[Image.Image, tuple]:
    """The printed card (or poster) at photo scale, lit and contrasted as photographed.

    Returns the image and the QR symbol's corners in its coordinates.
    """
    matrix = qr_matrix(spec.payload)
    border = 4  # segno's matrix includes the quiet zone
    modules = len(matrix) - 2 * border
    side = spec.qr_fraction * WIDTH  # the symbol, quiet zone excluded
    module = side / modules
    sharp_module = 8
    qr = Image.new("L", (len(matrix) * sharp_module,) * 2, 255)
    draw = ImageDraw.Draw(qr)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle(
                    [
                        x * sharp_module,
                        y * sharp_module,
                        (x + 1) * sharp_module - 1,
                        (y + 1) * sharp_module - 1,
                    ],
                    fill=0,
                )
    qr_px = round(len(matrix) * module)
    qr = qr.resize((qr_px, qr_px), Image.Resampling.BOX)  # ink edges fall between pixels
    if poster:
        width, height = round(qr_px * rng.uniform(2.0, 2.6)), round(qr_px * rng.uniform(2.6, 3.2))
        paper = tuple(rng.randint(150, 250) for _ in range(3))
        card = Image.new("RGB", (width, height), paper)
        d = ImageDraw.Draw(card)
        d.rectangle([0, 0, width, height // 4], fill=tuple(rng.randint(0, 200) for _ in range(3)))
        for k in range(4):  # headline and body text as bars
            y = height // 4 + 40 + k * height // 12
            d.rectangle(
                [width // 10, y, width * rng.uniform(0.5, 0.9), y + height // 30], fill=(40, 40, 40)
            )
        qx, qy = (width - qr_px) // 2, height - qr_px - height // 20
        card.paste(Image.merge("RGB", [qr] * 3), (qx, qy))
    else:
        # Séance's card: paper, the QR at the top, the pupil's name and lines below.
        width = round(qr_px * rng.uniform(1.15, 1.4))
        height = round(width * 1.414)
        card = Image.new("RGB", (width, height), (248, 247, 242))
        qx, qy = (width - qr_px) // 2, round(width * 0.06)
        card.paste(Image.merge("RGB", [qr] * 3), (qx, qy))
        d = ImageDraw.Draw(card)
        for k in range(5):
            y = qy + qr_px + round(height * (0.05 + 0.06 * k))
            d.rectangle(
                [width * 0.1, y, width * rng.uniform(0.45, 0.9), y + max(2, height // 60)],
                fill=(30, 30, 35),
            )
    # Uneven light across the card, then the contrast the camera saw (grey paper, grey ink).
    ramp = Image.linear_gradient("L").resize(card.size, Image.Resampling.BILINEAR)
    ramp = ramp.rotate(rng.uniform(0, 360), resample=Image.Resampling.BILINEAR, fillcolor=128)
    low = round(255 * spec.light_low)
    ramp = ramp.point(lambda v: low + (255 - low) * v // 255)
    card = ImageChops.multiply(card, Image.merge("RGB", [ramp] * 3))
    lut = [spec.black + (spec.white - spec.black) * v // 255 for v in range(256)]
    card = card.point(lut * 3)
    q0 = qx + border * module, qy + border * module
    q1 = qx + qr_px - border * module, qy + qr_px - border * module
    return card, (q0, q1)


def _place(scene, rng, spec: Spec, centre: tuple[int, int], *, poster: bool) -> None:
    card, _qr_box = _printed(spec, rng, poster=poster)
    w, h = card.size
    # Destination quad: the card turned by spec.angle, corners jittered for perspective.
    a = math.radians(spec.angle)
    ca, sa = math.cos(a), math.sin(a)
    jitter = spec.perspective * max(w, h)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    quad = [
        (
            x * ca - y * sa + rng.uniform(-jitter, jitter),
            x * sa + y * ca + rng.uniform(-jitter, jitter),
        )
        for x, y in corners
    ]
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    bw, bh = math.ceil(max(xs) - min(xs)) + 2, math.ceil(max(ys) - min(ys)) + 2
    cx = min(max(centre[0], bw // 2 + 10), WIDTH - bw // 2 - 10)
    cy = min(max(centre[1], bh // 2 + 10), HEIGHT - bh // 2 - 10)
    left, top = cx - bw // 2, cy - bh // 2
    dst = [(x - min(xs) + 1, y - min(ys) + 1) for x, y in quad]
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    coeffs = _perspective_coeffs(dst, src)
    warped = card.transform((bw, bh), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = Image.new("L", card.size, 255).transform(
        (bw, bh), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR
    )
    scene.paste(warped, (left, top), mask)
    if not poster:
        # Fingers on the card's lower edge, clear of the QR.
        skin = _jitter(rng, (225, 175, 140), 30)
        for px, py in (dst[3], dst[2]):
            r = max(w, h) * 0.09
            x, y = left + px, top + py - r * 0.3
            _paste_shape(scene, rng, (x - r, y - r * 0.8, x + r, y + r * 0.8), skin, 4, 10, blur=4)
    # Focus and motion: the card region only (the rest of the frame is in focus).
    margin = 20
    box = (
        max(0, left - margin),
        max(0, top - margin),
        min(WIDTH, left + bw + margin),
        min(HEIGHT, top + bh + margin),
    )
    region = scene.crop(box)
    if spec.blur:
        region = region.filter(ImageFilter.GaussianBlur(spec.blur))
    if spec.motion:
        k = spec.motion
        region = region.filter(
            ImageFilter.Kernel(
                (k, k), [1 if i == k // 2 else 0 for i in range(k) for _ in range(k)], k
            )
        )
    scene.paste(region, box[:2])


def _exif(spec: Spec) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS R7"  # Model
    exif[0x0112] = spec.orientation
    exif[0x0132] = spec.taken_at  # DateTime
    sub = exif.get_ifd(0x8769)
    sub[36867] = spec.taken_at  # DateTimeOriginal
    sub[37521] = f"{spec.index % 100:02d}"  # SubSecTimeOriginal
    return exif


def render(spec: Spec) -> bytes:
    """The JPEG bytes of one photo."""
    rng = random.Random(spec.seed)  # noqa: S311 (a benchmark, not a secret)
    scene = _backdrop(rng)
    if spec.kind == "foreign":  # a poster on the wall behind, before the pupil steps in
        spot = (round(WIDTH * rng.choice([0.2, 0.8])), round(HEIGHT * rng.uniform(0.3, 0.5)))
        _place(scene, rng, spec, spot, poster=True)
    cx, chest_y, head_r = _pupil(scene, rng)
    if spec.kind == "card":
        _place(scene, rng, spec, (cx + rng.randint(-head_r, head_r), chest_y), poster=False)
    # Vignetting, then sensor noise (luminance and a little chroma), as a camera records.
    vignette = Image.radial_gradient("L").resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
    strength = rng.uniform(0.15, 0.3)
    vignette = vignette.point(lambda v: round(255 - strength * v * v / 255))
    scene = ImageChops.multiply(scene, Image.merge("RGB", [vignette] * 3))
    luma = noise(rng, (WIDTH, HEIGHT), rng.uniform(1.5, 2.5))
    chroma = [smooth_noise(rng, (WIDTH, HEIGHT), 2, 2) for _ in range(3)]
    channels = [
        ImageChops.add(ImageChops.add(c, luma, 1.0, -128), n, 1.0, -128)
        for c, n in zip(scene.split(), chroma, strict=True)
    ]
    scene = Image.merge("RGB", channels)
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=QUALITY, exif=_exif(spec), subsampling="4:2:2")
    return out.getvalue()


def _write(args: tuple[Spec, str]) -> str:
    spec, path = args
    data = render(spec)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)  # a half-written file is never taken for a photo
    return path


def ensure(
    specs: list[Spec], cache: Path = DEFAULT_CACHE, workers: int | None = None, log=print
) -> list[Path]:
    """The files of ``specs`` in ``cache``, generating the missing ones (in parallel)."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = [cache / spec.name for spec in specs]
    missing = [
        (spec, str(path)) for spec, path in zip(specs, paths, strict=True) if not path.exists()
    ]
    if missing:
        workers = workers or os.cpu_count() or 1
        log(f"generating {len(missing)} photo(s) into {cache} ({workers} process(es), once)…")
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for done, _ in enumerate(pool.map(_write, missing), 1):
                if done % 10 == 0 or done == len(missing):
                    log(f"  {done}/{len(missing)}")
    manifest = cache / "manifest.json"
    known = json.loads(manifest.read_text()) if manifest.exists() else {}
    known.update({spec.name: dataclasses.asdict(spec) for spec in specs})
    manifest.write_text(json.dumps(known, indent=1, sort_keys=True))
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--cards-ratio", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    specs = plan(args.photos, args.cards_ratio, args.seed)
    paths = ensure(specs, args.cache, args.workers)
    sizes = sorted(p.stat().st_size for p in paths)
    print(f"{len(paths)} photos in {args.cache}: {sizes[0] / 1e6:.1f}–{sizes[-1] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
