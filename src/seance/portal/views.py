"""S1: the sponsor portal's pages. See the package docstring for the design."""

import datetime as dt
import functools
import zoneinfo

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from seance.photos.models import SessionStatus, Sponsor
from seance.photos.services import today_for
from seance.portal import links, queries, services
from seance.portal.models import PortalAccess

SESSION_KEY = "seance_portal"

# Why a page says "no": each has its own words on ``portal/ended.html``.
EXPIRED, INVALID, ENDED, SIGNED_OUT, NOT_SIGNED_IN = (
    "expired",
    "invalid",
    "ended",
    "signed_out",
    "not_signed_in",
)


def _access_for(sponsor_id: int) -> PortalAccess | None:
    return (
        PortalAccess.objects.select_related("sponsor__organizer")
        .filter(sponsor_id=sponsor_id)
        .first()
    )


def _allows(access: PortalAccess | None, *, version: int, email_digest: str) -> bool:
    """Checked on every request: the access still stands for this link or browser.

    Revoking raises the version; unticking "may see sales" or changing (or removing) the
    contact email ends everything given to the previous contact."""
    if access is None:
        return False
    sponsor = access.sponsor
    return (
        sponsor.may_see_sales
        and bool(sponsor.contact_email)
        and access.version == version
        and links.email_digest(sponsor.contact_email) == email_digest
    )


def _speak(request, organizer) -> None:
    """The contact's browser language if the organizer offers it, else the organizer's."""
    offered = organizer.languages or [organizer.default_language]
    if translation.get_language() not in offered:
        translation.activate(organizer.default_language)
        request.LANGUAGE_CODE = organizer.default_language
    timezone.activate(zoneinfo.ZoneInfo(organizer.timezone))


def _refuse(request, reason: str, *, organizer=None, status: int = 403):
    if organizer is not None:
        _speak(request, organizer)
    return render(
        request,
        "portal/ended.html",
        {"reason": reason, "organizer": organizer},
        status=status,
    )


def portal_view(view):
    """Let in a browser signed in to the portal whose access still stands.

    Sets ``request.portal`` (the PortalAccess, with its sponsor and organizer). Staff logins
    play no part: a sponsor's contact is not a user.
    """

    @functools.wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        state = request.session.get(SESSION_KEY)
        if not isinstance(state, dict):
            return _refuse(request, NOT_SIGNED_IN)
        try:
            sponsor_id, version, digest = int(state["s"]), int(state["v"]), str(state["e"])
            since = dt.datetime.fromisoformat(state["at"])
        except (KeyError, TypeError, ValueError):
            request.session.pop(SESSION_KEY, None)
            return _refuse(request, NOT_SIGNED_IN)
        access = _access_for(sponsor_id)
        too_old = timezone.now() - since > dt.timedelta(days=services.SESSION_DAYS)
        if too_old or not _allows(access, version=version, email_digest=digest):
            request.session.pop(SESSION_KEY, None)
            organizer = access.sponsor.organizer if access else None
            return _refuse(request, EXPIRED if too_old else ENDED, organizer=organizer)
        request.portal = access
        _speak(request, access.sponsor.organizer)
        services.note_portal_visit(access)
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@require_http_methods(["GET", "POST"])
def link(request, token: str):
    """The emailed link. GET only shows a button; the POST it sends signs the browser in.

    Mail scanners and link previews fetch links from emails: with GET changing nothing, they
    neither sign themselves in nor count as the contact's visit in the sponsor's log.
    """
    try:
        claim = links.read_token(token)
    except links.LinkExpired:
        return _refuse(request, EXPIRED, status=410)
    except links.LinkInvalid:
        return _refuse(request, INVALID, status=404)
    access = _access_for(claim.sponsor_id)
    if not _allows(access, version=claim.version, email_digest=claim.email_digest):
        organizer = access.sponsor.organizer if access else None
        return _refuse(request, ENDED, organizer=organizer, status=410)
    sponsor = access.sponsor
    _speak(request, sponsor.organizer)
    if request.method == "POST":
        request.session.cycle_key()  # a new session id for a new sign-in (no fixation)
        request.session[SESSION_KEY] = {
            "s": sponsor.pk,
            "v": claim.version,
            "e": claim.email_digest,
            "at": timezone.now().isoformat(),
        }
        if "_auth_user_id" not in request.session:
            # A staff login sharing this browser keeps its own, shorter, lifetime.
            request.session.set_expiry(dt.timedelta(days=services.SESSION_DAYS))
        services.sign_in_to_portal(access)
        return redirect("portal:dashboard")
    state = request.session.get(SESSION_KEY)
    if isinstance(state, dict) and state.get("s") == sponsor.pk and state.get("v") == claim.version:
        return redirect("portal:dashboard")  # signed in already, by this very link or another
    return render(
        request,
        "portal/link.html",
        {
            "sponsor": sponsor,
            "organizer": sponsor.organizer,
            "session_days": services.SESSION_DAYS,
        },
    )


@require_POST
def sign_out(request):
    state = request.session.pop(SESSION_KEY, None)
    organizer = None
    if isinstance(state, dict):
        access = _access_for(state.get("s")) if str(state.get("s", "")).isdigit() else None
        organizer = access.sponsor.organizer if access else None
    return _refuse(request, SIGNED_OUT, organizer=organizer, status=200)


def _chart(weeks: list[queries.Week], organizer) -> dict:
    """What Chart.js draws: the numbers of the table beside it, and the words it shows."""
    one_year = len({w.start.year for w in weeks}) <= 1
    label_format = "MONTH_DAY_FORMAT" if one_year else "SHORT_DATE_FORMAT"
    return {
        "labels": [date_format(w.start, label_format) for w in weeks],
        "orders": [w.orders for w in weeks],
        "revenue": [str(w.revenue) for w in weeks],
        "currency": organizer.currency,
        "language": translation.get_language(),
        "orders_label": _("Paid orders"),
        "revenue_label": _("Revenue (%(currency)s)") % {"currency": organizer.currency},
    }


@portal_view
def dashboard(request):
    sponsor: Sponsor = request.portal.sponsor
    sessions = list(queries.sessions_of(sponsor))
    rows = queries.session_numbers(sponsor, sessions)
    on_sale = any(s.status == SessionStatus.ON_SALE for s in sessions)
    weeks = queries.weekly(
        sponsor, sessions, until=today_for(sponsor.organizer) if on_sale else None
    )
    return render(
        request,
        "portal/dashboard.html",
        {
            "sponsor": sponsor,
            "organizer": sponsor.organizer,
            "rows": rows,
            "totals": queries.totals(sponsor, sessions, rows),
            "weeks": weeks,
            "chart": _chart(weeks, sponsor.organizer),
        },
    )


@portal_view
def session_detail(request, session: int):
    sponsor: Sponsor = request.portal.sponsor
    # Only the sponsor's own, visible sessions: any other id is a 404, like one that
    # does not exist.
    session = get_object_or_404(queries.sessions_of(sponsor), pk=session)
    [row] = queries.session_numbers(sponsor, [session])
    weeks = queries.weekly(
        sponsor,
        [session],
        until=today_for(sponsor.organizer) if session.status == SessionStatus.ON_SALE else None,
    )
    return render(
        request,
        "portal/session.html",
        {
            "sponsor": sponsor,
            "organizer": sponsor.organizer,
            "session": session,
            "row": row,
            "albums": queries.album_numbers(sponsor, session),
            "weeks": weeks,
            "chart": _chart(weeks, sponsor.organizer),
        },
    )
