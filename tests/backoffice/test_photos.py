"""P12–P15 in the back office: upload, review, fix, activate."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from seance.photos import codes, services
from seance.photos.models import Gallery, Photo
from tests.photos.fakes import camera_jpeg
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture

SITE = "http://127.0.0.1:8000"
T0 = dt.datetime(2026, 11, 20, 9, 0)


@pytest.fixture
def logged_in(client, assistant):
    client.force_login(assistant)  # photos are an assistant's work
    return client


def upload(client, session, album, data, name):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        reverse("backoffice:photo_upload", kwargs={"session": session.pk}),
        {"album": album.pk, "file": file},
    )


def test_album_and_upload(logged_in, session, owner):
    [card] = services.add_cards(session, user=owner, count=1)
    logged_in.post(
        reverse("backoffice:album_create", kwargs={"session": session.pk}), {"name": "CP-A"}
    )
    album = session.albums.get(name="CP-A")
    qr = codes.card_payload(SITE, card.access_code.code)
    answer = upload(logged_in, session, album, camera_jpeg(qr=qr, taken_at=T0), "IMG_1.JPG").json()
    assert answer == {
        "status": "imported",
        "name": "IMG_1.JPG",
        "card": codes.display(card.access_code.code),
        "foreign_qr": False,
    }
    again = upload(logged_in, session, album, camera_jpeg(qr=qr, taken_at=T0), "IMG_1.JPG")
    assert again.json()["status"] == "duplicate"
    bad = upload(logged_in, session, album, b"GIF89a....", "x.gif")
    assert bad.status_code == 422 and bad.json()["kind"] == "corrupt"
    assert Photo.objects.count() == 1
    page = logged_in.get(reverse("backoffice:photo_home", kwargs={"session": session.pk}))
    assert "1 photo" in page.content.decode()


def test_upload_into_another_sessions_album_is_refused(logged_in, session, new_session):
    other = new_session(reference="OTHER")
    foreign_album = services.get_or_create_album(other, "X")
    response = upload(logged_in, session, foreign_album, camera_jpeg(), "a.jpg")
    assert response.status_code == 404
    assert not Photo.objects.exists()


def test_thumbnails_are_served_to_staff_only(logged_in, client_factory, session):
    album = services.get_or_create_album(session, "CP-A")
    photo = services.ingest_photo(session, album=album, data=camera_jpeg(), filename="a.jpg").photo
    url = reverse(
        "backoffice:photo_file", kwargs={"session": session.pk, "photo": photo.pk, "kind": "thumb"}
    )
    response = logged_in.get(url)
    assert response["Content-Type"] == "image/jpeg" and b"".join(response.streaming_content)
    assert client_factory().get(url).status_code == 302  # to the log-in page
    original = url.replace("thumb.jpg", "original.jpg")
    assert logged_in.get(original).status_code == 404  # originals are never served here


def test_review_fix_and_activate(logged_in, session, owner):
    cards = services.add_cards(session, user=owner, count=2)
    album = services.get_or_create_album(session, "CP-A")
    sequence = [None, cards[0], None, None, cards[1], None]
    for i, card in enumerate(sequence):
        qr = codes.card_payload(SITE, card.access_code.code) if card else None
        services.ingest_photo(
            session,
            album=album,
            data=camera_jpeg(qr=qr, seed=i, taken_at=T0 + dt.timedelta(seconds=30 * i)),
            filename=f"IMG_{i}.JPG",
            import_order=i,
        )
    review = logged_in.get(reverse("backoffice:sorting_review", kwargs={"session": session.pk}))
    assert [a["kind"] for a in review.context["anomalies"]] == ["before_first_card"]
    assert len(review.context["galleries"]) == 2
    body = review.content.decode()
    assert "Photos before the first card" in body and 'class="thumb card"' in body

    # The photo before the first card is the class photo: mark it as a group photo.
    group = Photo.objects.get(original_name="IMG_0.JPG")
    logged_in.post(
        reverse("backoffice:sorting_fix", kwargs={"session": session.pk}),
        {"action": "group", "photo": [group.pk]},
    )
    review = logged_in.get(reverse("backoffice:sorting_review", kwargs={"session": session.pk}))
    assert review.context["anomalies"] == []

    logged_in.post(reverse("backoffice:sorting_activate", kwargs={"session": session.pk}))
    assert Gallery.objects.count() == 2
    first = Gallery.objects.get(access_code=cards[0].access_code)
    assert sorted(p.original_name for p in first.photos.all()) == ["IMG_2.JPG", "IMG_3.JPG"]

    # A misplaced photo moves to the other gallery; a forged photo id of nothing is ignored.
    second = Gallery.objects.get(access_code=cards[1].access_code)
    moved = Photo.objects.get(original_name="IMG_3.JPG")
    logged_in.post(
        reverse("backoffice:sorting_fix", kwargs={"session": session.pk}),
        {"action": "move", "photo": [moved.pk, 999999, "x"], "gallery": second.pk},
    )
    assert Photo.objects.get(pk=moved.pk).gallery == second


def test_fixes_cannot_reach_another_sessions_photos(logged_in, session, new_session):
    other = new_session(reference="OTHER")
    theirs = services.ingest_photo(
        other, album=services.get_or_create_album(other, "X"), data=camera_jpeg(), filename="a.jpg"
    ).photo
    logged_in.post(
        reverse("backoffice:sorting_fix", kwargs={"session": session.pk}),
        {"action": "group", "photo": [theirs.pk]},
    )
    assert Photo.objects.get(pk=theirs.pk).is_group is False


def test_with_workers_uploads_are_queued_then_ingested(logged_in, session, settings):
    """The Celery path (here run eagerly, as without a broker): same result, staged copy gone."""
    from django.core.files.storage import storages

    settings.SEANCE_INGEST_IN_BACKGROUND = True
    album = services.get_or_create_album(session, "CP-A")
    answer = upload(logged_in, session, album, camera_jpeg(seed=9), "IMG_9.JPG").json()
    assert answer["status"] == "queued"
    assert Photo.objects.get().original_name == "IMG_9.JPG"
    storage = storages["private"]
    assert not storage.exists("incoming") or storage.listdir("incoming") == ([], [])


def test_ftp_account_page_shows_the_password_once(logged_in, organizer):
    from seance.photos.services import check_ftp_login

    page = logged_in.post(reverse("backoffice:ftp_account"))
    password = page.context["password"]
    assert password and password in page.content.decode()
    assert check_ftp_login(organizer.slug, password).organizer == organizer
    again = logged_in.get(reverse("backoffice:ftp_account")).content.decode()
    assert password not in again


def test_photos_move_to_another_album(logged_in, session):
    cp_a = services.get_or_create_album(session, "CP-A")
    cp_b = services.get_or_create_album(session, "CP-B")
    photo = services.ingest_photo(session, album=cp_a, data=camera_jpeg(), filename="a.jpg").photo
    logged_in.post(
        reverse("backoffice:sorting_fix", kwargs={"session": session.pk}),
        {"action": "album", "photo": [photo.pk], "album": cp_b.pk},
    )
    assert Photo.objects.get(pk=photo.pk).album == cp_b


def test_upload_with_an_album_that_is_not_an_id(logged_in, session):
    file = io.BytesIO(camera_jpeg())
    file.name = "a.jpg"
    response = logged_in.post(
        reverse("backoffice:photo_upload", kwargs={"session": session.pk}),
        {"album": "abc", "file": file},
    )
    assert response.status_code == 404
