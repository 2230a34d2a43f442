"""P11, P12, Q3: one ingest service for every way in; bad files leave nothing behind."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.files.storage import storages
from PIL import Image

from seance.photos import codes, services
from seance.photos.models import Photo, QrCard
from seance.photos.services import ImportProblem
from tests.photos.fakes import camera_jpeg

SITE = "http://127.0.0.1:8000"


@pytest.fixture
def album(session):
    return services.get_or_create_album(session, "CP-A")


@pytest.fixture(autouse=True)
def _private_storage(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    storages._storages = {}
    yield
    storages._storages = {}


def test_photo_is_stored_with_preview_thumbnail_and_time(session, album):
    taken = dt.datetime(2026, 11, 20, 9, 15, 2)
    result = services.ingest_photo(
        session, album=album, data=camera_jpeg(taken_at=taken), filename="IMG_0001.JPG"
    )
    photo = result.photo
    assert not result.duplicate
    assert photo.taken_at == taken.replace(tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    assert (photo.width, photo.height) == (1200, 800)
    storage = storages["private"]
    preview = Image.open(storage.open(photo.preview))
    thumb = Image.open(storage.open(photo.thumbnail))
    assert max(preview.size) == 600 and max(thumb.size) == 400  # never enlarged
    assert storage.open(photo.original).read() == camera_jpeg(taken_at=taken)


def test_same_file_again_changes_nothing(session, album):
    data = camera_jpeg(seed=3)
    first = services.ingest_photo(session, album=album, data=data, filename="a.jpg")
    again = services.ingest_photo(session, album=album, data=data, filename="copy of a.jpg")
    assert again.duplicate and again.photo == first.photo
    assert Photo.objects.count() == 1


def test_card_photo_is_recognised_and_tracked(session, album, owner):
    [card] = services.add_cards(session, user=owner, count=1)
    payload = codes.card_payload(SITE, card.access_code.code)
    photo = services.ingest_photo(
        session, album=album, data=camera_jpeg(qr=payload), filename="card.jpg"
    ).photo
    assert photo.card_code == card.access_code.code and not photo.foreign_qr
    assert QrCard.objects.get(pk=card.pk).photographed_at is not None


def test_card_printed_with_another_address_still_counts(session, album, owner):
    [card] = services.add_cards(session, user=owner, count=1)
    payload = codes.card_payload("https://old-address.example", card.access_code.code)
    photo = services.ingest_photo(
        session, album=album, data=camera_jpeg(qr=payload), filename="card.jpg"
    ).photo
    assert photo.card_code == card.access_code.code


@pytest.mark.parametrize(
    "payload",
    [
        "https://www.example.com/poster",
        "WIFI:S:school;T:WPA;P:secret;;",
        "HTTPS://OTHER.STUDIO/G/" + "2" * 12,  # looks like a card, but not one of ours
    ],
)
def test_other_qr_codes_are_never_taken_for_a_card(session, album, payload):
    photo = services.ingest_photo(
        session, album=album, data=camera_jpeg(qr=payload), filename="x.jpg"
    ).photo
    assert photo.card_code == "" and photo.foreign_qr


def test_card_of_another_organizer_is_foreign(session, album, stranger):
    other = stranger.memberships.get().organizer
    other_session = services.create_session(
        other,
        user=stranger,
        name="Theirs",
        reference="THEIRS",
        shooting_date=session.shooting_date,
        segment=services.create_segment(other, user=stranger, name="S"),
        sponsor=services.create_sponsor(other, user=stranger, name="S"),
        watermark_text="x",
    )
    [theirs] = services.add_cards(other_session, user=stranger, count=1)
    payload = codes.card_payload(SITE, theirs.access_code.code)
    photo = services.ingest_photo(
        session, album=album, data=camera_jpeg(qr=payload), filename="x.jpg"
    ).photo
    assert photo.card_code == "" and photo.foreign_qr


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (100, 100)).save(out, "PNG")
    return out.getvalue()


def bomb_jpeg():
    out = io.BytesIO()
    Image.new("L", (12000, 12000)).save(out, "JPEG", quality=10)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"not a photo at all", "corrupt"),
        (camera_jpeg()[:2000], "corrupt"),
        (png_bytes(), "not_jpeg"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100, "corrupt"),
        (bomb_jpeg(), "too_large"),
    ],
    ids=["empty", "garbage", "truncated", "png", "heic", "bomb"],
)
def test_bad_files_get_a_clear_error_and_leave_nothing(session, album, data, kind):
    with pytest.raises(ImportProblem) as e:
        services.ingest_photo(session, album=album, data=data, filename="bad.jpg")
    assert e.value.kind == kind
    assert e.value.message
    assert not Photo.objects.exists()
    storage = storages["private"]
    assert not storage.exists(f"photos/{session.pk}")


def test_photo_without_exif_time_is_kept_with_a_warning(session, album):
    photo = services.ingest_photo(
        session, album=album, data=camera_jpeg(), filename="noexif.jpg"
    ).photo
    assert photo.taken_at is None and photo.warnings == ["no_capture_time"]


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\me\\IMG_1.JPG", "IMG_1.JPG"),
        ("..\\..\\x.jpg", "x.jpg"),
        ("photo\x00\n.jpg", "photo.jpg"),
        (".hidden.jpg", "hidden.jpg"),
        ("École — 1.jpg", "École — 1.jpg"),
    ],
)
def test_file_names_are_made_safe(session, album, name, stored):
    photo = services.ingest_photo(
        session, album=album, data=camera_jpeg(seed=hash(name) % 1000), filename=name
    ).photo
    assert photo.original_name == stored
    assert photo.original.startswith(f"photos/{session.pk}/")


def test_a_name_made_of_nothing_is_refused(session, album):
    with pytest.raises(ImportProblem) as e:
        services.ingest_photo(session, album=album, data=camera_jpeg(), filename="../..")
    assert e.value.kind == "bad_name"
