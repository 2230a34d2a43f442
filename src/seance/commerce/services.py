"""Cart writes and the cart's totals (Q6, P8, X3)."""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from seance.commerce import kinds, pricing, providers
from seance.commerce.errors import CommerceError
from seance.commerce.models import (
    CANCEL_REASON_MAX_LENGTH,
    NEXT_STATUSES,
    ORDER_CODE_LENGTH,
    Cart,
    CartLine,
    LabExport,
    LabExportOrder,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentState,
)
from seance.comms.services import queue_email
from seance.core.audit import entries_for, log_action
from seance.core.codes import random_code
from seance.core.models import Organizer

MAX_QUANTITY = 99


def cart_for(organizer: Organizer, token: str | None) -> Cart:
    """Q6: the customer's cart with this organizer (the token comes from their browser
    session); a new one when there is none. One cart serves every gallery they open."""
    if token:
        cart = Cart.objects.filter(organizer=organizer, token=token).first()
        if cart is not None:
            return cart
    return Cart.objects.create(organizer=organizer, token=secrets.token_urlsafe(32))


@transaction.atomic
def add_to_cart(cart: Cart, *, kind: str, item: str, quantity: int = 1) -> CartLine:
    """Add ``quantity`` of ``item``; the kind must sell it to this cart's organizer now.

    Adding what is already in the cart adds to its quantity (a double click adds twice, as
    the customer sees on the line, and never makes a second line)."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise CommerceError(_("Choose a quantity from 1 to %(n)s.") % {"n": MAX_QUANTITY})
    kinds.get(kind).offer(cart.organizer, item)  # refuses what is not for sale here
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())  # in use: kept
    line = CartLine.objects.filter(cart=cart, kind=kind, item=item).first()
    if line is None:
        try:
            with transaction.atomic():
                return CartLine.objects.create(cart=cart, kind=kind, item=item, quantity=quantity)
        except IntegrityError:  # the same line, added meanwhile by another tab
            line = CartLine.objects.get(cart=cart, kind=kind, item=item)
    if line.quantity + quantity > MAX_QUANTITY:
        raise CommerceError(_("Choose a quantity from 1 to %(n)s.") % {"n": MAX_QUANTITY})
    CartLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + quantity)
    line.refresh_from_db()
    return line


def remove_from_cart(cart: Cart, line_id: int) -> None:
    CartLine.objects.filter(cart=cart, pk=line_id).delete()


def set_quantity(cart: Cart, line_id: int, quantity: int) -> None:
    """The cart page's quantity field; 0 removes the line. Only this cart's lines."""
    if quantity == 0:
        remove_from_cart(cart, line_id)
        return
    if not 1 <= quantity <= MAX_QUANTITY:
        raise CommerceError(_("Choose a quantity from 1 to %(n)s.") % {"n": MAX_QUANTITY})
    CartLine.objects.filter(cart=cart, pk=line_id).update(quantity=quantity)


@dataclass(frozen=True)
class CartView:
    lines: list[tuple[CartLine, kinds.Offer, pricing.PricedLine]]
    priced: pricing.Priced
    dropped: list[CartLine]  # lines no longer for sale (session archived, product removed)

    @property
    def count(self) -> int:
        """What the cart badge says: the number of items."""
        return sum(line.quantity for line, _offer, _priced in self.lines)

    @property
    def needs_delivery(self) -> bool:
        """Whether something in the cart is to be posted (or collected, where allowed)."""
        return any(offer.needs_delivery for _line, offer, _priced in self.lines)


def cart_view(cart: Cart) -> CartView:
    """The cart priced now: each line from its kind, totals from the one pricing function."""
    offered, dropped = [], []
    for line in cart.lines.all():
        try:
            offered.append((line, kinds.get(line.kind).offer(cart.organizer, line.item)))
        except CommerceError:
            dropped.append(line)
    discounts = {o.group: o.discount for _line, o in offered if o.discount is not None}
    priced = pricing.price(
        [
            pricing.Line(str(line.pk), offer.unit_price, line.quantity, offer.group)
            for line, offer in offered
        ],
        list(discounts.values()),
    )
    by_key = {p.key: p for p in priced.lines}
    return CartView(
        lines=[(line, offer, by_key[str(line.pk)]) for line, offer in offered],
        priced=priced,
        dropped=dropped,
    )


# --- orders and payments (O1, X3) ---------------------------------------------------------


def amount_paid(order: Order) -> Decimal:
    """What confirmed payments add up to (X3: derived, never a stored flag)."""
    total = order.payments.filter(state=PaymentState.CONFIRMED).aggregate(s=Sum("amount"))["s"]
    return total or pricing.ZERO


def is_paid(order: Order) -> bool:
    return amount_paid(order) >= order.total


@transaction.atomic
def place_order(
    cart: Cart,
    *,
    email: str,
    name: str,
    phone: str = "",
    language: str = "en",
    payment_method: str = "bank_transfer",
    delivery_address: str = "",
    pickup: bool = False,
) -> Order:
    """O1: the cart becomes an order with its prices frozen, and the cart is emptied.

    The totals are the pricing function's, line by line; a line no longer for sale is left
    out (and stays in no order). A bank transfer leaves a pending payment of the total,
    which staff confirm when the money arrives."""
    provider = providers.get(payment_method)
    if not provider.available(cart.organizer):
        raise CommerceError(_("Choose a payment method."))
    cart = Cart.objects.select_for_update().get(pk=cart.pk)  # one checkout per cart at a time
    view = cart_view(cart)
    if not view.lines:
        raise CommerceError(_("The cart is empty."))
    for _attempt in range(5):
        code = random_code(ORDER_CODE_LENGTH)
        if not Order.objects.filter(code=code).exists():
            break
    order = Order.objects.create(
        organizer=cart.organizer,
        code=code,
        email=email.strip().lower(),
        name=name.strip(),
        phone=phone.strip(),
        language=language,
        delivery_address=delivery_address.strip(),
        pickup=pickup,
        subtotal=view.priced.subtotal,
        discount=view.priced.discount,
        total=view.priced.total,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            kind=line.kind,
            item=line.item,
            description=offer.description,
            source=offer.source,
            group=offer.group,
            category=offer.category,
            needs_delivery=offer.needs_delivery,
            delivers_files=offer.delivers_files,
            quantity=line.quantity,
            unit_price=offer.unit_price,
            subtotal=priced.subtotal,
            discount=priced.discount,
            total=priced.total,
        )
        for line, offer, priced in view.lines
    )
    if order.total > 0:
        Payment.objects.create(order=order, provider=payment_method, amount=order.total)
    cart.lines.all().delete()
    log_action(order, "seance.order.placed", user=None, data={"total": str(order.total)})
    _tiles_changed(order.organizer_id)
    _email(order, "order_placed", provider=provider if order.total > 0 else None)
    if order.total == 0:
        _now_paid(order)
    return order


def start_payment(order: Order, *, return_url: str) -> str | None:
    """Hand the order's pending payment to its provider, after the order is committed (a
    provider may call a remote service): the address to send the customer to, or None.

    When the last attempt failed (a card payment page left to expire), a new pending
    payment of what is still due is opened with the same provider, so the customer can pay."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        payment = order.payments.filter(state=PaymentState.PENDING).first()
        if payment is None and order.status == OrderStatus.PLACED:
            failed = order.payments.filter(state=PaymentState.FAILED).last()
            rest = due(order)
            if failed is not None and rest > 0:
                payment = Payment.objects.create(order=order, provider=failed.provider, amount=rest)
    if payment is None:
        return None
    return providers.get(payment.provider).start(payment, return_url=return_url)


def _email(order: Order, template: str, *, key_suffix: str = "", **context) -> None:
    """Queue one of the order's emails (O6) in the customer's language, sent after commit,
    at most once per order and kind (and per ``key_suffix``, for an email sent again)."""
    from seance.commerce import delivery

    queue_email(
        key=f"order:{order.code}:{template}{key_suffix}",
        to=order.email,
        template=f"commerce/email/{template}",
        context={
            "order": order,
            "organizer": order.organizer,
            "lines": list(order.lines.all()),
            "order_url": delivery.order_url(order),
            **context,
        },
        language=order.language,
        organizer=order.organizer,
    )


def _now_paid(order: Order) -> None:
    """Once an order is fully paid: say so, and send the files it delivers."""
    from seance.commerce import delivery

    if order.total > 0:
        _email(order, "payment_received", paid=amount_paid(order))
    files = delivery.downloads(order)
    if files:
        _email(
            order,
            "files_ready",
            downloads=files,
            days=delivery.download_lifetime().days,
        )


@transaction.atomic
def confirm_payment(payment: Payment, *, user, amount: Decimal | None = None) -> Payment:
    """O4: staff saw the money arrive. ``amount`` may differ from what was expected: a
    partial transfer leaves the order partly paid, with the rest expected as a new pending
    payment. A payment is confirmed once: a second
    click, or two staff at once, change nothing the second time."""
    expected = payment.amount
    amount = expected if amount is None else amount.quantize(pricing.CENT)
    if amount <= 0:
        raise CommerceError(_("An amount above zero, please."))
    updated = Payment.objects.filter(pk=payment.pk, state=PaymentState.PENDING).update(
        state=PaymentState.CONFIRMED, amount=amount, confirmed_at=timezone.now()
    )
    if not updated:
        raise CommerceError(_("This payment is not waiting for confirmation."))
    payment.refresh_from_db()
    _tiles_changed(payment.order.organizer_id)
    due = payment.order.total - amount_paid(payment.order)
    if amount < expected and due > 0:
        # A partial transfer: the rest stays expected, to be confirmed when it arrives.
        Payment.objects.create(
            order=payment.order, provider=payment.provider, amount=min(due, expected - amount)
        )
    log_action(
        payment.order,
        "seance.order.payment_confirmed",
        user=user,
        data={"amount": str(amount), "method": payment.provider},
    )
    if is_paid(payment.order):
        _now_paid(payment.order)
    return payment


# --- the orders panel (O4, O6, O7) ---------------------------------------------------------


def _tiles_changed(organizer_id: int) -> None:
    """The orders panel's tile counts are stale once this transaction commits."""
    from seance.commerce.queries import forget_todo_counts

    transaction.on_commit(lambda: forget_todo_counts(organizer_id))


def due(order: Order) -> Decimal:
    """What is still to be paid (never negative)."""
    return max(order.total - amount_paid(order), pricing.ZERO)


@transaction.atomic
def record_payment(
    order: Order, *, user, amount: Decimal, expected_due: Decimal, provider: str = ""
) -> Payment:
    """O4 (bulk confirm): ``amount`` arrived for ``order``. Confirms its pending payment when
    there is one, else records a confirmed payment (of the last method used).

    ``expected_due`` is what staff saw due when they confirmed: if the order changed
    meanwhile (a colleague, a double submit, a card payment), nothing is recorded, so money
    is never counted twice."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        raise CommerceError(_("This order is cancelled."))
    if due(order) != expected_due or expected_due <= 0:
        raise CommerceError(_("This order changed meanwhile: check it again."))
    amount = amount.quantize(pricing.CENT)
    if amount <= 0:
        raise CommerceError(_("An amount above zero, please."))
    pending = order.payments.filter(state=PaymentState.PENDING).first()
    if pending is not None:
        return confirm_payment(pending, user=user, amount=amount)
    last = order.payments.order_by("-created_at", "-id").first()
    payment = Payment.objects.create(
        order=order,
        provider=provider or (last.provider if last else providers.bank_transfer.name),
        amount=amount,
    )
    return confirm_payment(payment, user=user, amount=amount)


@transaction.atomic
def change_status(order: Order, status: str, *, user, reason: str = "") -> Order:
    """O4: move an order along (NEXT_STATUSES). Cancelling needs a reason, and the payments
    still awaited are no longer expected."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if status not in OrderStatus.values:
        raise CommerceError(_("Choose a status."))
    if status not in NEXT_STATUSES.get(order.status, ()):
        raise CommerceError(
            _("An order that is “%(now)s” cannot become “%(next)s”.")
            % {"now": order.get_status_display(), "next": OrderStatus(status).label}
        )
    reason = reason.strip()
    if status == OrderStatus.CANCELLED:
        if not reason:
            raise CommerceError(_("Say why the order is cancelled."))
        if len(reason) > CANCEL_REASON_MAX_LENGTH:
            raise CommerceError(
                _("Keep the reason under %(n)s characters.") % {"n": CANCEL_REASON_MAX_LENGTH}
            )
        order.payments.filter(state=PaymentState.PENDING).update(state=PaymentState.FAILED)
    before = order.status
    order.status = status
    if status == OrderStatus.CANCELLED:
        order.cancel_reason = reason
    order.save(update_fields=["status", "cancel_reason"])
    _tiles_changed(order.organizer_id)
    log_action(
        order,
        "seance.order.status_changed",
        user=user,
        data={"status": [before, status], **({"reason": reason} if reason else {})},
    )
    return order


def lab_ready(order: Order) -> bool:
    """Whether an order may go to the lab: paid, not cancelled, with something to print."""
    return (
        order.status != OrderStatus.CANCELLED
        and is_paid(order)
        and order.lines.filter(needs_delivery=True).exists()
    )


@transaction.atomic
def record_lab_export(organizer: Organizer, orders: list[Order], *, user) -> LabExport:
    """Issue 6: these orders were handed to the lab in one export. New orders move to "at
    the lab"; an order exported before is recorded again, marked as such."""
    Organizer.objects.select_for_update().get(pk=organizer.pk)  # one number at a time
    last = LabExport.objects.filter(organizer=organizer).aggregate(n=Max("number"))["n"]
    export = LabExport.objects.create(organizer=organizer, number=(last or 0) + 1, created_by=user)
    _tiles_changed(organizer.pk)
    for order in orders:
        if order.organizer_id != organizer.pk or not lab_ready(order):
            raise CommerceError(_("Order %(code)s cannot go to the lab.") % {"code": order.code})
        again = LabExportOrder.objects.filter(order=order).exists()
        LabExportOrder.objects.create(export=export, order=order, again=again)
        log_action(
            order,
            "seance.order.sent_to_lab",
            user=user,
            data={"export": export.number, **({"again": True} if again else {})},
        )
        if order.status == OrderStatus.PLACED:
            Order.objects.filter(pk=order.pk).update(status=OrderStatus.IN_PRODUCTION)
    return export


RESENDABLE = ("order_placed", "files_ready")


@transaction.atomic
def resend_email(order: Order, which: str, *, user) -> None:
    """O7: send the confirmation or the download email again (a customer lost it). Each
    request sends one email, however often the button is clicked in one go."""
    from seance.commerce import delivery

    if which not in RESENDABLE:
        raise CommerceError(_("Unknown email."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        raise CommerceError(_("This order is cancelled."))
    files = delivery.downloads(order) if which == "files_ready" else []
    if which == "files_ready" and not files:
        raise CommerceError(_("This order has no files to download (yet)."))
    count = entries_for(order).filter(action="seance.order.email_resent", data__email=which).count()
    context = (
        {"downloads": files, "days": delivery.download_lifetime().days}
        if files
        else {"provider": _pending_provider(order)}
    )
    _email(order, which, key_suffix=f":again:{count + 1}", **context)
    log_action(order, "seance.order.email_resent", user=user, data={"email": which})


def _pending_provider(order: Order):
    pending = order.payments.filter(state=PaymentState.PENDING).first()
    return providers.get(pending.provider) if pending else None
