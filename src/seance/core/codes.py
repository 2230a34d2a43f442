"""Codes people read and type: access codes, order codes. No Django here.

One alphabet without look-alikes (no 0/O, 1/I/L, and no U, which keeps accidental words out):
30 letters, so each character carries log2(30) ≈ 4.9 bits of randomness.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int, randbelow=secrets.randbelow) -> str:
    """``length`` characters drawn from :data:`ALPHABET` by the system's secure generator."""
    return "".join(ALPHABET[randbelow(len(ALPHABET))] for _ in range(length))
