"""The fast plain-text URL scanner matches exactly what the straightforward pattern matches.

`mailwarden.urls._TEXT_URL` is written so the regex engine can skip to candidate letters; these
tests hold it to the readable IGNORECASE pattern it replaces, on chosen cases and on random text
built from the characters that matter (scheme letters in both cases, the long s that IGNORECASE
equates with "s", word characters before a scheme, defanging brackets).
"""

from __future__ import annotations

import random
import re

import pytest

from mailwarden.urls import _TEXT_URL, extract_urls_from_text

REFERENCE = re.compile(
    r"""(?:\b(?:h(?:tt|xx|XX|\*\*)ps?|ftp|fxp)(?:\[:\]|:)//|\bwww\d{0,3}(?:\.|\[\.\]|\(\.\)))"""
    r"""[^\s<>"'`{}|^\u00a0\u2000-\u200f\u2028-\u202f\u3000]+""",
    re.IGNORECASE,
)


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@pytest.mark.parametrize("text", [
    "see http://a.example/x and HTTPS://B.example", "xhttp://glued.example", "hxxps[:]//evil[.]example/p",
    "FXP://files.example", "ftp://f.example", "h**p://masked.example", "httpſ://longs.example",
    "www.example.org", "WwW3.example.org", "awww.example.org", "_www.example.org", "éwww.example.org",
    "3www.example.org", "www[.]example[.]org", "www(.)example(.)org", "(http://paren.example)",
    "http:/one-slash.example", "\nhttp://start-of-line.example", "http://", "www.", "",
    "x.http://after-dot.example", "ħttp://not-h.example", "wwww.example.org",
])
def test_chosen_cases_match_the_reference(text: str) -> None:
    assert _spans(_TEXT_URL, text) == _spans(REFERENCE, text)


def test_random_text_matches_the_reference() -> None:
    rng = random.Random(20261127)
    alphabet = list("hHtTxXpPsSfFwW\u017f:/[]().*_3 a\u00e9\n") + ["http", "www", "://", "[:]//", "ftp", "hxxp"]
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert _spans(_TEXT_URL, text) == _spans(REFERENCE, text), text


def test_extraction_still_trims_and_deduplicates() -> None:
    text = "Go to https://a.example/x. Or (www.b.example/y), again https://a.example/x!"
    assert extract_urls_from_text(text) == ["https://a.example/x", "www.b.example/y"]


@pytest.mark.parametrize("text", [
    "see http://a.example/x and HTTPS://B.example", "hxxps[:]//evil[.]example/p", "ftp://f.example",
    "FXP[:]//files.example", "WwW3.example.org", "wwwwww.example.org", "\u0130 www.example.org \u212a",
    "caf\u00e9 https://b.example/\u00e9 www.x.example", "http://a.example/http://b.example www.c.example",
    ":// //", "x://y", "https://", "https://a.example///http://b.example", "", "\u00e9" * 5 + "http://e.example",
])
def test_anchored_scan_is_finditer(text: str) -> None:
    from mailwarden.urls import _text_url_matches

    assert [m.span() for m in _text_url_matches(text)] == _spans(_TEXT_URL, text)


def test_anchored_scan_random() -> None:
    from mailwarden.urls import _text_url_matches

    rng = random.Random(4732)
    alphabet = list("hHtTxXpPsSfFwW\u017f\u212a\u0130:/[]().*_3 a\u00e9\u4e2d\n") + [
        "http", "www", "WWW", "://", "[:]//", "ftp", "hxxp", "https://", "www.", "//"]
    for _ in range(6000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert [m.span() for m in _text_url_matches(text)] == _spans(_TEXT_URL, text), text


def test_screen_on_byte_copy_is_the_text_screen() -> None:
    """extract_urls_from_text screens on its ASCII byte copy; the answer is the one the text's own
    screen ("://" or "[:]" in the text, "www" in its lower-cased form) gives."""
    rng = random.Random(648)
    alphabet = list("wW\u0130\u212a\u017f:/[]i. \u00e9\u4e2d") + ["://", "[:]", "ww", "WW", "\u0130w"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        plain = "://" in text or "[:]" in text or "www" in text.lower()
        low = text.encode("ascii", "replace").lower()
        assert (b"://" in low or b"[:]" in low or b"www" in low) == plain, text
