"""Scans run on a one-symbol-per-class copy of the text find the spans the plain patterns find.

Two searches (leet runs in `mailwarden.lures.normalize`, digit chains in `mailwarden.phones`) translate
ASCII text so each character class the pattern cares about becomes one letter, then search a pattern
that starts with a literal. These tests compare them with the plain class-led patterns on hostile
and on seeded random strings, over every byte value.
"""

from __future__ import annotations

import random

from mailwarden import lures, phones


def _plain_unleet(b: bytes) -> bytes:
    return lures._LEET_RE.sub(lambda m: m.group(0).translate(lures._LEET), b)


def _random_bytes(seed: int, n: int, pieces: list[bytes]) -> list[bytes]:
    rnd = random.Random(seed)
    return [b"".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 24))) for _ in range(n)]


LEET_PIECES = [bytes([b]) for b in range(256)] + [b"a", b"z", b"0", b"3", b"4", b"5", b"@", b"$", b"acc", b"unt",
                                                   b" ", b"00", b"@@", b"x"] * 8


def test_unleet_is_the_plain_substitution() -> None:
    cases = [b"", b"acc0unt", b"p@ssw0rd", b"a0", b"0a", b"a00a", b"a0 a", b"$a$", b"a$$$b", b"x4y5z", b"A0a",
             b"a0A", b"user@host.com", b"a1b", b"a\xe90b", b"aa00aa00aa"]
    for b in cases + _random_bytes(5, 20_000, LEET_PIECES):
        assert lures._unleet(b) == _plain_unleet(b), b


CHAIN_PIECES = [chr(c) for c in range(128)] + ["8", "0", "1", "o", "O", "l", "I", "|", " ", "  ", "   ", "    ", "-",
                                               ".", "(", ")", "808 555 0100", "lllllll", "oooooo ", "call "] * 6


def _chains_on_classes(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in phones._CHAIN_CLASSES.finditer(text.encode("ascii").translate(phones._ASCII_CLASSES))]


def test_chains_on_the_class_copy_are_the_plain_chains() -> None:
    rnd = random.Random(9)
    texts = ["".join(rnd.choice(CHAIN_PIECES) for _ in range(rnd.randint(0, 40))) for _ in range(20_000)]
    texts += ["l-8OO-555-O1OO", "I | 808 555 0100 |", "1" * 400, "1    2    3    4    5    6", "o 1 l 2 o 3 l 4 o 5 l 6"]
    for text in texts:
        assert _chains_on_classes(text) == [m.span() for m in phones._CHAIN_ASCII.finditer(text)], repr(text)


def test_class_table_agrees_with_the_classes() -> None:
    import re

    for code in range(256):
        symbol = chr(phones._ASCII_CLASSES[code])
        c = chr(code)
        expected = ("d" if re.fullmatch(phones._D_ASCII, c) else "s" if re.fullmatch(phones._SEP_ASCII, c) else "x")
        assert symbol == (expected if code < 128 else "x"), hex(code)
