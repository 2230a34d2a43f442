import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from PIL import Image

from seance.core.audit import entries_for
from seance.photos import services
from seance.photos.models import Session, SessionStatus, Sponsor


def form_data(segment, sponsor, today, **overrides):
    data = {
        "name": "Collège Jean Moulin — 6e A",
        "reference": "CJM-6A",
        "shooting_date": (today + dt.timedelta(days=20)).isoformat(),
        "segment": segment.pk,
        "sponsor": sponsor.pk,
        "expected_subjects": "27",
        "access_type": "individual",
        "code_source": "qr_cards",
        "registration": "optional",
        "price_profile": "",
        "discount_kind": "none",
        "discount_value": "",
        "discount_until": "",
        "archive_on": "",
        "watermark_kind": "text",
        "watermark_text": "Studio Lumière",
        "watermark_position": "tiled",
        "watermark_opacity": "35",
    }
    data.update(overrides)
    return data


@pytest.fixture
def logged_in(client, owner, organizer):
    client.force_login(owner)
    return client


def test_create_session_from_the_form(logged_in, segment, sponsor, today):
    response = logged_in.post(
        reverse("backoffice:session_create"), form_data(segment, sponsor, today)
    )
    session = Session.objects.get(reference="CJM-6A")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "backoffice:session_detail", kwargs={"session": session.pk}
    )
    assert session.expected_subjects == 27 and session.status == SessionStatus.PLANNED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"shooting_date": "2020-01-01"}, "shooting_date", "cannot be shot in the past"),
        ({"discount_kind": "amount", "discount_value": "-3"}, "discount_value", ""),
        ({"reference": "EJF-CP"}, "reference", "already uses this reference"),
        ({"reference": "ejf-cp"}, "reference", "already uses this reference"),
        ({"name": ""}, "name", "required"),
        ({"expected_subjects": "-1"}, "expected_subjects", ""),
        ({"sponsor": "999999"}, "sponsor", ""),
    ],
)
def test_form_errors_are_shown_and_nothing_is_saved(
    logged_in, session, segment, sponsor, today, overrides, field, message
):
    before = Session.objects.count()
    data = {**form_data(segment, sponsor, today), **overrides}
    response = logged_in.post(reverse("backoffice:session_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert Session.objects.count() == before
    assert b'class="field has-error"' in response.content


def test_edit_records_the_change_and_shows_it_on_the_page(
    logged_in, session, segment, sponsor, today
):
    data = form_data(segment, sponsor, today, reference=session.reference, expected_subjects="31")
    response = logged_in.post(
        reverse("backoffice:session_edit", kwargs={"session": session.pk}), data
    )
    assert response.status_code == 302
    page = logged_in.get(reverse("backoffice:session_detail", kwargs={"session": session.pk}))
    entry = page.context["log"][0]
    assert entry.action == "seance.session.changed"
    assert entry.data["expected_subjects"] == [28, 31]
    body = page.content.decode()
    assert "Session changed" in body and "Expected subjects" in body and "31" in body


def test_status_buttons_move_the_session(logged_in, session):
    url = reverse("backoffice:session_status", kwargs={"session": session.pk})
    logged_in.post(url, {"status": "on_sale"})
    session.refresh_from_db()
    assert session.status == SessionStatus.ON_SALE
    response = logged_in.post(url, {"status": "planned"}, follow=True)
    session.refresh_from_db()
    assert session.status == SessionStatus.ON_SALE
    assert "cannot become" in response.content.decode()


def test_list_filters_combine_and_search(
    new_session, logged_in, organizer, owner, session, segment, sponsor, today
):
    other_sponsor = services.create_sponsor(organizer, user=owner, name="Club de judo")
    prom = services.create_segment(organizer, user=owner, name="Prom")
    judo = new_session(
        name="Judo gala",
        reference="JUDO-1",
        shooting_date=today + dt.timedelta(days=60),
        segment=prom,
        sponsor=other_sponsor,
        price_profile=session.price_profile,
    )
    services.change_session_status(judo, SessionStatus.ON_SALE, user=owner)
    url = reverse("backoffice:session_list")

    def listed(**params):
        return [s.reference for s in logged_in.get(url, params).context["page"]]

    assert listed() == ["JUDO-1", "EJF-CP"]
    assert listed(status="on_sale") == ["JUDO-1"]
    assert listed(segment=segment.pk) == ["EJF-CP"]
    assert listed(sponsor=other_sponsor.pk) == ["JUDO-1"]
    assert listed(q="jules") == ["EJF-CP"]
    assert listed(q="judo-1") == ["JUDO-1"]
    assert listed(date_from=(today + dt.timedelta(days=30)).isoformat()) == ["JUDO-1"]
    assert listed(date_to=(today + dt.timedelta(days=30)).isoformat()) == ["EJF-CP"]
    assert listed(status="on_sale", segment=segment.pk) == []
    assert listed(date_from="not-a-date") == ["JUDO-1", "EJF-CP"]  # a broken filter is ignored


def test_session_list_query_count_does_not_grow_with_sessions(
    new_session,
    logged_in,
    organizer,
    owner,
    segment,
    sponsor,
    profile,
    today,
    django_assert_max_num_queries,
):
    for i in range(30):
        new_session(
            name=f"Class {i}",
            reference=f"C-{i}",
            shooting_date=today,
            price_profile=profile,
        )
    with django_assert_max_num_queries(9):
        response = logged_in.get(reverse("backoffice:session_list"))
    assert len(response.context["page"]) == 30


def test_export_is_a_safe_spreadsheet(
    new_session, logged_in, organizer, owner, segment, sponsor, today
):
    new_session(
        name='=HYPERLINK("http://evil")',
        reference="EVIL",
        shooting_date=today,
    )
    response = logged_in.get(reverse("backoffice:session_export"))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "Reference"
    assert rows[1][:2] == ["EVIL", '\'=HYPERLINK("http://evil")']


def test_segment_choice_fills_in_the_defaults(logged_in, session, segment, today):
    """P3: the new-session form, reloaded by htmx with a segment, starts from its latest session."""
    shoot = today + dt.timedelta(days=30)
    response = logged_in.get(
        reverse("backoffice:session_create"),
        {"segment": segment.pk, "shooting_date": shoot.isoformat(), "name": "Typed name"},
        HTTP_HX_REQUEST="true",
    )
    form = response.context["form"]
    assert form.initial["price_profile"] == session.price_profile
    assert form.initial["watermark_text"] == "Studio Lumière"
    assert form.initial["name"] == "Typed name"
    body = response.content.decode()
    assert "Settings copied from the latest session of this segment" in body
    assert 'id="session-settings"' in body


def test_sponsor_created_inline_comes_back_as_a_selected_option(logged_in, organizer):
    response = logged_in.post(
        reverse("backoffice:sponsor_inline"),
        {"sponsor-name": "Lycée Victor Hugo", "sponsor-contact_email": ""},
        HTTP_HX_REQUEST="true",
    )
    sponsor = Sponsor.objects.get(name="Lycée Victor Hugo")
    assert sponsor.organizer == organizer
    assert response["HX-Trigger"] == "sponsor-created"
    assert (
        f'<option value="{sponsor.pk}" selected>Lycée Victor Hugo</option>'
        in response.content.decode()
    )
    assert entries_for(sponsor).get().action == "seance.sponsor.created"


def test_inline_sponsor_errors_come_back_in_the_dialog(logged_in):
    response = logged_in.post(
        reverse("backoffice:sponsor_inline"),
        {"sponsor-name": "", "sponsor-contact_email": "not-an-email"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Retarget"] == "#sponsor-inline-form"
    assert "HX-Trigger" not in response
    body = response.content.decode()
    assert 'id="sponsor-inline-form"' in body and "has-error" in body
    assert not Sponsor.objects.exists()


def test_watermark_preview_is_a_jpeg_that_follows_the_settings(logged_in):
    url = reverse("backoffice:watermark_preview")
    plain = logged_in.post(url, {"watermark_kind": "none"})
    marked = logged_in.post(
        url, {"watermark_kind": "text", "watermark_text": "PROOF", "watermark_opacity": "80"}
    )
    assert plain["Content-Type"] == marked["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(marked.content)).size == (1200, 800)
    assert plain.content != marked.content


def test_watermark_preview_with_an_uploaded_logo(logged_in):
    logo = io.BytesIO()
    Image.new("RGBA", (300, 120), (255, 0, 0, 255)).save(logo, "PNG")
    logo.name = "logo.png"
    logo.seek(0)
    response = logged_in.post(
        reverse("backoffice:watermark_preview"),
        {
            "watermark_kind": "image",
            "watermark_position": "center",
            "watermark_opacity": "100",
            "watermark_image": logo,
        },
    )
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    r, g, _b = image.getpixel((600, 400))
    assert r > 200 and g < 60


def test_corrupt_watermark_upload_gets_a_clear_error(logged_in, session, segment, sponsor, today):
    junk = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    junk.name = "logo.png"
    response = logged_in.post(
        reverse("backoffice:watermark_preview"),
        {"watermark_kind": "image", "watermark_image": junk},
    )
    assert response.status_code == 400
    assert "not a readable image" in response.content.decode()

    junk.seek(0)
    data = form_data(segment, sponsor, today, reference=session.reference, watermark_kind="image")
    data["watermark_image"] = junk
    response = logged_in.post(
        reverse("backoffice:session_edit", kwargs={"session": session.pk}), data
    )
    assert response.status_code == 200
    assert "watermark_image" in response.context["form"].errors
    session.refresh_from_db()
    assert session.watermark_kind == "text" and not session.watermark_image


def test_valid_watermark_image_is_saved(logged_in, session, segment, sponsor, today):
    logo = io.BytesIO()
    Image.new("RGBA", (200, 80), (0, 0, 255, 200)).save(logo, "PNG")
    logo.name = "logo.png"
    logo.seek(0)
    data = form_data(segment, sponsor, today, reference=session.reference, watermark_kind="image")
    data["watermark_image"] = logo
    response = logged_in.post(
        reverse("backoffice:session_edit", kwargs={"session": session.pk}), data
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.watermark_kind == "image" and session.watermark_image.name.startswith(
        "watermarks/"
    )
    page = logged_in.get(reverse("backoffice:session_edit", kwargs={"session": session.pk}))
    body = page.content.decode()
    assert "Current file:" in body and "logo" in body
    assert "/media/" not in body  # uploads are named, never linked
