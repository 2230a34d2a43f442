"""This browser's carts: one token per organizer, kept in the browser's session (Q6)."""

from django.db.models import Sum

from seance.commerce import services
from seance.commerce.models import Cart, CartLine

CARTS = "seance:carts"


def cart_token(request, organizer) -> str | None:
    return request.session.get(CARTS, {}).get(str(organizer.pk))


def session_cart(request, organizer) -> Cart:
    """This browser's cart with ``organizer``, made (and remembered) on first use."""
    cart = services.cart_for(organizer, cart_token(request, organizer))
    carts = request.session.get(CARTS, {})
    if carts.get(str(organizer.pk)) != cart.token:
        carts[str(organizer.pk)] = cart.token
        request.session[CARTS] = carts
    return cart


def cart_count(request, organizer) -> int:
    """What the cart badge shows: the number of items (one query, no cart made)."""
    token = cart_token(request, organizer)
    if not token:
        return 0
    lines = CartLine.objects.filter(cart__organizer=organizer, cart__token=token)
    return lines.aggregate(n=Sum("quantity"))["n"] or 0


def current_cart(request, organizer) -> Cart | None:
    """This browser's cart with ``organizer`` if it has one (reading never makes one)."""
    token = cart_token(request, organizer)
    return Cart.objects.filter(organizer=organizer, token=token).first() if token else None
