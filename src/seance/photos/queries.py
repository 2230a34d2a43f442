"""Reads that feed the back-office pages, always scoped to one organizer."""

import datetime as dt

from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from seance.core.models import Organizer
from seance.photos.models import AccessCodeStatus, Segment, Session, Sponsor


def sessions_for(
    organizer: Organizer,
    *,
    q: str = "",
    status: str = "",
    segment: Segment | None = None,
    sponsor: Sponsor | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Session]:
    """The session list (P1): every filter optional, combined with AND."""
    sessions = Session.objects.for_organizer(organizer).with_relations()
    if q:
        sessions = sessions.filter(Q(name__icontains=q) | Q(reference__icontains=q))
    if status:
        sessions = sessions.filter(status=status)
    if segment is not None:
        sessions = sessions.filter(segment=segment)
    if sponsor is not None:
        sessions = sessions.filter(sponsor=sponsor)
    if date_from is not None:
        sessions = sessions.filter(shooting_date__gte=date_from)
    if date_to is not None:
        sessions = sessions.filter(shooting_date__lte=date_to)
    return sessions.order_by("-shooting_date", "-id")


def status_counts(organizer: Organizer) -> dict[str, int]:
    rows = Session.objects.for_organizer(organizer).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def sponsors_for(organizer: Organizer) -> QuerySet[Sponsor]:
    return (
        Sponsor.objects.for_organizer(organizer)
        .annotate(session_count=Count("sessions"))
        .order_by("name", "id")
    )


def segments_for(organizer: Organizer) -> QuerySet[Segment]:
    return (
        Segment.objects.for_organizer(organizer)
        .annotate(session_count=Count("sessions"))
        .order_by("name", "id")
    )


def cards_of(session: Session):
    """Q7: a session's cards with what is known of each (printed, registered, photographed)."""
    return session.cards.select_related("access_code", "pre_registration", "replaces").order_by(
        "number"
    )


def card_counts(session: Session) -> dict[str, int]:
    """How many cards are printed, pre-registered, photographed, void: one query."""
    active = Q(access_code__status=AccessCodeStatus.ACTIVE)
    return session.cards.aggregate(
        total=Count("id"),
        active=Count("id", filter=active),
        printed=Count("id", filter=active & Q(printed_at__isnull=False)),
        registered=Count("id", filter=active & Q(pre_registration__isnull=False)),
        photographed=Count("id", filter=active & Q(photographed_at__isnull=False)),
        void=Count("id", filter=~active),
    )


def albums_of(session: Session):
    from seance.photos.models import Album

    return (
        Album.objects.filter(session=session)
        .annotate(photo_count=Count("photos"))
        .order_by("position", "id")
    )


def photos_by_key(session: Session) -> dict:
    """Every photo of a session by the key the sorting uses (its id as text)."""
    from seance.photos.models import Photo

    return {
        str(p.pk): p
        for p in Photo.objects.filter(session=session).select_related(
            "album", "gallery__access_code"
        )
    }


def _shown_in(gallery):
    """The photos a family sees in a gallery (P15): its own and its album's group photos."""
    from seance.photos.models import Photo

    shown = Q(gallery=gallery)
    if gallery.album_id:
        shown |= Q(album_id=gallery.album_id, is_group=True)
    elif gallery.card_id is None:  # one gallery for everyone (shared code): every group photo
        shown |= Q(is_group=True)
    return Photo.objects.filter(shown, session_id=gallery.session_id)


def gallery_photos(gallery):
    """The gallery page's photos: its own first, then the group photos."""
    return list(
        _shown_in(gallery)
        .only("sha256", "original_name", "width", "height", "is_group", "taken_at")
        .order_by("is_group", "taken_at", "import_order")
    )


def gallery_photo(gallery, digest: str):
    """The photo of ``gallery`` whose content digest starts with ``digest``, or None.

    One indexed lookup: this runs for every thumbnail a phone loads.
    """
    if len(digest) < 16:
        return None
    return _shown_in(gallery).filter(sha256__startswith=digest.lower()).first()


def yearbook_galleries(session: Session) -> list:
    """The galleries opened by a card (one per pupil), with the card, its pre-registration
    and the gallery's own photos (album included, for the shooting order): three queries."""
    from seance.photos.models import Gallery, Photo

    return list(
        Gallery.objects.filter(session=session, card__isnull=False)
        .select_related("card__pre_registration")
        .prefetch_related(
            Prefetch("photos", queryset=Photo.objects.select_related("album").order_by("pk"))
        )
        .order_by("card__number")
    )


def gallery_order_lines(*conditions):
    """An EXISTS over the order lines of the outer gallery (a queryset of Gallery): lines of
    its session's group whose item was opened by its code (photos.selling's items)."""
    from seance.commerce.models import OrderLine
    from seance.photos.selling import photo_products  # selling reads these queries

    return Exists(
        OrderLine.objects.filter(
            *conditions,
            kind=photo_products.name,
            group=Concat(Value("session:"), Cast(OuterRef("session_id"), CharField())),
            item__startswith=Concat(OuterRef("access_code__code"), Value(":")),
        )
    )
