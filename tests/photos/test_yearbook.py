"""The yearbook export: the chosen portrait of each pupil, and a PSPA index of them."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.storage import storages
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from seance.core.audit import entries_for
from seance.core.exports import zip_stream
from seance.photos import lab, services, yearbook
from seance.photos.models import Photo, QrCard
from seance.photos.sorting import Shot
from tests.photos.fakes import camera_jpeg
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import T0, galleries  # noqa: F401 - fixture

# --- pure: choice, order, index ------------------------------------------------------------


def shot(key, seconds, *, card="", group=False):
    return Shot(
        key=key,
        taken_at=T0 + dt.timedelta(seconds=seconds),
        order=seconds,
        card_code=card or None,
        foreign_qr=False,
        is_group=group,
        album="CP-A",
    )


def test_portrait_is_the_first_photo_that_is_no_card_and_no_group_photo():
    shots = [
        shot("late", 30),
        shot("class", 5, group=True),
        shot("card", 0, card="ABCD2345"),
        shot("first", 20),
    ]
    assert yearbook.choose_portrait(shots) == "first"  # shooting order, not the list's
    assert yearbook.choose_portrait([shot("card", 0, card="X"), shot("g", 1, group=True)]) is None
    assert yearbook.choose_portrait([]) is None


def subject(first, last, class_name="CP-A", portrait="p", reference="1"):
    return yearbook.Subject(first, last, class_name, portrait, reference)


def test_portraits_are_numbered_in_class_then_last_name_order():
    book = yearbook.plan_yearbook(
        [
            subject("Zoé", "Martin", "CP-B"),
            subject("Léa", "Martin", "CP-A"),
            subject("Hugo", "Émery", "CP-A"),  # É sorts as E, before Martin
            subject("Anna", "Dupont", ""),  # no class: after the classes
            subject("Ali", "Dupont", "cp-a"),  # case does not matter
            subject("", "", "CP-A", reference="7"),
            subject("Jade", "Petit", "CP-A", portrait=None),
        ],
        volume="École Jules Ferry",
    )
    assert [(p.file_name, p.subject.first_name) for p in book.portraits] == [
        ("0001.jpg", "Ali"),
        ("0002.jpg", "Hugo"),
        ("0003.jpg", "Léa"),
        ("0004.jpg", "Zoé"),
        ("0005.jpg", "Anna"),
    ]
    assert [(s.reference, s.first_name, why) for s, why in book.skipped] == [
        ("7", "", yearbook.Skip.NO_NAME),
        ("1", "Jade", yearbook.Skip.NO_PORTRAIT),
    ]


def test_file_numbers_widen_past_9999_pupils():
    book = yearbook.plan_yearbook(
        [subject("A", f"N{n:05d}") for n in range(10_000)], volume="Big school"
    )
    assert book.portraits[0].file_name == "00001.jpg"
    assert book.portraits[-1].file_name == "10000.jpg"
    assert len({p.file_name for p in book.portraits}) == 10_000


def test_index_rows_have_the_pspa_columns_in_order():
    book = yearbook.plan_yearbook(
        [subject("Léa\tMarie", "Martin\r\nDurand", "CP-A")], volume="École\tJules Ferry"
    )
    text = book.index_text()
    assert text.endswith("\r\n") and text.count("\r\n") == 1  # one row, no header
    row = text.removesuffix("\r\n").split("\t")
    assert len(row) == len(yearbook.PSPA_COLUMNS) == 13
    assert dict(zip(yearbook.PSPA_COLUMNS, row, strict=True)) == {
        "Volume name": "École Jules Ferry",
        "Image folder": "Images",
        "Image file name": "0001.jpg",
        "Grade": "CP-A",
        "Last name": "Martin Durand",
        "First name": "Léa Marie",
        "Homeroom": "CP-A",
        "Period": "",
        "Teacher name": "",
        "Track": "",
        "Department": "",
        "Title": "",
        "Image size": "",
    }
    assert book.index_text(leave_out={"0001.jpg"}) == ""


@given(st.text(), st.text(), st.text())
def test_any_name_stays_in_its_own_cell(first, last, class_name):
    text = yearbook.index_text(
        [yearbook.index_row("Vol", "Images", "0001.jpg", subject(first, last, class_name))]
    )
    assert text.endswith("\r\n")
    body = text.removesuffix("\r\n")
    assert "\r" not in body and "\n" not in body
    assert len(body.split("\t")) == 13


# --- the export of a session ---------------------------------------------------------------


def read_zip(export) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(zip_stream(export.files()))))


def index_rows(archive) -> list[list[str]]:
    text = archive.read("INDEX.TXT").decode("utf-8")
    return [line.split("\t") for line in text.split("\r\n") if line]


def name_cards(session, *names):
    for card, (first, last, class_name) in zip(
        session.cards.order_by("number"), names, strict=False
    ):
        QrCard.objects.filter(pk=card.pk).update(
            first_name=first, last_name=last, class_name=class_name
        )


def test_export_has_one_portrait_per_pupil_and_the_index(galleries, session, owner):
    name_cards(session, ("Léa", "Martin", "CP-A"), ("Hugo", "Dupont\tJr", "CP-A"))
    lea = galleries[0]
    # The earliest photos of Léa's gallery are her card and a group photo: neither is chosen.
    card_photo = Photo.objects.get(original_name="IMG_0.JPG")
    early_group = services.ingest_photo(
        session,
        album=card_photo.album,
        filename="GROUP_EARLY.JPG",
        import_order=10,
        data=camera_jpeg(seed=50, taken_at=T0 + dt.timedelta(seconds=5)),
    ).photo
    services.mark_group_photos(session, user=owner, photos=[early_group])
    services.move_photos(session, user=owner, photos=[card_photo, early_group], gallery=lea)

    export = services.export_yearbook(session, user=owner)
    archive = read_zip(export)

    assert sorted(archive.namelist()) == [
        "INDEX.TXT",
        "Images/0001.jpg",
        "Images/0002.jpg",
        "README.TXT",
    ]
    rows = index_rows(archive)
    assert [row[:7] for row in rows] == [
        ["École Jules Ferry", "Images", "0001.jpg", "CP-A", "Dupont Jr", "Hugo", "CP-A"],
        ["École Jules Ferry", "Images", "0002.jpg", "CP-A", "Martin", "Léa", "CP-A"],
    ]
    assert all(len(row) == 13 for row in rows)
    chosen = {
        p.original for p in Photo.objects.filter(original_name__in=["IMG_1.JPG", "IMG_4.JPG"])
    }
    assert set(export.originals.values()) == chosen
    storage = storages["private"]
    for name, photo_name in (("Images/0001.jpg", "IMG_4.JPG"), ("Images/0002.jpg", "IMG_1.JPG")):
        data = archive.read(name)
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and image.width >= 640 and image.height >= 800
        assert image.width / image.height == pytest.approx(0.8)
        with storage.open(Photo.objects.get(original_name=photo_name).original) as original:
            assert data == lab.render_portrait(original)  # that pupil's photo, not another
    readme = archive.read("README.TXT").decode()
    assert "2 portraits" in readme and "not included" not in readme
    assert readme.endswith("\r\n") and "\t" not in readme
    [entry] = [e for e in entries_for(session) if e.action == "seance.session.yearbook_exported"]
    assert entry.data == {"portraits": 2} and entry.user == owner


def test_pre_registered_names_win_and_the_left_out_are_listed(session, owner, organizer):
    from seance.photos import codes, roster

    cards = services.add_cards(
        session,
        user=owner,
        pupils=[
            roster.Pupil("Lea", "Martin", "CP-A"),
            roster.Pupil("Jade", "Petit", "CP-B"),  # her one photo is moved out of her gallery
        ],
    )
    cards += services.add_cards(session, user=owner, count=1)  # no name known
    services.pre_register(
        cards[0].access_code,
        child_first_name="Léa",
        child_last_name="Martin-Roux",
        class_name="",
        email="p@example.fr",
        phone="",
        consent=True,
        agreement=services.current_agreement(organizer, "en"),
        language="en",
    )
    album = services.get_or_create_album(session, "Individuals")
    plan = [(cards[0], 2), (cards[1], 1), (cards[2], 1)]  # (card, photos after the card)
    order = 0
    for card, portraits in plan:
        for i in range(portraits + 1):
            qr = codes.card_payload("http://x", card.access_code.code) if i == 0 else None
            services.ingest_photo(
                session,
                album=album,
                filename=f"IMG_{order}.JPG",
                import_order=order,
                data=camera_jpeg(qr=qr, seed=order, taken_at=T0 + dt.timedelta(seconds=order)),
            )
            order += 1
    services.activate_access_codes(session, user=owner)
    jades = Photo.objects.filter(gallery__card=cards[1], card_code="")
    services.move_photos(session, user=owner, photos=list(jades), gallery=None)

    archive = read_zip(services.export_yearbook(session, user=owner))

    rows = index_rows(archive)
    assert [(r[4], r[5], r[3]) for r in rows] == [("Martin-Roux", "Léa", "CP-A")]
    readme = archive.read("README.TXT").decode()
    # In card order, so staff find them in their cards list.
    assert f"not included: Jade Petit (no portrait), card {cards[2].number} (no name)" in readme


def test_an_unreadable_original_is_left_out_not_a_broken_archive(galleries, session, owner):
    name_cards(session, ("Léa", "Martin", "CP-A"), ("Hugo", "Dupont", "CP-A"))
    storages["private"].delete(Photo.objects.get(original_name="IMG_4.JPG").original)

    archive = read_zip(services.export_yearbook(session, user=owner))

    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["INDEX.TXT", "Images/0002.jpg", "README.TXT"]
    assert [r[2] for r in index_rows(archive)] == ["0002.jpg"]
    assert "not included: Hugo Dupont (photo unreadable)" in archive.read("README.TXT").decode()


def test_export_reads_in_a_fixed_number_of_queries(
    galleries, session, owner, django_assert_max_num_queries
):
    name_cards(session, ("Léa", "Martin", "CP-A"), ("Hugo", "Dupont", "CP-A"))
    with django_assert_max_num_queries(4):  # galleries, their photos, the log entry (+ type)
        export = services.export_yearbook(session, user=owner)
    assert len(export.book.portraits) == 2
