"""The photo product kind (P7, P8, Q6, O6): what commerce asks about photos in a cart.

An item is ``<gallery code>:<photo digests>:<product id>``: the code proves the customer
opened that gallery, the digests (joined by ``.``) name photos it shows — one for a print or
a file, one per place in a package, in the package's order — and the product comes from the
session's price profile. Anything else is refused.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from seance.catalog.models import Product, ProductKind
from seance.commerce.errors import CommerceError
from seance.commerce.kinds import Deliverable, Offer, PrintFile, register
from seance.commerce.pricing import Discount
from seance.photos import codes, queries
from seance.photos.models import AccessCode, AccessCodeStatus, DiscountKind, SessionStatus

MAX_PACKAGE_PLACES = 20


def group_of(session) -> str:
    """The discount and reporting group of a session's order lines."""
    return f"session:{session.pk}"


def item_for(code: str, photos, product) -> str:
    """The cart item for ``product`` made of ``photos`` (a photo, or a package's choices)."""
    photos = photos if isinstance(photos, list | tuple) else [photos]
    return f"{code}:{'.'.join(p.digest for p in photos)}:{product.pk}"


def package_places(package: Product) -> list[Product]:
    """A package's places in order, one per photo to choose: "2 × print 13 × 18, 1 × file"
    is [print, print, file]."""
    return [item.product for item in package.items.all() for _ in range(item.quantity)]


@dataclass(frozen=True)
class _Chosen:
    access: AccessCode
    product: Product
    places: list[Product]  # what each photo is bought as (package_places, or the product)
    photos: list  # one per place, in order

    def placed(self, kind: str):
        """(place, photo) for the places of one product kind (print, digital)."""
        return [
            (p, photo) for p, photo in zip(self.places, self.photos, strict=True) if p.kind == kind
        ]


def _refused() -> CommerceError:
    return CommerceError(_("This is not something sold here."))


def _resolve(organizer, item: str, *, for_sale: bool) -> _Chosen:
    """The gallery, product and photos ``item`` names, all of ``organizer``; for a sale the
    session must be on sale and the product still offered, for a delivery neither (what was
    paid for stays downloadable after the session closes)."""
    try:
        code, digests, product_id = item.split(":")
        digests = digests.split(".")
        product_id = int(product_id)
    except ValueError as e:
        raise _refused() from e
    found = AccessCode.objects.filter(code=codes.normalize(code) or "", organizer=organizer)
    if for_sale:
        found = found.filter(status=AccessCodeStatus.ACTIVE)
    access = found.select_related(
        "session__organizer", "session__price_profile", "gallery__card"
    ).first()
    gallery = getattr(access, "gallery", None) if access else None
    if gallery is None:
        raise CommerceError(_("These photos are not on sale."))
    session = access.session
    if for_sale and session.status != SessionStatus.ON_SALE:
        raise CommerceError(_("These photos are not on sale."))
    products = Product.objects.filter(pk=product_id, profile__organizer=organizer)
    if for_sale:
        products = products.filter(profile_id=session.price_profile_id, is_active=True)
    product = products.prefetch_related("items__product").first()
    if product is None or len(digests) > MAX_PACKAGE_PLACES:
        raise _refused()
    places = package_places(product) if product.kind == ProductKind.PACKAGE else [product]
    if len(digests) != len(places):
        raise _refused()
    found = {digest: queries.gallery_photo(gallery, digest) for digest in set(digests)}
    if not all(found.values()):
        raise _refused()
    return _Chosen(
        access=access, product=product, places=places, photos=[found[d] for d in digests]
    )


class PhotoProducts:
    name = "photo"

    def offer(self, organizer, item: str) -> Offer:
        chosen = _resolve(organizer, item, for_sale=True)
        session, product, places = chosen.access.session, chosen.product, chosen.places
        description = product.name
        if product.kind == ProductKind.PACKAGE:
            description = _("%(package)s (%(n)s photos)") % {
                "package": product.name,
                "n": len(places),
            }
        return Offer(
            description=description,
            unit_price=product.price,
            group=group_of(session),
            discount=current_discount(session),
            source=_source(chosen.access),
            needs_delivery=any(p.kind == ProductKind.PRINT for p in places),
            delivers_files=any(p.kind == ProductKind.DIGITAL for p in places),
            category=product.kind,
            image=reverse(
                "shop:gallery_photo",
                kwargs={
                    "code": chosen.access.code,
                    "digest": chosen.photos[0].digest,
                    "kind": "thumb",
                },
            ),
        )

    def deliverables(self, organizer, item: str) -> list[Deliverable]:
        """O6: the originals of the photos bought as files (alone or in a package)."""
        try:
            chosen = _resolve(organizer, item, for_sale=False)
        except CommerceError:
            return []  # the gallery is gone (purged): nothing left to deliver
        files = {
            photo.digest: Deliverable(key=photo.digest, label=photo.original_name)
            for _place, photo in chosen.placed(ProductKind.DIGITAL)
        }
        return list(files.values())

    def print_files(self, organizer, item: str) -> list[PrintFile]:
        """O5: the photos of the print places, at their product's paper size."""
        try:
            chosen = _resolve(organizer, item, for_sale=False)
        except CommerceError:
            return []
        storage = storages["private"]
        return [
            PrintFile(
                folder=chosen.access.session.reference,
                name=place.name,
                width_cm=place.width_cm,
                height_cm=place.height_cm,
                open=lambda path=photo.original: storage.open(path, "rb"),
            )
            for place, photo in chosen.placed(ProductKind.PRINT)
            if place.width_cm and place.height_cm
        ]

    def open_deliverable(self, organizer, item: str, key: str):
        chosen = _resolve(organizer, item, for_sale=False)
        photo = next(
            (photo for _p, photo in chosen.placed(ProductKind.DIGITAL) if photo.digest == key),
            None,
        )
        if photo is None:  # a photo the line does not deliver as a file
            raise _refused()
        name = f"{chosen.access.session.reference}-{photo.original_name}"
        return storages["private"].open(photo.original, "rb"), name


def _source(access) -> str:
    """Q6: which child a line is for — the gallery's name, else the session and the card's
    code (what the family has in hand)."""
    if access.gallery.name:
        return f"{access.gallery.name} — {access.session.name}"
    return f"{access.session.name} · {codes.display(access.code)}"


def current_discount(session) -> Discount | None:
    """P8: the session's discount while it runs (until the end of its last day, locally)."""
    if session.discount_kind == DiscountKind.NONE or session.discount_until is None:
        return None
    zone = zoneinfo.ZoneInfo(session.organizer.timezone)
    ends = dt.datetime.combine(session.discount_until, dt.time.max, tzinfo=zone)
    if timezone.now() > ends:
        return None
    return Discount(
        group=group_of(session),
        kind=session.discount_kind,
        value=session.discount_value,
        label=_("%(session)s, until %(date)s")
        % {"session": session.name, "date": date_format(session.discount_until)},
    )


photo_products = register(PhotoProducts())
