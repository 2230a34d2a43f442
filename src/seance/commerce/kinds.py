"""How commerce sells things it does not know (ARCHITECTURE: commerce imports no product app).

Each product kind — a photo print or file, later a ticket, a pass, a voucher — registers one
object with :func:`register`. Commerce asks it, for a cart line's ``item`` (an opaque string
the kind understands), what is being sold, at what price, in which discount group; the kind
refuses an item this organizer does not sell (or no longer sells) by raising
:class:`commerce.errors.CommerceError`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Protocol

from seance.commerce.pricing import Discount


@dataclass(frozen=True)
class Offer:
    description: str  # what the customer reads on the line ("Print 13 × 18 — Léa Martin")
    unit_price: Decimal
    group: str = ""  # lines a discount applies to (e.g. "session:12")
    discount: Discount | None = None  # the group's current discount, if any
    source: str = ""  # where it comes from, shown on the line (Q6: which child/gallery)
    needs_delivery: bool = False  # something physical to post (or collect, where allowed)
    delivers_files: bool = False  # download links once paid (see ProductKind.deliverables)
    image: str = ""  # a small picture of it for the cart, as an address
    category: str = ""  # the kind's own classification, for filters (print, digital…)


@dataclass(frozen=True)
class Deliverable:
    """A file a paid line gives its buyer (O6): ``key`` names it among the line's files."""

    key: str
    label: str


@dataclass(frozen=True)
class PrintFile:
    """One picture the lab prints for a paid line (O5): from which file, at which size,
    filed under ``folder`` (a session reference)."""

    folder: str
    name: str  # a short label for the file name (the product)
    width_cm: Decimal
    height_cm: Decimal
    open: Callable[[], IO[bytes]]


class ProductKind(Protocol):
    name: str

    def offer(self, organizer, item: str) -> Offer:
        """What ``item`` is and costs for ``organizer`` now; raises CommerceError if not sold."""

    def deliverables(self, organizer, item: str) -> list[Deliverable]:
        """The files a paid line of ``item`` delivers (none for a print)."""

    def open_deliverable(self, organizer, item: str, key: str) -> tuple[IO[bytes], str]:
        """The file ``key`` of ``item`` and the name to save it under; CommerceError if the
        line delivers no such file."""

    def print_files(self, organizer, item: str) -> list[PrintFile]:
        """What the lab prints for one of ``item`` (none for a file or a ticket)."""


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
