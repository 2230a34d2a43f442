"""S1: the writes of the sponsor portal — send a link, revoke access, note a sign-in.

Granting and withdrawing a sponsor's sight of sales is for staff who may see and export sales
(``perms.EXPORT``, the rule of the sponsor's "may see sales tracking" box); the views check it.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seance.comms.services import queue_email
from seance.core.audit import log_action
from seance.core.errors import SeanceError
from seance.photos.models import Sponsor
from seance.portal import links
from seance.portal.models import PortalAccess

# How long a browser stays signed in to the portal after following a link.
SESSION_DAYS = 30
# How often a portal page may write "last seen": a visit, not every click, is worth a write.
SEEN_EVERY = dt.timedelta(minutes=10)


class PortalError(SeanceError):
    pass


def _locked_access(sponsor: Sponsor) -> tuple[Sponsor, PortalAccess]:
    # The sponsor row is the lock: sends and revocations of one sponsor happen one at a time.
    sponsor = Sponsor.objects.select_for_update().select_related("organizer").get(pk=sponsor.pk)
    access, _created = PortalAccess.objects.get_or_create(sponsor=sponsor)
    return sponsor, access


@transaction.atomic
def send_portal_link(sponsor: Sponsor, *, user, now: dt.datetime | None = None) -> PortalAccess:
    """Email the sponsor's contact a sign-in link to the sales tracking.

    Refused unless the sponsor may see sales and has a contact email. The link carries the
    current access version, so a revocation also ends it. Two sends in the same minute (a
    double click) email once.
    """
    now = now or timezone.now()
    sponsor, access = _locked_access(sponsor)
    if not sponsor.may_see_sales:
        raise PortalError(_("This sponsor may not see sales tracking: allow it first."))
    if not sponsor.contact_email:
        raise PortalError(_("Give the sponsor a contact email first."))
    organizer = sponsor.organizer
    token = links.make_token(
        sponsor_id=sponsor.pk, version=access.version, email=sponsor.contact_email
    )
    message = queue_email(
        key=f"portal:{sponsor.pk}:v{access.version}:{now:%Y%m%d%H%M}",
        to=sponsor.contact_email,
        template="portal/email/login",
        context={
            "sponsor": sponsor,
            "organizer": organizer,
            "url": links.link_url(token),
            "link_days": links.LINK_DAYS,
            "session_days": SESSION_DAYS,
        },
        language=organizer.default_language,
        organizer=organizer,
    )
    if message is not None:
        access.link_sent_at = now
        access.save(update_fields=["link_sent_at"])
        log_action(
            sponsor, "seance.portal.link_sent", user=user, data={"email": sponsor.contact_email}
        )
    return access


@transaction.atomic
def revoke_portal_access(sponsor: Sponsor, *, user, now: dt.datetime | None = None) -> PortalAccess:
    """End every link sent so far and every open portal session of the sponsor, at once.

    A link sent afterwards works again (if the sponsor still may see sales)."""
    now = now or timezone.now()
    sponsor, access = _locked_access(sponsor)
    access.version += 1
    access.revoked_at = now
    access.save(update_fields=["version", "revoked_at"])
    log_action(sponsor, "seance.portal.revoked", user=user)
    return access


@transaction.atomic
def sign_in_to_portal(access: PortalAccess, *, now: dt.datetime | None = None) -> None:
    """Record that the contact followed their link (the sponsor's log shows it to staff)."""
    now = now or timezone.now()
    PortalAccess.objects.filter(pk=access.pk).update(last_seen_at=now)
    access.last_seen_at = now
    log_action(
        access.sponsor,
        "seance.portal.signed_in",
        data={"email": access.sponsor.contact_email},
    )


def note_portal_visit(access: PortalAccess, *, now: dt.datetime | None = None) -> None:
    """Keep "last seen" roughly current, writing at most once per ``SEEN_EVERY``."""
    now = now or timezone.now()
    if access.last_seen_at is None or now - access.last_seen_at >= SEEN_EVERY:
        PortalAccess.objects.filter(pk=access.pk).update(last_seen_at=now)
        access.last_seen_at = now
