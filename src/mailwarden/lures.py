"""What a message asks its reader to do: lure vocabulary, matched in one pass.

The vocabulary is data (`data/lures/<lang>.toml`): for each category a list of
phrases, in English, Portuguese, Spanish, German and French. Text and phrases are
normalised the same way before matching:

- zero-width characters dropped; Cyrillic and Greek letters that look Latin mapped
  to Latin (`Ρayment` with a Greek Ρ reads as "payment");
- lower-cased, accents folded (`ação` → `acao`, `ß` → `ss`);
- inside words that mix letters with `0 3 4 5 @ $`, those are read as letters
  (`acc0unt` → `account`, `p@ssword` → `password`);
- every run of non-alphanumerics becomes one space.

A phrase matches on word boundaries; a phrase written with a trailing `*` matches
as a word prefix (`desbloque*`). All phrases of all languages sit in one
Aho-Corasick automaton, so each text costs one pass however large the vocabulary.

Public API (other analyzers use it): `match_lures(text) -> list[LureHit]`,
`find_money(text) -> list[str]`, `normalize(text) -> str`, `CATEGORIES`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain
from operator import itemgetter

import ahocorasick

from mailwarden.textcase import lowered

__all__ = ["CATEGORIES", "CONFUSABLE_LETTERS", "LANGUAGES", "LureHit", "find_money", "match_lures", "normalize", "vocabulary"]

CATEGORIES = ("callback", "credential", "fake_2fa", "message_bait", "account_anomaly", "invoice_payment",
              "crypto", "gift_card", "urgency", "threat", "prize", "delivery", "document_share")
LANGUAGES = ("en", "pt", "es", "de", "fr")
MAX_CHARS = 30_000  # lures sit near the top; matching further only costs time


@dataclass(frozen=True)
class LureHit:
    category: str
    phrase: str
    lang: str


# Latin lookalikes from Cyrillic and Greek (lower- and upper-case), and invisibles.
_CONFUSABLES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ν": "v", "ο": "o", "ρ": "p", "α": "a", "ε": "e", "ι": "i",
    "κ": "k", "τ": "t", "υ": "u", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Α": "A", "Β": "B", "Ε": "E",
    "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y",
    "Χ": "X", "ß": "ss", "ſ": "s", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
}
CONFUSABLE_LETTERS = frozenset(k for k in _CONFUSABLES if len(k) == 1 and k not in "ßſæœøłđ")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f"
_FOLD = dict(_CONFUSABLES, **dict.fromkeys(_INVISIBLE, ""))
# str.translate with a dict is slow on long texts; a regex finds the few characters to fold.
_FOLD_RE = re.compile("[" + "".join(_FOLD) + "]")
# Digit or symbol lookalikes sandwiched between letters: acc0unt, p@ssword, v3rify (`_unleet` finds
# the same spans faster, on a class copy of the text; this is the reference it is tested against). Written as
# `(?<=[a-z])[0345@$]+(?=[a-z])`, but led by the character class so the regex engine jumps from
# one digit or symbol to the next instead of trying the look-behind at every letter: the look-behind
# placed after the first character checks the same letter-before-the-run.
_LEET_RE = re.compile(rb"[0345@$](?<=[a-z][0345@$])[0345@$]*(?=[a-z])")
_LEET = bytes.maketrans(b"0345@$", b"oeasas")
# `_LEET_RE` is searched on a copy of the text in which every letter reads `a`, every one of
# `0345@$` reads `0` and anything else a space: the same spans (each class became one symbol), but
# the pattern now starts with a literal, which the regex engine finds much faster than a class.
_LEET_CLASSES = bytes(97 if 97 <= b <= 122 else 48 if b in b"0345@$" else 32 for b in range(256))
_LEET_CLASSES_RE = re.compile(rb"0(?<=a0)0*(?=a)")
# Every byte but [a-z0-9] becomes a space (the text is lower-case ASCII by then); split() then
# joins runs of spaces: the same as replacing each run of non-alphanumerics with one space.
_NON_ALNUM_TO_SPACE = bytes(b if bytes([b]).isalnum() and not bytes([b]).isupper() else 32 for b in range(256))


def _unleet(b: bytes) -> bytes:
    """`_LEET_RE.sub(lambda m: m.group(0).translate(_LEET), b)`, with the spans found on the class copy."""
    out: list[bytes] = []
    last = 0
    for m in _LEET_CLASSES_RE.finditer(b.translate(_LEET_CLASSES)):
        start, end = m.span()
        out.append(b[last:start])
        out.append(b[start:end].translate(_LEET))
        last = end
    if not out:
        return b
    out.append(b[last:])
    return b"".join(out)


def normalize(text: str) -> str:
    """Lower-case, accent-folded, confusable-folded text with single spaces, padded with spaces."""
    s = text[:MAX_CHARS]
    if not s.isascii():
        s = _FOLD_RE.sub(lambda m: _FOLD[m.group(0)], s).lower()
        b = unicodedata.normalize("NFKD", s).encode("ascii", "ignore")
    else:
        b = s.lower().encode("ascii")
    if b"0" in b or b"3" in b or b"4" in b or b"5" in b or b"@" in b or b"$" in b:
        b = _unleet(b)
    return (b" " + b" ".join(b.translate(_NON_ALNUM_TO_SPACE).split()) + b" ").decode("ascii")


def _phrase_key(phrase: str) -> str:
    prefix = phrase.rstrip().endswith("*")
    key = normalize(phrase.rstrip().rstrip("*"))
    return key.rstrip() if prefix else key


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict[str, list[str]]]:
    """{lang: {category: [phrase, ...]}} as bundled."""
    out: dict[str, dict[str, list[str]]] = {}
    folder = resources.files("mailwarden") / "data" / "lures"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".toml"):
            continue
        lang = item.name[:-5]
        data = tomllib.loads(item.read_text(encoding="utf-8"))
        cats: dict[str, list[str]] = {}
        for cat, entry in data.items():
            if cat not in CATEGORIES:
                raise ValueError(f"lures/{item.name}: unknown category {cat!r}")
            phrases = entry.get("phrases") if isinstance(entry, dict) else None
            if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
                raise ValueError(f"lures/{item.name}: [{cat}] needs phrases = [non-empty strings]")
            cats[cat] = phrases
        out[lang] = cats
    return out


@lru_cache(maxsize=1)
def _automaton() -> tuple[ahocorasick.Automaton, tuple[tuple[LureHit, ...], ...]]:
    table: dict[str, list[LureHit]] = {}
    for lang, cats in vocabulary().items():
        for cat, phrases in cats.items():
            for phrase in phrases:
                key = _phrase_key(phrase)
                if len(key.strip()) < 2:
                    raise ValueError(f"lures/{lang}.toml: phrase {phrase!r} is empty after normalisation")
                hit = LureHit(cat, phrase.rstrip("*").strip(), lang)
                bucket = table.setdefault(key, [])
                if hit not in bucket:
                    bucket.append(hit)
    auto = ahocorasick.Automaton()
    buckets = []
    for key, hits in table.items():
        # The automaton yields the bucket's index: matches are then deduplicated as small ints
        # (a tuple of dataclasses would be hashed field by field in Python for every match).
        auto.add_word(key, len(buckets))
        buckets.append(tuple(hits))
    auto.make_automaton()
    return auto, tuple(buckets)


def match_lures(text: str) -> list[LureHit]:
    """Lure phrases in `text`, each once, in order of first appearance."""
    if not text:
        return []
    return list(_match_lures(text[:MAX_CHARS]))  # normalize() reads no further; bounds the cache too


# Several analyzers scan the same strings (the subject, the visible text, the sender name): the
# result is a pure function of the text, so the last few are kept. A hit compares the strings,
# which for the very same object is an identity check.
@lru_cache(maxsize=64)
def _match_lures(text: str) -> tuple[LureHit, ...]:
    auto, buckets = _automaton()
    # Distinct buckets in order of first match, then their hits deduplicated: the same order as
    # deduplicating every match's hits, since a bucket's repeats only repeat hits already seen.
    first_seen = dict.fromkeys(map(itemgetter(1), auto.iter(normalize(text))))
    if len(first_seen) <= 1:  # most texts: no bucket, or one, whose hits are distinct already
        return buckets[next(iter(first_seen))] if first_seen else ()
    return tuple(dict.fromkeys(chain.from_iterable(buckets[i] for i in first_seen)))


_CUR_PRE = r"(?:US\$|R\$|C\$|A\$|AU\$|CA\$|\$|€|£|¥|USD|EUR|GBP|BRL|CHF|CAD|AUD|MXN)"
_CUR_POST = r"(?:€|\$|USD|EUR|GBP|BRL|CHF|CAD|AUD|MXN|euros?|dollars?|reais|real)"
_AMOUNT = r"\d{1,3}(?:[.,\u00a0 ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_MONEY = re.compile(
    rf"(?<![\w$€£¥])(?:{_CUR_PRE}\s?(?:{_AMOUNT})|(?:{_AMOUNT})\s?{_CUR_POST})(?![\w])",
    re.IGNORECASE,
)


_CURRENCY = re.compile(rf"[$€£¥]|\b(?:{_CUR_POST[3:-1]})\b", re.IGNORECASE)

# The same search on lower-cased text, case-sensitive, which the regex engine runs much faster
# (exact where mailwarden.textcase.lowered() says so; other texts take the case-insensitive path).
assert not re.search(r"\\[A-Z]", _MONEY.pattern), "lower-casing the pattern must not flip an escape"
_MONEY_LOWER = re.compile(_MONEY.pattern.lower())
# `_CURRENCY`, with each alternative led by a literal so the engine can skip to the few characters
# that may start one; `\b` before a code becomes "no word character before its first letter".
_CURRENCY_LOWER = re.compile(
    r"\$|€|£|¥|u(?<!\wu)sd\b|e(?<!\we)ur(?:os?)?\b|g(?<!\wg)bp\b|b(?<!\wb)rl\b|c(?<!\wc)(?:hf|ad)\b"
    r"|a(?<!\wa)ud\b|m(?<!\wm)xn\b|d(?<!\wd)ollars?\b|r(?<!\wr)ea(?:is|l)\b")
# A necessary condition for any amount, on the lower-cased text: every `_MONEY` match holds a digit
# with a currency sign or code right before it ("$4", "usd 4") or right after it ("4 €", "4usd",
# "4 dollar…", "4 euro…", "4 rea…"), at most one whitespace apart. Most mail has no amount and
# ends here.
_CODES = "usd|eur|gbp|brl|chf|cad|aud|mxn"
_MONEY_HINT = re.compile(
    rf"\d(?:\s?(?:[€$]|{_CODES}|dollar|rea)|(?<=[$€£¥]\d)|(?<=[$€£¥]\s\d)|(?<=(?:{_CODES})\d)|(?<=(?:{_CODES})\s\d))")


def find_money(text: str) -> list[str]:
    """Money amounts written with a currency ("$499.99", "R$ 1.234,56", "49,90 €", "300 USD"), in order."""
    if not text:
        return []
    return list(_find_money(text[:MAX_CHARS]))


@lru_cache(maxsize=64)  # pure, and the same subject or sender name is scanned by several analyzers
def _find_money(text: str) -> tuple[str, ...]:
    low = lowered(text)
    if low is not None:
        scan = low
        if not _MONEY_HINT.search(scan):
            return ()
        currency, money = _CURRENCY_LOWER, _MONEY_LOWER
    else:
        scan, currency, money = text, _CURRENCY, _MONEY
    out: list[str] = []
    last = -1
    # Only look around currency markers: digit-heavy text (patches, logs) would otherwise cost
    # a regex attempt at every digit.
    for cur in currency.finditer(scan):
        lo = max(last, cur.start() - 30, 0)
        for m in money.finditer(scan, lo, min(len(scan), cur.end() + 30)):
            if m.start() >= last and m.start() <= cur.start() <= m.end():
                out.append(text[m.start():m.end()].strip())
                last = m.end()
        if len(out) >= 50:
            break
    return tuple(out)
