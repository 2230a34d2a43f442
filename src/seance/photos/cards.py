"""Printable QR cards: an A4 PDF of cards to cut, two or four per sheet. No Django here.

Each card has two parts separated by a dashed cut line:

- the family part (top, larger): the QR the photographer photographs before the pupil, the access
  code in large characters, the gallery address and short instructions; the family keeps it;
- the photographer's part (bottom): the image-rights and privacy agreement, with lines for the
  pupil's and the parent's names, the class, the date and a signature; the parent signs it and
  the photographer keeps it. The card number is printed on both parts so they can be matched.

Two layouts, chosen by ``per_page``: 2 cards of 210×148.5 mm (A5 landscape, stacked) or 4 cards
of 105×148.5 mm (A6 portrait). Cells fill the sheet; cut marks sit in the margins at the cell
corners. Everything is drawn on a reportlab canvas in millimetres from each cell's top-left
corner; the QR is drawn as vector rectangles from segno's matrix, so it stays sharp at any zoom.
All texts arrive already translated; DejaVu Sans covers French, Polish and Cyrillic.
"""

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from seance.photos import codes


@dataclass(frozen=True)
class Card:
    number: int  # card number within its session, printed on BOTH parts
    code: str  # the raw 12-char access code (codes.display() it for print)
    qr_payload: str  # exactly what the QR encodes (codes.card_payload(...))
    gallery_address: str  # short address printed with the code, e.g. "photos.example.fr/g"
    subject_name: str = ""  # from a names list: on the family part, prefilled on the kept part
    class_name: str = ""


@dataclass(frozen=True)
class SheetTexts:
    """Every text of a sheet, already translated by the caller."""

    organizer_name: str
    session_name: str
    session_reference: str
    family_title: str  # "Your photos online"
    instructions: str  # 2–4 short sentences: scan the QR or type the code at the address…
    code_label: str  # "Access code"
    card_label: str  # "Card" (as in "Card 12")
    keep_label: str  # "Keep this part" (family part)
    return_label: str  # "Part kept by the photographer"
    agreement_title: str  # "Image rights and privacy agreement"
    agreement_text: str  # may be long (~1200 characters): wrapped, shrunk to fit, never cut
    pupil_label: str  # "Pupil's name"
    class_label: str  # "Class"
    parent_label: str  # "Parent's name"
    date_label: str  # "Date"
    signature_label: str  # "Signature"


# How big a QR module is printed, and why.
#
# The ingest pipeline decodes card photos with zxing-cpp on a 1/4-scale copy of a 24 MP
# (6000 px wide) photo, then on the 1/2-scale image if nothing was found; at 1/4 it starts
# missing codes below ~3 px per module (notes/photo-ingest-measurements.md). A card that spans
# 1/6 of the frame width covers 1000 px, 250 px at 1/4 scale: a module must be at least
# 3/250 = 1.2 % of the card's width.
#
# The payload (``HTTPS://<HOST>/G/<CODE>``, QR alphanumeric) is 32–61 characters for hosts of
# 9–38 characters: version 2 or 3 (25 or 29 modules) at error level M, which survives a thumb
# or a glare spot on 15 % of the symbol; segno's ``boost_error`` raises the level for free when
# the version has room to spare. L would save at most one version and is fragile for a card
# held by a child; Q and H would add versions, so smaller modules on the same paper.
#
# Each layout gives its QR the largest square it can spare, quiet zone (4 white modules)
# included, and the module size follows from the version:
# - A5 cards (per_page=2): a 95 mm square, 2.57 mm modules for version 3 (2.88 mm for
#   version 2). An A5 card (210 mm wide) at 1/6 of a 6000 px frame is 4.76 px/mm, 1.19 px/mm
#   at 1/4 scale: 3.06 px per module. These are the cards to photograph across a room.
# - A6 cards (per_page=4): a 55.5 mm square (more would leave no room for a 1200-character
#   agreement), 1.5 mm modules for version 3 (1.68 mm for version 2). An A6 card spanning 1/6
#   of the frame gives 3.6 px per module at 1/4 scale; photographed from as far as the A5 card
#   above, it gets 1.8 px at 1/4 scale and 3.6 px at 1/2, where the pipeline's second pass
#   reads it.
#
# QR_MODULE_MM is the floor every card honours (the A6 card, version 3): a site address so long
# that the QR would need smaller modules is refused with a ValueError rather than printed
# unreadable.
QR_MODULE_MM = 1.5
QR_ERROR = "m"
QUIET_ZONE = 4  # modules of white around the symbol, as the QR standard asks

PAGE_W, PAGE_H = A4  # points
FONT_DIR = Path(__file__).resolve().parent.parent / "core" / "fonts"
REGULAR = "Seance-DejaVuSans"
BOLD = "Seance-DejaVuSans-Bold"

INK = HexColor("#1c1d21")
MUTED = HexColor("#62656d")
FAINT = HexColor("#9a9da5")
RULE = HexColor("#c9cbd1")
TINT = HexColor("#f0f1f4")
ACCENT = HexColor("#1f4e8c")
QR_DARK = HexColor("#000000")

AGREEMENT_MIN_PT = 5.0  # below this the legal text is no longer readable: refuse instead
INSTRUCTIONS_MIN_PT = 5.5


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def qr_code(payload: str) -> segno.QRCode:
    """The QR printed for a payload: smallest version at level M, level boosted if room."""
    return segno.make(payload, error=QR_ERROR, boost_error=True, micro=False)


# --- text fitting -------------------------------------------------------------------------


def _clean(text: str, *, paragraphs: bool = False) -> str:
    """Printable text: control characters become spaces; line breaks kept only if asked."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [
        " ".join("".join(c if c.isprintable() else " " for c in line).split()) for line in lines
    ]
    if not paragraphs:
        return " ".join(line for line in lines if line)
    out: list[str] = []
    for line in lines:  # at most one empty line between paragraphs, none at the ends
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _width(text: str, font: str, size: float, tracking: float = 0.0) -> float:
    """Width in points; tracking is the extra space after each character but the last."""
    return pdfmetrics.stringWidth(text, font, size) + tracking * max(len(text) - 1, 0)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap to a width in points; a word wider than the line is broken."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            while _width(word, font, size) > width:  # a URL or a very long word
                cut = max(1, _longest_prefix(word, font, size, width))
                if current:
                    lines.append(current)
                    current = ""
                lines.append(word[:cut])
                word = word[cut:]
            candidate = f"{current} {word}" if current else word
            if _width(candidate, font, size) <= width:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def _longest_prefix(word: str, font: str, size: float, width: float) -> int:
    """How much of a too-long word fits, cut after a / - or . when there is one."""
    n = 0
    while n < len(word) and _width(word[: n + 1], font, size) <= width:
        n += 1
    soft = max(word.rfind(ch, 0, n) for ch in "/-.")
    return soft + 1 if soft >= n // 2 else n


def _sizes(max_size: float, min_size: float, step: float = 0.25):
    size = max_size
    while size >= min_size - 1e-9:
        yield round(size, 2)
        size -= step


@dataclass(frozen=True)
class _Fitted:
    size: float
    lines: tuple[str, ...]
    leading: float  # points


def _fit_block(
    text: str,
    font: str,
    width_mm: float,
    height_mm: float,
    max_size: float,
    min_size: float,
    leading: float = 1.2,
) -> _Fitted | None:
    """The largest size at which the whole text fits the box, or None."""
    for size in _sizes(max_size, min_size):
        lines = _wrap(text, font, size, width_mm * mm)
        if len(lines) * size * leading <= height_mm * mm + 0.01:
            return _Fitted(size, tuple(lines), size * leading)
    return None


def _fit_lines(
    text: str,
    font: str,
    width_mm: float,
    max_size: float,
    min_size: float,
    max_lines: int = 1,
    leading: float = 1.2,
    strict: bool = False,
) -> _Fitted | None:
    """A short text on at most max_lines lines, shrunk as needed; an ellipsis as last resort
    (or None if strict).

    For names and labels only: the texts that must never be cut (agreement, instructions) go
    through _fit_block and refuse instead.
    """
    width = width_mm * mm
    for size in _sizes(max_size, min_size):
        lines = [text] if max_lines == 1 else _wrap(text, font, size, width)
        if len(lines) <= max_lines and all(_width(line, font, size) <= width for line in lines):
            return _Fitted(size, tuple(lines), size * leading)
    if strict:
        return None
    size = min_size
    lines = _wrap(text, font, size, width)[:max_lines] if max_lines > 1 else [text]
    last = lines[-1]
    while last and _width(last + "…", font, size) > width:
        last = last[:-1].rstrip()
    lines[-1] = last + "…"
    return _Fitted(size, tuple(lines), size * leading)


# --- drawing in millimetres from a cell's top-left corner ----------------------------------


class _Pen:
    def __init__(self, canvas: Canvas, left_mm: float, top_mm: float):
        self.c = canvas
        self.x0 = left_mm * mm
        self.y0 = PAGE_H - top_mm * mm

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return self.x0 + x * mm, self.y0 - y * mm

    def text(
        self,
        x: float,
        y: float,
        text: str,
        font: str,
        size: float,
        color: Color = INK,
        *,
        align: str = "left",
        tracking_em: float = 0.0,
    ) -> float:
        """Draw one line with its baseline at y; return its width in mm."""
        tracking = size * tracking_em
        width = _width(text, font, size, tracking) / mm
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        self.c.setFillColor(color)
        self.c.setFont(font, size)
        self.c.drawString(*self.xy(x, y), text, charSpace=tracking)
        return width

    def lines(
        self,
        x: float,
        top: float,
        fitted: _Fitted,
        font: str,
        color: Color = INK,
        *,
        align: str = "left",
        tracking_em: float = 0.0,
    ) -> float:
        """Draw a fitted block whose capitals start at top; return the last baseline."""
        baseline = top + _cap(fitted.size)
        for i, line in enumerate(fitted.lines):
            if i:
                baseline += fitted.leading / mm
            if line:
                self.text(
                    x,
                    baseline,
                    line,
                    font,
                    fitted.size,
                    color,
                    align=align,
                    tracking_em=tracking_em,
                )
        return baseline

    def line(self, x1, y1, x2, y2, *, width=0.5, color: Color = RULE, dash=None) -> None:
        self.c.setStrokeColor(color)
        self.c.setLineWidth(width)
        self.c.setLineCap(0)
        self.c.setDash(dash or [])
        self.c.line(*self.xy(x1, y1), *self.xy(x2, y2))
        self.c.setDash([])

    def rect(
        self,
        x,
        y,
        w,
        h,
        *,
        fill: Color | None = None,
        stroke: Color | None = None,
        radius: float = 0.0,
        width: float = 0.5,
    ) -> None:
        if fill is not None:
            self.c.setFillColor(fill)
        if stroke is not None:
            self.c.setStrokeColor(stroke)
            self.c.setLineWidth(width)
        left, bottom = self.xy(x, y + h)
        args = (left, bottom, w * mm, h * mm)
        kw = {"stroke": int(stroke is not None), "fill": int(fill is not None)}
        if radius:
            self.c.roundRect(*args, radius * mm, **kw)
        else:
            self.c.rect(*args, **kw)


def _cap(size: float) -> float:
    """Height of the capitals above the baseline, in mm (DejaVu Sans: 0.73 em)."""
    return size * 0.73 / mm


def _draw_qr(pen: _Pen, x: float, y: float, module: float, qr: segno.QRCode) -> None:
    """The symbol's top-left at (x, y) mm; the caller keeps the quiet zone around it white.

    Each row's runs of dark modules become one rectangle, all in a single filled path: no
    hairline seams between modules when a viewer or printer anti-aliases.
    """
    n = len(qr.matrix)
    quiet = QUIET_ZONE * module
    pen.rect(x - quiet, y - quiet, n * module + 2 * quiet, n * module + 2 * quiet, fill=white)
    path = pen.c.beginPath()
    for r, row in enumerate(qr.matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                left, bottom = pen.xy(x + start * module, y + (r + 1) * module)
                path.rect(left, bottom, (c - start) * module * mm, module * mm)
            else:
                c += 1
    pen.c.setFillColor(QR_DARK)
    pen.c.drawPath(path, stroke=0, fill=1)


# The code is set with even spacing, close to a monospaced face: every character gets an
# advance between two bounds and is centred in it (a narrow J leaves no hole, a wide W or M is
# narrowed a little, as in a monospaced face), plus tracking.
_MIN_ADVANCE_EM = 0.62
_MAX_ADVANCE_EM = 0.90
_TRACKING_EM = 0.08


def _advance(ch: str, size: float) -> float:
    glyph = pdfmetrics.stringWidth(ch, BOLD, size)
    return min(max(glyph, _MIN_ADVANCE_EM * size), _MAX_ADVANCE_EM * size)


def _code_width(row: str, size: float) -> float:
    advances = sum(_advance(ch, size) for ch in row)
    return (advances + _TRACKING_EM * size * (len(row) - 1)) / mm


def _draw_code_row(pen: _Pen, x: float, baseline: float, row: str, size: float) -> None:
    # The horizontal scaling set for a wide letter is PDF graphics state that outlives the text
    # object: save and restore it, or every text drawn later on the page comes out narrowed.
    pen.c.saveState()
    pen.c.setFillColor(INK)
    pen.c.setFont(BOLD, size)
    left, base = pen.xy(x, baseline)
    for ch in row:
        advance = _advance(ch, size)
        glyph = pdfmetrics.stringWidth(ch, BOLD, size)
        scale = min(1.0, advance / glyph) if glyph else 1.0
        text = pen.c.beginText(left + (advance - glyph * scale) / 2, base)
        text.setFont(BOLD, size)
        text.setHorizScale(scale * 100)
        text.textOut(ch)
        pen.c.drawText(text)
        left += advance + _TRACKING_EM * size
    pen.c.restoreState()


def _draw_code_box(
    pen: _Pen,
    x: float,
    top: float,
    rows: list[str],
    size: float,
    pad_x: float,
    pad_y: float,
    max_w: float,
) -> tuple[float, float]:
    """The code in a tinted box at most max_w wide; return the box (width, height) in mm."""
    while size > 8 and max(_code_width(row, size) for row in rows) + 2 * pad_x > max_w:
        size -= 0.5
    row_h = size * 1.22 / mm
    inner_w = max(_code_width(row, size) for row in rows)
    box_w = inner_w + 2 * pad_x
    box_h = (len(rows) - 1) * row_h + _cap(size) + 2 * pad_y
    pen.rect(x, top, box_w, box_h, fill=TINT, radius=1.6)
    for i, row in enumerate(rows):
        _draw_code_row(pen, x + pad_x, top + pad_y + _cap(size) + i * row_h, row, size)
    return box_w, box_h


def _pill(pen: _Pen, right: float, top: float, text: str, size: float) -> float:
    """'Card 12' in an outlined rounded box ending at `right`; return its width in mm."""
    pad_x, height = size * 0.6 / mm, size * 1.75 / mm
    width = _width(text, BOLD, size) / mm + 2 * pad_x
    pen.rect(right - width, top, width, height, stroke=INK, radius=height / 2, width=0.6)
    pen.text(right - width / 2, top + (height + _cap(size)) / 2, text, BOLD, size, align="center")
    return width


def _cut_line(pen: _Pen, y: float, width: float) -> None:
    """The dashed line between the parts, edge to edge, with scissors near the left edge."""
    size = 9
    glyph = _width("✂", REGULAR, size) / mm
    pen.line(0, y, 2.6, y, width=0.6, color=FAINT)
    pen.text(3.8, y + _cap(size) * 0.45, "✂", REGULAR, size, MUTED)
    pen.line(3.8 + glyph + 1.2, y, width, y, width=0.6, color=FAINT, dash=[2.2 * mm, 1.4 * mm])


def _field(
    pen: _Pen,
    x: float,
    top: float,
    w: float,
    h: float,
    label: str,
    value: str,
    label_size: float,
    value_size: float,
) -> None:
    """A label (capitals' top at `top`) over a writing line at top + h, optionally prefilled."""
    fitted = _fit_one(label, REGULAR, w, label_size, label_size * 0.8)
    pen.text(x, top + _cap(fitted.size), fitted.lines[0], REGULAR, fitted.size, MUTED)
    line_y = top + h
    pen.line(x, line_y, x + w, line_y, width=0.5, color=FAINT)
    if value:
        fitted = _fit_one(value, REGULAR, w - 1.6, value_size, value_size * 0.55)
        pen.text(x + 0.8, line_y - 1.4, fitted.lines[0], REGULAR, fitted.size, INK)


def _fit_one(text: str, font: str, width: float, max_size: float, min_size: float) -> _Fitted:
    return _fit_lines(text, font, width, max_size, min_size)


def _caps(
    pen: _Pen,
    x: float,
    y: float,
    text: str,
    width: float,
    max_size: float,
    min_size: float,
    color: Color = MUTED,
    *,
    align: str = "left",
) -> float:
    """A small label in spaced capitals; the spacing goes before the size does."""
    text = text.upper()
    for size in _sizes(max_size, min_size):
        for tracking in (0.12, 0.06, 0.0):
            if _width(text, BOLD, size, size * tracking) <= width * mm:
                return pen.text(x, y, text, BOLD, size, color, align=align, tracking_em=tracking)
    fitted = _fit_one(text, BOLD, width, min_size, min_size)
    return pen.text(x, y, fitted.lines[0], BOLD, min_size, color, align=align)


def _card_title(texts: SheetTexts, card: Card) -> str:
    return f"{texts.card_label} {card.number}".strip()


def _balanced(
    text: str, font: str, width: float, size: float, one_line_min: float, two_lines_min: float
) -> _Fitted:
    """One line if it can stay large enough, else two balanced lines (an ellipsis if even
    that fails: for titles and names, never for the agreement or the instructions)."""
    fitted = _fit_lines(text, font, width, size, one_line_min, strict=True)
    if fitted:
        return fitted
    words = text.split()
    for size in _sizes(one_line_min, two_lines_min):
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        fitting = [
            pair for pair in splits if all(_width(line, font, size) <= width * mm for line in pair)
        ]
        if fitting:  # the most even pair of lines, not a long line and an orphan
            best = min(fitting, key=lambda pair: max(_width(line, font, size) for line in pair))
            return _Fitted(size, best, size * 1.12)
    return _fit_lines(text, font, width, two_lines_min, two_lines_min, max_lines=2, leading=1.12)


def _title(text: str, width: float, size: float, one_line_min: float, two_lines_min: float):
    return _balanced(text, BOLD, width, size, one_line_min, two_lines_min)


# --- layouts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    width: float  # mm
    height: float
    margin: float  # text margin, left and right
    qr_x: float  # top-left of the QR square, quiet zone included
    qr_y: float
    qr_box: float  # side of that square
    fold: float  # y of the cut line between the parts
    agreement_box: tuple[float, float]  # width, height in mm
    agreement_max_pt: float
    instructions_max_pt: float
    cells: tuple[tuple[float, float], ...]  # cell top-left corners on the page, mm


A5 = _Layout(
    width=210,
    height=148.5,
    margin=12,
    qr_x=4,
    qr_y=3.0,
    qr_box=95,
    fold=100,
    agreement_box=(112, 28.8),
    agreement_max_pt=8.0,
    instructions_max_pt=8.5,
    cells=((0, 0), (0, 148.5)),
)
A6 = _Layout(
    width=105,
    height=148.5,
    margin=9,
    qr_x=3,
    qr_y=13.6,
    qr_box=55.5,
    fold=81.4,
    agreement_box=(87, 31.4),
    agreement_max_pt=6.5,
    instructions_max_pt=7.0,
    cells=((0, 0), (105, 0), (0, 148.5), (105, 148.5)),
)
_A6_INSTRUCTIONS_H = 10.3


@dataclass(frozen=True)
class _Prepared:
    """What is the same on every card of a sheet, cleaned and fitted once."""

    texts: SheetTexts
    agreement: _Fitted
    has_subject: bool


def _clean_texts(texts: SheetTexts) -> SheetTexts:
    values = {
        name: _clean(getattr(texts, name), paragraphs=name in {"agreement_text", "instructions"})
        for name in SheetTexts.__dataclass_fields__
    }
    return SheetTexts(**values)


def _module_for(layout: _Layout, qr: segno.QRCode) -> float:
    return layout.qr_box / (len(qr.matrix) + 2 * QUIET_ZONE)


def _fit_address(
    address: str, width: float, size: float, one_line_min: float, two_lines_min: float
) -> _Fitted:
    """The gallery address on one line, else two; never cut: people type it."""
    address = _clean(address)
    fitted = _fit_lines(address, BOLD, width, size, one_line_min, strict=True) or _fit_lines(
        address, BOLD, width, one_line_min, two_lines_min, max_lines=2, leading=1.15, strict=True
    )
    if fitted is None:
        raise ValueError(f"The gallery address {address!r} is too long to print on a card.")
    return fitted


def _fit_instructions(
    text: str, width: float, height: float, max_pt: float, leading: float = 1.25
) -> _Fitted:
    fitted = _fit_block(text, REGULAR, width, height, max_pt, INSTRUCTIONS_MIN_PT, leading)
    if fitted is None:
        raise ValueError(
            f"The instructions ({len(text)} characters) do not fit on the card even at "
            f"{INSTRUCTIONS_MIN_PT:g} pt: keep them to 2–4 short sentences."
        )
    return fitted


def _kept_header(pen: _Pen, y: float, lay: _Layout, card: Card, t: SheetTexts, size: float) -> None:
    """'Card 12 · REF' on the left, the 'kept by the photographer' label on the right."""
    left, right = lay.margin, lay.width - lay.margin
    w = pen.text(left, y, _card_title(t, card), BOLD, size, INK)
    ref = f"  ·  {t.session_reference}" if t.session_reference else ""
    ref_w = _width(ref, REGULAR, size * 0.9) / mm
    ret_w = _caps(
        pen,
        right,
        y,
        t.return_label,
        right - left - w - ref_w - 4,
        size * 0.75,
        size * 0.6,
        align="right",
    )
    if ref:
        fitted = _fit_one(ref, REGULAR, right - left - w - ret_w - 4, size * 0.9, size * 0.65)
        pen.text(left + w, y, fitted.lines[0], REGULAR, fitted.size, MUTED)


def _agreement(
    pen: _Pen, x: float, title_y: float, width: float, p: _Prepared, title_size: float
) -> None:
    title = _fit_one(p.texts.agreement_title, BOLD, width, title_size, title_size * 0.75)
    pen.text(x, title_y, title.lines[0], BOLD, title.size, INK)
    pen.lines(x, title_y + 1.7, p.agreement, REGULAR, INK)


# A5 landscape: the QR on the left, everything the family reads on the right; below the cut,
# the agreement on the left and the lines to fill in on the right.
_A5_COL_X = 102.0


def _draw_a5(pen: _Pen, card: Card, qr: segno.QRCode, p: _Prepared, lay: _Layout) -> None:
    t = p.texts
    module = _module_for(lay, qr)
    quiet = QUIET_ZONE * module
    _draw_qr(pen, lay.qr_x + quiet, lay.qr_y + quiet, module, qr)

    x, right = _A5_COL_X, lay.width - lay.margin
    col_w = right - x
    pill_w = _pill(pen, right, 10.2, _card_title(t, card), 8)
    _caps(pen, x, 14.2, t.organizer_name, col_w - pill_w - 4, 7, 5.5)
    session = _fit_one(t.session_name, BOLD, col_w, 10.5, 7.5)
    pen.text(x, 20.4, session.lines[0], BOLD, session.size, INK)
    pen.line(x, 24.2, right, 24.2, width=0.5, color=RULE)

    title = _title(t.family_title, col_w, 18, 14, 11)
    y = pen.lines(x, 28.5, title, BOLD, ACCENT)
    if p.has_subject:
        y += 7.2
        _subject_line(pen, x, y, col_w, card, 12, 10.5)
    y += 8.2
    _caps(pen, x, y, t.code_label, col_w, 6.5, 5)
    _w, box_h = _draw_code_box(pen, x, y + 2, [codes.display(card.code)], 20, 3.6, 2.6, col_w)
    y += 2 + box_h + 6.4
    address = _fit_address(card.gallery_address, col_w, 12, 9, 7)
    y = pen.lines(x, y - _cap(address.size), address, BOLD, ACCENT)

    keep_y = lay.fold - 3.6
    _caps(pen, right, keep_y, t.keep_label, col_w, 6.5, 5, align="right")
    box_top = y + 3.4
    box_h = keep_y - _cap(6.5) - 3 - box_top
    instructions = _fit_instructions(t.instructions, col_w, box_h, lay.instructions_max_pt)
    pen.lines(x, box_top, instructions, REGULAR, INK)

    _cut_line(pen, lay.fold, lay.width)

    top = lay.fold
    left = lay.margin
    _kept_header(pen, top + 6.2, lay, card, t, 9)
    title_y = top + 11.6
    _agreement(pen, left, title_y, lay.agreement_box[0], p, 8.5)

    fx = left + lay.agreement_box[0] + 6
    fw = right - fx
    fy = title_y - _cap(8.5)
    lab, val = 6.0, 9.5
    first = fw * 0.7
    rows = (8.4, 8.4, 10.6)
    gap = 2.4
    _field(pen, fx, fy, first, rows[0], t.pupil_label, _clean(card.subject_name), lab, val)
    _field(
        pen,
        fx + first + 3,
        fy,
        fw - first - 3,
        rows[0],
        t.class_label,
        _clean(card.class_name),
        lab,
        val,
    )
    fy += rows[0] + gap
    _field(pen, fx, fy, first, rows[1], t.parent_label, "", lab, val)
    _field(pen, fx + first + 3, fy, fw - first - 3, rows[1], t.date_label, "", lab, val)
    fy += rows[1] + gap
    _field(pen, fx, fy, fw, rows[2], t.signature_label, "", lab, val)


def _subject_line(
    pen: _Pen, x: float, y: float, width: float, card: Card, size: float, class_size: float
) -> None:
    """'Léa Martin · CP-A' on one baseline, the class in grey; shrunk to the width."""
    name, klass = _clean(card.subject_name), _clean(card.class_name)
    if not name and not klass:
        return
    sep = "  ·  " if name and klass else ""
    for scale in _sizes(1.0, 0.6, 0.05):
        w = _width(name, BOLD, size * scale) + _width(sep + klass, REGULAR, class_size * scale)
        if w <= width * mm:
            break
    else:  # a name of 60 letters or more
        size, class_size = size * scale, class_size * scale
        name = _fit_one(name, BOLD, width * 0.7, size, size).lines[0]
        klass = _fit_one(klass, REGULAR, width * 0.25, class_size, class_size).lines[0]
        scale = 1.0
    nw = pen.text(x, y, name, BOLD, size * scale, INK) if name else 0
    pen.text(x + nw, y, sep + klass, REGULAR, class_size * scale, MUTED)


# A6 portrait: a header across the top, the QR on the left with the code beside it, the
# instructions across under both; below the cut, the agreement then two rows of lines.
def _draw_a6(pen: _Pen, card: Card, qr: segno.QRCode, p: _Prepared, lay: _Layout) -> None:
    t = p.texts
    left, right = lay.margin, lay.width - lay.margin
    width = right - left
    module = _module_for(lay, qr)
    quiet = QUIET_ZONE * module
    _draw_qr(pen, lay.qr_x + quiet, lay.qr_y + quiet, module, qr)

    keep_w = _caps(pen, right, 7.2, t.keep_label, width * 0.5, 5.5, 4.5, align="right")
    _caps(pen, left, 7.2, t.organizer_name, width - keep_w - 4, 6, 4.6)
    pill_w = _pill(pen, right, 8.9, _card_title(t, card), 6.5)
    session = _fit_one(t.session_name, BOLD, width - pill_w - 4, 8.5, 5.5)
    pen.text(left, 12.1, session.lines[0], BOLD, session.size, INK)

    # Beside the QR: the title, the pupil, the code and the address, as large as the column
    # allows; a long name or address takes two lines if the column has room for them.
    x = lay.qr_x + lay.qr_box + 1.5
    col_w = right - x
    col_top, col_bottom = lay.qr_y + quiet, lay.qr_y + lay.qr_box - 2.2
    dry_run = _Pen(Canvas(io.BytesIO()), 0, 0)
    for name_lines, compact in ((2, False), (2, True), (1, True)):
        if _a6_column(dry_run, x, col_top, col_w, card, p, name_lines, compact) <= col_bottom:
            break
    # The last variant always fits: the title and the address take two lines at most.
    _a6_column(pen, x, col_top, col_w, card, p, name_lines, compact)

    instructions = _fit_instructions(
        t.instructions, width, _A6_INSTRUCTIONS_H, lay.instructions_max_pt, leading=1.2
    )
    pen.lines(left, lay.qr_y + lay.qr_box + 0.6, instructions, REGULAR, INK)

    _cut_line(pen, lay.fold, lay.width)

    top = lay.fold
    _kept_header(pen, top + 5.2, lay, card, t, 7.5)
    _agreement(pen, left, top + 9.9, width, p, 7.2)

    fy = top + 11.6 + lay.agreement_box[1] + 1.6
    lab, val = 5.2, 8
    row1, gap, row2 = 6.6, 2.0, 7.5
    name_w = width * 0.64
    _field(pen, left, fy, name_w, row1, t.pupil_label, _clean(card.subject_name), lab, val)
    _field(
        pen,
        left + name_w + 3,
        fy,
        width - name_w - 3,
        row1,
        t.class_label,
        _clean(card.class_name),
        lab,
        val,
    )
    parent_w, date_w = width * 0.38, width * 0.2
    fy += row1 + gap
    _field(pen, left, fy, parent_w, row2, t.parent_label, "", lab, val)
    _field(pen, left + parent_w + 3, fy, date_w, row2, t.date_label, "", lab, val)
    sx = left + parent_w + date_w + 6
    _field(pen, sx, fy, right - sx, row2, t.signature_label, "", lab, val)


def _a6_column(
    pen: _Pen,
    x: float,
    top: float,
    width: float,
    card: Card,
    p: _Prepared,
    name_lines: int,
    compact: bool,
) -> float:
    """Draw the A6 column beside the QR; return its last baseline."""
    t = p.texts
    squeeze = 0.85 if compact else 1.0
    title = _title(t.family_title, width, 11, 10, 8)
    y = pen.lines(x, top, title, BOLD, ACCENT)
    if p.has_subject:
        name_text = _clean(card.subject_name)
        y += 5.4 * squeeze
        if name_text:
            if name_lines == 2:
                name = _balanced(name_text, BOLD, width, 8.5, 7, 6.5)
            else:
                name = _fit_one(name_text, BOLD, width, 8.5, 5.5)
            y = pen.lines(x, y - _cap(name.size), name, BOLD, INK)
        y += 3.6
        if _clean(card.class_name):
            klass = _fit_one(_clean(card.class_name), REGULAR, width, 7.5, 5.5)
            pen.text(x, y, klass.lines[0], REGULAR, klass.size, MUTED)
    y += 5.6 * squeeze
    _caps(pen, x, y, t.code_label, width, 5.5, 4.5)
    rows = codes.display(card.code).split("-")
    code_size = 11.5 if compact else 12.5
    _w, box_h = _draw_code_box(pen, x, y + 1.6, rows, code_size, 2.6, 2.0 * squeeze, width)
    y += 1.6 + box_h + 4.6 * squeeze
    address = _fit_address(card.gallery_address, width, 7.5, 6, 5.5)
    return pen.lines(x, y - _cap(address.size), address, BOLD, ACCENT)


# --- the sheet ------------------------------------------------------------------------------


def _cut_marks(c: Canvas, layout: _Layout) -> None:
    """Short marks on the cut lines at the cell corners, in the margins, never on content."""
    c.setStrokeColor(MUTED)
    c.setLineWidth(0.35)
    c.setDash([])
    length, gap = 5.0, 2.0
    page_w, page_h = PAGE_W / mm, PAGE_H / mm

    def seg(x1, y1, x2, y2):
        c.line(x1 * mm, PAGE_H - y1 * mm, x2 * mm, PAGE_H - y2 * mm)

    xs = sorted({x for x, _ in layout.cells} - {0})
    ys = sorted({y for _, y in layout.cells} - {0})
    for y in ys:  # horizontal cuts: marks at both page edges
        seg(gap, y, gap + length, y)
        seg(page_w - gap - length, y, page_w - gap, y)
    for x in xs:  # vertical cuts
        seg(x, gap, x, gap + length)
        seg(x, page_h - gap - length, x, page_h - gap)
    for x in xs:  # where cuts cross: a small cross at the four cells' corners
        for y in ys:
            arm = 3.5
            seg(x - arm, y, x + arm, y)
            seg(x, y - arm, x, y + arm)


def render_cards(cards: Sequence[Card], texts: SheetTexts, *, per_page: int = 2) -> bytes:
    """A4 PDF: per_page in (2, 4) cards per sheet, cut marks, one card per cell.

    Raises ValueError for no cards, another per_page, a payload too long for a readable QR on
    this layout, or an agreement or instructions too long to fit at the smallest legible size.
    """
    if per_page not in (2, 4):
        raise ValueError(f"per_page must be 2 or 4, not {per_page!r}")
    cards = list(cards)
    if not cards:
        raise ValueError("No cards to print.")
    _register_fonts()
    layout, draw = (A5, _draw_a5) if per_page == 2 else (A6, _draw_a6)

    qrs = []
    for card in cards:
        qr = qr_code(card.qr_payload)
        module = _module_for(layout, qr)
        if module < QR_MODULE_MM - 1e-9:
            raise ValueError(
                f"The QR of card {card.number} needs {len(qr.matrix)} modules: at "
                f"{module:.2f} mm a module it would be too small to read in a photo. "
                f"Shorten the site address or print 2 cards per page."
            )
        qrs.append(qr)

    clean = _clean_texts(texts)
    agreement = _fit_block(
        clean.agreement_text,
        REGULAR,
        *layout.agreement_box,
        layout.agreement_max_pt,
        AGREEMENT_MIN_PT,
        leading=1.14,
    )
    if agreement is None:
        raise ValueError(
            f"The agreement text ({len(clean.agreement_text)} characters) does not fit on "
            f"{'an A5' if per_page == 2 else 'an A6'} card even at {AGREEMENT_MIN_PT:g} pt: "
            f"shorten it{' or print 2 cards per page' if per_page == 4 else ''}."
        )
    prepared = _Prepared(
        texts=clean,
        agreement=agreement,
        has_subject=any(_clean(c.subject_name) or _clean(c.class_name) for c in cards),
    )

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{clean.session_name} — {clean.family_title}")
    canvas.setAuthor(clean.organizer_name)
    canvas.setSubject(clean.session_reference)
    canvas.setCreator("Séance")
    for start in range(0, len(cards), per_page):
        _cut_marks(canvas, layout)
        for (left, top), card, qr in zip(
            layout.cells,
            cards[start : start + per_page],
            qrs[start : start + per_page],
            strict=False,
        ):
            draw(_Pen(canvas, left, top), card, qr, prepared, layout)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


__all__ = ["QR_MODULE_MM", "Card", "SheetTexts", "qr_code", "render_cards"]
