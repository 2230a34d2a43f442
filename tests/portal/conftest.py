"""The portal's cast: the conftest's sponsor ("École Jules Ferry", its contact allowed to see
sales) with one session on sale of two classes, and a rival sponsor of the same studio."""

import re

import pytest
from django.urls import reverse

from seance.commerce import services as commerce
from seance.comms.models import Message
from seance.photos import services as photos
from seance.photos.models import Photo, SessionStatus
from seance.photos.selling import item_for
from seance.portal import links
from seance.portal.services import send_portal_link
from tests.photos.fakes import camera_jpeg
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture

CONTACT_EMAIL = "direction@ejf.test"


@pytest.fixture
def contact(sponsor, owner):
    """The conftest's sponsor, whose contact person may see sales."""
    return photos.update_sponsor(
        sponsor,
        user=owner,
        contact_name="Mme Durand",
        contact_email=CONTACT_EMAIL,
        may_see_sales=True,
    )


@pytest.fixture
def stock(owner):
    """``stock(session, {"CP-A": ["Léa Dupont", …]})``: one gallery per pupil, named after
    them, in an album per class; the session goes on sale. Galleries by name."""
    seeds = iter(range(1000, 100_000))

    def make(session, classes: dict[str, list[str]]) -> dict:
        galleries = {}
        for album_name, pupils in classes.items():
            album = photos.get_or_create_album(session, album_name)
            for name in pupils:
                photo = photos.ingest_photo(
                    session, album=album, filename=f"{name}.jpg", data=camera_jpeg(seed=next(seeds))
                ).photo
                galleries[name] = photos.create_gallery_by_hand(
                    session, user=owner, photos=[photo], name=name
                )
        photos.change_session_status(session, SessionStatus.ON_SALE, user=owner)
        return galleries

    return make


@pytest.fixture
def school(contact, session, stock):
    """The sponsor's session, on sale: CP-A of three pupils, CP-B of three."""
    return stock(
        session,
        {
            "CP-A": ["Léa Dupont", "Hugo Bernard", "Inès Moreau"],
            "CP-B": ["Noah Petit", "Jade Roux", "Tom Garnier"],
        },
    )


@pytest.fixture
def rival(organizer, owner, new_session, profile, stock):
    """Another sponsor of the same studio, its contact allowed too, with one pupil."""
    other = photos.create_sponsor(
        organizer,
        user=owner,
        name="Lycée Rival",
        contact_email="head@rival.test",
        may_see_sales=True,
    )
    session = new_session(
        reference="RIVAL-T", name="Lycée Rival — Terminale", sponsor=other, price_profile=profile
    )
    galleries = stock(session, {"T1": ["Zoé Rival"]})
    return {"sponsor": other, "session": session, "galleries": galleries}


@pytest.fixture
def buy(organizer, profile, owner):
    """``buy((gallery, "Print 13 × 18", 2), …, name=…, email=…, paid=True)``: an order."""

    def make(*lines, name="Anne Martin", email="anne.martin@example.fr", paid=False):
        cart = commerce.cart_for(organizer, None)
        for gallery, product, quantity in lines:
            photo = Photo.objects.filter(gallery=gallery).first()
            commerce.add_to_cart(
                cart,
                kind="photo",
                quantity=quantity,
                item=item_for(gallery.access_code.code, photo, profile.products.get(name=product)),
            )
        order = commerce.place_order(cart, email=email, name=name, language="fr")
        if paid:
            commerce.confirm_payment(order.payments.get(), user=owner)
        return order

    return make


def emailed_link(sponsor) -> str:
    """The path of the newest sales-tracking link emailed to the sponsor's contact."""
    message = Message.objects.filter(key__startswith=f"portal:{sponsor.pk}:").first()
    assert message is not None, "no sales-tracking email"
    url = re.search(r"https?://\S+/portal/\S+/", message.body).group(0)
    return url[url.index("/portal/") :]


def token_path(sponsor, *, version: int = 1, email: str | None = None) -> str:
    token = links.make_token(
        sponsor_id=sponsor.pk, version=version, email=email or sponsor.contact_email
    )
    return reverse("portal:link", kwargs={"token": token})


@pytest.fixture
def signed_in(client, contact, owner):
    """The test client, signed in to the portal by the emailed link."""
    send_portal_link(contact, user=owner)
    response = client.post(emailed_link(contact))
    assert response.status_code == 302 and response["Location"] == reverse("portal:dashboard")
    return client
