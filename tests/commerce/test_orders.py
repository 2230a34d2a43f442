"""O1, O4, X3: orders freeze what the cart showed; paid is derived from payments."""

from decimal import Decimal

import pytest

from seance.commerce import services
from seance.commerce.errors import CommerceError
from seance.commerce.models import Order, PaymentState
from seance.core.audit import entries_for
from seance.photos.models import Photo
from seance.photos.selling import item_for
from tests.concurrency import at_once
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture


@pytest.fixture
def filled_cart(organizer, galleries, profile):
    lea, hugo = galleries
    cart = services.cart_for(organizer, None)
    services.add_to_cart(
        cart,
        kind="photo",
        quantity=2,
        item=item_for(
            lea.access_code.code,
            Photo.objects.get(original_name="IMG_1.JPG"),
            profile.products.get(name="Print 13 × 18"),
        ),
    )
    services.add_to_cart(
        cart,
        kind="photo",
        item=item_for(
            hugo.access_code.code,
            Photo.objects.get(original_name="IMG_4.JPG"),
            profile.products.get(name="Digital file"),
        ),
    )
    return cart


def place(cart):
    return services.place_order(cart, email="Parent@Example.fr", name="Anne Martin", language="fr")


def test_order_freezes_the_lines_and_empties_the_cart(filled_cart, profile, owner):
    expected = services.cart_view(filled_cart).priced.total
    order = place(filled_cart)
    assert order.total == expected == Decimal("21.00")
    assert [(line.description, line.quantity, line.total) for line in order.lines.all()] == [
        ("Print 13 × 18", 2, Decimal("12.00")),
        ("Digital file", 1, Decimal("9.00")),
    ]
    assert not filled_cart.lines.exists()
    # A later price change does not touch what was ordered.
    from seance.catalog import services as catalog

    catalog.update_product(
        profile.products.get(name="Digital file"), user=owner, price=Decimal("99")
    )
    assert Order.objects.get(pk=order.pk).lines.get(description="Digital file").total == Decimal(
        "9.00"
    )
    assert len(order.code) == 10 and order.email == "parent@example.fr"
    assert entries_for(order).get().action == "seance.order.placed"


def test_an_empty_cart_or_a_double_submit_places_nothing_more(filled_cart):
    place(filled_cart)
    with pytest.raises(CommerceError):
        place(filled_cart)
    assert Order.objects.count() == 1


def test_paid_is_derived_from_confirmed_payments(filled_cart, owner):
    order = place(filled_cart)
    [payment] = order.payments.all()
    assert payment.state == PaymentState.PENDING and payment.amount == order.total
    assert not services.is_paid(order)
    services.confirm_payment(payment, user=owner, amount=Decimal("10.00"))  # partial transfer
    assert services.amount_paid(order) == Decimal("10.00") and not services.is_paid(order)
    with pytest.raises(CommerceError):
        services.confirm_payment(payment, user=owner)  # a second click changes nothing
    assert services.amount_paid(order) == Decimal("10.00")


def test_full_confirmation_pays_the_order(filled_cart, owner):
    order = place(filled_cart)
    services.confirm_payment(order.payments.get(), user=owner)
    assert services.is_paid(order)
    assert entries_for(order).first().data == {"amount": "21.00", "method": "bank_transfer"}


def test_unknown_payment_method_is_refused(filled_cart):
    with pytest.raises(CommerceError):
        services.place_order(filled_cart, email="a@b.fr", name="A", payment_method="cash-in-hand")
    assert filled_cart.lines.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_of_one_cart_at_once_place_one_order(filled_cart):
    """A double tap on "Place the order", or two tabs: one order, the cart emptied once."""
    outcome = at_once(
        lambda: place(filled_cart), lambda: place(filled_cart), refusals=(CommerceError,)
    )
    assert (len(outcome.results), len(outcome.refused)) == (1, 1)
    assert Order.objects.count() == 1
    assert Order.objects.get().lines.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_staff_confirming_one_order_at_once_count_the_money_once(filled_cart, owner):
    """O4's bulk confirm from two screens at once: one payment recorded, not two."""
    order = place(filled_cart)
    order.payments.update(state=PaymentState.FAILED)  # no pending payment: rows get created

    def confirm():
        return services.record_payment(
            order, user=owner, amount=Decimal("21.00"), expected_due=Decimal("21.00")
        )

    outcome = at_once(confirm, confirm, refusals=(CommerceError,))
    assert (len(outcome.results), len(outcome.refused)) == (1, 1)
    assert services.amount_paid(order) == Decimal("21.00")
    assert order.payments.filter(state=PaymentState.CONFIRMED).count() == 1
