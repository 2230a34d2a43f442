"""O1, O4, O7, X1, X3: the staff's order list and order page, and confirming a payment."""

from decimal import Decimal

import pytest
from django.urls import reverse

from seance.commerce import services
from seance.commerce.models import Payment, PaymentState
from seance.core.audit import entries_for
from seance.core.models import LogEntry
from seance.photos.models import Photo
from seance.photos.selling import item_for
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture


@pytest.fixture
def bank_transfers(organizer):
    # Set on the model: the settings service does not take this field yet.
    organizer.bank_transfer_details = "Studio Lumière — IBAN FR76 3000 6000 0112 3456 7890 189"
    organizer.save(update_fields=["bank_transfer_details"])
    return organizer


@pytest.fixture
def place(organizer, galleries, profile, bank_transfers):
    """``place(name=…, email=…, prints=n)``: an order of ``n`` prints at 6.00 from Léa's
    gallery, paid by bank transfer (a pending payment of its total)."""
    lea = galleries[0]
    photo = Photo.objects.get(original_name="IMG_1.JPG")
    product = profile.products.get(name="Print 13 × 18")

    def make(*, name="Anne Martin", email="anne@example.fr", prints=2, **fields):
        cart = services.cart_for(organizer, None)
        services.add_to_cart(
            cart, kind="photo", quantity=prints, item=item_for(lea.access_code.code, photo, product)
        )
        return services.place_order(cart, email=email, name=name, language="fr", **fields)

    return make


@pytest.fixture
def order(place):
    return place(delivery_address="3 rue des Lilas\n75011 Paris", phone="+33 6 12 34 56 78")


def confirm_url(order, payment=None):
    payment = payment or order.payments.get()
    return reverse("backoffice:payment_confirm", kwargs={"order": order.pk, "payment": payment.pk})


def detail_url(order):
    return reverse("backoffice:order_detail", kwargs={"order": order.pk})


LIST_URL = reverse("backoffice:order_list")


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_list_and_detail_show_the_order(client, request, who, order):
    client.force_login(request.getfixturevalue(who))

    listing = client.get(LIST_URL)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert order.code in body and "Anne Martin" in body and "anne@example.fr" in body
    assert "12.00" in body and "Awaiting payment" in body

    page = client.get(detail_url(order))
    assert page.status_code == 200
    body = page.content.decode()
    for shown in ("Print 13 × 18", "3 rue des Lilas", "+33 6 12 34 56 78", "Bank transfer"):
        assert shown in body
    assert page.context["remaining"] == Decimal("12.00")
    assert b"Confirm payment" in page.content and b"data-confirm" in page.content


def test_assistants_see_no_orders_nor_money(client, assistant, order):
    client.force_login(assistant)
    assert client.get(LIST_URL).status_code == 403
    assert client.get(detail_url(order)).status_code == 403
    amount = {f"payment-{order.payments.get().pk}-amount": "12"}
    assert client.post(confirm_url(order), amount).status_code == 403
    assert order.payments.get().state == PaymentState.PENDING
    assert b"/orders/" not in client.get(reverse("backoffice:session_list")).content


def test_owner_sees_orders_in_the_nav(client, owner, organizer):
    client.force_login(owner)
    assert LIST_URL.encode() in client.get(reverse("backoffice:session_list")).content


def test_another_organizers_order_is_a_404(client, stranger, order):
    client.force_login(stranger)
    assert client.get(detail_url(order)).status_code == 404
    assert order.code not in client.get(LIST_URL).content.decode()
    assert client.post(confirm_url(order), {"amount": "12"}).status_code == 404
    assert order.payments.get().state == PaymentState.PENDING


def test_a_payment_of_another_order_is_a_404(client, owner, place):
    first, second = place(name="First"), place(name="Second")
    client.force_login(owner)
    mismatched = reverse(
        "backoffice:payment_confirm",
        kwargs={"order": first.pk, "payment": second.payments.get().pk},
    )
    assert client.post(mismatched, {"amount": "12"}).status_code == 404
    assert not Payment.objects.filter(state=PaymentState.CONFIRMED).exists()


def test_filter_payments_to_confirm(client, owner, place):
    waiting, paid = place(name="Waiting Family"), place(name="Paid Family")
    services.confirm_payment(paid.payments.get(), user=owner)
    client.force_login(owner)

    response = client.get(LIST_URL, {"todo": "to_confirm"})
    assert [o.code for o in response.context["page"]] == [waiting.code]
    assert response.context["tiles"]["to_confirm"] == 1
    everything = client.get(LIST_URL).context["page"]
    assert {o.code: o.payment_state for o in everything} == {
        waiting.code: "awaiting",
        paid.code: "paid",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [("lefebvre", ["Léo Lefebvre"]), ("MARTIN@", ["Anne Martin"]), ("", None)],
)
def test_search_by_name_email_or_code(client, owner, place, query, expected):
    anne = place(name="Anne Martin", email="anne.martin@example.fr")
    leo = place(name="Léo Lefebvre", email="leo@example.fr")
    client.force_login(owner)

    found = [o.name for o in client.get(LIST_URL, {"q": query}).context["page"]]
    assert found == (expected or ["Léo Lefebvre", "Anne Martin"])
    by_code = client.get(LIST_URL, {"q": leo.code.lower()}).context["page"]
    assert [o.code for o in by_code] == [leo.code] and anne.code != leo.code


def test_confirm_a_partial_transfer(client, owner, order):
    client.force_login(owner)
    payment = order.payments.get()

    response = client.post(confirm_url(order), {f"payment-{payment.pk}-amount": "10.50"})

    assert response.status_code == 302 and response["Location"] == detail_url(order)
    payment.refresh_from_db()
    assert payment.state == PaymentState.CONFIRMED and payment.amount == Decimal("10.50")
    assert services.amount_paid(order) == Decimal("10.50")
    entry = entries_for(order).first()
    assert entry.action == "seance.order.payment_confirmed" and entry.user == owner
    assert entry.data["amount"] == "10.50"
    page = client.get(detail_url(order))
    assert "Payment of 10.50" in page.content.decode()  # the success message
    assert "Partly paid" in page.content.decode()
    assert page.context["remaining"] == Decimal("1.50")
    # The rest is still expected: a pending payment of 1.50 to confirm when it arrives.
    rest = order.payments.get(state=PaymentState.PENDING)
    assert rest.amount == Decimal("1.50") and rest.provider == payment.provider
    client.post(confirm_url(order, rest), {f"payment-{rest.pk}-amount": "1.50"})
    assert services.is_paid(order)


def test_confirm_the_expected_amount_pays_the_order(client, manager, order):
    client.force_login(manager)
    payment = order.payments.get()
    client.post(confirm_url(order), {f"payment-{payment.pk}-amount": "12"})
    assert services.is_paid(order)
    assert entries_for(order).first().data["amount"] == "12.00"
    listing = client.get(LIST_URL).context["page"]
    assert [o.payment_state for o in listing] == ["paid"]


def test_a_second_confirmation_changes_nothing(client, owner, manager, order):
    payment = order.payments.get()
    services.confirm_payment(payment, user=manager, amount=Decimal("12.00"))  # a colleague
    logged = LogEntry.objects.count()
    client.force_login(owner)

    response = client.post(
        confirm_url(order), {f"payment-{payment.pk}-amount": "5.00"}, follow=True
    )

    assert response.status_code == 200
    assert "not waiting for confirmation" in response.content.decode()
    payment.refresh_from_db()
    assert payment.amount == Decimal("12.00") and LogEntry.objects.count() == logged


@pytest.mark.parametrize("amount", ["0", "-3", "abc", "", "1.234", "1e999"])
def test_a_wrong_amount_is_refused_on_the_form(client, owner, order, amount):
    client.force_login(owner)
    payment = order.payments.get()
    logged = LogEntry.objects.count()

    response = client.post(confirm_url(order), {f"payment-{payment.pk}-amount": amount})

    assert response.status_code == 200
    assert payment.pk in [p.pk for p in response.context["payments"]]
    [shown] = [p for p in response.context["payments"] if p.pk == payment.pk]
    assert shown.confirm_form.errors
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and payment.amount == Decimal("12.00")
    assert LogEntry.objects.count() == logged


def test_confirming_takes_a_post(client, owner, order):
    client.force_login(owner)
    assert client.get(confirm_url(order)).status_code == 405
    assert order.payments.get().state == PaymentState.PENDING


def test_list_query_count_is_pinned(client, owner, place, django_assert_max_num_queries):
    orders = [place(name=f"Family {i}", prints=1 + i % 3) for i in range(12)]
    for o in orders[:4]:
        services.confirm_payment(o.payments.get(), user=owner, amount=Decimal("1.00"))
    client.force_login(owner)
    # Session, user, membership, sidebar; count, the page's ids, their orders, three tiles,
    # the session and sponsor filters' choices: not per order.
    with django_assert_max_num_queries(12):
        response = client.get(LIST_URL)
    assert len(response.context["page"]) == 12
    with django_assert_max_num_queries(12):
        client.get(LIST_URL, {"todo": "to_confirm", "q": "family"})
