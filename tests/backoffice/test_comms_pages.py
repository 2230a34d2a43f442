"""P9, Q4: message templates and communication plans in the back office, and a session's
schedule of messages."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from seance.comms import plans
from seance.comms.models import Plan, Rule, Template, Trigger
from seance.core.audit import entries_for
from seance.core.models import LogEntry, Membership
from seance.photos import codes, services
from seance.photos.models import DiscountKind, SessionStatus
from tests.backoffice.test_sessions import form_data
from tests.photos.fakes import camera_jpeg
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture

SITE = "http://127.0.0.1:8000"
T0 = dt.datetime(2026, 11, 20, 9, 0)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def logged_in(client, owner, organizer):
    client.force_login(owner)
    return client


def email_template(organizer, owner, name="Photos online", body="Hello {{ child_name }}"):
    return plans.create_template(
        organizer,
        user=owner,
        name=name,
        channel="email",
        texts={"en": ("Photos of {{ session }}", body)},
    )


def template_data(**overrides):
    data = {
        "name": "Photos online",
        "channel": "email",
        "subject_en": "The photos of {{ session }}",
        "body_en": "Hello, here are {{ child_name }}'s photos: {{ gallery_link }} ({{ code }})",
        "subject_fr": "",
        "body_fr": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def family(session, owner):
    """Two pupils photographed; the second one's parent pre-registered ("Hugo"); on sale."""
    cards = services.add_cards(session, user=owner, count=2)
    services.pre_register(
        cards[1].access_code,
        child_first_name="Hugo",
        child_last_name="Martin",
        class_name="CP-A",
        email="parent@family.test",
        phone="",
        consent=True,
        agreement=services.current_agreement(session.organizer, "en"),
        language="en",
        reminders=True,
    )
    album = services.get_or_create_album(session, "CP-A")
    for i, card in enumerate([cards[0], None, cards[1], None]):
        qr = codes.card_payload(SITE, card.access_code.code) if card else None
        services.ingest_photo(
            session,
            album=album,
            filename=f"IMG_{i}.JPG",
            import_order=i,
            data=camera_jpeg(qr=qr, seed=i, taken_at=T0 + dt.timedelta(seconds=20 * i)),
        )
    services.activate_access_codes(session, user=owner)
    services.change_session_status(session, SessionStatus.ON_SALE, user=owner)
    return cards[1].access_code.gallery


# --- templates -------------------------------------------------------------------------------


def test_create_a_template_with_its_texts(logged_in, organizer):
    response = logged_in.post(
        reverse("backoffice:template_create"),
        template_data(subject_fr="Les photos de {{ session }}", body_fr="Bonjour {{ child_name }}"),
    )
    template = Template.objects.get(organizer=organizer)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "backoffice:template_detail", kwargs={"template": template.pk}
    )
    texts = {t.language: (t.subject, t.body) for t in template.texts.all()}
    assert texts["fr"] == ("Les photos de {{ session }}", "Bonjour {{ child_name }}")
    assert set(texts) == {"en", "fr"}
    assert [e.action for e in entries_for(template)] == ["seance.template.created"]


def test_template_list_shows_channel_languages_and_use(logged_in, organizer, owner):
    template = email_template(organizer, owner)
    plan = plans.create_plan(organizer, user=owner, name="Standard")
    plans.add_rule(plan, user=owner, trigger=Trigger.GALLERY_PUBLISHED, template=template)
    body = logged_in.get(reverse("backoffice:template_list")).content.decode()
    assert "Photos online" in body and "EN" in body and "1 rule" in body


def test_unknown_placeholder_is_refused_with_its_name(logged_in, organizer):
    response = logged_in.post(
        reverse("backoffice:template_create"),
        template_data(body_en="Hello {{ kid_name }}, your code: {{ code }}"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "kid_name" in " ".join(errors["body_en"])
    assert "kid_name" in response.content.decode()
    assert not Template.objects.filter(organizer=organizer).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject_en": ""}, "subject_en"),  # an email needs a subject
        ({"body_en": ""}, "body_en"),  # the default language is required
        ({"subject_fr": "Vos photos"}, "body_fr"),  # another language: all or nothing
        ({"body_en": "{% if %}"}, "body_en"),  # not a template
        ({"subject_en": "{{ nope }}"}, "subject_en"),
    ],
)
def test_incomplete_or_broken_texts_are_refused(logged_in, organizer, overrides, field):
    response = logged_in.post(reverse("backoffice:template_create"), template_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Template.objects.filter(organizer=organizer).exists()


def test_sms_template_has_no_subject_nor_qr(logged_in, organizer):
    logged_in.post(
        reverse("backoffice:template_create"),
        template_data(channel="sms", subject_en="ignored {{ nope }}", with_qr="on"),
    )
    template = Template.objects.get(organizer=organizer)
    assert template.channel == "sms" and not template.with_qr
    assert template.texts.get(language="en").subject == ""


def test_edit_a_template_records_what_changed(logged_in, organizer, owner):
    template = email_template(organizer, owner)
    url = reverse("backoffice:template_detail", kwargs={"template": template.pk})
    page = logged_in.get(url)
    assert page.status_code == 200
    assert "child_name" in page.content.decode()  # the placeholders beside the editor
    response = logged_in.post(
        url,
        template_data(
            name="Online now",
            body_en="Hi {{ child_name }}",
            subject_fr="Vos photos",
            body_fr="Salut {{ child_name }}",
        ),
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "Online now"
    assert template.texts.get(language="fr").body == "Salut {{ child_name }}"
    entry = entries_for(template).first()
    assert entry.action == "seance.template.changed"
    assert entry.data["name"] == ["Photos online", "Online now"]
    assert entry.data["texts"] == ["en", "fr"]


def test_template_names_are_unique_per_organizer(logged_in, organizer, owner, stranger):
    email_template(organizer, owner)
    other = Membership.objects.get(user=stranger).organizer
    email_template(other, stranger)  # another organizer may use the same name
    response = logged_in.post(
        reverse("backoffice:template_create"), template_data(name="PHOTOS ONLINE")
    )
    assert "name" in response.context["form"].errors


def test_a_template_used_by_a_rule_cannot_be_deleted(logged_in, organizer, owner):
    template = email_template(organizer, owner)
    plan = plans.create_plan(organizer, user=owner, name="Standard")
    plans.add_rule(plan, user=owner, trigger=Trigger.GALLERY_PUBLISHED, template=template)
    url = reverse("backoffice:template_delete", kwargs={"template": template.pk})
    response = logged_in.post(url, follow=True)
    assert Template.objects.filter(pk=template.pk).exists()
    assert "is used by 1 rule" in response.content.decode()
    Rule.objects.filter(template=template).delete()
    response = logged_in.post(url)
    assert response["Location"] == reverse("backoffice:template_list")
    assert not Template.objects.filter(pk=template.pk).exists()
    assert LogEntry.objects.filter(action="seance.template.deleted").count() == 1


# --- preview with real data ------------------------------------------------------------------


def test_preview_shows_the_registered_childs_name_and_code(logged_in, organizer, owner, family):
    template = email_template(
        organizer, owner, body="Hello {{ child_name }}, your code is {{ code }}."
    )
    response = logged_in.get(
        reverse("backoffice:template_detail", kwargs={"template": template.pk})
    )
    preview = response.context["preview"]
    assert preview.gallery == family  # the first gallery with a registered family
    assert not preview.error
    code = codes.display(family.access_code.code)
    assert preview.body == f"Hello Hugo, your code is {code}."
    body = response.content.decode()
    assert f"Hello Hugo, your code is {code}." in body
    assert "Photos of École Jules Ferry — CP" in body  # the subject, with the session's name


def test_preview_of_unsaved_text_for_a_chosen_gallery(logged_in, organizer, session, family):
    other = session.galleries.exclude(pk=family.pk).get()
    response = logged_in.post(
        reverse("backoffice:template_preview"),
        {
            **template_data(body_en="Dear {{ child_name }}: {{ gallery_link }}"),
            "session": session.pk,
            "gallery": other.pk,
            "language": "en",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.gallery == other and preview.made_up  # nobody registered: a made-up family
    assert other.access_code.code in preview.body
    assert "<html" not in response.content.decode()  # a fragment for htmx


def test_preview_without_javascript_uses_the_saved_text(
    logged_in, organizer, owner, session, family
):
    template = email_template(organizer, owner, body="Bonjour {{ child_name }} ({{ code }})")
    other = session.galleries.exclude(pk=family.pk).get()
    url = reverse("backoffice:template_detail", kwargs={"template": template.pk})
    response = logged_in.get(url, {"session": session.pk, "gallery": other.pk, "language": "fr"})
    preview = response.context["preview"]
    assert preview.gallery == other
    # No French text: the family gets the default language's, and the page says so.
    assert preview.language == "en" and preview.asked_language == "fr"
    assert (
        preview.body
        == f"Bonjour {preview.recipient.name} ({codes.display(other.access_code.code)})"
    )
    assert "No text in this language yet" in response.content.decode()


def test_preview_of_a_deadline_without_discount_shows_the_error(
    logged_in, organizer, owner, session, family
):
    assert session.discount_kind == DiscountKind.NONE
    template = email_template(organizer, owner, body="Last days! Until {{ deadline }}.")
    response = logged_in.get(
        reverse("backoffice:template_detail", kwargs={"template": template.pk})
    )
    assert response.status_code == 200
    assert "deadline" in response.context["preview"].missing
    body = response.content.decode()
    assert "could not be sent for this family" in body
    assert "Unknown or empty placeholder: deadline" in body


def test_preview_ignores_a_foreign_session(logged_in, organizer, owner, family, stranger):
    from seance.photos.models import AccessCode, Gallery

    other = Membership.objects.get(user=stranger).organizer
    theirs = services.create_session(
        other,
        user=stranger,
        reference="THEIRS",
        name="Their secret session",
        shooting_date=services.today_for(other),
        watermark_text="x",
        segment=services.create_segment(other, user=stranger, name="Theirs"),
        sponsor=services.create_sponsor(other, user=stranger, name="Their school"),
    )
    code = AccessCode.objects.create(
        organizer=other, session=theirs, code=codes.new_code(), status="active"
    )
    gallery = Gallery.objects.create(session=theirs, access_code=code, name="Their pupil")
    response = logged_in.post(
        reverse("backoffice:template_preview"),
        {**template_data(), "session": theirs.pk, "gallery": gallery.pk},
    )
    assert response.status_code == 200
    assert response.context["preview"].session.organizer == organizer
    body = response.content.decode()
    assert "Their secret session" not in body and "Their pupil" not in body
    assert codes.display(code.code) not in body


def test_preview_without_any_gallery_says_so(logged_in, organizer, owner, session):
    template = email_template(organizer, owner)
    response = logged_in.get(
        reverse("backoffice:template_detail", kwargs={"template": template.pk})
    )
    assert response.status_code == 200
    assert "No session has galleries yet" in response.content.decode()


# --- plans and rules -------------------------------------------------------------------------


def test_create_a_plan_and_add_rules_in_time_order(logged_in, organizer, owner):
    online = email_template(organizer, owner)
    last_days = email_template(organizer, owner, name="Last days", body="Until {{ deadline }}")
    response = logged_in.post(reverse("backoffice:plan_create"), {"name": "Schools"})
    plan = Plan.objects.get(organizer=organizer)
    assert response["Location"] == reverse("backoffice:plan_detail", kwargs={"plan": plan.pk})
    add = reverse("backoffice:rule_create", kwargs={"plan": plan.pk})
    logged_in.post(
        add,
        {
            "trigger": "discount_ends",
            "offset_days": "-3",
            "at_time": "18:00",
            "template": last_days.pk,
            "only_without_order": "on",
        },
    )
    logged_in.post(add, {"trigger": "gallery_published", "offset_days": "0", "template": online.pk})
    assert plan.rules.count() == 2
    response = logged_in.get(reverse("backoffice:plan_detail", kwargs={"plan": plan.pk}))
    assert [rule.trigger for rule, _sentence in response.context["rules"]] == [
        "gallery_published",
        "discount_ends",
    ]
    body = response.content.decode()
    body = body[body.index("Messages, in time order") :]  # after the "Added: …" notices
    first = body.index("Gallery published → email “Photos online”")
    second = body.index(
        "Discount ends \N{MINUS SIGN} 3 days at 18:00 → email “Last days” "
        "(reminder; only if no order yet)"
    )
    assert first < second
    assert [e.action for e in entries_for(plan)] == [
        "seance.plan.rule_added",
        "seance.plan.rule_added",
        "seance.plan.created",
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"offset_days": "-91"}, "offset_days"), ({"offset_days": "91"}, "offset_days")],
)
def test_rule_offset_stays_within_90_days(logged_in, organizer, owner, overrides, field):
    template = email_template(organizer, owner)
    plan = plans.create_plan(organizer, user=owner, name="Standard")
    response = logged_in.post(
        reverse("backoffice:rule_create", kwargs={"plan": plan.pk}),
        {"trigger": "archive", "template": template.pk, **overrides},
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not plan.rules.exists()


def test_rule_cannot_use_another_organizers_template(logged_in, organizer, owner, stranger):
    other = Membership.objects.get(user=stranger).organizer
    foreign = email_template(other, stranger)
    plan = plans.create_plan(organizer, user=owner, name="Standard")
    response = logged_in.post(
        reverse("backoffice:rule_create", kwargs={"plan": plan.pk}),
        {"trigger": "archive", "offset_days": "0", "template": foreign.pk},
    )
    assert "template" in response.context["form"].errors
    assert not plan.rules.exists()
    with pytest.raises(Exception, match="your own templates"):
        plans.add_rule(plan, user=owner, trigger=Trigger.ARCHIVE, template=foreign)


def test_edit_and_remove_a_rule(logged_in, organizer, owner):
    template = email_template(organizer, owner)
    plan = plans.create_plan(organizer, user=owner, name="Standard")
    rule = plans.add_rule(plan, user=owner, trigger=Trigger.ARCHIVE, template=template)
    url = reverse("backoffice:rule_edit", kwargs={"plan": plan.pk, "rule": rule.pk})
    assert logged_in.get(url).status_code == 200
    response = logged_in.post(
        url,
        {"trigger": "archive", "offset_days": "-7", "at_time": "09:30", "template": template.pk},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.offset_days, rule.at_time) == (-7, dt.time(9, 30))
    entry = entries_for(plan).first()
    assert entry.action == "seance.plan.rule_changed"
    assert entry.data["offset_days"] == [0, -7] and entry.data["at_time"] == [None, "09:30"]
    logged_in.post(reverse("backoffice:rule_delete", kwargs={"plan": plan.pk, "rule": rule.pk}))
    assert not plan.rules.exists()


def test_rename_a_plan(logged_in, organizer, owner):
    plan = plans.create_plan(organizer, user=owner, name="Standard")
    url = reverse("backoffice:plan_edit", kwargs={"plan": plan.pk})
    assert logged_in.post(url, {"name": "Schools 2026"}).status_code == 302
    plan.refresh_from_db()
    assert plan.name == "Schools 2026"
    assert entries_for(plan).first().data == {"name": ["Standard", "Schools 2026"]}


def test_a_plan_used_by_a_session_cannot_be_deleted(logged_in, organizer, owner, session):
    plan = plans.create_plan(organizer, user=owner, name="Standard")
    services.update_session(session, user=owner, plan=plan)
    url = reverse("backoffice:plan_delete", kwargs={"plan": plan.pk})
    response = logged_in.post(url, follow=True)
    assert Plan.objects.filter(pk=plan.pk).exists()
    assert "1 session uses “Standard”" in response.content.decode()
    services.update_session(session, user=owner, plan=None)
    assert logged_in.post(url)["Location"] == reverse("backoffice:plan_list")
    assert not Plan.objects.filter(pk=plan.pk).exists()


def test_plan_list_counts_rules_and_sessions(logged_in, organizer, owner, session):
    template = email_template(organizer, owner)
    plan = plans.create_plan(organizer, user=owner, name="Standard")
    plans.add_rule(plan, user=owner, trigger=Trigger.ARCHIVE, template=template)
    plans.add_rule(plan, user=owner, trigger=Trigger.ON_SALE, template=template)
    services.update_session(session, user=owner, plan=plan)
    response = logged_in.get(reverse("backoffice:plan_list"))
    [row] = response.context["plans"]
    assert (row.rule_count, row.session_count) == (2, 1)


# --- the session's plan and schedule ---------------------------------------------------------


def test_session_form_offers_only_the_organizers_plans(
    logged_in, organizer, owner, session, stranger, segment, sponsor, today
):
    mine = plans.create_plan(organizer, user=owner, name="Mine")
    other = Membership.objects.get(user=stranger).organizer
    foreign = plans.create_plan(other, user=stranger, name="Foreign plan")
    url = reverse("backoffice:session_edit", kwargs={"session": session.pk})
    form = logged_in.get(url).context["form"]
    assert list(form.fields["plan"].queryset) == [mine]
    data = form_data(segment, sponsor, today, reference=session.reference, plan=foreign.pk)
    response = logged_in.post(url, data)
    assert response.status_code == 200
    assert "plan" in response.context["form"].errors
    session.refresh_from_db()
    assert session.plan is None
    assert logged_in.post(url, {**data, "plan": mine.pk}).status_code == 302
    session.refresh_from_db()
    assert session.plan == mine


def test_session_page_shows_the_plans_schedule(client, organizer, owner, segment, sponsor, profile):
    online = email_template(organizer, owner)
    last_days = email_template(organizer, owner, name="Last days", body="Until {{ deadline }}")
    plan = plans.create_plan(organizer, user=owner, name="Schools")
    plans.add_rule(
        plan,
        user=owner,
        trigger=Trigger.DISCOUNT_ENDS,
        offset_days=-3,
        at_time=dt.time(18, 0),
        template=last_days,
    )
    plans.add_rule(plan, user=owner, trigger=Trigger.GALLERY_PUBLISHED, template=online)
    plans.add_rule(plan, user=owner, trigger=Trigger.ARCHIVE, offset_days=-1, template=online)
    with time_machine.travel(dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC), tick=False):
        session = services.create_session(
            organizer,
            user=owner,
            name="Lycée Victor Hugo",
            reference="LVH",
            shooting_date=dt.date(2026, 11, 5),
            segment=segment,
            sponsor=sponsor,
            price_profile=profile,
            plan=plan,
            discount_kind=DiscountKind.PERCENT,
            discount_value=Decimal("15"),
            discount_until=dt.date(2026, 11, 30),
            watermark_text="x",
        )
        services.change_session_status(session, SessionStatus.ON_SALE, user=owner)
        client.force_login(owner)
        response = client.get(reverse("backoffice:session_detail", kwargs={"session": session.pk}))
    body = response.content.decode()
    rows = response.context["schedule"]
    assert [r["rule"].trigger for r in rows] == ["discount_ends", "gallery_published", "archive"]
    assert rows[0]["due"] == dt.datetime(2026, 11, 27, 18, 0, tzinfo=PARIS)
    assert '<time datetime="2026-11-27T18:00:00+01:00">' in body  # the organizer's time zone
    assert "when the gallery is published" in body  # no gallery yet
    assert "no date yet: no archive date" in body
    assert reverse("backoffice:plan_detail", kwargs={"plan": plan.pk}) in body


def test_session_without_plan_says_so(logged_in, session):
    body = logged_in.get(
        reverse("backoffice:session_detail", kwargs={"session": session.pk})
    ).content.decode()
    assert "No communication plan" in body


# --- who may -----------------------------------------------------------------------------


def test_assistants_manage_plans_and_templates(client, organizer, owner, assistant):
    """X1: plans and templates go with sessions (MANAGE_SESSIONS), which assistants have."""
    client.force_login(assistant)
    assert client.get(reverse("backoffice:plan_list")).status_code == 200
    assert client.get(reverse("backoffice:template_list")).status_code == 200
    client.post(reverse("backoffice:template_create"), template_data())
    template = Template.objects.get(organizer=organizer)
    client.post(reverse("backoffice:plan_create"), {"name": "Assistant's plan"})
    plan = Plan.objects.get(organizer=organizer)
    client.post(
        reverse("backoffice:rule_create", kwargs={"plan": plan.pk}),
        {"trigger": "on_sale", "offset_days": "0", "template": template.pk},
    )
    assert plan.rules.count() == 1
    assert entries_for(plan).first().user == assistant
    nav = client.get(reverse("backoffice:session_list")).content.decode()
    assert reverse("backoffice:plan_list") in nav and reverse("backoffice:template_list") in nav


def test_an_organizer_starts_from_the_default_templates_and_plan(client, owner, organizer):
    from seance.comms.models import Plan, Template, TemplateText

    client.force_login(owner)
    page = client.get(reverse("backoffice:template_list"))
    assert "Start from the default templates and plan" in page.content.decode()
    url = reverse("backoffice:install_default_messages")
    assert client.get(url).status_code == 405
    response = client.post(url)
    plan = Plan.objects.get(organizer=organizer)
    assert response["Location"] == reverse("backoffice:plan_detail", kwargs={"plan": plan.pk})
    assert Template.objects.filter(organizer=organizer, with_qr=True).count() == 2
    assert set(TemplateText.objects.values_list("language", flat=True)) == {"en", "fr"}
    assert plan.rules.count() == 3
    client.post(url)  # again: nothing doubled
    assert Plan.objects.count() == 1 and Template.objects.count() == 5
