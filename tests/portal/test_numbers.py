"""S1, X4: what the sponsor's contact sees — their own sessions' numbers, right, and
nothing about the families."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from seance.commerce import services as commerce
from seance.commerce.models import OrderStatus
from seance.photos import codes
from seance.photos import services as photos
from seance.photos.models import SessionStatus
from seance.portal import queries

DASHBOARD = reverse("portal:dashboard")
PARIS = dt.timezone(dt.timedelta(hours=1))  # November: Paris is UTC+1


def session_url(session):
    return reverse("portal:session", kwargs={"session": session.pk})


@pytest.fixture
def sales(school, rival, buy, owner, organizer):
    """Léa: prints paid. Hugo: a file, unpaid. Noah and the rival's Zoé in one paid order.
    Inès: paid, then cancelled. Jade registered to see her photos. Tom: nothing."""
    zoe = rival["galleries"]["Zoé Rival"]
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, tzinfo=PARIS), tick=False):
        lea = buy((school["Léa Dupont"], "Print 13 × 18", 2), name="Anne Dupont", paid=True)
    with time_machine.travel(dt.datetime(2026, 11, 17, 10, tzinfo=PARIS), tick=False):
        hugo = buy((school["Hugo Bernard"], "Digital file", 1), name="Paul Bernard")
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=PARIS), tick=False):
        mixed = buy(
            (school["Noah Petit"], "Digital file", 1),
            (zoe, "Print 13 × 18", 1),
            name="Claire Petit-Rival",
            email="claire@famille.test",
            paid=True,
        )
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=PARIS), tick=False):
        ines = buy((school["Inès Moreau"], "Print 13 × 18", 1), name="Sami Moreau", paid=True)
        commerce.change_status(ines, OrderStatus.CANCELLED, user=owner, reason="Doublon")
    registration = photos.register_visitor(
        school["Jade Roux"],
        name="Marie Roux",
        email="marie.roux@famille.test",
        consent=True,
        agreement=photos.current_agreement(organizer, "fr"),
        language="fr",
    )
    return {"orders": [lea, hugo, mixed, ines], "registration": registration}


def test_the_dashboard_counts_paid_orders_of_the_sponsors_sessions_only(signed_in, sales, session):
    response = signed_in.get(DASHBOARD)
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.session == session
    assert (row.galleries, row.opened, row.buying) == (6, 5, 2)
    # Léa's prints, and Noah's file out of the order shared with the rival sponsor's pupil;
    # not Hugo's (unpaid) nor Inès's (cancelled).
    assert (row.orders, row.revenue) == (2, Decimal("21.00"))
    totals = response.context["totals"]
    assert (totals.orders, totals.revenue, totals.galleries) == (2, Decimal("21.00"), 6)
    page = response.content.decode()
    assert "21.00\N{NO-BREAK SPACE}EUR" in page
    assert "33%" in page  # 2 of 6 galleries bought


def test_the_rival_sponsor_sees_its_part_of_the_shared_order(sales, rival):
    sponsor = rival["sponsor"]
    [row] = queries.session_numbers(sponsor, list(queries.sessions_of(sponsor)))
    assert (row.orders, row.revenue, row.buying) == (1, Decimal("6.00"), 1)


def test_the_session_page_gives_conversion_per_class(signed_in, sales, session):
    response = signed_in.get(session_url(session))
    assert response.status_code == 200
    albums = {a.name: (a.galleries, a.opened, a.buying) for a in response.context["albums"]}
    # CP-A: Léa (paid), Hugo (unpaid order), Inès (cancelled order): all opened, one buys.
    # CP-B: Noah (paid), Jade (registered), Tom: two opened, one buys.
    assert albums == {"CP-A": (3, 3, 1), "CP-B": (3, 2, 1)}
    assert (response.context["row"].orders, response.context["row"].revenue) == (
        2,
        Decimal("21.00"),
    )


def test_orders_and_revenue_per_week_include_the_empty_weeks(sales, contact, session):
    weeks = queries.weekly(contact, [session])
    assert [(w.start, w.orders, w.revenue) for w in weeks] == [
        (dt.date(2026, 11, 16), 1, Decimal("12.00")),
        (dt.date(2026, 11, 23), 0, Decimal("0.00")),
        (dt.date(2026, 11, 30), 1, Decimal("9.00")),
    ]
    later = queries.weekly(contact, [session], until=dt.date(2026, 12, 10))
    assert [w.start for w in later][-1] == dt.date(2026, 12, 7)


def test_the_chart_and_its_table_hold_the_same_numbers(signed_in, sales):
    with time_machine.travel(dt.datetime(2026, 12, 3, 12, tzinfo=PARIS), tick=False):
        response = signed_in.get(DASHBOARD)
    chart = response.context["chart"]
    assert chart["orders"] == [1, 0, 1]
    assert chart["revenue"] == ["12.00", "0.00", "9.00"]
    page = response.content.decode()
    assert 'id="sales-chart-data"' in page and "chart-4.6.1.umd.min.js" in page
    assert "<table" in page and "12.00\N{NO-BREAK SPACE}EUR" in page


def test_a_week_is_the_organizers_week(signed_in, contact, session, school, buy):
    # Sunday 23:30 in Paris is Sunday 22:30 UTC: still the week of Monday 16.
    with time_machine.travel(dt.datetime(2026, 11, 22, 22, 30, tzinfo=dt.UTC), tick=False):
        buy((school["Léa Dupont"], "Digital file", 1), paid=True)
    with time_machine.travel(dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC), tick=False):
        buy((school["Tom Garnier"], "Digital file", 1), paid=True)
    assert [(w.start, w.orders) for w in queries.weekly(contact, [session])] == [
        (dt.date(2026, 11, 16), 1),
        (dt.date(2026, 11, 23), 1),
    ]


def test_no_family_data_reaches_the_portal(client, signed_in, sales, session, school):
    pages = [
        signed_in.get(DASHBOARD).content.decode(),
        signed_in.get(session_url(session)).content.decode(),
    ]
    secrets = set()
    for order in sales["orders"]:
        secrets |= {order.name, order.email, order.code}
        for line in order.lines.all():
            secrets |= {line.source, line.item}
    registration = sales["registration"]
    secrets |= {registration.name, registration.email}
    for name, gallery in school.items():
        code = gallery.access_code.code
        secrets |= {name, *name.split(), code, codes.display(code)}
    secrets.discard("")
    for page in pages:
        leaked = sorted(s for s in secrets if s in page)
        assert leaked == [], leaked
        assert "<img" not in page


def test_another_sponsors_session_is_a_404(signed_in, sales, rival, session):
    other = rival["session"]
    assert signed_in.get(session_url(other)).status_code == 404
    assert signed_in.get(reverse("portal:session", kwargs={"session": 999_999})).status_code == 404
    for query in ({"session": other.pk}, {"sponsor": rival["sponsor"].pk}):
        page = signed_in.get(DASHBOARD, query).content.decode()
        assert other.name not in page and rival["sponsor"].name not in page
        page = signed_in.get(session_url(session), query).content.decode()
        assert other.name not in page


def test_a_planned_session_is_not_shown(signed_in, sales, new_session, contact, profile):
    planned = new_session(
        reference="EJF-CM2", name="École Jules Ferry — CM2", price_profile=profile
    )
    assert planned.status == SessionStatus.PLANNED
    assert planned.name not in signed_in.get(DASHBOARD).content.decode()
    assert signed_in.get(session_url(planned)).status_code == 404


def test_an_archived_session_is_still_shown(signed_in, sales, session, owner):
    photos.change_session_status(session, SessionStatus.ARCHIVED, user=owner)
    response = signed_in.get(session_url(session))
    assert response.status_code == 200
    assert response.context["row"].revenue == Decimal("21.00")


def test_nothing_to_show_yet(signed_in):
    response = signed_in.get(DASHBOARD)
    assert response.status_code == 200
    assert "No session of yours is on sale yet" in response.content.decode()


def test_the_pages_cost_the_same_whatever_the_sales(
    signed_in,
    sales,
    session,
    school,
    buy,
    new_session,
    profile,
    stock,
    django_assert_max_num_queries,
):
    with django_assert_max_num_queries(7):
        signed_in.get(DASHBOARD)
    with django_assert_max_num_queries(7):
        signed_in.get(session_url(session))
    second = new_session(reference="EJF-CE1", name="École Jules Ferry — CE1", price_profile=profile)
    more = stock(second, {"CE1-A": ["A B", "C D"], "CE1-B": ["E F"]})
    for gallery in [*school.values(), *more.values()]:
        buy((gallery, "Digital file", 1), paid=True)
    with django_assert_max_num_queries(7):
        response = signed_in.get(DASHBOARD)
    assert len(response.context["rows"]) == 2
    with django_assert_max_num_queries(7):
        signed_in.get(session_url(second))
