"""The fixed cast of the tests: an organizer with an owner, a manager and an assistant, and a
user of another organizer who must get 404 everywhere. State is made through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from seance.catalog import services as catalog
from seance.catalog.models import ProductKind
from seance.core import services as core
from seance.core.models import Role, User
from seance.photos import services as photos


def make_user(email: str, password: str = "secret-pass-1") -> User:
    return User.objects.create_user(email=email, password=password, first_name=email.split("@")[0])


@pytest.fixture
def owner(db):
    return make_user("owner@studio.test")


@pytest.fixture
def organizer(owner):
    organizer = core.create_organizer(name="Studio Lumière", slug="lumiere", owner=owner)
    organizer.bank_transfer_details = "Studio Lumière\nIBAN FR76 3000 6000 0112 3456 7890 189"
    organizer.save(update_fields=["bank_transfer_details"])
    return organizer


@pytest.fixture
def manager(organizer, owner):
    user = make_user("manager@studio.test")
    core.add_team_member(organizer, user=owner, email=user.email, role=Role.MANAGER)
    return user


@pytest.fixture
def assistant(organizer, owner):
    user = make_user("assistant@studio.test")
    core.add_team_member(organizer, user=owner, email=user.email, role=Role.ASSISTANT)
    return user


@pytest.fixture
def stranger(db):
    """The owner of another organizer."""
    user = make_user("owner@other.test")
    core.create_organizer(name="Other Studio", slug="other", owner=user)
    return user


@pytest.fixture
def sponsor(organizer, owner):
    return photos.create_sponsor(organizer, user=owner, name="École Jules Ferry")


@pytest.fixture
def segment(organizer, owner):
    return photos.create_segment(organizer, user=owner, name="Primary school")


@pytest.fixture
def profile(organizer, owner):
    profile = catalog.create_price_profile(organizer, user=owner, name="Schools")
    small = catalog.add_product(
        profile,
        user=owner,
        kind=ProductKind.PRINT,
        name="Print 13 × 18",
        price=Decimal("6.00"),
        width_cm=Decimal("13"),
        height_cm=Decimal("18"),
    )
    catalog.add_product(
        profile, user=owner, kind=ProductKind.DIGITAL, name="Digital file", price=Decimal("9.00")
    )
    package = catalog.add_product(
        profile, user=owner, kind=ProductKind.PACKAGE, name="Family pack", price=Decimal("15.00")
    )
    catalog.set_package_items(package, user=owner, items=[(small, 2)])
    return profile


@pytest.fixture
def today(organizer):
    return photos.today_for(organizer)


@pytest.fixture
def session(organizer, owner, sponsor, segment, profile, today):
    return photos.create_session(
        organizer,
        user=owner,
        name="École Jules Ferry — CP",
        reference="EJF-CP",
        shooting_date=today + dt.timedelta(days=10),
        segment=segment,
        sponsor=sponsor,
        expected_subjects=28,
        price_profile=profile,
        watermark_text="Studio Lumière",
    )


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and the like start from zero in every test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_factory():
    """New browsers (own cookies), all from the same address as the test client."""
    from django.test import Client

    return Client


@pytest.fixture
def new_session(organizer, owner, segment, sponsor, today):
    """Another session of the organizer: ``new_session(reference="X", **settings)``."""

    def make(*, reference: str, **fields):
        values = {
            "name": reference,
            "shooting_date": today,
            "segment": segment,
            "sponsor": sponsor,
            "watermark_text": "x",
        }
        values.update(fields)
        return photos.create_session(organizer, user=owner, reference=reference, **values)

    return make
