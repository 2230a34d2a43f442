import math

from hypothesis import given
from hypothesis import strategies as st

from seance.photos import codes


def test_codes_carry_at_least_50_bits_and_no_look_alikes():
    assert codes.LENGTH * math.log2(len(codes.ALPHABET)) >= 50
    for confusable in "0O1IL":
        assert confusable not in codes.ALPHABET
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET)


def test_new_codes_are_drawn_from_the_alphabet_and_differ():
    drawn = {codes.new_code() for _ in range(2000)}
    assert len(drawn) == 2000
    assert all(codes.normalize(c) == c for c in drawn)


@given(st.text(alphabet=codes.ALPHABET, min_size=codes.LENGTH, max_size=codes.LENGTH))
def test_a_code_survives_display_case_and_spacing(code):
    shown = codes.display(code)
    assert shown.count("-") == 2
    assert codes.normalize(shown) == code
    assert codes.normalize(f"  {shown.lower().replace('-', ' ')} ") == code


@given(st.text(max_size=30))
def test_normalize_never_accepts_what_is_not_a_code(text):
    code = codes.normalize(text)
    assert code is None or (len(code) == codes.LENGTH and set(code) <= set(codes.ALPHABET))


def test_card_payload_is_qr_alphanumeric_and_reads_back():
    code = codes.new_code()
    payload = codes.card_payload("https://photos.example.net/", code)
    assert payload == f"HTTPS://PHOTOS.EXAMPLE.NET/G/{code}"
    assert set(payload) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert codes.code_in_link(payload) == code
    assert codes.code_in_link(payload.lower()) == code


def test_qr_codes_that_are_no_card_link_give_no_code():
    # Whether a code is one of the organizer's cards is decided by the import (test_ingest).
    for text in (
        "https://photos.example.net/poster",
        "WIFI:S:school;T:WPA;P:secret;;",
        "https://photos.example.net/G/TOOSHORT",
        f"https://photos.example.net/G/{'0' * codes.LENGTH}",  # not the alphabet
    ):
        assert codes.code_in_link(text) is None


def test_a_site_under_a_path_keeps_the_path_case():
    code = codes.new_code()
    payload = codes.card_payload("https://Studio.example/Photos/", code)
    assert payload == f"HTTPS://STUDIO.EXAMPLE/Photos/G/{code}"
    assert codes.code_in_link(payload) == code
