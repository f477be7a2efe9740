"""SPF (RFC 7208) through pyspf, with every DNS lookup sent to mailwarden's resolver port.

pyspf looks names up through its module-level `DNSLookup` function (which would use the
system resolver). On import we replace it, once, with a dispatcher that answers from the
resolver bound to the current check (a context variable), and that refuses to answer —
a temperror, never a silent fallback — when no resolver is bound.
"""

from __future__ import annotations

import contextvars
import ipaddress
from dataclasses import dataclass
from typing import Any

import spf as _pyspf

from mailwarden.dns import CNAMELoop, DNSError, NXDomain

_CURRENT: contextvars.ContextVar[Any] = contextvars.ContextVar("mailwarden_spf_resolver", default=None)

SPF_RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")


def _lookup(name: str, qtype: str, strict: Any = True, timeout: Any = None) -> list[tuple[tuple[str, str], Any]]:
    resolver = _CURRENT.get()
    if resolver is None:
        raise _pyspf.TempError("DNS: no resolver bound (mailwarden never uses the system resolver)")
    qtype = qtype.upper()
    try:
        answers = resolver.query(name, qtype)
    except (NXDomain, CNAMELoop):
        # a CNAME loop can never resolve: RFC 7208 §5.5 skips such names rather than failing
        return []
    except DNSError as exc:
        raise _pyspf.TempError(f"DNS {exc}") from None
    out: list[tuple[tuple[str, str], Any]] = []
    for data in answers:
        if qtype in ("TXT", "SPF"):
            out.append(((name, qtype), [data.encode("utf-8", "surrogateescape")]))
        elif qtype == "MX":
            pref, _, exch = data.strip().partition(" ")
            try:
                p = int(pref)
            except ValueError:
                continue
            out.append(((name, qtype), (p, exch.strip().rstrip("."))))
        elif qtype in ("PTR", "CNAME"):
            out.append(((name, qtype), data.strip().rstrip(".")))
        else:
            out.append(((name, qtype), data.strip()))
    return out


_pyspf.DNSLookup = _lookup  # process-wide: pyspf must never reach the system resolver


@dataclass
class SPFResult:
    result: str  # RFC 8601 word
    domain: str | None  # the identity's domain (MAIL FROM domain, or the HELO name)
    identity: str  # "mailfrom" or "helo"
    explanation: str = ""


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.removeprefix("IPv6:"))
    except ValueError:
        return False
    return True


def _domain(sender: str) -> str | None:
    if "@" in sender:
        return sender.rsplit("@", 1)[1].lower().rstrip(".") or None
    return sender.lower().rstrip(".") or None


def _run(resolver: Any, ip: str, sender: str, helo: str) -> tuple[str, str]:
    token = _CURRENT.set(resolver)
    try:
        q = _pyspf.query(i=ip, s=sender, h=helo, strict=True, timeout=20, querytime=0)
        res, _code, expl = q.check()
    except _pyspf.TempError as exc:
        return "temperror", str(exc)
    except _pyspf.PermError as exc:
        return "permerror", str(exc)
    except Exception as exc:  # noqa: BLE001 - pyspf raises odd things on hostile input
        return "permerror", f"{type(exc).__name__}: {exc}"
    finally:
        _CURRENT.reset(token)
    res = {"error": "temperror", "unknown": "permerror", "ambiguous": "permerror"}.get(res, res)
    return (res if res in SPF_RESULTS else "permerror"), str(expl or "")


def check_mailfrom(resolver: Any, ip: str | None, mail_from: str | None, helo: str | None) -> SPFResult:
    """SPF for the MAIL FROM identity (postmaster@HELO for the null sender, RFC 7208 §2.4)."""
    helo = (helo or "").strip()
    sender = (mail_from or "").strip()
    if not sender:
        sender = f"postmaster@{helo}" if helo else ""
    domain = _domain(sender) if sender else None
    if not ip or not sender:
        return SPFResult("none", domain, "mailfrom", "no client IP or sender to check")
    if resolver is None:
        return SPFResult("temperror", domain, "mailfrom", "no DNS resolver")
    res, expl = _run(resolver, ip, sender, helo or domain or "")
    return SPFResult(res, domain, "mailfrom", expl)


def check_helo(resolver: Any, ip: str | None, helo: str | None) -> SPFResult:
    """SPF for the HELO identity (RFC 7208 §2.3); `none` for address literals and bare words."""
    helo = (helo or "").strip().strip("[]")
    if not ip or not helo or "." not in helo or _is_ip(helo):
        return SPFResult("none", helo or None, "helo", "no checkable HELO name")
    if resolver is None:
        return SPFResult("temperror", helo.lower(), "helo", "no DNS resolver")
    res, expl = _run(resolver, ip, f"postmaster@{helo}", helo)
    return SPFResult(res, helo.lower(), "helo", expl)
