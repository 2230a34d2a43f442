from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from seance.catalog import services
from seance.catalog.models import Product, ProductKind
from seance.core.audit import entries_for


def test_negative_price_is_refused(profile, owner):
    count = profile.products.count()
    with pytest.raises(ValidationError) as e:
        services.add_product(
            profile, user=owner, kind=ProductKind.DIGITAL, name="Bad", price=Decimal("-0.01")
        )
    assert "price" in e.value.message_dict
    assert profile.products.count() == count


def test_price_change_is_logged_on_the_profile(profile, owner):
    product = profile.products.get(name="Digital file")
    services.update_product(product, user=owner, price=Decimal("10.50"))
    entry = entries_for(profile).first()
    assert entry.action == "seance.price_profile.product_changed"
    assert entry.data == {"product": "Digital file", "price": ["9.00", "10.50"]}


def test_a_print_needs_its_size(profile, owner):
    with pytest.raises(ValidationError) as e:
        services.add_product(
            profile, user=owner, kind=ProductKind.PRINT, name="Print", price=Decimal("5")
        )
    assert {"width_cm", "height_cm"} <= set(e.value.message_dict)


def test_digital_files_carry_no_size(profile, owner):
    product = services.add_product(
        profile,
        user=owner,
        kind=ProductKind.DIGITAL,
        name="File",
        price=Decimal("5"),
        width_cm=Decimal("10"),
    )
    assert product.width_cm is None


def test_package_holds_products_of_its_own_profile(organizer, owner, profile):
    package = profile.products.get(kind=ProductKind.PACKAGE)
    other = services.create_price_profile(organizer, user=owner, name="Other")
    foreign = services.add_product(
        other, user=owner, kind=ProductKind.DIGITAL, name="File", price=Decimal("1")
    )
    with pytest.raises(ValidationError):
        services.set_package_items(package, user=owner, items=[(foreign, 1)])
    assert [(i.product.name, i.quantity) for i in package.items.all()] == [("Print 13 × 18", 2)]


def test_product_in_a_package_cannot_be_removed(profile, owner):
    small = profile.products.get(name="Print 13 × 18")
    with pytest.raises(ValidationError):
        services.remove_product(small, user=owner)
    assert Product.objects.filter(pk=small.pk).exists()
    services.remove_product(profile.products.get(name="Digital file"), user=owner)
    assert entries_for(profile).first().action == "seance.price_profile.product_removed"


def test_profile_names_are_unique_per_organizer(organizer, owner, profile):
    with pytest.raises(ValidationError):
        services.create_price_profile(organizer, user=owner, name="schools")
