"""S1: the sponsor portal's numbers, for one sponsor's sessions only, as counts and sums.

Nothing here returns a family's name, email, access code or order code: rows are grouped by
session, album or week before they leave the database.

- A session is shown once it is on sale or archived (a planned one has nothing to show).
- An order counts when it is paid in full (confirmed payments ≥ its total, X3) and not
  cancelled. Its revenue for a session is the sum of its lines of that session (their group,
  ``session:<id>``), so an order spanning two sessions — or two sponsors — is split, never
  counted twice; the number of orders of a session is of orders with a line of it.
- Nothing records the opening of a gallery as such: a gallery counts as *opened* when it has
  a visitor registration (P5) or any order line (placed, paid or not).
- An album's *conversion* is its galleries with a paid line over its galleries.

Each function is one query, whatever the number of sessions, galleries and orders.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncWeek

from seance.commerce.models import OrderLine, OrderStatus
from seance.commerce.queries import PAID, orders_for
from seance.photos.models import (
    Gallery,
    GalleryRegistration,
    Session,
    SessionStatus,
    Sponsor,
)
from seance.photos.queries import gallery_order_lines
from seance.photos.selling import group_of

VISIBLE = (SessionStatus.ON_SALE, SessionStatus.ARCHIVED)
ZERO = Decimal("0.00")


def _money(value) -> Decimal:
    # SQLite sums decimals to Decimal("12"): back to cents, as stored.
    return ZERO if value is None else Decimal(value).quantize(ZERO)


def sessions_of(sponsor: Sponsor) -> QuerySet[Session]:
    """The sponsor's sessions the portal shows, newest shooting first."""
    return Session.objects.filter(
        organizer_id=sponsor.organizer_id, sponsor=sponsor, status__in=VISIBLE
    ).order_by("-shooting_date", "-id")


def _paid(sponsor: Sponsor) -> Exists:
    """The outer order line's order is paid in full and not cancelled (commerce's rule).

    Correlated on the line's order, so a page costs what the sponsor's lines cost, not what
    all the studio's orders do."""
    return Exists(
        orders_for(sponsor.organizer)
        .filter(pk=OuterRef("order_id"), payment_state=PAID)
        .exclude(status=OrderStatus.CANCELLED)
    )


def _paid_lines(sponsor: Sponsor, sessions) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(_paid(sponsor), group__in=[group_of(s) for s in sessions])


def _gallery_counts(sponsor: Sponsor) -> dict:
    registered = Exists(GalleryRegistration.objects.filter(gallery=OuterRef("pk")))
    opened = registered | gallery_order_lines()
    return {
        "galleries": Count("pk"),
        "opened": Count("pk", filter=Q(opened)),
        "buying": Count("pk", filter=Q(gallery_order_lines(_paid(sponsor)))),
    }


@dataclass
class SessionNumbers:
    session: Session
    galleries: int = 0
    opened: int = 0
    buying: int = 0  # galleries with a paid line
    orders: int = 0
    revenue: Decimal = ZERO

    @property
    def conversion(self) -> float | None:
        return self.buying / self.galleries if self.galleries else None


def session_numbers(sponsor: Sponsor, sessions: list[Session]) -> list[SessionNumbers]:
    """Per session: galleries, galleries opened, galleries buying, paid orders, revenue."""
    rows = {s.pk: SessionNumbers(s) for s in sessions}
    if not rows:
        return []
    galleries = (
        Gallery.objects.filter(session__in=list(rows))
        .values("session_id")
        .annotate(**_gallery_counts(sponsor))
        .order_by()
    )
    for g in galleries:
        row = rows[g["session_id"]]
        row.galleries, row.opened, row.buying = g["galleries"], g["opened"], g["buying"]
    by_group = {group_of(s): rows[s.pk] for s in sessions}
    sales = (
        _paid_lines(sponsor, sessions)
        .values("group")
        .annotate(orders=Count("order", distinct=True), revenue=Sum("total"))
        .order_by()
    )
    for line in sales:
        row = by_group[line["group"]]
        row.orders, row.revenue = line["orders"], _money(line["revenue"])
    return list(rows.values())


@dataclass(frozen=True)
class Totals:
    galleries: int
    opened: int
    buying: int
    orders: int
    revenue: Decimal

    @property
    def conversion(self) -> float | None:
        return self.buying / self.galleries if self.galleries else None


def totals(sponsor: Sponsor, sessions: list[Session], rows: list[SessionNumbers]) -> Totals:
    """All the sponsor's sessions together; an order with lines of two of them counts once."""
    orders = 0
    if sessions:
        orders = _paid_lines(sponsor, sessions).aggregate(n=Count("order", distinct=True))["n"]
    return Totals(
        galleries=sum(r.galleries for r in rows),
        opened=sum(r.opened for r in rows),
        buying=sum(r.buying for r in rows),
        orders=orders,
        revenue=sum((r.revenue for r in rows), ZERO),
    )


@dataclass(frozen=True)
class AlbumNumbers:
    name: str  # empty: galleries in no album
    galleries: int
    opened: int
    buying: int

    @property
    def conversion(self) -> float | None:
        return self.buying / self.galleries if self.galleries else None


def album_numbers(sponsor: Sponsor, session: Session) -> list[AlbumNumbers]:
    """P12 per album (class) of the session, in the album order staff gave."""
    rows = (
        Gallery.objects.filter(session=session)
        .values("album_id", "album__name", "album__position")
        .annotate(**_gallery_counts(sponsor))
        .order_by("album__position", "album_id")
    )
    return [
        AlbumNumbers(r["album__name"] or "", r["galleries"], r["opened"], r["buying"]) for r in rows
    ]


@dataclass(frozen=True)
class Week:
    start: dt.date  # a Monday, in the organizer's time zone
    orders: int
    revenue: Decimal


def weekly(
    sponsor: Sponsor, sessions: list[Session], *, until: dt.date | None = None
) -> list[Week]:
    """Paid orders and revenue per week, from the first week with an order to the last one
    (or ``until``), weeks without orders included as zeros so a chart's time axis is true.
    An order is in the week it was placed."""
    if not sessions:
        return []
    tz = zoneinfo.ZoneInfo(sponsor.organizer.timezone)
    rows = (
        _paid_lines(sponsor, sessions)
        .annotate(week=TruncWeek("order__created_at", tzinfo=tz))
        .values("week")
        .annotate(orders=Count("order", distinct=True), revenue=Sum("total"))
        .order_by("week")
    )
    found = {_as_date(r["week"], tz): (r["orders"], _money(r["revenue"])) for r in rows}
    if not found:
        return []
    first, last = min(found), max(found)
    if until is not None:
        last = max(last, until - dt.timedelta(days=until.weekday()))
    weeks, day = [], first
    while day <= last:
        orders, revenue = found.get(day, (0, ZERO))
        weeks.append(Week(day, orders, revenue))
        day += dt.timedelta(weeks=1)
    return weeks


def _as_date(value, tz) -> dt.date:
    if isinstance(value, dt.datetime):
        return (value.astimezone(tz) if value.tzinfo else value).date()
    return value
