"""The outbox's tick job: it sends what the immediate send after commit did not, and gives up
on messages whose worker died while sending them."""

import datetime as dt

from django.utils.translation import gettext

from seance.comms.models import Message, MessageState
from seance.comms.services import send_message
from seance.core import tick

# Younger messages are left to the send started by their own commit.
RETRY_AFTER = dt.timedelta(minutes=1)
# Far longer than any mail server takes: a message still "sending" then lost its worker.
STUCK_AFTER = dt.timedelta(hours=1)
# Keeps one tick short after an outage; the rest goes out on the next ticks.
BATCH = 200


@tick.register("comms.outbox")
def send_due_messages(now: dt.datetime, *, dry_run: bool = False) -> list[str]:
    """Idempotent: a message is claimed before it is sent, so a second or concurrent tick
    finds nothing left to do. A failed message is retried after 1, 2, 4, 8 minutes."""
    if dry_run:
        waiting = Message.objects.filter(state=MessageState.PENDING).count()
        return [f"{waiting} message(s) waiting in the outbox"] if waiting else []
    lines = []
    stuck = Message.objects.filter(state=MessageState.SENDING, attempted_at__lte=now - STUCK_AFTER)
    for pk, key in stuck.values_list("pk", "key"):
        # The mail may have left before the worker died: sending it again could double it.
        if stuck.filter(pk=pk).update(
            state=MessageState.FAILED,
            last_error=gettext(
                "The sending was interrupted; not retried, as the email may have been sent."
            ),
        ):
            lines.append(f"gave up on {key}: interrupted while sending")
    cutoff = now - RETRY_AFTER
    candidates = (
        Message.objects.filter(state=MessageState.PENDING, created_at__lte=cutoff)
        .exclude(attempted_at__gt=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", "key", "attempts", "attempted_at")[: BATCH * 4]
    )
    due = [
        (pk, key)
        for pk, key, attempts, attempted_at in candidates
        # Backoff: a server down for an hour is not hammered, and is retried once it is back.
        if attempted_at is None or attempted_at <= now - RETRY_AFTER * 2 ** max(attempts - 1, 0)
    ][:BATCH]
    for pk, key in due:
        if send_message(pk):
            lines.append(f"sent {key}")
    return lines
