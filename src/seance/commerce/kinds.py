"""How commerce sells things it does not know (ARCHITECTURE: commerce imports no product app).

Each product kind — a photo print or file, later a ticket, a pass, a voucher — registers one
object with :func:`register`. Commerce asks it, for a cart line's ``item`` (an opaque string
the kind understands), what is being sold, at what price, in which discount group; the kind
refuses an item this organizer does not sell (or no longer sells) by raising
:class:`commerce.errors.CommerceError`.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from seance.commerce.pricing import Discount


@dataclass(frozen=True)
class Offer:
    description: str  # what the customer reads on the line ("Print 13 × 18 — Léa Martin")
    unit_price: Decimal
    group: str = ""  # lines a discount applies to (e.g. "session:12")
    discount: Discount | None = None  # the group's current discount, if any
    source: str = ""  # where it comes from, shown on the line (Q6: which child/gallery)


class ProductKind(Protocol):
    name: str

    def offer(self, organizer, item: str) -> Offer:
        """What ``item`` is and costs for ``organizer`` now; raises CommerceError if not sold."""


_kinds: dict[str, ProductKind] = {}


def register(kind: ProductKind) -> ProductKind:
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> ProductKind:
    from seance.commerce.errors import CommerceError

    try:
        return _kinds[name]
    except KeyError as e:
        raise CommerceError(f"unknown product kind {name!r}") from e
