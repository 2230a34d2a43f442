"""Emails go through the outbox: queued inside the caller's transaction, sent after it commits,
at most once, in the language chosen by the caller."""

import io
import logging
from email.mime.image import MIMEImage
from typing import Any

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.html import linebreaks

from seance.comms import sms
from seance.comms.models import SUBJECT_MAX_LENGTH, Channel, Message, MessageState
from seance.core.models import Organizer

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
ERROR_MAX_LENGTH = 2000


def _render(template, context: dict[str, Any], *, autoescape: bool = False) -> str:
    # Plain text is not HTML: "O'Brien & Sons" must not reach a subject as "O&#x27;Brien &amp;…".
    return template.template.render(Context(context, autoescape=autoescape))


def queue_email(
    *,
    key: str,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    organizer: Organizer | None = None,
) -> Message | None:
    """Store the email named ``key`` and send it once the current transaction commits.

    ``template`` names three templates: ``<template>.subject.txt`` (whitespace collapsed to one
    line), ``<template>.txt`` (the body) and, optionally, ``<template>.html``; they are rendered
    now, in ``language``, the text ones without autoescaping. If a message with this key exists
    already, nothing is stored or sent and the answer is None. A rolled-back transaction
    leaves neither a message nor a sent email behind.
    """
    with translation.override(language):
        subject = " ".join(_render(get_template(f"{template}.subject.txt"), context).split())
        body = _render(get_template(f"{template}.txt"), context)
        try:
            html_template = get_template(f"{template}.html")
        except TemplateDoesNotExist:
            html = ""
        else:
            html = _render(html_template, context, autoescape=True)
    return queue_message(
        key=key,
        to=to,
        subject=subject,
        body=body,
        html=html,
        language=language,
        organizer=organizer,
    )


def queue_message(
    *,
    key: str,
    to: str,
    subject: str = "",
    body: str,
    language: str,
    channel: str = Channel.EMAIL,
    html: str = "",
    qr: str = "",
    organizer: Organizer | None = None,
) -> Message | None:
    """Store a rendered message named ``key`` (an email, or an SMS with ``channel``) and
    send it after the current transaction commits; None when ``key`` was queued before."""
    message = _create_once(
        organizer=organizer,
        key=key,
        channel=channel,
        to=to,
        language=language,
        subject=subject[:SUBJECT_MAX_LENGTH],
        body=body,
        html=html,
        qr=qr,
    )
    if message is None:
        return None
    # robust: once the caller's data is committed, a broker outage must not turn its success
    # into an error; the message stays pending and the tick sends it.
    transaction.on_commit(lambda: _dispatch(message.pk), robust=True)
    return message


def record_skipped(*, key: str, to: str, reason: str, organizer=None, channel=Channel.EMAIL):
    """Remember, once, that the message ``key`` was not sent (found due too late): the
    next tick does not consider it again. None if it was queued or skipped before."""
    return _create_once(
        organizer=organizer,
        key=key,
        channel=channel,
        to=to,
        language="",
        body="",
        state=MessageState.SKIPPED,
        last_error=reason,
    )


def _create_once(**fields) -> Message | None:
    """The message, stored unless its key exists (then None). A savepoint: the caller's
    transaction survives a duplicate key (a replay, or a concurrent transaction that stored
    it first); any other integrity error is raised."""
    try:
        with transaction.atomic():
            return Message.objects.create(**fields)
    except IntegrityError:
        if not Message.objects.filter(key=fields["key"]).exists():
            raise
        return None


def _dispatch(message_id: int) -> None:
    from seance.comms.tasks import send_message_task

    send_message_task.delay(message_id)


def _email(message: Message) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to]
    )
    html = message.html
    if message.qr:
        # The family's card QR, shown in the email (an inline image, not a remote one).
        email.mixed_subtype = "related"
        html = html or linebreaks(message.body, autoescape=True)
        html += '<p><img src="cid:qr" alt="QR" width="200" height="200"></p>'
        buffer = io.BytesIO()
        segno.make(message.qr, error="m").save(buffer, kind="png", scale=8, border=4)
        image = MIMEImage(buffer.getvalue(), "png")
        image.add_header("Content-ID", "<qr>")
        image.add_header("Content-Disposition", "inline", filename="qr.png")
        email.attach(image)
    if html:
        email.attach_alternative(html, "text/html")
    return email


def send_message(message_id: int) -> bool:
    """Send a pending message; True if this call sent it.

    The message is claimed first by a conditional UPDATE (pending → sending), so of two
    workers given the same message only one sends it. A failure puts it back to pending for
    the tick to retry, up to ``MAX_ATTEMPTS`` attempts. Call it outside any transaction: the
    mail server is not contacted while rows are locked.
    """
    claimed = Message.objects.filter(pk=message_id, state=MessageState.PENDING).update(
        state=MessageState.SENDING, attempts=F("attempts") + 1, attempted_at=timezone.now()
    )
    if not claimed:
        return False
    message = Message.objects.get(pk=message_id)
    try:
        if message.channel == Channel.SMS:
            sms.get_backend().send(message.to, message.body)
        else:
            _email(message).send()
    except Exception as e:  # whatever the backend raises, the message must leave "sending"
        given_up = message.attempts >= MAX_ATTEMPTS
        log.log(
            logging.ERROR if given_up else logging.WARNING,
            "email %s (%s): attempt %d failed, %s",
            message.pk,
            message.key,
            message.attempts,
            "given up" if given_up else "the tick will retry",
            exc_info=True,
        )
        Message.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
            state=MessageState.FAILED if given_up else MessageState.PENDING,
            last_error=f"{type(e).__name__}: {e}"[:ERROR_MAX_LENGTH],
        )
        return False
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
        state=MessageState.SENT, sent_at=timezone.now(), last_error=""
    )
    log.info("email %s (%s) sent", message.pk, message.key)
    return True
