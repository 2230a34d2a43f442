"""SMS backends (P9): the console for a laptop and the tests, Brevo for real sending.

``SEANCE_SMS_BACKEND`` chooses: ``console`` (default: the text goes to the log and to
:data:`outbox`, like Django's locmem email backend) or ``brevo`` (Brevo's transactional SMS
API with ``SEANCE_BREVO_API_KEY`` and ``SEANCE_SMS_SENDER``, 11 characters at most). Another
provider is a class with ``send(to, text)`` that raises on failure.
"""

import logging
from collections import deque

import requests
from django.conf import settings

log = logging.getLogger(__name__)

# What the console backend "sent" (tests read it), the latest only: a long-running process
# must not keep every SMS it printed.
outbox: deque[tuple[str, str]] = deque(maxlen=1000)


class SmsError(Exception):
    pass


class ConsoleBackend:
    def send(self, to: str, text: str) -> None:
        outbox.append((to, text))
        log.info("SMS to %s: %s", to, text)


class BrevoBackend:
    url = "https://api.brevo.com/v3/transactionalSMS/sms"

    def send(self, to: str, text: str) -> None:
        response = requests.post(
            self.url,
            json={
                "sender": settings.SEANCE_SMS_SENDER,
                "recipient": to,
                "content": text,
                "type": "transactional",
            },
            headers={"api-key": settings.SEANCE_BREVO_API_KEY, "accept": "application/json"},
            timeout=(5, 15),
        )
        if response.status_code >= 300:
            raise SmsError(f"Brevo answered {response.status_code}: {response.text[:300]}")


BACKENDS = {"console": ConsoleBackend, "brevo": BrevoBackend}


def get_backend():
    return BACKENDS[settings.SEANCE_SMS_BACKEND]()
