"""Access codes and what the QR cards carry (Q1, Q2, Q5). No Django here.

A code is 12 characters from a 30-letter alphabet without look-alikes (no 0/O, 1/I/L, and no U,
which keeps accidental words out): 12 × log2(30) ≈ 58.9 bits of randomness, far past the 50
bits needed to make guessing hopeless under rate limits. People read it in groups of four
(``K7MP-Q2XH-9TRC``) and may type it in any case, with or without dashes or spaces.

The QR on a card carries the gallery link ``<SITE>/G/<CODE>`` in capitals: uppercase letters,
digits and ``/:.-`` are QR "alphanumeric" characters, packed 5.5 bits each instead of 8, so the
code stays small (few modules) and survives being photographed across a room and decoded at
reduced scale. Scheme and host are case-insensitive, and the shop answers ``/G/`` as ``/g/``.
"""

import re
import secrets

from seance.core.codes import ALPHABET, random_code

LENGTH = 12
GROUP = 4

_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_code(randbelow=secrets.randbelow) -> str:
    """A fresh random code (the caller makes sure it was never used before)."""
    return random_code(LENGTH, randbelow)


def normalize(typed: str) -> str | None:
    """The code a person typed, as stored; None if it cannot be a code at all."""
    code = _SEPARATORS.sub("", typed or "").upper()
    return code if _VALID.match(code) else None


def display(code: str) -> str:
    """``K7MPQ2XH9TRC`` → ``K7MP-Q2XH-9TRC``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def card_payload(site_url: str, code: str) -> str:
    """What the QR of a card encodes: the gallery link, in QR-alphanumeric capitals.

    Only the scheme and host are put in capitals (they are case-insensitive); a path the
    site lives under (``https://studio.example/photos``) keeps its case.
    """
    scheme, _sep, rest = site_url.rstrip("/").partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.upper()}://{host.upper()}{slash}{path}/G/{code}"


_LINK = re.compile(rf"/G/([A-Z0-9]{{{LENGTH}}})/?$")


def code_in_link(text: str) -> str | None:
    """The code of a card link from any Séance address (``…/G/<CODE>``), else None.

    Any address, so that cards printed before the site moved (or from the demo address)
    still sort; whether the code is one of the organizer's cards is then checked in the
    database, so posters, T-shirts and other studios' cards are never taken for a pupil.
    """
    match = _LINK.search((text or "").strip().upper())
    return normalize(match.group(1)) if match else None
