"""The possessive digit-chain patterns find exactly the chains the plain greedy ones find.

`_CHAIN` and `_CHAIN_ASCII` use possessive quantifiers so that the many failed attempts at the
lookalike letters of prose (o, l, I) give up at once. That is only equivalent because separators,
digits and lookalikes are disjoint classes (so each step of a chain can match in one way only);
this checks the disjointness over all of Unicode, then compares the possessive patterns with the
plain greedy ones and the whole phone scan with one built on the plain patterns, on hostile text
(lookalikes, fullwidth and other scripts' digits, separators, long runs, the 200-candidate cap)
and on seeded random strings built from the characters the patterns care about.
"""

from __future__ import annotations

import random
import re
import sys

import pytest

from mailwarden import phones

PLAIN_CHAIN = re.compile(rf"[\d{phones._HOMO_CLASS}](?:[{phones._SEP_CLASS}]{{0,3}}[\d{phones._HOMO_CLASS}]){{5,}}")
PLAIN_CHAIN_ASCII = re.compile(rf"{phones._D_ASCII}(?:{phones._SEP_ASCII}{{0,3}}{phones._D_ASCII}){{5,}}")

HOSTILE = [
    "call +1 (808) 555-0100 now", "l-8OO-555-O1OO", "lllll-808-555-0100", "I | 808 555 0100 |", "to 5 people",
    "ol 808 555 0100 lo", "O\u0406 ٣٣٣ ８０８ ５５５ ０１００", "o 1 l 2 o 3 l 4 o 5 l 6", "||||||| 8", "oooo    ooooo",
    "1" * 400, "1 " * 400, "1    2    3    4    5    6", "1   2   3   4   5   6", ("l" * 7 + " ") * 300 + "call 808 555 0100",
    ("llllll " * 250) + "call 808-555-0100", "808 555 0100 x " * 205, "oooooo 808 555 0100 " * 120,
    "+(+1 808 555 0100", "(808)\u00a0555\u20130100", "l" * 5000 + "5" + "o" * 5000, ("I.l.o.O.|." * 50) + "8",
    "tel 8085550100; " * 60 + "|l|l|l " * 210 + "tel 808 555 0199", "Please follow the link to look at your bill.",
    "1.-.2.-.3.-.4.-.5.-.6", "1 \u200b 2 3 4 5 6 7 8 9 0", "１ ２ ３ ４ ５ ６ ７ ８",
]
PIECES = ["8", "0", "1", "5", "9", "O", "o", "l", "I", "|", "\u041e", "\u0456", "٣", "８", " ", "  ", "   ", "    ",
          "-", ".", "(", ")", "+", "\u00a0", "/", "_", "a", "x", "#", "$", "\n", "\t", "*", "'", "\u200b",
          "808 555 0100", "lllllll", "oooooo ", "call "]


def random_texts(n: int, seed: int, max_len: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, max_len))) for _ in range(n)]


def plain_phones(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[phones.PhoneHit, ...]:
    with monkeypatch.context() as mp:
        mp.setattr(phones, "_CHAIN", PLAIN_CHAIN)
        mp.setattr(phones, "_CHAIN_ASCII", PLAIN_CHAIN_ASCII)
        return phones._find_phone_numbers.__wrapped__(text, "US")


def chains(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def test_separators_digits_and_lookalikes_are_disjoint() -> None:
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    seps = set(re.findall(f"[{phones._SEP_CLASS}]", everything))
    digits_and_lookalikes = set(re.findall(rf"[\d{phones._HOMO_CLASS}]", everything))
    assert seps and digits_and_lookalikes and not seps & digits_and_lookalikes
    ascii_seps = set(re.findall(phones._SEP_ASCII, everything))
    ascii_digits = set(re.findall(phones._D_ASCII, everything))
    assert ascii_seps and ascii_digits and not ascii_seps & ascii_digits


@pytest.mark.parametrize("text", HOSTILE)
def test_possessive_chains_match_the_plain_ones_on_hostile_text(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert chains(phones._CHAIN, text) == chains(PLAIN_CHAIN, text)
    if text.isascii():
        assert chains(phones._CHAIN_ASCII, text) == chains(PLAIN_CHAIN_ASCII, text)
    assert phones._find_phone_numbers.__wrapped__(text, "US") == plain_phones(text, monkeypatch)


def test_possessive_chains_match_the_plain_ones_on_random_text() -> None:
    for text in random_texts(20_000, seed=21, max_len=30):
        assert chains(phones._CHAIN, text) == chains(PLAIN_CHAIN, text), repr(text)
        ascii_text = text.encode("ascii", "replace").decode().replace("?", "8")
        assert chains(phones._CHAIN_ASCII, ascii_text) == chains(PLAIN_CHAIN_ASCII, ascii_text), repr(ascii_text)


def test_the_cap_and_the_whole_scan_match_the_plain_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(22)
    blocks = ["808 555 0100 ", "| | | | | | ", "llllll ", "ooo-ooo ", "5 5 5 5 5 5 ", "x ", "call 808 555 01O0 "]
    texts = ["".join(rnd.choice(blocks) for _ in range(rnd.randint(150, 450))) for _ in range(40)]
    for text in texts + random_texts(2_000, seed=23, max_len=60):
        assert phones._find_phone_numbers.__wrapped__(text, "US") == plain_phones(text, monkeypatch), repr(text)
