"""Issue 6's journey: a tile, a bulk payment confirmation, then the lab's ZIP."""

import zipfile

import pytest

from seance.commerce import services
from seance.commerce.models import Order, OrderStatus
from seance.photos.models import Photo
from seance.photos.selling import item_for
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def place(organizer, gallery, photo, product, name):
    cart = services.cart_for(organizer, None)
    services.add_to_cart(
        cart,
        kind="photo",
        item=item_for(gallery.access_code.code, Photo.objects.get(original_name=photo), product),
    )
    return services.place_order(
        cart, email=f"{name.lower()}@example.fr", name=name, delivery_address="1 rue Haute"
    )


def test_tile_bulk_confirm_then_lab_export(
    live_server, page, owner, organizer, galleries, profile, tmp_path
):
    print_ = profile.products.get(name="Print 13 × 18")
    lea, hugo = galleries
    first = place(organizer, lea, "IMG_1.JPG", print_, "Martin")
    second = place(organizer, hugo, "IMG_4.JPG", print_, "Bernard")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", owner.email)
    page.fill("input[name=password]", "secret-pass-1")
    page.click("button:has-text('Log in')")
    page.goto(f"{live_server.url}/backoffice/orders/")
    assert page.locator("[data-tile=to_confirm] .tile-count").inner_text() == "2"
    page.click("[data-tile=to_confirm]")
    page.check("[data-check-all]")
    page.click("button[value=confirm]")
    assert page.input_value(f"input[name=amount-{first.pk}]") == "6.00"
    page.fill(f"input[name=amount-{second.pk}]", "6")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Confirm 2 payments')")
    page.wait_for_selector("text=2 orders updated.")
    assert services.is_paid(first) and services.is_paid(second)
    assert page.locator("[data-tile=to_confirm] .tile-count").inner_text() == "0"

    page.click("[data-tile=to_lab]")
    page.check("[data-check-all]")
    page.click("button[value=lab]")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_download() as download:
        page.click("button:has-text('Download the ZIP of 2 orders')")
    path = tmp_path / "lab.zip"
    download.value.save_as(path)
    names = zipfile.ZipFile(path).namelist()
    assert names[0] == "lab-export-1.csv"
    assert {name.split("/")[1] for name in names[1:]} == {first.code, second.code}
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.IN_PRODUCTION}
