"""The yearbook export of a session: one portrait per pupil and a PSPA index, the folder the
schools' yearbook and administration software import.

PSPA layout (Professional School Photographers Association guidelines)::

    INDEX.TXT     UTF-8, tab-delimited, one row per person, no header (columns: PSPA_COLUMNS)
    README.TXT    what the export holds, and who is not in it
    Images/       the portraits: JPEG, 640 × 800 px or more at 0.8 (portrait), unique names

No Django here: the service reads the galleries and renders the portraits.
"""

import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from seance.photos import sorting

PSPA_COLUMNS = (
    "Volume name",
    "Image folder",
    "Image file name",
    "Grade",
    "Last name",
    "First name",
    "Homeroom",
    "Period",
    "Teacher name",
    "Track",
    "Department",
    "Title",
    "Image size",
)
FOLDER = "Images"
INDEX_NAME = "INDEX.TXT"
README_NAME = "README.TXT"


@dataclass(frozen=True)
class Subject:
    """One pupil of the session, as the yearbook knows them."""

    first_name: str
    last_name: str
    class_name: str
    portrait: str | None  # the key of the chosen photo; None when there is none
    reference: str = ""  # how staff find them when they are left out: the card number

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True)
class Portrait:
    subject: Subject
    file_name: str  # e.g. "0001.jpg", unique in FOLDER


class Skip:
    NO_NAME = "no_name"
    NO_PORTRAIT = "no_portrait"
    UNREADABLE = "unreadable"


@dataclass
class Yearbook:
    volume: str
    portraits: list[Portrait]
    skipped: list[tuple[Subject, str]] = field(default_factory=list)  # (subject, Skip.…)

    def index_text(self, *, leave_out: Collection[str] = ()) -> str:
        """INDEX.TXT for the portraits, but those whose file name is in ``leave_out``."""
        return index_text(
            index_row(self.volume, FOLDER, p.file_name, p.subject)
            for p in self.portraits
            if p.file_name not in leave_out
        )


def choose_portrait(shots: Iterable[sorting.Shot]) -> str | None:
    """The key of a gallery's portrait: its first photo in shooting order that is neither a
    QR card photo nor a group photo (the card comes before the pupil; the class photo is
    everyone's). None when the gallery has no such photo."""
    for shot in sorting.shooting_order(shots):
        if not shot.card_code and not shot.is_group:
            return shot.key
    return None


def pspa_field(value: Any) -> str:
    """One cell of INDEX.TXT: PSPA has no quoting, so tabs, line breaks and other control
    characters become spaces and runs of spaces one space."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    return " ".join(text.split())


def index_row(volume: str, folder: str, file_name: str, subject: Subject) -> list[str]:
    """A PSPA row. Séance knows one class name: yearbook software groups by grade, then
    homeroom, so it is given as both; the columns Séance does not know stay empty."""
    values = {
        "Volume name": volume,
        "Image folder": folder,
        "Image file name": file_name,
        "Grade": subject.class_name,
        "Last name": subject.last_name,
        "First name": subject.first_name,
        "Homeroom": subject.class_name,
    }
    return [pspa_field(values.get(column, "")) for column in PSPA_COLUMNS]


def index_text(rows: Iterable[Sequence[Any]]) -> str:
    """INDEX.TXT: one tab-delimited line per row, CRLF line ends (the format's DOS origin),
    no header. Every cell goes through :func:`pspa_field`."""
    return "".join("\t".join(pspa_field(c) for c in row) + "\r\n" for row in rows)


def _sort_text(value: str) -> str:
    """Case and accents ignored: "école" sorts with "Ecole", before "Fabre"."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _order(subject: Subject) -> tuple:
    return (
        not subject.class_name.strip(),  # pupils without a class after the classes
        _sort_text(subject.class_name),
        _sort_text(subject.last_name),
        _sort_text(subject.first_name),
    )


def plan_yearbook(subjects: Iterable[Subject], *, volume: str) -> Yearbook:
    """Number the portraits ``0001.jpg``… in class, then last-name, then first-name order.

    Subjects without a name, or without a portrait, are skipped (and listed). The numbers
    have at least four digits, more when a session has more than 9,999 pupils. The order is
    stable: equal names keep the order they come in.
    """
    subjects = list(subjects)
    skipped = []
    kept = []
    for subject in subjects:
        if not (subject.first_name.strip() or subject.last_name.strip()):
            skipped.append((subject, Skip.NO_NAME))
        elif subject.portrait is None:
            skipped.append((subject, Skip.NO_PORTRAIT))
        else:
            kept.append(subject)
    kept.sort(key=_order)
    digits = max(4, len(str(len(kept))))
    portraits = [
        Portrait(subject=s, file_name=f"{n:0{digits}d}.jpg") for n, s in enumerate(kept, 1)
    ]
    return Yearbook(volume=pspa_field(volume), portraits=portraits, skipped=skipped)
