"""Who really sent it: the visible From against authentication, the envelope and the brands list.

Reads `ctx.facts["visible_from"]` (headers analyzer) and `ctx.facts["auth"]` (auth analyzer:
`dmarc_result`, `dmarc_domain`, `aligned_domains`, `dkim_pass_domains`, `spf_pass_domain`,
`authenticated_as(domain)`). When the auth analyzer is absent, checks that need it stay silent.

Sets `ctx.facts["identity"]`: a dict with
- `visible_domain`: the From domain a person sees (sender.py decides it as mainstream clients do);
- `visible_org`: its registrable domain;
- `authenticated`: True only when that exact organisation is the DMARC-aligned authenticated
  domain *and* the From is not ambiguous - never for "some other domain passed";
- `authenticated_domain`: the domain DMARC/alignment vouched for (may differ from the visible one);
- `brand`: brand key owning the visible domain (brands.toml), when authenticated or not;
- `display_brands`: brands named in the display name;
- `lookalike`: `brands.LookalikeHit` for the From domain, or None;
- `submission_account`: the authenticated submission identity when our MTA recorded one.

Authenticated submission (a demanding admin's rule, see docs/identity.md): when our own MTA
recorded an authenticated submission - an Authentication-Results header carrying our
`authserv_id` with `smtp.auth=ID`, or `(Authenticated sender: ID)` in the topmost Received
header - the From must belong to that account: the same organisation as `ID` when it is an
address, or one of the configured `own_domains` when it is a bare user name.
Nothing here ever lowers a score: authentication only decides which of these checks apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mailwarden.addresses import parse_address_list
from mailwarden.analyzers.base import Analyzer
from mailwarden.brands import (
    FREEMAIL,
    BrandIndex,
    decode_label,
    default_index,
    index_with_own_domains,
    is_mixed_script,
    registrable_domain,
)
from mailwarden.context import ScanContext
from mailwarden.findings import Finding
from mailwarden.message import Message
from mailwarden.sender import VisibleFrom

# Service words that make a common-word brand in a display name mean the brand ("Chase Alerts").
_SERVICE_WORDS = re.compile(r"\b(support|service|services|team|security|account|accounts|billing|alert|alerts|"
                            r"bank|banking|online|notification|notifications|customer|care|help|center|"
                            r"no-?reply|admin|verification|payments?|id|store|delivery|express)\b", re.I)
_ADDR_LIKE = re.compile(r"[^\s<>\"']*@[^\s<>\"']*")
_SMTP_AUTH = re.compile(r"\bsmtp\.auth=([^\s;]+)", re.I)
_AUTHENTICATED_SENDER = re.compile(r"authenticated sender:\s*([^\s()]+)", re.I)


def _org(domain: str | None) -> str:
    return registrable_domain(domain) if domain else ""


def _addr_domain(addr: str | None) -> str:
    if not addr or "@" not in addr:
        return ""
    return addr.rsplit("@", 1)[1].strip().strip(">").rstrip(".").lower()


class IdentityAnalyzer(Analyzer):
    name = "identity"
    requires = ("auth", "headers")

    def setup(self, engine: Any) -> None:
        own = list(getattr(engine.config, "own_domains", []) or [])
        self.own_orgs = {_org(d) for d in own}
        self.index: BrandIndex = index_with_own_domains(own) if own else default_index()
        self.authserv_id = (getattr(engine.config, "authserv_id", "") or "").lower()

    # -- helpers
    def _authenticated_as(self, auth: Any, domain: str) -> bool:
        if auth is None or not domain:
            return False
        fn = getattr(auth, "authenticated_as", None)
        if callable(fn):
            try:
                return bool(fn(domain))
            except Exception:  # noqa: BLE001 - a fact object we do not own must not break identity
                return False
        aligned = {_org(d) for d in getattr(auth, "aligned_domains", set()) or set()}
        return _org(domain) in aligned

    def _submission_account(self, msg: Message, ctx: ScanContext) -> str | None:
        """The authenticated submission identity: what the MTA handing us the message verified (the
        milter's {auth_authen}), else what our own MTA recorded in the message, if anything."""
        env = ctx.envelope
        if env is not None and env.auth_user:
            return env.auth_user
        seen_received = 0
        # Without an authserv_id the loop below can match nothing: it only counts Received fields.
        for h in msg.headers if self.authserv_id else ():
            if h.key == "received":
                seen_received += 1
                if seen_received > 1:
                    break
            elif h.key == "authentication-results" and self.authserv_id:
                authserv = h.value.split(";", 1)[0].strip().split()[0].lower() if h.value.strip() else ""
                if authserv == self.authserv_id:
                    m = _SMTP_AUTH.search(h.value)
                    if m and re.search(r"\bauth=pass\b", h.value, re.I):
                        return m.group(1).strip("<>\"")
        hop = msg.received_hop(0)  # the topmost hop, parsed once per message
        if hop is not None and hop.authenticated:  # both must hold; the search is the dearer test
            m = _AUTHENTICATED_SENDER.search(msg.header_fields("received")[0].value)
            if m:
                return m.group(1).strip("<>\"")
        return None

    # -- the checks
    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        vf: VisibleFrom | None = ctx.facts.get("visible_from")
        if vf is None:
            return
        auth = ctx.facts.get("auth")
        idx = self.index
        mb = vf.mailbox
        domain = (mb.domain if mb else "") or ""
        org = _org(domain)
        # A free-mail address is a person's, not the brand's: gmail.com is not "Google" speaking.
        brand = idx.brand_for_domain(domain) if domain and org not in FREEMAIL else None
        # Asked once: the auth facts' answer for this domain does not change during the scan.
        authenticated_as_visible = self._authenticated_as(auth, domain)
        authenticated_visible = authenticated_as_visible and not vf.ambiguous
        dmarc_domain = (getattr(auth, "dmarc_domain", None) or "") if auth is not None else ""
        if authenticated_visible and dmarc_domain and _org(dmarc_domain) != org:
            authenticated_visible = False  # DMARC vouched for a different From than the one shown
        aligned = sorted(getattr(auth, "aligned_domains", set()) or set()) if auth is not None else []
        facts: dict[str, Any] = {"visible_domain": domain or None, "visible_org": org or None,
                                 "authenticated": authenticated_visible,
                                 "authenticated_domain": dmarc_domain if aligned or authenticated_visible else None,
                                 "brand": brand, "display_brands": [], "lookalike": None,
                                 "submission_account": None}
        ctx.facts["identity"] = facts

        # 1. authentication vouched for another From than the one a person sees
        if auth is not None and dmarc_domain and domain and _org(dmarc_domain) != org:
            yield Finding("AUTH_FROM_NOT_VISIBLE_FROM", f"Authentication was checked for {dmarc_domain}, but the "
                          f"From a person sees is {domain}.", [f"DMARC evaluated for: {dmarc_domain}",
                                                              f"visible From: {mb.address if mb else ''}"])
        dkim_domains = sorted(getattr(auth, "dkim_pass_domains", set()) or set()) if auth is not None else []
        if domain and dkim_domains and not any(_org(d) == org for d in dkim_domains) \
                and not authenticated_as_visible:
            yield Finding("DKIM_NOT_ALIGNED_FROM", f"The message is DKIM-signed by {', '.join(dkim_domains[:3])}, "
                          f"not by the From domain {domain}; the signature says nothing about who wrote From.",
                          [f"dkim pass d={d}" for d in dkim_domains[:5]] + [f"From domain: {domain}"])

        # 2. a protected brand or our own domain in From, without authentication for it
        # Only a definite DMARC failure counts: "none"/"temperror" offline or without DNS means
        # we do not know, and not knowing must not look like spoofing.
        dmarc_failed = auth is not None and getattr(auth, "dmarc_result", "none") == "fail"
        if dmarc_failed and domain and not authenticated_as_visible:
            if org in self.own_orgs:
                yield Finding("FROM_OWN_DOMAIN_UNAUTHENTICATED", f"The message claims to come from your own "
                              f"domain {domain} but is not authenticated for it.", [f"From: {mb.address}"])
            elif brand and brand != "own":
                yield Finding("FROM_BRAND_UNAUTHENTICATED", f"The message claims to come from "
                              f"{idx.brands[brand].name} ({domain}) but is not authenticated for that domain.",
                              [f"From: {mb.address}", f"DMARC: {getattr(auth, 'dmarc_result', 'none')}"])

        # 3. lookalike domains in From and Reply-To
        if domain:
            hit = idx.lookalike(domain)
            facts["lookalike"] = hit
            if hit and hit.brand == "own":
                yield Finding("FROM_LOOKALIKE_OWN_DOMAIN", hit.detail.replace("your organisation",
                              "your organisation's domain"), [f"From: {mb.address}", f"imitates: {hit.matched}"])
            elif hit:
                symbol = "FROM_LOOKALIKE_BRAND" if hit.strong else "FROM_BRAND_IN_DOMAIN"
                yield Finding(symbol, hit.detail, [f"From: {mb.address}", f"{hit.kind}: {hit.matched}"])
            # An ASCII domain without punycode labels decodes to ASCII labels, never mixed-script.
            elif (not domain.isascii() or "xn--" in domain) and any(
                    is_mixed_script(p) for p in _unicode_labels(domain)):
                yield Finding("FROM_DOMAIN_MIXED_SCRIPT", f"The From domain {domain} mixes alphabets, a common "
                              "way to imitate another domain.", [f"From: {mb.address}"])
        reply_to = _reply_to(msg, vf)
        for rt in reply_to:
            rdom = _addr_domain(rt)
            if not rdom:
                continue
            hit = idx.lookalike(rdom)
            if hit:
                sym = "REPLYTO_LOOKALIKE_OWN_DOMAIN" if hit.brand == "own" else "REPLYTO_LOOKALIKE_BRAND"
                yield Finding(sym, f"Replies go to {rt}: {hit.detail[0].lower()}{hit.detail[1:]}",
                              [f"Reply-To: {rt}", f"{hit.kind}: {hit.matched}"])

        # 4. display-name impersonation
        if mb is not None and mb.display_name:
            # Addresses written in the name are judged by FROM_DISPLAY_NAME_ADDRESS; "bob@gmail.com"
            # as a name does not claim to be Google.
            # (_ADDR_LIKE needs an "@": a name without one is left as it is)
            shown_name = _ADDR_LIKE.sub(" ", mb.display_name) if "@" in mb.display_name else mb.display_name
            names = [b for b in idx.match_brand(shown_name) if b != "own"]
            facts["display_brands"] = names
            for b in names:
                owner = idx.brands[b]
                if brand == b or (idx.brand_for_domain(domain) == b and domain != org):
                    # The brand's own domain (reply.yahoo.com is Yahoo, a bare yahoo.com mailbox is a
                    # person); whether it is authenticated is judged above.
                    continue
                if owner.common_word and not _SERVICE_WORDS.search(mb.display_name) \
                        and mb.display_name.strip().lower() != owner.name.lower():
                    continue  # "Chase Miller" is a person, "Chase Alerts" is the bank
                where = "a free mail account" if org in FREEMAIL else domain or "an unusable address"
                yield Finding("DISPLAY_NAME_BRAND", f"The sender's name says {owner.name}, but the message comes "
                              f"from {where}, which is not {owner.name}'s.",
                              [f"From: {mb.display_name} <{mb.address}>"])
                break

        # 5. Reply-To and Return-Path pivots
        listish = msg.header("list-id") is not None or msg.header("list-post") is not None
        for rt in reply_to[:1]:
            rorg = _org(_addr_domain(rt))
            if not rorg or not org or rorg == org:
                continue
            if rorg in FREEMAIL and org not in FREEMAIL and not listish:
                yield Finding("REPLYTO_FREEMAIL_PIVOT", f"The message comes from {domain} but replies go to a "
                              f"free mail account ({rt}).", [f"From: {mb.address}", f"Reply-To: {rt}"])
            elif brand and brand != "own" and idx.brand_for_domain(rorg) != brand and not listish:
                yield Finding("REPLYTO_BRAND_PIVOT", f"The message comes from {idx.brands[brand].name} but replies "
                              f"go to {rt}, outside {idx.brands[brand].name}.",
                              [f"From: {mb.address}", f"Reply-To: {rt}"])
            elif not listish:
                yield Finding("REPLYTO_OTHER_DOMAIN", f"Replies go to {rorg}, not to the sender's domain {org}.",
                              [f"From: {mb.address}", f"Reply-To: {rt}"])
        env = ctx.envelope
        mf = env.mail_from
        if mf and brand and brand != "own" and auth is not None:
            mforg = _org(_addr_domain(mf))
            if mforg and idx.brand_for_domain(mforg) != brand and brand not in idx.infra_brands(mforg) \
                    and dmarc_failed and not authenticated_as_visible:
                yield Finding("RETURN_PATH_BRAND_PIVOT", f"The message claims {idx.brands[brand].name} but bounces "
                              f"go to {mforg}, and it is not authenticated as {idx.brands[brand].name}.",
                              [f"Return-Path: {mf}", f"From: {mb.address}"])

        # 6. envelope ambiguities: empty MAIL FROM, HELO standing in for MAIL FROM
        if mf == "" and not _is_bounce(msg, mb):
            yield Finding("ENVELOPE_NULL_SENDER", "The envelope sender is empty (as for a bounce), but the "
                          "message is not a bounce; SPF then checks only the HELO name the sender chose.",
                          ["MAIL FROM:<>"] + ([f"HELO {env.helo}"] if env.helo else []))
        helo_org = _org(env.helo) if env.helo and "." in env.helo else ""
        if (mf == "" or (mf is not None and "@" not in mf)) and helo_org and helo_org == org \
                and not _is_bounce(msg, mb):
            yield Finding("HELO_STANDS_IN_FOR_MAIL_FROM", f"With no envelope sender, the HELO name {env.helo} "
                          f"(which the client chose) matches the From domain {domain}; a checker may align them.",
                          [f"HELO {env.helo}", f"MAIL FROM:<{mf}>", f"From: {mb.address if mb else ''}"])
        spf_dom = (getattr(auth, "spf_pass_domain", None) or "") if auth is not None else ""
        if spf_dom and env.helo and _org(spf_dom) == helo_org and mf and "@" in mf \
                and _org(_addr_domain(mf)) != helo_org:
            yield Finding("HELO_STANDS_IN_FOR_MAIL_FROM", f"SPF passed for the HELO name {env.helo}, not for the "
                          f"envelope sender {mf}.", [f"HELO {env.helo}", f"MAIL FROM:<{mf}>"])

        # 7. authenticated submission with a From the account does not own
        account = self._submission_account(msg, ctx)
        facts["submission_account"] = account
        if account and mb is not None and domain:
            acct_dom = _addr_domain(account)
            owned = (_org(acct_dom) == org) if acct_dom else (org in self.own_orgs if self.own_orgs else True)
            if not owned:
                yield Finding("SUBMISSION_FROM_NOT_OWNED", f"The sender logged in as {account} but wrote From "
                              f"{mb.address}, an address that account does not own.",
                              [f"authenticated as: {account}", f"From: {mb.address}"])


def _unicode_labels(domain: str) -> list[str]:
    return [decode_label(p) for p in domain.split(".")]


def _reply_to(msg: Message, vf: VisibleFrom) -> list[str]:
    out = []
    for h in msg.header_fields("reply-to")[:2]:
        for m in parse_address_list(h.value, 10, 4096).mailboxes:
            if m.domain:
                out.append(f"{m.local}@{m.domain}")
    return out


def _is_bounce(msg: Message, mb: Any) -> bool:
    """DSNs, MDNs and auto-replies legitimately use the null sender (RFC 5321 §4.5.5, RFC 3834)."""
    ct = msg.root.content_type
    if ct == "multipart/report" or msg.header("auto-submitted") not in (None, "no"):
        return True
    local = (mb.local if mb else "").lower()
    return local in ("mailer-daemon", "postmaster") or bool(re.search(
        r"(undeliver|delivery (status|failure)|returned mail|failure notice|auto.?reply|out of office|"
        r"read:|abwesen|absence)", msg.subject, re.I))


ANALYZER = IdentityAnalyzer
