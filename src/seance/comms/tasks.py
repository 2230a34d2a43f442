"""Sending an email as a Celery task: on a worker when a broker is configured, in-process
(eager) otherwise."""

from celery import shared_task


@shared_task(name="seance.comms.tasks.send_message_task", ignore_result=True)
def send_message_task(message_id: int) -> bool:
    """Send one outbox message. No Celery retry: a failed attempt returns the message to
    pending, and the tick retries it (the claim keeps a duplicate task from sending twice)."""
    from seance.comms.services import send_message

    return send_message(message_id)
