"""Issue 5's journey: a parent opens two children's galleries from their cards, orders prints
and files, pays by bank transfer; staff confirm the payment; the download link works."""

import re

import pytest
from django.core import mail
from django.core.files.storage import storages

from seance.commerce.models import Order
from seance.photos import codes
from seance.photos.models import Photo, Registration
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_code_gallery_two_children_checkout_transfer_confirm_download(
    live_server, browser, page, galleries, profile, owner, organizer, session, settings
):
    settings.SEANCE_SITE_URL = live_server.url
    session.registration = Registration.OFF
    session.save(update_fields=["registration"])
    lea, hugo = galleries
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    parent = phone.new_page()
    parent.set_default_timeout(10_000)
    try:
        # Léa's card, typed on the shop page.
        parent.goto(f"{live_server.url}/g/")
        parent.fill("input[name=code]", codes.display(lea.access_code.code))
        parent.click("form[action='/g/'] button[type=submit]")
        parent.wait_for_selector(".photos")
        assert parent.locator(".photos img").count() == 3  # two portraits, the class photo
        parent.locator(".photos a").first.click()
        parent.click(".product:has-text('Digital file') button")
        parent.wait_for_selector(".msg.success")
        assert parent.locator("[data-cart-count]").inner_text() == "1"

        # Hugo's card, opened from its QR link: the cart keeps Léa's file.
        parent.goto(f"{live_server.url}/g/{hugo.access_code.code}")
        parent.locator(".photos a").first.click()
        parent.fill(".product:has-text('Print 13') input[name=quantity]", "2")
        parent.click(".product:has-text('Print 13') button")
        parent.wait_for_selector(".msg.success")
        assert parent.locator("[data-cart-count]").inner_text() == "3"

        parent.click(".cart-link")
        assert parent.locator(".line").count() == 2
        assert parent.locator("[data-total]").inner_text() == "21.00\xa0EUR"
        parent.click("text=Checkout")
        parent.fill("input[name=name]", "Anne Martin")
        parent.fill("input[name=email]", "anne@example.fr")
        parent.fill("textarea[name=delivery_address]", "1 rue de la Paix\n75002 Paris")
        parent.check("input[value=bank_transfer]")
        parent.click("button:has-text('Place the order')")
        parent.wait_for_selector("[data-state=unpaid]")
        order = Order.objects.get()
        assert order.code in parent.locator("code").inner_text()
        assert "FR76 3000 6000" in parent.locator(".bank").inner_text()
        assert parent.locator(".downloads").count() == 0
        order_page = parent.url

        # Staff see the transfer arrive and confirm it.
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", owner.email)
        page.fill("input[name=password]", "secret-pass-1")
        page.click("button:has-text('Log in')")
        page.goto(f"{live_server.url}/backoffice/orders/")
        page.click(f"text={order.code}")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("form.confirm-payment button")
        page.wait_for_selector(".msg.success, .message.success, [role=status]")

        # The parent's order page now has the file; its link gives the original.
        parent.goto(order_page)
        parent.wait_for_selector("[data-state=paid]")
        link = parent.locator(".downloads a").first.get_attribute("href")
        response = parent.request.get(link)
        assert response.status == 200
        original = storages["private"].open(Photo.objects.get(original_name="IMG_1.JPG").original)
        assert response.body() == original.read()
    finally:
        phone.close()
    subjects = [m.subject for m in mail.outbox]
    assert subjects[0].startswith(f"Your order {order.code}")
    assert any(s.startswith("Your photos are ready") for s in subjects)
    assert re.search(r"/download/", mail.outbox[-1].body)
