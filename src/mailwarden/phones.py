"""Phone numbers in text, including the ones written to slip past filters.

Callback scams ("call +1 808 555 0100 to cancel your $499 renewal") need a number
the victim can dial, and their authors know filters look for digits. So they write
`8O8` (letter O), `l-800` (letter l), `1 . 8 0 0 . 5 5 5`, fullwidth `８０８`, or mix
in other scripts' digits. A reader's eye folds all of these back to digits; so do we,
before handing the candidate to `phonenumbers` for validation.

Ham is full of digit runs that are not phone numbers: order and tracking numbers,
dates, prices, IP addresses, version strings, patch hashes, Unix timestamps. The
rules below keep those out:

- a candidate must not touch a letter or digit on either side (so hex hashes and
  identifiers inside words never match), nor follow a currency sign, `#`, `/`, `=`;
- dotted quads (IP addresses) and date-shaped runs are rejected;
- a bare run of digits with no separators and no `+` (e.g. `8085550100`) counts only
  when a phone word (call, tel, phone, ligue, llame, anrufen, appelez…) is close
  before it — order numbers and timestamps look exactly like that;
- the number must be *valid* for its region according to `phonenumbers`.

`find_phone_numbers` returns `PhoneHit`s with the E.164 form, the raw text and its
offsets in the input, and whether folding tricks were needed (`obfuscated`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

__all__ = ["PhoneHit", "find_phone_numbers", "fold_digits"]


@dataclass(frozen=True)
class PhoneHit:
    e164: str
    raw: str
    start: int
    end: int
    obfuscated: bool


# Letters that readers take for digits when they sit among digits. Only the
# lookalikes of 0 and 1 are folded: S→5 or B→8 would turn words into numbers.
_HOMOGLYPHS = {
    "O": "0", "o": "0", "\u041e": "0", "\u043e": "0", "\u039f": "0", "\u03bf": "0", "\u00d8": "0", "\u00f8": "0",
    "l": "1", "I": "1", "|": "1", "\u0406": "1", "\u0456": "1", "\u04c0": "1", "\u0399": "1", "\u01c0": "1",
}
_ASCII_FOLD = str.maketrans({k: v for k, v in _HOMOGLYPHS.items() if k.isascii()})
_HOMO_CLASS = "".join(re.escape(c) for c in _HOMOGLYPHS)
# Separators scammers (and honest people) put between digit groups.
_SEP_CLASS = r" \t\u00a0\u2000-\u200a\u202f\u3000.\-\u2010-\u2015\u2212()\[\]/\\·•_~*'"
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# A run of digits (any script), digit lookalikes and separators, optionally led by `+`.
# It must start and end on a digit or lookalike. Separators are bounded so that
# a table of numbers separated by wide gaps does not become one run.
_CANDIDATE = re.compile(
    rf"(?<![^\W_])(?<![$€£¥#/=@.,+])"  # not inside a word, not after a currency sign or URL/ID marker
    rf"(\+\s?|\+?\(\s?\+?)?"
    rf"(?:\d|[{_HOMO_CLASS}])"
    rf"(?:[{_SEP_CLASS}]{{0,3}}(?:\d|[{_HOMO_CLASS}])){{5,24}}"
    rf"(?![^\W_])",
)
# Cheap locator for the only places a candidate can sit (see `_candidates`): a chain of at least six
# digits or lookalikes whose gaps are at most three separators. It starts with a character class, so
# the regex engine skips ahead to digits and lookalikes instead of trying the candidate's lookbehinds
# at every position of the text. Both quantifiers are possessive: separators, digits and lookalikes
# are disjoint classes, so giving back a separator or a whole step can never let the match succeed
# (a chain is just its maximal run), and the engine skips the doomed retries. That matters because
# lookalikes are common letters: every `o` or `l` of prose starts an attempt that fails at once.
_CHAIN = re.compile(rf"[\d{_HOMO_CLASS}](?:[{_SEP_CLASS}]{{0,3}}+[\d{_HOMO_CLASS}]){{5,}}+")
_NON_ASCII_DIGITS = re.compile(r"[^0-9]+")
_DIGIT_RUNS = re.compile(r"\d+")
_NON_DIGIT = re.compile(r"\D")
_NOT_DIALLED = re.compile(r"[^0-9+]")


def _ascii_part(char_class: str) -> str:
    """The ASCII members of a regex character class, as a class of explicit characters."""
    rx = re.compile(f"[{char_class}]")
    return "[" + "".join(re.escape(c) for c in map(chr, range(128)) if rx.fullmatch(c)) + "]"


# The same chains in ASCII text, where `\d` and the separators reduce to a few explicit characters
# the engine tests faster than the Unicode digit category.
_D_ASCII, _SEP_ASCII = _ascii_part(rf"\d{_HOMO_CLASS}"), _ascii_part(_SEP_CLASS)
_CHAIN_ASCII = re.compile(rf"{_D_ASCII}(?:{_SEP_ASCII}{{0,3}}+{_D_ASCII}){{5,}}+")
# `_CHAIN_ASCII` once more, on a copy of the text where each digit or lookalike reads `d`, each
# separator `s` and anything else `x`: the same spans (each class became one symbol), but the pattern
# starts with a literal, which the regex engine skips to much faster than to a member of a class.
_ASCII_CLASSES = bytes(100 if re.fullmatch(_D_ASCII, chr(b)) else 115 if re.fullmatch(_SEP_ASCII, chr(b)) else 120
                       for b in range(128)) + b"x" * 128
_CHAIN_CLASSES = re.compile(rb"d(?:s{0,3}+d){5,}+")
_ANY_DIGIT = re.compile(r"\d")
_PREFIX_MAX = 4  # longest lead-in before a candidate's first digit: `+(` with optional space and `+`
_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DATE_LIKE = re.compile(r"(?:^|\D)(?:(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d\d)(?:\D|$)")
_TIME_LIKE = re.compile(r"\d{1,2}:\d{2}")
_DOTTED_VERSION = re.compile(r"^\d{1,2}\.\d+(?:\.\d+)+$")  # 2.6.18, 10.0.19041
_PHONE_WORDS = re.compile(
    r"(?:call|phone|tel|telephone|toll|free|dial|fax|mobile|cell|contact|helpline|hotline|support|"
    r"number|line|reach|whats ?app|sms|text|ligue|ligar|liga|telefone|contato|contacto|llame|llamar|"
    r"llamenos|telefono|movil|numero|anrufen|rufen|telefon|nummer|hotline|appelez|appeler|appel|"
    r"numéro|téléphone|telefono|número|teléfono|móvil|contáctenos)\W{0,12}$",
    re.IGNORECASE,
)
_MAX_CANDIDATES = 200  # per text; a message with more digit runs than this is not a callback lure
MAX_CHARS = 30_000  # callback numbers sit near the top; patches and logs go on for pages


def fold_digits(text: str) -> tuple[str, bool]:
    """Map digit lookalikes and other scripts' digits to ASCII, one character for one.

    Returns the folded string and whether anything other than ASCII digits and
    plain separators had to be folded.
    """
    if text.isascii():  # the common case: one C-level pass, and a trick changed something or nothing
        folded = text.translate(_ASCII_FOLD)
        return folded, folded != text
    out = []
    tricky = False
    for ch in text:
        if "0" <= ch <= "9":
            out.append(ch)
        elif ch in _HOMOGLYPHS:
            out.append(_HOMOGLYPHS[ch])
            tricky = True
        elif ch.isdigit():
            d = unicodedata.digit(ch, None)
            if d is None:
                out.append(ch)
            else:
                out.append(str(d))
                tricky = True
        else:
            out.append(ch)
    return "".join(out), tricky


def _candidates(text: str) -> Iterator[re.Match[str]]:
    """The matches of `_CANDIDATE.finditer(text)`, same ones in the same order, found faster.

    Every candidate's digits and lookalikes form one chain with gaps of at most three separators,
    and it has at least six of them; `_CHAIN` finds exactly the maximal such chains (greedy and
    unbounded). So a candidate starts at most `_PREFIX_MAX` characters before a chain (its `+`/`(`
    lead-in) and ends inside it, and nothing outside chains can match. Each chain is searched alone,
    with one character of look-ahead room past its end; look-behinds still see the real text
    before the search start, so each match is decided exactly as in a scan of the whole text.
    """
    pos = 0
    if text.isascii():
        chains = _CHAIN_CLASSES.finditer(text.encode("ascii").translate(_ASCII_CLASSES))
    else:
        chains = _CHAIN.finditer(text)
    for chain in chains:
        for m in _CANDIDATE.finditer(text, max(pos, chain.start() - _PREFIX_MAX), chain.end() + 1):
            pos = m.end()
            yield m


def _spaced_out(raw: str) -> bool:
    """True for `1 . 8 0 0` style: most digits stand alone between separators."""
    groups = [g for g in _NON_ASCII_DIGITS.split(raw) if g]
    return len(groups) >= 6 and sum(len(g) == 1 for g in groups) >= 0.6 * len(groups)


_GROUP = re.compile(rf"[{_HOMO_CLASS}\d]+")
_NANP = {"US", "CA", "PR", "GU", "VI", "AS", "MP", "AG", "AI", "BB", "BM", "BS", "DM", "DO", "GD", "JM", "KN", "KY",
         "LC", "MS", "SX", "TC", "TT", "VC", "VG"}
# Digit-group shapes a North American number is written in: 808 555 0100, 1 808 555 0100, 8085550100.
_NANP_SHAPES = {(3, 3, 4), (1, 3, 3, 4), (10,), (11,), (3, 7), (1, 10), (1, 3, 7)}


def _spans(raw: str) -> list[tuple[int, int]]:
    """Sub-spans of a candidate to try, most likely first.

    A lookalike standing alone at an edge (`Tel | 808 555 0100 |`) is punctuation, not
    a digit - except a single leading `l`/`I`/`|` before a national number, which is the
    `l-800` trick for the trunk prefix 1.
    """
    groups = [m.span() for m in _GROUP.finditer(raw)]
    if not groups:
        return []
    # A group holds only digits (`\d`) and lookalikes, which are letters and `|`: it holds a
    # character for which str.isdigit() is true exactly when `\d` finds one in it.
    real = [i for i, (s, e) in enumerate(groups) if _ANY_DIGIT.search(raw, s, e)]
    if not real:
        return []
    first, last = real[0], real[-1]
    end = groups[last][1]
    if first == 0:
        return [(0, end)]
    spans = []
    lone = raw[groups[0][0]:groups[0][1]]
    if first == 1 and len(lone) == 1 and lone != "|" and _HOMOGLYPHS.get(lone) == "1":
        spans.append((0, end))
    start = groups[first][0]
    if raw[start - 1] == "(":
        start -= 1
    spans.append((start, end))
    return spans


def _shape_ok(folded: str, region: str) -> bool:
    """Digit groups must look like a phone number, not a decimal, a version string or a hex dump."""
    body = folded.strip()
    if "+" in body:
        # International form: country code then up to six groups (French numbers use five pairs).
        return len(_DIGIT_RUNS.findall(body)) <= 7
    groups = tuple(map(len, _DIGIT_RUNS.findall(body)))
    if _spaced_out(body):
        return True
    if region.upper() in _NANP:
        return groups in _NANP_SHAPES
    return all(g <= 5 for g in groups[1:]) and len(groups) <= 5


def _accept(raw: str, folded: str, text: str, start: int, region: str) -> bool:
    if _DOTTED_QUAD.search(folded) or _DOTTED_VERSION.match(folded.strip()):
        return False
    if not _shape_ok(folded, region):
        return False
    if _DATE_LIKE.search(folded) or _TIME_LIKE.search(folded):
        return False
    if folded.lstrip().startswith("+"):
        return True
    if _NON_DIGIT.sub("", folded) == folded.strip() and not any(c in _HOMOGLYPHS for c in raw):
        # A bare run: an order number, timestamp or ID unless a phone word precedes it.
        return bool(_PHONE_WORDS.search(text[max(0, start - 40):start]))
    return True


def _may_hold_several(folded: str) -> bool:
    """A run long enough for two numbers, grouped like phone numbers rather than like a hex dump."""
    groups = list(map(len, _DIGIT_RUNS.findall(folded)))
    digits = sum(groups)
    if not 15 < digits <= 40 or sum(g <= 2 for g in groups) * 2 >= len(groups):
        return False
    return "+" in folded or all(g <= 4 for g in groups)  # 8-digit words are memory dumps


def _parse(folded: str, region: str) -> str | None:
    cleaned = _NOT_DIALLED.sub("", folded)
    if cleaned.count("+") > 1 or ("+" in cleaned and not cleaned.startswith("+")):
        return None
    n_digits = len(cleaned.lstrip("+"))
    if n_digits < 7 or n_digits > 15:
        return None
    return _e164(cleaned, region)


@lru_cache(maxsize=2048)
def _e164(cleaned: str, region: str) -> str | None:
    """phonenumbers' verdict on a cleaned digit string (pure; the same numbers recur across mail)."""
    try:
        num = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def find_phone_numbers(text: str, default_region: str = "US") -> list[PhoneHit]:
    """Phone numbers written in `text`, folded and validated, in order of appearance, one per E.164 value."""
    if not text:
        return []
    return list(_find_phone_numbers(text[:MAX_CHARS], default_region))


# The subject and the sender name are scanned by several analyzers: the result is a pure function
# of the text, so the last few are kept (a hit on the very same string object is an identity check).
@lru_cache(maxsize=64)
def _find_phone_numbers(text: str, default_region: str) -> tuple[PhoneHit, ...]:
    # Every hit needs a real digit (`_spans` keeps only digit groups holding one): text without a
    # digit cannot hold a number however many lookalike letters it has.
    if not _ANY_DIGIT.search(text):
        return ()
    # Zero-width characters would split a number for the pattern; each becomes one space so
    # offsets into the caller's text stay valid.
    original = text
    if not text.isascii():
        text = _INVISIBLE_RE.sub(" ", text)
    hits: list[PhoneHit] = []
    seen: set[str] = set()
    for n, m in enumerate(_candidates(text)):
        if n >= _MAX_CANDIDATES:
            break
        whole = m.group(0)
        found = False
        for s, e in _spans(whole):
            raw = whole[s:e].strip()
            if not raw:
                continue
            offset = m.start() + s + (len(whole[s:e]) - len(whole[s:e].lstrip()))
            folded, tricky = fold_digits(raw)
            e164 = _parse(folded, default_region) if _accept(raw, folded, text, offset, default_region) else None
            if e164 is None:
                # A long run may hold several numbers ("call 808 555 0100 or 808 555 0199"):
                # let phonenumbers' own matcher look inside the folded run.
                if _may_hold_several(folded):
                    for sub in phonenumbers.PhoneNumberMatcher(folded, default_region,
                                                               leniency=phonenumbers.Leniency.VALID):
                        sraw = original[offset + sub.start:offset + sub.end]
                        _, stricky = fold_digits(sraw)
                        stricky = stricky or sraw != raw[sub.start:sub.end]
                        e = phonenumbers.format_number(sub.number, phonenumbers.PhoneNumberFormat.E164)
                        if e not in seen:
                            seen.add(e)
                            hits.append(PhoneHit(e, sraw, offset + sub.start, offset + sub.end,
                                                 stricky or _spaced_out(sraw)))
                        found = True
                if found:
                    break
                continue
            if e164 not in seen:
                seen.add(e164)
                oraw = original[offset:offset + len(raw)]
                hits.append(PhoneHit(e164, oraw, offset, offset + len(raw),
                                     tricky or oraw != raw or _spaced_out(raw)))
            break
    return tuple(hits)
