"""Issue 7: a communication plan over a session's whole sale, in time-travel (P9, Q4, P5)."""

import datetime as dt
import os
import subprocess
import sys
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase

from seance.commerce import services as commerce
from seance.commerce.models import Order
from seance.comms import sms
from seance.comms.defaults import install_defaults
from seance.comms.models import (
    Message,
    MessageState,
    Rule,
    Template,
    Trigger,
    Unsubscribe,
)
from seance.core.tick import run_tick
from seance.photos import messaging, services
from seance.photos.models import NotifyRequest, Photo, SessionStatus
from seance.photos.selling import item_for
from tests.concurrency import at_once
from tests.photos.test_ingest import _private_storage  # noqa: F401 - autouse fixture
from tests.shop.test_gallery import galleries  # noqa: F401 - fixture

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ON_SALE = dt.datetime(2026, 11, 2, 9, 0, tzinfo=PARIS)
DISCOUNT_UNTIL = dt.date(2026, 11, 20)
ARCHIVE_ON = dt.date(2026, 12, 15)


@pytest.fixture
def sale(organizer, owner, session, galleries):
    """Léa's family (reminders accepted) and Hugo's (not), on sale since ON_SALE with the
    default plan: online at publication, discount ends -3 days 18:00, archive -2 days 10:00."""
    plan = install_defaults(organizer, user=owner)
    services.update_session(
        session,
        user=owner,
        plan=plan,
        shooting_date=dt.date(2026, 10, 30),
        discount_kind="percent",
        discount_value=Decimal("15"),
        discount_until=DISCOUNT_UNTIL,
        archive_on=ARCHIVE_ON,
    )
    type(session).objects.filter(pk=session.pk).update(on_sale_since=ON_SALE)
    galleries[0].__class__.objects.filter(pk__in=[g.pk for g in galleries]).update(
        activated_at=ON_SALE - dt.timedelta(hours=1)
    )
    agreement = services.current_agreement(organizer, "fr")
    for gallery, (name, email, reminders) in zip(
        galleries,
        [("Anne Martin", "anne@example.fr", True), ("Marc Petit", "marc@example.fr", False)],
        strict=True,
    ):
        services.register_visitor(
            gallery,
            name=name,
            email=email,
            consent=True,
            agreement=agreement,
            language="fr",
            reminders=reminders,
        )
    session.refresh_from_db()
    return session


def tick(**kwargs):
    """``seance tick``, with what it queues sent as after a commit (tests run in a
    transaction that never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return run_tick(**kwargs)


def tick_at(when: dt.datetime):
    with time_machine.travel(when, tick=False):
        return tick(now=when).done


def sent():
    return [(m.to[0], m.subject) for m in mail.outbox]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def test_a_whole_plan_each_message_once_at_its_moment(sale):
    assert tick_at(ON_SALE - dt.timedelta(minutes=5))["photos.plans"] == []
    done = tick_at(ON_SALE + dt.timedelta(minutes=1))["photos.plans"]
    assert len(done) == 2  # "photos online" goes to both families
    assert sorted(to for to, _s in sent()) == ["anne@example.fr", "marc@example.fr"]
    assert all(subject.startswith("Les photos de") for _to, subject in sent())
    assert tick_at(ON_SALE + dt.timedelta(hours=3))["photos.plans"] == []
    # Discount ends on the 20th: reminder on the 17th at 18:00, only to who accepted them.
    assert tick_at(at(dt.date(2026, 11, 17), 17, 59))["photos.plans"] == []
    assert len(tick_at(at(dt.date(2026, 11, 17), 18, 0))["photos.plans"]) == 1
    assert sent()[-1][0] == "anne@example.fr" and "15" in sent()[-1][1]
    assert tick_at(at(dt.date(2026, 11, 17), 18, 30))["photos.plans"] == []
    # Archive on 15 December: reminder on the 13th at 10:00.
    assert len(tick_at(at(dt.date(2026, 12, 13), 10, 5))["photos.plans"]) == 1
    assert len(mail.outbox) == 4
    # After the archive date nothing more, whatever the rules.
    Rule.objects.create(
        plan=sale.plan,
        trigger=Trigger.ARCHIVE,
        offset_days=1,
        template=Template.objects.get(name="Gallery closes soon"),
    )
    done = tick_at(at(dt.date(2026, 12, 16), 10, 5))["photos.plans"]
    assert done and all(line.startswith("skipped (too late") for line in done)
    assert len(mail.outbox) == 4


def test_a_late_tick_skips_what_no_longer_makes_sense_and_says_so(sale):
    tick_at(ON_SALE + dt.timedelta(minutes=1))
    # No tick between the 16th and the 21st: the discount reminder is past its use.
    done = tick_at(at(dt.date(2026, 11, 21), 8, 0))["photos.plans"]
    assert len(done) == 1 and done[0].startswith("skipped (too late")
    skipped = Message.objects.get(state=MessageState.SKIPPED)
    assert skipped.to == "anne@example.fr"
    assert tick_at(at(dt.date(2026, 11, 21), 9, 0))["photos.plans"] == []  # said once
    assert len(mail.outbox) == 2


def test_a_tick_a_few_hours_late_still_sends(sale):
    tick_at(ON_SALE + dt.timedelta(minutes=1))
    assert len(tick_at(at(dt.date(2026, 11, 18), 7, 0))["photos.plans"]) == 1
    assert mail.outbox[-1].to == ["anne@example.fr"]


def test_only_without_order_skips_families_who_ordered(sale, galleries, organizer, profile):
    tick_at(ON_SALE + dt.timedelta(minutes=1))
    cart = commerce.cart_for(organizer, None)
    with time_machine.travel(ON_SALE + dt.timedelta(days=1), tick=False):
        commerce.add_to_cart(
            cart,
            kind="photo",
            item=item_for(
                galleries[0].access_code.code,
                Photo.objects.get(original_name="IMG_1.JPG"),
                profile.products.get(name="Digital file"),
            ),
        )
        commerce.place_order(cart, email="anne@example.fr", name="Anne")
    mail.outbox.clear()
    assert tick_at(at(dt.date(2026, 11, 17), 18, 0))["photos.plans"] == []
    # Only the order's own email: no reminder for the family who ordered.
    assert [subject for _to, subject in sent()] == [
        f"Your order {Order.objects.get().code} with {organizer.name}"
    ]


def test_unsubscribed_addresses_get_no_more_plan_messages(sale, client, organizer):
    url = messaging.unsubscribe_url(organizer, "anne@example.fr")
    tick_at(ON_SALE + dt.timedelta(minutes=1))
    link = next(m for m in mail.outbox if m.to == ["anne@example.fr"]).body.split()[-1]
    assert link == url
    path = url.removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    assert not Unsubscribe.objects.exists()  # opening the link changes nothing
    client.post(path)
    assert Unsubscribe.objects.get().address == "anne@example.fr"
    assert tick_at(at(dt.date(2026, 11, 17), 18, 0))["photos.plans"] == []
    assert client.get(path[:-3] + "xyz/").status_code == 404  # altered


def test_sms_rules_go_to_phones_through_the_sms_backend(sale, owner, galleries, organizer):
    template = Template.objects.get(name="Photos online (SMS)")
    Rule.objects.filter(plan=sale.plan).delete()
    Rule.objects.create(plan=sale.plan, trigger=Trigger.ON_SALE, template=template)
    # Only a pre-registration has a phone: add one to Léa's card.
    from seance.photos.models import GalleryRegistration, PreRegistration

    GalleryRegistration.objects.all().delete()
    PreRegistration.objects.create(
        card=galleries[0].card,
        child_first_name="Léa",
        child_last_name="Martin",
        email="anne@example.fr",
        phone="+33612345678",
        agreement=services.current_agreement(organizer, "fr"),
        consented_at=ON_SALE,
        language="fr",
    )
    sms.outbox.clear()
    tick_at(ON_SALE + dt.timedelta(minutes=1))
    recipient = messaging.recipients(galleries[0])[0]
    link = messaging.context_for(sale, galleries[0], recipient, "fr")["gallery_link"]
    expected = f"{organizer.name} : les photos de Léa sont en ligne : {link}"
    assert list(sms.outbox) == [("+33612345678", expected)]


def test_the_online_email_carries_the_qr_code(sale):
    tick_at(ON_SALE + dt.timedelta(minutes=1))
    message = mail.outbox[0]
    images = [a for a in message.attachments if getattr(a, "get_content_type", None)]
    assert images and images[0].get_content_type() == "image/png"
    html = message.alternatives[0][0]
    assert 'src="cid:qr"' in html


def test_the_notify_me_list_hears_when_the_session_goes_on_sale(new_session, owner, profile):
    session = new_session(reference="LATER", price_profile=profile)
    services.ask_to_be_notified(session, email="waiting@example.fr", language="fr")
    tick()
    assert mail.outbox == []
    services.change_session_status(session, SessionStatus.ON_SALE, user=owner)
    tick()
    tick()
    assert [m.to for m in mail.outbox] == [["waiting@example.fr"]]
    assert mail.outbox[0].subject == "Les photos de LATER sont en ligne"
    assert NotifyRequest.objects.get().notified_at is not None


def test_the_dry_run_lists_what_is_due_and_sends_nothing(sale):
    with time_machine.travel(ON_SALE + dt.timedelta(minutes=1), tick=False):
        report = run_tick(dry_run=True)
    due = report.done["photos.plans"]
    assert {d["recipient"] for d in due} == {"anne@example.fr", "marc@example.fr"}
    assert due[0]["channel"] == "email" and due[0]["session"] == "EJF-CP"
    assert not Message.objects.exists() and mail.outbox == []


def test_the_session_page_schedule(sale):
    rows = {rule.template.name: due for rule, due in messaging.schedule_for(sale)}
    assert rows["Last days of the discount"] == at(dt.date(2026, 11, 17), 18, 0)
    assert rows["Gallery closes soon"] == at(dt.date(2026, 12, 13), 10, 0)
    assert rows["Photos online"] == ON_SALE


def test_a_template_with_an_unknown_placeholder_is_refused_before_sending():
    from seance.comms import templating

    with pytest.raises(templating.TemplateDataError) as e:
        templating.check("Hello {{ child_nam }}")
    assert e.value.missing == ["child_nam"]
    templating.check("Hello {{ child_name }}, {{ deadline }}")


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_send_each_message_once(sale):
    def tick_now():
        with time_machine.travel(ON_SALE + dt.timedelta(minutes=1), tick=False):
            return run_tick()

    at_once(tick_now, tick_now)
    assert Message.objects.filter(key__startswith="plan:").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anne@example.fr", "marc@example.fr"]


@pytest.mark.django_db(transaction=True)
def test_two_tick_processes_on_postgresql_send_each_message_once(sale, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of .ci/run (two processes, one database)")
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {
        **os.environ,
        "SEANCE_DATABASE_URL": url,
        "SEANCE_DATA_DIR": str(tmp_path),
        "SEANCE_EMAIL_URL": "consolemail://",
    }
    when = (ON_SALE + dt.timedelta(minutes=1)).isoformat()
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'seance.settings');"
        "django.setup(); import datetime as dt; from seance.core.tick import run_tick;"
        f"r = run_tick(now=dt.datetime.fromisoformat('{when}')); print(r.count)"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE)  # noqa: S603
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    assert Message.objects.filter(key__startswith="plan:").count() == 2
    assert Message.objects.filter(key__startswith="plan:", state=MessageState.SENT).count() == 2


def test_a_text_needing_what_the_session_lacks_is_skipped_once_not_sent_blank(sale, owner):
    from seance.photos.models import DiscountKind

    type(sale).objects.filter(pk=sale.pk).update(discount_kind=DiscountKind.NONE)
    Rule.objects.filter(plan=sale.plan).delete()
    Rule.objects.create(
        plan=sale.plan,
        trigger=Trigger.ON_SALE,
        template=Template.objects.get(name="Last days of the discount"),
    )
    done = tick_at(ON_SALE + dt.timedelta(minutes=1))["photos.plans"]
    assert len(done) == 2 and all("empty placeholder: discount" in line for line in done)
    assert mail.outbox == []
    assert Message.objects.filter(state=MessageState.SKIPPED).count() == 2
    assert tick_at(ON_SALE + dt.timedelta(minutes=2))["photos.plans"] == []
