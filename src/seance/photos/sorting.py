"""QR sorting: split a day's photos into one proposed gallery per card (P14, Q3). No Django here.

At the shoot the photographer photographs a pupil's QR card, then the pupil (several photos),
then the next card, and so on. The import reads each photo's capture time and any QR code; this
module turns that stream into a *proposal* that staff review before **Activate access codes**.
The rule above all: never silently put one child's photos in another child's gallery. Anything
doubtful becomes an anomaly, and photos whose owner is doubtful go to ``unsorted``.

Shooting order (:func:`shooting_order`)
    Albums come in the order they appear in the import: by the smallest ``order`` of their shots
    (ties by album name). Within an album, if every shot that is not a group photo has a capture
    time, shots are sorted by ``(taken_at, order, key)``; group photos without a capture time go
    last, by ``order``. If ANY non-group shot of the album lacks ``taken_at``, the whole album is
    ordered by ``(order, key)`` alone (file order), and :func:`propose` reports a
    ``no_capture_time`` anomaly listing those shots, so staff check the order. Mixing one album's
    times between timezone-aware and naive is refused (``ValueError``).

Sorting rules (:func:`propose`), per album, in shooting order
    - A *card photo* is a shot with ``card_code`` set. Consecutive card photos form a *card run*;
      within it, consecutive reads of the same code count as ONE card (``card_read_twice``,
      informational, with all its card photos). The photos after a run, up to the next card
      photo, belong to the run's last card.
    - A known card (code in ``known_codes``), seen for the first time in this call, with photos
      after it, opens a :class:`ProposedGallery`; its card photo(s) are in ``card_keys``, never
      in ``photos``.
    - Photos before the first card photo of an album (known or not) go to ``unsorted``
      (``before_first_card``).
    - Two different cards in a row: the first has no photo after it; ``two_cards_in_a_row``
      names both cards' photos and no empty gallery is created. A known card that ends its album
      with no photo after it gets no gallery either (``card_without_photos``).
    - A card whose code is not known (void card, another session's card): ``unknown_card``; the
      photos after it, up to the next card, go to ``unsorted`` (never to the previous pupil).
    - A known code appearing again, not consecutively (later in the album, or in another album):
      ``card_in_two_places`` with that card's photos and the photos after it, which go to
      ``unsorted``. A code opens at most one gallery, at its first appearance; if that first
      appearance had no photos the code gets no gallery in this proposal.
    - Photos showing a QR that is not one of our cards (``foreign_qr``) stay where they fall and
      are reported one by one (``foreign_qr``).
    - Inside a gallery, a gap longer than ``gap`` between the card and the first photo or between
      two photos (compared with the latest earlier one that has a time) gives a ``time_gap``
      anomaly naming the photos from the gap up to the next gap or the gallery's end; they stay
      in the gallery, staff decide.
    - Group photos (``is_group``) take no part: they are in no gallery, not in ``unsorted``, in no
      anomaly, and do not break a card run or a gallery.

Guarantees of a :class:`Proposal`
    Every shot that is neither a card photo nor a group photo is in exactly one gallery's
    ``photos`` or in ``unsorted``; galleries' photos and ``unsorted`` are in shooting order; every
    card photo is in one gallery's ``card_keys`` or in an anomaly; no gallery is empty and no two
    galleries share a code; every code of a gallery is known; every ``unsorted`` photo is in an
    anomaly; anomalies are sorted by the shooting position of their first photo (then by kind);
    the result depends only on the set of shots, not on the order of the ``shots`` argument.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

KINDS = (
    "before_first_card",
    "two_cards_in_a_row",
    "card_read_twice",
    "unknown_card",
    "time_gap",
    "card_in_two_places",
    "foreign_qr",
    "no_capture_time",
    "card_without_photos",
)


@dataclass(frozen=True)
class Shot:
    """One imported photo, as sorting sees it."""

    key: str  # opaque photo id (the caller maps it to file names); unique per call
    taken_at: datetime | None  # EXIF capture time; None if unknown
    order: int  # import order (file order): the tie-breaker and the fallback
    card_code: str | None = None  # access code read from one of OUR cards in this photo
    foreign_qr: bool = False  # a QR was read but it is not one of our cards
    is_group: bool = False  # a group photo of its album: never in a pupil's gallery
    album: str = ""  # album (class) it belongs to; sorting runs per album


@dataclass(frozen=True)
class ProposedGallery:
    """One pupil's proposed gallery; ``photos`` is never empty and excludes the card photos."""

    code: str  # the card's code (always one of known_codes)
    card_keys: tuple[str, ...]  # the card photo(s) that opened it, in shooting order
    photos: tuple[str, ...]  # keys, in shooting order
    album: str


@dataclass(frozen=True)
class Anomaly:
    """Something staff must look at; ``photos`` is never empty and is in shooting order."""

    kind: str  # one of KINDS
    photos: tuple[str, ...]
    detail: str  # short English explanation with numbers (the caller may translate by kind)
    code: str | None = None  # the card code concerned, if any


@dataclass
class Proposal:
    """The result of :func:`propose`; see the module docstring for what is guaranteed."""

    galleries: list[ProposedGallery]
    anomalies: list[Anomaly]
    unsorted: tuple[str, ...]  # photos in no gallery, in shooting order


def _albums(shots: Iterable[Shot]) -> list[tuple[str, list[Shot]]]:
    by_album: dict[str, list[Shot]] = {}
    for shot in shots:
        by_album.setdefault(shot.album, []).append(shot)
    return sorted(by_album.items(), key=lambda item: (min(s.order for s in item[1]), item[0]))


def _file_ordered(album_shots: Sequence[Shot]) -> bool:
    return any(s.taken_at is None for s in album_shots if not s.is_group)


def _order_album(album: str, album_shots: Sequence[Shot]) -> list[Shot]:
    if _file_ordered(album_shots):
        return sorted(album_shots, key=lambda s: (s.order, s.key))
    timed = [s for s in album_shots if s.taken_at is not None]
    untimed = [s for s in album_shots if s.taken_at is None]  # group photos only
    try:
        timed.sort(key=lambda s: (s.taken_at, s.order, s.key))
    except TypeError as error:
        raise ValueError(f"album {album!r} mixes timezone-aware and naive capture times") from error
    return timed + sorted(untimed, key=lambda s: (s.order, s.key))


def shooting_order(shots: Iterable[Shot]) -> list[Shot]:
    """All ``shots`` (group photos included), album after album, in shooting order.

    Albums by their smallest ``order`` (then name). Inside an album: by ``(taken_at, order,
    key)`` when every non-group shot has a capture time (untimed group photos last, by
    ``order``); otherwise by ``(order, key)`` alone. Does not depend on the input order.
    """
    result: list[Shot] = []
    for album, album_shots in _albums(shots):
        result.extend(_order_album(album, album_shots))
    return result


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:.0f} min" if minutes >= 1 else f"{delta.total_seconds():.0f} s"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Sorter:
    """The walk over one call's shots; kept as a class only to share state between albums."""

    def __init__(self, known_codes: Collection[str], gap: timedelta):
        self.known = frozenset(known_codes)
        self.gap = gap
        self.galleries: list[ProposedGallery] = []
        self.anomalies: list[Anomaly] = []
        self.unsorted: list[str] = []
        self.seen: dict[str, str] = {}  # code -> key of its first card photo

    def add(self, kind: str, photos: Sequence[Shot], detail: str, code: str | None = None):
        self.anomalies.append(Anomaly(kind, tuple(s.key for s in photos), detail, code))

    def album(self, album: str, ordered: list[Shot]) -> None:
        stream = [s for s in ordered if not s.is_group]
        if not stream:
            return
        if _file_ordered(stream):
            missing = [s for s in stream if s.taken_at is None]
            self.add(
                "no_capture_time",
                missing,
                f"{_plural(len(missing), 'photo')} of {len(stream)} in album {album!r} have no "
                "capture time; the album is ordered by file order",
            )
        # Split into segments: [leading photos], then (card run, photos after it) pairs.
        i = 0
        lead: list[Shot] = []
        while i < len(stream) and stream[i].card_code is None:
            lead.append(stream[i])
            i += 1
        if lead:
            self.unsorted.extend(s.key for s in lead)
            self.add(
                "before_first_card",
                lead,
                f"{_plural(len(lead), 'photo')} before the first card of album {album!r}",
            )
        while i < len(stream):
            run: list[Shot] = []
            while i < len(stream) and stream[i].card_code is not None:
                run.append(stream[i])
                i += 1
            photos: list[Shot] = []
            while i < len(stream) and stream[i].card_code is None:
                photos.append(stream[i])
                i += 1
            self.card_run(album, run, photos, last_in_album=i >= len(stream))
        for shot in stream:
            if shot.foreign_qr:
                self.add(
                    "foreign_qr",
                    [shot],
                    f"photo {shot.key} shows a QR code that is not one of our cards",
                )

    def card_run(self, album: str, run: list[Shot], photos: list[Shot], last_in_album: bool):
        # Consecutive reads of the same code are one card.
        cards: list[list[Shot]] = []
        for shot in run:
            if cards and cards[-1][0].card_code == shot.card_code:
                cards[-1].append(shot)
            else:
                cards.append([shot])
        for n, card in enumerate(cards):
            last = n == len(cards) - 1
            after = photos if last else []
            code = card[0].card_code
            assert code is not None
            if n + 1 < len(cards):
                following = cards[n + 1]
                self.add(
                    "two_cards_in_a_row",
                    card + following,
                    f"card {code} is followed directly by card {following[0].card_code}: "
                    "no photo for it",
                    code,
                )
            if code not in self.known:
                self.unsorted.extend(s.key for s in after)
                self.add(
                    "unknown_card",
                    card + after,
                    f"card {code} is not a card of this session; "
                    f"{_plural(len(after), 'photo')} after it left unsorted",
                    code,
                )
            elif code in self.seen:
                self.unsorted.extend(s.key for s in after)
                self.add(
                    "card_in_two_places",
                    card + after,
                    f"card {code} was already read at photo {self.seen[code]}; "
                    f"{_plural(len(after), 'photo')} after this second read left unsorted",
                    code,
                )
            else:
                self.seen[code] = card[0].key
                if len(card) > 1:
                    self.add(
                        "card_read_twice",
                        card,
                        f"card {code} photographed {len(card)} times in a row; one gallery",
                        code,
                    )
                if after:
                    self.gallery(album, code, card, after)
                elif last and last_in_album:
                    self.add(
                        "card_without_photos",
                        card,
                        f"card {code} is the last shot of album {album!r}: no photo for it",
                        code,
                    )

    def gallery(self, album: str, code: str, card: list[Shot], photos: list[Shot]) -> None:
        self.galleries.append(
            ProposedGallery(code, tuple(s.key for s in card), tuple(s.key for s in photos), album)
        )
        # Segments of the timeline [last card photo] + photos, cut at each gap over the limit.
        previous = card[-1].taken_at
        previous_key = card[-1].key
        cut: tuple[timedelta, str, str] | None = None
        segment: list[Shot] = []

        def flush() -> None:
            if cut is not None and segment:
                delta, before, first = cut
                self.add(
                    "time_gap",
                    segment,
                    f"{_minutes(delta)} between photos {before} and {first} in the gallery of "
                    f"card {code} (limit {_minutes(self.gap)}); "
                    f"{_plural(len(segment), 'photo')} after the gap",
                    code,
                )

        for shot in photos:
            if shot.taken_at is not None:
                if previous is not None and shot.taken_at - previous > self.gap:
                    flush()
                    cut = (shot.taken_at - previous, previous_key, shot.key)
                    segment = []
                previous, previous_key = shot.taken_at, shot.key
            segment.append(shot)
        flush()


def propose(
    shots: Sequence[Shot],
    *,
    known_codes: Collection[str],
    gap: timedelta = timedelta(minutes=10),
) -> Proposal:
    """The proposed galleries, anomalies and unsorted photos for ``shots``.

    Follows the rules of the module docstring and keeps its guarantees. ``known_codes`` are the
    access codes of the session's cards; ``gap`` is the longest pause inside a gallery that is
    not reported. Raises ``ValueError`` for duplicate keys, a negative ``gap``, or an album
    mixing timezone-aware and naive capture times.
    """
    shots = list(shots)
    keys = [s.key for s in shots]
    if len(set(keys)) != len(keys):
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        raise ValueError(f"duplicate shot keys: {', '.join(duplicates)}")
    if gap < timedelta(0):
        raise ValueError("gap must not be negative")

    sorter = _Sorter(known_codes, gap)
    position: dict[str, int] = {}
    for album, album_shots in _albums(shots):
        ordered = _order_album(album, album_shots)
        for shot in ordered:
            position[shot.key] = len(position)
        sorter.album(album, ordered)

    anomalies = sorted(
        sorter.anomalies,
        key=lambda a: (position[a.photos[0]], KINDS.index(a.kind), a.photos, a.code or ""),
    )
    return Proposal(
        galleries=sorter.galleries,
        anomalies=anomalies,
        unsorted=tuple(sorted(sorter.unsorted, key=position.__getitem__)),
    )
