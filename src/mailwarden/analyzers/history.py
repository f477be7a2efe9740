"""Memory across messages: sender history, first contact, campaigns and bursts.

Stateless unless the engine has a state directory (or `[store] dsn`): `setup()` opens
`engine.store` then, and only then. `analyze()` reads the store (campaign matches, bursts,
first contact); `finalize()` records the verdict when `engine.record_history` is true and sets
`verdict.campaign`.

Reads: `ctx.from_info`, `ctx.auth` and `ctx.facts["auth"]` (authenticated domain), `ctx.platform`
(name, optional "tenant"), `ctx.urls` (links analyzer; a plain URL scan when that analyzer is not
loaded), `ctx.phones`, `ctx.facts["attachments"]` (dicts or objects with a `sha256`; hashed here
when absent).
Sets: `ctx.facts["history"]` (a `HistoryFacts`), `ctx.campaign` (the campaign this message joins,
when one exists already).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mailwarden.addresses import parse_address_list
from mailwarden.analyzers.base import Analyzer
from mailwarden.brands import brand_for_domain
from mailwarden.campaigns import (
    fallback_urls,
    html_structure_hash,
    is_token,
    landing,
    lsh_bands,
    text_minhash,
)
from mailwarden.findings import Finding
from mailwarden.psl import registrable_domain
from mailwarden.store import Link, MessageRecord, open_store
from mailwarden.store.base import MALICIOUS_ACTIONS, sending_orgs

if TYPE_CHECKING:
    from mailwarden.context import ScanContext
    from mailwarden.engine import Engine
    from mailwarden.message import Message
    from mailwarden.verdict import Verdict

log = logging.getLogger(__name__)


@dataclass
class HistoryFacts:
    record: MessageRecord
    links: list[Link] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)  # existing campaigns this message links to
    pivot_hits: dict[tuple[str, str], int] = field(default_factory=dict)  # earlier messages per pivot


def _addr(value: str | None) -> str | None:
    return value.strip().lower() if value and "@" in value else None


def _domain_of(addr: str | None) -> str | None:
    return addr.rsplit("@", 1)[1] if addr else None


def _auth_domain(ctx: ScanContext) -> str | None:
    facts = ctx.facts.get("auth")
    if facts is not None:
        dom = getattr(facts, "dmarc_domain", None)
        if getattr(facts, "dmarc_result", None) == "pass" and dom:
            return str(dom).lower()
        aligned = sorted(getattr(facts, "aligned_domains", None) or ())
        if aligned:
            return str(aligned[0]).lower()
    dmarc = (ctx.auth or {}).get("dmarc") or {}
    if dmarc.get("result") == "pass" and dmarc.get("domain"):
        return str(dmarc["domain"]).lower()
    return None


def _attachment_hashes(msg: Message, ctx: ScanContext) -> list[str]:
    """SHA-256 of the attachments that can be campaign pivots.

    Inline images (logos, signature pictures) repeat across a sender's ordinary mail and are left out.
    The attachments analyzer's hashes are used when it ran; the parts are hashed here otherwise.
    """
    inline: set[str] = set()
    own: list[str] = []
    for ent in msg.attachments[:50]:
        is_inline = ent.content_type.startswith("image/") and (ent.header("content-id")
                                                              or ent.disposition[0] == "inline")
        try:
            digest = hashlib.sha256(ent.payload).hexdigest() if (is_inline or "attachments" not in ctx.facts) \
                else None
        except Exception:  # noqa: BLE001 - an undecodable part is the attachments analyzer's business
            continue
        if digest is None:
            continue
        (inline.add if is_inline else own.append)(digest)
    facts = ctx.facts.get("attachments")
    if isinstance(facts, list | tuple):
        hashes = []
        for a in facts:
            h = a.get("sha256") if isinstance(a, dict) else getattr(a, "sha256", None)
            if h and str(h).lower() not in inline:
                hashes.append(str(h).lower())
        return list(dict.fromkeys(hashes))
    return list(dict.fromkeys(own))


def _names_a_resource(key: str) -> bool:
    """A path naming one specific object: an id-like segment (a form or document id) before the end."""
    segments = key.split("/")[1:]
    return any(is_token(seg) for seg in segments)


@lru_cache(maxsize=4096)
def _big_brand(domain: str) -> bool:
    try:
        return brand_for_domain(domain) is not None
    except Exception:  # noqa: BLE001 - brand data is an aid here, never a reason to fail
        return False


@lru_cache(maxsize=4096)
def _url_facts(url: str) -> tuple[str, str, bool] | None:
    """(landing key, registrable domain, can be a campaign pivot) of a link, None when it has no host.

    A pure function of the URL (the Public Suffix List and brand data are fixed for the process), and
    the same links recur within a message and across a sender's mail: cached, so urlsplit, the PSL walk
    and the brand lookup run once per recently seen link.
    """
    hit = landing(url)
    if hit is None:
        return None
    key, host = hit
    dom = registrable_domain(host)
    # A big brand's own pages (homepage, privacy link, social icon) are in legitimate and phishing mail
    # alike; only a specific resource there (a form, a shared file) is a lure.
    return key, dom, not _big_brand(dom) or _names_a_resource(key)


class HistoryAnalyzer(Analyzer):
    name = "history"
    requires = ("auth", "links", "lures", "attachments", "headers", "platform")

    def setup(self, engine: Engine) -> None:
        self._records = 0
        self._max_id = 0
        if engine.store is None and (engine.state_dir or engine.config.section("store").get("dsn")):
            engine.store = open_store(engine.state_dir, engine.config)

    # --- analysis ---------------------------------------------------------------------------------------
    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        store = ctx.engine.store
        if store is None:
            return
        store.readonly = not ctx.engine.record_history
        rec = self._fingerprint(msg, ctx)
        hits: dict[tuple[str, str], int] = {}
        links = store.find_links(rec.signature, rec.bands, rec.pivots, hits=hits)
        facts = HistoryFacts(rec, links, pivot_hits=hits)
        ctx.facts["history"] = facts
        yield from self._campaign_findings(store, facts, ctx)
        yield from self._burst_findings(store, rec, hits)
        yield from self._contact_findings(store, rec, ctx)

    def _fingerprint(self, msg: Message, ctx: ScanContext) -> MessageRecord:
        now = time.time()
        from_addr = _addr(ctx.from_info.get("address"))
        from_domain = (ctx.from_info.get("domain") or _domain_of(from_addr) or "").lower() or None
        reply_to = None
        rt = msg.header("reply-to")
        if rt:
            boxes = parse_address_list(rt, 5).mailboxes
            reply_to = _addr(boxes[0].address) if boxes else None
        return_path = _addr(ctx.envelope.mail_from) or _addr((msg.header("return-path") or "").strip("<> \t"))
        auth_domain = _auth_domain(ctx)
        platform = ctx.platform or {}
        tenant = platform.get("tenant") or platform.get("field")
        own = {registrable_domain(d) for d in (from_domain, auth_domain) if d}

        urls = list(ctx.urls)
        if not urls and ctx.engine.analyzer("links") is None:
            urls = fallback_urls(msg.text, msg.html)
        # A platform's notifications are near-duplicates by design (its template): for them only the
        # exact pivots (phone, Reply-To, foreign landing pages) say "same campaign".
        signature = None if platform.get("name") else text_minhash(msg.visible_text)
        rec = MessageRecord(seen=now, score=0.0, action="accept", date_header=(msg.header("date") or None),
                            message_id=msg.message_id, subject=msg.subject[:300] or None, from_addr=from_addr,
                            from_domain=from_domain, auth_domain=auth_domain, reply_to=reply_to,
                            return_path=return_path, platform=platform.get("name"),
                            tenant=str(tenant)[:200] if tenant else None, signature=signature,
                            html_hash=html_structure_hash(msg.html) if msg.html else None,
                            bands=lsh_bands(signature) if signature else [])
        link_domains: list[str] = []
        for url in urls[:100]:
            facts = _url_facts(url)
            if facts is None:
                continue
            key, dom, pivot = facts
            rec.indicators += [("url", key), ("domain", dom)]
            if dom not in own:
                # The sender's own site is where its ordinary mail points; only foreign landings link messages.
                link_domains.append(dom)
                if pivot:
                    rec.pivots.append(("url", key))
        for phone in ctx.phones[:20]:
            rec.indicators.append(("phone", phone))
            rec.pivots.append(("phone", phone))
        if reply_to and reply_to != from_addr:
            rec.indicators.append(("reply_to", reply_to))
            if registrable_domain(_domain_of(reply_to) or "") not in own:
                rec.pivots.append(("reply_to", reply_to))
        for h in _attachment_hashes(msg, ctx):
            rec.indicators.append(("attachment", h))
            rec.pivots.append(("attachment", h))
        if from_addr:
            rec.indicators.append(("sender", from_addr))
        rec.pivots = list(dict.fromkeys(rec.pivots))
        rec.link_domains = list(dict.fromkeys(link_domains))
        return rec

    def _campaign_findings(self, store: Any, facts: HistoryFacts, ctx: ScanContext) -> Iterator[Finding]:
        ids = sorted({store.resolve(lk.campaign) for lk in facts.links if lk.campaign})
        infos = [i for i in (store.campaign_info(c) for c in ids) if i]
        infos.sort(key=lambda i: (i["first_seen"], i["id"]))
        facts.campaigns = infos
        if not facts.links:
            return
        how = sorted({f"{lk.kind}: {lk.value}" if lk.kind != "text" else
                      f"near-duplicate text (similarity {lk.similarity:.2f})" for lk in facts.links})[:8]
        if infos:
            ctx.campaign = infos[0]["id"]
            size = sum(i["size"] for i in infos)
            marked = [i for i in infos if i["verdict"] == "malicious" and i["verdict_source"] == "analyst"]
            auto = [i for i in infos if i["verdict"] == "malicious" and i["verdict_source"] != "analyst"]
            if marked:
                yield Finding("CAMPAIGN_MARKED_MALICIOUS", f"This message belongs to campaign {marked[0]['id']}, "
                              "which an analyst marked malicious.", [f"campaign {marked[0]['id']}"] + how)
            elif auto:
                yield Finding("CAMPAIGN_MALICIOUS_MEMBER", f"This message belongs to campaign {auto[0]['id']}, "
                              "in which another message was already quarantined or rejected.",
                              [f"campaign {auto[0]['id']}"] + how)
            yield Finding("CAMPAIGN_MEMBER", f"This message joins campaign {infos[0]['id']} "
                          f"({size} earlier message{'s' if size != 1 else ''}).", [f"campaign {infos[0]['id']}"] + how)
        else:
            yield Finding("CAMPAIGN_MEMBER", "This message repeats an earlier one and starts a campaign with it.",
                          how)

    def _burst_findings(self, store: Any, rec: MessageRecord, hits: dict) -> Iterator[Finding]:
        s = store.settings
        since = rec.seen - s.burst_window_minutes * 60
        minutes = f"{s.burst_window_minutes:g} minutes"
        for kind, symbol, what in (("url", "CAMPAIGN_BURST_URL", "landing page"),
                                   ("phone", "CAMPAIGN_BURST_PHONE", "phone number")):
            for _k, value in [p for p in rec.pivots if p[0] == kind][:10]:
                if not hits.get((kind, value), 1):
                    continue  # nobody sent it before: no burst, and no query needed
                org = sending_orgs(rec.return_path, rec.from_domain)
                orgs, subjects, n = store.burst(kind, value, since, org, rec.subject)
                if orgs >= s.burst_senders or (s.burst_subjects and subjects >= s.burst_subjects and orgs >= 3):
                    yield Finding(symbol, f"The same {what} arrived from {orgs} different sending organisations "
                                  f"with {subjects} different subjects within {minutes}.",
                                  [f"{kind}: {value}", f"{n + 1} messages, {orgs} sending organisations, "
                                   f"{subjects} subjects"])
                    break

    def _contact_findings(self, store: Any, rec: MessageRecord, ctx: ScanContext) -> Iterator[Finding]:
        s = store.settings
        if self._max_id < s.first_contact_warmup:
            self._max_id = store.max_message_id()
            if self._max_id < s.first_contact_warmup:
                return  # a new store knows nobody yet: "never seen" would fire on everything
        sender = rec.from_addr
        from_count = store.contact_count("from", sender) if sender else 0
        if sender and from_count == 0:
            yield Finding("HISTORY_FIRST_CONTACT", f"{sender} has never written to this organisation before.",
                          [f"From: {sender}"])
        if rec.reply_to and rec.reply_to != sender and not store.contact_count("from", rec.reply_to) \
                and not store.contact_count("reply_to", rec.reply_to):
            yield Finding("HISTORY_REPLY_TO_FIRST_CONTACT", f"Replies go to {rec.reply_to}, an address that has "
                          "never written to or been a reply address for this organisation.",
                          [f"Reply-To: {rec.reply_to}", f"From: {sender or '(none)'}"])
        platform = ctx.platform or {}
        key = self._platform_key(rec)
        if platform.get("authenticated") and key and rec.reply_to and rec.reply_to != sender:
            if store.contact_count("platform", key) and not store.contact_count("platform_rt", key, rec.reply_to):
                yield Finding("HISTORY_PLATFORM_NEW_REPLY_TO", f"Mail from {platform.get('name')} ({key}) has "
                              f"not used the reply address {rec.reply_to} before.",
                              [f"platform sender: {key}", f"Reply-To: {rec.reply_to}"])
        domains = rec.link_domains
        if sender and domains and from_count >= s.sender_known_after:
            usual = set(store.contact_values("link", sender))
            new = [d for d in domains if d not in usual]
            if usual and len(new) == len(domains):
                yield Finding("HISTORY_SENDER_NEW_LINK_DOMAIN", f"{sender} usually links to "
                              f"{', '.join(sorted(usual)[:3])}; this message links only to domains it never "
                              "used before.", [f"new: {d}" for d in new[:5]] + [f"usual: {d}" for d in sorted(usual)[:5]])

    @staticmethod
    def _platform_key(rec: MessageRecord) -> str | None:
        if not rec.platform:
            return None
        return f"{rec.platform}:{rec.tenant or rec.from_addr or rec.auth_domain or ''}".lower()

    # --- recording --------------------------------------------------------------------------------------
    def finalize(self, msg: Message, ctx: ScanContext, verdict: Verdict) -> None:
        engine = ctx.engine
        store = engine.store
        facts: HistoryFacts | None = ctx.facts.get("history")
        if store is None or facts is None:
            return
        verdict.campaign = ctx.campaign
        if not engine.record_history:
            return
        rec = facts.record
        rec.score, rec.action = verdict.score, verdict.action
        # The engine sets verdict.file after finalize(); a front end may pass the label in facts.
        rec.file = verdict.file or ctx.facts.get("file")
        rec.symbols = [f.symbol for f in verdict.findings if f.weight > 0]
        if verdict.action not in MALICIOUS_ACTIONS:
            # Only mail that was let through counts as "has written to us" and teaches usual links.
            if rec.from_addr:
                rec.contacts.append(("from", rec.from_addr, ""))
                for d in rec.link_domains:
                    rec.contacts.append(("link", rec.from_addr, d))
            if rec.reply_to and rec.reply_to != rec.from_addr:
                rec.contacts.append(("reply_to", rec.reply_to, ""))
            key = self._platform_key(rec)
            if key and (ctx.platform or {}).get("authenticated"):
                rec.contacts.append(("platform", key, ""))
                if rec.reply_to and rec.reply_to != rec.from_addr:
                    rec.contacts.append(("platform_rt", key, rec.reply_to))
        _mid, campaign = store.record(rec, facts.links)
        verdict.campaign = campaign
        self._records += 1
        if self._records % 500 == 1:
            try:
                store.expire_if_due()
            except Exception:  # noqa: BLE001 - expiry is housekeeping; the next call retries
                log.exception("history expiry failed")


ANALYZER = HistoryAnalyzer
