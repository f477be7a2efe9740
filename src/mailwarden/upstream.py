"""Trusted upstream: believe a mailbox provider's own authentication results, and nothing else.

A gateway that sits behind Microsoft 365, Google Workspace/Gmail or Proton sees each message
only after that provider received and judged it. The provider's verdict is written into the
message at its *receiving hop*; everything below that hop (older headers) was in the message
when it arrived there, so it is text the sender controlled, whoever it claims to be.

How a provider is recognised (never by a name inside an Authentication-Results header alone:
Exchange Online writes its header with no authserv-id at all):
1. The topmost Received header is the provider's (its `by` host is one of the provider's),
   or it is our own hand-off hop *from* one of the provider's hosts and the next one is.
2. The provider's block continues down while the `by` host stays the provider's; the last
   hop of that block is the receiving hop (where the provider accepted the message).
3. Only Authentication-Results / ARC-Authentication-Results headers that sit *above* the
   receiving hop and whose writer is the provider's (authserv-id, or Exchange's missing id)
   are believed. For each method the header nearest the receiving hop wins; plain
   Authentication-Results beat ARC-Authentication-Results.

Hybrid routing: a Microsoft 365 tenant whose mail passes through its own on-premises servers
(an MX gateway in front of Exchange Online, or an outbound relay) hands it to Microsoft through
a connector. Microsoft then judges SPF (and so DMARC's SPF half) against the tenant's own relay,
not the sender, and those verdicts say nothing about who sent the message. Microsoft marks such
a hop itself (`UpstreamResults.on_prem`, see `own_relay_stamp`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailwarden.auth.authres import ARHeader, ARResult, domain_of, parse_authentication_results, read_head
from mailwarden.message import Header, Message
from mailwarden.received import Hop, parse_hop

_POLICY = re.compile(r"\bp=([a-z]+)", re.I)
_IPV6_LITERAL = re.compile(r"^[0-9a-f]{1,4}(:[0-9a-f]{0,4}){2,7}$", re.I)


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    hop_host: re.Pattern  # `by` hosts of the provider's own hops
    writer_ids: re.Pattern  # authserv-ids the provider writes
    no_authserv_id: bool = False  # the provider writes Authentication-Results without an authserv-id
    internal_ipv6_hops: bool = False  # Gmail's internal hops read "by 2002:a05:...: with SMTP id"
    # Proton sometimes rewrites the header with its Authentication-Results placed right after the
    # whole Received trace (below the receiving hop). Those are believed too, but because sender
    # text could sit next to them, the *worst* result per method wins there.
    relocates_results: bool = False

    def is_hop(self, by_host: str | None, value: str = "") -> bool:
        if not by_host:
            return False
        h = by_host.lower().rstrip(".")
        if self.hop_host.search(h):
            return True
        return self.internal_ipv6_hops and bool(_IPV6_LITERAL.match(h.rstrip(":"))) and "with SMTP id" in value

    def writes(self, hdr: ARHeader) -> bool:
        return self.writes_id(hdr.authserv_id)

    def writes_id(self, authserv_id: str | None) -> bool:
        """Whether a header with this authserv-id (None: it has none) is the provider's."""
        if authserv_id is None:
            return self.no_authserv_id
        return bool(self.writer_ids.fullmatch(authserv_id))


PROVIDERS: dict[str, Provider] = {
    "microsoft": Provider(
        "microsoft", "Microsoft 365 / Exchange Online",
        re.compile(r"(^|\.)(outlook\.com|office365\.com|outlook\.office365\.com|protection\.outlook\.com)$"),
        re.compile(r"mx\.microsoft\.com|[a-z0-9.-]*\.protection\.outlook\.com|[a-z0-9.-]*\.prod\.outlook\.com"),
        no_authserv_id=True),
    "google": Provider(
        "google", "Google Workspace / Gmail",
        re.compile(r"(^|\.)(mx\.google\.com|google\.com)$"),
        re.compile(r"mx\.google\.com"),
        internal_ipv6_hops=True),
    "proton": Provider(
        "proton", "Proton Mail",
        re.compile(r"(^|\.)(protonmail\.ch|proton\.ch|protonmail\.com|proton\.me)$"),
        re.compile(r"(mail|mailin\d*|mailinosl\d*|mail\d*)\.protonmail\.ch"),
        relocates_results=True),

    # Your own boundary MTA in front of mailwarden: hosts under config `own_domains`. The
    # definition is completed per engine by `boundary_provider()`.
    "boundary": Provider(
        "boundary", "your own boundary MTA (hosts under own_domains)",
        re.compile(r"(?!)"), re.compile(r"(?!)")),
}


def boundary_provider(own_domains: list[str], own_authserv_id: str | None = None) -> Provider:
    """The `boundary` provider for an organisation: its MTAs are hosts under `own_domains`, and they
    write Authentication-Results under such a host name (never under mailwarden's own authserv-id,
    which only mailwarden writes)."""
    doms = [d.lower().strip(".") for d in own_domains if d.strip(".")]
    if not doms:
        return PROVIDERS["boundary"]
    alt = "|".join(re.escape(d) for d in doms)
    own = re.escape(own_authserv_id.lower()) if own_authserv_id else None
    writer = rf"(?!{own}$)(?:[a-z0-9-]+\.)*(?:{alt})" if own else rf"(?:[a-z0-9-]+\.)*(?:{alt})"
    return Provider("boundary", PROVIDERS["boundary"].label, re.compile(rf"(^|\.)(?:{alt})$"), re.compile(writer))


AR_NAMES = ("authentication-results", "arc-authentication-results")


def received_hosts(value: str) -> tuple[str | None, str | None]:
    """(from host, by host) of one Received header value, as `mailwarden.received` parses it. Only
    words outside comments count: the sender writes comments (HELO text, "(authenticated by …)"),
    so a `by` inside one proves nothing."""
    return _hosts(parse_hop(value))


def _hosts(hop: Hop) -> tuple[str | None, str | None]:
    return hop.from_word, (hop.by.strip("[]") or None) if hop.by else None


class ARSeen:
    """One Authentication-Results-like header in the message, with its position; parsed on demand."""

    __slots__ = ("index", "name", "value", "_header", "_head")

    def __init__(self, index: int, name: str, value: str) -> None:
        self.index = index  # position among all header fields, 0 = topmost (newest)
        self.name = name
        self.value = value
        self._header: ARHeader | None = None
        self._head: tuple[str | None, int | None, list[str]] | None = None

    @property
    def header(self) -> ARHeader:
        if self._header is None:
            self._header = parse_authentication_results(self.value, arc=self.arc, head=self._head)
        return self._header

    @property
    def authserv_id(self) -> str | None:
        """`header.authserv_id`, read without parsing the results: who wrote a header is asked of
        every header above a provider's hop, its results only of the provider's own."""
        if self._header is not None:
            return self._header.authserv_id
        if self._head is None:
            self._head = read_head(self.value, arc=self.arc)
        return self._head[0]

    @property
    def arc(self) -> bool:
        return self.name.lower() == "arc-authentication-results"


def authres_headers(msg: Message) -> list[ARSeen]:
    out = []
    for i, h in enumerate(msg.headers):
        k = h.key
        if k in AR_NAMES:
            out.append(ARSeen(i, h.name, h.value))
            if len(out) >= 50:
                break
    return out


@dataclass
class UpstreamResults:
    provider: str
    hop_index: int  # header index of the receiving hop's Received header
    hop: str  # that Received header, clipped, for evidence
    spf: dict = field(default_factory=lambda: {"result": "none", "domain": None})
    dkim: list[dict] = field(default_factory=list)
    dmarc: dict = field(default_factory=lambda: {"result": "none", "domain": None, "policy": None})
    arc: dict = field(default_factory=lambda: {"result": "none"})
    believed: list[ARSeen] = field(default_factory=list)  # the headers the results came from
    mine: list[ARSeen] = field(default_factory=list)  # every header the provider wrote above its hop
    reported: set[str] = field(default_factory=set)  # methods the provider actually gave a result for
    compauth: dict | None = None  # Exchange Online's composite authentication: {"result", "reason"}
    # Microsoft's own stamp saying the receiving hop's client was the tenant's own on-premises
    # server (hybrid routing), as evidence text; None otherwise. See `own_relay_stamp`.
    on_prem: str | None = None
    hop_ordinal: int = 0  # the receiving hop's place among Received headers (0 = topmost): msg.received_hop(n)


def receiving_hop(msg: Message, provider: Provider) -> tuple[int, str] | None:
    """(header index, value) of the provider's receiving hop, when the message came through it."""
    n = _receiving_ordinal(msg, provider)
    if n is None:
        return None
    index, field = _received_positions(msg)[n]
    return index, field.value


def _receiving_ordinal(msg: Message, provider: Provider) -> int | None:
    """The receiving hop's place among the Received headers (0 = topmost), as `receiving_hop` finds it."""
    recs = _received_positions(msg)
    if not recs:
        return None
    hop = msg.received_hop  # each hop parsed once per message, in the same order as `recs`
    start = 0
    frm, by = _hosts(hop(0))
    if not _is_hop(provider, by, recs[0][1]):
        # our own hand-off hop: received *from* the provider's host
        if not (frm and provider.hop_host.search(frm.lower().rstrip("."))) or len(recs) < 2:
            return None
        start = 1
        if not _is_hop(provider, _hosts(hop(1))[1], recs[1][1]):
            return None
    last = start
    for j in range(start + 1, len(recs)):
        if _is_hop(provider, _hosts(hop(j))[1], recs[j][1]):
            last = j
        else:
            break
    return last


def _is_hop(provider: Provider, by_host: str | None, field: Header) -> bool:
    """`provider.is_hop(by_host, field.value)`, reading the field's value only when it decides."""
    if not by_host:
        return False
    h = by_host.lower().rstrip(".")
    if provider.hop_host.search(h):
        return True
    return provider.internal_ipv6_hops and bool(_IPV6_LITERAL.match(h.rstrip(":"))) and "with SMTP id" in field.value


def _received_positions(msg: Message) -> list[tuple[int, Header]]:
    """(header index, field) of the topmost 40 Received headers, computed once per message."""
    found = msg.__dict__.get("_upstream_received")
    if found is None:
        found = [(i, h) for i, h in enumerate(msg.headers) if h.key == "received"][:40]
        msg.__dict__["_upstream_received"] = found
    return found


def believe(msg: Message, provider_names: list[str], seen: list[ARSeen] | None = None,
            definitions: dict[str, Provider] | None = None) -> UpstreamResults | None:
    """The results of the configured provider nearest the top that the message came through, or None.
    `definitions` overrides PROVIDERS entries (the engine's completed `boundary`)."""
    seen = authres_headers(msg) if seen is None else seen
    best: UpstreamResults | None = None
    for name in provider_names:
        prov = (definitions or {}).get(name) or PROVIDERS.get(name)
        if prov is None:
            continue
        ordinal = _receiving_ordinal(msg, prov)
        if ordinal is None:
            continue
        idx, field = _received_positions(msg)[ordinal]
        value = field.value
        mine = [s for s in seen if s.index < idx and prov.writes_id(s.authserv_id)]
        worst = False
        if not mine and prov.relocates_results:
            mine = [s for s in _after_trace(msg, seen) if prov.writes_id(s.authserv_id)]
            worst = True
        if not mine:
            continue
        res = _merge(prov.name, idx, value, mine, worst)
        res.hop_ordinal = ordinal
        if prov.name == "microsoft":
            res.on_prem = own_relay_stamp(msg, msg.received_hop(ordinal).ip)
        # Several providers in a chain (e.g. Gmail forwarding into Microsoft): the one nearest
        # the top is the one the gateway actually sits behind.
        if best is None or idx < best.hop_index:
            best = res
    return best


_ENTITY = "x-ms-exchange-crosstenant-fromentityheader"
_CONNECTING = "x-ms-exchange-crosstenant-originalattributedtenantconnectingip"
_CONNECTING_IP = re.compile(r"(?:^|;)\s*ip=\[([^\]]{1,64})\]", re.I)


def own_relay_stamp(msg: Message, hop_ip: str | None) -> str | None:
    """Microsoft's stamp that it received the message from the tenant's own on-premises
    servers through the tenant's connector (`FromEntityHeader: HybridOnPrem`), as evidence text;
    None when the message does not carry exactly that.

    Exchange Online strips the X-MS-Exchange-CrossTenant-* fields a message arrives with and stamps
    its own, so behind a trusted Microsoft hop the single stamp is Microsoft's. A second copy means
    one came from the sender, and then neither is believed. The stamp must also name the receiving
    hop's client address: it is about that hop, not an earlier one."""
    entity = msg.header_fields(_ENTITY)
    if len(entity) != 1 or entity[0].value.strip().lower() != "hybridonprem" or not hop_ip:
        return None
    connecting = msg.header_fields(_CONNECTING)
    if len(connecting) != 1:
        return None
    m = _CONNECTING_IP.search(connecting[0].value)
    if m is None or m.group(1).strip().lower() != hop_ip.lower():
        return None
    return f"{entity[0].name}: {entity[0].value.strip()}; {connecting[0].name}: {' '.join(connecting[0].value.split())[:160]}"


def _after_trace(msg: Message, seen: list[ARSeen]) -> list[ARSeen]:
    """The run of Authentication-Results fields directly after the last Received field."""
    last = max((i for i, h in enumerate(msg.headers[:400]) if h.key == "received"), default=-1)
    if last < 0:
        return []
    by_index = {s.index: s for s in seen}
    out = []
    i = last + 1
    while i in by_index and not by_index[i].arc:
        out.append(by_index[i])
        i += 1
    return out


_BADNESS = {"fail": 6, "softfail": 5, "permerror": 4, "temperror": 3, "policy": 3, "neutral": 2, "none": 1,
            "pass": 0}


def _merge(provider: str, idx: int, hop: str, mine: list[ARSeen], worst: bool = False) -> UpstreamResults:
    out = UpstreamResults(provider, idx, " ".join(hop[:1000].split())[:300])
    # nearest the receiving hop first; plain A-R before ARC-A-R
    ordered = sorted(mine, key=lambda s: (s.arc, -s.index))
    used: set[int] = set()

    def first(method: str) -> tuple[ARSeen, list[ARResult]] | None:
        if worst:  # relocated results: the least favourable claim for the method wins
            cands = [(s, r) for s in ordered for r in s.header.results if r.method == method]
            if not cands:
                return None
            s, r = max(cands, key=lambda c: _BADNESS.get(_word(c[1].result), 3))
            used.add(s.index)
            out.reported.add(method)
            if method == "dkim":
                return s, [r2 for _, r2 in cands]
            out.reported.add(method)
            return s, [r]
        for s in ordered:
            rs = [r for r in s.header.results if r.method == method]
            if rs:
                used.add(s.index)
                out.reported.add(method)
                return s, rs
        return None

    if hit := first("spf"):
        r = hit[1][0]
        out.spf = {"result": _word(r.result), "domain": domain_of(r.prop("smtp.mailfrom") or r.prop("smtp.helo"))}
    if hit := first("dkim"):
        seen_keys = set()
        for r in hit[1]:
            d = domain_of(r.prop("header.d") or r.prop("header.i"))
            if not d and r.result == "none":
                continue
            key = (d, r.prop("header.s"), r.result)
            if key in seen_keys:
                continue
            seen_keys.add(key)
            out.dkim.append({"result": _word(r.result), "domain": d or "", "selector": r.prop("header.s") or ""})
    if hit := first("dmarc"):
        r = hit[1][0]
        m = _POLICY.search(r.comment)
        policy = m.group(1).lower() if m and m.group(1).lower() in ("none", "quarantine", "reject") else None
        out.dmarc = {"result": _word(r.result), "domain": domain_of(r.prop("header.from")), "policy": policy}
    if hit := first("arc"):
        out.arc = {"result": _word(hit[1][0].result)}
    if hit := first("compauth"):
        r = hit[1][0]
        out.compauth = {"result": r.raw_result or r.result, "reason": (r.reason or r.prop("reason") or "")[:20]}
    if worst and out.dmarc["result"] != "pass":
        # sender text may sit in a relocated block: a DKIM pass is believed there only when the
        # provider's (worst) DMARC verdict corroborates it
        out.dkim = [d for d in out.dkim if d["result"] != "pass"]
    out.believed = [s for s in mine if s.index in used]
    out.mine = list(mine)
    return out


def _word(result: str) -> str:
    r = result.lower()
    return r if r in ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy") else (
        "fail" if r == "hardfail" else "none")
