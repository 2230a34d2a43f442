"""S1: who gets into the sponsor portal, by which link, and how access ends."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from seance.comms.models import Message
from seance.core.models import LogEntry
from seance.photos import services as photos
from seance.portal.models import PortalAccess
from seance.portal.services import revoke_portal_access, send_portal_link
from tests.portal.conftest import CONTACT_EMAIL, emailed_link, token_path

DASHBOARD = reverse("portal:dashboard")


def sponsor_page(sponsor):
    return reverse("backoffice:sponsor_detail", kwargs={"sponsor": sponsor.pk})


def is_signed_in(client) -> bool:
    response = client.get(DASHBOARD)
    assert response.status_code in (200, 403)
    return response.status_code == 200


def test_staff_send_the_link_from_the_sponsor_page(client, owner, contact):
    client.force_login(owner)
    page = client.get(sponsor_page(contact)).content.decode()
    assert "Send the sales-tracking link" in page

    response = client.post(sponsor_page(contact), {"action": "portal_send"}, follow=True)

    assert "on its way to direction@ejf.test" in response.content.decode()
    message = Message.objects.get(key__startswith=f"portal:{contact.pk}:")
    assert message.to == CONTACT_EMAIL
    assert "/portal/" in message.body and "14" in message.body
    assert contact.name in message.subject
    assert PortalAccess.objects.get(sponsor=contact).link_sent_at is not None
    assert LogEntry.objects.filter(action="seance.portal.link_sent").count() == 1
    assert "Sales-tracking link sent" in client.get(sponsor_page(contact)).content.decode()


def test_a_double_click_emails_once(owner, contact):
    clicked = timezone.now().replace(second=59, microsecond=900_000)  # a minute's last moment
    send_portal_link(contact, user=owner, now=clicked)
    send_portal_link(contact, user=owner, now=clicked)
    assert Message.objects.filter(key__startswith=f"portal:{contact.pk}:").count() == 1


def test_the_link_opens_a_page_whose_button_signs_in(client, owner, contact):
    send_portal_link(contact, user=owner)
    link = emailed_link(contact)

    page = client.get(link)  # what a mail scanner fetches: it changes nothing
    assert page.status_code == 200
    assert "Open the sales tracking" in page.content.decode()
    assert not is_signed_in(client)
    assert not LogEntry.objects.filter(action="seance.portal.signed_in").exists()

    assert client.post(link)["Location"] == DASHBOARD
    assert is_signed_in(client)
    assert LogEntry.objects.filter(action="seance.portal.signed_in").count() == 1
    assert PortalAccess.objects.get(sponsor=contact).last_seen_at is not None
    # Opening the link again in a signed-in browser goes straight in.
    assert client.get(link)["Location"] == DASHBOARD


def test_an_expired_link_says_so_and_signs_nobody_in(client, owner, contact):
    send_portal_link(contact, user=owner)
    link = emailed_link(contact)
    with time_machine.travel(timezone.now() + dt.timedelta(days=14, minutes=1)):
        page = client.get(link)
        assert page.status_code == 410
        assert "This link has expired" in page.content.decode()
        assert client.post(link).status_code == 410
        assert not is_signed_in(client)


def test_a_tampered_link_is_refused(client, owner, contact):
    send_portal_link(contact, user=owner)
    link = emailed_link(contact)
    token = link.split("/")[2]
    for forged in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        token.replace(token.split(":")[0], token.split(":")[0][::-1], 1),  # the payload
        "not-a-token",
        token + "x",
    ):
        path = reverse("portal:link", kwargs={"token": forged})
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert not is_signed_in(client)


def test_a_link_made_with_another_key_is_refused(client, owner, contact, settings):
    send_portal_link(contact, user=owner)
    settings.SECRET_KEY = "another-installation-" + "x" * 40
    link = token_path(contact)
    settings.SECRET_KEY = "back-to-ours-" + "y" * 40
    assert client.post(link).status_code == 404


def test_a_staff_login_is_no_way_into_the_portal(client, owner, contact):
    client.force_login(owner)
    assert client.get(DASHBOARD).status_code == 403


def test_revoking_ends_open_portal_sessions_and_old_links_at_once(
    client, client_factory, signed_in, owner, contact
):
    old_link = emailed_link(contact)
    staff = client_factory()
    staff.force_login(owner)
    staff.post(sponsor_page(contact), {"action": "portal_revoke"})

    ended = signed_in.get(DASHBOARD)
    assert ended.status_code == 403
    assert "Your access to the sales tracking has ended" in ended.content.decode()
    assert client_factory().get(old_link).status_code == 410
    assert client_factory().post(old_link).status_code == 410
    assert LogEntry.objects.filter(action="seance.portal.revoked").count() == 1

    # A link sent afterwards works.
    send_portal_link(contact, user=owner)
    new_link = emailed_link(contact)
    assert new_link != old_link
    fresh = client_factory()
    assert fresh.post(new_link)["Location"] == DASHBOARD
    assert is_signed_in(fresh)


def test_unticking_may_see_sales_stops_everything(
    client, client_factory, signed_in, owner, contact
):
    link = emailed_link(contact)
    photos.update_sponsor(contact, user=owner, may_see_sales=False)
    assert signed_in.get(DASHBOARD).status_code == 403
    assert client_factory().post(link).status_code == 410
    # The box suspends: ticking it again restores what was not revoked (ending access for
    # good is "Revoke access", or a new contact).
    photos.update_sponsor(contact, user=owner, may_see_sales=True)
    assert client_factory().post(link).status_code == 302


def test_a_new_contact_email_ends_the_previous_contacts_access(
    client_factory, signed_in, owner, contact
):
    link = emailed_link(contact)
    photos.update_sponsor(contact, user=owner, contact_email="new.head@ejf.test")
    assert signed_in.get(DASHBOARD).status_code == 403
    assert client_factory().post(link).status_code == 410


def test_a_portal_session_lasts_thirty_days(signed_in):
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        assert is_signed_in(signed_in)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30, minutes=1)):
        assert signed_in.get(DASHBOARD).status_code == 403
        assert not is_signed_in(signed_in)


def test_signing_out(signed_in):
    response = signed_in.post(reverse("portal:sign_out"))
    assert "You are signed out" in response.content.decode()
    assert not is_signed_in(signed_in)


def test_staff_without_the_export_permission_cannot_send_or_revoke(client, assistant, contact):
    client.force_login(assistant)
    page = client.get(sponsor_page(contact)).content.decode()
    assert "Send the sales-tracking link" not in page
    for action in ("portal_send", "portal_revoke"):
        assert client.post(sponsor_page(contact), {"action": action}).status_code == 403
    assert not Message.objects.exists()
    assert not PortalAccess.objects.exists()


def test_a_manager_may_send(client, manager, contact):
    client.force_login(manager)
    client.post(sponsor_page(contact), {"action": "portal_send"})
    assert Message.objects.filter(to=CONTACT_EMAIL).exists()


def test_another_organizers_sponsor_is_a_404(client, stranger, contact):
    client.force_login(stranger)
    for action in ("portal_send", "portal_revoke"):
        assert client.post(sponsor_page(contact), {"action": action}).status_code == 404
    assert not Message.objects.exists()
    assert not PortalAccess.objects.exists()


@pytest.mark.parametrize(
    "change, error",
    [
        ({"may_see_sales": False}, "may not see sales tracking"),
        ({"contact_email": ""}, "contact email first"),
    ],
)
def test_no_link_without_permission_box_or_address(client, owner, contact, change, error):
    photos.update_sponsor(contact, user=owner, **change)
    client.force_login(owner)
    page = client.get(sponsor_page(contact)).content.decode()
    assert "Send the sales-tracking link" not in page
    response = client.post(sponsor_page(contact), {"action": "portal_send"}, follow=True)
    assert error in response.content.decode()
    assert not Message.objects.exists()


def test_a_genuine_link_never_sent_is_refused(client, contact):
    # Signed with our key but no link was ever sent (no access recorded): nothing opens.
    assert client.post(token_path(contact)).status_code == 410
    assert not is_signed_in(client)


def test_revoke_needs_no_link_sent_before(owner, contact):
    access = revoke_portal_access(contact, user=owner)
    assert access.version == 2 and access.is_revoked


def test_the_portal_speaks_the_browsers_language_among_the_organizers(
    client, owner, organizer, contact
):
    send_portal_link(contact, user=owner)
    link = emailed_link(contact)
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in page.content.decode()
    organizer.languages = ["en"]
    organizer.save(update_fields=["languages"])
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="en">' in page.content.decode()
