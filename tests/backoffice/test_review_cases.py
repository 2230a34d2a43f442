"""Edge cases of the back office: odd input, roles on sensitive fields, time zones."""

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from PIL import Image

from seance.catalog import services as catalog
from seance.catalog.models import ProductKind
from seance.core import services as core
from seance.core.models import Membership, Role
from seance.photos import services
from seance.photos.models import Session, SessionStatus, Sponsor
from tests.backoffice.test_sessions import form_data
from tests.conftest import make_user


def png_upload(color=(255, 0, 0, 255), size=(300, 120)):
    data = io.BytesIO()
    Image.new("RGBA", size, color).save(data, "PNG")
    data.name = "logo.png"
    data.seek(0)
    return data


@pytest.fixture
def logged_in(client, owner, organizer):
    client.force_login(owner)
    return client


def test_a_watermark_image_can_be_removed(logged_in, session, segment, sponsor, today):
    url = reverse("backoffice:session_edit", kwargs={"session": session.pk})
    data = form_data(segment, sponsor, today, reference=session.reference, watermark_kind="image")
    data["watermark_image"] = png_upload()
    assert logged_in.post(url, data).status_code == 302
    data = form_data(segment, sponsor, today, reference=session.reference, watermark_kind="text")
    data["watermark_image-clear"] = "on"
    assert logged_in.post(url, data).status_code == 302
    session.refresh_from_db()
    assert not session.watermark_image and session.watermark_kind == "text"


@pytest.mark.parametrize("value", ["abc", "1e3", "-1", ""])
def test_ids_that_are_not_numbers_are_ignored_not_errors(logged_in, segment, sponsor, today, value):
    assert (
        logged_in.get(reverse("backoffice:session_create"), {"segment": value}).status_code == 200
    )
    response = logged_in.post(
        reverse("backoffice:session_create"),
        {**form_data(segment, sponsor, today), "segment": value},
    )
    assert response.status_code == 200
    assert "segment" in response.context["form"].errors
    preview = logged_in.post(reverse("backoffice:watermark_preview"), {"segment": value})
    assert preview.status_code == 200


def test_a_foreign_segment_gives_no_defaults(client, stranger, session):
    client.force_login(stranger)
    response = client.get(reverse("backoffice:session_create"), {"segment": session.segment_id})
    assert response.context["defaults_source"] is None
    assert "Studio Lumière" not in response.content.decode()


def test_foreign_price_profile_and_segment_are_refused(client, stranger, session, today):
    client.force_login(stranger)
    other = Membership.objects.get(user=stranger).organizer
    mine = services.create_sponsor(other, user=stranger, name="Mine")
    my_segment = services.create_segment(other, user=stranger, name="Mine")
    data = form_data(my_segment, mine, today, reference="THEIRS")
    data["price_profile"] = session.price_profile_id
    response = client.post(reverse("backoffice:session_create"), data)
    assert "price_profile" in response.context["form"].errors
    data = form_data(session.segment, mine, today, reference="THEIRS")
    response = client.post(reverse("backoffice:session_create"), data)
    assert "segment" in response.context["form"].errors
    assert not Session.objects.filter(reference="THEIRS").exists()


def test_shooting_date_fills_the_empty_milestones_of_the_segment(
    new_session, logged_in, organizer, owner, segment, sponsor, profile, today
):
    shoot = today + dt.timedelta(days=5)
    new_session(
        name="Last year",
        reference="LY",
        shooting_date=shoot,
        price_profile=profile,
        discount_kind="percent",
        discount_value=Decimal("10"),
        discount_until=shoot + dt.timedelta(days=14),
        archive_on=shoot + dt.timedelta(days=45),
    )
    new_shoot = today + dt.timedelta(days=30)
    typed_archive = new_shoot + dt.timedelta(days=100)
    response = logged_in.get(
        reverse("backoffice:session_create"),
        {
            "segment": segment.pk,
            "shooting_date": new_shoot.isoformat(),
            "archive_on": typed_archive.isoformat(),
            "changed": "shooting_date",
        },
    )
    initial = response.context["form"].initial
    assert initial["discount_until"] == new_shoot + dt.timedelta(days=14)
    assert initial["archive_on"] == typed_archive.isoformat()  # what was typed stays


def test_assistant_cannot_set_a_discount_or_share_sales(
    client, assistant, session, segment, sponsor, today
):
    client.force_login(assistant)
    data = form_data(
        segment,
        sponsor,
        today,
        reference=session.reference,
        discount_kind="percent",
        discount_value="100",
        discount_until=(today + dt.timedelta(days=20)).isoformat(),
    )
    response = client.post(reverse("backoffice:session_edit", kwargs={"session": session.pk}), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.discount_kind == "none" and session.discount_value is None

    client.post(
        reverse("backoffice:sponsor_inline"),
        {"sponsor-name": "Curious school", "sponsor-may_see_sales": "on"},
    )
    assert Sponsor.objects.get(name="Curious school").may_see_sales is False


def test_a_session_goes_on_sale_only_with_a_price_profile(
    new_session, organizer, owner, segment, sponsor, today
):
    session = new_session(
        name="No prices",
        reference="NP",
        shooting_date=today,
    )
    with pytest.raises(services.SessionError) as e:
        services.change_session_status(session, SessionStatus.ON_SALE, user=owner)
    assert "price profile" in e.value.message
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_discount_cannot_end_before_the_shoot(
    new_session, organizer, owner, segment, sponsor, today
):
    with pytest.raises(ValidationError) as e:
        new_session(
            name="Early",
            reference="EARLY",
            shooting_date=today + dt.timedelta(days=10),
            discount_kind="amount",
            discount_value=Decimal("2"),
            discount_until=today + dt.timedelta(days=2),
        )
    assert "discount_until" in e.value.message_dict


def test_oversized_upload_is_refused_before_it_is_read(logged_in, session):
    url = reverse("backoffice:session_watermark_preview", kwargs={"session": session.pk})
    big = io.BytesIO(b"\x89PNG" + b"0" * (4 * 2**20))
    big.name = "huge.png"
    response = logged_in.post(url, {"watermark_kind": "image", "watermark_image": big})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_new_session_preview_uses_the_segment_image_unless_removed(
    new_session, logged_in, organizer, owner, segment, sponsor, profile, today, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    session = new_session(
        name="With logo",
        reference="LOGO",
        shooting_date=today,
        watermark_kind="text",
    )
    url = reverse("backoffice:session_edit", kwargs={"session": session.pk})
    data = form_data(segment, sponsor, today, reference="LOGO", watermark_kind="image")
    data["watermark_image"] = png_upload(color=(255, 0, 0, 255))
    assert logged_in.post(url, data).status_code == 302

    preview = reverse("backoffice:watermark_preview")
    params = {
        "segment": segment.pk,
        "watermark_kind": "image",
        "watermark_position": "center",
        "watermark_opacity": "100",
    }
    red = Image.open(io.BytesIO(logged_in.post(preview, params).content)).convert("RGB")
    assert red.getpixel((600, 400))[0] > 200 and red.getpixel((600, 400))[1] < 60
    cleared = logged_in.post(preview, {**params, "watermark_image-clear": "on"})
    plain = Image.open(io.BytesIO(cleared.content)).convert("RGB")
    assert plain.getpixel((600, 400)) != red.getpixel((600, 400))


def test_product_kind_cannot_switch_to_or_from_package(profile, owner):
    package = profile.products.get(kind=ProductKind.PACKAGE)
    small = profile.products.get(name="Print 13 × 18")
    with pytest.raises(ValidationError):
        catalog.update_product(
            package, user=owner, kind=ProductKind.PRINT, width_cm=Decimal(10), height_cm=Decimal(15)
        )
    with pytest.raises(ValidationError):
        catalog.update_product(small, user=owner, kind=ProductKind.PACKAGE)
    digital = catalog.update_product(small, user=owner, kind=ProductKind.DIGITAL)
    assert digital.kind == ProductKind.DIGITAL and digital.width_cm is None


def test_planned_dates_follow_the_organizers_calendar(
    new_session, organizer, owner, segment, sponsor
):
    """23:30 UTC on 31 December is already 1 January in Paris: the 31st is in the past."""
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        assert services.today_for(organizer) == dt.date(2027, 1, 1)
        with pytest.raises(ValidationError):
            new_session(
                name="New Year's Eve",
                reference="NYE",
                shooting_date=dt.date(2026, 12, 31),
            )


def test_history_is_shown_in_the_organizers_time_zone(
    new_session, logged_in, organizer, owner, segment, sponsor
):
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        session = new_session(
            name="Noon",
            reference="NOON",
            shooting_date=dt.date(2026, 12, 1),
        )
    page = logged_in.get(reverse("backoffice:session_detail", kwargs={"session": session.pk}))
    assert "Nov. 20, 2026, 1 p.m." in page.content.decode()  # Europe/Paris, UTC+1


def test_a_user_in_two_teams_keeps_their_own_and_can_switch(client, owner, organizer, stranger):
    other = Membership.objects.get(user=stranger).organizer
    core.add_team_member(other, user=stranger, email=owner.email, role=Role.ASSISTANT)
    client.force_login(owner)
    assert client.get(reverse("backoffice:team_list")).status_code == 200  # still owner here
    page = client.get(reverse("backoffice:session_list")).content.decode()
    assert "Other Studio" in page  # the organizer menu
    client.post(reverse("switch_organizer"), {"organizer": other.slug})
    assert client.get(reverse("backoffice:team_list")).status_code == 403  # assistant there
    assert client.post(reverse("switch_organizer"), {"organizer": "nowhere"}).status_code == 404


def test_existing_user_added_to_a_team_is_told(
    owner, organizer, stranger, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        core.add_team_member(organizer, user=owner, email=stranger.email, role=Role.MANAGER)
    assert mailoutbox[-1].to == [stranger.email]
    assert "Studio Lumière" in mailoutbox[-1].subject


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_leave_one_owner():
    first = make_user("first@studio.test")
    second = make_user("second@studio.test")
    org = core.create_organizer(name="Race", slug="race", owner=first)
    core.add_team_member(org, user=first, email=second.email, role=Role.OWNER, notify=False)
    memberships = {m.user_id: m for m in Membership.objects.filter(organizer=org)}
    barrier = threading.Barrier(2)
    errors = []

    def demote(actor, target):
        barrier.wait()
        try:
            core.change_role(memberships[target.pk], user=actor, role=Role.MANAGER)
        except Exception as e:  # the test reports what the loser got
            errors.append(e)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second)),
        threading.Thread(target=demote, args=(second, first)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert Membership.objects.filter(organizer=org, role=Role.OWNER).count() == 1
    assert len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError), errors


def test_assistant_creates_a_session_with_the_segments_discount(
    new_session, client, assistant, organizer, owner, segment, sponsor, profile, today
):
    """Discount fields are read-only for an assistant, yet P3 still copies them."""
    shoot = today + dt.timedelta(days=5)
    new_session(
        name="Model",
        reference="MODEL",
        shooting_date=shoot,
        price_profile=profile,
        discount_kind="percent",
        discount_value=Decimal("15"),
        discount_until=shoot + dt.timedelta(days=21),
    )
    client.force_login(assistant)
    new_shoot = today + dt.timedelta(days=40)
    page = client.get(
        reverse("backoffice:session_create"),
        {"segment": segment.pk, "shooting_date": new_shoot.isoformat(), "changed": "shooting_date"},
    )
    assert page.context["form"]["discount_kind"].value() == "percent"
    data = form_data(segment, sponsor, today, reference="BY-ASSISTANT")
    data.update(shooting_date=new_shoot.isoformat(), price_profile=profile.pk)
    data.update(discount_kind="amount", discount_value="50")  # ignored: read-only for them
    response = client.post(reverse("backoffice:session_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    created = Session.objects.get(reference="BY-ASSISTANT")
    assert (created.discount_kind, created.discount_value) == ("percent", Decimal("15"))
    assert created.discount_until == new_shoot + dt.timedelta(days=21)
