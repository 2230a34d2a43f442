"""Every write on sponsors, segments and sessions: one function per use case (P1–P10).

Each function owns its transaction, checks the state it starts from, and records what it
did in the audit log in the same transaction.
"""

import datetime as dt
import hashlib
import logging
import secrets
import time
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from seance.core.audit import changes, log_action, snapshot
from seance.core.errors import SeanceError
from seance.core.models import Organizer
from seance.photos import agreements, codes, imaging, lab, queries, roster, sorting, yearbook
from seance.photos.models import (
    AccessCode,
    AccessCodeStatus,
    AccessType,
    Agreement,
    Album,
    FtpAccount,
    Gallery,
    GalleryRegistration,
    NotifyRequest,
    Photo,
    PreRegistration,
    QrCard,
    Segment,
    Session,
    SessionStatus,
    Sponsor,
)


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
    "language",
    "price_profile",
    "plan",
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
    "language",
    "price_profile",
    "plan",
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
    for field in ("sponsor", "segment", "price_profile", "plan"):
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


# P6: once photos are in, these settings would break sorting or the codes families hold.
LOCKED_AFTER_IMPORT = ["access_type", "code_source"]


def _check_settings_lock(session: Session, before: dict) -> None:
    changed = [f for f in LOCKED_AFTER_IMPORT if before.get(f) != getattr(session, f)]
    if changed and Photo.objects.filter(session=session).exists():
        raise ValidationError(
            {
                field: [
                    _(
                        "Photos are already imported: changing this would break their sorting "
                        "and the codes families hold."
                    )
                ]
                for field in changed
            }
        )


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
    _check_settings_lock(session, before)
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
        now = timezone.now()
        extra = {"on_sale_since": now} if status == SessionStatus.ON_SALE else {}
        updated = Session.objects.filter(pk=session.pk, status=source).update(
            status=status, updated_at=now, **extra
        )
        if not updated:
            raise SessionError(_("This session was changed meanwhile; reload and try again."))
        session.status = status
        if extra:
            session.on_sale_since = now
        log_action(
            session, "seance.session.status_changed", user=user, data={"status": [source, status]}
        )
    return session


# --- access codes, QR cards, pre-registration (Q1, Q2, Q5) -------------------------------


class CardError(SeanceError):
    pass


MAX_CARDS_AT_ONCE = 2000
# What the photographer's part of a card holds at the smallest type, four cards per sheet.
AGREEMENT_MAX_CHARS = 1200


def _new_access_code(session: Session) -> AccessCode:
    """A code never given out before: unique in the whole installation, and never deleted."""
    for _attempt in range(8):
        try:
            with transaction.atomic():
                return AccessCode.objects.create(
                    organizer=session.organizer, session=session, code=codes.new_code()
                )
        except IntegrityError:  # one chance in 2^59 per existing code: try another
            continue
    raise CardError(_("Could not draw a new access code; try again."))


def _lock_for_cards(session: Session) -> Session:
    session = Session.objects.select_for_update().select_related("organizer").get(pk=session.pk)
    if session.access_type != AccessType.INDIVIDUAL:
        raise CardError(_("QR cards are for sessions with individual access codes."))
    if session.status == SessionStatus.ARCHIVED:
        raise CardError(_("This session is archived: it gets no new cards."))
    return session


def _next_number(session: Session) -> int:
    last = session.cards.aggregate(last=models.Max("number"))["last"]
    return (last or 0) + 1


@transaction.atomic
def add_cards(
    session: Session, *, user, count: int = 0, pupils: list[roster.Pupil] | None = None
) -> list[QrCard]:
    """Q1: ``count`` blank cards, or one card per pupil of a names list, numbered after the
    session's last card. The session row is locked, so two staff adding cards at once get
    distinct numbers."""
    session = _lock_for_cards(session)
    pupils = list(pupils or [])
    total = len(pupils) or count
    if total < 1:
        raise CardError(_("Ask for at least one card."))
    if total > MAX_CARDS_AT_ONCE:
        raise CardError(_("At most %(n)s cards at once.") % {"n": MAX_CARDS_AT_ONCE})
    number = _next_number(session)
    cards = []
    for i in range(total):
        pupil = pupils[i] if pupils else None
        cards.append(
            QrCard.objects.create(
                session=session,
                access_code=_new_access_code(session),
                number=number + i,
                first_name=pupil.first_name if pupil else "",
                last_name=pupil.last_name if pupil else "",
                class_name=pupil.class_name if pupil else "",
                parent_email=pupil.parent_email if pupil else "",
            )
        )
    log_action(
        session,
        "seance.session.cards_added",
        user=user,
        data={"cards": f"{cards[0].number}–{cards[-1].number}", "names_list": bool(pupils)},
    )
    return cards


ROSTER_PROBLEMS = {
    "too_large": gettext_lazy("The file is larger than 5 MB."),
    "not_utf8": gettext_lazy(
        "The file is not UTF-8 text (byte %(detail)s): save it as “CSV UTF-8” and try again."
    ),
    "not_xlsx": gettext_lazy("The spreadsheet cannot be read: is it an .xlsx file?"),
    "empty": gettext_lazy("The file is empty."),
    "no_header": gettext_lazy("The first row must name the columns; missing: %(detail)s."),
    "two_columns": gettext_lazy("Two columns have the same meaning: %(detail)s."),
    "not_csv": gettext_lazy("The file cannot be read as CSV (%(detail)s)."),
    "too_long": gettext_lazy("Line %(line)s: too long (%(detail)s)."),
    "too_many": gettext_lazy("More than %(detail)s pupils in one file."),
    "no_first_name": gettext_lazy("Line %(line)s: the first name is missing."),
    "no_last_name": gettext_lazy("Line %(line)s: the last name is missing."),
    "bad_email": gettext_lazy("Line %(line)s: “%(detail)s” is not an email address."),
    "duplicate": gettext_lazy("Line %(line)s: the same pupil as line %(detail)s."),
}


ROSTER_COLUMNS = {
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "class_name": gettext_lazy("class"),
    "parent_email": gettext_lazy("parent email"),
}


def roster_problems(problems: list[roster.Problem]) -> list[str]:
    """The problems of a names list, in the reader's language."""

    def detail(p: roster.Problem) -> str:
        if p.kind in ("no_header", "two_columns", "too_long"):
            return ", ".join(str(ROSTER_COLUMNS.get(c, c)) for c in p.detail.split(", "))
        return p.detail

    return [str(ROSTER_PROBLEMS[p.kind]) % {"line": p.line, "detail": detail(p)} for p in problems]


def import_roster(session: Session, *, user, data: bytes, filename: str) -> list[QrCard]:
    """Q1 names list: one card per pupil, or nothing at all if the file has any problem."""
    parsed = roster.parse_roster(data, filename)
    if not parsed.pupils and not parsed.errors:
        parsed.errors.append(roster.Problem("empty"))
    if parsed.errors:
        raise CardError(" ".join(roster_problems(parsed.errors)[:20]), field="names_list")
    return add_cards(session, user=user, pupils=parsed.pupils)


def mark_printed(cards: list[QrCard], *, now=None) -> None:
    """Q7: remember when each card was first printed (later prints keep the first date)."""
    QrCard.objects.filter(pk__in=[c.pk for c in cards], printed_at__isnull=True).update(
        printed_at=now or timezone.now()
    )


@transaction.atomic
def void_card(card: QrCard, *, user) -> QrCard:
    """Q7: a lost card stops opening anything; a new card, with a new code and the same
    names, replaces it. Returns the replacement."""
    card = (
        QrCard.objects.select_for_update().select_related("access_code", "session").get(pk=card.pk)
    )
    if card.is_void:
        raise CardError(_("This card is void already."))
    session = _lock_for_cards(card.session)  # before the check: activation takes this lock too
    if Gallery.objects.filter(access_code=card.access_code_id).exists():
        raise CardError(
            _("This card’s gallery is open: its code stays valid; give the family the same code.")
        )
    updated = AccessCode.objects.filter(
        pk=card.access_code_id, status=AccessCodeStatus.ACTIVE
    ).update(status=AccessCodeStatus.VOID, voided_at=timezone.now())
    if not updated:
        raise CardError(_("This card is void already."))
    replacement = QrCard.objects.create(
        session=session,
        access_code=_new_access_code(session),
        number=_next_number(session),
        first_name=card.first_name,
        last_name=card.last_name,
        class_name=card.class_name,
        parent_email=card.parent_email,
        replaces=card,
    )
    # The family's registration and consent follow them to the new card.
    PreRegistration.objects.filter(card=card).update(card=replacement)
    log_action(
        session,
        "seance.session.card_voided",
        user=user,
        data={"card": card.number, "replaced by": replacement.number},
    )
    return replacement


def find_access_code(typed: str) -> AccessCode | None:
    """Q5: the active code a person typed or scanned, or None (nothing says why)."""
    code = codes.normalize(typed)
    if code is None:
        return None
    return (
        AccessCode.objects.filter(code=code, status=AccessCodeStatus.ACTIVE)
        .select_related("session", "session__organizer", "card")
        .first()
    )


def current_agreement(organizer: Organizer, language: str) -> Agreement:
    """The agreement families see now; the default text becomes version 1 on first use."""
    latest = Agreement.objects.filter(organizer=organizer, language=language).first()
    if latest is not None:
        return latest
    try:
        with transaction.atomic():
            return Agreement.objects.create(
                organizer=organizer,
                language=language,
                version=1,
                text=agreements.default_text(language),
            )
    except IntegrityError:  # made meanwhile by another request
        return Agreement.objects.get(organizer=organizer, language=language, version=1)


@transaction.atomic
def update_agreement(organizer: Organizer, *, user, language: str, text: str) -> Agreement:
    """A new version of the agreement; earlier consents keep pointing at theirs."""
    text = text.strip()
    if len(text) < 50:
        raise CardError(_("The agreement is too short to mean anything."), field="text")
    if len(text) > AGREEMENT_MAX_CHARS:
        raise CardError(
            _("At most %(n)s characters: it must fit on the card.") % {"n": AGREEMENT_MAX_CHARS},
            field="text",
        )
    list(Organizer.objects.select_for_update().filter(pk=organizer.pk).values("pk"))
    current = current_agreement(organizer, language)
    if current.text == text:
        return current
    agreement = Agreement.objects.create(
        organizer=organizer, language=language, version=current.version + 1, text=text
    )
    log_action(
        organizer,
        "seance.organizer.agreement_changed",
        user=user,
        data={"language": language, "version": agreement.version},
    )
    return agreement


@transaction.atomic
def pre_register(
    access_code: AccessCode,
    *,
    child_first_name: str,
    child_last_name: str,
    class_name: str,
    email: str,
    phone: str,
    consent: bool,
    agreement: Agreement,
    language: str,
    reminders: bool = False,
    now=None,
) -> PreRegistration:
    """Q2: a parent attaches their child's name and their contact to a card, and consents
    to the agreement version they were shown. A card is registered once; a second attempt
    (another family, or a double submit) is refused and changes nothing."""
    code = AccessCode.objects.select_for_update().select_related("session").get(pk=access_code.pk)
    if code.status != AccessCodeStatus.ACTIVE or not hasattr(code, "card"):
        raise CardError(_("This code cannot be registered."))
    card = code.card
    if code.session.status != SessionStatus.PLANNED:
        raise CardError(_("Pre-registration closes on shooting day."))
    if PreRegistration.objects.filter(card=card).exists():
        raise CardError(
            _("This card is registered already. If it is yours, write to the photographer.")
        )
    if not consent:
        raise CardError(_("Please accept the agreement to register."), field="consent")
    current = current_agreement(code.session.organizer, agreement.language)
    if agreement.pk != current.pk:
        raise CardError(
            _("The agreement changed while you were reading it: please read it again."),
            field="consent",
        )
    log_action(
        code.session,
        "seance.session.card_preregistered",
        user=None,
        data={"card": card.number, "agreement": f"{agreement.language} v{agreement.version}"},
    )
    return PreRegistration.objects.create(
        card=card,
        child_first_name=child_first_name.strip(),
        child_last_name=child_last_name.strip(),
        class_name=class_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        agreement=agreement,
        consented_at=now or timezone.now(),
        language=language,
        reminders=reminders,
    )


def ask_to_be_notified(session: Session, *, email: str, language: str) -> NotifyRequest:
    """P5: remember an address to tell when the session goes online (once per address)."""
    request, created = NotifyRequest.objects.get_or_create(
        session=session, email=email.strip().lower(), defaults={"language": language}
    )
    if created:
        log_action(session, "seance.session.notify_requested", user=None, data={})
    return request


# --- photo import (P11, P12, P14, Q3) -----------------------------------------------------


class ImportProblem(SeanceError):
    """A file that cannot be imported; ``kind`` says why (for reports and translations)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


IMPORT_PROBLEMS = {
    "empty": gettext_lazy("The file is empty."),
    "too_large": gettext_lazy("The file, or the picture in it, is too large for a photo."),
    "not_jpeg": gettext_lazy("Not a JPEG photo (PNG, HEIC and other formats are not imported)."),
    "corrupt": gettext_lazy("The file is damaged or cut short: it cannot be read as a photo."),
    "bad_name": gettext_lazy("The file name cannot be used."),
    "archived": gettext_lazy("The session is archived: it takes no new photos."),
}


@dataclass(frozen=True)
class IngestResult:
    photo: Photo
    duplicate: bool  # the same file was imported before: nothing changed


def safe_file_name(name: str) -> str:
    """The last part of a path, without control characters or leading dots (``../x`` → ``x``)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if c.isprintable())
    base = base.strip().lstrip(".").strip()
    return base[:200]


def get_or_create_album(session: Session, name: str) -> Album:
    name = " ".join(safe_file_name(name).split()) or gettext_lazy("Individual photos")
    album, _created = Album.objects.get_or_create(
        session=session, name=str(name)[:100], defaults={"position": session.albums.count()}
    )
    return album


def session_watermark(session: Session) -> imaging.Watermark:
    """P10: the watermark every preview of ``session`` carries."""
    mark = None
    if session.watermark_kind == "image" and session.watermark_image:
        try:
            with session.watermark_image.open("rb") as f:
                mark = imaging.open_mark(f.read())
        except (OSError, imaging.ImagingError):
            mark = None
    return imaging.Watermark(
        kind=session.watermark_kind,
        text=session.watermark_text,
        mark=mark,
        position=session.watermark_position,
        opacity=session.watermark_opacity,
    )


def _card_code(session: Session, qr_texts: tuple[str, ...]) -> tuple[str, bool]:
    """(code of one of the organizer's cards or "", whether another QR code was seen)."""
    foreign = False
    for text in qr_texts:
        code = codes.code_in_link(text)
        if code and AccessCode.objects.filter(organizer=session.organizer_id, code=code).exists():
            return code, False
        foreign = True
    return "", foreign


def ingest_photo(
    session: Session,
    *,
    album: Album,
    data: bytes,
    filename: str,
    import_order: int | None = None,
    watermark: imaging.Watermark | None = None,
) -> IngestResult:
    """P11, P12: the one way a photo comes in, from the web, the command line or FTP.

    Stores the original in the private storage, reads the capture time and any QR card,
    makes the watermarked preview and thumbnail. The same file (by content) imported again
    changes nothing. A file that is not a usable photo raises :class:`ImportProblem` and
    leaves nothing behind.
    """
    if session.status == SessionStatus.ARCHIVED:
        raise ImportProblem("archived", str(IMPORT_PROBLEMS["archived"]))
    name = safe_file_name(filename)
    if not name:
        raise ImportProblem("bad_name", str(IMPORT_PROBLEMS["bad_name"]))
    digest = hashlib.sha256(data).hexdigest()
    existing = Photo.objects.filter(session=session, sha256=digest).first()
    if existing is not None:
        return IngestResult(existing, duplicate=True)
    try:
        processed = imaging.process_photo(data, watermark=watermark or session_watermark(session))
    except imaging.ImagingError as e:
        kind = str(e)
        raise ImportProblem(kind, str(IMPORT_PROBLEMS.get(kind, IMPORT_PROBLEMS["corrupt"]))) from e
    card_code, foreign = _card_code(session, processed.qr_texts)
    storage = storages["private"]
    base = f"photos/{session.pk}/{digest[:2]}/{digest}"
    paths, written = {}, []
    for key, suffix, content in (
        ("original", ".jpg", data),
        ("preview", "-preview.jpg", processed.preview),
        ("thumbnail", "-thumb.jpg", processed.thumbnail),
    ):
        path = base + suffix
        if storage.exists(path) and storage.size(path) != len(content):
            storage.delete(path)  # left half-written by an import that was killed
        if not storage.exists(path):
            path = storage.save(path, ContentFile(content))
            written.append(path)
        paths[key] = path
    taken_at = processed.taken_at
    if taken_at is not None and timezone.is_naive(taken_at):
        # Cameras write local time without a zone: it is the organizer's.
        taken_at = taken_at.replace(tzinfo=zoneinfo.ZoneInfo(session.organizer.timezone))
    try:
        with transaction.atomic():
            photo = Photo.objects.create(
                session=session,
                album=album,
                original_name=name,
                sha256=digest,
                width=processed.width,
                height=processed.height,
                size_bytes=len(data),
                taken_at=taken_at,
                import_order=import_order if import_order is not None else time.time_ns() // 1000,
                card_code=card_code,
                foreign_qr=foreign,
                warnings=list(processed.warnings),
                **paths,
            )
            if card_code:  # Q7: the card was photographed
                QrCard.objects.filter(
                    access_code__code=card_code, photographed_at__isnull=True
                ).update(photographed_at=timezone.now())
    except IntegrityError:
        # Imported meanwhile by another worker: theirs stands, ours changes nothing.
        winner = Photo.objects.get(session=session, sha256=digest)
        kept = {winner.original, winner.preview, winner.thumbnail}
        for path in written:
            if path not in kept:
                storage.delete(path)
        return IngestResult(winner, duplicate=True)
    return IngestResult(photo, duplicate=False)


# --- sorting and activation (P4, P6, P13–P15) ---------------------------------------------


def _shots(photos) -> list[sorting.Shot]:
    return [
        sorting.Shot(
            key=str(p.pk),
            taken_at=p.taken_at,
            order=p.import_order,
            card_code=p.card_code or None,
            foreign_qr=p.foreign_qr,
            is_group=p.is_group,
            album=p.album.name,
        )
        for p in photos
    ]


def sort_session(session: Session) -> sorting.Proposal:
    """P14: the proposed galleries and anomalies for every photo of ``session``.

    Only the session's active cards open galleries; any other card read is an unknown card.
    """
    photos = list(Photo.objects.filter(session=session).select_related("album"))
    known = set(
        AccessCode.objects.filter(
            session=session, status=AccessCodeStatus.ACTIVE, card__isnull=False
        ).values_list("code", flat=True)
    )
    return sorting.propose(_shots(photos), known_codes=known)


@dataclass(frozen=True)
class Activation:
    created: list[Gallery]
    extended: list[Gallery]  # existing galleries that received newly imported photos
    photos_placed: int


@transaction.atomic
def activate_access_codes(session: Session, *, user) -> Activation:
    """P14: turn the proposal into galleries, each opened by its card's access code.

    Idempotent: a gallery is made once per code; photos already in a gallery (placed by an
    earlier activation or moved by hand) stay where they are, and only photos in no gallery
    yet are added — so photos imported later are sorted in without disturbing anything.
    A session with a shared code gets one gallery holding all its photos (P4).
    """
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.access_type == AccessType.SHARED:
        return _activate_shared(session, user=user)
    proposal = sort_session(session)
    created, extended, placed = [], [], 0
    for proposed in proposal.galleries:
        code = AccessCode.objects.select_related("card").get(code=proposed.code)
        gallery = Gallery.objects.filter(access_code=code).first()
        if gallery is None:
            card = getattr(code, "card", None)
            gallery = Gallery.objects.create(
                session=session,
                access_code=code,
                card=card,
                album=Album.objects.filter(session=session, name=proposed.album).first(),
                name=card.subject_name if card else "",
                class_name=card.class_name if card else "",
            )
            created.append(gallery)
        moved = Photo.objects.filter(
            session=session,
            pk__in=[int(k) for k in proposed.photos],
            gallery__isnull=True,
            placed_by_hand=False,
        ).update(gallery=gallery)
        if moved and gallery not in created:
            extended.append(gallery)
        placed += moved
    log_action(
        session,
        "seance.session.codes_activated",
        user=user,
        data={"galleries created": len(created), "photos placed": placed},
    )
    return Activation(created=created, extended=extended, photos_placed=placed)


def _activate_shared(session: Session, *, user) -> Activation:
    gallery = Gallery.objects.filter(session=session, card__isnull=True).first()
    created = []
    if gallery is None:
        gallery = Gallery.objects.create(
            session=session, access_code=_new_access_code(session), name=session.name
        )
        created.append(gallery)
    placed = Photo.objects.filter(session=session, gallery__isnull=True, is_group=False).update(
        gallery=gallery
    )
    log_action(
        session,
        "seance.session.codes_activated",
        user=user,
        data={"galleries created": len(created), "photos placed": placed},
    )
    return Activation(created=created, extended=[] if created else [gallery], photos_placed=placed)


@transaction.atomic
def create_gallery_by_hand(
    session: Session, *, user, photos: list[Photo], name: str = ""
) -> Gallery:
    """P4: a gallery with a new access code for photos chosen by hand (shot without cards)."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.access_type != AccessType.INDIVIDUAL:
        raise CardError(_("Sessions with a shared code have one gallery for everyone."))
    chosen = [p for p in photos if p.session_id == session.pk]
    if not chosen:
        raise CardError(_("Choose the photos of the new gallery."))
    gallery = Gallery.objects.create(
        session=session,
        access_code=_new_access_code(session),
        name=name.strip()[:200],
        album_id=chosen[0].album_id,  # its group photos show in it too (P15)
    )
    Photo.objects.filter(pk__in=[p.pk for p in chosen]).update(gallery=gallery, placed_by_hand=True)
    log_action(
        session,
        "seance.session.gallery_created",
        user=user,
        data={"gallery": str(gallery.access_code), "photos": len(chosen)},
    )
    return gallery


@transaction.atomic
def move_photos(session: Session, *, user, photos: list[Photo], gallery: Gallery | None) -> int:
    """P13: put misplaced photos into another gallery of the session, or out of any."""
    if gallery is not None and gallery.session_id != session.pk:
        raise CardError(_("That gallery is not in this session."))
    count = Photo.objects.filter(session=session, pk__in=[p.pk for p in photos]).update(
        gallery=gallery, placed_by_hand=True
    )
    log_action(
        session,
        "seance.session.photos_moved",
        user=user,
        data={"photos": count, "gallery": str(gallery) if gallery else None},
    )
    return count


@transaction.atomic
def move_to_album(session: Session, *, user, photos: list[Photo], album: Album) -> int:
    """P13: put photos into another album (the class they belong to); galleries stay."""
    if album.session_id != session.pk:
        raise CardError(_("That album is not in this session."))
    count = Photo.objects.filter(session=session, pk__in=[p.pk for p in photos]).update(album=album)
    log_action(
        session,
        "seance.session.photos_moved",
        user=user,
        data={"photos": count, "album": album.name},
    )
    return count


@transaction.atomic
def mark_group_photos(session: Session, *, user, photos: list[Photo], is_group: bool = True) -> int:
    """P15: group photos (the class photo) show in every gallery of their album, in none alone."""
    chosen = Photo.objects.filter(session=session, pk__in=[p.pk for p in photos])
    count = chosen.update(is_group=is_group, **({"gallery": None} if is_group else {}))
    log_action(
        session,
        "seance.session.group_photos",
        user=user,
        data={"photos": count, "group photo": is_group},
    )
    return count


# --- FTP accounts (P11) ----------------------------------------------------------------------


@transaction.atomic
def reset_ftp_password(organizer: Organizer, *, user) -> tuple[FtpAccount, str]:
    """The organizer's FTP account with a new random password, shown once to the caller."""
    password = secrets.token_urlsafe(12)
    account = FtpAccount.objects.filter(organizer=organizer).first()
    if account is None:
        account = FtpAccount(organizer=organizer, username=f"{organizer.slug}"[:60])
    account.password = make_password(password)
    account.is_active = True
    account.save()
    log_action(organizer, "seance.organizer.ftp_password_reset", user=user, data={})
    return account, password


def check_ftp_login(username: str, password: str) -> FtpAccount | None:
    """The active account these credentials open, or None."""
    account = (
        FtpAccount.objects.filter(username=username, is_active=True)
        .select_related("organizer")
        .first()
    )
    if account is None:
        make_password(password)  # same work either way: no timing hint about user names
        return None
    return account if check_password(password, account.password) else None


@transaction.atomic
def register_visitor(
    gallery: Gallery,
    *,
    name: str,
    email: str,
    consent: bool,
    agreement: Agreement,
    language: str,
    reminders: bool = False,
    now=None,
) -> GalleryRegistration:
    """P5: the registration form before the photos; consent recorded with its version.

    Registering again with the same address (another phone, a new visit) keeps the first
    record and is not an error.
    """
    if not consent:
        raise CardError(_("Please accept the agreement to see the photos."), field="consent")
    if agreement.pk != current_agreement(gallery.session.organizer, agreement.language).pk:
        raise CardError(
            _("The agreement changed while you were reading it: please read it again."),
            field="consent",
        )
    registration, _created = GalleryRegistration.objects.get_or_create(
        gallery=gallery,
        email=email.strip().lower(),
        defaults={
            "name": name.strip()[:200],
            "agreement": agreement,
            "consented_at": now or timezone.now(),
            "language": language,
            "reminders": reminders,
        },
    )
    return registration


# --- yearbook export -------------------------------------------------------------------------

logger = logging.getLogger("seance.photos")


@dataclass
class YearbookExport:
    """What :func:`export_yearbook` planned; :meth:`files` renders it as it is streamed."""

    session: Session
    book: yearbook.Yearbook
    originals: dict[str, str]  # portrait photo key → path of its original (private storage)
    language: str | None  # of README.TXT: the language of the request that asked for it
    unreadable: list[yearbook.Portrait] = dataclass_field(default_factory=list)

    def files(self) -> Iterator[tuple[str, Callable[[], bytes | str | None]]]:
        """ZIP entries: the portraits, each rendered when the archive reaches it, then
        INDEX.TXT and README.TXT, written last so that they list exactly the portraits that
        made it (an original that cannot be read is left out and named in the README)."""
        for portrait in self.book.portraits:
            yield f"{yearbook.FOLDER}/{portrait.file_name}", self._renderer(portrait)
        yield yearbook.INDEX_NAME, self.index
        yield yearbook.README_NAME, self.readme

    def _renderer(self, portrait: yearbook.Portrait) -> Callable[[], bytes | None]:
        def render() -> bytes | None:
            path = self.originals[portrait.subject.portrait]
            try:
                with storages["private"].open(path, "rb") as original:
                    return lab.render_portrait(original)
            except (OSError, imaging.ImagingError):
                logger.warning("%s: yearbook portrait %s unreadable", self.session, path)
                self.unreadable.append(portrait)
                return None

        return render

    def index(self) -> str:
        return self.book.index_text(leave_out={p.file_name for p in self.unreadable})

    def readme(self) -> str:
        session = self.session
        count = len(self.book.portraits) - len(self.unreadable)
        with translation.override(self.language):
            lines = [
                _("Yearbook portraits of “%(session)s” (%(reference)s), shot on %(date)s.")
                % {
                    "session": session.name,
                    "reference": session.reference,
                    "date": session.shooting_date.isoformat(),
                },
                ngettext(
                    "%(count)s portrait in the folder %(folder)s, indexed in %(index)s "
                    "(PSPA format: tab-separated, UTF-8).",
                    "%(count)s portraits in the folder %(folder)s, indexed in %(index)s "
                    "(PSPA format: tab-separated, UTF-8).",
                    count,
                )
                % {
                    "count": count,
                    "folder": yearbook.FOLDER,
                    "index": yearbook.INDEX_NAME,
                },
            ]
            reasons = {
                yearbook.Skip.NO_NAME: _("card %(card)s (no name)"),
                yearbook.Skip.NO_PORTRAIT: _("%(name)s (no portrait)"),
                yearbook.Skip.UNREADABLE: _("%(name)s (photo unreadable)"),
            }
            skipped = [
                *self.book.skipped,
                *((p.subject, yearbook.Skip.UNREADABLE) for p in self.unreadable),
            ]
            if skipped:
                names = ", ".join(
                    reasons[reason] % {"card": s.reference, "name": s.name} for s, reason in skipped
                )
                lines.append(_("not included: %(names)s") % {"names": names})
        return "".join(yearbook.pspa_field(line) + "\r\n" for line in lines)


def _yearbook_subject(gallery: Gallery, originals: dict[str, str]) -> yearbook.Subject:
    """The pupil of a card's gallery; the path of their portrait's original goes in
    ``originals`` under the portrait's key."""
    card = gallery.card
    registration = getattr(card, "pre_registration", None)
    first, last = card.first_name, card.last_name
    if registration is not None:  # Q2: the family's own spelling wins
        first, last = registration.child_first_name, registration.child_last_name
    photos = {str(p.pk): p for p in gallery.photos.all()}
    chosen = yearbook.choose_portrait(_shots(photos.values()))
    if chosen is not None:
        originals[chosen] = photos[chosen].original
    return yearbook.Subject(
        first_name=first.strip(),
        last_name=last.strip(),
        class_name=(card.class_name or getattr(registration, "class_name", "")).strip(),
        portrait=chosen,
        reference=str(card.number),
    )


def export_yearbook(session: Session, *, user) -> YearbookExport:
    """The yearbook export of ``session``: one portrait per pupil's gallery and a PSPA index.

    Each gallery opened by a card is a pupil, named by the pre-registration if there is one
    (else by the card), in the card's class; their portrait is the first photo of the
    gallery in shooting order that is neither a card photo nor a group photo. Pupils without
    a name or a portrait are left out and named in README.TXT. Nothing is rendered here
    (see :meth:`YearbookExport.files`); the export is recorded in the session's log.
    """
    originals: dict[str, str] = {}
    subjects = [_yearbook_subject(g, originals) for g in queries.yearbook_galleries(session)]
    book = yearbook.plan_yearbook(subjects, volume=session.sponsor.name or session.name)
    log_action(
        session,
        "seance.session.yearbook_exported",
        user=user,
        data={"portraits": len(book.portraits)},
    )
    return YearbookExport(
        session=session, book=book, originals=originals, language=translation.get_language()
    )
