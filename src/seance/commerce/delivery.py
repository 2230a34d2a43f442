"""Links a customer keeps (O6, O8): the order page and expiring download links.

Both are signed with the site's secret key, so they cannot be guessed from an order code or
altered to reach another line's files. The order link does not expire (the customer finds
their order again from their email); a download link works for ``SEANCE_DOWNLOAD_DAYS``
from the moment it is made, and a fresh one is made each time the order page is shown.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from seance.commerce import kinds
from seance.commerce.models import Order, OrderLine, OrderStatus
from seance.core.links import absolute

ORDER_SALT = "seance.commerce.order"
DOWNLOAD_SALT = "seance.commerce.download"


def order_token(order: Order) -> str:
    return signing.Signer(salt=ORDER_SALT).sign(order.code)


def order_from_token(token: str) -> Order | None:
    try:
        code = signing.Signer(salt=ORDER_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Order.objects.select_related("organizer").filter(code=code).first()


def order_url(order: Order) -> str:
    return absolute(reverse("shop:order", kwargs={"token": order_token(order)}))


def download_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.SEANCE_DOWNLOAD_DAYS)


@dataclass(frozen=True)
class Download:
    line: OrderLine
    label: str
    url: str


def downloads(order: Order) -> list[Download]:
    """O6: fresh download links for every file the order delivers, once it is paid and for
    as long as it is not cancelled; none before."""
    from seance.commerce.services import is_paid

    if order.status == OrderStatus.CANCELLED or not is_paid(order):
        return []
    links = []
    for line in order.lines.filter(delivers_files=True):
        for file in kinds.get(line.kind).deliverables(order.organizer, line.item):
            token = signing.TimestampSigner(salt=DOWNLOAD_SALT).sign_object(
                {"o": order.code, "l": line.pk, "k": file.key}
            )
            links.append(
                Download(line, file.label, absolute(reverse("shop:download", args=[token])))
            )
    return links


def line_from_download_token(token: str) -> tuple[OrderLine, str] | None:
    """The paid line and file key a download link names, or None when the link is altered,
    expired, or its order is no longer paid (cancelled, refunded)."""
    from seance.commerce.services import is_paid

    try:
        data = signing.TimestampSigner(salt=DOWNLOAD_SALT).unsign_object(
            token, max_age=download_lifetime()
        )
        code, line_id, key = data["o"], int(data["l"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    line = (
        OrderLine.objects.select_related("order__organizer")
        .filter(pk=line_id, order__code=code)
        .first()
    )
    if line is None or line.order.status == OrderStatus.CANCELLED or not is_paid(line.order):
        return None
    return line, key
