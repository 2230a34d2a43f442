"""P14: from imported photos to galleries, through the review, idempotently."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from seance.photos import codes, services
from seance.photos.models import Gallery, Photo
from seance.photos.roster import Pupil
from tests.photos.fakes import camera_jpeg
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture

SITE = "http://127.0.0.1:8000"
T0 = dt.datetime(2026, 11, 20, 9, 0, 0)


@pytest.fixture
def cards(session, owner):
    return services.add_cards(
        session, user=owner, pupils=[Pupil("Léa", "Martin", "CP-A"), Pupil("Hugo", "Petit", "CP-A")]
    )


def shoot(session, album, sequence, start=0):
    """Import a sequence like ["card:0", "p", "p", "card:1", "p"]: cards by index, photos."""
    cards = list(session.cards.order_by("number"))
    names = []
    for i, item in enumerate(sequence, start=start):
        qr = None
        if item.startswith("card:"):
            qr = codes.card_payload(SITE, cards[int(item[5:])].access_code.code)
        name = f"IMG_{i:04d}.JPG"
        services.ingest_photo(
            session,
            album=album,
            data=camera_jpeg(qr=qr, seed=i, taken_at=T0 + dt.timedelta(seconds=20 * i)),
            filename=name,
            import_order=i,
        )
        names.append(name)
    return names


def gallery_photos(session):
    return {
        g.access_code.code: sorted(p.original_name for p in g.photos.all())
        for g in Gallery.objects.filter(session=session)
    }


def test_each_card_starts_the_gallery_of_its_pupil(session, owner, cards):
    album = services.get_or_create_album(session, "CP-A")
    shoot(session, album, ["p", "card:0", "p", "p", "card:1", "p"])
    proposal = services.sort_session(session)
    assert [a.kind for a in proposal.anomalies] == ["before_first_card"]
    done = services.activate_access_codes(session, user=owner)
    assert len(done.created) == 2 and done.photos_placed == 3
    assert gallery_photos(session) == {
        cards[0].access_code.code: ["IMG_0002.JPG", "IMG_0003.JPG"],
        cards[1].access_code.code: ["IMG_0005.JPG"],
    }
    lea = Gallery.objects.get(card=cards[0])
    assert (lea.name, lea.class_name, lea.album.name) == ("Léa Martin", "CP-A", "CP-A")
    assert Photo.objects.get(original_name="IMG_0000.JPG").gallery is None  # before any card


def test_activating_again_changes_nothing_and_later_photos_join(session, owner, cards):
    album = services.get_or_create_album(session, "CP-A")
    shoot(session, album, ["card:0", "p", "card:1", "p"])
    services.activate_access_codes(session, user=owner)
    before = gallery_photos(session)
    again = services.activate_access_codes(session, user=owner)
    assert again.created == [] and again.photos_placed == 0
    assert gallery_photos(session) == before
    # The photographer finds two more photos of Hugo on another memory card.
    shoot(session, album, ["p", "p"], start=4)
    later = services.activate_access_codes(session, user=owner)
    assert later.created == [] and later.photos_placed == 2
    assert gallery_photos(session)[cards[1].access_code.code] == [
        "IMG_0003.JPG",
        "IMG_0004.JPG",
        "IMG_0005.JPG",
    ]
    assert gallery_photos(session)[cards[0].access_code.code] == before[cards[0].access_code.code]


def test_photos_moved_by_hand_stay_put(session, owner, cards):
    album = services.get_or_create_album(session, "CP-A")
    shoot(session, album, ["card:0", "p", "p", "card:1", "p"])
    services.activate_access_codes(session, user=owner)
    hugo = Gallery.objects.get(card=cards[1])
    misplaced = Photo.objects.get(original_name="IMG_0002.JPG")
    services.move_photos(session, user=owner, photos=[misplaced], gallery=hugo)
    services.activate_access_codes(session, user=owner)
    assert Photo.objects.get(pk=misplaced.pk).gallery == hugo


def test_group_photos_join_no_gallery(session, owner, cards):
    album = services.get_or_create_album(session, "CP-A")
    shoot(session, album, ["card:0", "p", "p"])
    group = Photo.objects.get(original_name="IMG_0002.JPG")
    services.mark_group_photos(session, user=owner, photos=[group])
    services.activate_access_codes(session, user=owner)
    assert Photo.objects.get(pk=group.pk).gallery is None
    assert gallery_photos(session) == {cards[0].access_code.code: ["IMG_0001.JPG"]}


def test_a_void_card_opens_nothing(session, owner, cards):
    album = services.get_or_create_album(session, "CP-A")
    shoot(session, album, ["card:0", "p", "card:1", "p"])
    services.void_card(cards[1], user=owner)
    proposal = services.sort_session(session)
    assert [a.kind for a in proposal.anomalies] == ["unknown_card"]
    services.activate_access_codes(session, user=owner)
    assert list(gallery_photos(session)) == [cards[0].access_code.code]


def test_shared_session_has_one_gallery(session, owner):
    services.update_session(session, user=owner, access_type="shared")
    album = services.get_or_create_album(session, "Prom")
    shoot(session, album, ["p", "p", "p"])
    first = services.activate_access_codes(session, user=owner)
    assert len(first.created) == 1 and first.photos_placed == 3
    assert services.activate_access_codes(session, user=owner).created == []
    assert Gallery.objects.count() == 1


def test_gallery_by_hand_for_a_session_without_cards(session, owner):
    services.update_session(session, user=owner, code_source="manual")
    album = services.get_or_create_album(session, "Individual photos")
    shoot(session, album, ["p", "p", "p"])
    chosen = list(Photo.objects.filter(original_name__in=["IMG_0000.JPG", "IMG_0001.JPG"]))
    gallery = services.create_gallery_by_hand(session, user=owner, photos=chosen, name="Léa")
    assert sorted(p.original_name for p in gallery.photos.all()) == ["IMG_0000.JPG", "IMG_0001.JPG"]
    assert services.find_access_code(gallery.access_code.code) == gallery.access_code


def test_access_type_is_locked_once_photos_are_in(session, owner):
    album = services.get_or_create_album(session, "CP-A")
    shoot(session, album, ["p"])
    with pytest.raises(ValidationError) as e:
        services.update_session(session, user=owner, access_type="shared")
    assert "Photos are already imported" in " ".join(e.value.message_dict["access_type"])
    services.update_session(session, user=owner, name="Renamed")  # the rest stays editable


def test_sort_command_prints_the_proposal(session, owner, cards):
    album = services.get_or_create_album(session, "CP-A")
    shoot(session, album, ["p", "card:0", "p", "card:1", "p"])
    out = io.StringIO()
    call_command("sort", session.reference, "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["unsorted"] == ["IMG_0000.JPG"]
    assert [(g["code"], g["photos"], g["active"]) for g in result["galleries"]] == [
        (cards[0].access_code.code, ["IMG_0002.JPG"], False),
        (cards[1].access_code.code, ["IMG_0004.JPG"], False),
    ]
    assert result["anomalies"][0]["kind"] == "before_first_card"
    assert result["anomalies"][0]["photos"] == ["IMG_0000.JPG"]
    out = io.StringIO()
    call_command("sort", session.reference, "--json", "--activate", stdout=out)
    assert all(g["active"] for g in json.loads(out.getvalue())["galleries"])


def test_import_command_report(session, tmp_path, cards):
    folder = tmp_path / "card1"
    (folder / "CP-A").mkdir(parents=True)
    (folder / "CP-B").mkdir()
    (folder / "CP-A" / "IMG_0001.JPG").write_bytes(
        camera_jpeg(qr=codes.card_payload(SITE, cards[0].access_code.code), taken_at=T0)
    )
    (folder / "CP-A" / "IMG_0002.JPG").write_bytes(camera_jpeg(seed=2, taken_at=T0))
    (folder / "CP-B" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 nope")
    (folder / "CP-B" / ".DS_Store").write_bytes(b"\x00")
    out = io.StringIO()
    with pytest.raises(SystemExit):  # an error in the report: the command says so
        call_command(
            "import_photos", session.reference, str(folder), "--json", "--workers", "1", stdout=out
        )
    report = json.loads(out.getvalue())
    assert len(report["imported"]) == 2 and report["duplicates"] == []
    assert [e["kind"] for e in report["errors"]] == ["corrupt"]
    assert report["cards"] == [
        {"file": str(folder / "CP-A" / "IMG_0001.JPG"), "code": cards[0].access_code.code}
    ]
    assert sorted(session.albums.values_list("name", flat=True)) == ["CP-A", "CP-B"]
    # Run again (an import killed half-way is simply re-run): nothing twice.
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_photos", session.reference, str(folder), "--json", "--workers", "1", stdout=out
        )
    again = json.loads(out.getvalue())
    assert again["imported"] == [] and len(again["duplicates"]) == 2
    assert Photo.objects.count() == 2


def test_an_import_killed_half_way_completes_on_the_second_run(session, tmp_path, monkeypatch):
    """Killed after storing the third file but before recording it: the re-run records it
    (reusing the stored files), skips the first two, and imports the rest — once each."""
    from django.core.files.storage import storages

    folder = tmp_path / "card"
    folder.mkdir()
    for i in range(5):
        (folder / f"IMG_{i}.JPG").write_bytes(camera_jpeg(seed=100 + i, taken_at=T0))
    real_create = Photo.objects.create
    calls = []

    def dying_create(**fields):
        calls.append(fields["original_name"])
        if len(calls) == 3:
            raise KeyboardInterrupt  # the power cut
        return real_create(**fields)

    monkeypatch.setattr(Photo.objects, "create", dying_create)
    with pytest.raises(KeyboardInterrupt):
        call_command(
            "import_photos", session.reference, str(folder), "--workers", "1", stdout=io.StringIO()
        )
    assert Photo.objects.count() == 2
    monkeypatch.setattr(Photo.objects, "create", real_create)
    out = io.StringIO()
    call_command(
        "import_photos", session.reference, str(folder), "--workers", "1", "--json", stdout=out
    )
    report = json.loads(out.getvalue())
    assert len(report["imported"]) == 3 and len(report["duplicates"]) == 2
    assert Photo.objects.count() == 5
    stored = storages["private"].listdir(f"photos/{session.pk}")[0]
    assert (
        sum(len(storages["private"].listdir(f"photos/{session.pk}/{d}")[1]) for d in stored) == 15
    )


def test_a_photo_taken_out_by_hand_stays_out(session, owner, cards):
    album = services.get_or_create_album(session, "CP-A")
    shoot(session, album, ["card:0", "p", "p", "card:1", "p"])
    services.activate_access_codes(session, user=owner)
    wrong = Photo.objects.get(original_name="IMG_0002.JPG")
    services.move_photos(session, user=owner, photos=[wrong], gallery=None)
    shoot(session, album, ["p"], start=5)  # more photos arrive, activation again
    services.activate_access_codes(session, user=owner)
    assert Photo.objects.get(pk=wrong.pk).gallery is None
    out = io.StringIO()
    call_command("sort", session.reference, "--json", stdout=out)
    lea = next(
        g for g in json.loads(out.getvalue())["galleries"] if g["code"] == cards[0].access_code.code
    )
    assert lea["active"] and lea["photos"] == ["IMG_0001.JPG"]  # what families really see


def test_a_half_written_original_is_written_again(session):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    album = services.get_or_create_album(session, "CP-A")
    data = camera_jpeg(seed=77)
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    storage = storages["private"]
    storage.save(f"photos/{session.pk}/{digest[:2]}/{digest}.jpg", ContentFile(data[:100]))
    photo = services.ingest_photo(session, album=album, data=data, filename="a.jpg").photo
    assert storage.open(photo.original).read() == data


def test_the_shared_gallery_shows_the_group_photos(session, owner):
    from seance.photos.queries import gallery_photos

    services.update_session(session, user=owner, access_type="shared")
    album = services.get_or_create_album(session, "Prom")
    shoot(session, album, ["p", "p"])
    services.activate_access_codes(session, user=owner)
    group = services.ingest_photo(
        session, album=album, data=camera_jpeg(seed=55), filename="all.jpg"
    ).photo
    services.mark_group_photos(session, user=owner, photos=[group])
    gallery = Gallery.objects.get()
    assert "all.jpg" in [p.original_name for p in gallery_photos(gallery)]
