"""Upload a memory card's photos in the browser, review the sorting, activate (P12, P14)."""

import datetime as dt

import pytest
from django.conf import settings

from seance.photos import codes, services
from seance.photos.models import Gallery
from tests.photos.fakes import camera_jpeg
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
T0 = dt.datetime(2026, 11, 20, 9, 0)


def test_upload_review_activate(live_server, page, owner, organizer, session, tmp_path):
    cards = services.add_cards(session, user=owner, count=2)
    files = []
    for i, card in enumerate([cards[0], None, None, cards[1], None]):
        qr = codes.card_payload(settings.SEANCE_SITE_URL, card.access_code.code) if card else None
        path = tmp_path / f"IMG_{i:04d}.JPG"
        path.write_bytes(camera_jpeg(qr=qr, seed=i, taken_at=T0 + dt.timedelta(seconds=20 * i)))
        files.append(str(path))
    broken = tmp_path / "broken.JPG"
    broken.write_bytes(b"\xff\xd8\xff not really")
    files.append(str(broken))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", "secret-pass-1")
    page.click("button:has-text('Log in')")
    page.goto(f"{live_server.url}/backoffice/sessions/{session.pk}/photos/")
    page.fill("input[name=name]", "CP-A")
    page.click("button:has-text('Add album')")
    page.wait_for_selector("#uploader")
    page.set_input_files("#upload-files", files)
    page.wait_for_selector("text=Sent: 6 of 6", timeout=30_000)
    assert "QR cards: 2" in page.inner_text("#upload-summary")
    assert page.locator(".upload-list .err").count() == 1

    page.click("text=Review the sorting")
    page.wait_for_selector("h1:has-text('QR sorting')")
    assert page.locator(".gallery-row").count() == 2
    assert page.locator(".thumb.card").count() == 2
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Activate access codes')")
    page.wait_for_selector(".msg.success")
    assert page.locator(".gallery-row.active").count() == 2
    first = Gallery.objects.get(access_code=cards[0].access_code)
    assert sorted(p.original_name for p in first.photos.all()) == ["IMG_0001.JPG", "IMG_0002.JPG"]
