"""URLs as a mail reader's browser would follow them: extract, refang, normalise, unwrap.

Public interface (shared with other analyzers):

- `normalize_url(url) -> str | None`: one canonical `scheme://host[:port]/path[?query]` string
  (host lower-case ASCII/punycode, default port and fragment dropped, userinfo dropped), or None
  when the text is not an http(s)/ftp URL. Entities, percent-encoded hosts, defanged forms
  (`hxxp`, `[.]`, `[:]`), backslashes and loose slashes are repaired the way browsers do.
- `unwrap_redirect(url) -> str`: the final target behind known rewrappers (Microsoft Safe Links,
  Proofpoint urldefense, Mimecast…), open redirectors (google.com/url, youtube redirect,
  l.facebook.com…) and trackers that carry their target in clear. Unknown URLs come back as given.
- `registrable_domain(host) -> str`: the registrable ("organisational") domain from the bundled
  Public Suffix List, private section included (each `*.pages.dev` tenant is its own site).
  IP literals come back unchanged.
- `extract_urls_from_text(text) -> list[str]`: URL-looking substrings of plain text, including
  defanged and `www.` forms, in order, de-duplicated, not yet normalised.
- `extract_urls_from_html(html) -> list[tuple[str, str]]`: (url, link text) for every URL-bearing
  place of an HTML document (href, src, form action, meta refresh, CSS url()).

`parse_url(url) -> UrlInfo | None` gives the pieces analyzers need (userinfo, IP form, IDN form).
"""

from __future__ import annotations

import html as _html
import ipaddress
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from html.entities import html5
from importlib import resources
from urllib.parse import parse_qsl, unquote, urlsplit

import idna

from mailwarden.psl import registrable_domain, under_known_suffix  # noqa: F401 - registrable_domain is part of this module's interface

MAX_URL_CHARS = 4096  # longer URLs are clipped: they are evidence, not documents
_HOST_MEMO = 16384  # hosts remembered per host list

# ---------------------------------------------------------------------------------------------
# host lists (data/hosting.toml)


class SuffixSet:
    """Hosts matched by suffix on label boundaries, optionally with a path prefix.

    Lookup walks the labels of the host (a handful of set probes), so the cost does not grow
    with the size of the list.
    """

    def __init__(self, entries: list[str]) -> None:
        self._hosts: dict[str, list[str]] = {}
        # host -> the (suffix, paths) entries that cover it, longest suffix first: the same hosts
        # recur in every message, and most are in no list at all
        self._by_host: dict[str, tuple[tuple[str, list[str]], ...]] = {}
        for e in entries:
            e = e.strip().lower()
            if not e:
                continue
            host, _, path = e.partition("/")
            self._hosts.setdefault(host, []).append("/" + path if path else "")

    def __len__(self) -> int:
        return len(self._hosts)

    @classmethod
    def union(cls, *sets: SuffixSet) -> SuffixSet:
        """One set holding the entries of all `sets`."""
        out = cls([])
        for one in sets:
            for host, paths in one._hosts.items():
                out._hosts.setdefault(host, []).extend(paths)
        return out

    def _entries(self, host: str) -> tuple[tuple[str, list[str]], ...]:
        entries = self._by_host.get(host)
        if entries is None:
            labels = host.split(".")
            entries = tuple((suffix, paths) for i in range(len(labels))
                            if (paths := self._hosts.get(suffix := ".".join(labels[i:]))) is not None)
            if len(self._by_host) >= _HOST_MEMO:
                self._by_host.clear()  # a bound, not an LRU: refilling is cheap
            self._by_host[host] = entries
        return entries

    def covers(self, host: str) -> bool:
        """Whether any entry's host part covers `host`: when not, match() is None for every path."""
        return bool(self._entries(host))

    def match(self, host: str, path: str = "") -> str | None:
        """The list entry that covers `host` (and `path`), or None."""
        for suffix, paths in self._entries(host):
            for p in paths:
                if not p:
                    return suffix
                if path.lower().startswith(p):
                    return suffix + p
        return None


@dataclass(frozen=True)
class Redirector:
    host: str
    path: str
    params: tuple[str, ...]
    kind: str  # rewrap | open | tracker


@dataclass
class HostingData:
    free_hosting: SuffixSet
    form_hosts: SuffixSet
    file_share: SuffixSet
    ipfs: SuffixSet
    shorteners: SuffixSet
    trackers: SuffixSet
    suspicious_tlds: frozenset[str]
    redirectors: dict[str, list[Redirector]]

    def __post_init__(self) -> None:
        # the five lists listed() asks about as one set: a host is covered by one of them exactly
        # when one of its suffixes is a host of one of them (one walk of its labels, not five)
        self._listed = SuffixSet.union(self.free_hosting, self.form_hosts, self.file_share, self.ipfs,
                                       self.shorteners)

    def listed(self, host: str) -> bool:
        """Whether the host is covered by the free hosting, form, file sharing, IPFS or shortener list;
        when False, each of their match() calls gives None."""
        return self._listed.covers(host)


@lru_cache(maxsize=1)
def hosting_data() -> HostingData:
    text = (resources.files("mailwarden") / "data" / "hosting.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    redirectors: dict[str, list[Redirector]] = {}
    for r in data.get("redirectors", []):
        red = Redirector(r["host"].lower(), r.get("path", ""), tuple(r.get("params", [])), r.get("kind", "open"))
        redirectors.setdefault(red.host, []).append(red)
    return HostingData(
        free_hosting=SuffixSet(data["free_hosting"]["suffixes"]),
        form_hosts=SuffixSet(data["form_hosts"]["suffixes"]),
        file_share=SuffixSet(data["file_share"]["suffixes"]),
        ipfs=SuffixSet(data["ipfs"]["suffixes"]),
        shorteners=SuffixSet(data["shorteners"]["suffixes"]),
        trackers=SuffixSet(data["trackers"]["suffixes"]),
        suspicious_tlds=frozenset(t.lower() for t in data["suspicious_tlds"]["tlds"]),
        redirectors=redirectors,
    )


# ---------------------------------------------------------------------------------------------
# parsing and normalisation

_DEFANG = [
    (re.compile(r"^h[xX*]{2}p(s?)", re.I), r"http\1"),
    (re.compile(r"^fxp", re.I), "ftp"),
    (re.compile(r"\[\s*(?:\.|dot)\s*\]|\(\s*(?:\.|dot)\s*\)|\{\s*(?:\.|dot)\s*\}", re.I), "."),
    (re.compile(r"\[\s*:\s*\]"), ":"),
    (re.compile(r"\[\s*/\s*\]"), "/"),
    (re.compile(r"\[\s*@\s*\]|\[at\]", re.I), "@"),
]
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]{0,30}):")
_HOSTLIKE = re.compile(r"^(?:www\d{0,3}\.|[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63})*\.[a-z]{2,24}(?:[/:?#]|$))", re.I)
_PLAIN_HOST = re.compile(r"[a-z0-9._-]+")
_BAD_HOST_CHAR = re.compile(r'[ <>"{}|^`]')
_NETLOC_END = re.compile(r"[/?#]")
_WEB_SCHEMES = {"http", "https", "ftp"}
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def _known_tld(s: str) -> bool:
    """A schemeless `name.tld/...` counts as a URL only when the TLD really exists."""
    host = re.split(r"[/:?#]", s, maxsplit=1)[0].rstrip(".")
    tld = host.rsplit(".", 1)[-1].lower()
    return "." in host and tld.isalpha() and under_known_suffix(tld)


def refang(text: str) -> str:
    """Undo the usual defanging (`hxxp`, `[.]`, `(.)`, `[:]`) so the URL can be parsed."""
    # Each pattern runs only where it can match, in the list's order: the scheme ones are anchored on
    # their first two letters (IGNORECASE equates only h/H and x/X with these letters), the others
    # need a bracket ("(" and "{" only the third). At most one scheme pattern applies: after "hxxp"
    # becomes "http" the text no longer starts with "fx". Patterns 3-5 all need a "[" to match, so
    # running them when pattern 2 removed the last one changes nothing.
    c0, c1 = text[:1], text[1:2]
    if c0 in ("h", "H"):
        if c1 in ("x", "X", "*"):
            text = _DEFANG[0][0].sub(_DEFANG[0][1], text)
    elif c0 in ("f", "F") and c1 in ("x", "X"):
        text = _DEFANG[1][0].sub(_DEFANG[1][1], text)
    square = "[" in text
    if square or "(" in text or "{" in text:
        text = _DEFANG[2][0].sub(_DEFANG[2][1], text)
        if square:
            for pattern, repl in _DEFANG[3:]:
                text = pattern.sub(repl, text)
    return text


@dataclass
class UrlInfo:
    """One URL, parsed the way a browser would."""

    url: str  # normalised form
    scheme: str
    host: str  # lower-case ASCII (punycode for IDN)
    host_unicode: str  # the IDN form a reader sees
    port: int | None
    path: str
    query: str
    userinfo: str  # before '@' in the authority ('' when none)
    ip: str | None  # canonical IP when the host is an IP literal
    ip_obfuscated: bool  # written as decimal, hex, octal or short form
    raw: str

    @property
    def domain(self) -> str:
        return self.ip or registrable_domain(self.host)

    @property
    def is_idn(self) -> bool:
        return "xn--" in self.host and any(label.startswith("xn--") for label in self.host.split("."))


def _loose_ipv4(host: str) -> str | None:
    """The WHATWG IPv4 parser: `3232235777`, `0xC0A80101`, `0300.0250.1.1`, `192.168.257` all work."""
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or len(parts) > 4:
        return None
    nums = []
    for p in parts:
        if not p:
            return None
        try:
            if p[:2].lower() == "0x":
                n = int(p[2:] or "0", 16)
            elif len(p) > 1 and p[0] == "0":
                n = int(p, 8)
            else:
                if not p.isdigit():
                    return None
                n = int(p)
        except ValueError:
            return None
        nums.append(n)
    if any(n > 255 for n in nums[:-1]) or nums[-1] >= 256 ** (5 - len(nums)):
        return None
    value = nums[-1]
    for i, n in enumerate(nums[:-1]):
        value += n << (8 * (3 - i))
    return str(ipaddress.IPv4Address(value))


def _idna_host(host: str) -> tuple[str, str]:
    """(ASCII form, Unicode form) of a host; malformed labels are kept rather than dropped."""
    if host.isascii():  # every character _DOTS maps is non-ASCII: translate() would change nothing
        host = host.rstrip(".").lower()
    else:
        host = host.translate(_DOTS).rstrip(".").lower()
    if host.isascii():
        if "xn--" in host:
            try:
                return host, idna.decode(host)
            except (idna.IDNAError, UnicodeError):
                return host, host
        return host, host
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_host = host
    return ascii_host, host


def _split_web_url(scheme: str, rest: str) -> tuple[str, str, str]:
    """(netloc, path, query) of `scheme://rest`, as urlsplit() gives them.

    `rest` has no control characters or blanks left (parse_url removed them), so urlsplit's
    stripping does nothing and the scheme is the one given. What remains of urlsplit for an
    ASCII host without brackets is a split on the first "/", "?" or "#", then on "#" and "?";
    bracketed (IPv6) and non-ASCII hosts, which urlsplit validates, go through urlsplit itself.
    """
    # the netloc ends at the first "/", "?" or "#": up to the first "/" (found in C, no regex
    # call), then cut at a "?" or "#" before it, which is rare
    slash = rest.find("/")
    netloc = rest if slash < 0 else rest[:slash]
    if "?" in netloc or "#" in netloc:
        m = _NETLOC_END.search(netloc)
        netloc = netloc[:m.start()] if m else netloc
    url = rest[len(netloc):]
    if "[" in netloc or "]" in netloc or not netloc.isascii():
        parts = urlsplit(f"{scheme}://{rest}")
        return parts.netloc, parts.path, parts.query
    url = url.partition("#")[0]
    url, _, query = url.partition("?")
    return netloc, url, query


@lru_cache(maxsize=1)
def _entity_prefixes() -> frozenset[str]:
    """Every prefix of two or more characters of an HTML5 entity name (as html.unescape knows them)."""
    return frozenset(name[:n] for name in html5 for n in range(2, len(name) + 1))


def _may_unescape(s: str) -> bool:
    """False only when html.unescape(s) is s: most "&" in URLs join query parameters.

    unescape() rewrites a "&#" reference, or the name after "&" (at most 32 characters) when it,
    or a prefix of it of two or more characters, is an entity name (html5; every name has two
    to 32 characters). The text after each "&" is read one character further while it is still
    the start of some entity name, which is a few steps for "&utm_source=…".
    """
    prefixes = _entity_prefixes()
    n = len(s)
    i = s.find("&")
    while i >= 0:
        if s[i + 1:i + 2] == "#":
            return True
        for end in range(i + 3, min(n, i + 33) + 1):
            head = s[i + 1:end]
            if head not in prefixes:
                break
            if head in html5:
                return True
        i = s.find("&", i + 1)
    return False


def _scheme_of(s: str) -> tuple[str, int] | None:
    """(scheme lower-cased, where "scheme:" ends) as `_SCHEME.match(s)` gives them, or None.

    "http:" and "https:" in any case, the scheme of nearly every URL, skip the regex: its scheme
    characters run up to the first character outside them, here the colon. No non-ASCII
    character lower-cases to one of these letters, so the lower-cased prefix cannot mislead.
    """
    head = s[:6].lower()
    if head == "https:":
        return "https", 6
    if head[:5] == "http:":
        return "http", 5
    m = _SCHEME.match(s)
    return (m.group(1).lower(), m.end()) if m else None


def parse_url(url: str) -> UrlInfo | None:
    """Parse and normalise one URL; None when it is not an http(s)/ftp URL with a host.

    Results are cached (the same URLs recur within and across messages); treat them as read-only.
    """
    if not url or len(url) > MAX_URL_CHARS:
        return _parse_url(url[:MAX_URL_CHARS]) if url else None
    return _parse_url(url)


@lru_cache(maxsize=32768)
def _parse_url(url: str) -> UrlInfo | None:
    raw = url
    s = url.strip().strip("<>\"'` ")
    if len(s) > MAX_URL_CHARS:
        s = s[:MAX_URL_CHARS]
    if "&" in s and _may_unescape(s):
        s = _html.unescape(s)
    # browsers drop tabs and newlines inside URLs; isprintable() is False for every character
    # _CONTROL removes but the blank, so a printable string without a blank has nothing to drop
    if not s.isprintable() or " " in s:
        s = _CONTROL.sub("", s)
    s = refang(s)
    s = s.replace("\\", "/")
    found = _scheme_of(s)
    if found is not None:
        scheme, end = found
        if scheme not in _WEB_SCHEMES:
            return None
        rest = s[end:].lstrip("/")
    elif s.startswith("//"):
        scheme, rest = "http", s.lstrip("/")
    elif _HOSTLIKE.match(s) and (s[:3].lower() == "www" or _known_tld(s)):
        scheme, rest = "http", s
    else:
        return None
    try:
        netloc, path, query = _split_web_url(scheme, rest)
    except ValueError:
        return None
    userinfo, _, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        end = hostport.find("]")
        host, portstr = hostport[1:end] if end > 0 else hostport[1:], hostport[end + 2:] if end > 0 else ""
    else:
        host, _, portstr = hostport.partition(":")
    if "%" in host:
        host = unquote(host)
    host = host.strip()
    if not host:
        return None
    port: int | None = None
    if portstr:
        try:
            port = int(portstr)
        except ValueError:
            return None
        if not 0 < port < 65536:
            return None
        if port == _DEFAULT_PORTS.get(scheme):
            port = None
    ip: str | None = None
    obfuscated = False
    # only a host with ":", ending in a digit, or whose last label starts with 0x can be an IP
    bare = host.rstrip(".")
    if ":" in host or bare[-1:].isdigit() or (("0x" in bare or "0X" in bare)
                                              and bare.rsplit(".", 1)[-1].lower().startswith("0x")):
        try:
            ip = str(ipaddress.ip_address(host))
        except ValueError:
            ip = _loose_ipv4(host)
            obfuscated = ip is not None
    if ip:
        ascii_host = uni_host = ip
        host_part = f"[{ip}]" if ":" in ip else ip
    else:
        ascii_host, uni_host = _idna_host(host)
        if not ascii_host or len(ascii_host) > 253 or _BAD_HOST_CHAR.search(ascii_host):
            return None  # longer than any name DNS can resolve: not a working link
        host_part = ascii_host
    path = path or "/"
    norm = f"{scheme}://{host_part}{':' + str(port) if port else ''}{path}{'?' + query if query else ''}"
    return UrlInfo(norm, scheme, ascii_host, uni_host, port, path, query, userinfo, ip, obfuscated, raw)


def normalize_url(url: str) -> str | None:
    """The canonical form of `url` (see the module docstring), or None if it is not a web URL."""
    info = parse_url(url)
    return info.url if info else None


# ---------------------------------------------------------------------------------------------
# redirectors

def _proofpoint_v2(u: str) -> str:
    return unquote(u.replace("-", "%").replace("_", "/"))


@lru_cache(maxsize=16384)
def _maybe_redirector(host: str) -> bool:
    """Whether `host` can be a known redirector at all (hosts recur far more than whole URLs)."""
    if "urldefense" in host or "google." in host:
        return True
    redirectors = hosting_data().redirectors
    labels = host.split(".")
    return any(".".join(labels[i:]) in redirectors for i in range(len(labels) - 1))


def _redirect_target(info: UrlInfo) -> tuple[str, str] | None:
    """(target, kind) when `info` is a known redirector carrying its target; else None."""
    host, path = info.host, info.path
    if not _maybe_redirector(host):
        return None
    data = hosting_data()
    # Proofpoint formats that are not a simple query parameter
    if host.endswith("urldefense.proofpoint.com") and path.startswith("/v2/url"):
        for k, v in parse_qsl(info.query):
            if k == "u":
                return _proofpoint_v2(v), "rewrap"
    if host.endswith("urldefense.com") and path.startswith("/v3/__"):
        inner = info.url.split("/v3/__", 1)[1]
        inner = inner.split("__;", 1)[0].rstrip("_")
        return inner, "rewrap"
    labels = host.split(".")
    for i in range(len(labels) - 1):
        suffix = ".".join(labels[i:])
        reds = data.redirectors.get(suffix)
        if not reds:
            # google.co.uk/url, google.de/url… are the same open redirect
            if labels[i] == "google" and i + 2 >= len(labels) - 1:
                reds = data.redirectors.get("google.com")
            if not reds:
                continue
        for red in reds:
            if red.path and not path.startswith(red.path):
                continue
            if red.params:
                values = dict(parse_qsl(info.query, keep_blank_values=False))
                for p in red.params:
                    v = values.get(p)
                    if v and ("://" in v[:12] or v.startswith(("www.", "//"))):
                        return v, red.kind
                    if v and p == "domain" and "." in v:
                        return "http://" + v, red.kind
                continue
            if red.path == "/amp/s/":
                return "https://" + path[len("/amp/s/"):] + ("?" + info.query if info.query else ""), red.kind
            if suffix == "awstrack.me":
                segs = path.split("/")
                if len(segs) > 2 and segs[1] == "L0":
                    return unquote(segs[2]), red.kind
                continue
            if info.query.startswith("http"):
                return unquote(info.query), red.kind
    return None


def unwrap_chain(url: str, max_hops: int = 5) -> list[tuple[str, str]]:
    """[(url, kind)…] from the outermost wrapper to the final target; one element when not wrapped.

    `kind` names how each hop was left: "rewrap", "open", "tracker", or "" for the last one.
    """
    return list(_unwrap_chain(url, max_hops))


@lru_cache(maxsize=16384)
def _unwrap_chain(url: str, max_hops: int) -> tuple[tuple[str, str], ...]:
    chain: list[tuple[str, str]] = []
    current = url
    for _ in range(max_hops):
        info = parse_url(current)
        if info is None:
            break
        hop = _redirect_target(info)
        if hop is None:
            chain.append((info.url, ""))
            return tuple(chain)
        target, kind = hop
        chain.append((info.url, kind))
        if normalize_url(target) is None:
            return tuple(chain)
        current = target
    chain.append((normalize_url(current) or current, ""))
    return tuple(chain)


def _normal_form_is_stable(info: UrlInfo) -> bool:
    """Whether parse_url(info.url) is known to give back info's url, host, path and query.

    Parsing a normal form again changes nothing unless it still holds something the first pass
    rewrites: an entity ("&"), brackets (refanging, IPv6), non-ASCII, a trailing quote or angle
    bracket (stripped), a host that is more than lower-case letters, digits, dots, dashes and
    underscores (a "%" is unquoted again; "/", "?", "@", ":" or a control character decoded from
    one would split or be dropped differently), or more than MAX_URL_CHARS characters. The scheme is already lower-case http/https/ftp, the fragment and
    control characters are gone, and the path starts with "/".
    """
    u = info.url
    return (len(u) <= MAX_URL_CHARS and u.isascii() and u[-1] not in "<>\"'` " and "&" not in u
            and "[" not in u and "(" not in u and "{" not in u and _PLAIN_HOST.fullmatch(info.host) is not None)


def unwrap_parsed(info: UrlInfo, max_hops: int = 5) -> tuple[tuple[str, str], ...]:
    """unwrap_chain(info.url) for a URL already parsed: a URL no redirector claims, whose normal
    form parses back to itself, is its own one-element chain without a second parse."""
    if _normal_form_is_stable(info) and _redirect_target(info) is None:
        return ((info.url, ""),)
    return _unwrap_chain(info.url, max_hops)


def unwrap_redirect(url: str) -> str:
    """The final target of `url` behind known redirectors (normalised), or `url` when none applies."""
    chain = unwrap_chain(url)
    if len(chain) <= 1:
        return url
    return chain[-1][0]


# ---------------------------------------------------------------------------------------------
# extraction

# A URL in plain text starts with a scheme (`http://`, defanged `hxxps[:]//`, `ftp://`) or `www.`,
# at a word boundary, in any case. Written for the regex engine's fast scan: the pattern opens with
# one character class ([hHfFwW]), so the engine skips ahead to candidate letters instead of trying
# the whole pattern at every position (four times faster on mail text). It matches exactly what
#   (?:\b(?:h(?:tt|xx|XX|\*\*)ps?|ftp|fxp)(?:\[:\]|:)//|\bwww\d{0,3}(?:\.|\[\.\]|\(\.\)))[^…]+  (IGNORECASE)
# matches: `(?<!\w.)` after the first letter is the `\b` before it (the letter is a word character,
# so the boundary means "no word character before it"); the look-behinds pick the branch of that
# letter; each letter class lists the characters IGNORECASE equates with it (only "s" has a
# non-ASCII one, U+017F). tests/test_text_url_scan.py checks the two against each other.
_TEXT_URL = re.compile(
    r"[hHfFwW](?<!\w.)"
    r"(?:(?<=[hH])(?:[tT][tT]|[xX][xX]|\*\*)[pP][sS\u017f]?(?:\[:\]|:)//"
    r"|(?<=[fF])[tTxX][pP](?:\[:\]|:)//"
    r"|(?<=[wW])[wW][wW]\d{0,3}(?:\.|\[\.\]|\(\.\)))"
    r"""[^\s<>"'`{}|^\u00a0\u2000-\u200f\u2028-\u202f\u3000]+"""
)
_TRAIL = ".,;:!?'\"*"


def _trim(u: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets (counted once: linear)."""
    c = u[-1:]
    if c not in _TRAIL and c not in ">)]":  # the loop below would stop at once and keep all of u
        return u
    opens = {")": u.count("("), "]": u.count("[")}
    closes = {")": u.count(")"), "]": u.count("]")}
    end = len(u)
    while end:
        c = u[end - 1]
        if c in _TRAIL or c == ">":
            end -= 1
        elif c in closes and opens[c] < closes[c]:
            closes[c] -= 1
            end -= 1
        else:
            break
    return u[:end]


def _text_url_matches(text: str, low: bytes | None = None) -> Iterator[re.Match[str]]:
    """`_TEXT_URL.finditer(text)`, trying the pattern only where a match can start.

    finditer() enters the pattern at every h, f and w of the text (a tenth of ordinary prose);
    here the places come from substrings every match holds, found by fast substring search in
    an ASCII copy lower-cased as bytes (each other character becomes one "?", so positions agree):
    - a scheme match holds "://" or "[:]//", and starts 3 to 5 characters before it ("ftp" to
      "https", "ftp[:]//" to "https[:]//");
    - a www match starts with "www" in any case (no character but "W" lower-cases to "w").
    Trying those places left to right, each from where the last match ended, gives finditer's
    matches: the pattern's look-behind sees the text before the place tried, and the pattern
    never matches the empty string. tests/test_text_url_scan.py compares the two.
    `low` is that copy when the caller already made it.
    """
    if low is None:
        low = text.encode("ascii", "replace").lower()
    starts: list[int] = []
    for sep in (b"://", b"[:]//") if b"[:]//" in low else (b"://",):
        i = low.find(sep)
        while i >= 0:
            starts += (i - 5, i - 4, i - 3)
            i = low.find(sep, i + 1)
    i = low.find(b"www")
    while i >= 0:
        starts.append(i)
        i = low.find(b"www", i + 1)
    pos = 0
    match = _TEXT_URL.match
    for start in sorted(starts):
        if start >= pos and (m := match(text, start)) is not None:
            yield m
            pos = m.end()


def extract_urls_from_text(text: str, limit: int = 10_000) -> list[str]:
    """URL-looking substrings of plain text (raw, trimmed of trailing punctuation), de-duplicated."""
    if not text:
        return []
    # The scan's byte copy answers the screen too: "://" and "[:]" are ASCII, so they occur in the
    # copy exactly where they occur in the text; "www" occurs in text.lower() only where three
    # characters that lower-case to "w" meet, and only "w" and "W" do (U+0130, the one character
    # whose lower case is longer, becomes "i" and a combining dot), which the copy keeps as "w".
    low = text.encode("ascii", "replace").lower()
    if b"://" not in low and b"[:]" not in low and b"www" not in low:
        return []
    out: list[str] = []
    seen: set[str] = set()
    for m in _text_url_matches(text, low):
        u = _trim(m.group(0))
        if len(u) < 8 or u in seen:
            continue
        seen.add(u)
        out.append(u)
        if len(out) >= limit:
            break
    return out


def extract_urls_from_html(html: str) -> list[tuple[str, str]]:
    """(url, link text) for every URL-bearing place in an HTML document; text is '' except for links."""
    from mailwarden.htmltext import html_document

    return [(link.url, link.text) for link in html_document(html).links]
