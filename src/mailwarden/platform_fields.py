"""Content checks on one attacker-writable field of a platform message.

The platform analyzer cuts a message into the platform's fixed text and the fields its customer (or
an attacker) wrote, then runs the same content checks on each field alone: phone numbers (with the
digit-folding tricks), money amounts, brand names of *other* companies, lure vocabulary, links to
domains the platform does not own, crypto addresses, and fields that are oversized or oddly built.

The detectors are the shared ones (`mailwarden.phones`, `mailwarden.lures`, `mailwarden.brands`,
`mailwarden.psl`). On top of them, field checks use the platform-field lure patterns bundled in
`data/lures/patterns/platform_fields.toml` (giveaways, casinos, call-back and wallet wording) and a
short list of brand names.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import groupby
from operator import itemgetter
from urllib.parse import urlsplit

from mailwarden.alternation import by_first_char
from mailwarden.brands import brand_name, lookalike, match_brand
from mailwarden.literal_screen import LiteralScreen
from mailwarden.lures import CATEGORIES, match_lures
from mailwarden.lures import find_money as _lures_money
from mailwarden.phones import find_phone_numbers
from mailwarden.psl import registrable_domain  # noqa: F401 - used by platforms and the analyzer
from mailwarden.textcase import CaselessPattern, lowered

MAX_FIELD_CHARS = 20_000  # lures sit near the top; a longer field is judged on its beginning



@dataclass
class Phone:
    e164: str
    raw: str
    obfuscated: bool


def find_phones(text: str, region: str = "US") -> list[Phone]:
    """Phone numbers in `text`, E.164, de-duplicated; look-alike digits are folded first."""
    if not text:
        return []
    return _dedupe([Phone(h.e164, h.raw, bool(h.obfuscated)) for h in find_phone_numbers(text, region)])


def _dedupe(phones: list[Phone]) -> list[Phone]:
    seen: set[str] = set()
    out = []
    for p in phones:
        if p.e164 not in seen:
            seen.add(p.e164)
            out.append(p)
    return out


def find_money(text: str) -> list[str]:
    return list(_lures_money(text)) if text else []


# Lure wording for platform fields beyond the shared phrase vocabulary (giveaways, casinos, call-back
# and wallet wording), as regular expressions: data/lures/patterns/platform_fields.toml.
_FIELD_PATTERNS = "platform_fields.toml"


@lru_cache(maxsize=1)
def field_patterns() -> dict[str, list[str]]:
    """{category: [regex, ...]} as bundled, in file order (the order the alternatives are tried)."""
    item = resources.files("mailwarden") / "data" / "lures" / "patterns" / _FIELD_PATTERNS
    data = tomllib.loads(item.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for cat, entry in data.items():
        pats = entry.get("patterns") if isinstance(entry, dict) else None
        if cat not in CATEGORIES:
            raise ValueError(f"lures/patterns/{_FIELD_PATTERNS}: unknown category {cat!r}")
        if not isinstance(pats, list) or not all(isinstance(p, str) and p for p in pats):
            raise ValueError(f"lures/patterns/{_FIELD_PATTERNS}: [{cat}] needs patterns = [non-empty strings]")
        for p in pats:
            rx = re.compile(p)  # a bad pattern fails here, naming itself
            if rx.groups or p != p.lower():
                raise ValueError(f"lures/patterns/{_FIELD_PATTERNS}: {p!r} must be lower-case, without groups")
        out[cat] = pats
    return out


def _combined_source() -> str:
    """Every category in one pattern, each a named group: the plain form of `_dispatch_source`."""
    alts = "|".join(f"(?P<{c}>" + "|".join(p) + ")" for c, p in field_patterns().items())
    return r"(?<!\w)(?:" + alts + r")(?!\w)"


def _top_level_bar(src: str) -> bool:
    """Whether `src` has a `|` outside any group or character class (escapes skipped)."""
    depth, i, in_class = 0, 0, False
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 1
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if src[i + 1:i + 2] == "^":
                i += 1
            if src[i + 1:i + 2] == "]":  # a leading `]` (after any `^`) is a member, not the end
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


_WORD_LIST_GROUP = re.compile(r"\(\?:([a-z ]+(?:\|[a-z ]+)*)\)")


def _leads(src: str) -> dict[str, str | None] | None:
    r"""For each character a pattern can start with at a word start, the pattern with that character
    taken off (None: the pattern, whole, is led by the `\d` key); None when the form is not one of the
    few understood here:

    - `abc…`: starts with the letter `a`; without it, `bc…` (the letter is a plain literal, not
      quantified, and no top-level `|` makes it the start of only one alternative);
    - `\bab…`: the same behind a `\b`, which holds anyway where a field pattern is tried (after
      `(?<!\w)`, before a letter);
    - `(?:ab|ac|de) …`, a group of plain words, not quantified: `a` then `(?:b|c) …`, `d` then
      `(?:e) …` (the words that cannot start with the letter there could never match);
    - `\d…`: starts with a digit, the key `\d`.
    """
    if _top_level_bar(src):
        return None
    body = src[2:] if src.startswith("\\b") else src
    if body[:1].isascii() and body[:1].islower() and body[1:2] not in ("*", "+", "?", "{"):
        return {body[0]: body[1:]}
    m = _WORD_LIST_GROUP.match(src)
    if m and src[m.end():m.end() + 1] not in ("*", "+", "?", "{"):
        words = m.group(1).split("|")
        if not all(w[:1].isascii() and w[:1].islower() for w in words):
            return None
        rest = src[m.end():]
        return {k: "(?:" + "|".join(w[1:] for w in words if w[0] == k) + ")" + rest for k in dict.fromkeys(w[0] for w in words)}
    if src.startswith("\\d"):
        return {"\\d": None}
    return None


def _dispatch_source() -> tuple[str, dict[str, str]]:
    r"""`_combined_source()` regrouped by first character, and the category of each group name.

    At a word start the plain pattern tries its ~240 alternatives in turn, which the regex engine
    does one by one; here they sit in one branch per first letter (`c(?:all us|…)`), and only the
    branch of the letter that is there goes further. The matches are the same, category included:
    - at any position only alternatives whose first character is there can match, and the branch
      for that character holds exactly those, in their original order (a pattern that may start
      with several letters is in each of their branches);
    - the keys are distinct lower-case ASCII letters and `\d`; no character matches two of them, even
      case-insensitively (tested), so a position enters at most one branch;
    - `c(?:x|y)` is `cx|cy`, and an ordered choice split into consecutive groups is the same ordered
      choice (`A|B|C` = `(?:A|B)|C`), so each run of consecutive alternatives of one category can be
      one named group, `<category>__<n>`.
    Falls back to the plain pattern when a pattern has a form `_leads` does not understand."""
    entries = []
    for cat, pats in field_patterns().items():
        for p in pats:
            lead = _leads(p)
            if lead is None:
                return _combined_source(), {c: c for c in field_patterns()}
            entries.append((cat, p, lead))
    # (the branches' order is free, no position entering two of them; `\d`, led by a group, goes last)
    keys = sorted({k for _, _, lead in entries for k in lead}, key=lambda k: (k == "\\d", k))
    categories: dict[str, str] = {}
    branches = []
    for key in keys:
        groups = []
        members = [(cat, p if lead[key] is None else lead[key]) for cat, p, lead in entries if key in lead]
        for cat, run in groupby(members, key=itemgetter(0)):
            name = f"{cat}__{len(categories)}"
            categories[name] = cat
            groups.append(f"(?P<{name}>" + "|".join(alt for _, alt in run) + ")")
        # `\d`-led patterns keep their `\d`; a letter's branch starts with the letter taken off them
        branches.append(("" if key == "\\d" else re.escape(key)) + "(?:" + "|".join(groups) + ")")
    return r"(?<!\w)(?:" + "|".join(branches) + r")(?!\w)", categories


@lru_cache(maxsize=1)
def _combined_rx() -> CaselessPattern:
    """Every category in one pattern (one pass per text); `_GROUP_CATEGORY[m.lastgroup]` is the category."""
    source, categories = _dispatch_source()
    _GROUP_CATEGORY.update(categories)
    return CaselessPattern(source)


@lru_cache(maxsize=1)
def _combined_screen() -> LiteralScreen | None:
    """`_combined_rx()`'s case-sensitive form for lower-cased text, tried only where a match can start."""
    lower = _combined_rx().lower
    return LiteralScreen.of(lower) if lower is not None else None


def _field_lure_matches(text: str) -> Iterator[re.Match[str]]:
    """`_combined_rx().finditer(text)`: the same matches (lower-cased text where that is exact)."""
    screen = _combined_screen()
    low = lowered(text) if screen is not None else None
    return _combined_rx().finditer(text) if low is None else screen.finditer(low)  # type: ignore[union-attr]


_GROUP_CATEGORY: dict[str, str] = {}


def _fold(phrase: str) -> str:
    """Accent-free, space-free form, so 'glückwunsch' and 'gluckwunsch' count once."""
    decomposed = unicodedata.normalize("NFKD", phrase.lower())
    return "".join(c for c in decomposed if c.isalnum())


def warm_up() -> None:
    """Compile the combined field patterns now (about 0.1 s), not on the first platform message."""
    _combined_rx()
    _combined_screen()
    _brand_rx()


def find_lures(text: str) -> dict[str, list[str]]:
    """Lure categories found in `text`, each with the phrases that matched (at most 5 per category)."""
    if not text:
        return {}
    out: dict[str, list[str]] = {}
    norm = unicodedata.normalize("NFKC", text[:MAX_FIELD_CHARS])
    for hit in match_lures(norm):
        out.setdefault(hit.category, [])
        if hit.phrase not in out[hit.category] and len(out[hit.category]) < 5:
            out[hit.category].append(hit.phrase)
    # the private vocabulary (giveaways, casinos, call-back and wallet wording) adds its phrases
    have = {c: {_fold(p) for p in v} for c, v in out.items()}
    for m in _field_lure_matches(norm):
        cat = _GROUP_CATEGORY[m.lastgroup or ""]
        phrase = m.group(0).lower()
        seen = have.setdefault(cat, set())
        if _fold(phrase) not in seen and len(out.get(cat, [])) < 8:
            seen.add(_fold(phrase))
            out.setdefault(cat, []).append(phrase)
    return out


# Well-known brands (the shared list in mailwarden.brands is used when present).
_FALLBACK_BRANDS = {
    "amazon": "Amazon", "apple": "Apple", "icloud": "Apple", "paypal": "PayPal", "netflix": "Netflix",
    "dhl": "DHL", "ups": "UPS", "fedex": "FedEx", "usps": "USPS", "costco": "Costco", "walmart": "Walmart",
    "starbucks": "Starbucks", "ledger": "Ledger", "metamask": "MetaMask", "binance": "Binance",
    "coinbase": "Coinbase", "trust wallet": "Trust Wallet", "tether": "Tether", "bank of america": "Bank of America",
    "chase": "Chase", "wells fargo": "Wells Fargo", "norton": "Norton", "mcafee": "McAfee", "geek squad": "Geek Squad",
    "best buy": "Best Buy", "ikea": "IKEA", "adac": "ADAC", "edeka": "Edeka", "lidl": "Lidl", "aldi": "Aldi",
    "tchibo": "Tchibo", "deutsche bahn": "Deutsche Bahn", "bahnbonus": "Deutsche Bahn", "sparkasse": "Sparkasse",
    "google": "Google", "microsoft": "Microsoft", "outlook": "Microsoft", "office 365": "Microsoft",
    "facebook": "Facebook", "instagram": "Instagram", "whatsapp": "WhatsApp", "meta": "Meta", "samsung": "Samsung",
    "lenovo": "Lenovo", "visa": "Visa", "mastercard": "Mastercard", "american express": "American Express",
    "social security": "Social Security Administration", "ssa": "Social Security Administration", "irs": "IRS",
    "spotify": "Spotify", "disney": "Disney", "docusign": "DocuSign", "dropbox": "Dropbox", "adobe": "Adobe",
    "intuit": "Intuit", "quickbooks": "Intuit", "venmo": "Venmo", "zelle": "Zelle", "cash app": "Cash App",
    "stripe": "Stripe", "square": "Square", "zoom": "Zoom", "salesforce": "Salesforce", "github": "GitHub",
    "uniswap": "Uniswap", "lido": "Lido", "magic eden": "Magic Eden", "opensea": "OpenSea", "gitcoin": "Gitcoin",
    "walgreens": "Walgreens", "cvs": "CVS", "kohl's": "Kohl's", "home depot": "Home Depot", "lowe's": "Lowe's",
    "at&t": "AT&T", "verizon": "Verizon", "t-mobile": "T-Mobile", "telekom": "Telekom", "vodafone": "Vodafone",
    "booking.com": "Booking.com", "airbnb": "Airbnb", "ebay": "eBay", "aliexpress": "AliExpress", "temu": "Temu",
}


def _brand_source(by_first_letter: bool = True) -> str:
    """Brand words, longest first, as whole words; regrouped by first letter (`mailwarden.alternation`:
    the same ordered choice, without the regex engine trying each of ~100 words at every position)."""
    words = [re.escape(w) for w in sorted(_FALLBACK_BRANDS, key=len, reverse=True)]
    alts = (by_first_char(words) if by_first_letter else None) or "|".join(words)
    return r"(?<![\w.@-])(?:" + alts + r")(?![\w@-]|\.\w)"


@lru_cache(maxsize=1)
def _brand_rx() -> CaselessPattern:
    return CaselessPattern(_brand_source())


def find_brands(text: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """Other companies' brand names in `text` (a platform's own brand words are excluded)."""
    if not text:
        return []
    names: list[str] = []
    names.extend(brand_name(k) for k in match_brand(text))
    folded = unicodedata.normalize("NFKC", text)
    found = _brand_rx().finditer(folded)
    names.extend(_FALLBACK_BRANDS[m.group(0).lower()] for m in found)
    excl = {e.lower() for e in exclude}
    out = []
    for n in names:
        key = n.lower()
        if key in excl or any(e in key or key in e for e in excl):
            continue
        if n not in out:
            out.append(n)
    return out


_CRYPTO_ADDR_PLAIN = (r"(?<![\w/=.-])(?:bc1[ac-hj-np-z02-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|0x[0-9a-fA-F]{40}"
                      r"|T[1-9A-HJ-NP-Za-km-z]{33})(?![\w/=.-])")
# The same, with the look-behind moved after each alternative's first character (`b(?<![…]b)` checks
# the character before the `b` as `(?<![…])` did before it): the pattern then starts with one of
# `b 1 3 0 T`, and the regex engine skips to those instead of trying the look-behind everywhere.
_CRYPTO_ADDR = re.compile(
    r"(?:b(?<![\w/=.-]b)c1[ac-hj-np-z02-9]{25,59}|[13](?<![\w/=.-][13])[a-km-zA-HJ-NP-Z1-9]{25,34}"
    r"|0(?<![\w/=.-]0)x[0-9a-fA-F]{40}|T(?<![\w/=.-]T)[1-9A-HJ-NP-Za-km-z]{33})(?![\w/=.-])")


def find_crypto_addresses(text: str) -> list[str]:
    out = []
    for m in _CRYPTO_ADDR.finditer(text or ""):
        s = m.group(0)
        # base58 look-alikes of ordinary words and ids: demand a mix of cases and digits
        if s.startswith(("0x", "bc1")) or (any(c.isdigit() for c in s) and any(c.isupper() for c in s[1:])
                                           and any(c.islower() for c in s)):
            out.append(s)
    return out[:5]


_URL_IN_TEXT = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"')\]]+")
_DOMAIN_IN_TEXT = re.compile(r"(?i)(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|io|co|info|biz|xyz|"
                             r"top|site|online|app|link|live|shop|store|de|uk|ru|cn|br|me|cc|tk|ml|ga|cf|gq|us|ca|fr|es|it|nl)"
                             r")(?![\w-])")


def host_of(url: str) -> str | None:
    u = url.strip()
    if u.lower().startswith("www."):
        u = "http://" + u
    try:
        host = urlsplit(u).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def urls_in_text(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;:!?") for m in _URL_IN_TEXT.finditer(text or "")][:50]


def domains_in_text(text: str) -> list[str]:
    """Bare domain names written in a field ("visit secure-login.example.com")."""
    out = []
    for m in _DOMAIN_IN_TEXT.finditer(text or ""):
        d = m.group(1).lower()
        if d not in out:
            out.append(d)
    return out[:10]


# -- the report for one field -----------------------------------------------------------------------


@dataclass
class FieldReport:
    """What the content checks found in one attacker-writable field."""

    name: str
    label: str
    kind: str  # name | free_text | body
    text: str
    phones: list[Phone] = field(default_factory=list)
    money: list[str] = field(default_factory=list)
    lures: dict[str, list[str]] = field(default_factory=dict)
    offsite: list[str] = field(default_factory=list)  # domains the platform does not own
    crypto: list[str] = field(default_factory=list)
    lookalikes: list[str] = field(default_factory=list)  # offsite domains that imitate a brand
    poses_as_platform: str | None = None  # "GitHub Security Team": the field signs as the platform
    oversized: bool = False
    odd: list[str] = field(default_factory=list)  # reasons the field's shape is odd
    # `brands` (other companies' names in the field) is looked up when first read: the platform analyzer
    # reads it for every name field, but for a note or a whole message only once its wording already
    # counts as a lure, and on a long text the lookup is one of the dearest checks.
    _brand_query: tuple[str, tuple[str, ...]] | None = field(default=None, repr=False, compare=False)
    _brands: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def brands(self) -> list[str]:
        """Other companies' brand names in the field (`find_brands`), in first-seen order."""
        if self._brands is None:
            query, self._brand_query = self._brand_query, None
            self._brands = find_brands(*query) if query is not None else []
        return self._brands

    @brands.setter
    def brands(self, value: list[str]) -> None:
        self._brand_query, self._brands = None, value

    @property
    def lure_categories(self) -> list[str]:
        return sorted(self.lures)

    def excerpt(self, n: int = 120) -> str:
        t = " ".join(self.text.split())
        return t if len(t) <= n else t[:n] + "…"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_STAFF = (r"(?:security|support|billing|account|accounts|trust|safety|verification|compliance|help|service|"
          r"customer|admin|technical|fraud|payment|payments)")


def _poses_as(text: str, own_brands: tuple[str, ...]) -> str | None:
    """The field signs as the platform's own staff ("GitHub Security Team", "Microsoft Support Center")."""
    if not text or not own_brands:
        return None
    text = text[:20000]
    caseless, lower = _poses_rx(own_brands)
    low = lowered(text) if lower is not None else None
    if low is None:
        m = caseless.search(text)
    elif not any(b in low for b in own_brands):
        return None  # every match starts with one of the (lower-case) brand words
    else:
        m = lower.search(low)  # the same match, at the same offsets (mailwarden.textcase)
    return text[m.start():m.end()] if m else None


@lru_cache(maxsize=64)
def _poses_rx(own_brands: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """One profile's "<brand> <staff> team" expression, compiled once per profile, not per field:
    case-insensitive, and case-sensitive for lower-cased text when the brand words are lower-case
    (the rest of the expression is)."""
    brands = "|".join(re.escape(b) for b in sorted(own_brands, key=len, reverse=True))
    source = (rf"(?<!\w)(?:{brands})[\s-]+(?:{_STAFF}[\s-]+)?(?:team|department|center|centre|desk|"
              rf"support|security|staff|billing)(?!\w)")
    lower = re.compile(source) if all(b == b.lower() for b in own_brands) else None
    return re.compile(source, re.IGNORECASE), lower


def _imitates(domain: str) -> bool:
    try:
        return lookalike(domain) is not None
    except Exception:  # noqa: BLE001
        return False


_NAME_OK = re.compile(r"[\w\s.,&'’()\-/+:#@!?]", re.UNICODE)


def odd_shape(text: str, kind: str, charset: str) -> list[str]:
    """Why a name-like field looks unlike a name: symbols, emoji, long digit runs, shouting."""
    reasons: list[str] = []
    if charset != "name" or kind != "name":
        return reasons
    odd_chars = [c for c in text if not _NAME_OK.match(c)]
    emoji = [c for c in odd_chars if unicodedata.category(c) in ("So", "Sk", "Cs") or ord(c) > 0x1F000]
    if emoji:
        reasons.append("emoji or symbols")
    elif len(odd_chars) >= 3:
        reasons.append("unusual characters")
    if re.search(r"\d{6,}", text.replace(" ", "")):
        reasons.append("a long run of digits")
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        reasons.append("capital letters throughout")
    return reasons


def analyse_field(name: str, label: str, kind: str, text: str, *, max_length: int, charset: str,
                  own_phones: tuple[str, ...], own_brands: tuple[str, ...], owns_domain,  # noqa: ANN001
                  urls: list[str] | None = None, region: str = "US") -> FieldReport:
    """Run every content check on one field's text."""
    text = text or ""
    rep = FieldReport(name, label, kind, text)
    rep.phones = [p for p in find_phones(text[:MAX_FIELD_CHARS], region) if p.e164 not in own_phones]
    rep.money = find_money(text)
    rep.lures = find_lures(text)
    # brands hidden in addresses and domains ("device@mail.ledger.co") count too
    short = text[:MAX_FIELD_CHARS]
    rep._brand_query = (short + "\n" + re.sub(r"[@._\-]+", " ", short) if kind == "name" else short[:3000],
                        own_brands)  # looked up when `rep.brands` is first read
    rep.crypto = find_crypto_addresses(text)
    hosts = [h for h in (host_of(u) for u in (urls if urls is not None else urls_in_text(text))) if h]
    if kind != "body":  # a bare domain written into a name or a note is a link in waiting
        hosts += domains_in_text(text)
    emails = _EMAIL.findall(text) if kind == "name" else []
    hosts += [e.rsplit("@", 1)[1].lower() for e in emails]
    seen: list[str] = []
    for h in hosts:
        if owns_domain(h):
            continue
        d = registrable_domain(h)
        if d and d not in seen and not owns_domain(d):
            seen.append(d)
    rep.offsite = seen[:10]
    rep.oversized = len(text) > max_length
    rep.odd = odd_shape(text, kind, charset)
    if emails:
        rep.odd.append("an e-mail address")
    rep.lookalikes = [d for d in rep.offsite if _imitates(d)]
    rep.poses_as_platform = _poses_as(text, own_brands)
    return rep
