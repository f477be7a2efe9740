"""The platform-field lure patterns, regrouped by first letter, find exactly what the plain pattern finds.

`platform_fields._dispatch_source()` sorts the ~240 field patterns into one branch per first letter so
the regex engine does not try each of them at every word start. These tests hold it to the plain
`_combined_source()`: same matches, same offsets, same category, on the lower-cased fast path and on
the case-insensitive path, and no character able to enter two branches.
"""

from __future__ import annotations

import random
import re
import string

from mailwarden import platform_fields
from mailwarden.platform_fields import _dispatch_source, _leads


def _words_of_patterns() -> list[str]:
    """Plain words from the bundled patterns (what the random texts are made of, so they match often)."""
    words: set[str] = set()
    for pats in platform_fields.field_patterns().values():
        for p in pats:
            words.update(w for w in re.split(r"[^\w']+", re.sub(r"\\[bdsw]", " ", p)) if w)
    return sorted(words)


PIECES = _words_of_patterns() + [" ", " ", " ", "-", "'", "100", "% ", "$", "İ", "ı", "ſ", "\u212a", "x", "A",
                                 "CALL ", "Verify Your ", "ACCOUNT", "Unread", "\u00e9", "#"]


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) + rng.choice(["", " ", " ", "  ", ".", "\n"]) for _ in range(rng.randint(1, 14)))
            for _ in range(n)]


def _found(rx: re.Pattern[str], text: str, categories: dict[str, str] | None = None) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), (categories or {}).get(m.lastgroup or "", m.lastgroup or "")) for m in rx.finditer(text)]


def test_bundled_patterns_take_the_regrouped_form() -> None:
    source, categories = _dispatch_source()
    assert source != platform_fields._combined_source()
    assert set(categories.values()) == set(platform_fields.field_patterns())


def test_regrouped_pattern_finds_what_the_plain_pattern_finds() -> None:
    source, categories = _dispatch_source()
    for flags in (0, re.IGNORECASE):
        plain = re.compile(platform_fields._combined_source(), flags)
        fast = re.compile(source, flags)
        hits = 0
        for text in _texts(seed=7 + flags, n=6000):
            text = text if flags else text.lower()
            expected = _found(plain, text)
            assert _found(fast, text, categories) == expected, repr(text)
            hits += len(expected)
        assert hits > 5000  # the texts do exercise the patterns


def test_find_lures_reports_categories_through_the_group_names() -> None:
    found = platform_fields.find_lures("URGENT: your account has been suspended, call us now, 100% bonus")
    assert {"urgency", "account_anomaly", "callback", "prize"} <= set(found)


def test_no_character_enters_two_branches() -> None:
    # the field patterns' keys and the brand words' first letters are lower-case ASCII letters and `\d`
    keys = {k for pats in platform_fields.field_patterns().values() for p in pats for k in _leads(p) or ()}
    keys |= {w[0] for w in platform_fields._FALLBACK_BRANDS}
    assert keys <= set(string.ascii_lowercase) | {"\\d"}
    keys = set(string.ascii_lowercase) | {"\\d"}  # all of them, then
    any_key = re.compile(r"[a-z\d]", re.IGNORECASE)
    one = {k: re.compile(k, re.IGNORECASE) for k in keys}
    for code in range(0x110000):
        c = chr(code)
        if any_key.fullmatch(c):
            assert sum(bool(rx.fullmatch(c)) for rx in one.values()) == 1, hex(code)


def test_leads_refuses_forms_it_cannot_split() -> None:
    assert _leads("a|b") is None  # a top-level bar: the first letter leads only one alternative
    assert _leads("(?:ab|cd)?e") is None  # a quantified group may be skipped
    assert _leads("[ab]c") is None
    assert _leads("a?b") is None  # a quantified first letter may be skipped
    assert _leads("call (?:us|now)") == {"c": "all (?:us|now)"}
    assert _leads("\\bbtc\\b") == {"b": "tc\\b"}
    assert _leads("(?:reset|update|rest) x") == {"r": "(?:eset|est) x", "u": "(?:pdate) x"}
    assert _leads("\\d+ bonus") == {"\\d": None}


BRAND_PIECES = sorted(platform_fields._FALLBACK_BRANDS) + [" ", " ", ".", "@", "-", "x", "Amazon", "PAYPAL", "İ", "ı",
                                                           "ſ", "\u212a", ".com", "s", "'s"]


def test_regrouped_brand_pattern_finds_what_the_plain_one_finds() -> None:
    rnd = random.Random(3)
    texts = ["".join(rnd.choice(BRAND_PIECES) + rnd.choice(["", " ", "  "]) for _ in range(rnd.randint(1, 12)))
             for _ in range(6000)]
    for flags in (0, re.IGNORECASE):
        plain = re.compile(platform_fields._brand_source(by_first_letter=False), flags)
        fast = re.compile(platform_fields._brand_source(), flags)
        hits = 0
        for text in texts:
            text = text if flags else text.lower()
            expected = [m.span() for m in plain.finditer(text)]
            assert [m.span() for m in fast.finditer(text)] == expected, repr(text)
            hits += len(expected)
        assert hits > 3000


POSES_PIECES = ["github", "GitHub", "GITHUB", "microsoft", "Microsoft", "apple id", "Apple ID", " ", "  ", "-", "\n",
                "security", "Support", "team", "TEAM", "center", "desk", "billing", "x", "İ", "ı", "ſ", "\u212a", "Ü",
                "staff", "customer", "department", "Security Team"]


def test_poses_as_is_the_case_insensitive_search() -> None:
    rnd = random.Random(11)
    brands_sets = [("github",), ("microsoft", "outlook", "office 365"), ("apple", "apple id"), ("Ünicorp", "github")]
    for own in brands_sets:
        plain_rx = platform_fields._poses_rx(own)[0]
        assert plain_rx.flags & re.IGNORECASE
        for _ in range(4000):
            text = "".join(rnd.choice(POSES_PIECES) for _ in range(rnd.randint(0, 10)))
            m = plain_rx.search(text)
            assert platform_fields._poses_as(text, own) == (m.group(0) if m and text else None), (own, text)


def test_crypto_address_pattern_with_the_look_behind_moved_finds_what_the_plain_one_finds() -> None:
    plain = re.compile(platform_fields._CRYPTO_ADDR_PLAIN)
    rnd = random.Random(17)
    alphabet = string.ascii_letters + string.digits + "/=.-_ @\n"
    good = ["bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
            "0x" + "ab12" * 10, "T" + "9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"[:33], "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"]
    for _ in range(20_000):
        text = "".join(rnd.choice(good) if rnd.random() < 0.15 else rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        assert [m.span() for m in platform_fields._CRYPTO_ADDR.finditer(text)] == [
            m.span() for m in plain.finditer(text)], repr(text)


def test_top_level_bar() -> None:
    from mailwarden.platform_fields import _top_level_bar

    assert _top_level_bar("a|b") and _top_level_bar("(?:a)|b") and _top_level_bar("[]|]x|y")
    assert not _top_level_bar("(?:a|b)") and not _top_level_bar("a[|]") and not _top_level_bar("a\\|b")
    assert not _top_level_bar("a[]|]") and not _top_level_bar("a[^]|(]b") and _top_level_bar("a[^](]b|c")
