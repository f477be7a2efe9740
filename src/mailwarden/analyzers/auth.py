"""Authentication: who really sent this message (SPF, DKIM, ARC, DMARC, trusted upstream results).

Authentication answers "who sent it?", never "is it safe?": nothing here lowers a score.

Sets:
- `ctx.auth`: CONTRACT.md's `auth` object (`spf`, `dkim`, `dmarc`, `arc`, `source`).
- `ctx.authentication_results`: our RFC 8601 header value (authserv-id from config `authserv_id`).
- `ctx.facts["auth"]`: an `AuthFacts` (below): `dmarc_result`, `dmarc_domain`, `dmarc_policy`,
  `aligned_domains`, `dkim_pass_domains`, `spf_pass_domain`, `source`, `from_domains`,
  `own_relay_hop`, and `authenticated_as(domain)`.

Results are computed through the engine's DNS port (`engine.resolver`, wrapped per message in
a query budget), or, when the message came through a configured trusted provider
(`--trust-upstream` / `trusted_upstream`), believed from that provider's own receiving hop
(see `mailwarden.upstream`). Without DNS the results are `temperror`/`none`, never `pass`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mailwarden.analyzers.base import Analyzer
from mailwarden.auth import dkim as dkim_mod
from mailwarden.auth.arc import verify_chain
from mailwarden.auth.authres import (
    OutResult,
    domain_of,
    format_authentication_results,
    format_authserv_id,
)
from mailwarden.auth.dmarc import DMARCResult, aligned, evaluate, org_domain, strictest
from mailwarden.auth.spf import SPFResult, check_helo, check_mailfrom
from mailwarden.context import ScanContext
from mailwarden.dns import BudgetResolver, is_down
from mailwarden.envelope import receiving_client
from mailwarden.findings import Finding
from mailwarden.message import Message
from mailwarden.upstream import (
    AR_NAMES,
    ARSeen,
    UpstreamResults,
    believe,
    boundary_provider,
)

_DMARC_ACTION_POLICY = {"reject": "reject", "oreject": "reject", "quarantine": "quarantine",
                        "pct.quarantine": "quarantine", "pct.reject": "reject", "none": None}
_PASSES = ("pass",)
_PASS_CLAIM = re.compile(r"\b(?:spf|dkim|dmarc|arc)\s*=\s*pass\b")
_ARC_KEYS = {"arc-seal", "arc-message-signature", "arc-authentication-results"}
_SCANNED_KEYS = frozenset({"dkim-signature", *AR_NAMES, *_ARC_KEYS})


@dataclass
class AuthFacts:
    dmarc_result: str = "none"
    dmarc_domain: str | None = None
    dmarc_policy: str | None = None
    aligned_domains: set[str] = field(default_factory=set)
    dkim_pass_domains: set[str] = field(default_factory=set)
    spf_pass_domain: str | None = None
    source: str = "computed"
    from_domains: list[str] = field(default_factory=list)
    # Hybrid routing: the Received ordinal (0 = topmost) of the trusted provider's hop from its
    # tenant's own on-premises relay; None otherwise. Where the message entered the tenant's
    # organisation is below it, recorded only by that organisation's own servers.
    own_relay_hop: int | None = None

    def authenticated_as(self, domain: str | None) -> bool:
        """True when this message demonstrably comes from `domain`'s organisation: DMARC passed
        for it, or a passing DKIM signature / SPF identity aligns with it (relaxed)."""
        if not domain:
            return False
        org = org_domain(domain.lower().rstrip("."))
        if self.dmarc_result == "pass" and self.dmarc_domain and org_domain(self.dmarc_domain) == org:
            return True
        if any(org_domain(d) == org for d in self.dkim_pass_domains):
            return True
        return bool(self.spf_pass_domain and org_domain(self.spf_pass_domain) == org)


def _from_domains(msg: Message, ctx: ScanContext) -> list[str]:
    vf = ctx.facts.get("visible_from")
    if vf is None:
        from mailwarden.sender import visible_from

        vf = visible_from(msg)
    boxes = list(vf.all_mailboxes)
    # RFC 7489 §6.6.1: every mailbox of every From field a reader might use is evaluated.
    if len(vf.from_headers) > 1:
        from mailwarden.addresses import parse_address_list

        for h in vf.from_headers[1:3]:
            boxes.extend(parse_address_list(h.decoded, 20, 4096).mailboxes)
    out: list[str] = []
    for mb in boxes:
        d = (mb.domain or "").strip("[]").lower().rstrip(".")
        if d and d not in out:
            out.append(d)
    return out[:5]


class AuthAnalyzer(Analyzer):
    name = "auth"
    requires = ("headers",)

    def setup(self, engine: Any) -> None:
        self.authserv_id = format_authserv_id(getattr(engine.config, "authserv_id", "mailwarden") or "mailwarden")
        self.providers = list(engine.trusted_upstream or [])
        self.definitions = {"boundary": boundary_provider(list(engine.config.own_domains), self.authserv_id)}
        self.budget = int(engine.config.section("dns").get("budget", 40))

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        from_domains = _from_domains(msg, ctx)
        seen, sig_headers, has_arc = _scan_headers(msg)
        upstream = believe(msg, self.providers, seen, self.definitions) if self.providers else None
        if upstream is not None:
            _envelope_from_hop(msg, ctx, upstream)
            facts, out_results = self._from_upstream(msg, upstream, from_domains, ctx)
        else:
            facts, out_results = self._compute(msg, ctx, from_domains, sig_headers, has_arc)
        ctx.facts["auth"] = facts
        ctx.authentication_results = format_authentication_results(self.authserv_id, out_results)
        yield from self._findings(ctx, facts, upstream)
        first_received = next((i for i, h in enumerate(msg.headers) if h.key == "received"), None)
        yield from self._claims(seen, upstream, facts, from_domains, first_received)

    # ------------------------------------------------------------ computing
    def _compute(self, msg: Message, ctx: ScanContext, from_domains: list[str], sig_headers: list,
                 has_arc: bool) -> tuple[AuthFacts, list[OutResult]]:
        env = ctx.envelope
        # DNS may use at most half of what is left of the message's scan time
        res = BudgetResolver(ctx.engine.resolver, self.budget, time.monotonic() + max(ctx.time_left(), 0) / 2)
        down = is_down(res)
        raw = msg.raw
        if down and env.ip:  # no DNS: skip pyspf's parsing, the answer is known
            sender = env.mail_from or (f"postmaster@{env.helo}" if env.helo else "")
            spf = SPFResult("temperror", domain_of(sender), "mailfrom", "no DNS") if sender else SPFResult(
                "none", None, "mailfrom")
        else:
            spf = check_mailfrom(res, env.ip, env.mail_from, env.helo)
        helo = check_helo(res, env.ip, env.helo) if env.helo and not down else SPFResult(
            "temperror" if env.helo and env.ip else "none", (env.helo or "").lower() or None, "helo")
        if not sig_headers:
            dkims: list[dkim_mod.DKIMResult] = []
        elif down:  # no DNS: every key lookup would fail; skip the parsing and crypto
            dkims = _unverified(sig_headers)
        else:
            dkims = dkim_mod.unverifiable([h.value for h in sig_headers], res) or dkim_mod.verify_all(raw, res)
        if has_arc:
            arc = verify_chain(raw, res) if not down else None
            arc_word = arc.result if arc else "temperror"
            arc_key_missing = bool(arc and (arc.key_missing or arc.library_error))
        else:
            arc_word, arc_key_missing = "none", False
        dkim_pass = [d.domain for d in dkims if d.result == "pass" and d.domain]
        dmarcs = [evaluate(res, d, spf.result, spf.domain, dkim_pass) for d in from_domains] or [
            DMARCResult("none", None, reason="no From domain")]
        dm = strictest(dmarcs)
        ctx.facts["auth_detail"] = {"spf": spf, "helo": helo, "dkim": dkims, "dmarc": dm, "dmarc_all": dmarcs,
                                    "arc": arc_word, "arc_key_missing": arc_key_missing, "dns_queries": res.used, "derived": env.derived}
        ctx.auth = {"spf": {"result": spf.result, "domain": spf.domain},
                    "dkim": [{"result": d.result, "domain": d.domain, "selector": d.selector} for d in dkims],
                    "dmarc": {"result": dm.result, "domain": dm.domain, "policy": dm.policy},
                    "arc": {"result": arc_word},
                    "source": "computed"}
        facts = AuthFacts(dm.result, dm.domain, dm.policy, source="computed", from_domains=from_domains,
                          dkim_pass_domains=set(dkim_pass),
                          spf_pass_domain=spf.domain if spf.result == "pass" else None)
        facts.aligned_domains = _aligned(from_domains, facts)
        out = [OutResult("spf", spf.result, [("smtp.mailfrom", spf.domain or "")]) if spf.domain or env.ip else None,
               OutResult("spf", helo.result, [("smtp.helo", helo.domain or "")]) if helo.domain and env.ip else None]
        out = [o for o in out if o is not None]
        for d in dkims:
            out.append(OutResult("dkim", d.result, [("header.d", d.domain), ("header.s", d.selector),
                                                    ("header.b", d.header_b)]))
        if not dkims:
            out.append(OutResult("dkim", "none"))
        out.append(OutResult("dmarc", dm.result, [("header.from", dm.domain or "")] +
                             ([("policy.dmarc", dm.applied)] if dm.applied else [])))
        out.append(OutResult("arc", arc_word))
        return facts, out

    # ------------------------------------------------------------ believing
    def _from_upstream(self, msg: Message, up: UpstreamResults, from_domains: list[str],
                       ctx: ScanContext) -> tuple[AuthFacts, list[OutResult]]:
        if up.on_prem:
            _set_aside_relay_verdicts(up)
        dm = dict(up.dmarc)
        if dm["policy"] is None and dm["result"] == "fail":
            for s in up.believed:
                for r in s.header.results:
                    if r.method == "dmarc" and r.prop("action"):
                        dm["policy"] = _DMARC_ACTION_POLICY.get(r.prop("action").lower())
        if not dm["domain"] and from_domains:
            dm["domain"] = from_domains[0]
        ctx.auth = {"spf": dict(up.spf), "dkim": [dict(d) for d in up.dkim], "dmarc": dm, "arc": dict(up.arc),
                    "source": f"upstream:{up.provider}"}
        ctx.facts["auth_detail"] = {"upstream": up}
        dkim_pass = {d["domain"] for d in up.dkim if d["result"] == "pass" and d["domain"]}
        facts = AuthFacts(dm["result"], dm["domain"], dm["policy"], source=f"upstream:{up.provider}",
                          from_domains=from_domains, dkim_pass_domains=dkim_pass,
                          spf_pass_domain=up.spf["domain"] if up.spf["result"] == "pass" else None)
        facts.aligned_domains = _aligned(from_domains, facts)
        if up.on_prem:
            facts.own_relay_hop = up.hop_ordinal
        out = [OutResult("spf", up.spf["result"], [("smtp.mailfrom", up.spf["domain"] or "")])]
        for d in up.dkim:
            out.append(OutResult("dkim", d["result"], [("header.d", d["domain"]), ("header.s", d["selector"])]))
        out.append(OutResult("dmarc", dm["result"], [("header.from", dm["domain"] or "")]))
        out.append(OutResult("arc", up.arc["result"]))
        for o in out:  # say whose verdict this is, in the header itself
            o.reason = f"believed from trusted upstream {up.provider}"
            if up.on_prem and o.method in ("spf", "dmarc") and o.result == "none":
                o.reason = f"{up.provider} judged its customer's own relay, not the sender"
        return facts, out

    # ------------------------------------------------------------ findings
    def _findings(self, ctx: ScanContext, facts: AuthFacts, up: UpstreamResults | None) -> Iterator[Finding]:
        a = ctx.auth
        detail = ctx.facts.get("auth_detail", {})
        src = "" if up is None else f" (as {up.provider} judged it on receipt)"
        ev_src = [] if up is None else [f"trusted hop: Received: {up.hop[:200]}"]
        derived = ctx.envelope.derived and up is None
        spf = a["spf"]
        spf_ev = [f"spf={spf['result']} smtp.mailfrom={spf['domain']}"]
        if up is None:
            spf_ev.append(f"client IP {ctx.envelope.ip}" + (" (derived from Received)" if derived else ""))
        factor = 0.5 if derived else 1.0  # a derived client IP may be an internal hop
        if spf["result"] == "fail":
            yield Finding("SPF_FAIL", f"{spf['domain']} does not allow the sending server to send its mail{src}.",
                          spf_ev + ev_src, factor)
        elif spf["result"] == "softfail":
            yield Finding("SPF_SOFTFAIL", f"{spf['domain']} says the sending server is probably not one of "
                          f"its own{src}.", spf_ev + ev_src, factor)
        elif spf["result"] == "permerror":
            yield Finding("SPF_PERMERROR", f"The SPF record of {spf['domain']} is broken{src}.", spf_ev + ev_src)
        helo = detail.get("helo")
        if helo is not None and helo.result == "fail":
            yield Finding("SPF_HELO_FAIL", f"The server introduced itself as {helo.domain}, which that name's SPF "
                          "record does not allow.", [f"helo={helo.domain}", f"client IP {ctx.envelope.ip}"], factor)
        for d in detail.get("dkim") or []:
            if d.result == "pass" and d.unsigned_tail:
                yield Finding("DKIM_UNSIGNED_BODY_TAIL", f"The DKIM signature of {d.domain} covers only the start of "
                              f"the body (l= tag); {d.unsigned_tail} bytes after it were added by someone else.",
                              [f"dkim=pass header.d={d.domain} header.s={d.selector} with l=",
                               f"{d.unsigned_tail} unsigned bytes"])
                break
        fails = [d for d in a["dkim"] if d["result"] == "fail"]
        if fails:
            yield Finding("DKIM_FAIL", f"The DKIM signature of {fails[0]['domain']} does not verify: the message "
                          f"was altered or the signature forged{src}.",
                          [f"dkim=fail header.d={d['domain']} header.s={d['selector']}" for d in fails] + ev_src)
        perm = [d for d in a["dkim"] if d["result"] == "permerror"]
        if perm:
            yield Finding("DKIM_PERMERROR", f"A DKIM signature of {perm[0]['domain'] or 'an unnamed domain'} cannot be "
                          "checked (malformed, or no usable key).",
                          [f"dkim=permerror header.d={d['domain']} header.s={d['selector']}" for d in perm])
        if a["arc"]["result"] == "fail" and not detail.get("arc_key_missing"):
            # a sealer whose key is not published is unverifiable, not proof of tampering
            yield Finding("ARC_FAIL", f"The ARC chain of custody is broken{src}.", ["arc=fail"] + ev_src)
        dm = a["dmarc"]
        dom = dm["domain"]
        dm_ev = [f"dmarc={dm['result']} header.from={dom}" + (f" p={dm['policy']}" if dm["policy"] else "")]
        dmr = detail.get("dmarc")
        applied = dmr.applied if isinstance(dmr, DMARCResult) else dm["policy"]
        pct = dmr.pct if isinstance(dmr, DMARCResult) else 100
        if dm["result"] == "fail":
            pct_factor = 0.5 + 0.5 * pct / 100
            if pct < 100:
                dm_ev.append(f"pct={pct}")
            if applied == "reject":
                yield Finding("DMARC_FAIL_REJECT", f"The message claims to be from {dom}, but fails that domain's "
                              f"DMARC check, and {dom} asks receivers to reject such mail{src}.",
                              dm_ev + ev_src, pct_factor)
            elif applied == "quarantine":
                yield Finding("DMARC_FAIL_QUARANTINE", f"The message claims to be from {dom}, but fails that domain's "
                              f"DMARC check, and {dom} asks receivers to quarantine such mail{src}.",
                              dm_ev + ev_src, pct_factor)
            else:
                yield Finding("DMARC_FAIL", f"The message claims to be from {dom}, but fails that domain's DMARC "
                              f"check{src}.", dm_ev + ev_src)
        if up is not None and up.compauth and up.compauth["result"] == "fail" and dm["result"] != "fail":
            # Microsoft's implicit sender authentication failed, though DMARC itself did not
            yield Finding("AUTH_UPSTREAM_COMPAUTH_FAIL", f"{up.provider.capitalize()} could not confirm that "
                          f"{dom or 'the sender'} really sent this message: its composite authentication failed.",
                          [f"compauth=fail reason={up.compauth['reason']}"] + ev_src)
        if up is not None and up.on_prem:
            yield Finding("AUTH_UPSTREAM_OWN_RELAY", f"{up.provider.capitalize()} received this message from its "
                          "customer's own on-premises servers (hybrid routing), so its SPF and DMARC verdicts judge "
                          "those servers, not the sender; they were set aside.", [up.on_prem] + ev_src)
        if dm["result"] == "none" and dom and (up is None or "dmarc" in up.reported):
            yield Finding("DMARC_NONE", f"{dom} publishes no DMARC policy, so anyone can send mail in its name"
                          f"{src}.", dm_ev + ev_src)
        elif dm["result"] == "pass" and dom:
            yield Finding("AUTH_PASS_DMARC", f"The message really comes from {dom}'s mail system{src} "
                          "(this says who sent it, not that it is safe).", dm_ev + ev_src)

    def _claims(self, seen: list[ARSeen], up: UpstreamResults | None, facts: AuthFacts,
                from_domains: list[str], first_received: int | None = None) -> Iterator[Finding]:
        """Authentication-Results written by anyone we do not believe: evidence, never trust.

        A header with our own authserv-id is forged when it arrived with the message, i.e. sits
        below a Received header (or there is no Received header at all). Above the topmost Received
        it was written at our own receiving hop (our MTA, e.g. for authenticated submission)."""
        # everything the trusted provider wrote above its hop is its own, used or not
        believed = {s.index for s in up.mine} if up else set()
        forged, untrusted, contradicting = [], [], []
        own = self.authserv_id.lower()
        for s in seen:
            if s.index in believed:
                continue
            low = s.value[:4000].lower()
            text = f"{s.name}: {s.value[:200]}"
            if not s.arc and own in low and s.authserv_id == own:
                if first_received is None or s.index > first_received:
                    forged.append(text)
                continue
            if not _PASS_CLAIM.search(low):
                continue
            if up is not None and s.index > up.hop_index:
                text = "below the trusted hop: " + text
            untrusted.append(text)
            # A claim that the From domain passed, which the believed/computed verdict denies.
            if facts.dmarc_result == "fail":
                for r in s.header.results:
                    if r.result not in _PASSES or r.method not in ("spf", "dkim", "dmarc", "arc"):
                        continue
                    d = domain_of(r.prop("header.from") or r.prop("header.d") or r.prop("header.i"))
                    if d and any(aligned(d, f) for f in from_domains):
                        contradicting.append(text)
                        break
        if forged:
            yield Finding("AUTHRES_FORGED", f"The message carries an Authentication-Results header in our own name "
                          f"({self.authserv_id}) that we did not write: a forgery meant to look verified.", forged)
        if contradicting:
            yield Finding("AUTHRES_CONTRADICTED", "A header inside the message claims the sender passed "
                          "authentication, but the real check failed.", contradicting)
        if untrusted:
            yield Finding("AUTHRES_UNTRUSTED_UPSTREAM_CLAIM", "Authentication results written by a server we do not "
                          "trust claim a pass; they were ignored.", untrusted)


def _envelope_from_hop(msg: Message, ctx: ScanContext, up: UpstreamResults) -> None:
    """A derived envelope names the provider's receiving hop (where the message entered), not the
    provider's internal relays: that is the client the provider's results are about."""
    env = ctx.envelope
    if not env.derived:
        return
    top_ip, top_helo = receiving_client(msg)  # what a derived envelope takes from the Received chain
    if env.ip != top_ip and env.helo != top_helo:  # the caller gave these: keep them
        return
    hop = msg.received_hop(up.hop_ordinal)  # the receiving hop's own parse, shared with routing
    helo, ip = hop.helo, hop.ip
    if env.ip == top_ip and ip:
        env.ip = ip
    if env.helo == top_helo and helo:
        env.helo = helo


def _set_aside_relay_verdicts(up: UpstreamResults) -> None:
    """Hybrid routing: the provider checked SPF against its tenant's own relay.
    SPF says nothing about the sender then, and DMARC only through its DKIM half: a failure may
    be the relay's, and a pass on SPF alone is the relay's too (the tenant's own domain
    authorises its relay, whoever handed the message to it). DKIM is judged on the message
    itself, wherever it came from: it is kept, and a DMARC pass stands when it rests on it."""
    up.spf = {"result": "none", "domain": up.spf.get("domain")}
    up.reported.discard("spf")
    dmarc_domain = up.dmarc.get("domain")
    dkim_aligned = bool(dmarc_domain) and any(
        d["result"] == "pass" and d["domain"] and aligned(d["domain"], dmarc_domain) for d in up.dkim)
    if not (up.dmarc.get("result") == "pass" and dkim_aligned):
        up.dmarc = {"result": "none", "domain": up.dmarc.get("domain"), "policy": None}
        up.reported.discard("dmarc")
    if up.compauth and up.compauth.get("result") != "pass":
        up.compauth = None  # composite authentication leans on the same SPF verdict


def _scan_headers(msg: Message) -> tuple[list[ARSeen], list, bool]:
    """One pass over the header: Authentication-Results-like fields, DKIM signatures, ARC presence."""
    seen: list[ARSeen] = []
    sigs = []
    has_arc = False
    wanted = _SCANNED_KEYS
    for i, h in enumerate(msg.headers):
        k = h.key
        if k not in wanted:  # one set probe per field; the branches below test these names only
            continue
        if k == "dkim-signature":
            sigs.append(h)
        elif k in AR_NAMES:
            if len(seen) < 50:
                seen.append(ARSeen(i, h.name, h.value))
            has_arc = has_arc or k.startswith("arc-")
        elif k in _ARC_KEYS:
            has_arc = True
    return seen, sigs, has_arc


def _aligned(from_domains: list[str], facts: AuthFacts) -> set[str]:
    out = set()
    for f in from_domains:
        if any(aligned(d, f) for d in facts.dkim_pass_domains) or aligned(facts.spf_pass_domain, f):
            out.add(f)
    if facts.dmarc_result == "pass" and facts.dmarc_domain:
        out.add(facts.dmarc_domain)
    return out


def _unverified(sig_headers: list) -> list[dkim_mod.DKIMResult]:
    """Signatures listed without verification (no DNS): temperror each, domain/selector from the tags."""
    out = []
    for h in sig_headers[: dkim_mod.MAX_SIGNATURES]:
        t = dkim_mod.signature_tags(h.value, only=("d", "s"))
        out.append(dkim_mod.DKIMResult("temperror", t.get("d", "").lower().rstrip("."), t.get("s", "").lower(),
                                       reason="no DNS"))
    return out


ANALYZER = AuthAnalyzer
