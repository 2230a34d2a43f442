"""Issue 6: the orders panel — tiles, combined filters, bulk actions, CSV and lab exports."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from PIL import Image

from seance.commerce import services
from seance.commerce.models import LabExportOrder, Order, OrderStatus, PaymentState
from seance.comms.models import Message, MessageState
from seance.core import services as core
from seance.photos.models import Photo
from seance.photos.selling import item_for
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture

LIST_URL = reverse("backoffice:order_list")
BULK_URL = reverse("backoffice:order_bulk")


@pytest.fixture
def buy(organizer, galleries, profile):
    """``buy(gallery, ("IMG_1.JPG", "Print 13 × 18", 2), …, name=…)``: an order placed."""

    def make(gallery, *lines, name="Anne Martin", email="anne@example.fr", **fields):
        cart = services.cart_for(organizer, None)
        for photo, product, quantity in lines:
            services.add_to_cart(
                cart,
                kind="photo",
                quantity=quantity,
                item=item_for(
                    gallery.access_code.code,
                    Photo.objects.get(original_name=photo),
                    profile.products.get(name=product),
                ),
            )
        return services.place_order(cart, email=email, name=name, language="fr", **fields)

    return make


@pytest.fixture
def orders(buy, galleries, owner, django_capture_on_commit_callbacks):
    """Four orders: prints unpaid; prints paid; a file paid (its email sent); a file paid
    whose email did not go out."""
    lea, hugo = galleries
    unpaid = buy(lea, ("IMG_1.JPG", "Print 13 × 18", 2), name="Unpaid Prints", delivery_address="x")
    paid_prints = buy(hugo, ("IMG_4.JPG", "Print 13 × 18", 1), name="Paid Prints", pickup=True)
    with django_capture_on_commit_callbacks(execute=True):
        file_sent = buy(lea, ("IMG_2.JPG", "Digital file", 1), name="File Sent")
        services.confirm_payment(file_sent.payments.get(), user=owner)
    services.confirm_payment(paid_prints.payments.get(), user=owner)
    file_stuck = buy(hugo, ("IMG_5.JPG", "Digital file", 1), name="File Stuck")
    services.confirm_payment(file_stuck.payments.get(), user=owner)  # on_commit never ran
    return {"unpaid": unpaid, "prints": paid_prints, "sent": file_sent, "stuck": file_stuck}


def listed(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return sorted(o.name for o in response.context["page"])


def test_the_tiles_count_what_waits_and_open_the_filtered_list(client, owner, orders):
    client.force_login(owner)
    response = client.get(LIST_URL)
    assert response.context["tiles"] == {"to_confirm": 1, "to_lab": 1, "files_to_send": 1}
    assert listed(client, todo="to_confirm") == ["Unpaid Prints"]
    assert listed(client, todo="to_lab") == ["Paid Prints"]
    assert listed(client, todo="files_to_send") == ["File Stuck"]
    # Once its email went out, the order leaves the tile.
    Message.objects.filter(key__startswith=f"order:{orders['stuck'].code}:files_ready").update(
        state=MessageState.SENT
    )
    assert listed(client, todo="files_to_send") == []


def test_filters_combine(client, owner, orders, session, profile, galleries, buy, organizer):
    client.force_login(owner)
    assert listed(client, payment="paid") == ["File Sent", "File Stuck", "Paid Prints"]
    assert listed(client, payment="awaiting") == ["Unpaid Prints"]
    assert listed(client, kind="digital") == ["File Sent", "File Stuck"]
    assert listed(client, kind="digital", payment="paid", q="stuck") == ["File Stuck"]
    assert listed(client, session=session.pk, kind="print") == ["Paid Prints", "Unpaid Prints"]
    assert listed(client, sponsor=session.sponsor_id) == listed(client)
    assert listed(client, amount_min="8", amount_max="10") == ["File Sent", "File Stuck"]
    assert listed(client, amount_min="12") == ["Unpaid Prints"]
    assert listed(client, status="placed", q="anne@example.fr") == listed(client)
    services.change_status(orders["prints"], OrderStatus.COMPLETED, user=owner)
    assert listed(client, status="completed") == ["Paid Prints"]
    assert listed(client, q=orders["sent"].code.lower()) == ["File Sent"]


def test_the_date_filter_uses_the_organizer_days(client, owner, buy, galleries, organizer):
    client.force_login(owner)
    # 23:30 in Paris on 1 December is 22:30 UTC: a December order, not a November one.
    with time_machine.travel("2026-12-01 22:30:00+00:00", tick=False):
        buy(galleries[0], ("IMG_1.JPG", "Digital file", 1), name="Late")
    assert listed(client, date_from="2026-12-01", date_to="2026-12-01") == ["Late"]
    assert listed(client, date_to="2026-11-30") == []


def test_a_broken_filter_is_ignored_not_fatal(client, owner, orders):
    client.force_login(owner)
    assert len(listed(client, amount_min="lots", session="999999")) == 4


def test_the_list_query_count_does_not_grow_with_orders(
    client, owner, buy, galleries, django_assert_max_num_queries
):
    client.force_login(owner)
    for i in range(12):
        buy(galleries[i % 2], ("IMG_1.JPG" if i % 2 == 0 else "IMG_4.JPG", "Digital file", 1))
    with django_assert_max_num_queries(12):
        client.get(LIST_URL, {"payment": "awaiting", "kind": "digital"})


def bulk(client, action, orders, **extra):
    data = {"action": action, "order": [o.pk for o in orders], "query": "payment=awaiting"}
    data.update(extra)
    return client.post(BULK_URL, data)


def test_bulk_confirm_shows_what_changes_then_records_payments(
    client, owner, orders, buy, galleries
):
    client.force_login(owner)
    second = buy(galleries[0], ("IMG_1.JPG", "Digital file", 1), name="Second")
    preview = bulk(client, "confirm", [orders["unpaid"], second, orders["prints"]])
    rows = {r["order"].name: r for r in preview.context["rows"]}
    assert rows["Unpaid Prints"]["allowed"] and rows["Unpaid Prints"]["due"] == Decimal("12.00")
    assert not rows["Paid Prints"]["allowed"]  # listed, with its reason, not skipped
    assert "already paid" in preview.content.decode()
    assert Order.objects.get(pk=second.pk).payments.get().state == PaymentState.PENDING
    response = bulk(
        client,
        "confirm",
        [orders["unpaid"], second, orders["prints"]],
        apply="1",
        **{
            f"amount-{orders['unpaid'].pk}": "10.00",  # a partial transfer
            f"due-{orders['unpaid'].pk}": "12.00",
            f"amount-{second.pk}": "9.00",
            f"due-{second.pk}": "9.00",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{LIST_URL}?payment=awaiting"
    assert services.amount_paid(orders["unpaid"]) == Decimal("10.00")
    assert services.is_paid(second)
    # Submitted again (double click, back button): the dues changed, nothing counted twice.
    bulk(
        client,
        "confirm",
        [orders["unpaid"], second],
        apply="1",
        **{
            f"amount-{orders['unpaid'].pk}": "10.00",
            f"due-{orders['unpaid'].pk}": "12.00",
            f"amount-{second.pk}": "9.00",
            f"due-{second.pk}": "9.00",
        },
    )
    assert services.amount_paid(orders["unpaid"]) == Decimal("10.00")
    assert services.amount_paid(second) == Decimal("9.00")


def test_bulk_actions_refuse_another_organizers_orders(client, owner, orders, buy):
    from tests.conftest import make_user

    stranger = make_user("boss@other.test")
    other = core.create_organizer(name="Other", slug="other", owner=stranger)
    foreign = Order.objects.create(
        organizer=other,
        code="FOREIGN001",
        email="x@y.z",
        name="Foreign",
        language="en",
        subtotal=Decimal("5"),
        discount=Decimal("0"),
        total=Decimal("5"),
    )
    client.force_login(owner)
    preview = bulk(client, "confirm", [orders["unpaid"], foreign])
    assert [r["order"].name for r in preview.context["rows"]] == ["Unpaid Prints"]
    assert preview.context["refused"] == [str(foreign.pk)]
    bulk(
        client,
        "confirm",
        [foreign],
        apply="1",
        **{f"amount-{foreign.pk}": "5", f"due-{foreign.pk}": "5"},
    )
    assert not foreign.payments.exists()
    bulk(client, "status", [foreign], apply="1", target="cancelled", reason="x")
    foreign.refresh_from_db()
    assert foreign.status == OrderStatus.PLACED


def test_bulk_status_applies_where_allowed_and_lists_the_rest(client, owner, orders):
    client.force_login(owner)
    services.change_status(orders["sent"], OrderStatus.COMPLETED, user=owner)
    chosen = [orders["unpaid"], orders["prints"], orders["sent"]]
    preview = bulk(client, "status", chosen, target="in_production")
    allowed = {r["order"].name: r["allowed"] for r in preview.context["rows"]}
    assert allowed == {"Unpaid Prints": True, "Paid Prints": True, "File Sent": False}
    bulk(client, "status", chosen, target="cancelled", apply="1")  # no reason: refused
    assert Order.objects.filter(status=OrderStatus.CANCELLED).count() == 0
    bulk(client, "status", chosen, target="cancelled", reason="Duplicate order", apply="1")
    cancelled = Order.objects.filter(status=OrderStatus.CANCELLED)
    assert sorted(o.name for o in cancelled) == ["Paid Prints", "Unpaid Prints"]
    assert Order.objects.get(pk=orders["sent"].pk).status == OrderStatus.COMPLETED
    # Cancelling ends what was still expected: no transfer to confirm any more.
    assert not orders["unpaid"].payments.filter(state=PaymentState.PENDING).exists()


def test_an_assistant_cannot_touch_orders(client, assistant, orders):
    client.force_login(assistant)
    assert client.get(LIST_URL).status_code == 403
    assert bulk(client, "confirm", [orders["unpaid"]]).status_code == 403


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_of_selected_or_filtered_orders(client, owner, orders, buy, galleries):
    client.force_login(owner)
    evil = buy(
        galleries[0], ("IMG_1.JPG", "Digital file", 1), name="=HYPERLINK(\"http://x\")",
        email="evil@example.fr",
    )  # fmt: skip
    url = reverse("backoffice:order_export_csv")
    response = client.post(url, {"order": [evil.pk, orders["prints"].pk]})
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Order", "Date", "Status"]
    names = {row[4] for row in body}
    assert names == {'\'=HYPERLINK("http://x")', "Paid Prints"}  # neutralised
    prints = next(row for row in body if row[4] == "Paid Prints")
    assert prints[8] == "EJF-CP" and prints[12] == "1" and prints[15] == "6.00"
    # Nothing ticked: every order the filters show.
    response = client.post(url, {"query": "kind=digital"})
    assert sorted(row[4] for row in read_csv(response)[1:]) == sorted(
        ["File Sent", "File Stuck", '\'=HYPERLINK("http://x")']
    )


def test_the_lab_zip_holds_the_csv_and_the_prints_at_size(client, owner, orders, buy, galleries):
    client.force_login(owner)
    url = reverse("backoffice:order_lab_export")
    preview = bulk(client, "lab", [orders["prints"], orders["unpaid"]])
    allowed = {r["order"].name: r["allowed"] for r in preview.context["rows"]}
    assert allowed == {"Paid Prints": True, "Unpaid Prints": False}
    response = client.post(url, {"order": [orders["prints"].pk, orders["unpaid"].pk]})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    code = orders["prints"].code
    assert names[0] == "lab-export-1.csv"
    assert names[1:] == [f"EJF-CP/{code}/01-1-print-13-18-x1.jpg"]
    picture = Image.open(archive.open(names[1]))
    assert sorted(picture.size) == [1535, 2126]  # 13 × 18 cm at 300 dpi, cropped to the paper
    listing = archive.read(names[0]).decode("utf-8-sig")
    assert code in listing and orders["unpaid"].code not in listing
    prints = Order.objects.get(pk=orders["prints"].pk)
    assert prints.status == OrderStatus.IN_PRODUCTION
    assert LabExportOrder.objects.get(order=prints).again is False
    # The tile no longer counts it; a second export is possible, and marked as such.
    assert client.get(LIST_URL).context["tiles"]["to_lab"] == 0
    preview = bulk(client, "lab", [prints])
    assert preview.context["rows"][0]["again"]
    client.post(url, {"order": [prints.pk]})
    assert sorted(
        LabExportOrder.objects.filter(order=prints).values_list("export__number", "again")
    ) == [(1, False), (2, True)]


def test_session_and_sponsor_filters_tell_sessions_apart(
    client, owner, orders, organizer, session, new_session
):
    from seance.photos import services as photos
    from seance.photos.selling import group_of

    other_sponsor = photos.create_sponsor(organizer, user=owner, name="Lycée Voltaire")
    prom = new_session(reference="PROM", sponsor=other_sponsor)
    order = Order.objects.create(
        organizer=organizer,
        code="PROMORDER1",
        email="p@example.fr",
        name="Prom Buyer",
        language="fr",
        subtotal=Decimal("9"),
        discount=Decimal("0"),
        total=Decimal("9"),
    )
    order.lines.create(
        kind="photo",
        item="x",
        description="Digital file",
        group=group_of(prom),
        category="digital",
        quantity=1,
        unit_price=Decimal("9"),
        subtotal=Decimal("9"),
        discount=Decimal("0"),
        total=Decimal("9"),
    )
    client.force_login(owner)
    assert listed(client, session=prom.pk) == ["Prom Buyer"]
    assert listed(client, sponsor=other_sponsor.pk) == ["Prom Buyer"]
    assert "Prom Buyer" not in listed(client, sponsor=session.sponsor_id)
    assert len(listed(client, sponsor=session.sponsor_id)) == 4
    assert listed(client, sponsor=other_sponsor.pk, kind="print") == []


def test_a_cancel_reason_too_long_is_refused_by_the_service(client, owner, orders):
    client.force_login(owner)
    bulk(client, "status", [orders["unpaid"]], target="cancelled", reason="x" * 1001, apply="1")
    assert Order.objects.get(pk=orders["unpaid"].pk).status == OrderStatus.PLACED
    bulk(client, "status", [orders["unpaid"]], target="cancelled", reason="x" * 1000, apply="1")
    assert Order.objects.get(pk=orders["unpaid"].pk).status == OrderStatus.CANCELLED
