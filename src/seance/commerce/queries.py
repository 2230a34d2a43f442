"""Reusable, tenant-scoped reads of orders and payments (the orders panel, exports, reports).

Every order row carries ``paid`` (its confirmed payments), ``to_confirm`` (pending bank
transfers) and ``payment_state`` computed by correlated subqueries, so filters on lines or
payments never multiply rows and a page costs the same whatever the number of orders.
"""

from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr

from seance.commerce import providers
from seance.commerce.models import (
    ORDER_CODE_LENGTH,
    LabExportOrder,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentState,
)
from seance.comms.models import Message, MessageState
from seance.core.models import MONEY, Organizer

# What staff must do about an order (O2: each is a tile opening the filtered list).
TO_CONFIRM = "to_confirm"  # a bank transfer is announced, its arrival is not confirmed yet
TO_LAB = "to_lab"  # paid prints not handed to the lab yet
FILES_TO_SEND = "files_to_send"  # paid files whose download email has not gone out
TODOS = (TO_CONFIRM, TO_LAB, FILES_TO_SEND)

# An order's payment state, derived from its confirmed payments (X3), never stored.
PAID, PARTLY_PAID, AWAITING = "paid", "partly_paid", "awaiting"


def to_confirm() -> Q:
    """Payments staff confirm by hand when the money arrives: pending bank transfers."""
    return Q(state=PaymentState.PENDING, provider=providers.bank_transfer.name)


def _paid():
    confirmed = (
        Payment.objects.filter(order=OuterRef("pk"), state=PaymentState.CONFIRMED)
        .order_by()
        .values("order")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    zero = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))
    return Coalesce(Subquery(confirmed, output_field=DecimalField(**MONEY)), zero)


def orders_for(organizer: Organizer) -> QuerySet[Order]:
    """The organizer's orders, newest first, with ``paid``, ``to_confirm`` and
    ``payment_state``."""
    return (
        Order.objects.filter(organizer=organizer)
        .annotate(
            paid=_paid(),
            to_confirm=Exists(Payment.objects.filter(to_confirm(), order=OuterRef("pk"))),
        )
        .annotate(
            payment_state=Case(
                When(paid__gte=F("total"), then=Value(PAID)),
                When(paid__gt=0, then=Value(PARTLY_PAID)),
                default=Value(AWAITING),
            )
        )
        .order_by("-created_at", "-id")
    )


def with_payment_state(orders: QuerySet[Order], state: str) -> QuerySet[Order]:
    """Filter on the payment state. "Awaiting" is "no confirmed payment" (amounts are
    positive by constraint): an EXISTS the database answers from an index, not the sum of
    every order's payments (bench/orders.py)."""
    confirmed = Exists(Payment.objects.filter(order=OuterRef("pk"), state=PaymentState.CONFIRMED))
    if state == AWAITING:
        return orders.filter(~confirmed, total__gt=0)
    return orders.filter(payment_state=state)


def _with_lines(**line_filter) -> Exists:
    return Exists(OrderLine.objects.filter(order=OuterRef("pk"), **line_filter))


def _codes_with_files_sent():
    """The codes of orders whose download email went out (the first one, or one sent
    again): cut from the outbox keys ``order:<code>:files_ready…`` in one pass, so the tile
    is a hash anti-join, not a pattern match per order."""
    start = len("order:") + 1
    return (
        Message.objects.filter(
            key__startswith="order:", key__contains=":files_ready", state=MessageState.SENT
        )
        .annotate(order_code=Substr("key", start, ORDER_CODE_LENGTH))
        .values("order_code")
    )


def todo(orders: QuerySet[Order], name: str) -> QuerySet[Order]:
    """O2: the orders that wait for ``name`` (one of TODOS)."""
    if name == TO_CONFIRM:
        return orders.filter(to_confirm=True)
    paid_and_open = Q(paid__gte=F("total")) & ~Q(status=OrderStatus.CANCELLED)
    if name == TO_LAB:
        return orders.filter(
            paid_and_open,
            _with_lines(needs_delivery=True),
            ~Exists(LabExportOrder.objects.filter(order=OuterRef("pk"))),
            status=OrderStatus.PLACED,
        )
    if name == FILES_TO_SEND:
        return orders.filter(paid_and_open, _with_lines(delivers_files=True)).exclude(
            code__in=_codes_with_files_sent()
        )
    raise ValueError(name)


TILES_CACHE = "seance:order-tiles:{}"
TILES_FRESH_FOR = 20  # seconds; commerce's writes clear them at once (forget_todo_counts)


def todo_counts(organizer: Organizer) -> dict[str, int]:
    """The tiles' counts (one query each). Kept a few seconds, so that paging and filtering
    the list at 100,000 orders does not count them again each time (bench/orders.py); every
    commerce write that changes them clears them, and an email sent shows within seconds."""
    key = TILES_CACHE.format(organizer.pk)
    counts = cache.get(key)
    if counts is None:
        orders = orders_for(organizer)
        counts = {name: todo(orders, name).count() for name in TODOS}
        cache.set(key, counts, TILES_FRESH_FOR)
    return counts


def forget_todo_counts(organizer_id: int) -> None:
    cache.delete(TILES_CACHE.format(organizer_id))


def with_line(orders: QuerySet[Order], **line_filter) -> QuerySet[Order]:
    """Orders with at least one line matching ``line_filter`` (a session's group, a kind of
    product), without repeating an order that has several."""
    return orders.filter(_with_lines(**line_filter))
