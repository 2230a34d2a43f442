"""Q2, Q5, P5: a family types or scans its card's code."""

import pytest
from django.urls import reverse

from seance.photos import codes, services
from seance.photos.models import NotifyRequest, PreRegistration, SessionStatus
from seance.shop import ratelimit


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


def test_wrong_codes_are_rate_limited_per_browser(client, card):
    for _ in range(10):
        assert (
            client.post(reverse("shop:enter_code"), {"code": codes.new_code()}).status_code == 200
        )
    blocked = client.post(reverse("shop:enter_code"), {"code": card.access_code.code})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()


def test_wrong_codes_are_rate_limited_per_address(client_factory, card):
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
