"""Issue 5: from a photo to the cart, checkout, the order page and the download links."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import storages
from django.urls import reverse

from seance.commerce import delivery, services
from seance.commerce.errors import CommerceError
from seance.commerce.models import Cart, Order, PaymentState
from seance.core import services as core
from seance.photos import codes
from seance.photos.models import Photo
from seance.photos.selling import item_for
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture


def photo(name):
    return Photo.objects.get(original_name=name)


def add(client, gallery, photo, product, quantity=1):
    return client.post(
        reverse("shop:add_to_cart", kwargs={"code": gallery.access_code.code}),
        {"photo": photo.digest, "product": product.pk, "quantity": quantity},
    )


def the_cart(organizer):
    return Cart.objects.get(organizer=organizer)


@pytest.fixture
def products(profile):
    return {p.name: p for p in profile.products.all()}


def test_the_photo_page_offers_the_session_products(client, galleries, products):
    lea = galleries[0]
    response = client.get(
        reverse(
            "shop:photo", kwargs={"code": lea.access_code.code, "digest": photo("IMG_1.JPG").digest}
        )
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Print 13 × 18" in page and "Digital file" in page and "Family pack" in page
    # Only watermarked previews on the page, never the original.
    assert "preview.jpg" in page and photo("IMG_1.JPG").original not in page


def test_the_cart_keeps_lines_from_two_galleries(client, galleries, products, organizer):
    lea, hugo = galleries
    add(client, lea, photo("IMG_1.JPG"), products["Print 13 × 18"], quantity=2)
    add(client, hugo, photo("IMG_4.JPG"), products["Digital file"])
    # The class photo is in both galleries: bought from Hugo's.
    add(client, hugo, photo("CLASS.JPG"), products["Print 13 × 18"])
    response = client.get(reverse("shop:cart", kwargs={"organizer": organizer.slug}))
    lines = response.context["view"].lines
    lea_code, hugo_code = (codes.display(g.access_code.code) for g in (lea, hugo))
    assert [(offer.description, line.quantity) for line, offer, _p in lines] == [
        ("Print 13 × 18", 2),
        ("Digital file", 1),
        ("Print 13 × 18", 1),
    ]
    sources = [offer.source for _line, offer, _p in lines]
    assert lea_code in sources[0] and hugo_code in sources[1] and hugo_code in sources[2]
    assert response.context["view"].priced.total == Decimal("27.00")
    assert response.context["cart_count"] == 4
    # The gallery's header shows the count too.
    gallery = client.get(reverse("shop:open_code", kwargs={"code": lea.access_code.code}))
    assert gallery.context["cart_count"] == 4


def test_a_photo_of_another_gallery_is_refused(client, galleries, products, organizer):
    lea = galleries[0]
    response = add(client, lea, photo("IMG_4.JPG"), products["Print 13 × 18"])  # Hugo's photo
    assert response.status_code == 302
    assert not Cart.objects.filter(organizer=organizer, lines__isnull=False).exists()


def test_a_product_of_another_organizer_is_refused(client, galleries, owner, organizer):
    from seance.catalog import services as catalog
    from seance.catalog.models import ProductKind

    other = core.create_organizer(name="Other", slug="other", owner=owner)
    foreign = catalog.add_product(
        catalog.create_price_profile(other, user=owner, name="P"),
        user=owner,
        kind=ProductKind.PRINT,
        name="Cheap print",
        price=Decimal("0.10"),
        width_cm=Decimal("10"),
        height_cm=Decimal("15"),
    )
    add(client, galleries[0], photo("IMG_1.JPG"), foreign)
    assert not Cart.objects.filter(lines__isnull=False).exists()


def test_a_cart_line_for_a_photo_of_another_organizer_is_refused(galleries, products, owner):
    other = core.create_organizer(name="Other", slug="other", owner=owner)
    cart = services.cart_for(other, None)
    with pytest.raises(CommerceError):
        services.add_to_cart(
            cart,
            kind="photo",
            item=item_for(
                galleries[0].access_code.code, photo("IMG_1.JPG"), products["Print 13 × 18"]
            ),
        )
    assert not cart.lines.exists()


def test_a_package_takes_one_photo_per_place(client, galleries, products, organizer):
    lea = galleries[0]
    url = reverse(
        "shop:package", kwargs={"code": lea.access_code.code, "product": products["Family pack"].pk}
    )
    page = client.get(url, {"photo": photo("IMG_1.JPG").digest})
    assert len(page.context["places"]) == 2
    # One place left empty: refused, nothing added.
    response = client.post(url, {"place-0": photo("IMG_1.JPG").digest})
    assert response.status_code == 400
    assert not Cart.objects.filter(lines__isnull=False).exists()
    # A photo of another gallery: refused too.
    response = client.post(
        url, {"place-0": photo("IMG_1.JPG").digest, "place-1": photo("IMG_4.JPG").digest}
    )
    assert response.status_code == 400
    response = client.post(
        url, {"place-0": photo("IMG_1.JPG").digest, "place-1": photo("CLASS.JPG").digest}
    )
    assert response.status_code == 302
    (line,) = the_cart(organizer).lines.all()
    assert line.item == item_for(
        lea.access_code.code, [photo("IMG_1.JPG"), photo("CLASS.JPG")], products["Family pack"]
    )


def test_quantities_change_and_lines_leave(client, galleries, products, organizer):
    add(client, galleries[0], photo("IMG_1.JPG"), products["Print 13 × 18"])
    line = the_cart(organizer).lines.get()
    update = reverse("shop:cart_update", kwargs={"organizer": organizer.slug})
    client.post(update, {"line": line.pk, "quantity": 3})
    line.refresh_from_db()
    assert line.quantity == 3
    client.post(update, {"line": line.pk, "quantity": 500})
    line.refresh_from_db()
    assert line.quantity == 3
    client.post(update, {"line": line.pk, "quantity": 0})
    assert not the_cart(organizer).lines.exists()


def checkout(client, organizer, **data):
    fields = {"name": "Anne Martin", "email": "anne@example.fr", "payment_method": "bank_transfer"}
    fields.update(data)
    return client.post(reverse("shop:checkout", kwargs={"organizer": organizer.slug}), fields)


def test_prints_need_an_address_or_pickup_where_allowed(client, galleries, products, organizer):
    add(client, galleries[0], photo("IMG_1.JPG"), products["Print 13 × 18"])
    response = checkout(client, organizer)
    assert response.status_code == 200
    assert "delivery_address" in response.context["form"].errors
    assert "delivery" not in response.context["form"].fields  # pickup not offered
    assert not Order.objects.exists()
    organizer.pickup_allowed = True
    organizer.save()
    response = checkout(client, organizer, delivery="pickup")
    order = Order.objects.get()
    assert order.pickup and order.delivery_address == ""
    assert response.status_code == 302


def test_digital_only_needs_no_address(client, galleries, products, organizer):
    add(client, galleries[0], photo("IMG_1.JPG"), products["Digital file"])
    response = checkout(client, organizer)
    assert response.status_code == 302
    assert Order.objects.get().delivery_address == ""


def test_checkout_without_a_payment_method_offered_places_nothing(
    client, galleries, products, organizer
):
    organizer.bank_transfer_details = ""
    organizer.save()
    add(client, galleries[0], photo("IMG_1.JPG"), products["Digital file"])
    response = checkout(client, organizer)
    assert response.status_code == 200 and response.context["no_method"]
    assert not Order.objects.exists()


@pytest.fixture
def transfer_order(client, galleries, products, organizer, django_capture_on_commit_callbacks):
    """Léa's digital file and Hugo's print, ordered to be paid by bank transfer."""
    add(client, galleries[0], photo("IMG_1.JPG"), products["Digital file"])
    add(client, galleries[1], photo("IMG_4.JPG"), products["Print 13 × 18"])
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(client, organizer, delivery_address="1 rue de la Paix\n75002 Paris")
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("shop:order", args=[delivery.order_token(order)])
    return order


def test_a_bank_transfer_order_gets_instructions_then_files_once_confirmed(
    client, transfer_order, owner, mailoutbox, django_capture_on_commit_callbacks
):
    order = transfer_order
    assert order.total == Decimal("15.00") and order.code in mailoutbox[0].subject
    (placed,) = mailoutbox
    assert "FR76 3000 6000" in placed.body and delivery.order_url(order) in placed.body
    page = client.get(reverse("shop:order", args=[delivery.order_token(order)]))
    assert page.context["downloads"] == [] and "FR76 3000 6000" in page.content.decode()

    payment = order.payments.get(state=PaymentState.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_payment(payment, user=owner)
    assert [m.subject.split(" (")[0] for m in mailoutbox[1:]] == [
        f"Payment received for your order {order.code}",
        "Your photos are ready to download",
    ]
    link = re.search(r"http\S+/download/\S+", mailoutbox[2].body).group(0)
    response = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    original = storages["private"].open(photo("IMG_1.JPG").original, "rb").read()
    assert b"".join(response.streaming_content) == original
    assert "attachment" in response["Content-Disposition"]
    # Only the file bought: one link, for Léa's photo, not for Hugo's print.
    assert len(delivery.downloads(order)) == 1


def test_download_links_expire_and_cannot_be_altered(
    client, transfer_order, owner, mailoutbox, django_capture_on_commit_callbacks
):
    order = transfer_order
    services.confirm_payment(order.payments.get(), user=owner)
    (link,) = delivery.downloads(order)
    path = link.url.removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    token = path.split("/")[2]
    # Another photo's digest, another line, in the same signed envelope: refused.
    for forged in (token.replace(token[3], "A" if token[3] != "A" else "B", 1), token[:-2] + "xx"):
        assert client.get(reverse("shop:download", args=[forged])).status_code == 410
    with time_machine.travel(dt.timedelta(days=15)):
        assert client.get(path).status_code == 410
    # A fresh link from the order page works again.
    with time_machine.travel(dt.timedelta(days=15)):
        (fresh,) = delivery.downloads(order)
        assert client.get(fresh.url.removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_originals_are_never_reachable_without_a_paid_line(
    client, transfer_order, owner, mailoutbox, django_capture_on_commit_callbacks
):
    order = transfer_order
    assert delivery.downloads(order) == []
    # A link signed for an unpaid order (as if it leaked from a future version) is refused.
    from django.core import signing

    line = order.lines.get(description="Digital file")
    token = signing.TimestampSigner(salt=delivery.DOWNLOAD_SALT).sign_object(
        {"o": order.code, "l": line.pk, "k": photo("IMG_1.JPG").digest}
    )
    assert client.get(reverse("shop:download", args=[token])).status_code == 410
    # Paid, but asking for a photo the line does not deliver (the print's photo): refused.
    services.confirm_payment(order.payments.get(), user=owner)
    print_line = order.lines.get(description="Print 13 × 18")
    token = signing.TimestampSigner(salt=delivery.DOWNLOAD_SALT).sign_object(
        {"o": order.code, "l": print_line.pk, "k": photo("IMG_4.JPG").digest}
    )
    assert client.get(reverse("shop:download", args=[token])).status_code == 404


def test_a_forged_order_link_is_not_found(client, galleries, products, organizer, mailoutbox):
    add(client, galleries[0], photo("IMG_1.JPG"), products["Digital file"])
    checkout(client, organizer)
    order = Order.objects.get()
    assert client.get(reverse("shop:order", args=[order.code])).status_code == 404
    assert client.get(reverse("shop:order", args=[order.code + ":abc"])).status_code == 404


def test_a_double_submitted_checkout_places_one_order(client, galleries, products, organizer):
    add(client, galleries[0], photo("IMG_1.JPG"), products["Digital file"])
    checkout(client, organizer)
    second = checkout(client, organizer)
    assert Order.objects.count() == 1
    assert second.status_code == 302  # back to the (now empty) cart, with a message


def test_the_emails_speak_the_customer_language(
    client, galleries, products, organizer, mailoutbox, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "fr"
    add(client, galleries[0], photo("IMG_1.JPG"), products["Digital file"])
    with django_capture_on_commit_callbacks(execute=True):
        checkout(client, organizer)
    order = Order.objects.get()
    assert order.language == "fr"
    assert mailoutbox[0].subject == f"Votre commande {order.code} chez {organizer.name}"


@pytest.fixture
def card_payments(settings, monkeypatch):
    """Stripe's API answered locally (tests/commerce/test_stripe.py's fake)."""
    import stripe

    from seance.commerce import stripe_checkout
    from tests.commerce import test_stripe as fake

    settings.SEANCE_STRIPE_SECRET_KEY = fake.SECRET_KEY
    settings.SEANCE_STRIPE_WEBHOOK_SECRET = fake.WEBHOOK_SECRET
    api = fake.FakeStripe()
    monkeypatch.setattr(
        stripe_checkout,
        "_client",
        lambda: stripe.StripeClient(fake.SECRET_KEY, http_client=api),
    )
    return api


def post_webhook(client, event):
    from tests.commerce.test_stripe import signed

    body, signature = signed(event)
    return client.post(
        reverse("shop:stripe_webhook"),
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def test_the_card_path_redirects_to_stripe_and_a_signed_webhook_delivers(
    client,
    galleries,
    products,
    organizer,
    mailoutbox,
    django_capture_on_commit_callbacks,
    card_payments,
):
    from tests.commerce.test_stripe import SESSIONS, checkout_session, session_event

    stripe_api = card_payments
    stripe_api.answers[("POST", SESSIONS)] = (200, checkout_session("cs_shop"))
    add(client, galleries[0], photo("IMG_1.JPG"), products["Digital file"])
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(client, organizer, payment_method="stripe")
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_shop"
    order = Order.objects.get()
    (_method, _path, sent) = stripe_api.requests[0]
    assert sent["success_url"] == delivery.order_url(order)
    assert delivery.downloads(order) == []
    paid = session_event(session_id="cs_shop", amount_total=900)
    with django_capture_on_commit_callbacks(execute=True):
        webhook = post_webhook(client, paid)
    assert webhook.status_code == 200
    assert services.is_paid(order)
    assert [m.subject.split(" (")[0] for m in mailoutbox] == [
        f"Your order {order.code} with {organizer.name}",
        f"Payment received for your order {order.code}",
        "Your photos are ready to download",
    ]
    # Replayed: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, paid).status_code == 200
    assert len(mailoutbox) == 3
    assert order.payments.get().amount == Decimal("9.00")


def test_an_expired_card_page_can_be_paid_again(
    client, galleries, products, organizer, card_payments
):
    from tests.commerce.test_stripe import SESSIONS, checkout_session, session_event

    card_payments.answers[("POST", SESSIONS)] = (200, checkout_session("cs_first"))
    add(client, galleries[0], photo("IMG_1.JPG"), products["Digital file"])
    checkout(client, organizer, payment_method="stripe")
    order = Order.objects.get()
    post_webhook(client, session_event("checkout.session.expired", session_id="cs_first"))
    assert order.payments.get().state == PaymentState.FAILED
    token = delivery.order_token(order)
    assert client.get(reverse("shop:order", args=[token])).context["can_pay_online"]
    card_payments.answers[("POST", SESSIONS)] = (200, checkout_session("cs_second"))
    response = client.post(reverse("shop:pay", args=[token]))
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_second"
    renewed = order.payments.get(state=PaymentState.PENDING)
    assert renewed.reference == "cs_second" and renewed.amount == order.total
    post_webhook(client, session_event(session_id="cs_second", amount_total=900))
    assert services.is_paid(order)
    assert not client.get(reverse("shop:order", args=[token])).context["can_pay_online"]


def test_the_discount_is_shown_with_its_deadline_until_it_ends(
    client, galleries, products, organizer, session
):
    from seance.photos import services as photos

    session.discount_kind = "percent"
    session.discount_value = Decimal("10")
    session.discount_until = photos.today_for(organizer) + dt.timedelta(days=3)
    session.save()
    deadline = session.discount_until.strftime("%B")  # the month, as the date is written
    lea = galleries[0]
    gallery = client.get(reverse("shop:open_code", kwargs={"code": lea.access_code.code}))
    assert "−10 % on your order until" in gallery.content.decode()
    assert deadline[:3] in gallery.content.decode()
    add(client, lea, photo("IMG_1.JPG"), products["Digital file"])
    cart = client.get(reverse("shop:cart", kwargs={"organizer": organizer.slug}))
    assert cart.context["view"].priced.total == Decimal("8.10")
    assert f"Discount: {session.name}, until" in cart.content.decode()
    with time_machine.travel(dt.timedelta(days=5)):
        gallery = client.get(reverse("shop:open_code", kwargs={"code": lea.access_code.code}))
        assert "on your order until" not in gallery.content.decode()
        cart = client.get(reverse("shop:cart", kwargs={"organizer": organizer.slug}))
        assert cart.context["view"].priced.total == Decimal("9.00")
