"""Issue 6 item 5, O4, O6, O7: the actions on one order's page (next status, cancelling
with a reason, sending an email again) and its deliveries panel (emails, lab exports)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from seance.commerce import services
from seance.commerce.models import Order, OrderStatus, PaymentState
from seance.comms.models import Message
from seance.core.audit import entries_for
from seance.core.models import LogEntry
from seance.photos.models import Photo
from seance.photos.selling import item_for
from tests.backoffice.test_orders import bank_transfers, detail_url, order, place  # noqa: F401
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture


def status_url(order):
    return reverse("backoffice:order_status", kwargs={"order": order.pk})


def resend_url(order, email):
    return reverse("backoffice:order_resend", kwargs={"order": order.pk, "email": email})


@pytest.fixture
def digital_order(organizer, galleries, profile, bank_transfers):
    """An order of Léa's photo as a digital file (9.00), by bank transfer, not paid yet."""
    photo = Photo.objects.get(original_name="IMG_1.JPG")
    product = profile.products.get(name="Digital file")
    cart = services.cart_for(organizer, None)
    services.add_to_cart(
        cart, kind="photo", item=item_for(galleries[0].access_code.code, photo, product)
    )
    return services.place_order(cart, email="leo@example.fr", name="Léo Petit", language="fr")


def status_of(order):
    return Order.objects.get(pk=order.pk).status


# --- moving the order along -----------------------------------------------------------------


def test_the_page_offers_the_next_statuses(client, owner, order):
    client.force_login(owner)
    page = client.get(detail_url(order))
    assert [s for s, _label in page.context["next_statuses"]] == [
        OrderStatus.IN_PRODUCTION,
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
    ]
    assert page.context["can_cancel"]
    body = page.content.decode()
    assert status_url(order) in body and "Cancel the order" in body
    assert body.count("data-confirm") >= 4  # each move, cancelling and each email asks first


def test_move_to_the_next_status(client, manager, order):
    client.force_login(manager)

    response = client.post(status_url(order), {"status": "in_production"}, follow=True)

    assert response.redirect_chain == [(detail_url(order), 302)]
    assert status_of(order) == OrderStatus.IN_PRODUCTION
    assert f"Order {order.code} is now “At the lab”" in response.content.decode()
    entry = entries_for(order).first()
    assert entry.action == "seance.order.status_changed" and entry.user == manager
    assert entry.data == {"status": ["placed", "in_production"]}
    assert [s for s, _label in response.context["next_statuses"]] == [
        OrderStatus.SHIPPED,
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
    ]
    # The history reads as people speak: labels, not stored values.
    assert "Status changed" in response.content.decode()
    assert "New</td>" in response.content.decode()


def test_cancelling_needs_a_reason(client, owner, order):
    client.force_login(owner)
    logged = LogEntry.objects.count()

    response = client.post(status_url(order), {"status": "cancelled", "reason": "  "}, follow=True)

    assert "Say why the order is cancelled." in response.content.decode()
    assert status_of(order) == OrderStatus.PLACED
    assert order.payments.get().state == PaymentState.PENDING
    assert LogEntry.objects.count() == logged


def test_cancelling_fails_pending_payments_and_shows_the_reason(client, owner, order):
    client.force_login(owner)

    response = client.post(
        status_url(order),
        {"status": "cancelled", "reason": "Ordered twice <by mistake>"},
        follow=True,
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "Ordered twice <by mistake>"
    assert order.payments.get().state == PaymentState.FAILED
    body = response.content.decode()
    assert f"Order {order.code} is cancelled." in body
    assert "Ordered twice &lt;by mistake&gt;" in body and "<by mistake>" not in body
    assert entries_for(order).first().data["reason"] == "Ordered twice <by mistake>"
    # Final: nothing more to offer, not even the confirmation (it asks for a payment).
    assert response.context["next_statuses"] == []
    assert response.context["can_resend"] == {"order_placed": False, "files_ready": False}
    assert "This status is final." in body and "Cancel the order" not in body


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (["completed"], "placed"),
        (["cancelled"], "in_production"),
        (["cancelled"], "completed"),
        (["in_production", "shipped"], "in_production"),
        (["in_production", "shipped"], "cancelled"),
        ([], "shipped"),  # shipped before it was at the lab
        ([], "placed"),
    ],
)
def test_refused_moves_change_nothing(client, owner, order, path, target):
    for status in path:
        services.change_status(order, status, user=owner, reason="Test")
    before = (status_of(order), LogEntry.objects.count())
    client.force_login(owner)

    response = client.post(status_url(order), {"status": target, "reason": "Why not"}, follow=True)

    assert response.status_code == 200
    assert "cannot become" in response.content.decode()
    assert (status_of(order), LogEntry.objects.count()) == before


def test_an_unknown_status_is_refused(client, owner, order):
    client.force_login(owner)
    response = client.post(status_url(order), {"status": "lost"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert status_of(order) == OrderStatus.PLACED


def test_a_page_left_open_does_not_undo_a_colleagues_move(client, owner, manager, order):
    services.change_status(order, "completed", user=manager)  # meanwhile, a colleague
    client.force_login(owner)
    response = client.post(status_url(order), {"status": "in_production"}, follow=True)
    assert "cannot become" in response.content.decode()
    assert status_of(order) == OrderStatus.COMPLETED


# --- sending an email again -----------------------------------------------------------------


def test_resend_the_confirmation(
    client, owner, order, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend_url(order, "order_placed"))

    response = client.get(detail_url(order))
    assert f"sent again to {order.email}" in response.content.decode()
    [again] = mailoutbox  # the first one was not sent: its commit callback did not run here
    assert again.to == [order.email] and order.code in again.subject
    keys = set(Message.objects.values_list("key", flat=True))
    assert keys == {f"order:{order.code}:order_placed", f"order:{order.code}:order_placed:again:1"}
    entry = entries_for(order).first()
    assert entry.action == "seance.order.email_resent" and entry.user == owner
    assert entry.data == {"email": "order_placed"}
    body = response.content.decode()
    assert "Email sent again" in body and "Order confirmation" in body
    emails = response.context["emails"]
    assert [(e.template, e.again, e.state) for e in emails] == [
        ("order_placed", True, "sent"),
        ("order_placed", False, "pending"),
    ]


def test_each_click_sends_one_more(
    client, owner, order, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend_url(order, "order_placed"))
        client.post(resend_url(order, "order_placed"))
    assert len(mailoutbox) == 2
    assert Message.objects.filter(key__startswith=f"order:{order.code}:").count() == 3


def test_resend_the_download_links_once_paid(
    client, owner, digital_order, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    page = client.get(detail_url(digital_order))
    assert page.context["has_files"] and not page.context["downloads_available"]
    assert "Send the download links again" not in page.content.decode()
    logged = LogEntry.objects.count()

    refused = client.post(resend_url(digital_order, "files_ready"), follow=True)

    assert "no files to download" in refused.content.decode()
    assert LogEntry.objects.count() == logged and not mailoutbox

    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_payment(digital_order.payments.get(), user=owner)
    sent = len(mailoutbox)  # payment received, download links
    page = client.get(detail_url(digital_order))
    assert page.context["downloads_available"]
    assert "Send the download links again" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend_url(digital_order, "files_ready"))

    assert len(mailoutbox) == sent + 1
    assert mailoutbox[-1].to == ["leo@example.fr"] and "/download/" in mailoutbox[-1].body
    assert entries_for(digital_order).first().data == {"email": "files_ready"}


def test_an_unknown_email_is_a_404(client, owner, order):
    client.force_login(owner)
    assert client.post(resend_url(order, "payment_received")).status_code == 404
    assert client.post(resend_url(order, "nonsense")).status_code == 404
    assert Message.objects.count() == 1


# --- who may, and how ----------------------------------------------------------------------


def test_assistants_may_not(client, assistant, order):
    client.force_login(assistant)
    assert client.post(status_url(order), {"status": "completed"}).status_code == 403
    assert client.post(resend_url(order, "order_placed")).status_code == 403
    assert status_of(order) == OrderStatus.PLACED and Message.objects.count() == 1


def test_another_organizers_order_is_a_404(client, stranger, order):
    client.force_login(stranger)
    reason = {"status": "cancelled", "reason": "Hijacked"}
    assert client.post(status_url(order), reason).status_code == 404
    assert client.post(resend_url(order, "order_placed")).status_code == 404
    assert status_of(order) == OrderStatus.PLACED and Message.objects.count() == 1


def test_actions_take_a_post(client, owner, order):
    client.force_login(owner)
    assert client.get(status_url(order)).status_code == 405
    assert client.get(resend_url(order, "order_placed")).status_code == 405
    assert status_of(order) == OrderStatus.PLACED and Message.objects.count() == 1


# --- the deliveries panel -------------------------------------------------------------------


def test_lab_exports_are_listed(client, owner, manager, order):
    services.confirm_payment(order.payments.get(), user=owner)
    services.record_lab_export(order.organizer, [order], user=owner)
    services.record_lab_export(order.organizer, [order], user=manager)
    client.force_login(owner)

    page = client.get(detail_url(order))

    rows = [(r.export.number, r.again, r.export.created_by) for r in page.context["lab_exports"]]
    assert rows == [(2, True, manager), (1, False, owner)]
    body = page.content.decode()
    assert "Sent to the lab" in body and "Exported again" in body
    assert status_of(order) == OrderStatus.IN_PRODUCTION


def test_a_digital_order_has_nothing_for_the_lab(client, owner, digital_order):
    client.force_login(owner)
    page = client.get(detail_url(digital_order))
    assert not page.context["has_prints"] and page.context["lab_exports"] == []
    assert "this order has no prints" in page.content.decode()


def test_detail_query_count_is_pinned(
    client, owner, manager, order, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_payment(order.payments.get(), user=owner, amount=Decimal("12.00"))
        for _ in range(3):
            services.resend_email(order, "order_placed", user=owner)
    for user in (owner, manager, owner):
        services.record_lab_export(order.organizer, [order], user=user)
    client.force_login(owner)

    # The order page's own (session, user, membership, order, lines, payments, history)
    # and the extras: the emails, the lab exports, what the order delivers. Not per row.
    with django_assert_max_num_queries(11):
        page = client.get(detail_url(order))

    assert len(page.context["emails"]) == 5 and len(page.context["lab_exports"]) == 3
