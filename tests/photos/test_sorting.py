"""QR sorting (P14, Q3): one proposed gallery per card, anomalies for anything doubtful."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seance.photos.sorting import (
    KINDS,
    Anomaly,
    ProposedGallery,
    Shot,
    propose,
    shooting_order,
)

T0 = datetime(2025, 9, 18, 8, 30)
KNOWN = {"AAAA", "BBBB", "CCCC", "DDDD"}


def stream(*items, album="6A", start=0, minutes=1):
    """Shots from a compact description, one minute apart, keys as given.

    An item is ``"p1"`` (a photo), ``("c1", "AAAA")`` (a card photo with its code), or a dict of
    Shot fields with at least ``key``.
    """
    shots = []
    for i, item in enumerate(items):
        fields = {"key": item} if isinstance(item, str) else item
        if isinstance(item, tuple):
            fields = {"key": item[0], "card_code": item[1]}
        fields = {
            "taken_at": T0 + timedelta(minutes=(start + i) * minutes),
            "order": start + i,
            "album": album,
            **fields,
        }
        shots.append(Shot(**fields))
    return shots


def kinds(proposal):
    return [a.kind for a in proposal.anomalies]


def only(proposal, kind):
    found = [a for a in proposal.anomalies if a.kind == kind]
    assert len(found) == 1, proposal.anomalies
    return found[0]


# --- the happy path ---------------------------------------------------------------------------


def test_card_starts_a_gallery_of_the_following_photos_without_the_card_photo():
    proposal = propose(stream(("c1", "AAAA"), "p1", "p2", "p3"), known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1", "p2", "p3"), "6A")]
    assert proposal.anomalies == []
    assert proposal.unsorted == ()


def test_second_card_starts_new_gallery():
    shots = stream(("c1", "AAAA"), "p1", "p2", ("c2", "BBBB"), "p3", "p4")
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [
        ProposedGallery("AAAA", ("c1",), ("p1", "p2"), "6A"),
        ProposedGallery("BBBB", ("c2",), ("p3", "p4"), "6A"),
    ]
    assert proposal.anomalies == []


def test_sorting_runs_per_album_in_the_order_albums_appear():
    shots = stream(("c3", "CCCC"), "p3", album="6B", start=10) + stream(
        ("c1", "AAAA"), "p1", album="6A", start=0
    )
    proposal = propose(shots, known_codes=KNOWN)
    assert [(g.album, g.code, g.photos) for g in proposal.galleries] == [
        ("6A", "AAAA", ("p1",)),
        ("6B", "CCCC", ("p3",)),
    ]


def test_a_new_album_does_not_continue_the_previous_albums_last_gallery():
    shots = stream(("c1", "AAAA"), "p1") + stream("q1", "q2", album="6B", start=2)
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1",), "6A")]
    assert proposal.unsorted == ("q1", "q2")
    assert only(proposal, "before_first_card").photos == ("q1", "q2")


# --- photos before the first card --------------------------------------------------------------


def test_photos_before_first_card_are_unsorted():
    proposal = propose(stream("p0", "p00", ("c1", "AAAA"), "p1"), known_codes=KNOWN)
    assert proposal.unsorted == ("p0", "p00")
    anomaly = only(proposal, "before_first_card")
    assert anomaly.photos == ("p0", "p00")
    assert "2 photos" in anomaly.detail
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1",), "6A")]


def test_album_without_any_card_is_all_unsorted():
    proposal = propose(stream("p1", "p2"), known_codes=KNOWN)
    assert proposal.galleries == []
    assert proposal.unsorted == ("p1", "p2")
    assert kinds(proposal) == ["before_first_card"]


# --- card read twice / two cards in a row ------------------------------------------------------


def test_card_read_twice_opens_one_gallery():
    proposal = propose(stream(("c1", "AAAA"), ("c1b", "AAAA"), "p1", "p2"), known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1", "c1b"), ("p1", "p2"), "6A")]
    anomaly = only(proposal, "card_read_twice")
    assert anomaly.photos == ("c1", "c1b")
    assert anomaly.code == "AAAA"
    assert proposal.unsorted == ()


def test_two_cards_in_a_row_leave_no_empty_gallery():
    proposal = propose(stream(("c1", "AAAA"), ("c2", "BBBB"), "p1"), known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("BBBB", ("c2",), ("p1",), "6A")]
    anomaly = only(proposal, "two_cards_in_a_row")
    assert anomaly.photos == ("c1", "c2")
    assert anomaly.code == "AAAA"
    assert kinds(proposal) == ["two_cards_in_a_row"]


def test_three_cards_in_a_row_report_each_pair():
    proposal = propose(
        stream(("c1", "AAAA"), ("c2", "BBBB"), ("c3", "CCCC"), "p1"), known_codes=KNOWN
    )
    assert [g.code for g in proposal.galleries] == ["CCCC"]
    assert [(a.kind, a.photos) for a in proposal.anomalies] == [
        ("two_cards_in_a_row", ("c1", "c2")),
        ("two_cards_in_a_row", ("c2", "c3")),
    ]


def test_last_card_of_an_album_without_photos_is_reported_not_an_empty_gallery():
    proposal = propose(stream(("c1", "AAAA"), "p1", ("c2", "BBBB")), known_codes=KNOWN)
    assert [g.code for g in proposal.galleries] == ["AAAA"]
    anomaly = only(proposal, "card_without_photos")
    assert anomaly.photos == ("c2",)
    assert anomaly.code == "BBBB"


# --- unknown cards -----------------------------------------------------------------------------


def test_unknown_card_photos_go_to_unsorted_not_to_the_previous_gallery():
    shots = stream(("c1", "AAAA"), "p1", ("cx", "ZZZZ"), "x1", "x2", ("c2", "BBBB"), "p2")
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [
        ProposedGallery("AAAA", ("c1",), ("p1",), "6A"),
        ProposedGallery("BBBB", ("c2",), ("p2",), "6A"),
    ]
    assert proposal.unsorted == ("x1", "x2")
    anomaly = only(proposal, "unknown_card")
    assert anomaly.photos == ("cx", "x1", "x2")
    assert anomaly.code == "ZZZZ"
    assert "2 photos" in anomaly.detail


def test_unknown_card_as_first_card_still_reports_photos_before_it():
    proposal = propose(stream("p0", ("cx", "ZZZZ"), "x1"), known_codes=KNOWN)
    assert proposal.galleries == []
    assert proposal.unsorted == ("p0", "x1")
    assert kinds(proposal) == ["before_first_card", "unknown_card"]


def test_unknown_card_followed_by_a_known_card_is_two_cards_in_a_row():
    proposal = propose(stream(("cx", "ZZZZ"), ("c1", "AAAA"), "p1"), known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1",), "6A")]
    assert sorted(kinds(proposal)) == ["two_cards_in_a_row", "unknown_card"]
    assert only(proposal, "unknown_card").photos == ("cx",)


# --- the same card in two places ---------------------------------------------------------------


def test_same_card_later_is_card_in_two_places_and_the_second_run_is_unsorted():
    shots = stream(("c1", "AAAA"), "p1", ("c2", "BBBB"), "p2", ("c1again", "AAAA"), "p3", "p4")
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [
        ProposedGallery("AAAA", ("c1",), ("p1",), "6A"),
        ProposedGallery("BBBB", ("c2",), ("p2",), "6A"),
    ]
    assert proposal.unsorted == ("p3", "p4")
    anomaly = only(proposal, "card_in_two_places")
    assert anomaly.photos == ("c1again", "p3", "p4")
    assert anomaly.code == "AAAA"
    assert "c1" in anomaly.detail


def test_card_read_again_after_one_photo_is_not_card_read_twice():
    proposal = propose(stream(("c1", "AAAA"), "p1", ("c1b", "AAAA"), "p2"), known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1",), "6A")]
    assert proposal.unsorted == ("p2",)
    assert kinds(proposal) == ["card_in_two_places"]


def test_same_card_in_two_albums_is_card_in_two_places():
    shots = stream(("c1", "AAAA"), "p1") + stream(("c1b", "AAAA"), "q1", album="6B", start=2)
    proposal = propose(shots, known_codes=KNOWN)
    assert [(g.album, g.code) for g in proposal.galleries] == [("6A", "AAAA")]
    assert proposal.unsorted == ("q1",)
    assert only(proposal, "card_in_two_places").photos == ("c1b", "q1")


def test_card_whose_first_read_had_no_photos_gets_no_gallery_later():
    shots = stream(("c1", "AAAA"), ("c2", "BBBB"), "p2", ("c1b", "AAAA"), "p1")
    proposal = propose(shots, known_codes=KNOWN)
    assert [g.code for g in proposal.galleries] == ["BBBB"]
    assert proposal.unsorted == ("p1",)
    assert kinds(proposal) == ["two_cards_in_a_row", "card_in_two_places"]


# --- foreign QR codes --------------------------------------------------------------------------


def test_foreign_qr_photo_stays_where_it_falls_and_is_reported():
    shots = stream(("c1", "AAAA"), "p1", {"key": "poster", "foreign_qr": True}, "p2")
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1", "poster", "p2"), "6A")]
    anomaly = only(proposal, "foreign_qr")
    assert anomaly.photos == ("poster",)
    assert proposal.unsorted == ()


def test_foreign_qr_does_not_start_a_gallery():
    proposal = propose(stream({"key": "tee", "foreign_qr": True}, "p1"), known_codes=KNOWN)
    assert proposal.galleries == []
    assert proposal.unsorted == ("tee", "p1")
    assert kinds(proposal) == ["before_first_card", "foreign_qr"]


# --- time gaps ---------------------------------------------------------------------------------


def test_time_gap_in_a_gallery_is_reported_and_the_photos_stay():
    shots = stream(("c1", "AAAA"), "p1", "p2") + stream("p3", "p4", start=30)
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1", "p2", "p3", "p4"), "6A")]
    anomaly = only(proposal, "time_gap")
    assert anomaly.photos == ("p3", "p4")
    assert anomaly.code == "AAAA"
    assert "28 min" in anomaly.detail
    assert "10 min" in anomaly.detail


def test_two_gaps_in_one_gallery_give_two_anomalies():
    shots = stream(("c1", "AAAA"), "p1") + stream("p2", start=20) + stream("p3", "p4", start=40)
    proposal = propose(shots, known_codes=KNOWN)
    assert [(a.kind, a.photos) for a in proposal.anomalies] == [
        ("time_gap", ("p2",)),
        ("time_gap", ("p3", "p4")),
    ]


def test_time_gap_between_card_and_first_photo_is_reported():
    shots = stream(("c1", "AAAA")) + stream("p1", "p2", start=15)
    proposal = propose(shots, known_codes=KNOWN)
    assert only(proposal, "time_gap").photos == ("p1", "p2")


def test_gap_equal_to_the_limit_is_not_reported_and_the_limit_is_a_parameter():
    shots = stream(("c1", "AAAA"), "p1") + stream("p2", start=11)
    assert propose(shots, known_codes=KNOWN).anomalies == []
    tight = propose(shots, known_codes=KNOWN, gap=timedelta(minutes=5))
    assert only(tight, "time_gap").photos == ("p2",)


def test_time_gap_between_galleries_is_not_reported():
    shots = stream(("c1", "AAAA"), "p1") + stream(("c2", "BBBB"), "p2", start=60)
    assert propose(shots, known_codes=KNOWN).anomalies == []


# --- group photos ------------------------------------------------------------------------------


def test_group_photos_are_in_no_gallery_and_not_unsorted():
    shots = stream({"key": "class", "is_group": True}, ("c1", "AAAA"), "p1")
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1",), "6A")]
    assert proposal.unsorted == ()
    assert proposal.anomalies == []


def test_group_photo_does_not_break_a_run():
    shots = stream(
        ("c1", "AAAA"),
        {"key": "class", "is_group": True},
        ("c1b", "AAAA"),
        "p1",
        {"key": "class2", "is_group": True},
        "p2",
    )
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1", "c1b"), ("p1", "p2"), "6A")]
    assert kinds(proposal) == ["card_read_twice"]


def test_group_photo_with_a_card_in_it_is_not_a_card():
    shots = stream(("c1", "AAAA"), "p1", {"key": "class", "is_group": True, "card_code": "BBBB"})
    shots += stream("p2", start=3)
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1", "p2"), "6A")]


# --- shooting order and capture times ----------------------------------------------------------


def test_shooting_order_sorts_by_capture_time_then_file_order():
    shots = [
        Shot("late", T0 + timedelta(minutes=5), order=0),
        Shot("tie-b", T0, order=2),
        Shot("tie-a", T0, order=1),
    ]
    assert [s.key for s in shooting_order(shots)] == ["tie-a", "tie-b", "late"]


def test_photos_are_sorted_by_capture_time_before_sorting():
    # Two cameras merged: file order is not shooting order.
    shots = [
        Shot("p1", T0 + timedelta(minutes=1), order=0),
        Shot("c1", T0, order=5, card_code="AAAA"),
        Shot("p2", T0 + timedelta(minutes=2), order=3),
    ]
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1", "p2"), "")]


def test_album_with_a_missing_capture_time_is_ordered_by_file_order_and_reported():
    shots = [
        Shot("c1", T0 + timedelta(minutes=9), order=0, card_code="AAAA"),
        Shot("p1", None, order=1),
        Shot("p2", T0, order=2),
    ]
    assert [s.key for s in shooting_order(shots)] == ["c1", "p1", "p2"]
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1", "p2"), "")]
    anomaly = only(proposal, "no_capture_time")
    assert anomaly.photos == ("p1",)
    assert "1 photo of 3" in anomaly.detail


def test_untimed_group_photo_goes_last_and_does_not_force_file_order():
    shots = [
        Shot("class", None, order=0, is_group=True),
        Shot("p1", T0 + timedelta(minutes=1), order=1),
        Shot("c1", T0, order=2, card_code="AAAA"),
    ]
    assert [s.key for s in shooting_order(shots)] == ["c1", "p1", "class"]
    proposal = propose(shots, known_codes=KNOWN)
    assert proposal.galleries == [ProposedGallery("AAAA", ("c1",), ("p1",), "")]
    assert proposal.anomalies == []


def test_missing_time_in_one_album_leaves_the_other_album_in_time_order():
    shots = [
        Shot("a-p", None, order=0, album="6A"),
        Shot("b-p", T0 + timedelta(minutes=1), order=1, album="6B"),
        Shot("b-c", T0, order=2, album="6B", card_code="AAAA"),
    ]
    assert [s.key for s in shooting_order(shots)] == ["a-p", "b-c", "b-p"]


def test_time_gap_ignores_photos_without_time_in_a_file_ordered_album():
    shots = [
        Shot("c1", T0, order=0, card_code="AAAA"),
        Shot("p1", None, order=1),
        Shot("p2", T0 + timedelta(minutes=30), order=2),
    ]
    proposal = propose(shots, known_codes=KNOWN)
    assert only(proposal, "time_gap").photos == ("p2",)


# --- ordering of anomalies, input checks -------------------------------------------------------


def test_anomalies_come_sorted_by_their_first_photo():
    shots = stream(
        "p0",
        ("c1", "AAAA"),
        {"key": "poster", "foreign_qr": True},
        ("cx", "ZZZZ"),
        "x1",
        ("c1b", "AAAA"),
        "p9",
    )
    proposal = propose(shots, known_codes=KNOWN)
    assert [(a.kind, a.photos[0]) for a in proposal.anomalies] == [
        ("before_first_card", "p0"),
        ("foreign_qr", "poster"),
        ("unknown_card", "cx"),
        ("card_in_two_places", "c1b"),
    ]
    assert all(a.kind in KINDS for a in proposal.anomalies)


def test_empty_input_gives_an_empty_proposal():
    proposal = propose([], known_codes=KNOWN)
    assert (proposal.galleries, proposal.anomalies, proposal.unsorted) == ([], [], ())


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        propose(stream("p1") + stream("p1", start=1), known_codes=KNOWN)


def test_mixing_aware_and_naive_times_in_an_album_is_refused():
    shots = [Shot("a", T0, order=0), Shot("b", T0.replace(tzinfo=UTC), order=1)]
    with pytest.raises(ValueError, match="timezone"):
        propose(shots, known_codes=KNOWN)


def test_anomaly_and_gallery_are_frozen():
    anomaly = Anomaly("foreign_qr", ("p1",), "x")
    with pytest.raises(AttributeError):
        anomaly.kind = "time_gap"  # type: ignore[misc]


# --- the invariants ----------------------------------------------------------------------------

ALBUMS = ["6A", "6B", "CM2"]
POOL = ["AAAA", "BBBB", "CCCC", "DDDD", "VOID", "OTHR"]  # the last two are unknown


@st.composite
def shoots(draw):
    n = draw(st.integers(min_value=0, max_value=40))
    may_miss_times = draw(st.booleans())
    orders = draw(st.permutations(range(n)))
    shots = []
    for i in range(n):
        is_card = draw(st.integers(0, 3)) == 0
        minute = draw(st.integers(0, 240))
        missing = may_miss_times and draw(st.integers(0, 9)) == 0
        shots.append(
            Shot(
                key=f"s{i}",
                taken_at=None if missing else T0 + timedelta(minutes=minute),
                order=orders[i],
                card_code=draw(st.sampled_from(POOL)) if is_card else None,
                foreign_qr=draw(st.integers(0, 9)) == 0,
                is_group=draw(st.integers(0, 11)) == 0,
                album=draw(st.sampled_from(ALBUMS)),
            )
        )
    return shots


def covered(proposal):
    return {key for a in proposal.anomalies for key in a.photos}


@settings(max_examples=200, deadline=None)
@given(shoots(), st.randoms(use_true_random=False))
def test_sorting_invariants(shots, rnd):
    known = set(POOL[:4])
    proposal = propose(shots, known_codes=known)
    ordered = shooting_order(shots)
    position = {s.key: i for i, s in enumerate(ordered)}
    by_key = {s.key: s for s in shots}

    # Every ordinary photo exactly once across galleries and unsorted; nothing else there.
    placed = [k for g in proposal.galleries for k in g.photos] + list(proposal.unsorted)
    ordinary = [s.key for s in shots if s.card_code is None and not s.is_group]
    assert sorted(placed) == sorted(ordinary)

    # Galleries (and unsorted) in shooting order; galleries non-empty, one per code, known codes.
    for g in proposal.galleries:
        assert g.photos
        assert [position[k] for k in g.photos] == sorted(position[k] for k in g.photos)
        assert g.code in known
        assert all(by_key[k].album == g.album for k in g.photos + g.card_keys)
        assert all(by_key[k].card_code == g.code for k in g.card_keys)
    unsorted_positions = [position[k] for k in proposal.unsorted]
    assert unsorted_positions == sorted(unsorted_positions)
    codes = [g.code for g in proposal.galleries]
    assert len(codes) == len(set(codes))

    # Every card photo opened exactly one gallery or is in an anomaly.
    anomalous = covered(proposal)
    card_keys = [k for g in proposal.galleries for k in g.card_keys]
    assert len(card_keys) == len(set(card_keys))
    for s in shots:
        if s.card_code is not None and not s.is_group:
            assert s.key in card_keys or s.key in anomalous

    # Unsorted photos are always explained; group photos are nowhere.
    assert set(proposal.unsorted) <= anomalous
    groups = {s.key for s in shots if s.is_group}
    assert not groups & (set(placed) | set(card_keys) | anomalous)

    # Safety: the last card before a gallery photo (in its album) is that gallery's card.
    for g in proposal.galleries:
        for k in g.photos:
            before = [
                s
                for s in ordered[: position[k]]
                if s.album == g.album and s.card_code is not None and not s.is_group
            ]
            assert before and before[-1].card_code == g.code
            assert before[-1].key == g.card_keys[-1]

    # Anomalies: valid kinds, non-empty, sorted by their first photo.
    assert all(a.kind in KINDS and a.photos for a in proposal.anomalies)
    firsts = [position[a.photos[0]] for a in proposal.anomalies]
    assert firsts == sorted(firsts)

    # Deterministic, and independent of the order the shots are given in.
    assert propose(shots, known_codes=known) == proposal
    shuffled = list(shots)
    rnd.shuffle(shuffled)
    assert propose(shuffled, known_codes=known) == proposal


def test_invariants_hold_on_a_realistic_day():
    pauses = [12, 40, 7, 55, 30, 9, 21, 48, 15, 33]  # seconds between a pupil's photos
    shots, t, order = [], T0, 0
    for album, codes in [("6A", ["AAAA", "BBBB"]), ("6B", ["CCCC", "DDDD"])]:
        for n, code in enumerate(codes):
            shots.append(Shot(f"{code}-card", t, order, card_code=code, album=album))
            for i in range(2 + n * 3):
                t += timedelta(seconds=pauses[(order + i) % len(pauses)])
                order += 1
                shots.append(Shot(f"{code}-{i}", t, order, album=album))
            t += timedelta(minutes=1)
            order += 1
    proposal = propose(shots, known_codes=KNOWN)
    assert [g.code for g in proposal.galleries] == ["AAAA", "BBBB", "CCCC", "DDDD"]
    assert all(k.startswith(g.code + "-") for g in proposal.galleries for k in g.photos)
    assert proposal.anomalies == [] and proposal.unsorted == ()
