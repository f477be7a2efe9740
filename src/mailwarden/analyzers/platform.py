"""Phishing that trusted platforms send for the attacker.

When Microsoft, Google, GitHub, PayPal… really send a message, the attacker still wrote part of it:
a tenant or organisation name, a form title, a share comment, an invoice note, a display name, a
Reply-To. This analyzer:

1. recognises the platform from its profile (`data/platforms/*.toml`, see `mailwarden.platforms`):
   the sender address or Return-Path the platform uses, and whether authentication passed for one
   of the platform's domains (read from `ctx.facts["auth"]`, set by the auth analyzer);
2. finds the template and cuts out its attacker-writable fields (mail from a platform *customer* —
   a throwaway Microsoft 365 tenant, a Firebase project — is one big field);
3. runs the content checks on each field alone (`mailwarden.platform_fields`): phone numbers, money,
   other companies' brands, lure vocabulary, links the platform does not own, crypto addresses,
   oversized or oddly built fields;
4. for authenticated senders without a profile, learns the sender's template from history (the
   invariant skeleton versus the slots that vary) and checks the slots the same way;
5. flags the reverse case: a platform's brand and template phrases from a sender that is not the
   platform.

Authentication only selects the rules; it never lowers the score.

Sets `ctx.platform = {"name": str, "authenticated": bool}` (CONTRACT.md) and
`ctx.facts["platform"]`: `{"profile": name, "template": id | None, "authenticated": bool | None,
"fields": [FieldReport, ...]}` (authenticated is None when no auth analyzer ran).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from mailwarden.addresses import parse_address_list
from mailwarden.analyzers.base import Analyzer
from mailwarden.brands import default_index
from mailwarden.context import ScanContext
from mailwarden.findings import Finding
from mailwarden.message import Message
from mailwarden.platform_fields import (
    FieldReport,
    analyse_field,
    host_of,
    registrable_domain,
    urls_in_text,
)
from mailwarden.platforms import FieldSpec, Profile, Template, load_profiles

_ADDR = re.compile(r"<?([^<>\s@]+@[^<>\s@]+?)>?\s*$")
_FORWARD = re.compile(r"^\s*(?:fwd?|wg|tr|rv|enc)\s*:", re.IGNORECASE)
# Lure categories that mean something even alone in free text (a comment, a note, a body).
_STRONG = {"credential", "fake_2fa", "message_bait", "threat", "gift_card"}
# Crypto words are everyday vocabulary in technical notes ("crypto", "token", "ledger"): strong only
# in a name, where a tenant or form called "USDT Airdrop" has no innocent reading.
_STRONG_IN_NAME = _STRONG | {"crypto", "prize"}
_LEARN_MIN_SAMPLES = 5
_GENERIC_FIELDS = (
    FieldSpec("subject_line", "the subject line", "subject", re.compile(r"^(?P<field>.+)$", re.S), None,
              "free_text", 200, "any"),
    FieldSpec("sender_name", "the sender name", "display_name", None, None, "name", 80, "name"),
)


def _address(value: str | None) -> str | None:
    if not value:
        return None
    m = _ADDR.search(value.strip())
    return m.group(1).lower() if m else None


def _domain(addr: str | None) -> str | None:
    return addr.rsplit("@", 1)[1].lower() if addr and "@" in addr else None


class PlatformAnalyzer(Analyzer):
    name = "platform"
    requires = ("auth", "links", "lures", "headers")

    def setup(self, engine: Any) -> None:
        self.profiles = load_profiles()
        self.engine = engine

    def warm_up(self) -> None:
        from mailwarden import platform_fields

        platform_fields.warm_up()

    @property
    def _index(self) -> _ProfileIndex:
        """Lookups built once from `self.profiles` (rebuilt if someone swaps the profiles)."""
        index = self.__dict__.get("_index_cache")
        if index is None or index.profiles is not self.profiles:
            index = self.__dict__["_index_cache"] = _ProfileIndex(tuple(self.profiles))
        return index

    # -- recognition -------------------------------------------------------------------------
    def _recognise(self, from_addr: str | None, return_path: str | None) -> Profile | None:
        index = self._index  # the From address is the stronger claim
        return (index.by_sender.first(from_addr) if from_addr else None) or (
            index.by_return_path.first(return_path) if return_path else None)

    @staticmethod
    def _authenticated(prof: Profile, af: Any) -> bool | None:
        """True/False from the auth analyzer's facts; None when no auth analyzer ran."""
        if af is None:
            return None
        for d in prof.auth_domains:
            try:
                if af.authenticated_as(d):
                    return True
            except Exception:  # noqa: BLE001,S112 - a facts object without the method: use the sets
                break
        if any(prof.is_auth_domain(d) for d in (getattr(af, "dkim_pass_domains", None) or ())):
            return True
        return prof.is_auth_domain(getattr(af, "spf_pass_domain", None))

    # -- the scan ---------------------------------------------------------------------------
    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        af = ctx.facts.get("auth")
        from_addr = (ctx.from_info.get("address") or "").lower() or None
        display = ctx.from_info.get("display_name") or ""
        return_path = _address(msg.header("return-path")) or (ctx.envelope.mail_from or "").lower() or None
        subject = msg.subject
        text = msg.visible_text
        prof = self._recognise(from_addr, return_path)
        facts: dict[str, Any] = {"profile": None, "template": None, "authenticated": None, "fields": []}
        ctx.facts["platform"] = facts
        if prof is None:
            yield from self._impersonation(msg, ctx, from_addr, display, subject, text, af)
            yield from self._learned(msg, ctx, af, from_addr, subject, text)
            return
        authenticated = self._authenticated(prof, af)
        ctx.platform = {"name": prof.name, "authenticated": bool(authenticated)}
        facts.update(profile=prof.name, authenticated=authenticated)
        if authenticated:
            yield Finding("PLATFORM_AUTHENTICATED", f"This message really came from {prof.system}; its "
                          "platform rules apply (this alone neither raises nor lowers the score).",
                          [f"platform: {prof.display}", f"sender: {from_addr or return_path}"])
        elif af is not None and getattr(af, "dmarc_result", None) == "fail" and prof.owns_domain(_domain(from_addr)):
            yield Finding("PLATFORM_IMPERSONATION", f"This message claims to come from {prof.system}, but "
                          f"{prof.display} did not send it: its authentication failed.",
                          [f"From: {from_addr}", f"DMARC: {getattr(af, 'dmarc_result', '?')}"])
        if af is not None and not authenticated:
            # Not from the platform after all: spoofing is the auth analyzer's finding, and the
            # platform's field rules do not apply to someone else's mail.
            return
        template = prof.template_for(from_addr or return_path or "", subject, text)
        customer = template is None and prof.is_customer_sender(from_addr)
        generic = None
        if template is None and not customer:
            if authenticated:
                yield from self._learned(msg, ctx, af, from_addr, subject, text)
            # A notification we have no template for: its subject and sender name may still carry the
            # customer's words (platforms put tenant and document names there), so judge them as notes.
            generic = Template("unknown", "notification", None, None, (), "any", _GENERIC_FIELDS)
        facts["template"] = template.id if template else None
        links = self._links(msg, ctx)
        reports = self._fields(msg, ctx, prof, template or generic, display, subject, text, links)
        template = template or generic
        facts["fields"] = reports
        yield from self._judge(msg, ctx, prof, template, reports, links, authenticated, from_addr)

    # -- fields ------------------------------------------------------------------------------
    def _links(self, msg: Message, ctx: ScanContext) -> list[str]:
        found = ctx.facts.get("links")
        if isinstance(found, list) and found:
            return [str(item.get("url")) for item in found if isinstance(item, dict) and item.get("url")][:200]
        urls: list[str] = list(ctx.urls)
        if not urls:
            if msg.html:
                from mailwarden.htmltext import parse_html

                tree = parse_html(msg.html)
                urls = [n.attributes.get("href") or "" for n in tree.css("a[href]")][:200]
            urls += urls_in_text(msg.text)
        return [u for u in urls if u and u.lower().startswith(("http", "www."))]

    def _fields(self, msg: Message, ctx: ScanContext, prof: Profile, template: Template | None, display: str,
                subject: str, text: str, links: list[str]) -> list[FieldReport]:
        specs: tuple[FieldSpec, ...]
        if template is not None:
            specs = template.fields
        else:  # a platform customer wrote the whole message
            specs = (FieldSpec("sender_name", "the sender name", "display_name", None, None, "name", 60, "name"),
                     FieldSpec("body", prof.customer_label, "body", None, None, "body", 100_000, "any"))
        reports = []
        seen_texts: set[tuple[str, str]] = set()
        for spec in specs:
            for value, field_links in self._extract(msg, ctx, spec, display, subject, text, links):
                value = value.strip()
                if not value or (spec.name, value) in seen_texts:
                    continue
                seen_texts.add((spec.name, value))
                if spec.kind != "name":
                    value = _unquote(value)
                if spec.source == "body" and template is None:
                    value = f"{subject}\n{value}"
                reports.append(analyse_field(
                    spec.name, spec.label, spec.kind, value, max_length=spec.max_length, charset=spec.charset,
                    own_phones=prof.phones, own_brands=prof.brand_words, owns_domain=prof.owns_domain,
                    urls=field_links))
                if len(reports) >= 20:
                    return reports
        return reports

    def _extract(self, msg: Message, ctx: ScanContext, spec: FieldSpec, display: str, subject: str, text: str,
                 links: list[str]) -> list[tuple[str, list[str] | None]]:
        src = spec.source
        if src == "subject":
            m = spec.pattern.search(subject) if spec.pattern else None
            return [(m.group("field"), None)] if m and m.group("field") else []
        if src == "display_name":
            if spec.pattern is None:
                return [(display, None)] if display else []
            m = spec.pattern.search(display)
            return [(m.group("field"), None)] if m and m.group("field") else []
        if src == "reply_to":
            rt = msg.header("reply-to")
            if not rt:
                return []
            parsed = parse_address_list(rt, 10, 2000)
            return [(f"{mb.display_name or ''} {mb.address}".strip(), None) for mb in parsed.mailboxes if mb.address]
        if src == "text":
            out = []
            for m in spec.pattern.finditer(text) if spec.pattern else ():
                if m.group("field"):
                    out.append((m.group("field"), None))
                if len(out) >= 10:
                    break
            return out
        if src == "html":
            if not msg.html:
                return []
            from mailwarden.htmltext import parse_html

            tree = parse_html(msg.html)
            out = []
            for node in tree.css(spec.selector or "")[:10]:
                hrefs = [a.attributes.get("href") or "" for a in node.css("a[href]")]
                out.append((node.text(separator=" ", strip=True), [h for h in hrefs if h] or None))
            return out
        if src == "body":
            if spec.pattern is not None:
                m = spec.pattern.search(text)
                return [(m.group("field"), None)] if m and m.group("field") else []
            return [(text, links)]
        return []

    # -- judgement ---------------------------------------------------------------------------
    def _judge(self, msg: Message, ctx: ScanContext, prof: Profile, template: Template | None,
               reports: list[FieldReport], links: list[str], authenticated: bool | None,
               from_addr: str | None) -> Iterator[Finding]:
        customer = template is None
        hits: dict[str, tuple[float, list[str]]] = {}  # symbol -> (factor, evidence)
        issues: list[str] = []  # words for the sentence, most telling first
        advice: list[str] = []
        worst: FieldReport | None = None
        worst_score = 0.0

        details: dict[str, str] = {}

        def add(symbol: str, factor: float, evidence: list[str], detail: str = "") -> None:
            old = hits.get(symbol)
            if old is None:
                hits[symbol] = (factor, list(evidence))
            else:
                hits[symbol] = (max(old[0], factor), old[1] + [e for e in evidence if e not in old[1]])
            if detail and symbol not in details:
                details[symbol] = detail

        for rep in reports:
            score = 0.0
            where = f"{rep.label}: {rep.excerpt(100)!r}"
            if template is not None and template.expected:  # an invoice may talk about invoices
                rep.lures = {c: v for c, v in rep.lures.items() if c not in template.expected}
            cats = set(rep.lures)
            name_like = rep.kind == "name"
            strong = cats & (_STRONG_IN_NAME if name_like else _STRONG)
            phrases = [p for c in sorted(rep.lures) for p in rep.lures[c]]
            n_phrases = len(phrases)
            # In a name, one everyday word ("Customer Care", "Urgent Care", "Renewals Ltd") is no lure alone.
            lure_ok = ((bool(strong) or len(cats) >= 2 or (bool(cats) and bool(rep.money or rep.phones or rep.brands)))
                       if name_like else (len(cats) >= 2 or bool(strong) or n_phrases >= 3))
            if rep.kind == "body":  # a whole message: one word is not a lure
                lure_ok = (len(cats) >= 2 or n_phrases >= 3 or (n_phrases >= 2 and bool(strong or rep.money)))
            if rep.kind == "free_text" and len(rep.text) > 2000:
                # long discussions (mailing lists, release notes) use any word once in a while
                lure_ok = lure_ok and (len(cats) >= 3 or (len(cats) >= 2 and n_phrases >= 4))
            # A phone number in a name is never normal; in a note or a whole message (an invoice footer,
            # a signature) it needs call-back or account-problem wording around it.
            # (the subject of a notification we have no template for never carries a phone number
            # of its own: there, call-back wording beside one is enough)
            if rep.phones and (name_like or "account_anomaly" in cats
                               or ("callback" in cats and (len(cats) >= 2 or rep.name == "subject_line"))):
                add("PLATFORM_FIELD_CALLBACK", 1.0, [where] + [f"phone: {p.raw} ({p.e164})" for p in rep.phones[:3]],
                    f"{_cap(rep.label)} contains the phone number {rep.phones[0].raw}, which is not {prof.display}'s.")
                issues.append("a phone number")
                if "invoice_payment" in cats or rep.money:
                    issues.append("billing words")
                advice.append("Do not call the number.")
                score += 6
            if lure_ok:
                factor = 1.0 if len(cats) <= 1 and n_phrases < 4 else 1.5 if len(cats) == 2 else 2.0
                if name_like and strong:  # "unread private messages" as an organisation name
                    factor = max(factor, 1.5)
                add("PLATFORM_FIELD_LURE", factor, [where] + [f"{c}: {', '.join(rep.lures[c][:3])}"
                                                               for c in sorted(rep.lures)],
                    f"{_cap(rep.label)} contains {_lure_words(cats)}.")
                issues.extend(_lure_list(cats - {"callback", "invoice_payment"} if rep.phones else cats))
                score += 3 * factor
                if cats & {"credential", "fake_2fa"}:
                    advice.append("Do not enter a password or code anywhere it asks.")
                if "crypto" in cats:
                    advice.append("Do not send money or connect a wallet.")
            if rep.money and (name_like or lure_ok):
                add("PLATFORM_FIELD_MONEY", 1.0, [where, f"amount: {', '.join(rep.money[:3])}"],
                    f"{_cap(rep.label)} contains a money amount ({rep.money[0]}).")
                if not rep.phones:
                    issues.append("a money amount")
                score += 2
            if (name_like or lure_ok) and rep.brands:  # brands looked up only when they can count
                add("PLATFORM_FIELD_BRAND", 1.0, [where, f"brand: {', '.join(rep.brands[:3])}"],
                    f"{_cap(rep.label)} names another company ({', '.join(rep.brands[:2])}).")
                issues.append(f"another company's name ({', '.join(rep.brands[:2])})")
                score += 2.5
            field_links_policy = template.links if template is not None else prof.customer_links
            if rep.lookalikes:
                add("PLATFORM_LINK_LOOKALIKE", 1.0, [where] + [f"domain: {d}" for d in rep.lookalikes[:5]],
                    f"{_cap(rep.label)} points to {rep.lookalikes[0]}, a domain made to look like a known brand.")
                issues.append(f"a link to a look-alike site ({rep.lookalikes[0]})")
                advice.append("Do not open the link.")
                score += 4
            if rep.poses_as_platform:
                add("PLATFORM_FIELD_POSES_AS_PLATFORM", 1.0, [where, f"signature: {rep.poses_as_platform}"],
                    f"{_cap(rep.label)}, written by a {prof.display} user, signs as "
                    f"{prof.display} staff ({rep.poses_as_platform!r}).")
                issues.append(f"text that pretends to be {prof.display} staff")
                score += 3
            if rep.offsite and (name_like or field_links_policy == "own"):
                add("PLATFORM_LINK_OFFSITE", 1.0, [where] + [f"domain: {d}" for d in rep.offsite[:5]],
                    f"{_cap(rep.label)} points to {rep.offsite[0]}, which {prof.display} does not own.")
                issues.append(f"a link or address outside {prof.display} ({rep.offsite[0]})")
                advice.append("Do not open the link.")
                score += 3
            if rep.crypto:
                add("PLATFORM_FIELD_CRYPTO", 1.0, [where] + [f"address: {a}" for a in rep.crypto[:3]],
                    f"{_cap(rep.label)} contains a cryptocurrency address.")
                issues.append("a cryptocurrency address")
                advice.append("Do not send money or connect a wallet.")
                score += 4
            if rep.oversized and rep.kind != "body":
                add("PLATFORM_FIELD_OVERSIZED", 1.0, [where, f"{len(rep.text)} characters"],
                    f"{_cap(rep.label)} is {len(rep.text)} characters long, far more than such a field normally holds.")
                issues.append("far more text than such a field normally holds")
                score += 1.5
            if rep.odd:
                add("PLATFORM_FIELD_ODD", 1.0, [where, f"shape: {', '.join(rep.odd)}"],
                    f"{_cap(rep.label)} is oddly built ({', '.join(rep.odd)}).")
                if score:
                    issues.append(", ".join(rep.odd))
                score += 1
            if score > worst_score:
                worst, worst_score = rep, score

        # Links anywhere in a template whose links should all be the platform's own.
        if template is not None and template.links == "own":
            off = []
            for u in links:
                h = host_of(u)
                if h and not prof.owns_domain(h):
                    d = registrable_domain(h)
                    if d and not prof.owns_domain(d) and d not in off:
                        off.append(d)
            if off:
                add("PLATFORM_LINK_OFFSITE", 1.0, [f"template: {template.id}"] + [f"domain: {d}" for d in off[:5]],
                    f"This {prof.display} {template.description} links to {off[0]}, which {prof.display} does not own.")
                if not any(i.startswith("a link") for i in issues):
                    issues.append(f"a link outside {prof.display} ({off[0]})")
                    advice.append("Do not open the link.")
        # Reply-To that leads away from the platform, when the fields already carry a lure.
        pivot: str | None = None
        rt = _address(msg.header("reply-to"))
        rt_dom = _domain(rt)
        if (rt and rt_dom and not prof.owns_domain(rt_dom) and rt_dom != _domain(from_addr)
                and (hits or template is None)):
            add("PLATFORM_REPLYTO_PIVOT", 1.0, [f"Reply-To: {rt}", f"From: {from_addr}"],
                f"Replies to this message go to {rt_dom}, not to {prof.display} or the sender's own domain.")
            pivot = rt_dom
        if customer:  # whole-message customer mail is worth a note even when nothing else fired
            add("PLATFORM_CUSTOMER_CONTENT", prof.customer_factor, [f"sender: {from_addr}", f"platform: {prof.display}"])
            if len(hits) == 1:
                yield Finding("PLATFORM_CUSTOMER_CONTENT", f"This message was written by a customer of {prof.display} "
                              f"({_domain(from_addr)}), {prof.customer_description}; no platform template vouches "
                              "for its content.", hits["PLATFORM_CUSTOMER_CONTENT"][1], prof.customer_factor)
                return
        if not hits:
            return
        sentence = _sentence(prof, template, worst, issues, advice, authenticated, from_addr, pivot)
        # The heaviest finding carries the whole explanation (it becomes the verdict's summary);
        # the others say their own part.
        policy, catalogue = self.engine.policy, self.engine.catalogue
        top = max(hits, key=lambda sym: policy.weight(sym, catalogue) * hits[sym][0])
        details["PLATFORM_CUSTOMER_CONTENT"] = (f"The whole message was written by a customer of {prof.display} "
                                                f"({_domain(from_addr)}), {prof.customer_description}.")
        for symbol, (factor, evidence) in hits.items():
            detail = sentence if symbol == top else details.get(symbol, sentence)
            yield Finding(symbol, detail, evidence[:10], factor)

    # -- impersonation: the platform's look from someone else ---------------------------------
    def _impersonation(self, msg: Message, ctx: ScanContext, from_addr: str | None, display: str, subject: str,
                       text: str, af: Any) -> Iterator[Finding]:
        if _FORWARD.match(subject) or not from_addr:
            return
        dom = _domain(from_addr)
        low_display = display.lower()
        if not self._index.any_look_brand.search(low_display):
            return  # no profile's brand in the display name: the loop below would skip every profile
        low_text: str | None = None
        for prof in self.profiles:
            if not prof.look_phrases or not _brand_regex(prof.brand_words).search(low_display):
                continue
            if prof.owns_domain(dom) or self._brand_registry_owns(prof, dom, af):
                continue
            if low_text is None:
                low_text = text[:20000].lower()
            seen = [p for p in prof.look_phrases if p in low_text]
            # enough of the template's phrases, one of which names the platform ("powered by square",
            # "view it on github"): "Square One Plumbing" sending its own invoice is not Square
            if len(seen) < prof.look_min or not any(b in p for p in seen for b in prof.brand_words):
                continue
            if self._authenticated(prof, af):
                continue
            ctx.platform = {"name": prof.name, "authenticated": False}
            yield Finding("PLATFORM_IMPERSONATION",
                          f"This message is dressed up as {prof.system}, but it was sent from {dom}, which is not "
                          f"{prof.display}. Do not follow its instructions.",
                          [f"From: {display} <{from_addr}>"] + [f"template phrase: {p!r}" for p in seen[:4]])
            return

    @staticmethod
    def _brand_registry_owns(prof: Profile, domain: str | None, af: Any) -> bool:
        """The brand list (data/brands.toml) knows `domain` as this platform's company's own, and DMARC
        has not failed for it: the company's marketing and regional domains (microsoftstoreemail.com)
        are not in the platform profile, which lists where its *notifications* come from. Unverified
        is not spoofed; a failing DMARC still is, and the auth analyzer says so."""
        if not domain or (af is not None and getattr(af, "dmarc_result", None) == "fail"):
            return False
        index = default_index()
        key = index.brand_for_domain(domain)
        brand = index.brand(key) if key else None
        if brand is None:
            return False
        words = {w.replace(" ", "") for w in prof.brand_words}
        return key in words or bool(words.intersection(t.lower() for t in brand.tokens))

    # -- learned templates for authenticated senders without a profile ------------------------
    @staticmethod
    def _sender_key(af: Any, from_addr: str | None) -> str | None:
        if af is None or not from_addr:
            return None
        aligned = sorted(getattr(af, "aligned_domains", None) or ())
        dkim = sorted(getattr(af, "dkim_pass_domains", None) or ())
        ident = aligned[0] if aligned else (dkim[0] if dkim else None)
        return f"dkim:{ident}|from:{from_addr}" if ident else None

    def _store(self) -> Any:
        store = getattr(self.engine, "store", None)
        if store is None or not hasattr(store, "template_samples") or not hasattr(store, "add_template_sample"):
            return None
        return store

    def _learned(self, msg: Message, ctx: ScanContext, af: Any, from_addr: str | None, subject: str,
                 text: str) -> Iterator[Finding]:
        store = self._store()  # (stateless scans stop here, before the key is built)
        key = self._sender_key(af, from_addr) if store is not None else None
        if key is None or store is None:
            return
        ctx.facts["platform"]["template_key"] = key
        try:
            samples = store.template_samples(key, 20)
        except Exception:  # noqa: BLE001 - history is an aid, never a reason to fail a scan
            return
        if len(samples) < _LEARN_MIN_SAMPLES:
            return
        slots = slot_text(subject + "\n" + text, [str(s.get("subject", "")) + "\n" + str(s.get("text", ""))
                                                  for s in samples])
        if not slots:
            return
        history = [(str(s.get("subject", "")) + "\n" + str(s.get("text", ""))) for s in samples]
        rep = analyse_field("slot", "the part that changes between this sender's messages", "free_text", slots,
                            max_length=2000, charset="any", own_phones=(), own_brands=(),
                            owns_domain=lambda d: any(d in h for h in history))
        sender = from_addr or key
        if rep.phones and not all(p.e164 in "".join(history) or p.raw in "".join(history) for p in rep.phones):
            yield Finding("PLATFORM_SLOT_CALLBACK", "This sender's messages normally follow one template, but "
                          "the part that changes now carries a phone number it never had before — a common "
                          "scam. Do not call the number.",
                          [f"sender: {sender}", f"slot: {rep.excerpt()}"] + [f"phone: {p.raw}" for p in rep.phones[:3]])
        cats = set(rep.lures)
        if len(cats) >= 2 or cats & _STRONG:
            yield Finding("PLATFORM_SLOT_LURE", "This sender's messages normally follow one template, but the part "
                          f"that changes now carries {_lure_words(cats)}.",
                          [f"sender: {sender}", f"slot: {rep.excerpt()}"] +
                          [f"{c}: {', '.join(rep.lures[c][:3])}" for c in sorted(cats)])
        if rep.offsite:
            yield Finding("PLATFORM_SLOT_LINK", "This sender's messages normally follow one template, but the part "
                          f"that changes now links to {rep.offsite[0]}, a site its earlier messages never used.",
                          [f"sender: {sender}"] + [f"domain: {d}" for d in rep.offsite[:5]])

    def finalize(self, msg: Message, ctx: ScanContext, verdict: Any) -> None:
        facts = ctx.facts.get("platform") or {}
        key = facts.get("template_key")
        store = self._store()
        # Only messages judged clean teach the template: a lure must never become "skeleton".
        if key is None or store is None or not getattr(self.engine, "record_history", False):
            return
        if getattr(verdict, "action", "accept") != "accept":
            return
        try:
            store.add_template_sample(key, {"subject": msg.subject[:300], "text": msg.visible_text[:4000]})
        except Exception:  # noqa: BLE001,S110 - recording is best-effort
            pass


_WORD = re.compile(r"\S+")
_QUOTED = re.compile(r"(?m)^[ \t]*>.*$|^On .{5,200} wrote:[ \t]*$")


def _unquote(text: str) -> str:
    """A reply's own words: quoted lines and their "On … wrote:" header belong to someone else."""
    return _QUOTED.sub("", text)


def slot_text(current: str, samples: list[str], share: float = 0.6) -> str:
    """The words of `current` that are not part of the sender's skeleton (words present in at least
    `share` of the earlier samples), as runs of text."""
    counts: dict[str, int] = {}
    for s in samples:
        for w in set(_WORD.findall(s.lower())):
            counts[w] = counts.get(w, 0) + 1
    need = max(2, int(len(samples) * share + 0.5))
    runs: list[list[str]] = [[]]
    for w in _WORD.findall(current):
        if counts.get(w.lower(), 0) >= need:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(w)
    return "\n".join(" ".join(r) for r in runs if r)[:4000]


_LURE_WORDS = {
    "callback": "call-back wording", "invoice_payment": "billing words", "credential": "password or sign-in wording",
    "fake_2fa": "a fake security code", "message_bait": "'unread messages' bait", "account_anomaly": "account-problem "
    "warnings", "crypto": "cryptocurrency wording", "gift_card": "gift-card wording", "urgency": "pressure to act fast",
    "threat": "threats", "prize": "prize or casino wording", "delivery": "parcel-delivery wording",
    "document_share": "shared-document bait",
}


_LURE_ORDER = ["callback", "invoice_payment", "credential", "fake_2fa", "crypto", "prize", "message_bait",
               "account_anomaly", "gift_card", "threat", "delivery", "document_share", "urgency"]


def _lure_list(cats: set[str]) -> list[str]:
    words = [_LURE_WORDS[c] for c in _LURE_ORDER if c in cats][:3]
    words += [c.replace("_", " ") + " wording" for c in sorted(cats) if c not in _LURE_WORDS][: 3 - len(words)]
    return words or ["lure wording"]


def _lure_words(cats: set[str]) -> str:
    return _join(_lure_list(cats))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: list[str]) -> str:
    items = list(dict.fromkeys(i for i in items if i))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(prof: Profile, template: Template | None, worst: FieldReport | None, issues: list[str],
              advice: list[str], authenticated: bool | None, from_addr: str | None, pivot: str | None = None) -> str:
    what = _join(issues[:3]) or "content the platform never writes"
    if pivot:
        what += f", and replies go to {pivot}"
    tip = " ".join(dict.fromkeys(advice[:2])) or "Do not act on it."
    if template is None:
        who = _domain(from_addr) or "an unknown customer"
        lead = (f"This message really was sent through {prof.display}" if authenticated else
                f"This message looks like it was sent through {prof.display}")
        return (f"{lead}, but from a customer account ({who}) that anyone can set up, and its text contains "
                f"{what} — a common scam. {tip}")
    lead = (f"This message really came from {prof.system}" if authenticated else
            f"This message looks like it came from {prof.system}")
    label = worst.label if worst is not None else "a field the sender controls"
    return f"{lead}, but {label} in it contains {what} — a common scam. {tip}"


ANALYZER = PlatformAnalyzer


@lru_cache(maxsize=256)
def _brand_regex(words: tuple[str, ...]) -> re.Pattern:
    r"""A profile's brand words as one whole-word expression (tried on every message's display name).

    `(?<!\w)(?:a|b)(?!\w)` finds what `(?<!\w)a(?!\w)|(?<!\w)b(?!\w)` finds (same position, same
    alternative: at each position the alternatives are tried in the same order, and a failing
    `(?!\w)` backtracks into the next one), but checks the look-behind once per position instead
    of once per word, which on a display name without any brand is many times faster."""
    if not words:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(b) for b in words) + r")(?!\w)")


class _GlobIndex:
    """Which profile, first in order, has a glob matching an address: one regex for all profiles.

    Each profile's globs form one capturing group of an alternation anchored at the start, and every
    glob ends with `\\Z`; the regex engine tries the alternatives in order, so the group that matched
    is the first profile whose globs match — what asking each profile in turn would answer.
    `fnmatch.translate` produces no capturing groups of its own, so group numbers map to profiles.
    """

    def __init__(self, profiles: tuple[Profile, ...], globs: Callable[[Profile], tuple[str, ...]]) -> None:
        self.owners = [p for p in profiles if globs(p)]
        alts = ["(" + "|".join(f"(?:{fnmatch.translate(g)})" for g in globs(p)) + ")" for p in self.owners]
        self.rx = re.compile("|".join(alts)) if alts else None
        if self.rx is not None and self.rx.groups != len(self.owners):
            raise ValueError("sender globs must not add capturing groups")
        # A glob matches only a whole address that ends with the glob's literal tail (what follows
        # its last wildcard or bracket: "*@*.zendesk.com" -> ".zendesk.com"), so an address that
        # ends with none of the tails cannot match and the (slow, many-alternative) regex is skipped.
        self.tails = tuple({_literal_tail(g) for p in self.owners for g in globs(p)})

    def first(self, address: str) -> Profile | None:
        if self.rx is None:
            return None
        address = address.lower()
        if not address.endswith(self.tails):
            return None
        m = self.rx.match(address)
        return self.owners[m.lastindex - 1] if m and m.lastindex else None


def _literal_tail(glob: str) -> str:
    """The end of a glob after its last special character (`*`, `?`, `[`, `]`): every string the
    glob matches ends with it (an empty tail, for a glob ending in a wildcard, rules nothing out)."""
    i = max(glob.rfind(c) for c in "*?[]")
    return glob[i + 1:]


class _ProfileIndex:
    def __init__(self, profiles: tuple[Profile, ...]) -> None:
        self.profiles = profiles
        self.by_sender = _GlobIndex(profiles, lambda p: p.from_addresses + p.customer_senders)
        self.by_return_path = _GlobIndex(profiles, lambda p: p.return_paths)
        # Every brand word of every profile that has a look: a display name none of them is in
        # cannot make any profile's impersonation check go further.
        words = sorted({b for p in profiles if p.look_phrases for b in p.brand_words})
        self.any_look_brand = _brand_regex(tuple(words))
