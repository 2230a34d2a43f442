"""The yearbook export page: a streamed ZIP for those who may export, nothing for others."""

import io
import zipfile

from django.urls import reverse
from PIL import Image

from seance.core.models import LogEntry
from seance.photos.models import QrCard
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture


def url(session):
    return reverse("backoffice:yearbook_export", kwargs={"session": session.pk})


def name_cards(session):
    names = [("Léa", "Martin", "CP-A"), ("Hugo", "Dupont", "CP-A")]
    cards = session.cards.order_by("number")
    for card, (first, last, class_name) in zip(cards, names, strict=True):
        QrCard.objects.filter(pk=card.pk).update(
            first_name=first, last_name=last, class_name=class_name
        )


def test_owner_downloads_the_yearbook_zip(client, owner, session, galleries):
    name_cards(session)
    client.force_login(owner)
    response = client.get(url(session))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="EJF-CP-yearbook.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == [
        "INDEX.TXT",
        "Images/0001.jpg",
        "Images/0002.jpg",
        "README.TXT",
    ]
    rows = [line.split("\t") for line in archive.read("INDEX.TXT").decode().splitlines()]
    assert [(r[2], r[4], r[5]) for r in rows] == [
        ("0001.jpg", "Dupont", "Hugo"),
        ("0002.jpg", "Martin", "Léa"),
    ]
    for name in ("Images/0001.jpg", "Images/0002.jpg"):
        image = Image.open(io.BytesIO(archive.read(name)))
        assert image.size == (640, 800)
    assert LogEntry.objects.filter(action="seance.session.yearbook_exported").count() == 1


def test_detail_page_links_the_export_for_those_who_may_export(client, owner, assistant, session):
    detail = reverse("backoffice:session_detail", kwargs={"session": session.pk})
    client.force_login(owner)
    assert url(session) in client.get(detail).content.decode()
    client.force_login(assistant)
    assert url(session) not in client.get(detail).content.decode()


def test_assistant_may_not_export(client, assistant, session, galleries):
    client.force_login(assistant)
    assert client.get(url(session)).status_code == 403
    assert not LogEntry.objects.filter(action="seance.session.yearbook_exported").exists()


def test_another_organizers_session_is_not_found(client, stranger, session, galleries):
    client.force_login(stranger)
    assert client.get(url(session)).status_code == 404
    assert not LogEntry.objects.filter(action="seance.session.yearbook_exported").exists()
