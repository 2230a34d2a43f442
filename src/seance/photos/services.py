"""Every write on sponsors, segments and sessions: one function per use case (P1–P10).

Each function owns its transaction, checks the state it starts from, and records what it
did in the audit log in the same transaction.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seance.core.audit import changes, log_action, snapshot
from seance.core.errors import SeanceError
from seance.core.models import Organizer
from seance.photos.models import Segment, Session, SessionStatus, Sponsor


class SessionError(SeanceError):
    pass


SPONSOR_FIELDS = ["name", "address", "contact_name", "contact_email", "may_see_sales"]

# P1 + P4 + P5 + P7 + P8 + P10: what a staff member sets on a session.
SESSION_FIELDS = [
    "name",
    "shooting_date",
    "segment",
    "expected_subjects",
    "reference",
    "sponsor",
    "access_type",
    "code_source",
    "registration",
    "price_profile",
    "discount_kind",
    "discount_value",
    "discount_until",
    "archive_on",
    "watermark_kind",
    "watermark_text",
    "watermark_image",
    "watermark_position",
    "watermark_opacity",
]

# P3: what a new session copies from the latest session of its segment.
SEGMENT_DEFAULT_FIELDS = [
    "access_type",
    "code_source",
    "registration",
    "price_profile",
    "discount_kind",
    "discount_value",
    "watermark_kind",
    "watermark_text",
    "watermark_image",
    "watermark_position",
    "watermark_opacity",
]
# Dates are copied as distances from the shooting date: "discount until 3 weeks after".
SEGMENT_RELATIVE_DATES = ["discount_until", "archive_on"]

# P1: planned → on_sale → archived; a planned session can be archived (a cancelled shoot)
# and an archived one re-opened for sale (a late reorder campaign).
TRANSITIONS: dict[str, set[str]] = {
    SessionStatus.PLANNED: {SessionStatus.ON_SALE, SessionStatus.ARCHIVED},
    SessionStatus.ON_SALE: {SessionStatus.ARCHIVED},
    SessionStatus.ARCHIVED: {SessionStatus.ON_SALE},
}


def today_for(organizer: Organizer) -> dt.date:
    """Today's date where the organizer works."""
    import zoneinfo

    return timezone.now().astimezone(zoneinfo.ZoneInfo(organizer.timezone)).date()


# --- sponsors (P2) ---------------------------------------------------------------------


@transaction.atomic
def create_sponsor(organizer: Organizer, *, user, name: str, **fields: Any) -> Sponsor:
    """Create a sponsor; only the name is required (P2)."""
    sponsor = Sponsor(organizer=organizer, name=name, **fields)
    sponsor.full_clean()
    sponsor.save()
    log_action(sponsor, "seance.sponsor.created", user=user, data=snapshot(sponsor, SPONSOR_FIELDS))
    return sponsor


@transaction.atomic
def update_sponsor(sponsor: Sponsor, *, user, **fields: Any) -> Sponsor:
    sponsor = Sponsor.objects.select_for_update().get(pk=sponsor.pk)
    before = snapshot(sponsor, SPONSOR_FIELDS)
    for name, value in fields.items():
        setattr(sponsor, name, value)
    sponsor.full_clean()
    sponsor.save()
    diff = changes(before, snapshot(sponsor, SPONSOR_FIELDS))
    if diff:
        log_action(sponsor, "seance.sponsor.changed", user=user, data=diff)
    return sponsor


# --- segments (P3) ---------------------------------------------------------------------


@transaction.atomic
def create_segment(organizer: Organizer, *, user, name: str) -> Segment:
    if Segment.objects.for_organizer(organizer).filter(name__iexact=name.strip()).exists():
        raise SessionError(_("A segment with this name exists already."), field="name")
    try:
        with transaction.atomic():
            segment = Segment.objects.create(organizer=organizer, name=name.strip())
    except IntegrityError as e:  # created meanwhile by someone else
        raise SessionError(_("A segment with this name exists already."), field="name") from e
    log_action(segment, "seance.segment.created", user=user, data={"name": segment.name})
    return segment


@transaction.atomic
def rename_segment(segment: Segment, *, user, name: str) -> Segment:
    name = name.strip()
    others = Segment.objects.for_organizer(segment.organizer).exclude(pk=segment.pk)
    if others.filter(name__iexact=name).exists():
        raise SessionError(_("A segment with this name exists already."), field="name")
    old = segment.name
    if old != name:
        segment.name = name
        try:
            with transaction.atomic():
                segment.save(update_fields=["name"])
        except IntegrityError as e:
            raise SessionError(_("A segment with this name exists already."), field="name") from e
        log_action(segment, "seance.segment.changed", user=user, data={"name": [old, name]})
    return segment


def latest_in_segment(segment: Segment) -> Session | None:
    """The session whose settings a new one in ``segment`` starts from (P3)."""
    return (
        Session.objects.filter(segment=segment)
        .order_by("-created_at", "-id")
        .select_related("price_profile")
        .first()
    )


def segment_defaults(segment: Segment, *, shooting_date: dt.date | None = None) -> dict:
    """P3: the settings of the latest session of ``segment``, to pre-fill a new one.

    Milestone dates keep their distance from the shooting date when ``shooting_date`` is
    given; without it they are left out. Empty when the segment has no session yet.
    """
    latest = latest_in_segment(segment)
    if latest is None:
        return {}
    defaults = {name: getattr(latest, name) for name in SEGMENT_DEFAULT_FIELDS}
    if shooting_date is not None:
        for name in SEGMENT_RELATIVE_DATES:
            value = getattr(latest, name)
            if value is not None:
                defaults[name] = shooting_date + (value - latest.shooting_date)
    return defaults


# --- sessions (P1, P4–P10) ---------------------------------------------------------------


def _settings(fields: dict[str, Any]) -> dict[str, Any]:
    """The given session settings, checked by name; a cleared file (False) becomes empty."""
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"{sorted(unknown)} are not session settings")
    if fields.get("watermark_image") is False:
        fields = {**fields, "watermark_image": ""}
    return fields


def _check_session(session: Session, *, before: dict | None = None) -> None:
    """Rules that depend on the organizer or on today, beyond the model's own validation."""
    errors: dict[str, list[str]] = {}
    org = session.organizer
    for field in ("sponsor", "segment", "price_profile"):
        related = getattr(session, field)
        if related is not None and related.organizer_id != org.pk:
            errors.setdefault(field, []).append(_("Choose one of your own."))
    date_changed = (
        before is None or before.get("shooting_date") != session.shooting_date.isoformat()
    )
    if (
        session.status == SessionStatus.PLANNED
        and date_changed
        and session.shooting_date < today_for(org)
    ):
        errors.setdefault("shooting_date", []).append(
            _("A planned session cannot be shot in the past.")
        )
    duplicate = (
        Session.objects.for_organizer(org)
        .filter(reference__iexact=session.reference)
        .exclude(pk=session.pk)
    )
    if duplicate.exists():
        errors.setdefault("reference", []).append(_("Another session already uses this reference."))
    if errors:
        raise ValidationError(errors)


def _save_session(session: Session) -> None:
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as e:
        # Two staff saving the same reference at once: the constraint decides.
        taken = Session.objects.for_organizer(session.organizer).filter(
            reference__iexact=session.reference
        )
        if not taken.exclude(pk=session.pk).exists():
            raise
        raise ValidationError(
            {"reference": [_("Another session already uses this reference.")]}
        ) from e


@transaction.atomic
def create_session(organizer: Organizer, *, user, **fields: Any) -> Session:
    """Create a planned session (P1). Raises ``ValidationError`` with per-field messages."""
    session = Session(organizer=organizer, status=SessionStatus.PLANNED, **_settings(fields))
    session.full_clean(exclude=["organizer"], validate_constraints=False)
    _check_session(session)
    _save_session(session)
    log_action(session, "seance.session.created", user=user, data=snapshot(session, SESSION_FIELDS))
    return session


@transaction.atomic
def update_session(session: Session, *, user, **fields: Any) -> Session:
    """Change a session's settings; records exactly what changed."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    before = snapshot(session, SESSION_FIELDS)
    for name, value in _settings(fields).items():
        setattr(session, name, value)
    session.full_clean(exclude=["organizer"], validate_constraints=False)
    _check_session(session, before=before)
    _save_session(session)
    diff = changes(before, snapshot(session, SESSION_FIELDS))
    if diff:
        log_action(session, "seance.session.changed", user=user, data=diff)
    return session


def change_session_status(session: Session, status: str, *, user) -> Session:
    """Move a session along planned → on_sale → archived (P1, P16).

    The update is conditional on the status the caller saw, so two staff clicking at once
    cannot both apply a transition from the same state.
    """
    source = session.status
    if status not in TRANSITIONS.get(source, set()):
        raise SessionError(
            _("A session that is “%(source)s” cannot become “%(target)s”.")
            % {
                "source": SessionStatus(source).label,
                "target": SessionStatus(status).label if status in SessionStatus else status,
            }
        )
    if status == SessionStatus.ON_SALE and session.price_profile_id is None:
        raise SessionError(
            _("Choose a price profile before putting the session on sale: it sells nothing yet.")
        )
    with transaction.atomic():
        updated = Session.objects.filter(pk=session.pk, status=source).update(
            status=status, updated_at=timezone.now()
        )
        if not updated:
            raise SessionError(_("This session was changed meanwhile; reload and try again."))
        session.status = status
        log_action(
            session, "seance.session.status_changed", user=user, data={"status": [source, status]}
        )
    return session
