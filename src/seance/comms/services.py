"""Emails go through the outbox: queued inside the caller's transaction, sent after it commits,
at most once, in the language chosen by the caller."""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from seance.comms.models import SUBJECT_MAX_LENGTH, Message, MessageState
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
    try:
        # A savepoint: the caller's transaction survives a duplicate key (a replay, or a
        # concurrent transaction that queued the same message first).
        with transaction.atomic():
            message = Message.objects.create(
                organizer=organizer,
                key=key,
                to=to,
                language=language,
                subject=subject[:SUBJECT_MAX_LENGTH],
                body=body,
                html=html,
            )
    except IntegrityError:
        if not Message.objects.filter(key=key).exists():
            raise
        return None
    # robust: once the caller's data is committed, a broker outage must not turn its success
    # into an error; the message stays pending and the tick sends it.
    transaction.on_commit(lambda: _dispatch(message.pk), robust=True)
    return message


def _dispatch(message_id: int) -> None:
    from seance.comms.tasks import send_message_task

    send_message_task.delay(message_id)


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
    email = EmailMultiAlternatives(
        message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to]
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    try:
        email.send()
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
