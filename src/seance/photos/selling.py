"""The photo product kind (P7, P8, Q6): what commerce asks about a photo in a cart.

An item is ``<gallery code>:<photo digest>:<product id>``: the code proves the customer
opened that gallery, the digest names a photo it shows, the product comes from the
session's price profile. Anything else is refused.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from seance.commerce.errors import CommerceError
from seance.commerce.kinds import Offer, register
from seance.commerce.pricing import Discount
from seance.photos import codes, queries
from seance.photos.models import AccessCode, AccessCodeStatus, DiscountKind, SessionStatus


def item_for(code: str, photo, product) -> str:
    return f"{code}:{photo.digest}:{product.pk}"


class PhotoProducts:
    name = "photo"

    def offer(self, organizer, item: str) -> Offer:
        try:
            code, digest, product_id = item.split(":")
            product_id = int(product_id)
        except ValueError as e:
            raise CommerceError(_("This is not something sold here.")) from e
        access = (
            AccessCode.objects.filter(
                code=codes.normalize(code) or "",
                organizer=organizer,
                status=AccessCodeStatus.ACTIVE,
            )
            .select_related("session__price_profile", "gallery__card")
            .first()
        )
        gallery = getattr(access, "gallery", None) if access else None
        if gallery is None or access.session.status != SessionStatus.ON_SALE:
            raise CommerceError(_("These photos are not on sale."))
        session = access.session
        photo = queries.gallery_photo(gallery, digest)
        product = (
            session.price_profile.products.filter(pk=product_id, is_active=True).first()
            if session.price_profile_id
            else None
        )
        if photo is None or product is None:
            raise CommerceError(_("This is not something sold here."))
        return Offer(
            description=product.name,
            unit_price=product.price,
            group=f"session:{session.pk}",
            discount=_discount(session),
            source=gallery.name or session.name,
        )


def _discount(session) -> Discount | None:
    """P8: the session's discount while it runs (until the end of its last day, locally)."""
    if session.discount_kind == DiscountKind.NONE or session.discount_until is None:
        return None
    import zoneinfo

    zone = zoneinfo.ZoneInfo(session.organizer.timezone)
    ends = dt.datetime.combine(session.discount_until, dt.time.max, tzinfo=zone)
    if timezone.now() > ends:
        return None
    return Discount(
        group=f"session:{session.pk}",
        kind=session.discount_kind,
        value=session.discount_value,
        label=session.name,
    )


photo_products = register(PhotoProducts())
