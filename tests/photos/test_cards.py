"""The printable QR cards: every QR decodes to its card, also photographed across a room, the
texts are really in the PDF (accents, Polish, Cyrillic), and long texts fit or are refused."""

import dataclasses
import math
import re

import pypdfium2 as pdfium
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from seance.photos import cards, codes

SITE = "https://photos.example.fr"
MM_PER_INCH = 25.4

AGREEMENT_FR = (
    "J'autorise Studio Lumière à photographier mon enfant lors de la séance de photo scolaire "
    "et à utiliser ces images uniquement pour la vente de photos à ma famille. Les photos sont "
    "accessibles dans une galerie privée protégée par le code de cette carte ; elles ne sont ni "
    "publiées, ni cédées à des tiers. Conformément au RGPD, je peux demander leur effacement "
    "à tout moment."
)
AGREEMENT_BG = (
    "Съгласен/съгласна съм фотографско студио „Лумиер“ да снима детето ми по време на "
    "училищната фотосесия. Снимките са достъпни само в лична галерия, защитена с кода от тази "
    "карта, и не се публикуват. Мога да поискам изтриването им по всяко време."
)
# ≈1500 characters: a full privacy notice, the longest a studio is likely to print.
LONG_AGREEMENT_FR = (
    "J'autorise Studio Lumière, photographe mandaté par l'école, à photographier mon enfant "
    "lors de la séance de photo scolaire, seul et avec sa classe. Les images sont utilisées "
    "uniquement pour proposer à ma famille l'achat de tirages et de fichiers numériques ; "
    "elles ne servent à aucune publicité, ne sont jamais publiées et ne sont ni vendues ni "
    "cédées à des tiers. La photo de classe peut être remise à l'école pour ses archives. "
    "Les photos individuelles sont accessibles uniquement dans une galerie privée, protégée "
    "par le code imprimé sur cette carte, que je m'engage à ne pas diffuser. Elles sont "
    "conservées douze mois après la séance, puis supprimées définitivement, sauf commande en "
    "cours de traitement ou de livraison. Le laboratoire d'impression ne reçoit que les photos "
    "commandées, sans le nom de l'enfant. Conformément au Règlement général sur la protection "
    "des données et à la loi Informatique et Libertés, je dispose d'un droit d'accès, de "
    "rectification, d'opposition et d'effacement, que je peux exercer à tout moment en "
    "écrivant à contact@studio-lumiere.fr ou à l'adresse postale du studio. Je peux aussi "
    "introduire une réclamation auprès de la CNIL. Si je ne signe pas ce coupon, mon enfant "
    "ne sera pas photographié individuellement, mais pourra figurer sur la photo de classe. "
    "Des parents séparés signent chacun un coupon si nécessaire ; chacun peut retirer son "
    "accord. Je reconnais avoir lu et compris ces informations. Fait pour valoir ce que de droit."
)
LAST_SENTENCE = "Fait pour valoir ce que de droit."

TEXTS = cards.SheetTexts(
    organizer_name="Studio Lumière",
    session_name="École Jules Ferry — CP",
    session_reference="EJF-2025-CP",
    family_title="Vos photos en ligne",
    instructions=(
        "Scannez le QR code avec votre téléphone, ou rendez-vous à l'adresse ci-dessus et "
        "saisissez le code d'accès. Gardez bien cette carte : elle est votre seule clé."
    ),
    code_label="Code d'accès",
    card_label="Carte",
    keep_label="Partie à conserver",
    return_label="Partie conservée par le photographe",
    agreement_title="Droit à l'image et protection des données",
    agreement_text=AGREEMENT_FR,
    pupil_label="Nom de l'élève",
    class_label="Classe",
    parent_label="Nom du parent",
    date_label="Date",
    signature_label="Signature",
)


def make_cards(n: int, site: str = SITE) -> list[cards.Card]:
    names = [("Léa Martin", "CP-A"), ("", ""), ("Zoé Żółkiewska", "CP-B"), ("Иван Петров", "")]
    out = []
    for i in range(n):
        code = codes.new_code()
        name, klass = names[i % len(names)]
        out.append(
            cards.Card(
                number=i + 1,
                code=code,
                qr_payload=codes.card_payload(site, code),
                gallery_address="photos.example.fr/g",
                subject_name=name,
                class_name=klass,
            )
        )
    return out


def pages(pdf: bytes, dpi: float) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    return [page.render(scale=dpi / 72).to_pil() for page in doc]


def page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [page.get_textpage().get_text_range() for page in doc]


def squeeze(text: str) -> str:
    """Text without any white space: line wrapping and letter spacing do not matter. (pdfium
    reports a hyphen that ends a line as U+FFFE, taking it for a soft hyphen.)"""
    return re.sub(r"\s+", "", text).replace("\ufffe", "-")


def qrs(image: Image.Image) -> list[zxingcpp.Barcode]:
    return [b for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]


def side_px(barcode: zxingcpp.Barcode) -> float:
    """The symbol's side in pixels (zxing gives the outer corners' pixels, both included)."""
    p = barcode.position
    return math.dist((p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y)) + 1


def modules(payload: str) -> int:
    return len(cards.qr_code(payload).matrix)


@pytest.mark.parametrize("per_page", [2, 4])
def test_every_qr_decodes_to_its_own_card(per_page):
    deck = make_cards(5)  # leaves the last sheet partly empty
    pdf = cards.render_cards(deck, TEXTS, per_page=per_page)
    assert pdf.startswith(b"%PDF")

    images = pages(pdf, dpi=100)
    assert len(images) == math.ceil(5 / per_page)
    found = [[b.text for b in qrs(image)] for image in images]
    assert [len(f) for f in found] == [len(deck[i : i + per_page]) for i in range(0, 5, per_page)]
    assert sorted(t for f in found for t in f) == sorted(c.qr_payload for c in deck)


@pytest.mark.parametrize("per_page", [2, 4])
def test_codes_and_translated_texts_are_real_text_in_the_pdf(per_page):
    texts = dataclasses.replace(
        TEXTS, agreement_text=AGREEMENT_BG, session_name="Szkoła Podstawowa nr 3 w Łodzi"
    )
    deck = make_cards(5)
    pdf = cards.render_cards(deck, texts, per_page=per_page)
    extracted = page_texts(pdf)
    everything = squeeze("".join(extracted))

    for card in deck:
        if per_page == 2:  # one line, in groups: K7MP-Q2XH-9TRC
            assert codes.display(card.code) in everything
        else:  # three lines of four
            assert card.code in everything
        assert f"Carte{card.number}" in everything
    assert everything.count(squeeze(AGREEMENT_BG)) == len(deck)
    assert squeeze("Szkoła Podstawowa nr 3 w Łodzi") in everything
    assert squeeze(TEXTS.instructions) in everything
    assert "LéaMartin" in everything and "ZoéŻółkiewska" in everything
    assert "ИванПетров" in everything


@pytest.mark.parametrize("per_page", [2, 4])
def test_qr_is_printed_with_modules_of_at_least_qr_module_mm_and_a_white_quiet_zone(per_page):
    deck = make_cards(per_page)
    dpi = 200
    image = pages(cards.render_cards(deck, TEXTS, per_page=per_page), dpi)[0].convert("L")
    px_per_mm = dpi / MM_PER_INCH
    found = qrs(image)
    assert len(found) == per_page
    for barcode in found:
        module_px = side_px(barcode) / modules(barcode.text)
        assert module_px / px_per_mm >= cards.QR_MODULE_MM - 0.5 / px_per_mm

        # Four modules all around the symbol are white: no text, rule or mark intrudes.
        p = barcode.position
        left, top = p.top_left.x, p.top_left.y
        right, bottom = p.bottom_right.x, p.bottom_right.y
        quiet = math.floor(4 * module_px) - 1  # less a pixel of anti-aliasing on either edge
        ring = image.crop((left - quiet, top - quiet, right + quiet + 1, bottom + quiet + 1))
        ring.paste(255, (quiet - 2, quiet - 2, quiet + right - left + 3, quiet + bottom - top + 3))
        assert ring.getextrema()[0] >= 250


def test_a5_card_photographed_across_a_room_decodes_at_quarter_scale():
    """A 6000 px wide photo where the A5 card (210 mm) spans 1/6 of the frame: 1000 px for the
    card, then the ingest pipeline reads a 1/4-scale copy (250 px for the card)."""
    deck = make_cards(2)
    dpi = 1000 / (210 / MM_PER_INCH)  # ≈ 121 dpi: the card is 1000 px wide, as in the photo
    photo = pages(cards.render_cards(deck, TEXTS, per_page=2), dpi)[0]
    quarter = photo.resize((photo.width // 4, photo.height // 4), Image.Resampling.BILINEAR)

    found = qrs(quarter)
    assert sorted(b.text for b in found) == sorted(c.qr_payload for c in deck)
    for barcode in found:  # the ≥ 3 px per module the measurements ask for
        assert side_px(barcode) / modules(barcode.text) >= 2.9


def test_a6_card_from_the_same_distance_decodes_at_half_scale():
    """Four-up cards are half as wide: from as far as the A5 card above they are read by the
    pipeline's second pass, on the 1/2-scale image."""
    deck = make_cards(4)
    dpi = 1000 / (210 / MM_PER_INCH)
    photo = pages(cards.render_cards(deck, TEXTS, per_page=4), dpi)[0]
    half = photo.resize((photo.width // 2, photo.height // 2), Image.Resampling.BILINEAR)
    assert sorted(b.text for b in qrs(half)) == sorted(c.qr_payload for c in deck)


def test_a6_card_filling_a_sixth_of_the_frame_decodes_at_quarter_scale():
    deck = make_cards(4)
    dpi = 1000 / (105 / MM_PER_INCH)  # the A6 card (105 mm) is 1000 px wide
    photo = pages(cards.render_cards(deck, TEXTS, per_page=4), dpi)[0]
    quarter = photo.resize((photo.width // 4, photo.height // 4), Image.Resampling.BILINEAR)
    found = qrs(quarter)
    assert sorted(b.text for b in found) == sorted(c.qr_payload for c in deck)
    for barcode in found:
        assert side_px(barcode) / modules(barcode.text) >= 3


def test_a_long_agreement_shrinks_to_fit_and_nothing_is_cut():
    assert 1400 <= len(LONG_AGREEMENT_FR) <= 1600
    texts = dataclasses.replace(TEXTS, agreement_text=LONG_AGREEMENT_FR)
    pdf = cards.render_cards(make_cards(2), texts, per_page=2)
    text = squeeze(page_texts(pdf)[0])
    assert text.count(squeeze(LONG_AGREEMENT_FR)) == 2
    assert text.count(squeeze(LAST_SENTENCE)) == 2


def test_a_four_up_card_refuses_an_agreement_it_cannot_print_whole():
    texts = dataclasses.replace(TEXTS, agreement_text=LONG_AGREEMENT_FR)
    with pytest.raises(ValueError, match=r"does not fit on an A6 card .* print 2 cards per page"):
        cards.render_cards(make_cards(4), texts, per_page=4)


def test_1200_characters_of_cyrillic_fit_a_four_up_card():
    words = (AGREEMENT_BG + " ") * 6
    agreement = words[:1200].rsplit(" ", 1)[0] + "."
    texts = dataclasses.replace(TEXTS, agreement_text=agreement)
    pdf = cards.render_cards(make_cards(4), texts, per_page=4)
    assert squeeze(page_texts(pdf)[0]).count(squeeze(agreement)) == 4


@pytest.mark.parametrize("per_page", [2, 4])
def test_an_agreement_too_long_for_the_smallest_legible_size_is_refused(per_page):
    texts = dataclasses.replace(TEXTS, agreement_text=LONG_AGREEMENT_FR * 2)
    with pytest.raises(ValueError, match=r"agreement text \(\d+ characters\) does not fit"):
        cards.render_cards(make_cards(1), texts, per_page=per_page)


def test_instructions_too_long_to_fit_are_refused():
    texts = dataclasses.replace(TEXTS, instructions=TEXTS.instructions * 6)
    with pytest.raises(ValueError, match="instructions"):
        cards.render_cards(make_cards(1), texts, per_page=4)


def test_a_site_address_too_long_for_a_readable_four_up_qr_is_refused():
    site = "https://photographies-scolaires.studio-lumiere-montpellier.fr"
    deck = make_cards(1, site=site)
    assert modules(deck[0].qr_payload) > 29
    assert qrs(pages(cards.render_cards(deck, TEXTS, per_page=2), 100)[0])
    with pytest.raises(ValueError, match="QR of card 1"):
        cards.render_cards(deck, TEXTS, per_page=4)


@pytest.mark.parametrize("per_page", [2, 4])
def test_the_narrowed_letters_of_a_code_do_not_narrow_the_text_after_them(per_page):
    code = "WWWWMMMMWWWW"  # the widest letters, drawn horizontally squeezed
    deck = [cards.Card(1, code, codes.card_payload(SITE, code), "photos.example.fr/g")]
    deck += make_cards(per_page)[1:]
    textpage = pdfium.PdfDocument(cards.render_cards(deck, TEXTS, per_page=per_page))[0]
    textpage = textpage.get_textpage()
    search = textpage.search(TEXTS.parent_label)
    widths = []
    while found := search.get_next():
        start, count = found
        left, right = textpage.get_charbox(start)[0], textpage.get_charbox(start + count - 1)[2]
        widths.append(round(right - left, 1))
    assert len(widths) == per_page
    assert len(set(widths)) == 1


def test_a_gallery_address_is_wrapped_or_refused_never_cut():
    deck = make_cards(1)
    long_address = "photos.example.fr/galerie-de-la-seance"
    deck = [dataclasses.replace(deck[0], gallery_address=long_address)]
    pdf = cards.render_cards(deck, TEXTS, per_page=4)
    assert squeeze(long_address) in squeeze(page_texts(pdf)[0])

    deck = [dataclasses.replace(deck[0], gallery_address="photos.example.fr/" + "g" * 120)]
    with pytest.raises(ValueError, match="gallery address"):
        cards.render_cards(deck, TEXTS, per_page=4)


def test_no_cards_or_another_layout_is_refused():
    with pytest.raises(ValueError):
        cards.render_cards([], TEXTS)
    with pytest.raises(ValueError):
        cards.render_cards(make_cards(3), TEXTS, per_page=3)


printable = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=80
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=printable,
    klass=st.text(max_size=30),
    organizer=printable,
    session=printable,
    title=st.text(min_size=1, max_size=60),
    per_page=st.sampled_from([2, 4]),
)
def test_any_names_and_labels_render_a_pdf(name, klass, organizer, session, title, per_page):
    code = codes.new_code()
    card = cards.Card(7, code, codes.card_payload(SITE, code), "photos.example.fr/g", name, klass)
    texts = dataclasses.replace(
        TEXTS, organizer_name=organizer, session_name=session, family_title=title
    )
    pdf = cards.render_cards([card], texts, per_page=per_page)
    assert len(pdfium.PdfDocument(pdf)) == 1
