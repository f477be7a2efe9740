"""The Received chain, parsed defensively.

RFC 5321 §4.4 gives `from X (comment) by Y via Z with P id I for <R>; date`, but every MTA
writes its own dialect: Postfix `from helo (rdns [ip])`, Exim `from rdns ([ip] helo=x)`, qmail
`from unknown (HELO x) (ip)`, Exchange `from host (ip) by host (ip) with Microsoft SMTP Server`,
Gmail's `by 2002:a05:... with SMTP id`. We tokenise clauses outside comments, keep the comments,
and pull names and addresses out of both. Work is linear in the header length and bounded.
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from itertools import compress, count

from mailwarden.message import Message

_KEYWORDS = frozenset(("from", "by", "via", "with", "id", "for"))


def _case_forms(word: str) -> list[str]:
    forms = [""]
    for c in word:
        forms = [f + x for f in forms for x in dict.fromkeys((c.lower(), c.upper()))]
    return forms


# Every way of writing a keyword in upper and lower case, each mapped to its lower-case form: a word
# is a keyword exactly when it is one of these, so the words are probed as written (no lower-cased
# copy of the header split a second time). Exact: `w.lower()` is one of the keywords only when `w`
# is ASCII (the one non-ASCII character that lower-cases to an ASCII letter is the Kelvin sign, to
# "k", which no keyword has), and for ASCII words lower() just folds the case.
_KEYWORD_FORMS = {form: kw for kw in _KEYWORDS for form in _case_forms(kw)}
_IPV4 = r"(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}"
_IP_BRACKET = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")
_IP_BARE = re.compile(rf"(?<![\w.:])({_IPV4}|[0-9A-Fa-f]{{1,4}}(?::[0-9A-Fa-f]{{0,4}}){{2,7}})(?![\w.:])")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?\.)+[A-Za-z]{2,63}\.?$")
_HELO_IN_COMMENT = re.compile(r"\b(?:helo|ehlo)[= ]\s*([^\s()\[\]]+)", re.I)
MAX_RECEIVED = 100  # Received headers parsed per message


@dataclass
class Hop:
    """One Received header. `index` 0 is the topmost (newest) header."""

    index: int
    raw: str
    from_word: str | None = None  # the first word of the `from` clause as written (brackets stripped)
    helo: str | None = None  # the name the client gave (the `from` word, or helo= in a comment)
    rdns: str | None = None  # the receiver's verified reverse name, when it wrote one
    ip: str | None = None  # the connecting address
    by: str | None = None
    with_: str | None = None
    id: str | None = None
    for_: str | None = None
    date: datetime | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def from_name(self) -> str | None:
        """The best name for the sending host: reverse DNS when known, else HELO."""
        return self.rdns or (self.helo if self.helo and is_hostname(self.helo) else None)

    @property
    def authenticated(self) -> bool:
        """The receiver says the client authenticated (ESMTPA/ESMTPSA, RFC 3848)."""
        w = (self.with_ or "").upper()
        return w.endswith("A") and w.startswith(("ESMTP", "LMTP")) or "authenticated sender" in self.raw.lower()


_IPV4_ONLY = re.compile(rf"{_IPV4}\.?")


@lru_cache(maxsize=65536)
def is_hostname(name: str) -> bool:
    return bool(_HOSTNAME.match(name)) and not _IPV4_ONLY.fullmatch(name)


# A dotted quad exactly as the ipaddress module accepts one: ASCII digits, 0-255, no leading zero.
# Text without ":" can only be an IPv4 address (IPv6 needs at least two colons), and the ipaddress
# module accepts such text exactly when this matches; its str() is then the text itself. Deciding
# these here spares a failed IPv4 and a failed IPv6 parse (two exceptions) for every host name
# that is asked about, and the string round trip for every address.
_DOTTED_QUAD = re.compile(r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|"
                          r"[1-9]?[0-9])){3}")


def _address_text(text: str) -> str:
    return text.strip().strip("[]").removeprefix("IPv6:").split("%")[0]


_HEX_AND_COLONS = re.compile(r"[0-9A-Fa-f:]+")  # ASCII only: int(x, 16) would take other digits too


def _v6_groups(addr: str) -> list[int] | None:
    """The eight 16-bit groups of an IPv6 address written in hex groups only (no dotted IPv4 tail,
    no zone): eight groups of 1-4 hex digits, or fewer around one "::" that stands for at least one
    zero group. The ipaddress module accepts every such text with these values; anything else
    (an IPv4 tail, a second "::", an empty or long group) is None and left to the module, which
    decides it the slow way. Deciding the common shape here spares its pure-Python parser."""
    if _HEX_AND_COLONS.fullmatch(addr) is None:
        return None
    head, sep, tail = addr.partition("::")
    if sep:
        hi = head.split(":") if head else []
        lo = tail.split(":") if tail else []  # a second "::" leaves an empty group here
        if len(hi) + len(lo) > 7:
            return None
    else:
        hi, lo = addr.split(":"), []
        if len(hi) != 8:
            return None
    for g in hi:
        if not 0 < len(g) <= 4:
            return None
    for g in lo:
        if not 0 < len(g) <= 4:
            return None
    return [int(g, 16) for g in hi] + [0] * (8 - len(hi) - len(lo)) + [int(g, 16) for g in lo]


# A run of k zero groups as it stands in ":" + text + ":" (each group between colons), for k = 0..8.
_ZERO_RUNS = [":0" * k + ":" for k in range(9)]


def _v6_text(groups: list[int]) -> str:
    """`str(IPv6Address(...))` of these groups as Python formats it: lower-case hex without leading
    zeros, the first longest run of two or more zero groups written "::".

    Found on the formatted text: in ":" + text + ":" a zero group is ":0" followed by ":", and a
    nonzero group never ends in ":0" right after a colon (it has no leading zero), so the first
    place a run of k zero groups shows is the first run of at least k of them. Growing k while
    such a run exists, the last hit is the first longest run (C-level formatting and searches, no
    loop per group)."""
    padded = ":%x:%x:%x:%x:%x:%x:%x:%x:" % tuple(groups)  # noqa: UP031 - the module's own formatting
    at = padded.find(":0:0:")
    if at < 0:  # no two zero groups in a row: nothing is shortened
        return padded[1:-1]
    k = 2
    while k < 8:
        longer = padded.find(_ZERO_RUNS[k + 1])
        if longer < 0:
            break
        at, k = longer, k + 1
    return padded[1:at] + "::" + padded[at + 2 * k + 1:-1]


def _v4_number(addr: str) -> int | None:
    """The integer of a dotted quad as the ipaddress module reads it (see _DOTTED_QUAD), or None."""
    if _DOTTED_QUAD.fullmatch(addr) is None:
        return None
    a, b, c, d = addr.split(".")
    return int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)


def _v6_number(groups: list[int]) -> int:
    n = 0
    for g in groups:
        n = n << 16 | g
    return n


@lru_cache(maxsize=65536)
def ip_of(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    addr = _address_text(text)
    if ":" not in addr:
        n = _v4_number(addr)
        return None if n is None else ipaddress.IPv4Address(n)
    groups = _v6_groups(addr)
    if groups is not None:
        return ipaddress.IPv6Address(_v6_number(groups))
    try:  # with a colon only IPv6 can parse; ip_address would try (and fail) IPv4 first
        return ipaddress.IPv6Address(addr)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def ip_text(text: str | None) -> str | None:
    """`str(ip_of(text))`, or None: the normalised address, formatted once per distinct input."""
    if not text:
        return None
    addr = _address_text(text)
    if ":" not in addr:  # IPv4 or nothing; a valid dotted quad is its own normal form (see above)
        return addr if _DOTTED_QUAD.fullmatch(addr) is not None else None
    groups = _v6_groups(addr)
    # (an IPv4-mapped address is left to the module: newer Pythons print its dotted form)
    if groups is not None and not (groups[5] == 0xFFFF and not any(groups[:5])):
        return _v6_text(groups)
    ip = ip_of(text)
    return str(ip) if ip is not None else None


_BOGON_V4 = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "192.0.0.0/24", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    "255.255.255.255/32")]


_DOC_V4 = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
_CGN = ipaddress.ip_network("100.64.0.0/10")


@lru_cache(maxsize=65536)
def ip_class(text: str | None) -> str:
    """"public", "private" (RFC 1918/4193, loopback, link-local), "bogon" (never a sender), or ""."""
    if not text:
        return ""
    # The tables need only the address's number: for the shapes ip_of decides itself (a dotted quad,
    # IPv6 in hex groups) it is read here directly, without building (and caching) the address
    # object, whose pure-Python constructor costs more than the rest. Anything else goes through
    # ip_of as before.
    addr = _address_text(text)
    if ":" not in addr:
        n = _v4_number(addr)
        if n is None:
            return ""  # ip_of reads IPv4 only as a dotted quad
        cls = _tabled_class(4, n)
    else:
        groups = _v6_groups(addr)
        cls = _tabled_class(6, _v6_number(groups)) if groups is not None else None
    if cls is not None:
        return cls
    ip = ip_of(text)
    if ip is None:
        return ""
    cls = _tabled_class(ip.version, int(ip))
    return cls if cls is not None else _ip_class(ip)


def _tabled_class(version: int, number: int) -> str | None:
    """The class of the address `number` from the bisection tables, or None without them."""
    edges, classes = (_V4_EDGES, _V4_CLASSES) if version == 4 else (_V6_EDGES, _V6_CLASSES)
    return classes[bisect_right(edges, number) - 1] if edges else None


def _ip_class(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if ip.version == 4 and any(ip in n for n in _BOGON_V4):
        return "bogon"
    if ip.version == 6 and not ip.is_loopback and (ip.is_multicast or ip.is_unspecified or ip.is_reserved):
        return "bogon"
    if ip.is_private or ip.is_loopback or ip.is_link_local or (
            ip.version == 4 and ip in _CGN):  # carrier-grade NAT, used internally
        # Documentation ranges are "private" to the ipaddress module but show up in examples.
        if ip.version == 4 and any(ip in n for n in _DOC_V4):
            return "public"
        return "private"
    return "public"


def _v4_edges() -> list[int]:
    """Every IPv4 address where a network the classification consults begins or ends.

    Between two edges each of those memberships is the same, so the class is too: one class per
    edge, found by bisection, replaces a dozen network-membership tests per new address. The
    networks behind `is_private` are the ipaddress module's own (its definition changes between
    Python releases); without them the direct tests are used."""
    consts = getattr(ipaddress, "_IPv4Constants", None)
    private = getattr(consts, "_private_networks", None)
    if not isinstance(private, list):
        return []
    nets = [*private, *getattr(consts, "_private_networks_exceptions", []), *_BOGON_V4, *_DOC_V4, _CGN,
            ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("169.254.0.0/16")]
    return sorted({0} | {int(n.network_address) for n in nets} | {int(n.broadcast_address) + 1 for n in nets}
                  - {2 ** 32})


_V4_EDGES = _v4_edges()
_V4_CLASSES = [_ip_class(ipaddress.IPv4Address(e)) for e in _V4_EDGES]


def _v6_edges() -> list[int]:
    """The same for IPv6 (each new IPv6 address otherwise costs two dozen network tests): the
    networks behind is_private, is_reserved, is_multicast, is_link_local, the loopback and
    unspecified addresses, and, inside ::ffff:0:0/96, every IPv4 edge (is_private reads an
    IPv4-mapped address as its IPv4 address). Empty, and the direct tests used, when the ipaddress
    module's tables are not what this expects."""
    consts = getattr(ipaddress, "_IPv6Constants", None)
    if not _V4_EDGES:
        return []
    nets = []
    for name in ("_private_networks", "_reserved_networks"):
        table = getattr(consts, name, None)
        if not isinstance(table, list):
            return []
        nets += table
    nets += getattr(consts, "_private_networks_exceptions", [])
    for name in ("_multicast_network", "_linklocal_network"):
        net = getattr(consts, name, None)
        if not isinstance(net, ipaddress.IPv6Network):
            return []
        nets.append(net)
    nets += [ipaddress.ip_network("::/128"), ipaddress.ip_network("::1/128")]
    mapped = int(ipaddress.IPv6Address("::ffff:0:0"))
    edges = {0} | {int(n.network_address) for n in nets} | {int(n.broadcast_address) + 1 for n in nets}
    edges |= {mapped + e for e in _V4_EDGES} | {mapped, mapped + 1, mapped + 2 ** 32}
    return sorted(edges - {2 ** 128})


_V6_EDGES = _v6_edges()
_V6_CLASSES = [_ip_class(ipaddress.IPv6Address(e)) for e in _V6_EDGES]


# A comment, nesting to depth 3. At every point at most one branch can match (they start with
# different characters: plain, backslash, open paren), so the match from a given "(" is unique and
# backtracking can never find another: runs of plain characters are taken whole and nothing is given
# back (possessive), which matches exactly what the one-character-per-step form matched, faster.
_COMMENT = re.compile(r"(\((?:[^()\\]++|\\.|\((?:[^()\\]++|\\.|\([^()]*+\))*+\))*+\))")
_MARKER = re.compile(r"\x00(\d+)")
_MARKER_WORDS = [f" \x00{n} " for n in range(2001)]  # comment n's stand-in; a 4000-character head holds at most 2000
_TRAILING_COMMENT = re.compile(r"\s*\([^)]*\)\s*$")


def _split(value: str) -> tuple[list[str], list[int], list[str], str]:
    """Tokenise: the words outside comments (each comment replaced by a marker word "\\x00<n>"), the
    positions of the clause keywords among them, the comments, and the date text."""
    head, sep, date = value.rpartition(";")
    if not sep:
        head, date = value, ""
    head = head[:4000]
    comments: list[str] = []
    flat = head
    if "(" in head:
        # Each comment becomes " \x00<n> " (n = its position in `comments`): a word of its own.
        pieces = _COMMENT.split(head)  # text, comment, text, ... (the pattern's one group is the comment)
        if len(pieces) > 1:
            comments = [c[1:-1] for c in pieces[1::2]]
            pieces[1::2] = _MARKER_WORDS[:len(comments)]  # "()" is the shortest comment: enough of them
            flat = "".join(pieces)
    if "(" in flat or ")" in flat:
        flat = flat.replace("(", " ").replace(")", " ")
    toks = flat.split()
    starts = list(compress(count(), map(_KEYWORD_FORMS.__contains__, toks)))  # positions of the keywords
    return toks, starts, comments, date.strip()


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Every case form of each month's name (the pattern takes exactly three ASCII letters, whose case is
# all lower() changes): the month is one dict probe on the text as written.
_MONTHS = {form: i for i, m in enumerate(_MONTH_NAMES, 1) for form in _case_forms(m)}
# The one date shape nearly every MTA writes, with or without one trailing comment ("(PDT)", which
# half of them add); anything else goes to the email package's parser.
_COMMON_DATE = re.compile(r"\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+([1-9]\d{3})\s+(\d{2}):(\d{2}):(\d{2})"
                          r"\s+([+-]\d{4})\s*(?:\([^)]*\)\s*)?")


def _without_comment(text: str) -> str:
    return _TRAILING_COMMENT.sub("", text) if ")" in text else text


def _parse_date(text: str) -> datetime:
    """`email.utils.parsedate_to_datetime` of the text without its trailing comment, with the
    result computed directly for the common `[Day,] DD Mon YYYY HH:MM:SS +hhmm [(comment)]` shape
    (same numbers, same naive result for "-0000", same ValueError for impossible values).

    The comment is matched, not removed first: the common part holds no parenthesis, so when the
    pattern matches, the trailing-comment pattern would remove exactly that comment and the
    whitespace before it (the common shape ends in optional whitespace either way), and when it
    does not match, neither would the text without that comment."""
    m = _COMMON_DATE.fullmatch(text)
    if m is None:
        return parsedate_to_datetime(_without_comment(text))
    dd, mon, yy, hh, mi, ss, tz = m.groups()
    month = _MONTHS.get(mon)
    if month is None:
        return parsedate_to_datetime(_without_comment(text))
    zone = _zone(tz)
    if zone is None:
        return datetime(int(yy), month, int(dd), int(hh), int(mi), int(ss))
    return datetime(int(yy), month, int(dd), int(hh), int(mi), int(ss), tzinfo=zone)


@lru_cache(maxsize=1024)  # a few dozen zones occur; building a timezone per header is wasted work
def _zone(tz: str) -> timezone | None:
    """The fixed zone of "+hhmm" / "-hhmm"."""
    offset = int(tz[1:3]) * 3600 + int(tz[3:5]) * 60
    if offset == 0 and tz[0] == "-":  # RFC 5322: "-0000" means the zone is unknown (a naive result)
        return None
    return timezone(timedelta(seconds=-offset if tz[0] == "-" else offset))


def _first_word(toks: list[str], start: int, end: int) -> str | None:
    """The first word of toks[start:end] once comment markers are removed (a marker is a word of its
    own unless the header itself held a NUL, when "\\x00<digits>" inside a word is removed too)."""
    for i in range(start, end):
        t = toks[i]
        if "\x00" not in t:
            return t
        words = _MARKER.sub(" ", t).split()
        if words:
            return words[0]
    return None


def parse_hop(value: str, index: int = 0) -> Hop:
    hop = Hop(index, value[:2000])
    toks, starts, comments, date = _split(value)
    hop.comments = comments
    # The first clause of each kind wins; words before any keyword, and `via`, name nothing we keep.
    # A clause runs from its keyword to the next keyword (or the end).
    forms = _KEYWORD_FORMS
    ends = starts[1:]
    ends.append(len(toks))  # (one more end than starts when there is no keyword: zip stops first)
    for i, end in zip(starts, ends, strict=False):
        key = forms[toks[i]]
        # The clause's first word: the word after the keyword, unless that is a comment marker or
        # holds a NUL (then _first_word looks further). A clause may also be empty.
        j = i + 1
        if j < end:
            first = toks[j]
            if "\x00" in first:
                first = _first_word(toks, j, end)
        else:
            first = None
        if key == "from":
            if hop.helo is not None:  # an earlier `from` clause named the client
                continue
            hop.helo = first.strip("[]") if first else None
            if not first:
                # No word: the clause holds at most comment markers (whose comments still name the
                # client); nothing else below applies without a first word.
                if j < end:
                    _read_markers(hop, " ".join(toks[j:end]), comments)
                continue
            # `from [2a02:…]; authenticated by …`: the semicolon ends the word, it is not part of it
            hop.from_word = first.rstrip(";").strip("[]") or None
            text = toks[j] if end - j == 1 else " ".join(toks[j:end])  # most clauses are one word
            if "\x00" in text:
                _read_markers(hop, text, comments)
            if hop.ip is None:
                if "[" in text:
                    for m in _IP_BRACKET.finditer(text):
                        if ip := ip_text(m.group(1)):
                            hop.ip = ip
                            break
                if hop.ip is None:
                    hop.ip = ip_text(first)
        elif key == "by":
            if hop.by is None:
                hop.by = first
        elif key == "with":
            if hop.with_ is None:
                hop.with_ = first
        elif key == "id":
            if hop.id is None:
                hop.id = first
        elif key == "for":
            if hop.for_ is None and first:
                hop.for_ = first.strip("<>")
    if hop.helo and hop.helo.lower() in ("unknown", "[unknown]"):
        hop.helo = None
    if date:
        try:
            dt = _parse_date(date)  # (a trailing comment is ignored)
            hop.date = dt if dt.tzinfo else dt.replace(tzinfo=UTC)  # "-0000": UTC, zone unknown
        except (TypeError, ValueError, IndexError, OverflowError):
            hop.date = None
    return hop


def _read_markers(hop: Hop, text: str, comments: list[str]) -> None:
    """Read the comments whose markers stand in `text` (a from clause), in order."""
    ncom = len(comments)
    for m in _MARKER.findall(text):
        k = int(m)
        if k < ncom:
            _read_from_comment(hop, comments[k])


def _read_from_comment(hop: Hop, comment: str) -> None:
    # `helo`/`ehlo` in any case contains "lo" in some case: most comments have none of the four.
    m = _HELO_IN_COMMENT.search(comment) if ("lo" in comment or "LO" in comment or "Lo" in comment
                                             or "lO" in comment) else None
    if m:
        # Exim: `from rdns ([ip] helo=name)` - the leading word was the reverse name.
        if hop.helo and is_hostname(hop.helo) and hop.rdns is None:
            hop.rdns = hop.helo
        hop.helo = m.group(1).strip("[]")
    # The client's address, never the name it gave: qmail writes `(HELO 192.168.2.1) (198.51.100.9)`,
    # so an address inside the HELO text is not where the connection came from.
    text = comment[:m.start()] + " " + comment[m.end():] if m else comment
    # A bracketed address needs "["; a bare one three dots (IPv4) or two colons (IPv6). Most
    # comments ("Postfix", "using TLSv1.3") have neither, and skip both regexes.
    if hop.ip is None and ("[" in text or text.count(".") >= 3 or text.count(":") >= 2):
        for cand in (_IP_BRACKET.findall(text) if "[" in text else []) or _IP_BARE.findall(text):
            if ip := ip_text(cand):
                hop.ip = ip
                break
    if hop.rdns is None:
        stripped = comment.strip()
        word = stripped.split(" ", 1)[0].rstrip(".") if stripped else ""
        if word and "=" not in word and is_hostname(word) and word.lower() not in ("unknown", "helo", "ehlo"):
            hop.rdns = word


def parse_chain(msg: Message) -> list[Hop]:
    """Every Received header, topmost (newest) first."""
    return [parse_hop(h.value, i) for i, h in enumerate(msg.header_fields("received")[:MAX_RECEIVED])]
