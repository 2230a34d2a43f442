"""Q6, P8: one cart across galleries; photo products priced by the one pricing function."""

import datetime as dt
from decimal import Decimal

import pytest

from seance.commerce import services
from seance.commerce.errors import CommerceError
from seance.photos import services as photos
from seance.photos.models import Photo, SessionStatus
from seance.photos.selling import item_for
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture


@pytest.fixture
def cart(organizer):
    return services.cart_for(organizer, None)


def product(profile, name):
    return profile.products.get(name=name)


def test_one_cart_across_two_galleries(cart, galleries, profile):
    lea, hugo = galleries
    print_ = product(profile, "Print 13 × 18")
    services.add_to_cart(
        cart,
        kind="photo",
        item=item_for(lea.access_code.code, Photo.objects.get(original_name="IMG_1.JPG"), print_),
    )
    services.add_to_cart(
        cart,
        kind="photo",
        item=item_for(hugo.access_code.code, Photo.objects.get(original_name="IMG_4.JPG"), print_),
        quantity=2,
    )
    view = services.cart_view(cart)
    assert [(line.quantity, priced.total) for line, _offer, priced in view.lines] == [
        (1, Decimal("6.00")),
        (2, Decimal("12.00")),
    ]
    assert view.priced.total == Decimal("18.00")


def test_the_same_item_twice_is_one_line(cart, galleries, profile):
    lea = galleries[0]
    item = item_for(
        lea.access_code.code,
        Photo.objects.get(original_name="IMG_1.JPG"),
        product(profile, "Digital file"),
    )
    services.add_to_cart(cart, kind="photo", item=item)
    services.add_to_cart(cart, kind="photo", item=item)
    assert [line.quantity for line in cart.lines.all()] == [2]


def test_a_photo_of_another_gallery_is_refused_even_with_a_valid_code(cart, galleries, profile):
    lea = galleries[0]
    hugos = Photo.objects.get(original_name="IMG_4.JPG")
    with pytest.raises(CommerceError):
        services.add_to_cart(
            cart,
            kind="photo",
            item=item_for(lea.access_code.code, hugos, product(profile, "Digital file")),
        )
    assert not cart.lines.exists()


def test_items_of_another_organizer_are_refused(galleries, profile, stranger):
    other_cart = services.cart_for(stranger.memberships.get().organizer, None)
    lea = galleries[0]
    item = item_for(
        lea.access_code.code,
        Photo.objects.get(original_name="IMG_1.JPG"),
        product(profile, "Digital file"),
    )
    with pytest.raises(CommerceError):
        services.add_to_cart(other_cart, kind="photo", item=item)


@pytest.mark.parametrize("item", ["", "x", "a:b:c", "A:B:notanumber", "::1"])
def test_forged_items_are_refused(cart, galleries, item):
    with pytest.raises(CommerceError):
        services.add_to_cart(cart, kind="photo", item=item)


def test_the_session_discount_applies_until_its_day_ends(cart, galleries, profile, session, owner):
    session.discount_kind = "percent"
    session.discount_value = Decimal("10")
    session.discount_until = photos.today_for(session.organizer) + dt.timedelta(days=3)
    session.save()
    lea = galleries[0]
    services.add_to_cart(
        cart,
        kind="photo",
        item=item_for(
            lea.access_code.code,
            Photo.objects.get(original_name="IMG_1.JPG"),
            product(profile, "Digital file"),
        ),
    )
    view = services.cart_view(cart)
    assert (view.priced.discount, view.priced.total) == (Decimal("0.90"), Decimal("8.10"))


def test_lines_no_longer_for_sale_are_dropped_from_the_view(
    cart, galleries, profile, session, owner
):
    lea = galleries[0]
    services.add_to_cart(
        cart,
        kind="photo",
        item=item_for(
            lea.access_code.code,
            Photo.objects.get(original_name="IMG_1.JPG"),
            product(profile, "Digital file"),
        ),
    )
    photos.change_session_status(session, SessionStatus.ARCHIVED, user=owner)
    view = services.cart_view(cart)
    assert view.lines == [] and len(view.dropped) == 1 and view.priced.total == Decimal("0.00")


def test_cart_is_found_again_by_its_token(cart, organizer):
    assert services.cart_for(organizer, cart.token) == cart
    assert services.cart_for(organizer, "forged") != cart


def test_tick_forgets_carts_untouched_for_thirty_days(cart, galleries, profile, organizer):
    import time_machine
    from django.utils import timezone

    from seance.commerce.models import Cart
    from seance.core.tick import run_tick

    services.add_to_cart(
        cart,
        kind="photo",
        item=item_for(
            galleries[0].access_code.code,
            Photo.objects.get(original_name="IMG_1.JPG"),
            product(profile, "Digital file"),
        ),
    )
    fresh = services.cart_for(organizer, None)
    with time_machine.travel(timezone.now() + dt.timedelta(days=20)):
        services.add_to_cart(  # used again: kept for another thirty days
            fresh,
            kind="photo",
            item=item_for(
                galleries[0].access_code.code,
                Photo.objects.get(original_name="IMG_2.JPG"),
                product(profile, "Digital file"),
            ),
        )
    later = timezone.now() + dt.timedelta(days=31)
    assert run_tick(now=later).done["commerce.carts"] == ["1 old cart(s) deleted"]
    assert list(Cart.objects.all()) == [fresh]
    assert run_tick(now=later).done["commerce.carts"] == []
