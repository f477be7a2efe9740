"""Protected brands and lookalike domains.

`data/brands.toml` lists the most impersonated brands with the registrable domains they own.
Three questions are answered from it, all precomputed at load time so a lookup is a few dict
probes and at most ~150 C-level edit-distance calls:

- `brand_for_domain(domain)`: is this domain (or a subdomain of it) a brand's own? A *tenant*
  subdomain of a platform (`paypal-billing.onmicrosoft.com`, `x.zendesk.com`) is never the brand.
- `match_brand(text)`: which brands does a display name or text mention by name?
- `lookalike(domain)`: is this domain dressed up as a brand it does not belong to? Homoglyphs
  (Unicode confusables, punycode, `0`/`o`, `1`/`l`, `rn`/`m`), mixed scripts, Damerau-Levenshtein
  typos, the brand inside a subdomain (`microsoft.com.login-check.example`), or the brand plus a
  keyword (`paypal-secure-login.example`).

The organisation's own domains (config `own_domains`) are protected the same way: build a
`BrandIndex` with `own_domains=` (the identity analyzer does).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

import ahocorasick
from rapidfuzz import process as rf_process
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

from mailwarden.alternation import by_first_char as grouped_by_first_char
from mailwarden.psl import registrable_domain  # noqa: F401 - part of this module's interface
from mailwarden.textcase import CaselessPattern

# Free mail providers: an address there belongs to a person, never to the provider's brand.
FREEMAIL = frozenset("""gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de yahoo.es yahoo.it
yahoo.com.br ymail.com rocketmail.com hotmail.com hotmail.co.uk hotmail.fr hotmail.de hotmail.it hotmail.es
outlook.com outlook.fr outlook.de outlook.es live.com live.co.uk live.fr msn.com aol.com icloud.com me.com
mac.com proton.me protonmail.com pm.me gmx.com gmx.de gmx.net gmx.at web.de mail.com mail.ru yandex.ru yandex.com
zoho.com zohomail.com tutanota.com tuta.io qq.com 163.com 126.com sina.com naver.com daum.net hanmail.net
libero.it virgilio.it orange.fr wanadoo.fr free.fr laposte.net t-online.de uol.com.br bol.com.br terra.com.br
seznam.cz wp.pl o2.pl interia.pl rediffmail.com inbox.ru bk.ru list.ru rambler.ru fastmail.com hey.com""".split())


_CACHE_SIZE = 65536  # domains remembered per index (answers are small)
_MENTION_CACHE_SIZE = 8192  # short texts (up to 300 characters) whose brand mentions are remembered


@dataclass(frozen=True)
class LookalikeHit:
    brand: str  # brand key in brands.toml ("own" for the organisation's own domains)
    brand_name: str  # how people know it ("PayPal")
    domain: str  # the domain that was checked
    kind: str  # homoglyph | mixed_script | edit_distance | brand_in_subdomain | brand_plus_keyword
    #            | brand_in_label | brand_other_suffix | brand_in_path (lookalike_url only)
    matched: str  # the brand token or domain it imitates
    detail: str  # a sentence for a person

    @property
    def strong(self) -> bool:
        """Deliberate disguise (homoglyphs, typos, the full brand domain in a subdomain)."""
        return self.kind in ("homoglyph", "mixed_script", "edit_distance", "brand_in_subdomain")


@dataclass
class Brand:
    key: str
    name: str
    names: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    infra: list[str] = field(default_factory=list)
    common_word: bool = False


# -- skeletons -------------------------------------------------------------------------------

def _confusable_map() -> dict[str, str]:
    """Non-ASCII character -> ASCII letter/digit it is confusable with (Unicode confusables data)."""
    from confusable_homoglyphs import confusables

    out: dict[str, str] = {}
    for ch, entries in confusables.confusables_data.items():
        if len(ch) != 1 or ch.isascii():
            continue
        for e in entries:
            c = e.get("c", "")
            if len(c) == 1 and c.isascii() and c.isalnum():
                out[ch] = c.lower()
                break
    return out


_CONFUSABLE: dict[str, str] | None = None
# Look-alike ASCII folded together: digits for letters, and letter pairs that render alike.
_ASCII_FOLD = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "3": "e", "4": "a", "5": "s",
                             "7": "t", "@": "a", "$": "s"})
_PAIRS = (("rn", "m"), ("vv", "w"), ("cj", "g"))


def decode_label(label: str) -> str:
    """A punycode (`xn--`) label decoded to Unicode; other labels unchanged."""
    if label.startswith("xn--"):
        try:
            return label[4:].encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            return label
    return label


# A pure function of a short string (a label, a word, a token), asked again and again for the same
# words and domains within a message and across messages: the answers are kept.
@lru_cache(maxsize=16384)
def skeleton(text: str) -> str:
    """Fold a domain label so that look-alikes compare equal: `pаypa1` -> `paypal`."""
    global _CONFUSABLE
    if _CONFUSABLE is None:
        _CONFUSABLE = _confusable_map()
    text = text.lower()
    if text.isascii():  # NFKC leaves ASCII alone and the loop below would copy every character
        return _fold_ascii(text)
    text = unicodedata.normalize("NFKC", text)
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        mapped = _CONFUSABLE.get(ch)
        if mapped is None:
            base = unicodedata.normalize("NFKD", ch)[:1]
            mapped = base if base.isascii() else ch
        out.append(mapped)
    return _fold_ascii("".join(out))


def _fold_ascii(text: str) -> str:
    """The last step of skeleton(): digit and letter look-alikes, then letter pairs (rn -> m)."""
    s = text.translate(_ASCII_FOLD)
    for a, b in _PAIRS:
        s = s.replace(a, b)
    return s


def scripts_of(text: str) -> set[str]:
    """Unicode scripts of the letters in `text` (by character name; digits and '-' ignored)."""
    found: set[str] = set()
    for ch in text:
        if not ch.isalpha():
            continue
        if ch.isascii():
            found.add("LATIN")
            continue
        name = unicodedata.name(ch, "")
        found.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    return found


def is_mixed_script(label: str) -> bool:
    """True when one label mixes Latin with another script (a classic homograph)."""
    if label.isascii():  # ASCII letters are all Latin: one script at most
        return False
    s = scripts_of(label)
    return len(s) > 1 and "LATIN" in s


_MENTION_WORD = re.compile(r"[^\s\"'<>(),;:]+")
_NON_WORD = re.compile(r"[^\w]")
# compiled once: lookalike() splits every new domain with these
_SUB_PARTS = re.compile(r"[.\-_]")
_LABEL_WORDS = re.compile(r"[-_0-9]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def _suffixes(host: str) -> list[str]:
    """A host's suffixes, whole host first: a.b.c -> [a.b.c, b.c, c]. The text after each dot is
    what joining the labels after it gives (`".".join(host.split(".")[i:])`, empty labels
    included), taken as one slice instead of a split and a join per label."""
    out = [host]
    i = host.find(".")
    while i >= 0:
        i += 1
        out.append(host[i:])
        i = host.find(".", i)
    return out


# -- the index -------------------------------------------------------------------------------

def _names_source(alts: list[str], by_first_char: bool = True, caseless: bool = False) -> str:
    """The whole-word pattern of the escaped names `alts`, tried in their order; regrouped by first
    character (`mailwarden.alternation`) unless `by_first_char` is false or a name cannot be."""
    body = (grouped_by_first_char(alts, caseless) if by_first_char else None) or "|".join(alts)
    return r"(?<![\w])(" + body + r")(?![\w])"


class BrandIndex:
    """Brands (and optionally the organisation's own domains) with precomputed lookup tables."""

    def __init__(self, brands: list[Brand], tenant_suffixes: list[str], keywords: list[str],
                 own_domains: list[str] | None = None, esp: list[str] | None = None) -> None:
        self.brands = {b.key: b for b in brands}
        self.esp_orgs = frozenset(registrable_domain(d) for d in esp or [])
        if own_domains:
            own = Brand("own", "your organisation", domains=[registrable_domain(d) for d in own_domains])
            own.tokens = sorted({d.split(".")[0] for d in own.domains if d})
            self.brands["own"] = own
        self.tenant_suffixes = sorted({s.lower() for s in tenant_suffixes}, key=len, reverse=True)
        self._tenant_set = frozenset(self.tenant_suffixes)
        self.keywords = frozenset(skeleton(k.lower()) for k in keywords)
        self._domain_owner: dict[str, str] = {}
        self._infra_owner: dict[str, set[str]] = {}
        for b in self.brands.values():
            for d in b.domains:
                self._domain_owner.setdefault(d.lower(), b.key)
            for d in b.infra + b.domains:
                self._infra_owner.setdefault(registrable_domain(d), set()).add(b.key)
        # token skeleton -> (brand key, token); a token's length decides how loosely it matches.
        self._tokens: dict[str, tuple[str, str]] = {}
        for b in self.brands.values():
            toks = b.tokens or [re.sub(r"[^a-z0-9]", "", b.name.lower())]
            for t in toks:
                self._tokens.setdefault(skeleton(t), (b.key, t))
        self._fuzzy = [(sk, k, t) for sk, (k, t) in self._tokens.items()
                       if len(sk) >= 6 and not self.brands[k].common_word]
        self._fuzzy_keys = [sk for sk, _, _ in self._fuzzy]
        self._fuzzy_bands: dict[int, tuple[list[str], list[int]]] = {}  # see _fuzzy_band
        self._fuzzy_bands_of = self._fuzzy_keys
        # Distinctive tokens (5+ characters, not everyday words) in one Aho-Corasick automaton:
        # "is any brand token inside this label" is then one C-level pass, not a loop over brands.
        self._token_automaton = ahocorasick.Automaton()
        for tsk, (bkey, tok) in self._tokens.items():
            if len(tsk) >= 5 and not self.brands[bkey].common_word:
                self._token_automaton.add_word(tsk, (bkey, tok))
        self._token_automaton.make_automaton()
        self._multi_label_domains = {d: k for d, k in self._domain_owner.items() if "." in d}
        self._name_re_ci, self._name_re_cs, self._name_owner = self._compile_names()
        # Answers per domain: a pure function of the domain for this index, asked by several
        # analyzers for the same few domains per message (and the same domains across messages).
        # Pure functions of a domain or a short text for this index, asked several times per message
        # and across a campaign: remembered per index (an lru_cache on the methods would be shared
        # by every index and keep them alive).
        self._lookalike_of = lru_cache(maxsize=_CACHE_SIZE)(self._lookalike)
        self._owner_of = lru_cache(maxsize=_CACHE_SIZE)(self._brand_for_domain)
        # routing and identity ask for the same hosts' organisations hop after hop (the Public
        # Suffix List walk behind registrable_domain is the cost)
        self._infra_of = lru_cache(maxsize=_CACHE_SIZE)(self._infra_brands)
        self._mentions_of = lru_cache(maxsize=_MENTION_CACHE_SIZE)(lambda text: tuple(self._match_brand(text)))

    def _compile_names(self) -> tuple[CaselessPattern | None, re.Pattern | None, dict[str, str]]:
        ci: list[str] = []
        cs: list[str] = []
        owner: dict[str, str] = {}
        for b in self.brands.values():
            if b.key == "own":
                continue
            for n in [b.name, *b.names]:
                owner.setdefault(n.lower(), b.key)
                if b.common_word:
                    cs.append(re.escape(n))
                else:  # written lower-case, as CaselessPattern wants
                    ci.append(re.escape(n.lower()))
        ci.sort(key=len, reverse=True)
        cs.sort(key=len, reverse=True)
        return (CaselessPattern(_names_source(ci, caseless=True)) if ci else None), (re.compile(_names_source(cs)) if cs else None), \
            owner

    # -- ownership
    def tenant_of(self, host: str) -> tuple[str, str] | None:
        """(tenant label, platform suffix) when `host` is a customer subdomain of a shared platform."""
        suffixes = _suffixes(host.lower().rstrip("."))
        i = self._tenant_at(suffixes)
        if not i:
            return None
        # the label before the platform suffix: suffix i-1 is that label, a dot and suffix i
        return suffixes[i - 1][:len(suffixes[i - 1]) - len(suffixes[i]) - 1], suffixes[i]

    def _tenant_at(self, suffixes: list[str]) -> int:
        """The position of the platform suffix among a host's `suffixes` (see _suffixes) when the host
        is a customer subdomain of a shared platform, else 0. Longest suffix first, so
        x.mail.onmicrosoft.com is a tenant of mail.onmicrosoft.com."""
        tenant_set = self._tenant_set
        for i in range(1, len(suffixes)):
            if suffixes[i] in tenant_set:
                return i
        return 0

    def brand_for_domain(self, domain: str) -> str | None:
        """The brand key owning `domain` (exact or parent match), None for tenants and strangers."""
        return self._owner_of(domain)

    def _brand_for_domain(self, domain: str) -> str | None:
        host = (domain or "").strip().rstrip(".").lower()
        if not host:
            return None
        # the tenant test and the owner walk ask about the same suffixes: each is made once
        suffixes = _suffixes(host)
        if not self._tenant_set.isdisjoint(suffixes[1:]):  # _tenant_at(suffixes) would be non-zero
            return None  # a customer subdomain of a shared platform
        # the first owner among the suffixes, the bare last label left out (owners are non-empty keys)
        return next(filter(None, map(self._domain_owner.get, suffixes[:-1])), None)

    def infra_brands(self, domain: str) -> set[str]:
        """Brands whose sending infrastructure includes this host's registrable domain."""
        return set(self._infra_of(domain))  # a copy: callers may edit what they get

    def _infra_brands(self, domain: str) -> frozenset[str]:
        return frozenset(self._infra_owner.get(registrable_domain(domain), ()))

    def brand(self, key: str) -> Brand | None:
        return self.brands.get(key)

    # -- mentions
    def match_brand(self, text: str) -> list[str]:
        """Brand keys mentioned by name in `text` (display name, subject, body), in first-seen order."""
        if not text:
            return []
        # Short texts (display names, subjects) recur across analyzers and a campaign's messages.
        if len(text) > 300:
            return self._match_brand(text)
        return list(self._mentions_of(text))

    def _match_brand(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text)
        found: list[str] = []
        head = text[:20000]
        for rx in (self._name_re_ci, self._name_re_cs):
            if rx is None:
                continue
            for m in rx.finditer(head):
                key = self._name_owner.get(m.group(1).lower())
                if key and key not in found:
                    found.append(key)
        # Homoglyph-spelt names ("PаyPal" with Cyrillic а) are caught on the skeleton of words.
        if not text.isascii():
            for word in _MENTION_WORD.findall(text[:2000]):
                hit = self._tokens.get(skeleton(_NON_WORD.sub("", word)))
                if hit and hit[0] != "own" and hit[0] not in found:
                    found.append(hit[0])
        return found

    # -- lookalikes
    def lookalike(self, domain: str) -> LookalikeHit | None:
        """How `domain` imitates a protected brand it does not belong to, or None."""
        key = (domain or "").strip().rstrip(".").lower()
        return self._lookalike_of(key) if key else None

    def _hit(self, key: str, domain: str, kind: str, matched: str, detail: str) -> LookalikeHit:
        return LookalikeHit(key, self.brands[key].name, domain, kind, matched, detail)

    def _lookalike(self, host: str) -> LookalikeHit | None:
        if self.brand_for_domain(host):
            return None
        tenant = self.tenant_of(host)
        if tenant:
            label, suffix = tenant
            reg = f"{label}.{suffix}"
        else:
            reg = registrable_domain(host)
            label = reg.split(".", 1)[0]
        sub = host[: -len(reg)].rstrip(".") if host != reg and host.endswith("." + reg) else ""
        ulabel = decode_label(label)
        name = self.brands
        where = f"the {'platform tenant name' if tenant else 'domain'} {host}"

        # 1. the whole label is a brand token once look-alike characters are folded
        sk = skeleton(ulabel)
        flat = sk.replace("-", "")
        exact = self._tokens.get(flat) or self._tokens.get(sk)
        if exact:
            bkey, tok = exact
            if ulabel != tok and ulabel.replace("-", "") != tok:
                mixed = is_mixed_script(ulabel)
                kind = "mixed_script" if mixed else "homoglyph"
                how = "mixes scripts to spell" if mixed else "uses look-alike characters to spell"
                return self._hit(bkey, host, kind, tok, f"{where.capitalize()} {how} "
                                 f"{name[bkey].name} ({tok}) but does not belong to it.")
            if not tenant and not name[bkey].common_word:
                return self._hit(bkey, host, "brand_other_suffix", tok,
                                 f"{where.capitalize()} carries the name {name[bkey].name} under a "
                                 f"suffix {name[bkey].name} does not use.")
        if is_mixed_script(ulabel):
            for bkey2, tok2 in self._contained_tokens(sk):
                return self._hit(bkey2, host, "mixed_script", tok2, f"{where.capitalize()} mixes scripts "
                                 f"and contains {name[bkey2].name}.")

        # 2. a typo of a long brand token (Damerau-Levenshtein)
        if len(flat) >= 6 and not exact:
            for d, i in self._fuzzy_near(flat):
                tsk, bkey, tok = self._fuzzy[i]
                limit = 2 if len(tsk) >= 10 else 1
                if 0 < d <= limit:
                    return self._hit(bkey, host, "edit_distance", tok, f"{where.capitalize()} is a "
                                     f"misspelling of {name[bkey].name} ({tok}).")

        # 3. the brand's full domain, or a distinctive brand token, inside the subdomain part
        if sub:
            usub = ".".join(decode_label(p) for p in sub.split("."))
            labels = usub.split(".")[:16]
            for i in range(len(labels)):  # every run of whole labels: microsoft.com.login-check.example
                for j in range(i + 2, len(labels) + 1):
                    d = ".".join(labels[i:j])
                    bkey = self._multi_label_domains.get(d)
                    if bkey:
                        return self._hit(bkey, host, "brand_in_subdomain", d, f"The domain {host} starts "
                                         f"with {d} but really belongs to {reg}.")
            for part in _SUB_PARTS.split(usub):
                hit = self._tokens.get(skeleton(part))
                if hit and len(part) >= 5 and not name[hit[0]].common_word:
                    return self._hit(hit[0], host, "brand_in_subdomain", hit[1], f"The domain {host} puts "
                                     f"{name[hit[0]].name} in front of {reg}, which is not {name[hit[0]].name}'s.")

        # 4. brand plus keyword, or a distinctive brand token inside the registrable label
        parts = [p for p in _LABEL_WORDS.split(sk) if p]
        if len(parts) > 1:
            for i, p in enumerate(parts):
                hit = self._tokens.get(p)
                if not hit:
                    continue
                others = parts[:i] + parts[i + 1:]
                if any(o in self.keywords for o in others) or not name[hit[0]].common_word:
                    return self._hit(hit[0], host, "brand_plus_keyword", hit[1], f"{where.capitalize()} "
                                     f"combines {name[hit[0]].name} with other words ({ulabel}) but is not "
                                     f"{name[hit[0]].name}'s.")
        raw_flat = _NOT_ALNUM.sub("", ulabel)
        for bkey, tok in self._contained_tokens(flat):
            if tok not in raw_flat and flat != skeleton(tok):
                # only visible after folding look-alike characters: 0nmicr0s0ft, paypa1-billing
                return self._hit(bkey, host, "homoglyph", tok, f"{where.capitalize()} hides "
                                 f"{name[bkey].name} ({tok}) behind look-alike characters but is not "
                                 f"{name[bkey].name}'s.")
            if flat != skeleton(tok):
                rest = flat.replace(skeleton(tok), " ").split()
                if any(r in self.keywords for r in rest) or len(tok) >= 6:
                    return self._hit(bkey, host, "brand_in_label", tok, f"{where.capitalize()} contains "
                                     f"{name[bkey].name} ({tok}) but is not {name[bkey].name}'s.")
        return None

    def lookalike_url(self, url: str) -> LookalikeHit | None:
        """`lookalike()` for the URL's host, then a brand's domain or name in the path of a host that
        is not the brand's (`https://evil.example/paypal.com/signin`, `…/microsoft-login/`)."""
        try:
            parts = urlsplit(url if "//" in url else "//" + url)
            host = (parts.hostname or "").lower()
        except ValueError:
            return None
        if not host:
            return None
        hit = self.lookalike(host)
        if hit or self.brand_for_domain(host):
            return hit
        path = (parts.path + " " + parts.query).lower()[:2000]
        for d, bkey in self._domain_owner.items():
            if "." in d and len(d) >= 7 and d in path and re.search(rf"(?<![a-z0-9-]){re.escape(d)}(?![a-z0-9-])",
                                                                     path):
                return self._hit(bkey, host, "brand_in_path", d, f"The link to {host} carries {d} in its path "
                                 f"but does not lead to {self.brands[bkey].name}.")
        for seg in re.split(r"[/?&=._\-\s]+", path):
            tok = self._tokens.get(skeleton(seg)) if len(seg) >= 5 else None
            if tok and tok[0] != "own" and not self.brands[tok[0]].common_word:
                return self._hit(tok[0], host, "brand_in_path", tok[1], f"The link to {host} names "
                                 f"{self.brands[tok[0]].name} in its path but does not lead to it.")
        return None

    def _fuzzy_near(self, flat: str) -> list[tuple[int, int]]:
        """(distance, index) of the fuzzy keys within Damerau-Levenshtein distance 2 of `flat`, nearest
        first, ties in list order, at most 8: what `rf_process.extract(flat, self._fuzzy_keys,
        scorer=DamerauLevenshtein.distance, score_cutoff=2, limit=8)` gives, for less work.

        Unrestricted Damerau-Levenshtein is quadratic per key, Levenshtein bit-parallel. Every DL edit
        (insertion, deletion, substitution, or a transposition with k characters edited between)
        costs at most twice as much as Levenshtein operations, so Levenshtein <= 2 * DL: a key
        farther than 4 in Levenshtein is farther than 2 in DL and can be left out without changing
        which keys are within 2. The survivors are then measured exactly.
        """
        near = []
        keys, where = self._fuzzy_band(len(flat))
        if not keys:
            return near
        for _, _, k in rf_process.extract(flat, keys, scorer=Levenshtein.distance, score_cutoff=4, limit=None):
            d = DamerauLevenshtein.distance(flat, keys[k], score_cutoff=2)
            if d <= 2:
                near.append((d, where[k]))
        near.sort()
        return near[:8]

    def _fuzzy_band(self, length: int) -> tuple[list[str], list[int]]:
        """The fuzzy keys whose length is within 2 of `length`, and their positions in the full list:
        every edit changes the length by at most one, so a key whose length differs by more than 2
        is farther than 2 and never among _fuzzy_near's answers (which are sorted by distance and
        position, so leaving such keys out changes nothing else)."""
        if self._fuzzy_bands_of is not self._fuzzy_keys:  # the bands belong to one list of keys
            self._fuzzy_bands, self._fuzzy_bands_of = {}, self._fuzzy_keys
        band = self._fuzzy_bands.get(length)
        if band is None:
            where = [i for i, k in enumerate(self._fuzzy_keys) if abs(len(k) - length) <= 2]
            band = self._fuzzy_bands[length] = ([self._fuzzy_keys[i] for i in where], where)
        return band

    def _contained_tokens(self, flat: str) -> list[tuple[str, str]]:
        """Distinctive brand tokens (5+ characters, not everyday words) contained in `flat`."""
        seen: set[str] = set()
        out = []
        for _, (bkey, tok) in self._token_automaton.iter(flat):
            if tok not in seen:
                seen.add(tok)
                out.append((bkey, tok))
        out.sort(key=lambda x: -len(x[1]))
        return out


def _load_brands() -> tuple[list[Brand], list[str], list[str], list[str]]:
    text = (resources.files("mailwarden") / "data" / "brands.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    tenants = list(data.pop("tenant_suffixes", {}).get("suffixes", []))
    keywords = list(data.pop("keywords", {}).get("words", []))
    esp = list(data.pop("esp", {}).get("domains", []))
    brands = []
    for key, e in data.items():
        brands.append(Brand(key, e["name"], list(e.get("names", [])), [d.lower() for d in e.get("domains", [])],
                            [t.lower() for t in e.get("tokens", [])], [d.lower() for d in e.get("infra", [])],
                            bool(e.get("common_word", False))))
    return brands, tenants, keywords, esp


@lru_cache(maxsize=1)
def default_index() -> BrandIndex:
    brands, tenants, keywords, esp = _load_brands()
    return BrandIndex(brands, tenants, keywords, esp=esp)


def index_with_own_domains(own_domains: list[str]) -> BrandIndex:
    """The bundled brands plus the organisation's own domains (brand key "own"), one per process
    for a given list (several analyzers ask)."""
    return _index_with_own(tuple(own_domains))


@lru_cache(maxsize=4)
def _index_with_own(own_domains: tuple[str, ...]) -> BrandIndex:
    brands, tenants, keywords, esp = _load_brands()
    return BrandIndex(brands, tenants, keywords, own_domains=list(own_domains), esp=esp)


def match_brand(text: str) -> list[str]:
    """Brand keys mentioned by name in `text`."""
    return default_index().match_brand(text)


def brand_for_domain(domain: str) -> str | None:
    """The brand key that owns `domain`, or None (tenant subdomains of platforms are never the brand)."""
    return default_index().brand_for_domain(domain)


def lookalike(domain: str) -> LookalikeHit | None:
    """How `domain` imitates a bundled brand it does not belong to, or None."""
    return default_index().lookalike(domain)


def lookalike_url(url: str) -> LookalikeHit | None:
    """`lookalike()` for a URL: its host, then a brand's domain or name in its path."""
    return default_index().lookalike_url(url)


def brand_name(key: str) -> str:
    b = default_index().brand(key)
    return b.name if b else key
