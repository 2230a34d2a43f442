import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from seance.core.audit import entries_for
from seance.photos import services
from seance.photos.models import Session, SessionStatus
from seance.photos.services import SessionError


def make(organizer, owner, segment, sponsor, today, **fields):
    values = {
        "name": "Collège Jean Moulin — 6e",
        "reference": "CJM-6E",
        "shooting_date": today + dt.timedelta(days=3),
        "segment": segment,
        "sponsor": sponsor,
        "watermark_text": "Proof",
    }
    values.update(fields)
    return services.create_session(organizer, user=owner, **values)


def test_create_session_is_planned_and_logged(organizer, owner, segment, sponsor, today):
    session = make(organizer, owner, segment, sponsor, today)
    assert session.status == SessionStatus.PLANNED
    [entry] = entries_for(session)
    assert entry.action == "seance.session.created"
    assert entry.user == owner
    assert entry.data["reference"] == "CJM-6E"


def test_planned_session_cannot_be_shot_in_the_past(organizer, owner, segment, sponsor, today):
    with pytest.raises(ValidationError) as e:
        make(organizer, owner, segment, sponsor, today, shooting_date=today - dt.timedelta(days=1))
    assert "shooting_date" in e.value.message_dict
    assert not Session.objects.exists()


def test_today_is_not_the_past(organizer, owner, segment, sponsor, today):
    assert make(organizer, owner, segment, sponsor, today, shooting_date=today).pk


def test_reference_is_unique_per_organizer_whatever_its_case(
    organizer, owner, segment, sponsor, today, stranger
):
    make(organizer, owner, segment, sponsor, today)
    with pytest.raises(ValidationError) as e:
        make(organizer, owner, segment, sponsor, today, reference="cjm-6e", name="Another")
    assert "reference" in e.value.message_dict
    assert Session.objects.count() == 1
    # Another organizer may use the same reference.
    other = stranger.memberships.get().organizer
    theirs = make(
        other,
        stranger,
        services.create_segment(other, user=stranger, name="S"),
        services.create_sponsor(other, user=stranger, name="Their school"),
        today,
    )
    assert theirs.reference == "CJM-6E"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"discount_kind": "percent", "discount_value": Decimal("120")}, "discount_value"),
        ({"discount_kind": "amount", "discount_value": Decimal("-5")}, "discount_value"),
        ({"discount_kind": "percent", "discount_value": Decimal("10")}, "discount_until"),
        ({"reference": "../etc"}, "reference"),
        ({"watermark_kind": "text", "watermark_text": " "}, "watermark_text"),
        ({"watermark_kind": "image"}, "watermark_image"),
    ],
)
def test_settings_that_do_not_make_sense_are_refused(
    organizer, owner, segment, sponsor, today, fields, field
):
    with pytest.raises(ValidationError) as e:
        make(organizer, owner, segment, sponsor, today, **fields)
    assert field in e.value.message_dict


def test_milestones_must_follow_the_shoot(organizer, owner, segment, sponsor, today):
    shoot = today + dt.timedelta(days=5)
    with pytest.raises(ValidationError) as e:
        make(organizer, owner, segment, sponsor, today, shooting_date=shoot, archive_on=shoot)
    assert "archive_on" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        make(
            organizer,
            owner,
            segment,
            sponsor,
            today,
            shooting_date=shoot,
            discount_kind="percent",
            discount_value=Decimal("10"),
            discount_until=shoot + dt.timedelta(days=30),
            archive_on=shoot + dt.timedelta(days=20),
        )
    assert "discount_until" in e.value.message_dict


def test_update_logs_exactly_what_changed(session, owner):
    services.update_session(session, user=owner, expected_subjects=30, name=session.name)
    entry = entries_for(session).first()
    assert entry.action == "seance.session.changed"
    assert entry.data == {"expected_subjects": [28, 30]}


def test_update_without_change_logs_nothing(session, owner):
    count = entries_for(session).count()
    services.update_session(session, user=owner, name=session.name)
    assert entries_for(session).count() == count


def test_a_shot_session_keeps_its_past_date_when_edited(session, owner, today):
    services.change_session_status(session, SessionStatus.ON_SALE, user=owner)
    services.update_session(session, user=owner, shooting_date=today - dt.timedelta(days=2))
    services.update_session(session, user=owner, expected_subjects=29)  # date untouched: fine
    session.refresh_from_db()
    assert session.expected_subjects == 29


def test_status_moves_forward_and_is_logged(session, owner):
    services.change_session_status(session, SessionStatus.ON_SALE, user=owner)
    services.change_session_status(session, SessionStatus.ARCHIVED, user=owner)
    session.refresh_from_db()
    assert session.status == SessionStatus.ARCHIVED
    assert entries_for(session).first().data == {"status": ["on_sale", "archived"]}


def test_refused_transition_changes_nothing(session, owner):
    services.change_session_status(session, SessionStatus.ON_SALE, user=owner)
    with pytest.raises(SessionError):
        services.change_session_status(session, SessionStatus.PLANNED, user=owner)
    session.refresh_from_db()
    assert session.status == SessionStatus.ON_SALE


def test_stale_transition_is_refused(session, owner):
    """Two staff click "put on sale" on the same page: the second one is told, not applied."""
    stale = Session.objects.get(pk=session.pk)
    services.change_session_status(session, SessionStatus.ARCHIVED, user=owner)
    with pytest.raises(SessionError):
        services.change_session_status(stale, SessionStatus.ON_SALE, user=owner)
    session.refresh_from_db()
    assert session.status == SessionStatus.ARCHIVED
    assert entries_for(session).filter(action="seance.session.status_changed").count() == 1


def test_segment_defaults_copy_the_latest_session_of_the_segment(
    organizer, owner, segment, sponsor, profile, today
):
    """P3: settings come from the latest session of the same segment, dates kept relative."""
    shoot = today + dt.timedelta(days=7)
    make(organizer, owner, segment, sponsor, today, reference="OLD", registration="optional")
    make(
        organizer,
        owner,
        segment,
        sponsor,
        today,
        reference="LATEST",
        shooting_date=shoot,
        access_type="shared",
        registration="mandatory",
        price_profile=profile,
        discount_kind="percent",
        discount_value=Decimal("15"),
        discount_until=shoot + dt.timedelta(days=21),
        archive_on=shoot + dt.timedelta(days=60),
        watermark_text="Studio",
        watermark_position="bottom_right",
        watermark_opacity=50,
    )
    other_segment = services.create_segment(organizer, user=owner, name="Prom")
    make(organizer, owner, other_segment, sponsor, today, reference="PROM", registration="off")

    new_shoot = today + dt.timedelta(days=40)
    defaults = services.segment_defaults(segment, shooting_date=new_shoot)

    assert defaults["access_type"] == "shared"
    assert defaults["registration"] == "mandatory"
    assert defaults["price_profile"] == profile
    assert defaults["discount_kind"] == "percent"
    assert defaults["discount_value"] == Decimal("15")
    assert defaults["discount_until"] == new_shoot + dt.timedelta(days=21)
    assert defaults["archive_on"] == new_shoot + dt.timedelta(days=60)
    assert defaults["watermark_position"] == "bottom_right"
    assert defaults["watermark_opacity"] == 50
    assert services.segment_defaults(other_segment)["registration"] == "off"


def test_segment_without_sessions_has_no_defaults(segment):
    assert services.segment_defaults(segment) == {}


def test_sponsor_needs_only_a_name(organizer, owner):
    sponsor = services.create_sponsor(organizer, user=owner, name="Club de judo")
    assert sponsor.contact_email == ""
    with pytest.raises(ValidationError):
        services.create_sponsor(organizer, user=owner, name="")


def test_sponsor_update_is_logged(sponsor, owner):
    services.update_sponsor(sponsor, user=owner, may_see_sales=True, contact_email="a@b.test")
    entry = entries_for(sponsor).first()
    assert entry.data == {"may_see_sales": [False, True], "contact_email": ["", "a@b.test"]}


def test_segment_names_are_unique_per_organizer(organizer, owner, segment):
    with pytest.raises(SessionError):
        services.create_segment(organizer, user=owner, name=segment.name.upper())
    renamed = services.rename_segment(segment, user=owner, name="Maternelle")
    assert renamed.name == "Maternelle"
    assert entries_for(segment).first().data == {"name": ["Primary school", "Maternelle"]}


def test_database_refuses_a_duplicate_reference_in_another_case(session):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(
            organizer=session.organizer,
            name="Race",
            reference=session.reference.lower(),
            shooting_date=session.shooting_date,
            segment=session.segment,
            sponsor=session.sponsor,
        )


def test_a_reference_taken_meanwhile_is_a_form_error(
    monkeypatch, organizer, owner, segment, sponsor, today, session
):
    """Two staff create the same reference at once: the check passes for both, the database
    constraint stops the second, and the second is told why."""
    monkeypatch.setattr(services, "_check_session", lambda session, before=None: None)
    with pytest.raises(ValidationError) as e:
        make(organizer, owner, segment, sponsor, today, reference=session.reference)
    assert "reference" in e.value.message_dict
    assert Session.objects.count() == 1
