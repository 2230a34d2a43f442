"""Q2, Q5, P5: a family types or scans its card's code."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from seance.photos import codes, services
from seance.photos.models import NotifyRequest, PreRegistration, SessionStatus
from seance.shop import ratelimit


@pytest.fixture
def in_one_window():
    """Wrong attempts count in fixed windows of the clock: a test's attempts must not
    straddle two (the count would start again halfway)."""
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def card(session, owner):
    [card] = services.add_cards(session, user=owner, count=1)
    return card


def test_typed_code_opens_its_session_page(client, card):
    typed = codes.display(card.access_code.code).lower()
    response = client.post(reverse("shop:enter_code"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("shop:open_code", kwargs={"code": card.access_code.code})


def test_card_link_in_capitals_works(client, card):
    """What the QR carries: /G/CODE."""
    response = client.get(f"/G/{card.access_code.code}")
    assert response.status_code == 200
    assert "not online yet" in response.content.decode()


def test_planned_session_offers_pre_registration_and_notify(client, card, organizer):
    body = client.get(
        reverse("shop:open_code", kwargs={"code": card.access_code.code})
    ).content.decode()
    assert "Register your child now" in body
    assert "Just tell me when they are online" in body
    assert services.current_agreement(organizer, "en").text[:40] in body


def test_pre_registration_from_the_card_page(client, card, organizer):
    agreement = services.current_agreement(organizer, "en")
    url = reverse("shop:register", kwargs={"code": card.access_code.code})
    data = {
        "child_first_name": "Léa",
        "child_last_name": "Martin",
        "class_name": "CP-A",
        "email": "parent@example.fr",
        "phone": "",
        "agreement": agreement.pk,
        "consent": "on",
    }
    response = client.post(url, data, follow=True)
    assert "Léa is registered" in response.content.decode()
    registration = PreRegistration.objects.get()
    assert registration.card == card and registration.agreement == agreement
    # Reused: the same card again, even from another family, is refused.
    response = client.post(url, {**data, "child_first_name": "Other"})
    assert PreRegistration.objects.get().child_first_name == "Léa"


def test_pre_registration_without_consent_is_refused(client, card, organizer):
    agreement = services.current_agreement(organizer, "en")
    response = client.post(
        reverse("shop:register", kwargs={"code": card.access_code.code}),
        {
            "child_first_name": "Léa",
            "child_last_name": "Martin",
            "email": "parent@example.fr",
            "agreement": agreement.pk,
        },
    )
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not PreRegistration.objects.exists()


def test_forged_agreement_of_another_organizer_is_refused(client, card, stranger):
    other = stranger.memberships.get().organizer
    foreign = services.current_agreement(other, "en")
    client.post(
        reverse("shop:register", kwargs={"code": card.access_code.code}),
        {
            "child_first_name": "Léa",
            "child_last_name": "Martin",
            "email": "parent@example.fr",
            "agreement": foreign.pk,
            "consent": "on",
        },
    )
    assert not PreRegistration.objects.exists()


def test_notify_me_is_kept_once(client, card):
    url = reverse("shop:notify", kwargs={"code": card.access_code.code})
    client.post(url, {"email": "Parent@Example.fr"})
    client.post(url, {"email": "parent@example.fr"})
    assert list(NotifyRequest.objects.values_list("email", flat=True)) == ["parent@example.fr"]


def test_archived_session_says_so(client, card, session, owner):
    services.change_session_status(session, SessionStatus.ARCHIVED, user=owner)
    body = client.get(
        reverse("shop:open_code", kwargs={"code": card.access_code.code})
    ).content.decode()
    assert "closed" in body and "Register your child" not in body


def test_wrong_codes_get_the_same_answer_whatever_they_are(client, card, owner):
    replacement = services.void_card(card, user=owner)
    void_code = card.access_code.code
    answers = set()
    for wrong in (void_code, codes.new_code(), "ABC", void_code.lower()):
        response = client.get(reverse("shop:open_code", kwargs={"code": wrong}))
        assert response.status_code == 404
        answers.add(response.context["error"])
    assert len(answers) == 1
    assert (
        client.get(
            reverse("shop:open_code", kwargs={"code": replacement.access_code.code})
        ).status_code
        == 200
    )


def test_wrong_codes_are_rate_limited_per_browser(client, card, in_one_window):
    for _ in range(10):
        assert (
            client.post(reverse("shop:enter_code"), {"code": codes.new_code()}).status_code == 200
        )
    blocked = client.post(reverse("shop:enter_code"), {"code": card.access_code.code})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()


def test_wrong_codes_are_rate_limited_per_address(client_factory, card, in_one_window):
    # Many browsers behind one address (a school's network): a larger allowance, then a stop.
    per_address = int(ratelimit.PER_ADDRESS.split("/")[0])
    for i in range(per_address):
        fresh = client_factory()
        response = fresh.get(reverse("shop:open_code", kwargs={"code": codes.new_code()}))
        assert response.status_code == 404, i
    other_browser = client_factory()
    assert (
        other_browser.get(
            reverse("shop:open_code", kwargs={"code": card.access_code.code})
        ).status_code
        == 429
    )


def test_right_codes_do_not_count(client, card):
    for _ in range(30):
        assert (
            client.get(
                reverse("shop:open_code", kwargs={"code": card.access_code.code})
            ).status_code
            == 200
        )


def test_after_the_agreement_changed_the_parent_can_consent_to_the_new_one(
    client, card, organizer, owner
):
    old = services.current_agreement(organizer, "en")
    services.update_agreement(organizer, user=owner, language="en", text="A new text. " * 10)
    url = reverse("shop:register", kwargs={"code": card.access_code.code})
    data = {
        "child_first_name": "Léa",
        "child_last_name": "Martin",
        "email": "parent@example.fr",
        "agreement": old.pk,
        "consent": "on",
    }
    refused = client.post(url, data)
    assert not PreRegistration.objects.exists()
    assert "A new text." in refused.content.decode()
    shown = refused.context["form"]["agreement"].value()
    client.post(url, {**data, "agreement": shown}, follow=True)
    assert PreRegistration.objects.get().agreement.version == 2


def test_the_names_list_email_is_not_shown_to_whoever_holds_the_card(client, session, owner):
    from seance.photos.roster import Pupil

    [card] = services.add_cards(
        session, user=owner, pupils=[Pupil("Léa", "Martin", "CP-A", "secret.parent@example.fr")]
    )
    body = client.get(reverse("shop:open_code", kwargs={"code": card.access_code.code})).content
    assert b"secret.parent@example.fr" not in body


def test_pre_registration_closes_on_shooting_day(client, card, organizer, session, owner):
    services.change_session_status(session, SessionStatus.ON_SALE, user=owner)
    client.post(
        reverse("shop:register", kwargs={"code": card.access_code.code}),
        {
            "child_first_name": "Léa",
            "child_last_name": "Martin",
            "email": "p@example.fr",
            "agreement": services.current_agreement(organizer, "en").pk,
            "consent": "on",
        },
    )
    assert not PreRegistration.objects.exists()


def test_a_void_card_passes_its_registration_to_the_new_card(card, organizer, owner):
    services.pre_register(
        card.access_code,
        child_first_name="Léa",
        child_last_name="Martin",
        class_name="",
        email="p@example.fr",
        phone="",
        consent=True,
        agreement=services.current_agreement(organizer, "en"),
        language="en",
    )
    replacement = services.void_card(card, user=owner)
    assert PreRegistration.objects.get().card == replacement


def test_dropping_the_cookie_does_not_escape_the_address_limit(client_factory, card, in_one_window):
    per_address = int(ratelimit.PER_ADDRESS.split("/")[0])
    for _ in range(per_address):
        client_factory().post(reverse("shop:enter_code"), {"code": codes.new_code()})
    assert client_factory().post(reverse("shop:enter_code"), {"code": "x"}).status_code == 429


def test_behind_a_proxy_the_outer_address_counts(rf, settings):
    settings.SEANCE_TRUSTED_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert ratelimit.client_ip(request) == "203.0.113.7"  # the first one is the client's say
    settings.SEANCE_TRUSTED_PROXIES = 0
    assert ratelimit.client_ip(request) == "10.0.0.2"
    v6 = rf.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    assert ratelimit.client_ip(v6) == "2001:db8:1:2::/64"


def test_visits_with_a_right_code_create_no_browser_session(client, card):
    from django.contrib.sessions.models import Session as BrowserSession

    for _ in range(5):
        client.get(reverse("shop:open_code", kwargs={"code": card.access_code.code}))
    assert BrowserSession.objects.count() == 0
