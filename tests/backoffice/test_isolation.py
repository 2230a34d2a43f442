"""X1: tenants are isolated. Every back-office URL is listed from the URLconf, so a new page
is covered the day it is added: filled with real ids of one organizer and called by the owner
of another, it answers 404 (or 405 for a GET on a POST-only action, which says nothing about
the id) and changes nothing."""

import pytest
from django.urls import URLPattern, reverse

from seance.backoffice import urls as backoffice_urls
from seance.core.models import LogEntry, Membership
from seance.photos.models import Session
from tests.backoffice.test_orders import bank_transfers, order, place  # noqa: F401 - fixtures
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture

PATTERNS = [p for p in backoffice_urls.urlpatterns if isinstance(p, URLPattern)]
WITH_IDS = [p for p in PATTERNS if p.pattern.converters]
WITHOUT_IDS = [p for p in PATTERNS if not p.pattern.converters]
NOT_IDS = {"kind", "email"}  # names of a file or an email, the same for every organizer


@pytest.fixture
def ids(session, profile, assistant, organizer, owner, order):
    """The organizer's real objects, by the name the URLconf gives their id."""
    from seance.comms import plans
    from seance.photos.services import add_cards, get_or_create_album, ingest_photo
    from tests.photos.fakes import camera_jpeg

    [card] = add_cards(session, user=owner, count=1)
    template = plans.create_template(
        organizer, user=owner, name="Online", channel="email", texts={"en": ("Hi", "Hello")}
    )
    plan = plans.create_plan(organizer, user=owner, name="Standard")
    rule = plans.add_rule(plan, user=owner, trigger="gallery_published", template=template)
    album = get_or_create_album(session, "CP-A")
    photo = ingest_photo(session, album=album, data=camera_jpeg(), filename="a.jpg").photo
    return {
        "kind": "thumb",
        "photo": photo.pk,
        "card": card.pk,
        "session": session.pk,
        "sponsor": session.sponsor_id,
        "segment": session.segment_id,
        "profile": profile.pk,
        "product": profile.products.first().pk,
        "member": Membership.objects.get(organizer=organizer, user=assistant).pk,
        "order": order.pk,
        "payment": order.payments.get().pk,
        "email": "order_placed",
        "template": template.pk,
        "plan": plan.pk,
        "rule": rule.pk,
    }


def test_every_id_in_the_urlconf_is_known(ids):
    # A URL with an id this test cannot fill would silently escape the isolation test.
    names = {name for p in WITH_IDS for name in p.pattern.converters}
    assert names <= set(ids), f"Add {names - set(ids)} to the ids fixture"
    assert len(WITH_IDS) >= 10


@pytest.mark.parametrize("pattern", WITH_IDS, ids=lambda p: p.name)
def test_foreign_ids_answer_404(client, stranger, ids, pattern):
    url = reverse(
        f"backoffice:{pattern.name}", kwargs={k: ids[k] for k in pattern.pattern.converters}
    )
    before = (LogEntry.objects.count(), list(Session.objects.values_list("status", "name")))
    client.force_login(stranger)

    assert (
        client.post(url, {"name": "hijacked", "status": "on_sale", "role": "owner"}).status_code
        == 404
    )
    got = client.get(url).status_code
    missing = reverse(
        f"backoffice:{pattern.name}",
        kwargs={k: ids[k] if k in NOT_IDS else 999_999 for k in pattern.pattern.converters},
    )
    assert got in (404, 405)
    assert got == client.get(missing).status_code  # same answer as an id that does not exist
    assert (LogEntry.objects.count(), list(Session.objects.values_list("status", "name"))) == before


@pytest.mark.parametrize("pattern", WITHOUT_IDS, ids=lambda p: p.name)
def test_lists_show_nothing_of_another_organizer(client, stranger, session, profile, pattern):
    client.force_login(stranger)
    response = client.get(reverse(f"backoffice:{pattern.name}"), follow=True)
    assert response.status_code in (200, 400, 405)
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    for secret in (session.name, session.reference, session.sponsor.name, profile.name):
        assert secret not in body


def test_foreign_sponsor_cannot_be_attached_by_a_forged_post(client, stranger, session, today):
    """A session form posted with the other organizer's sponsor id is refused, not saved."""
    client.force_login(stranger)
    other = Membership.objects.get(user=stranger).organizer
    from seance.photos import services

    segment = services.create_segment(other, user=stranger, name="Mine")
    response = client.post(
        reverse("backoffice:session_create"),
        {
            "name": "Forged",
            "reference": "FORGED",
            "shooting_date": today.isoformat(),
            "segment": segment.pk,
            "sponsor": session.sponsor_id,
            "expected_subjects": 1,
            "access_type": "individual",
            "code_source": "qr_cards",
            "registration": "off",
            "discount_kind": "none",
            "watermark_kind": "none",
            "watermark_position": "tiled",
            "watermark_opacity": 30,
        },
    )
    assert response.status_code == 200
    assert "sponsor" in response.context["form"].errors
    assert not Session.objects.filter(reference="FORGED").exists()
