"""Stripe Checkout: the customer pays by card on Stripe's page; a signed notification from
Stripe (a webhook) confirms the payment.

Only the webhook confirms: the customer coming back to ``return_url`` proves nothing, since
anyone can open that address. A Checkout Session is tied to its payment by the session id,
stored as the payment's reference (unique per provider), so a notification finds exactly
one payment, and a replayed one finds it already confirmed and changes nothing.
"""

import json
import logging
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seance.commerce import providers
from seance.commerce.errors import CommerceError
from seance.commerce.models import Payment, PaymentState
from seance.commerce.services import confirm_payment
from seance.core.audit import log_action

logger = logging.getLogger(__name__)

NAME = "stripe"

# Every currency an organizer may choose (core.models.CURRENCIES) has cents; Stripe counts
# amounts in them. A currency without minor units would need its own exponent here.
MINOR_UNIT_DIGITS = 2

PAID_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
FAILED_EVENTS = {"checkout.session.async_payment_failed", "checkout.session.expired"}


class WebhookRefused(Exception):
    """A notification that cannot be trusted or read (bad, missing or stale signature; not
    JSON): nothing was changed, and the sender is told so."""


def _client() -> stripe.StripeClient:
    """The Stripe API client, built from the settings at each call.

    A customer is waiting on the other end, so a request gives up after 15 seconds and is
    retried once (the SDK sends an idempotency key, so a retry never makes a second
    session). Tests replace this function with one whose client answers without network.
    """
    return stripe.StripeClient(
        settings.SEANCE_STRIPE_SECRET_KEY,
        http_client=stripe.RequestsClient(timeout=(5, 15)),
        max_network_retries=1,
    )


def to_minor_units(amount: Decimal) -> int:
    """``Decimal("21.50")`` → ``2150``, exactly; an amount with finer precision than the
    currency's is a bug, not something to round."""
    minor = amount.scaleb(MINOR_UNIT_DIGITS)
    if minor != minor.to_integral_value():
        raise ValueError(f"{amount} has more than {MINOR_UNIT_DIGITS} decimals")
    return int(minor)


def from_minor_units(value: int) -> Decimal:
    """``2150`` → ``Decimal("21.50")``, exactly."""
    return Decimal(value).scaleb(-MINOR_UNIT_DIGITS)


def _unavailable() -> CommerceError:
    return CommerceError(
        _("Card payment is not available right now; try again or choose another method.")
    )


class StripeCheckout:
    """Card payments through a Stripe Checkout Session, confirmed by :func:`handle_webhook`."""

    name = NAME
    label = gettext_lazy("Card (Stripe)")

    def available(self, organizer) -> bool:
        # Without the webhook's secret nothing paid would ever be confirmed: not offered.
        return bool(settings.SEANCE_STRIPE_SECRET_KEY and settings.SEANCE_STRIPE_WEBHOOK_SECRET)

    def start(self, payment: Payment, *, return_url: str) -> str | None:
        """Open a Checkout Session for ``payment`` and return Stripe's page to send the
        customer to.

        A payment has at most one session: its id becomes the payment's reference by a
        conditional update (pending, no reference yet). Starting a payment that already has
        one (the customer came back from Stripe's page and tries again) sends them to that
        same session while it is open. When two requests race (a double click), the loser
        expires the session it made, so no money can be paid into a session that no
        payment knows. On any API failure the payment stays pending without reference.
        """
        if payment.state != PaymentState.PENDING:
            raise CommerceError(_("This payment is no longer waiting to be paid."))
        client = _client()
        if payment.reference:
            return _open_session_url(client, payment)
        try:
            session = client.v1.checkout.sessions.create(
                params=_session_params(payment, return_url)
            )
        except stripe.StripeError as e:
            logger.warning("Stripe Checkout unavailable for payment %s: %s", payment.pk, e)
            raise _unavailable() from e
        claimed = Payment.objects.filter(
            pk=payment.pk, state=PaymentState.PENDING, reference=""
        ).update(reference=session.id)
        if not claimed:
            _expire(client, session.id)
            payment.refresh_from_db()
            if payment.state != PaymentState.PENDING or not payment.reference:
                raise CommerceError(_("This payment is no longer waiting to be paid."))
            return _open_session_url(client, payment)
        payment.reference = session.id
        return session.url


def _session_params(payment: Payment, return_url: str) -> dict[str, Any]:
    order = payment.order
    with translation.override(order.language):  # Stripe's page shows it to the customer
        description = _("Order %(code)s") % {"code": order.code}
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": order.organizer.currency.lower(),
                    "unit_amount": to_minor_units(payment.amount),
                    "product_data": {"name": description},
                },
            }
        ],
        "client_reference_id": order.code,
        "customer_email": order.email,
        "metadata": {"payment": str(payment.pk), "order": order.code},
        "success_url": return_url,
        "cancel_url": return_url,
    }


def _open_session_url(client: stripe.StripeClient, payment: Payment) -> str:
    """The page of the payment's session, if the customer can still pay there."""
    try:
        session = client.v1.checkout.sessions.retrieve(payment.reference)
    except stripe.StripeError as e:
        logger.warning("Stripe session %s of payment %s: %s", payment.reference, payment.pk, e)
        raise _unavailable() from e
    if session.status == "open":
        return session.url
    if session.status == "complete":  # paid; the webhook has not arrived yet
        raise CommerceError(
            _("Your card payment went through; your order will show it as paid shortly.")
        )
    raise CommerceError(_("This payment is no longer waiting to be paid."))


def _expire(client: stripe.StripeClient, session_id: str) -> None:
    try:
        client.v1.checkout.sessions.expire(session_id)
    except stripe.StripeError:
        # Still open for up to a day: money paid there would match no payment.
        logger.exception("Could not expire the orphan Stripe session %s", session_id)


stripe_checkout = providers.register(StripeCheckout())


# --- notifications -------------------------------------------------------------------------


def handle_webhook(payload: bytes, signature_header: str) -> str:
    """Act on one notification from Stripe, once; a short account of what was done.

    The signature (HMAC of the timestamp and the body with the endpoint's secret, at most 5
    minutes old) is checked before anything is read: anything else raises
    :class:`WebhookRefused`. Then:

    - a paid session (``checkout.session.completed`` or, for delayed methods,
      ``checkout.session.async_payment_succeeded``) confirms its payment with the amount
      Stripe actually collected. That should be the payment's amount; if it differs, it is
      logged and the amount received is confirmed anyway, so the order shows partly paid
      (or overpaid) and staff see the difference rather than an order marked paid in full.
      A session in another currency than the organizer's is logged and left pending: its
      amount cannot be counted.
    - a session that expired or whose delayed payment failed marks a pending payment failed.
    - a replay, a payment no longer pending, an unknown session and any other event change
      nothing; they are answered normally so that Stripe stops sending them.
    """
    event = _verified_event(payload, signature_header)
    kind = event.get("type")
    if kind not in PAID_EVENTS | FAILED_EVENTS:
        return f"ignored: event {kind}"
    session = (event.get("data") or {}).get("object") or {}
    session_id = session.get("id")
    payment = (
        Payment.objects.select_related("order__organizer")
        .filter(provider=NAME, reference=session_id)
        .first()
        if session_id
        else None
    )
    if payment is None:
        return f"ignored: unknown session {session_id}"
    if kind in PAID_EVENTS:
        return _paid(payment, session)
    return _failed(payment, kind)


def _verified_event(payload: bytes, signature_header: str) -> dict[str, Any]:
    try:
        stripe.WebhookSignature.verify_header(
            payload,
            signature_header,
            settings.SEANCE_STRIPE_WEBHOOK_SECRET,
            tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as e:  # ValueError: not JSON/UTF-8
        raise WebhookRefused(str(e)) from e
    if not isinstance(event, dict):
        raise WebhookRefused("not an event")
    return event


def _paid(payment: Payment, session: dict[str, Any]) -> str:
    if session.get("payment_status") != "paid":  # a delayed method: wait for its outcome
        return f"payment {payment.pk}: session not paid yet"
    if payment.state != PaymentState.PENDING:
        if payment.state == PaymentState.FAILED:
            logger.error("Stripe collected money for failed payment %s", payment.pk)
        return f"payment {payment.pk} already {payment.state}"
    currency = str(session.get("currency") or "").upper()
    expected_currency = payment.order.organizer.currency
    if currency != expected_currency:
        logger.error(
            "Stripe session %s of payment %s paid in %s, not %s: left pending for staff",
            session["id"],
            payment.pk,
            currency,
            expected_currency,
        )
        return f"payment {payment.pk}: currency {currency} is not {expected_currency}"
    received = from_minor_units(int(session.get("amount_total") or 0))
    if received != payment.amount:
        logger.warning(
            "Stripe session %s of payment %s collected %s instead of %s",
            session["id"],
            payment.pk,
            received,
            payment.amount,
        )
    try:
        confirm_payment(payment, user=None, amount=received)
    except CommerceError:  # confirmed meanwhile by a concurrent delivery, or nothing received
        return f"payment {payment.pk}: nothing to confirm"
    return f"payment {payment.pk} confirmed: {received} {currency}"


@transaction.atomic
def _failed(payment: Payment, kind: str) -> str:
    updated = Payment.objects.filter(pk=payment.pk, state=PaymentState.PENDING).update(
        state=PaymentState.FAILED
    )
    if not updated:
        payment.refresh_from_db(fields=["state"])
        return f"payment {payment.pk} already {payment.state}"
    log_action(
        payment.order,
        "seance.order.payment_failed",
        user=None,
        data={"method": NAME, "reference": payment.reference, "event": kind},
    )
    return f"payment {payment.pk} failed: {kind}"
