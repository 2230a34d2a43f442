"""S1: the signed login link of the sponsor portal.

A link names a sponsor, the access ``version`` it was made under and a digest of the contact
email it was sent to, signed with the site's secret key and timestamped. It works for
``LINK_DAYS``; changing any of the three (revoking access, changing the contact) or the
signature makes it refused.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

from seance.core.links import absolute

SALT = "seance.portal"
LINK_DAYS = 14


class LinkExpired(Exception):
    """The link was genuine but is older than ``LINK_DAYS``."""


class LinkInvalid(Exception):
    """The link was altered, truncated or made with another key."""


@dataclass(frozen=True)
class Claim:
    sponsor_id: int
    version: int
    email_digest: str


def email_digest(email: str) -> str:
    """Binds a link to the address it was sent to, without putting the address in the URL."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def make_token(*, sponsor_id: int, version: int, email: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"s": sponsor_id, "v": version, "e": email_digest(email)}
    )


def read_token(token: str) -> Claim:
    """What a genuine, unexpired link claims; raises LinkExpired or LinkInvalid."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=dt.timedelta(days=LINK_DAYS)
        )
    except signing.SignatureExpired as e:
        raise LinkExpired from e
    except (signing.BadSignature, ValueError, UnicodeError) as e:
        raise LinkInvalid from e
    try:
        return Claim(int(data["s"]), int(data["v"]), str(data["e"]))
    except (KeyError, TypeError, ValueError) as e:
        raise LinkInvalid from e


def link_url(token: str) -> str:
    """The absolute address of a link, for an email sent without a request."""
    path = reverse("portal:link", kwargs={"token": token})
    return absolute(path)
