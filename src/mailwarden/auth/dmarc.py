"""DMARC (RFC 7489, with RFC 9091's `np`): policy discovery, alignment, disposition.

The organisational domain comes from the Public Suffix List bundled with
`publicsuffixlist` (ICANN and private sections, as DMARC receivers use it), so no
network is needed for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from mailwarden.dns import DNSError, NXDomain
from mailwarden.psl import public_suffix_list

POLICIES = ("none", "quarantine", "reject")


@lru_cache(maxsize=65536)  # a pure function of a domain, asked several times per message
def org_domain(domain: str) -> str:
    """The organisational domain (public suffix + one label); the name itself when it is a suffix."""
    d = domain.strip().rstrip(".").lower()
    if not d:
        return d
    try:
        return public_suffix_list().privatesuffix(d) or d
    except Exception:  # noqa: BLE001 - odd labels: fall back to the name itself
        return d


def aligned(a: str | None, b: str | None, mode: str = "r") -> bool:
    """Identifier alignment: strict needs equal names, relaxed equal organisational domains."""
    if not a or not b:
        return False
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if mode == "s":
        return a == b
    return a == b or org_domain(a) == org_domain(b)


@dataclass(frozen=True)
class DMARCRecord:
    p: str
    sp: str | None = None
    np: str | None = None
    pct: int = 100
    adkim: str = "r"
    aspf: str = "r"
    raw: str = ""
    found_at: str = ""  # the name the record was found under (_dmarc.<domain>)


@lru_cache(maxsize=4096)
def parse_record(txt: str) -> DMARCRecord | None:
    """A DMARC record, or None when `txt` is not one (RFC 7489 §6.3: v=DMARC1 must come first)."""
    parts = [p.strip() for p in txt.split(";")]
    if not parts or parts[0].replace(" ", "") != "v=DMARC1":
        return None
    tags: dict[str, str] = {}
    for p in parts[1:]:
        if "=" in p:
            k, _, v = p.partition("=")
            tags.setdefault(k.strip().lower(), v.strip())
    p = tags.get("p", "").lower()
    if p not in POLICIES:
        # §6.6.3: no valid p= but a valid rua= means p=none; otherwise the record is unusable
        if "rua" in tags:
            p = "none"
        else:
            return None
    sp = tags.get("sp", "").lower()
    np_ = tags.get("np", "").lower()
    try:
        pct = max(0, min(100, int(tags.get("pct", "100"))))
    except ValueError:
        pct = 100
    return DMARCRecord(p=p, sp=sp if sp in POLICIES else None, np=np_ if np_ in POLICIES else None, pct=pct,
                       adkim="s" if tags.get("adkim", "r").lower() == "s" else "r",
                       aspf="s" if tags.get("aspf", "r").lower() == "s" else "r", raw=txt)


class _Temp(Exception):
    pass


def _fetch(resolver: Any, domain: str) -> DMARCRecord | None:
    if resolver is None:
        raise _Temp("no DNS resolver")
    name = f"_dmarc.{domain}"
    try:
        txts = resolver.query(name, "TXT")
    except NXDomain:
        return None
    except DNSError as exc:
        raise _Temp(str(exc)) from None
    recs = [r for r in (parse_record(t) for t in txts) if r is not None]
    if len(recs) != 1:  # §6.6.3: none, or several, means no policy
        return None
    return replace(recs[0], found_at=name)  # parse_record's results are cached: never mutate them


@dataclass
class DMARCResult:
    result: str  # pass | fail | none | temperror | permerror
    domain: str | None  # the RFC5322.From domain evaluated
    policy: str | None = None  # p= as published (CONTRACT.md)
    applied: str | None = None  # the policy that applies to this domain (p, sp or np), before pct
    pct: int = 100
    record: DMARCRecord | None = None
    org: str | None = None
    spf_aligned: bool = False
    dkim_aligned: list[str] = field(default_factory=list)  # d= of aligned passing signatures
    reason: str = ""


def evaluate(resolver: Any, from_domain: str | None, spf_result: str, spf_domain: str | None,
             dkim_passes: list[str]) -> DMARCResult:
    """DMARC for one RFC5322.From domain, given the SPF (MAIL FROM) and DKIM outcomes."""
    if not from_domain:
        return DMARCResult("none", None, reason="no From domain")
    dom = from_domain.lower().rstrip(".")
    org = org_domain(dom)
    try:
        rec = _fetch(resolver, dom)
        if rec is None and org != dom:
            rec = _fetch(resolver, org)
    except _Temp as exc:
        return DMARCResult("temperror", dom, org=org, reason=f"policy lookup failed: {exc}")
    if rec is None:
        res = DMARCResult("none", dom, org=org, reason="no DMARC record published")
        _align(res, "r", "r", dom, spf_result, spf_domain, dkim_passes)
        return res
    applied = rec.p
    if rec.found_at != f"_dmarc.{dom}":  # inherited from the organisational domain
        applied = rec.sp or rec.p
        if rec.np and _nonexistent(resolver, dom):
            applied = rec.np
    res = DMARCResult("fail", dom, policy=rec.p, applied=applied, pct=rec.pct, record=rec, org=org)
    _align(res, rec.aspf, rec.adkim, dom, spf_result, spf_domain, dkim_passes)
    if res.spf_aligned or res.dkim_aligned:
        res.result = "pass"
    else:
        res.reason = "neither SPF nor DKIM passed for a domain aligned with the From domain"
    return res


def _align(res: DMARCResult, aspf: str, adkim: str, dom: str, spf_result: str, spf_domain: str | None,
           dkim_passes: list[str]) -> None:
    res.spf_aligned = spf_result == "pass" and aligned(spf_domain, dom, aspf)
    res.dkim_aligned = [d for d in dkim_passes if aligned(d, dom, adkim)]


def _nonexistent(resolver: Any, domain: str) -> bool:
    """RFC 9091: a domain is non-existent when it has no A, AAAA or MX (NXDOMAIN answers it)."""
    try:
        resolver.query(domain, "A")
    except NXDomain:
        return True
    except DNSError:
        return False
    return False


STRICTNESS = {"pass": 0, "none": 1, "temperror": 2, "permerror": 3, "fail": 4}
POLICY_RANK = {None: 0, "none": 1, "quarantine": 2, "reject": 3}


def strictest(results: list[DMARCResult]) -> DMARCResult:
    """RFC 7489 §6.6.1 for several From mailboxes: evaluate each; the worst outcome (and, among
    failures, the strictest policy) stands for the message."""
    return max(results, key=lambda r: (STRICTNESS.get(r.result, 3), POLICY_RANK.get(r.applied, 0)))
