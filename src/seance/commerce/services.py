"""Cart writes and the cart's totals (Q6, P8, X3)."""

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from seance.commerce import kinds, pricing
from seance.commerce.errors import CommerceError
from seance.commerce.models import Cart, CartLine
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


@dataclass(frozen=True)
class CartView:
    lines: list[tuple[CartLine, kinds.Offer, pricing.PricedLine]]
    priced: pricing.Priced
    dropped: list[CartLine]  # lines no longer for sale (session archived, product removed)


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
