"""A photographer logs in, creates a sponsor from the session form, creates the session and
finds it in the list (issue: foundation; SPEC P1, P2, P3, P10)."""

import datetime as dt

import pytest

from seance.photos.models import Session, Sponsor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_session_with_a_new_sponsor(live_server, page, owner, organizer, segment, session):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", "secret-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/backoffice/sessions/")

    page.click("text=+ New session")
    page.wait_for_url("**/backoffice/sessions/new/")
    # Choosing the segment pulls in the settings of its latest session (htmx).
    page.select_option("#id_segment", str(segment.pk))
    page.wait_for_selector("text=Settings copied from the latest session of this segment")
    assert page.input_value("#id_watermark_text") == "Studio Lumière"

    # P2: the sponsor does not exist yet; create it without leaving the form.
    page.click("#new-sponsor")
    dialog = page.locator("#sponsor-dialog")
    dialog.locator("input[name=sponsor-name]").fill("Lycée Victor Hugo")
    dialog.locator("button[type=submit]").click()
    page.wait_for_function("!document.getElementById('sponsor-dialog').open")
    selected = page.eval_on_selector("#id_sponsor", "s => s.options[s.selectedIndex].text")
    assert selected == "Lycée Victor Hugo"

    shoot = dt.date.today() + dt.timedelta(days=21)
    page.fill("#id_name", "Lycée Victor Hugo — Terminales")
    page.fill("#id_reference", "LVH-TERM")
    page.fill("#id_shooting_date", shoot.isoformat())
    page.fill("#id_expected_subjects", "140")

    # P10: the live preview is a real image of the sample photo.
    page.wait_for_function("document.getElementById('watermark-preview').naturalWidth === 1200")

    page.click("button:has-text('Create session')")
    page.wait_for_selector("h1:has-text('Lycée Victor Hugo — Terminales')")
    assert page.locator(".msg.success").inner_text().startswith("Session")

    page.click("nav >> text=Sessions")
    page.wait_for_url("**/backoffice/sessions/")
    row = page.locator("table tr", has_text="LVH-TERM")
    assert row.count() == 1
    assert "Lycée Victor Hugo" in row.inner_text()

    created = Session.objects.get(reference="LVH-TERM")
    assert created.sponsor == Sponsor.objects.get(name="Lycée Victor Hugo")
    assert created.price_profile == session.price_profile  # copied from the segment (P3)
    assert created.organizer == organizer
