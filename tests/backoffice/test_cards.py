import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.management import call_command
from django.urls import reverse

from seance.photos import codes, services
from seance.photos.models import QrCard
from seance.photos.roster import Pupil


@pytest.fixture
def logged_in(client, owner, organizer):
    client.force_login(owner)
    return client


def pdf_payloads(pdf: bytes) -> list[str]:
    found = []
    for page in pdfium.PdfDocument(pdf):
        image = page.render(scale=150 / 72).to_pil()
        found += [b.text for b in zxingcpp.read_barcodes(image)]
    return sorted(found)


def test_card_page_counts_and_lists(logged_in, session, owner, organizer):
    cards = services.add_cards(session, user=owner, count=3)
    services.mark_printed(cards[:2])
    services.pre_register(
        cards[0].access_code,
        child_first_name="Léa",
        child_last_name="Martin",
        class_name="",
        email="p@example.fr",
        phone="",
        consent=True,
        agreement=services.current_agreement(organizer, "en"),
        language="en",
    )
    response = logged_in.get(reverse("backoffice:card_list", kwargs={"session": session.pk}))
    counts = response.context["counts"]
    assert (counts["active"], counts["printed"], counts["registered"]) == (3, 2, 1)
    assert "Léa Martin" in response.content.decode()


def test_add_cards_and_print_the_new_ones(logged_in, session, owner, settings):
    logged_in.post(reverse("backoffice:cards_add", kwargs={"session": session.pk}), {"count": 5})
    assert session.cards.count() == 5
    url = reverse("backoffice:cards_pdf", kwargs={"session": session.pk})
    response = logged_in.post(url, {"which": "unprinted", "per_page": 4})
    assert response["Content-Type"] == "application/pdf"
    expected = sorted(
        codes.card_payload(settings.SEANCE_SITE_URL, c.access_code.code)
        for c in session.cards.all()
    )
    assert pdf_payloads(response.content) == expected
    assert not session.cards.filter(printed_at__isnull=True).exists()
    # Nothing left unprinted: the page says so instead of an empty PDF.
    again = logged_in.post(url, {"which": "unprinted", "per_page": 2}, follow=True)
    assert "No card to print" in again.content.decode()


def test_print_chosen_numbers(logged_in, session, owner):
    services.add_cards(session, user=owner, count=6)
    url = reverse("backoffice:cards_pdf", kwargs={"session": session.pk})
    response = logged_in.post(url, {"which": "numbers", "numbers": "2, 4-5", "per_page": 2})
    assert len(pdf_payloads(response.content)) == 3
    assert sorted(
        session.cards.filter(printed_at__isnull=False).values_list("number", flat=True)
    ) == [2, 4, 5]
    bad = logged_in.post(url, {"which": "numbers", "numbers": "2; x-7", "per_page": 2}, follow=True)
    assert "is not a card number" in bad.content.decode()


def test_names_list_upload(logged_in, session):
    upload = io.BytesIO("Prénom;Nom;Classe\nLéa;Martin;CP-A\nHugo;Petit;CP-A\n".encode())
    upload.name = "liste.csv"
    response = logged_in.post(
        reverse("backoffice:cards_import", kwargs={"session": session.pk}),
        {"names_list": upload},
        follow=True,
    )
    assert "2 cards made from the names list" in response.content.decode()
    assert [c.subject_name for c in session.cards.order_by("number")] == [
        "Léa Martin",
        "Hugo Petit",
    ]


def test_bad_names_list_is_explained_and_imports_nothing(logged_in, session):
    upload = io.BytesIO("Prénom;Nom\nLéa;\n".encode("latin-1"))
    upload.name = "liste.csv"
    response = logged_in.post(
        reverse("backoffice:cards_import", kwargs={"session": session.pk}),
        {"names_list": upload},
        follow=True,
    )
    assert "Nothing was imported" in response.content.decode()
    assert "UTF-8" in response.content.decode()
    assert not QrCard.objects.exists()


def test_void_from_the_page(logged_in, session, owner):
    [card] = services.add_cards(session, user=owner, pupils=[Pupil("Léa", "Martin")])
    response = logged_in.post(
        reverse("backoffice:card_void", kwargs={"session": session.pk, "card": card.pk}),
        follow=True,
    )
    assert "card 2 replaces it" in response.content.decode()
    assert services.find_access_code(card.access_code.code) is None


def test_pre_registrations_export_is_for_exporters(client, assistant, owner, session, organizer):
    [card] = services.add_cards(session, user=owner, count=1)
    services.pre_register(
        card.access_code,
        child_first_name="=cmd",
        child_last_name="Martin",
        class_name="CP",
        email="p@example.fr",
        phone="+33 6",
        consent=True,
        agreement=services.current_agreement(organizer, "en"),
        language="en",
    )
    url = reverse("backoffice:registrations_export", kwargs={"session": session.pk})
    client.force_login(assistant)
    assert client.get(url).status_code == 403
    client.force_login(owner)
    text = b"".join(client.get(url).streaming_content).decode()
    assert "'=cmd" in text and "'+33 6" in text and "en v1" in text


def test_agreement_page_makes_versions(logged_in, organizer):
    url = reverse("backoffice:agreement_edit")
    page = logged_in.get(url, {"language": "fr"})
    assert "J’accepte" in page.content.decode()
    logged_in.post(url, {"language": "fr", "text": "Nouveau texte de l’accord. " * 5})
    assert services.current_agreement(organizer, "fr").version == 2


def test_cli_writes_the_same_pdf(session, tmp_path, settings):
    out = tmp_path / "cards.pdf"
    call_command("cards", session.reference, "--count", "3", "-o", str(out), stdout=io.StringIO())
    assert len(pdf_payloads(out.read_bytes())) == 3
    roster = tmp_path / "names.csv"
    roster.write_text("first name,last name,class\nLéa,Martin,CP-A\n", encoding="utf-8")
    call_command(
        "cards", session.reference, "--roster", str(roster), "-o", str(out), stdout=io.StringIO()
    )
    assert pdf_payloads(out.read_bytes()) == [
        codes.card_payload(settings.SEANCE_SITE_URL, session.cards.get(number=4).access_code.code)
    ]
    call_command("cards", session.reference, "-o", str(out), stdout=io.StringIO())
    assert len(pdf_payloads(out.read_bytes())) == 4


def test_the_printed_qr_opens_the_cards_page(logged_in, client_factory, session, owner, settings):
    """What a parent's phone does: read the QR on the paper card, open the link."""
    settings.SEANCE_SITE_URL = "https://photos.example.net"
    [card] = services.add_cards(session, user=owner, count=1)
    pdf = logged_in.post(
        reverse("backoffice:cards_pdf", kwargs={"session": session.pk}),
        {"which": "all", "per_page": 2},
    ).content
    [payload] = pdf_payloads(pdf)
    assert payload.startswith("HTTPS://PHOTOS.EXAMPLE.NET/G/")
    phone = client_factory()
    page = phone.get(payload.removeprefix("HTTPS://PHOTOS.EXAMPLE.NET"))
    assert page.status_code == 200
    assert page.context["card"] == card
