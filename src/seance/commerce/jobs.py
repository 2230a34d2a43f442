"""Commerce's ``seance tick`` job: carts nobody touched for a while are forgotten."""

import datetime as dt

from seance.commerce.models import Cart
from seance.core import tick

CART_LIFETIME = dt.timedelta(days=30)


@tick.register("commerce.carts")
def expire_carts(now: dt.datetime, *, dry_run: bool = False) -> list[str]:
    """Delete carts left untouched for CART_LIFETIME (their lines go with them); what was
    ordered lives in orders, not carts. Safe to run twice: the second run finds none."""
    old = Cart.objects.filter(updated_at__lt=now - CART_LIFETIME)
    if dry_run:
        count = old.count()
        return [f"{count} old cart(s) to delete"] if count else []
    _total, deleted = old.delete()
    count = deleted.get(Cart._meta.label, 0)
    return [f"{count} old cart(s) deleted"] if count else []
