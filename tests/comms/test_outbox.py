"""The outbox: emails are sent after commit, never twice, in the customer's language, and the
tick sends what the immediate send missed."""

import datetime as dt

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation

from seance.comms import jobs
from seance.comms.models import Message, MessageState
from seance.comms.services import MAX_ATTEMPTS, queue_email, send_message
from seance.core import tick

SUBJECT = """{% load i18n %}{% get_current_language as L %}Order {{ code }}
   for {{ name }} [{{ L }}]
"""
BODY = "{% load i18n %}{% get_current_language as L %}Hello {{ name }} ({{ L }})\n"
HTML = "<p>Hello {{ name }}</p>"


@pytest.fixture(autouse=True)
def email_templates(settings, tmp_path):
    """``test/receipt`` has a text and an HTML part, ``test/notice`` only text."""
    folder = tmp_path / "test"
    folder.mkdir()
    for name, text in [
        ("receipt.subject.txt", SUBJECT),
        ("receipt.txt", BODY),
        ("receipt.html", HTML),
        ("notice.subject.txt", SUBJECT),
        ("notice.txt", BODY),
    ]:
        (folder / name).write_text(text)
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]


def queue(key="order:ABC123:placed", *, template="test/receipt", language="en", **options):
    return queue_email(
        key=key,
        to="parent@example.com",
        template=template,
        context={"code": "ABC123", "name": "O'Brien & Sons"},
        language=language,
        **options,
    )


class WorkerKilled(BaseException):
    """A process ending in the middle of a send: no ``except Exception`` catches it."""


def fail_with(exception):
    def send(self, fail_silently=False):
        raise exception

    return send


def tick_at(now):
    return jobs.send_due_messages(now)


def test_the_outbox_job_is_registered():
    assert tick.registered()["comms.outbox"] is jobs.send_due_messages


def test_sent_only_after_commit(db, organizer, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(organizer=organizer)
        assert mailoutbox == []  # not before the transaction commits
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["parent@example.com"]
    assert mail.subject == "Order ABC123 for O'Brien & Sons [en]"  # one line, not escaped
    assert mail.body == "Hello O'Brien & Sons (en)\n"
    assert mail.alternatives[0].content == "<p>Hello O&#x27;Brien &amp; Sons</p>"
    assert mail.alternatives[0].mimetype == "text/html"
    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.attempts == 1
    assert message.sent_at is not None and message.organizer == organizer


def test_html_part_is_optional(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(template="test/notice")
    assert message.html == ""
    assert len(mailoutbox) == 1 and mailoutbox[0].alternatives == []


def test_rollback_stores_and_sends_nothing(db, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the order could not be placed")
    assert callbacks == []
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_same_key_twice_sends_one_email(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = queue()
            assert queue() is None  # the caller's transaction goes on
        assert queue(language="fr") is None
    assert first is not None
    assert Message.objects.count() == 1
    assert len(mailoutbox) == 1


def test_rendered_in_the_given_language(db, mailoutbox, django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        message = queue(language="fr")
        assert translation.get_language() == "en"  # the caller's language is back
    assert message.language == "fr"
    assert mailoutbox[0].subject.endswith("[fr]")
    assert mailoutbox[0].body == "Hello O'Brien & Sons (fr)\n"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_sent_at_once(mailoutbox):
    message = queue()
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT


def test_failed_send_stays_pending_and_the_tick_retries_it(
    db, monkeypatch, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    monkeypatch.setattr(EmailMultiAlternatives, "send", fail_with(ConnectionRefusedError("down")))
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    message.refresh_from_db()
    assert message.state == MessageState.PENDING and message.attempts == 1
    assert message.last_error == "ConnectionRefusedError: down"
    assert mailoutbox == []

    time_machine.shift(dt.timedelta(seconds=30))
    assert tick_at(timezone.now()) == []  # a minute after the failed attempt, not sooner
    time_machine.shift(dt.timedelta(minutes=1))
    assert tick_at(timezone.now()) == []  # tried again, failed again
    time_machine.shift(dt.timedelta(seconds=30))
    assert tick_at(timezone.now()) == []  # a minute after that attempt, not sooner
    message.refresh_from_db()
    assert message.state == MessageState.PENDING and message.attempts == 2

    monkeypatch.undo()
    time_machine.shift(dt.timedelta(minutes=1))
    assert tick_at(timezone.now()) == []  # backoff: two minutes after the second failure
    time_machine.shift(dt.timedelta(minutes=1))
    assert tick_at(timezone.now()) == ["sent order:ABC123:placed"]
    assert tick_at(timezone.now()) == []
    time_machine.shift(dt.timedelta(minutes=5))
    assert tick_at(timezone.now()) == []
    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.attempts == 3
    assert message.last_error == ""
    assert len(mailoutbox) == 1


def test_the_tick_sends_a_message_whose_commit_hook_never_ran(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        queue()
    now = timezone.now()
    assert tick_at(now) == []  # the send started by the commit may still be under way
    assert tick_at(now + dt.timedelta(minutes=2)) == ["sent order:ABC123:placed"]
    assert len(mailoutbox) == 1


def test_failed_for_good_after_the_last_attempt(
    db, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(EmailMultiAlternatives, "send", fail_with(OSError("mailbox full")))
    with django_capture_on_commit_callbacks(execute=False):
        message = queue()
    for _attempt in range(MAX_ATTEMPTS):
        assert send_message(message.pk) is False
    message.refresh_from_db()
    assert message.state == MessageState.FAILED and message.attempts == MAX_ATTEMPTS
    assert "mailbox full" in message.last_error
    monkeypatch.undo()
    assert tick_at(timezone.now() + dt.timedelta(hours=2)) == []
    assert mailoutbox == []


def test_stuck_in_sending_is_failed_and_not_sent(
    db, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue()
    with monkeypatch.context() as m:
        m.setattr(EmailMultiAlternatives, "send", fail_with(WorkerKilled()))
        with pytest.raises(WorkerKilled):
            send_message(message.pk)
    message.refresh_from_db()
    assert message.state == MessageState.SENDING

    now = timezone.now()
    assert tick_at(now + dt.timedelta(minutes=30)) == []  # a slow server, perhaps
    assert tick_at(now + dt.timedelta(minutes=61)) == [
        "gave up on order:ABC123:placed: interrupted while sending"
    ]
    assert tick_at(now + dt.timedelta(minutes=62)) == []
    message.refresh_from_db()
    assert message.state == MessageState.FAILED and message.attempts == 1
    assert "not retried" in message.last_error
    assert mailoutbox == []


def test_a_second_claim_does_not_send(
    db, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue()
    real_send = EmailMultiAlternatives.send
    second = []

    def send_while_another_worker_tries(self, fail_silently=False):
        second.append(send_message(message.pk))  # another worker, given the same message
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send_while_another_worker_tries)
    assert send_message(message.pk) is True
    assert second == [False]
    assert send_message(message.pk) is False  # and once sent, never again
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1
