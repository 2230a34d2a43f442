import datetime as dt

import pytest

from seance.core.audit import entries_for
from seance.photos import services
from seance.photos.models import (
    AccessCode,
    AccessCodeStatus,
    Agreement,
    PreRegistration,
    QrCard,
    SessionStatus,
)
from seance.photos.roster import Pupil
from seance.photos.services import CardError
from tests.concurrency import at_once


def test_cards_are_numbered_and_each_has_its_own_code(session, owner):
    first = services.add_cards(session, user=owner, count=3)
    more = services.add_cards(session, user=owner, count=2)
    assert [c.number for c in first + more] == [1, 2, 3, 4, 5]
    assert len({c.access_code.code for c in first + more}) == 5
    assert entries_for(session).first().data == {"cards": "4–5", "names_list": False}


def test_names_list_prints_one_card_per_pupil(session, owner):
    cards = services.add_cards(
        session, user=owner, pupils=[Pupil("Léa", "Martin", "CP-A"), Pupil("Hugo", "Petit")]
    )
    assert [(c.subject_name, c.class_name) for c in cards] == [
        ("Léa Martin", "CP-A"),
        ("Hugo Petit", ""),
    ]


def test_a_bad_names_list_imports_nothing(session, owner):
    with pytest.raises(CardError) as e:
        services.import_roster(
            session, user=owner, data=b"first name,last name\nLea,\n", filename="x.csv"
        )
    assert "Line 2: the last name is missing." in e.value.message
    assert not QrCard.objects.exists()


def test_no_cards_for_shared_or_archived_sessions(session, owner):
    services.update_session(session, user=owner, access_type="shared")
    with pytest.raises(CardError):
        services.add_cards(session, user=owner, count=1)
    services.update_session(session, user=owner, access_type="individual")
    services.change_session_status(session, SessionStatus.ARCHIVED, user=owner)
    with pytest.raises(CardError):
        services.add_cards(session, user=owner, count=1)
    assert not QrCard.objects.exists()


def test_void_card_kills_its_code_and_replaces_it(session, owner):
    [card] = services.add_cards(session, user=owner, pupils=[Pupil("Léa", "Martin", "CP-A")])
    code = card.access_code.code
    replacement = services.void_card(card, user=owner)
    assert services.find_access_code(code) is None
    assert replacement.subject_name == "Léa Martin" and replacement.replaces == card
    assert replacement.access_code.code != code
    assert services.find_access_code(replacement.access_code.code).card == replacement
    with pytest.raises(CardError):
        services.void_card(card, user=owner)
    # The void code stays in the table: it can never be drawn again.
    assert AccessCode.objects.get(code=code).status == AccessCodeStatus.VOID


def test_find_access_code_accepts_how_people_type_it(session, owner):
    [card] = services.add_cards(session, user=owner, count=1)
    code = card.access_code.code
    typed = f" {code[:4].lower()} {code[4:8]}-{code[8:]} "
    assert services.find_access_code(typed) == card.access_code
    assert services.find_access_code(code[:-1]) is None
    assert services.find_access_code("") is None


def test_mark_printed_keeps_the_first_date(session, owner, now):
    cards = services.add_cards(session, user=owner, count=2)
    services.mark_printed(cards[:1], now=now - dt.timedelta(days=3))
    services.mark_printed(cards, now=now)
    dates = list(QrCard.objects.order_by("number").values_list("printed_at", flat=True))
    assert dates == [now - dt.timedelta(days=3), now]


def register(card, agreement, **overrides):
    values = {
        "child_first_name": "Léa",
        "child_last_name": "Martin",
        "class_name": "CP-A",
        "email": "Parent@Example.fr",
        "phone": "+33 6 12 34 56 78",
        "consent": True,
        "agreement": agreement,
        "language": "fr",
    }
    values.update(overrides)
    return services.pre_register(card.access_code, **values)


def test_pre_registration_stores_the_consent_version(session, owner, organizer, now):
    [card] = services.add_cards(session, user=owner, count=1)
    agreement = services.current_agreement(organizer, "fr")
    assert agreement.version == 1 and "J’accepte" in agreement.text
    registration = register(card, agreement, now=now)
    assert registration.agreement == agreement and registration.consented_at == now
    assert registration.email == "parent@example.fr"


def test_a_card_registers_once(session, owner, organizer):
    [card] = services.add_cards(session, user=owner, count=1)
    agreement = services.current_agreement(organizer, "fr")
    register(card, agreement)
    with pytest.raises(CardError):
        register(card, agreement, child_first_name="Someone else")
    assert PreRegistration.objects.get().child_first_name == "Léa"


def test_pre_registration_needs_consent_and_the_current_agreement(session, owner, organizer):
    [card] = services.add_cards(session, user=owner, count=1)
    old = services.current_agreement(organizer, "en")
    with pytest.raises(CardError) as e:
        register(card, old, consent=False)
    assert e.value.field == "consent"
    services.update_agreement(organizer, user=owner, language="en", text="New text " * 10)
    with pytest.raises(CardError):
        register(card, old)  # read an older version: must read the new one
    assert not PreRegistration.objects.exists()


def test_void_cards_cannot_be_registered(session, owner, organizer):
    [card] = services.add_cards(session, user=owner, count=1)
    services.void_card(card, user=owner)
    card.access_code.refresh_from_db()
    with pytest.raises(CardError):
        register(card, services.current_agreement(organizer, "fr"))


def test_agreement_versions(organizer, owner):
    first = services.current_agreement(organizer, "en")
    same = services.update_agreement(organizer, user=owner, language="en", text=first.text)
    assert same == first
    second = services.update_agreement(organizer, user=owner, language="en", text="Ours. " * 20)
    assert second.version == 2
    assert services.current_agreement(organizer, "en") == second
    assert Agreement.objects.filter(organizer=organizer).count() == 2
    with pytest.raises(CardError):
        services.update_agreement(organizer, user=owner, language="en", text="Too short")


@pytest.mark.django_db(transaction=True)
def test_two_staff_adding_cards_at_once_get_distinct_numbers(django_db_blocker):
    from seance.core import services as core
    from seance.photos.models import Session
    from tests.conftest import make_user

    owner = make_user("race@studio.test")
    org = core.create_organizer(name="Race", slug="race", owner=owner)
    session = Session.objects.create(
        organizer=org,
        name="Race",
        reference="RACE",
        shooting_date=dt.date(2030, 1, 1),
        segment=services.create_segment(org, user=owner, name="S"),
        sponsor=services.create_sponsor(org, user=owner, name="S"),
    )

    def add():
        return services.add_cards(session, user=owner, count=20)

    at_once(add, add)
    assert sorted(QrCard.objects.values_list("number", flat=True)) == list(range(1, 41))
