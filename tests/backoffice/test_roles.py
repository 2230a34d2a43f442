"""X1: roles limit what staff may do. Denied pages answer 403 and change nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from seance.catalog.models import Product


@pytest.fixture
def as_assistant(client, assistant):
    client.force_login(assistant)
    return client


def test_assistant_works_on_sessions(as_assistant, session):
    assert as_assistant.get(reverse("backoffice:session_list")).status_code == 200
    assert (
        as_assistant.get(
            reverse("backoffice:session_edit", kwargs={"session": session.pk})
        ).status_code
        == 200
    )


def test_assistant_sees_price_profiles_without_edit_links(as_assistant, profile):
    response = as_assistant.get(
        reverse("backoffice:profile_detail", kwargs={"profile": profile.pk})
    )
    assert response.status_code == 200
    assert (
        reverse("backoffice:product_create", kwargs={"profile": profile.pk})
        not in response.content.decode()
    )


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("profile_create", {}),
        ("profile_edit", {"profile": None}),
        ("product_create", {"profile": None}),
        ("product_edit", {"profile": None, "product": None}),
        ("product_delete", {"profile": None, "product": None}),
        ("package_items", {"profile": None, "product": None}),
        ("session_export", {}),
        ("team_list", {}),
        ("organizer_settings", {}),
    ],
)
def test_assistant_cannot_edit_prices_export_or_manage(as_assistant, profile, name, kwargs):
    product = profile.products.get(name="Digital file")
    filled = {k: {"profile": profile.pk, "product": product.pk}[k] for k in kwargs}
    url = reverse(f"backoffice:{name}", kwargs=filled)
    assert as_assistant.get(url).status_code == 403
    assert (
        as_assistant.post(url, {"price": "0.01", "name": "x", "kind": "digital"}).status_code == 403
    )
    product.refresh_from_db()
    assert product.price == Decimal("9.00")
    assert Product.objects.filter(pk=product.pk).exists()


@pytest.mark.parametrize("name", ["team_list", "organizer_settings"])
def test_manager_cannot_manage_team_or_settings(client, manager, name):
    client.force_login(manager)
    assert client.get(reverse(f"backoffice:{name}")).status_code == 403


def test_manager_may_edit_prices(client, manager, profile):
    client.force_login(manager)
    product = profile.products.get(name="Digital file")
    response = client.post(
        reverse("backoffice:product_edit", kwargs={"profile": profile.pk, "product": product.pk}),
        {
            "kind": "digital",
            "name": "Digital file",
            "price": "11.00",
            "position": "2",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.price == Decimal("11.00")


def test_negative_price_in_the_form_is_refused(client, owner, profile):
    client.force_login(owner)
    response = client.post(
        reverse("backoffice:product_create", kwargs={"profile": profile.pk}),
        {"kind": "digital", "name": "Cheap", "price": "-1", "position": "9", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "price" in response.context["form"].errors
    assert not profile.products.filter(name="Cheap").exists()


def test_last_owner_cannot_leave_or_be_demoted(client, owner, organizer):
    client.force_login(owner)
    membership = owner.memberships.get()
    response = client.post(
        reverse("backoffice:member_role", kwargs={"member": membership.pk}),
        {"role": "assistant"},
        follow=True,
    )
    membership.refresh_from_db()
    assert membership.role == "owner"
    assert "at least one owner" in response.content.decode()
    client.post(reverse("backoffice:member_remove", kwargs={"member": membership.pk}))
    assert owner.memberships.exists()
