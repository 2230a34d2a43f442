"""Communication plans at work on photo sessions (P9, Q4, P5): who gets which message when.

``seance tick`` runs :func:`run_plans`: for each on-sale session with a plan, each rule is
placed in time (``comms.schedule``) and, once due, each family of each gallery gets it
through the outbox under the key ``plan:<rule>:<gallery>:<address>:<due time>`` — the same
rule, family and occurrence is never queued twice, however often, late or concurrently the
tick runs. A message found due too late is recorded as skipped (once) and said so in the
tick's output. Families get reminders only if they accepted them when they registered;
"your photos are online" goes to every registered family; an address that unsubscribed
gets nothing more from the organizer's plans.

:func:`notify_waiting` sends the notify-me list (P5) its "photos online" email when the
session goes on sale, whatever its plan.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, Q
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from seance.commerce.models import OrderStatus
from seance.comms import schedule, templating
from seance.comms.models import Channel, Message, Rule, TemplateText, Trigger, Unsubscribe
from seance.comms.services import queue_email, queue_message, record_skipped
from seance.core import tick
from seance.core.links import absolute
from seance.core.templatetags.seance import money
from seance.photos import codes, queries
from seance.photos.models import (
    DiscountKind,
    Gallery,
    GalleryRegistration,
    NotifyRequest,
    Session,
    SessionStatus,
)

UNSUBSCRIBE_SALT = "seance.comms.unsubscribe"


@dataclass(frozen=True)
class Recipient:
    email: str
    phone: str
    name: str
    language: str
    reminders: bool  # accepted deadline and offer reminders


def recipients(gallery: Gallery) -> list[Recipient]:
    """The family (or families) of a gallery: the card's pre-registration and whoever
    registered when opening it, once per address."""
    found: dict[str, Recipient] = {}
    card = gallery.card
    first_name = card.first_name if card else ""
    registration = getattr(card, "pre_registration", None) if card else None
    if registration is not None:
        found[registration.email] = Recipient(
            email=registration.email,
            phone=registration.phone,
            name=registration.child_first_name,
            language=registration.language,
            reminders=registration.reminders,
        )
        first_name = registration.child_first_name
    for visitor in gallery.registrations.all():
        found.setdefault(
            visitor.email,
            Recipient(
                email=visitor.email,
                phone="",
                name=first_name or visitor.name,
                language=visitor.language,
                reminders=visitor.reminders,
            ),
        )
    return list(found.values())


def trigger_moment(
    rule: Rule, session: Session, gallery: Gallery | None
) -> dt.datetime | dt.date | None:
    """When the rule's trigger happened (or happens) for this gallery; None if it has no
    such moment (no discount, no archive date, not on sale)."""
    if rule.trigger == Trigger.ON_SALE:
        return session.on_sale_since
    if rule.trigger == Trigger.GALLERY_PUBLISHED:
        # Families see a gallery once it is activated and the session is on sale.
        if session.on_sale_since is None or gallery is None:
            return None
        return max(gallery.activated_at, session.on_sale_since)
    if rule.trigger == Trigger.DISCOUNT_ENDS:
        return session.discount_until if session.discount_kind != DiscountKind.NONE else None
    return session.archive_on


def window(rule: Rule, session: Session, gallery: Gallery | None) -> schedule.Window | None:
    moment = trigger_moment(rule, session, gallery)
    if moment is None:
        return None
    zone = session.organizer.timezone
    closes = [schedule.end_of(session.archive_on, zone)] if session.archive_on else []
    if rule.trigger == Trigger.DISCOUNT_ENDS and rule.offset_days <= 0:
        closes.append(schedule.end_of(session.discount_until, zone))  # no use once it ended
    return schedule.Window(
        due=schedule.due_at(moment, rule.offset_days, rule.at_time, zone),
        closes=min(closes) if closes else None,
    )


def schedule_for(session: Session) -> list[tuple[Rule, dt.datetime | None]]:
    """P9: the session page's view of its plan — each rule with its date (for gallery
    rules, the date of the first gallery; None while its trigger has no date)."""
    if session.plan_id is None:
        return []
    first = session.galleries.order_by("activated_at").first()
    rows = []
    for rule in session.plan.rules.select_related("template"):
        found = window(rule, session, first)
        rows.append((rule, found.due if found else None))
    return rows


def context_for(session: Session, gallery: Gallery, recipient: Recipient, language: str):
    """The placeholders' values for one family (comms.templating.PLACEHOLDERS)."""
    with translation.override(language):
        discount = ""
        if session.discount_kind == DiscountKind.PERCENT:
            discount = f"\N{MINUS SIGN}{floatformat(session.discount_value, '-2')} %"
        elif session.discount_kind == DiscountKind.AMOUNT:
            discount = money(session.discount_value, session.organizer.currency)
        return {
            "child_name": recipient.name,
            "session": session.name,
            "code": codes.display(gallery.access_code.code),
            "gallery_link": codes.card_payload(settings.SEANCE_SITE_URL, gallery.access_code.code),
            "deadline": date_format(session.discount_until) if session.discount_until else "",
            "discount": discount,
            "archive_date": date_format(session.archive_on) if session.archive_on else "",
            "organizer": session.organizer.name,
        }


def unsubscribe_url(organizer, address: str) -> str:
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"o": organizer.pk, "a": address})
    return absolute(reverse("shop:unsubscribe", args=[token]))


def _text_for(texts: list[TemplateText], language: str, fallback: str) -> TemplateText | None:
    by_language = {t.language: t for t in texts}
    return by_language.get(language) or by_language.get(fallback) or (texts[0] if texts else None)


@dataclass
class _Run:
    """What one tick knows across sessions: the keys each rule already queued (read once per
    rule, and only when something of it is due) and each organizer's unsubscribed
    addresses."""

    now: dt.datetime
    dry_run: bool
    done: list = field(default_factory=list)
    keys: dict[int, set[str]] = field(default_factory=dict)
    unsubscribed: dict[int, set[str]] = field(default_factory=dict)

    def queued(self, rule: Rule) -> set[str]:
        if rule.pk not in self.keys:
            self.keys[rule.pk] = set(
                Message.objects.filter(key__startswith=f"plan:{rule.pk}:")
                .order_by()
                .values_list("key", flat=True)
            )
        return self.keys[rule.pk]

    def stopped(self, organizer) -> set[str]:
        if organizer.pk not in self.unsubscribed:
            self.unsubscribed[organizer.pk] = set(
                Unsubscribe.objects.filter(organizer=organizer).values_list("address", flat=True)
            )
        return self.unsubscribed[organizer.pk]


@tick.register("photos.plans")
def run_plans(now: dt.datetime, *, dry_run: bool = False) -> list:
    """Queue every plan message due at ``now`` (see the module's docstring)."""
    run = _Run(now=now, dry_run=dry_run)
    sessions = (
        Session.objects.filter(status=SessionStatus.ON_SALE, plan__isnull=False)
        .select_related("organizer", "plan")
        .prefetch_related(
            Prefetch("plan__rules", queryset=Rule.objects.select_related("template")),
            "plan__rules__template__texts",
        )
    )
    for session in sessions:
        galleries = (
            session.galleries.select_related("access_code", "card__pre_registration")
            .prefetch_related(
                Prefetch("registrations", queryset=GalleryRegistration.objects.order_by("pk"))
            )
            .annotate(
                has_order=queries.gallery_order_lines(~Q(order__status=OrderStatus.CANCELLED))
            )
        )
        families = [(gallery, recipients(gallery)) for gallery in galleries]
        for rule in session.plan.rules.all():
            for gallery, people in families:
                found = window(rule, session, gallery)
                if found is None or schedule.decide(found, now) == schedule.Decision.WAIT:
                    continue
                if rule.only_without_order and gallery.has_order:
                    continue
                for recipient in people:
                    _plan_one(run, rule, session, gallery, recipient, found)
    return run.done


def _plan_one(run: _Run, rule, session, gallery, recipient, found: schedule.Window) -> None:
    """One family's message of one rule, found due: queued, skipped (and said), or nothing
    (no address, no consent for reminders, unsubscribed, queued before)."""
    organizer = session.organizer
    channel = rule.template.channel
    address = recipient.phone if channel == Channel.SMS else recipient.email
    if not address or address in run.stopped(organizer):
        return
    if rule.is_reminder and not recipient.reminders:
        return
    key = f"plan:{rule.pk}:{gallery.pk}:{address}:{found.due:%Y%m%d%H%M}"
    if key in run.queued(rule):
        return
    due = found.due.isoformat()
    if schedule.decide(found, run.now) == schedule.Decision.LATE:
        reason = _("Found due too late to make sense (due %(due)s).") % {"due": due}
        _skip(run, key, address, reason, organizer, channel)
        run.done.append(f"skipped (too late: due {due}) {rule} → {address}")
        return
    if run.dry_run:
        run.done.append(
            {
                "rule": str(rule),
                "session": session.reference,
                "recipient": address,
                "channel": channel,
                "scheduled": due,
            }
        )
        return
    try:
        queued = _queue(rule, session, gallery, recipient, address, key)
    except templating.TemplateDataError as e:
        # This session lacks what the text needs (no discount, no archive date): said once,
        # in the outbox and here, and not retried.
        _skip(run, key, address, e.message, organizer, channel)
        run.done.append(f"skipped ({e.message}) {rule} → {address}")
        return
    if queued:
        run.done.append(f"queued {rule} → {address}")


def _skip(run: _Run, key, address, reason, organizer, channel) -> None:
    if not run.dry_run:
        record_skipped(key=key, to=address, reason=reason, organizer=organizer, channel=channel)


def _queue(rule, session, gallery, recipient, address, key) -> bool:
    organizer = session.organizer
    text = _text_for(
        list(rule.template.texts.all()), recipient.language, organizer.default_language
    )
    if text is None:
        return False
    language = text.language
    context = context_for(session, gallery, recipient, language)
    body = templating.render(text.body, context)
    sms = rule.template.channel == Channel.SMS
    if not sms:
        with translation.override(language):
            body += "\n\n--\n" + _("No more of these messages: %(link)s") % {
                "link": unsubscribe_url(organizer, address)
            }
    return (
        queue_message(
            key=key,
            channel=rule.template.channel,
            to=address,
            subject="" if sms else templating.render(text.subject, context),
            body=body,
            language=language,
            qr=context["gallery_link"] if rule.template.with_qr and not sms else "",
            organizer=organizer,
        )
        is not None
    )


@tick.register("photos.notify_me")
def notify_waiting(now: dt.datetime, *, dry_run: bool = False) -> list:
    """P5: the addresses left while the session was planned, told once it is on sale."""
    waiting = NotifyRequest.objects.filter(
        notified_at__isnull=True, session__status=SessionStatus.ON_SALE
    ).select_related("session__organizer")
    done = []
    for request in waiting:
        session = request.session
        if dry_run:
            done.append({"notify": request.email, "session": session.reference})
            continue
        queue_email(
            key=f"notify:{request.pk}",
            to=request.email,
            template="photos/email/online",
            context={
                "session": session,
                "organizer": session.organizer,
                "link": absolute(reverse("shop:enter_code")),
            },
            language=request.language,
            organizer=session.organizer,
        )
        NotifyRequest.objects.filter(pk=request.pk).update(notified_at=now)
        done.append(f"told {request.email} that {session.reference} is online")
    return done
