"""The shortcuts in the lure, money and phone scans return exactly what the plain scans return.

Each shortcut (phone candidates searched only inside digit chains, money searched on lower-cased
text behind a precondition, normalisation through bytes) is checked against the straightforward
version it replaces, on hand-picked edge cases and on seeded random strings built from the
characters the patterns care about.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from mailwarden import lures, phones, platform_fields
from mailwarden.textcase import lowered

# -- the plain versions ----------------------------------------------------------------------------


def plain_candidates(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in phones._CANDIDATE.finditer(text)]


def plain_money(text: str) -> list[str]:
    if not text:
        return []
    text = text[:lures.MAX_CHARS]
    out: list[str] = []
    last = -1
    for cur in lures._CURRENCY.finditer(text):
        lo = max(last, cur.start() - 30, 0)
        for m in lures._MONEY.finditer(text, lo, min(len(text), cur.end() + 30)):
            if m.start() >= last and m.start() <= cur.start() <= m.end():
                out.append(m.group(0).strip())
                last = m.end()
        if len(out) >= 50:
            break
    return out


_LEET_PLAIN = re.compile(r"(?<=[a-z])[0345@$]+(?=[a-z])")
_LEET_MAP = str.maketrans({"0": "o", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s"})


def plain_normalize(text: str) -> str:
    s = text[:lures.MAX_CHARS]
    if not s.isascii():
        s = lures._FOLD_RE.sub(lambda m: lures._FOLD[m.group(0)], s).lower()
        s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    else:
        s = s.lower()
    s = _LEET_PLAIN.sub(lambda m: m.group(0).translate(_LEET_MAP), s)
    return " " + re.sub(r"[^a-z0-9]+", " ", s).strip() + " "


def plain_fold(text: str) -> tuple[str, bool]:
    out, tricky = [], False
    for ch in text:
        if "0" <= ch <= "9":
            out.append(ch)
        elif ch in phones._HOMOGLYPHS:
            out.append(phones._HOMOGLYPHS[ch])
            tricky = True
        elif ch.isdigit() and unicodedata.digit(ch, None) is not None:
            out.append(str(unicodedata.digit(ch)))
            tricky = True
        else:
            out.append(ch)
    return "".join(out), tricky


def random_texts(pieces: list[str], n: int, seed: int, max_len: int = 14) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, max_len))) for _ in range(n)]


# -- phones ----------------------------------------------------------------------------------------

PHONE_CASES = [
    "call +1 (808) 555-0100 now", "Tel | 808 555 0100 |", "l-8OO-555-O1OO", "x8085550100", "8085550100x",
    "+(+1 808 555 0100", "order 12345678901234567890123456789 ok", "１-８０８-５５５-０１００", "(808)\u00a0555\u20130100",
    "1 . 8 0 0 . 5 5 5 . 0 1 0 0", "$8085550100", "#8085550100", "a_808 555 0100", "ol 808 555 0100 lo",
    "808 555 0100 or 808 555 0199", "| | | | | | |", "0 0 0 0 0 0", "+  808555", "ab+808 555 0100",
]
PHONE_PIECES = ["8", "0", "1", "5", "O", "o", "l", "I", "|", "\u041e", "٣", "８", " ", "  ", "-", ".", "(", ")", "+",
                "\u00a0", "/", "_", "a", "x", "#", "$", "\n", "\t", "*", "'"]


@pytest.mark.parametrize("text", PHONE_CASES)
def test_phone_candidates_match_the_plain_scan_on_edge_cases(text: str) -> None:
    assert [m.span() for m in phones._candidates(text)] == plain_candidates(text)


def test_phone_candidates_match_the_plain_scan_on_random_text() -> None:
    for text in random_texts(PHONE_PIECES, 20_000, seed=11, max_len=30):
        assert [m.span() for m in phones._candidates(text)] == plain_candidates(text), repr(text)


def test_digit_folding_matches_the_character_loop() -> None:
    for text in PHONE_CASES + random_texts(PHONE_PIECES, 5_000, seed=12):
        assert phones.fold_digits(text) == plain_fold(text), repr(text)


# -- money -----------------------------------------------------------------------------------------

MONEY_CASES = [
    "Unusual charge of $499.99 today", "R$ 1.234,56", "49,90 €", "300 USD", "300usd", "usd300", "US$ 20",
    "EUR 5", "5 Euros", "5 dollars and 6 DOLLARS", "10 reais", "a real 5", "xusd 5", "5 usdx", "¥ 100",
    "İ 5 usd", "5 uſd", "ıs 5 eur", "\u212a 5 cad", "CAD\u00a05", "5\u00a0€", "price: 1,000,000.00 GBP",
]
MONEY_PIECES = ["1", "23", "4.5", "6,78", "999", " ", "\t", "\n", "\u00a0", "$", "€", "£", "¥", "US", "usd", "UsD",
                "EUR", "euro", "Euros", "gbp", "BRL", "chf", "CAD", "aud", "MXN", "dollar", "DOLLARS", "reais",
                "Real", "R", "C", "A", "AU", "ca", "x", "é", "İ", "ı", "ſ", "\u212a", ".", ",", "-"]


@pytest.mark.parametrize("text", MONEY_CASES)
def test_money_matches_the_plain_scan_on_edge_cases(text: str) -> None:
    assert lures.find_money(text) == plain_money(text)


def test_money_matches_the_plain_scan_on_random_text() -> None:
    for text in random_texts(MONEY_PIECES, 30_000, seed=21, max_len=9):
        assert lures.find_money(text) == plain_money(text), repr(text)


def test_money_is_found_with_the_shortcut_and_without() -> None:
    assert lures.find_money("a charge of $499.99, call") == ["$499.99"]
    assert lures.find_money("İ: a charge of $499.99") == ["$499.99"]  # the case-insensitive path


# -- normalisation ---------------------------------------------------------------------------------

NORM_PIECES = ["a", "A", "z", "Z", "0", "3", "4", "5", "@", "$", " ", "\t", "\n", ".", "-", "_", "é", "É", "ß",
               "\u210c", "\u200b", "а", "Ρ", "1", "x", "9", "ﬁ", "²"]


def test_normalize_matches_the_plain_version() -> None:
    cases = ["Verify your acc0unt", "p@ssw0rd", "ΡAYMENT   due!!", "", "   ", "v3r1fy", "\u210cELLO", "a0b0c"]
    for text in cases + random_texts(NORM_PIECES, 30_000, seed=31):
        assert lures.normalize(text) == plain_normalize(text), repr(text)


# -- platform fields -------------------------------------------------------------------------------

FIELD_PIECES = ["free spins", "FREE SPINS", "Casino", "you've won", "100% bonus", "call ", "CALL", "+1", "8", " ",
                "İ", "ı", "ſ", "\u212a", "Glückwunsch", "GLÜCKWUNSCH", "x", "-", "paypal", "PayPal", "AT&T", "ups",
                "booking.com", ".", "@", "bonus", "Bonus", "urgent", "kg in 3 Wochen", "OTP", "ẞ", "schließt"]


def plain_field_matches(text: str) -> list[tuple[str | None, str]]:
    return [(m.lastgroup, m.group(0).lower()) for m in platform_fields._combined_rx().caseless.finditer(text)]


def shortcut_field_matches(text: str) -> list[tuple[str | None, str]]:
    low = lowered(text)
    if low is None:
        return plain_field_matches(text)
    return [(m.lastgroup, m.group(0)) for m in platform_fields._combined_rx().lower.finditer(low)]


def test_platform_field_patterns_on_lower_cased_text_match_the_case_insensitive_scan() -> None:
    for text in random_texts(FIELD_PIECES, 10_000, seed=41, max_len=10):
        assert shortcut_field_matches(text) == plain_field_matches(text), repr(text)
        low = lowered(text)
        if low is not None:
            plain = [m.group(0).lower() for m in platform_fields._brand_rx().caseless.finditer(text)]
            assert [m.group(0) for m in platform_fields._brand_rx().lower.finditer(low)] == plain, repr(text)


def test_platform_field_patterns_are_bundled_data() -> None:
    patterns = platform_fields.field_patterns()
    assert set(patterns) <= set(lures.CATEGORIES) and "prize" in patterns
    assert "prize" in platform_fields.find_lures("Claim your 200 FREE SPINS at the Casino")
    assert "callback" in platform_fields.find_lures("Questions? Please CALL US now")


def test_latin_letter_class_is_what_lower_casing_says() -> None:
    from mailwarden.analyzers.lures import _LATIN_LETTER

    for code in range(0x20000):
        c = chr(code)
        assert bool(_LATIN_LETTER.fullmatch(c)) == ("a" <= c.lower() <= "z"), hex(code)


def test_cached_results_are_fresh_lists() -> None:
    text = "Call us at +1 808 555 0100 about the $499.99 refund"
    for scan in (lures.match_lures, lures.find_money, phones.find_phone_numbers):
        first = scan(text)
        assert first
        first.clear()  # a caller changing its list must not change the next caller's answer
        assert scan(text)


# -- brand names -----------------------------------------------------------------------------------

BRAND_PIECES = ["PayPal", "paypal", "PAYPAL", "Itaú", "ITAÚ", "itau", "Aldi Süd", "ALDI SÜD", "Apple ID", "apple id",
                "Amazon Web Services", "amazon", "Microsoft", "MİCROSOFT", "mıcrosoft", "ſtripe", "Stripe", "\u212araken",
                "Kraken", " ", "-", "_", "x", "é", "1", ".", "\n", "Orange", "ORANGE", "İ", "ı", "ſ"]


def plain_brand_mentions(text: str) -> list[str]:
    """BrandIndex._match_brand as it was: the case-insensitive names on the original text."""
    from mailwarden.brands import default_index

    idx = default_index()
    text = unicodedata.normalize("NFKC", text)
    found: list[str] = []
    for rx in (idx._name_re_ci.caseless, idx._name_re_cs):
        for m in rx.finditer(text[:20000]):
            key = idx._name_owner.get(m.group(1).lower())
            if key and key not in found:
                found.append(key)
    if not text.isascii():
        from mailwarden.brands import _MENTION_WORD, _NON_WORD, skeleton

        for word in _MENTION_WORD.findall(text[:2000]):
            hit = idx._tokens.get(skeleton(_NON_WORD.sub("", word)))
            if hit and hit[0] != "own" and hit[0] not in found:
                found.append(hit[0])
    return found


def test_brand_names_on_lower_cased_text_match_the_case_insensitive_scan() -> None:
    from mailwarden.brands import default_index

    idx = default_index()
    assert idx._name_re_ci.lower is not None
    for text in random_texts(BRAND_PIECES, 8000, seed=53, max_len=8):
        assert idx._match_brand(text) == plain_brand_mentions(text), repr(text)
