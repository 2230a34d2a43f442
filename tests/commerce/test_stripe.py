"""Stripe Checkout: a session per payment, and signed notifications confirming it once.

Stripe's API is answered by :class:`FakeStripe` (any other call fails the test: no network),
and notifications are signed here exactly as Stripe signs them."""

import hashlib
import hmac
import json
import time
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe
from django.utils import translation
from django.utils.translation import gettext

from seance.commerce import services, stripe_checkout
from seance.commerce.errors import CommerceError
from seance.commerce.models import Payment, PaymentState
from seance.core.models import LogEntry
from seance.photos.models import Photo
from seance.photos.selling import item_for
from tests.concurrency import at_once
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture

SECRET_KEY = "sk_test_seance"
WEBHOOK_SECRET = "whsec_seance_test"
RETURN_URL = "https://shop.test/orders/abc/"
SESSIONS = "/v1/checkout/sessions"
WEBHOOK_URL = "/webhooks/stripe/"  # as configured in Stripe's dashboard


class FakeStripe(stripe.HTTPClient):
    """Stripe's API as far as these tests need it: each (method, path) answers what a test
    set in ``answers``, a (status, body) pair or an exception to raise; the requests are
    kept, their form-encoded bodies decoded."""

    name = "fake"

    def __init__(self):
        super().__init__()
        self.answers: dict[tuple[str, str], tuple[int, dict] | Exception] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        path = urlsplit(url).path
        self.requests.append((method.upper(), path, dict(parse_qsl(post_data or ""))))
        answer = self.answers.get((method.upper(), path))
        if answer is None:
            pytest.fail(f"unexpected Stripe call: {method} {url}")
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return json.dumps(body), status, {}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        pytest.fail(f"unexpected Stripe call: {method} {url}")

    def close(self):
        pass


@pytest.fixture(autouse=True)
def stripe_api(settings, monkeypatch):
    settings.SEANCE_STRIPE_SECRET_KEY = SECRET_KEY
    settings.SEANCE_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripe()
    monkeypatch.setattr(
        stripe_checkout,
        "_client",
        lambda: stripe.StripeClient(SECRET_KEY, http_client=fake, max_network_retries=0),
    )
    return fake


def checkout_session(session_id="cs_test_1", **fields):
    return {
        "id": session_id,
        "object": "checkout.session",
        "status": "open",
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        **fields,
    }


@pytest.fixture
def order(organizer, galleries, profile):
    """An order of 21.00 EUR to be paid by card."""
    lea, hugo = galleries
    cart = services.cart_for(organizer, None)
    for gallery, name, quantity, product in [
        (lea, "IMG_1.JPG", 2, "Print 13 × 18"),
        (hugo, "IMG_4.JPG", 1, "Digital file"),
    ]:
        services.add_to_cart(
            cart,
            kind="photo",
            quantity=quantity,
            item=item_for(
                gallery.access_code.code,
                Photo.objects.get(original_name=name),
                profile.products.get(name=product),
            ),
        )
    return services.place_order(
        cart, email="parent@example.fr", name="Anne Martin", language="fr", payment_method="stripe"
    )


@pytest.fixture
def payment(order, stripe_api):
    """The order's payment, started: its Checkout Session is cs_test_1."""
    stripe_api.answers[("POST", SESSIONS)] = (200, checkout_session())
    payment = order.payments.get()
    stripe_checkout.stripe_checkout.start(payment, return_url=RETURN_URL)
    return payment


def signed(event: dict, *, secret: str = WEBHOOK_SECRET, at: int | None = None):
    """The body and the Stripe-Signature header Stripe would send: ``t=<time>,v1=<HMAC-SHA256
    of "<time>.<body>" with the endpoint's secret>``."""
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return body, f"t={timestamp},v1={mac.hexdigest()}"


def session_event(kind="checkout.session.completed", session_id="cs_test_1", **session):
    fields = {"amount_total": 2100, "currency": "eur", "payment_status": "paid", **session}
    return {
        "id": f"evt_{kind}_{session_id}",
        "object": "event",
        "type": kind,
        "livemode": False,
        "data": {"object": checkout_session(session_id, **fields)},
    }


def post(client, event=None, *, body=None, header=None, **sign):
    if event is not None:
        body, signature = signed(event, **sign)
        header = signature if header is None else header
    extra = {} if header is None else {"HTTP_STRIPE_SIGNATURE": header}
    return client.post(WEBHOOK_URL, data=body, content_type="application/json", **extra)


def confirmations(order):
    return LogEntry.objects.filter(
        object_id=order.pk, action="seance.order.payment_confirmed"
    ).count()


# --- starting a payment --------------------------------------------------------------------


def test_start_opens_a_session_for_the_amount_in_cents(order, stripe_api):
    stripe_api.answers[("POST", SESSIONS)] = (200, checkout_session())
    payment = order.payments.get()
    url = stripe_checkout.stripe_checkout.start(payment, return_url=RETURN_URL)
    assert url == "https://checkout.stripe.com/c/pay/cs_test_1"
    with translation.override(order.language):  # the customer reads it on Stripe's page
        order_name = gettext("Order %(code)s") % {"code": order.code}
    [(method, path, sent)] = stripe_api.requests
    assert (method, path) == ("POST", SESSIONS)
    assert sent == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "2100",
        "line_items[0][price_data][product_data][name]": order_name,
        "client_reference_id": order.code,
        "customer_email": "parent@example.fr",
        "metadata[payment]": str(payment.pk),
        "metadata[order]": order.code,
        "success_url": RETURN_URL,
        "cancel_url": RETURN_URL,
    }
    payment.refresh_from_db()
    assert payment.reference == "cs_test_1" and payment.state == PaymentState.PENDING


@pytest.mark.parametrize(
    "failure",
    [
        (402, {"error": {"type": "invalid_request_error", "message": "No such thing"}}),
        (500, {"error": {"type": "api_error", "message": "Down"}}),
        stripe.APIConnectionError("Network unreachable"),
    ],
    ids=["refused", "server error", "no network"],
)
def test_an_api_failure_leaves_the_payment_pending_without_reference(order, stripe_api, failure):
    stripe_api.answers[("POST", SESSIONS)] = failure
    payment = order.payments.get()
    with pytest.raises(CommerceError, match="Card payment is not available right now"):
        stripe_checkout.stripe_checkout.start(payment, return_url=RETURN_URL)
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and payment.reference == ""


def test_starting_again_returns_to_the_open_session(payment, stripe_api):
    stripe_api.answers[("GET", f"{SESSIONS}/cs_test_1")] = (200, checkout_session())
    stripe_api.requests.clear()
    url = stripe_checkout.stripe_checkout.start(payment, return_url=RETURN_URL)
    assert url == "https://checkout.stripe.com/c/pay/cs_test_1"
    assert [(m, p) for m, p, _sent in stripe_api.requests] == [("GET", f"{SESSIONS}/cs_test_1")]


@pytest.mark.parametrize("status", ["complete", "expired"])
def test_a_session_no_longer_open_is_not_reused_nor_replaced(payment, stripe_api, status):
    stripe_api.answers[("GET", f"{SESSIONS}/cs_test_1")] = (200, checkout_session(status=status))
    stripe_api.requests.clear()
    with pytest.raises(CommerceError):
        stripe_checkout.stripe_checkout.start(payment, return_url=RETURN_URL)
    assert [(m, p) for m, p, _sent in stripe_api.requests] == [("GET", f"{SESSIONS}/cs_test_1")]
    assert Payment.objects.get(pk=payment.pk).reference == "cs_test_1"


def test_a_payment_started_meanwhile_keeps_its_session_and_the_new_one_expires(order, stripe_api):
    """A double click: the second request's session is expired, both go to the first."""
    stripe_api.answers[("POST", SESSIONS)] = (200, checkout_session("cs_test_2"))
    stripe_api.answers[("POST", f"{SESSIONS}/cs_test_2/expire")] = (200, checkout_session())
    stripe_api.answers[("GET", f"{SESSIONS}/cs_test_1")] = (200, checkout_session())
    stale = order.payments.get()
    Payment.objects.filter(pk=stale.pk).update(reference="cs_test_1")  # the first click's
    url = stripe_checkout.stripe_checkout.start(stale, return_url=RETURN_URL)
    assert url == "https://checkout.stripe.com/c/pay/cs_test_1"
    assert ("POST", f"{SESSIONS}/cs_test_2/expire", {}) in stripe_api.requests
    assert Payment.objects.get(pk=stale.pk).reference == "cs_test_1"


def test_a_confirmed_payment_is_not_started_again(payment, stripe_api, owner):
    services.confirm_payment(payment, user=owner)
    stripe_api.requests.clear()
    with pytest.raises(CommerceError):
        stripe_checkout.stripe_checkout.start(payment, return_url=RETURN_URL)
    assert stripe_api.requests == []


def test_card_payment_is_offered_only_with_both_secrets(organizer, settings):
    assert stripe_checkout.stripe_checkout.available(organizer)
    settings.SEANCE_STRIPE_WEBHOOK_SECRET = ""  # paid, but never confirmed: not offered
    assert not stripe_checkout.stripe_checkout.available(organizer)
    settings.SEANCE_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SEANCE_STRIPE_SECRET_KEY = ""
    assert not stripe_checkout.stripe_checkout.available(organizer)


# --- notifications -------------------------------------------------------------------------


def test_a_paid_session_confirms_the_payment_and_the_order_is_paid(client, payment):
    order = payment.order
    assert not services.is_paid(order)
    response = post(client, session_event())
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.CONFIRMED and payment.amount == Decimal("21.00")
    assert services.is_paid(order)
    assert confirmations(order) == 1


def test_a_delayed_payment_succeeding_confirms_it(client, payment):
    assert (
        post(client, session_event("checkout.session.async_payment_succeeded")).status_code == 200
    )
    assert services.is_paid(payment.order)


def test_a_replayed_notification_changes_nothing(client, payment):
    event = session_event()
    post(client, event)
    response = post(client, event)
    assert response.status_code == 200
    assert list(payment.order.payments.values_list("state", "amount")) == [
        (PaymentState.CONFIRMED, Decimal("21.00"))
    ]
    assert confirmations(payment.order) == 1


def test_the_same_notification_handled_twice_confirms_once(payment):
    body, header = signed(session_event())
    stripe_checkout.handle_webhook(body, header)
    assert "already" in stripe_checkout.handle_webhook(body, header)
    assert services.amount_paid(payment.order) == Decimal("21.00")
    assert confirmations(payment.order) == 1


def forged(event):
    return {"header": signed(event, secret="whsec_someone_else")[1]}


def stale(event):
    return {"header": signed(event, at=int(time.time()) - 301)[1]}


def tampered(event):
    body, header = signed(event)
    return {"body": body.replace(b"2100", b"9900"), "header": header}


@pytest.mark.parametrize(
    "refusal",
    [
        forged,
        stale,
        tampered,
        lambda event: {"header": None},
        lambda event: {"header": "t=abc,v0=nothing"},
    ],
    ids=["wrong secret", "stale", "tampered body", "no header", "garbled header"],
)
def test_an_unverified_notification_is_refused_and_changes_nothing(client, payment, refusal):
    event = session_event()
    body, _header = signed(event)
    request = {"body": body, **refusal(event)}
    response = post(client, body=request["body"], header=request["header"])
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert not services.is_paid(payment.order)


def test_a_signed_body_that_is_not_json_is_refused(client, payment):
    timestamp = int(time.time())
    body = b"not json"
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    response = post(client, body=body, header=f"t={timestamp},v1={mac.hexdigest()}")
    assert response.status_code == 400


def test_notifications_are_refused_while_no_webhook_secret_is_set(client, payment, settings):
    event = session_event()
    settings.SEANCE_STRIPE_WEBHOOK_SECRET = ""
    assert post(client, event, secret="").status_code == 400  # signed with that empty secret
    assert not services.is_paid(payment.order)


def test_an_oversized_body_is_refused(client, payment):
    response = post(client, body=b"{" + b" " * 300_000 + b"}", header="t=1,v1=x")
    assert response.status_code == 413


def test_only_post_is_accepted(client):
    assert client.get(WEBHOOK_URL).status_code == 405


def test_a_session_nobody_knows_is_acknowledged_and_ignored(client, payment):
    response = post(client, session_event(session_id="cs_test_elsewhere"))
    assert response.status_code == 200
    assert b"unknown session" in response.content
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_a_completed_but_unpaid_session_changes_nothing(client, payment):
    """A delayed method (a bank debit): the outcome comes in a later notification."""
    assert post(client, session_event(payment_status="unpaid")).status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


@pytest.mark.parametrize(
    "kind", ["checkout.session.expired", "checkout.session.async_payment_failed"]
)
def test_an_expired_or_failed_session_fails_the_payment(client, payment, kind):
    response = post(client, session_event(kind, payment_status="unpaid"))
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED
    entry = LogEntry.objects.get(object_id=payment.order.pk, action="seance.order.payment_failed")
    assert entry.data == {"method": "stripe", "reference": "cs_test_1", "event": kind}


def test_an_expiry_after_confirmation_changes_nothing(client, payment):
    post(client, session_event())
    post(client, session_event("checkout.session.expired", payment_status="unpaid"))
    payment.refresh_from_db()
    assert payment.state == PaymentState.CONFIRMED
    assert not LogEntry.objects.filter(action="seance.order.payment_failed").exists()


def test_other_events_are_acknowledged_and_ignored(client, payment):
    event = {"id": "evt_1", "object": "event", "type": "charge.refunded", "data": {"object": {}}}
    response = post(client, event)
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_a_different_amount_is_confirmed_as_received(client, payment):
    """The order then shows partly paid, for staff to see, rather than paid in full."""
    post(client, session_event(amount_total=1050))
    payment.refresh_from_db()
    assert payment.state == PaymentState.CONFIRMED and payment.amount == Decimal("10.50")
    assert services.amount_paid(payment.order) == Decimal("10.50")
    assert not services.is_paid(payment.order)


def test_another_currency_leaves_the_payment_pending(client, payment):
    assert post(client, session_event(currency="usd")).status_code == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


@pytest.mark.django_db(transaction=True)
def test_the_same_notification_delivered_twice_at_once_confirms_once(payment):
    body, header = signed(session_event())

    def deliver():
        return stripe_checkout.handle_webhook(body, header)

    outcomes = at_once(deliver, deliver).results
    assert sum("confirmed:" in outcome for outcome in outcomes) == 1
    assert services.amount_paid(payment.order) == Decimal("21.00")
    assert confirmations(payment.order) == 1


# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "cents"),
    [("21.00", 2100), ("0.01", 1), ("19.99", 1999), ("1234567890.10", 123456789010)],
)
def test_amounts_convert_to_cents_and_back_exactly(amount, cents):
    assert stripe_checkout.to_minor_units(Decimal(amount)) == cents
    assert stripe_checkout.from_minor_units(cents) == Decimal(amount)


def test_an_amount_finer_than_cents_is_a_bug():
    with pytest.raises(ValueError):
        stripe_checkout.to_minor_units(Decimal("1.005"))
