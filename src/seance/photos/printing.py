"""QR card sheets for a session: the texts in the session's language, the cards' contents."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from seance.photos import cards as card_sheets
from seance.photos import codes
from seance.photos.models import QrCard, Session
from seance.photos.services import current_agreement


def gallery_address() -> str:
    """The short address printed under the QR: ``photos.example.net/g``."""
    parts = urlsplit(settings.SEANCE_SITE_URL)
    return f"{parts.netloc}{parts.path.rstrip('/')}/g"


def render_session_cards(session: Session, cards: list[QrCard], *, per_page: int) -> bytes:
    """The PDF of ``cards``, worded in the language families of ``session`` read."""
    language = session.family_language
    agreement = current_agreement(session.organizer, language)
    with translation.override(language):
        address = gallery_address()
        texts = card_sheets.SheetTexts(
            organizer_name=session.organizer.name,
            session_name=session.name,
            session_reference=session.reference,
            family_title=_("Your photos online"),
            instructions=_(
                "After the photo day, scan this QR code with your phone's camera, or go to "
                "%(address)s and type the code on this card. Keep the card: its code opens "
                "your child's private gallery, and only it."
            )
            % {"address": address},
            code_label=_("Access code"),
            card_label=_("Card"),
            keep_label=_("Keep this part"),
            return_label=_("Part kept by the photographer"),
            agreement_title=_("Image rights and privacy agreement") + f" (v{agreement.version})",
            agreement_text=agreement.text,
            pupil_label=_("Pupil's name"),
            class_label=_("Class"),
            parent_label=_("Parent's name"),
            date_label=_("Date"),
            signature_label=_("Signature"),
        )
    return card_sheets.render_cards(
        [
            card_sheets.Card(
                number=card.number,
                code=card.access_code.code,
                qr_payload=codes.card_payload(settings.SEANCE_SITE_URL, card.access_code.code),
                gallery_address=address,
                subject_name=card.subject_name,
                class_name=card.class_name,
            )
            for card in cards
        ],
        texts,
        per_page=per_page,
    )
