"""Issue 5 item 1, P5, P15, X4: the family's gallery behind its code."""

import datetime as dt

import pytest
from django.urls import reverse

from seance.photos import codes, services
from seance.photos.models import GalleryRegistration, Photo, SessionStatus
from tests.photos.fakes import camera_jpeg
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture

SITE = "http://127.0.0.1:8000"
T0 = dt.datetime(2026, 11, 20, 9, 0)


@pytest.fixture
def galleries(session, owner):
    """Two pupils of one class, their photos, and the class photo; on sale."""
    cards = services.add_cards(session, user=owner, count=2)
    album = services.get_or_create_album(session, "CP-A")
    sequence = [cards[0], None, None, cards[1], None, None]
    for i, card in enumerate(sequence):
        qr = codes.card_payload(SITE, card.access_code.code) if card else None
        services.ingest_photo(
            session,
            album=album,
            filename=f"IMG_{i}.JPG",
            import_order=i,
            data=camera_jpeg(qr=qr, seed=i, taken_at=T0 + dt.timedelta(seconds=20 * i)),
        )
    services.activate_access_codes(session, user=owner)
    group = services.ingest_photo(
        session, album=album, filename="CLASS.JPG", data=camera_jpeg(seed=99)
    ).photo
    services.mark_group_photos(session, user=owner, photos=[group])
    services.change_session_status(session, SessionStatus.ON_SALE, user=owner)
    return [c.access_code.gallery for c in cards]


def photo_url(gallery, photo, kind="thumb", code=None):
    return reverse(
        "shop:gallery_photo",
        kwargs={
            "code": code or gallery.access_code.code,
            "digest": photo.digest,
            "kind": kind,
        },
    )


def test_gallery_shows_its_photos_and_the_class_photo(client, galleries):
    lea = galleries[0]
    response = client.get(reverse("shop:open_code", kwargs={"code": lea.access_code.code}))
    shown = [p.original_name for p in response.context["photos"]]
    assert shown == ["IMG_1.JPG", "IMG_2.JPG", "CLASS.JPG"]
    for photo in response.context["photos"]:
        image = client.get(photo_url(lea, photo))
        assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_another_gallerys_photo_is_refused_even_with_a_valid_code(client, galleries):
    lea, hugo = galleries
    hugos_photo = Photo.objects.get(original_name="IMG_4.JPG")
    assert client.get(photo_url(hugo, hugos_photo)).status_code == 200
    assert client.get(photo_url(lea, hugos_photo)).status_code == 404


def test_originals_are_never_served(client, galleries):
    lea = galleries[0]
    photo = Photo.objects.get(original_name="IMG_1.JPG")
    assert client.get(photo_url(lea, photo, kind="original")).status_code == 404
    body = client.get(reverse("shop:open_code", kwargs={"code": lea.access_code.code})).content
    assert photo.original.encode() not in body


def test_gallery_page_query_count_is_pinned(client, galleries, django_assert_max_num_queries):
    lea = galleries[0]
    url = reverse("shop:open_code", kwargs={"code": lea.access_code.code})
    client.get(url)  # sessions, language: warm
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert len(response.context["photos"]) == 3


def test_mandatory_registration_comes_first(client, galleries, session, owner, organizer):
    session.registration = "mandatory"
    session.save(update_fields=["registration"])
    lea = galleries[0]
    url = reverse("shop:open_code", kwargs={"code": lea.access_code.code})
    photo = Photo.objects.get(original_name="IMG_1.JPG")
    assert "Before the photos" in client.get(url).content.decode()
    assert client.get(photo_url(lea, photo)).status_code == 404  # not before the form
    skip = client.post(
        reverse("shop:gallery_register", kwargs={"code": lea.access_code.code}), {"skip": "1"}
    )
    assert "Before the photos" in skip.content.decode()  # mandatory: not skippable
    assert "Before the photos" in client.get(url).content.decode()
    agreement = services.current_agreement(organizer, "en")
    client.post(
        reverse("shop:gallery_register", kwargs={"code": lea.access_code.code}),
        {
            "name": "Anne Martin",
            "email": "Anne@Example.fr",
            "agreement": agreement.pk,
            "consent": "on",
        },
    )
    registration = GalleryRegistration.objects.get()
    assert registration.email == "anne@example.fr" and registration.agreement == agreement
    assert len(client.get(url).context["photos"]) == 3
    assert client.get(photo_url(lea, photo)).status_code == 200


def test_optional_registration_can_wait(client, galleries, session):
    session.registration = "optional"
    session.save(update_fields=["registration"])
    lea = galleries[0]
    response = client.post(
        reverse("shop:gallery_register", kwargs={"code": lea.access_code.code}),
        {"skip": "1"},
        follow=True,
    )
    assert len(response.context["photos"]) == 3
    assert not GalleryRegistration.objects.exists()


def test_archived_gallery_is_closed(client, galleries, session, owner):
    services.change_session_status(session, SessionStatus.ARCHIVED, user=owner)
    lea = galleries[0]
    body = client.get(reverse("shop:open_code", kwargs={"code": lea.access_code.code}))
    assert "closed" in body.content.decode()
    photo = Photo.objects.get(original_name="IMG_1.JPG")
    assert client.get(photo_url(lea, photo)).status_code == 404
