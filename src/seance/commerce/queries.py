"""Reusable, tenant-scoped reads of orders and payments (the staff's order pages, reports)."""

from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from seance.commerce import providers
from seance.commerce.models import Order, Payment, PaymentState
from seance.core.models import MONEY, Organizer

# What staff must do about an order (O2: each becomes a tile opening the filtered list).
TO_CONFIRM = "to_confirm"  # a bank transfer is announced, its arrival is not confirmed yet

# An order's payment state, derived from its confirmed payments (X3), never stored.
PAID, PARTLY_PAID, AWAITING = "paid", "partly_paid", "awaiting"


def to_confirm(prefix: str = "") -> Q:
    """Payments staff confirm by hand when the money arrives: pending bank transfers."""
    return Q(
        **{
            f"{prefix}state": PaymentState.PENDING,
            f"{prefix}provider": providers.bank_transfer.name,
        }
    )


def orders_for(organizer: Organizer):
    """The organizer's orders, newest first, each with ``paid`` (confirmed payments),
    ``to_confirm`` (pending bank transfers) and ``payment_state``, in one query whatever
    the number of orders."""
    zero = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))
    return (
        Order.objects.filter(organizer=organizer)
        .annotate(
            paid=Coalesce(
                Sum("payments__amount", filter=Q(payments__state=PaymentState.CONFIRMED)),
                zero,
            ),
            to_confirm=Count("payments", filter=to_confirm("payments__")),
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


def payments_to_confirm_count(organizer: Organizer) -> int:
    """O2: how many orders wait for a payment to be confirmed."""
    return (
        Payment.objects.filter(to_confirm(), order__organizer=organizer)
        .values("order")
        .distinct()
        .count()
    )
