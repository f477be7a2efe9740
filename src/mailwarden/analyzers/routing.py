"""Routing forensics: what the Received chain, X-Originating-IP and Message-ID say about the path.

Received headers below the receiving hop are written by whoever sent the message, so every
symbol here is weak on its own and weighted low; they matter in combination (a brand's From
entering through a stranger's server, a forged HELO). Mailing lists and archives add many hops
with their own clocks: delays and hop counts are judged generously.

Sets `ctx.facts["routing"]`: `{"hops": [received.Hop], "entry": Hop | None (the hop where the
message crossed into another organisation last, i.e. the sender's side of our boundary; None
when unknown, e.g. when a trusted provider received it from its tenant's own relay),
"origin_ip": str | None (X-Originating-IP or the bottom-most public hop), "message_id_domain"}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from functools import lru_cache
from typing import Any

from mailwarden.analyzers.base import Analyzer
from mailwarden.brands import FREEMAIL, BrandIndex, default_index, registrable_domain
from mailwarden.context import ScanContext
from mailwarden.findings import Finding
from mailwarden.message import Message
from mailwarden.received import Hop, ip_class, ip_of, is_hostname

_BACKWARDS = timedelta(minutes=30)  # clocks of small MTAs drift; less than this is noise
_LONG_DELAY = timedelta(days=3)
_MANY_HOPS = 25
_INTERNAL_TLDS = (".internal", ".local", ".lan", ".corp", ".localdomain", ".home", ".intra", ".private")
_MSGID_DOMAIN = re.compile(r"@([A-Za-z0-9.\-]+)>?\s*$")


@lru_cache(maxsize=65536)  # a pure function of a host name, asked for every hop's names
def _org(name: str | None) -> str:
    if not name or not is_hostname(name.rstrip(".")):
        return ""
    return registrable_domain(name.rstrip("."))


def entry_hop(hops: list[Hop], idx: BrandIndex | None = None) -> Hop | None:
    """The newest hop where one organisation handed the message to another: the sending side's
    last server as seen by the receiving side. Internal transfers (same registrable domain on
    both ends, or private addresses) are skipped."""
    for hop in hops:
        if not hop.ip:
            continue  # local delivery (LMTP, pipes) or a hop that records no address
        by_org, from_org = _org(hop.by), _org(hop.from_name)
        if from_org and by_org and from_org == by_org:
            continue
        if idx is not None and from_org and by_org and idx.infra_brands(from_org) & idx.infra_brands(by_org):
            continue  # one provider's internal hops (outlook.com -> office365.com)
        if ip_class(hop.ip) in ("private", "bogon") and not from_org:
            continue
        if hop.ip and ip_class(hop.ip) == "private":
            continue
        return hop
    return None


class RoutingAnalyzer(Analyzer):
    name = "routing"
    requires = ("headers", "auth")  # auth: whether the receiving hop came from our own relay

    def setup(self, engine: Any) -> None:
        self.index: BrandIndex = default_index()

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        hops = msg.received_hops
        vf = ctx.facts.get("visible_from")
        mb = vf.mailbox if vf is not None else None
        from_domain = (mb.domain if mb else "") or ""
        from_org = registrable_domain(from_domain) if from_domain else ""
        idx = self.index
        brand = idx.brand_for_domain(from_domain) if from_domain and from_org not in FREEMAIL else None
        entry = entry_hop(hops, idx)
        relay = getattr(ctx.facts.get("auth"), "own_relay_hop", None)
        if entry is not None and relay is not None and entry.index >= relay:
            # The trusted provider received it from its tenant's own relay: the message entered
            # that organisation further down, at a hop only its own servers recorded, and which
            # of those servers are its own is not known here. Better no entry than a wrong one.
            entry = None
        facts: dict[str, Any] = {"hops": hops, "entry": entry, "origin_ip": None, "message_id_domain": None}
        ctx.facts["routing"] = facts
        listish = msg.header("list-id") is not None

        # -- time: running backwards, or very long in transit
        dated = [h for h in hops if h.date is not None]
        for newer, older in zip(dated, dated[1:], strict=False):
            if newer.date + _BACKWARDS < older.date:
                yield Finding("RCVD_TIME_BACKWARDS", f"A later hop is stamped {older.date - newer.date} before an "
                              "earlier one: the chain has been edited or a clock is far off.",
                              [f"hop {older.index}: {older.date.isoformat()}",
                               f"hop {newer.index}: {newer.date.isoformat()}"])
                break
        if len(dated) >= 2:
            span = dated[0].date - dated[-1].date
            if span > _LONG_DELAY:
                yield Finding("RCVD_LONG_DELAY", f"The message spent {span.days} days between its first and last "
                              "recorded hop.", [f"first: {dated[-1].date.isoformat()}",
                                                f"last: {dated[0].date.isoformat()}"])
        if len(hops) > _MANY_HOPS:
            yield Finding("RCVD_MANY_HOPS", f"The message passed {len(hops)} servers, far more than mail needs.",
                          [f"{len(hops)} Received headers"])

        # -- addresses that cannot be on the public Internet
        for hop in hops:
            if ip_class(hop.ip) == "bogon":
                yield Finding("RCVD_BOGON_IP", f"A Received header names {hop.ip}, an address that never sends "
                              "mail on the Internet (reserved or unallocated).", [_clip(hop.raw)])
                break
        for hop in hops:
            # A private address between two different organisations' servers: the handover claims to
            # have crossed the Internet from an address that cannot be routed there.
            if ip_class(hop.ip) != "private":
                continue  # the condition below requires it; checked first because it is cheap
            f_org, b_org = _org(hop.from_name), _org(hop.by)
            ipo = ip_of(hop.ip)
            h_org = _org(hop.helo)
            # the cheap name tests first: most private hops are internal ones and stop there
            if f_org and b_org and ipo is not None and not ipo.is_loopback \
                    and not _same_owner(f_org, b_org) and not (h_org and _same_owner(h_org, b_org)) \
                    and not hop.from_name.lower().startswith("localhost") \
                    and not hop.from_name.lower().rstrip(".").endswith(_INTERNAL_TLDS):
                yield Finding("RCVD_PRIVATE_IP_CROSS_ORG", f"{hop.by} says it received the message from "
                              f"{hop.from_name} at the private address {hop.ip}.", [_clip(hop.raw)])
                break

        # -- HELO names that contradict what the receiver saw or what the From claims
        for hop in hops:
            helo = (hop.helo or "").rstrip(".").lower()
            if not helo or not is_hostname(helo):
                continue
            helo_brand = idx.brand_for_domain(helo)
            if not helo_brand:
                continue
            seen = hop.rdns.rstrip(".").lower() if hop.rdns else ""
            if ip_class(hop.ip) == "private":
                continue  # an internal hop: reverse names of private addresses prove nothing
            if seen and seen != helo and idx.brand_for_domain(seen) != helo_brand \
                    and helo_brand not in idx.infra_brands(seen):
                yield Finding("RCVD_HELO_FORGED_BRAND", f"A server introduced itself as {helo} "
                              f"({idx.brands[helo_brand].name}) but its address belongs to {seen}.",
                              [_clip(hop.raw)])
                break
        if entry is not None and entry.helo and ip_of(entry.helo) and entry.ip \
                and str(ip_of(entry.helo)) != entry.ip:
            yield Finding("RCVD_HELO_IP_MISMATCH", f"The sending server greeted with the address {entry.helo} "
                          f"but connected from {entry.ip}.", [_clip(entry.raw)])

        # -- a brand's From that entered through unrelated infrastructure
        if brand and brand != "own" and entry is not None and not listish:
            names = [n for n in (entry.rdns, entry.helo) if n and is_hostname(n.rstrip("."))]
            orgs = {_org(n) for n in names}
            known = any(idx.brand_for_domain(o) == brand or brand in idx.infra_brands(o) or o in idx.esp_orgs
                        for o in orgs)
            if not known:
                seen = ", ".join(names) or f"an unnamed host at {entry.ip or 'an unknown address'}"
                yield Finding("RCVD_BRAND_FOREIGN_INFRA", f"The message claims to be from "
                              f"{idx.brands[brand].name} but entered through {seen}, which is not "
                              f"{idx.brands[brand].name}'s mail infrastructure.",
                              [_clip(entry.raw), f"From domain: {from_domain}"])

        # -- X-Originating-IP
        xoi = msg.header("x-originating-ip")
        if xoi:
            cand = xoi.strip().strip("[]")
            cls = ip_class(cand)
            facts["origin_ip"] = str(ip_of(cand)) if cls else None
            if cls == "bogon":
                yield Finding("X_ORIGINATING_IP_BOGON", f"X-Originating-IP names {cand}, an address that cannot "
                              "send mail.", [f"X-Originating-IP: {xoi}"])
            elif cls == "public" and brand and brand != "own":
                yield Finding("X_ORIGINATING_IP_BRAND", f"A message claiming {idx.brands[brand].name} records a "
                              f"webmail or client origin address ({cand}); brands' notifications do not.",
                              [f"X-Originating-IP: {xoi}"])
        if facts["origin_ip"] is None:
            for hop in reversed(hops):
                if ip_class(hop.ip) == "public":
                    facts["origin_ip"] = hop.ip
                    break

        # -- Message-ID domain versus From domain
        mid = msg.message_id
        if not mid:
            yield Finding("MSGID_MISSING", "The message has no Message-ID.", ["(no Message-ID header)"])
        else:
            m = _MSGID_DOMAIN.search(mid)
            mdom = m.group(1).lower().rstrip(".") if m else ""
            facts["message_id_domain"] = mdom or None
            morg = _org(mdom)
            # Internal names (xt.local, mailhost.corp) are how big mailing services and companies'
            # own servers number messages: they name no one else's infrastructure. An unconfigured
            # machine's default (localhost.localdomain) still counts: brands' mail systems are set up.
            internal = morg.endswith(_INTERNAL_TLDS) and not morg.endswith(".localdomain")
            if brand and brand != "own" and morg and morg != from_org and not listish and not internal \
                    and idx.brand_for_domain(morg) != brand and brand not in idx.infra_brands(morg) \
                    and morg not in idx.esp_orgs:
                yield Finding("MSGID_BRAND_FOREIGN", f"The message claims {idx.brands[brand].name} but its "
                              f"Message-ID was made at {mdom}.", [f"Message-ID: {mid}", f"From domain: {from_domain}"])
            elif morg and idx.lookalike(morg):
                hit = idx.lookalike(morg)
                yield Finding("MSGID_LOOKALIKE", f"The Message-ID was made at {mdom}: {hit.detail[0].lower()}"
                              f"{hit.detail[1:]}", [f"Message-ID: {mid}"])


def _same_owner(a: str, b: str) -> bool:
    """github.net and github.com: one company's internal and public names."""
    x, y = a.split(".", 1)[0], b.split(".", 1)[0]
    return a == b or x.startswith(y) or y.startswith(x)


def _clip(text: str, n: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


ANALYZER = RoutingAnalyzer
