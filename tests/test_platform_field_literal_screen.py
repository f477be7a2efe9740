"""The platform-field lure scan enters its regex only where a literal start is written (LiteralScreen),
and finds exactly what a plain `finditer` over the whole text finds.

Checked on the bundled field patterns (with their one alternative that has no literal start, the
`% bonus` guard), on hand-made patterns that exercise each form the start reader understands, on
patterns it must refuse, and on seeded random texts glued from the patterns' own words.
"""

from __future__ import annotations

import random
import re

import pytest

from mailwarden import platform_fields
from mailwarden.literal_screen import LiteralScreen
from mailwarden.platform_fields import _field_lure_matches


def _spans(matches) -> list[tuple[tuple[int, int], str | None]]:  # noqa: ANN001
    return [(m.span(), m.lastgroup) for m in matches]


def _plain(text: str) -> list[tuple[tuple[int, int], str | None]]:
    return _spans(platform_fields._combined_rx().finditer(text))


def test_bundled_patterns_have_a_screen() -> None:
    screen = platform_fields._combined_screen()
    assert screen is not None
    assert screen.guards == ("% bonus",)  # the one pattern led by digits


@pytest.mark.parametrize("text", [
    "", "call", "Call us now", "call us now to cancel", "recall us now", "xcall us", "call us nowx",
    "Your account is suspended. Verify your account now!", "100% bonus", "get a 250 % bonus", "% bonus",
    "bonus bonus bonus", "İnvoice due: invoice", "INVOICE-INVOICE", "re-call us", "call_us now",
    "toll-free helpline 1-800", "seed phrase and private key", "¡llame ya! appelez-nous",
    "transaction transaction", "auto-renewal auto renew autorenewed",
])
def test_field_lure_matches_equal_plain_scan(text: str) -> None:
    assert _spans(_field_lure_matches(text)) == _plain(text)


def test_random_texts_glued_from_pattern_words() -> None:
    words = sorted({w for pats in platform_fields.field_patterns().values() for p in pats
                    for w in re.split(r"[\\()|?:*+\[\]{}]+| ", p) if w})
    seps = [" ", "", "-", "x", ".", "\n", "é", "5", "% ", "% bonus ", "İ", "_", "  "]
    rng = random.Random(20261127)
    for _ in range(20_000):
        text = "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(1, 8)))
        if rng.random() < 0.3:
            text = text.upper()
        assert _spans(_field_lure_matches(text)) == _plain(text), text


@pytest.mark.parametrize("pattern", [
    r"(?<!\w)(?:abc|abd|xy(?:z|w)|q[rs]t)(?!\w)",  # common prefix factored out, a one-of-letters set
    r"\bfoo\b|(?:bar|baz) qux",
    r"(?P<a>one)|(?P<b>two|three)|\d+ ?% off",  # a guarded alternative
    r"ab(?:\d+|c)",  # an alternative without a literal start, behind the common lead "ab"
    r"(?:a|b)(?:c|d)e",
])
def test_screen_equals_finditer_on_hand_made_patterns(pattern: str) -> None:
    rx = re.compile(pattern)
    screen = LiteralScreen.of(rx)
    assert screen is not None
    rng = random.Random(pattern)
    alphabet = "abcdefoqrstuwxyz %0123456789\n_-"
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        text += rng.choice(["", " one", "foo bar qux", "5 % off", "abc", "ab12", "ade bce"])
        assert _spans(screen.finditer(text)) == _spans(rx.finditer(text)), text


@pytest.mark.parametrize("pattern", [
    r"\d+",  # no literal anywhere
    r"(?i)call",  # case-insensitive: literal starts would miss CALL
    r"(?i:call)|bar",
    r"[a-z]+ing",  # starts anywhere: only a guard ('ing'), no literal start
    r"x*call",  # may start with x or c
])
def test_screen_refused_where_starts_cannot_be_read(pattern: str) -> None:
    assert LiteralScreen.of(re.compile(pattern)) is None
