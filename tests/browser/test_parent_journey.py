"""A parent scans the card before shooting day and pre-registers their child (Q2, Q5)."""

import pytest

from seance.photos import codes, services
from seance.photos.models import PreRegistration
from seance.photos.roster import Pupil

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pre_register_from_a_phone(live_server, browser, session, owner, organizer):
    [card] = services.add_cards(session, user=owner, pupils=[Pupil("Léa", "Martin", "CP-A")])
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        # A mistyped code first, then the right one as printed on the card.
        page.goto(f"{live_server.url}/g/")
        page.fill("input[name=code]", "ZZZZ-ZZZZ-ZZZZ")
        page.click("form[action='/g/'] button[type=submit]")
        assert page.locator("p.error").count() == 1
        page.fill("input[name=code]", codes.display(card.access_code.code).lower())
        page.click("form[action='/g/'] button[type=submit]")
        page.wait_for_selector("text=Inscrivez votre enfant dès maintenant")
        assert page.input_value("input[name=child_first_name]") == "Léa"  # from the names list
        page.fill("input[name=email]", "parent@example.fr")
        page.check("input[name=consent]")
        page.click("button:has-text('Inscrire')")
        page.wait_for_selector(".msg.success")
        assert "Léa" in page.locator(".msg.success").inner_text()
    finally:
        context.close()
    registration = PreRegistration.objects.get()
    assert registration.card == card and registration.language == "fr"
    assert registration.agreement.language == "fr"
