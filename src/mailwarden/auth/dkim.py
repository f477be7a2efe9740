"""DKIM (RFC 6376, RFC 8463) for every signature, through dkimpy with our resolver as `dnsfunc`.

Results per signature: `pass`; `fail` (the signature or body hash does not verify, or the
signature expired); `permerror` (malformed signature, no key, unusable or revoked key);
`temperror` (DNS gave no answer in time, budget spent, or no resolver at all).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import dkim as _dkim
from dkim.util import InvalidTagValueList, parse_tag_value

from mailwarden.dns import DNSError, NXDomain

MAX_SIGNATURES = 8  # more are reported, not verified (each may cost a DNS query)


class _TempFail(Exception):
    """Raised through dkimpy from the dnsfunc; dkimpy catches only DKIMException."""


@dataclass
class DKIMResult:
    result: str
    domain: str
    selector: str
    auid: str = ""
    algorithm: str = ""
    header_b: str = ""  # first 8 characters of b=, as RFC 6008 header.b
    reason: str = ""
    unsigned_tail: int = 0  # bytes of body after what an l= signature covers (appended, unsigned)


class _Recorder(logging.Logger):
    """dkimpy reports why a check failed only through its logger; keep the last message."""

    def __init__(self) -> None:
        super().__init__("mailwarden.dkim.quiet", logging.DEBUG)
        self.last_error = ""

    def error(self, msg: object, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.last_error = str(msg) % args if args else str(msg)

    def debug(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        pass

    def info(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        pass

    def warning(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        pass


def make_dnsfunc(resolver: Any, state: dict | None = None) -> Any:
    """A dkimpy `dnsfunc` backed by our port. `state["missing"]` records names with no key."""

    def dnsfunc(name: bytes | str, timeout: float = 5) -> bytes | str | None:
        is_bytes = isinstance(name, bytes)
        qname = name.decode("ascii", "replace") if is_bytes else name
        if resolver is None:
            raise _TempFail("no DNS resolver")
        try:
            records = resolver.query(qname, "TXT")
        except NXDomain:
            records = []
        except DNSError as exc:
            raise _TempFail(str(exc)) from None
        if not records:
            if state is not None:
                state.setdefault("missing", set()).add(qname.rstrip(".").lower())
            return None
        # Several TXT records at a key name: prefer the one that is a key record.
        rec = next((r for r in records if "p=" in r), records[0])
        return rec.encode("utf-8", "surrogateescape") if is_bytes else rec

    return dnsfunc


def _tags(value: bytes) -> dict[bytes, bytes]:
    try:
        return parse_tag_value(value)
    except (InvalidTagValueList, ValueError, IndexError):
        return {}


def strip_mbox_line(raw: bytes) -> bytes:
    if raw.startswith(b"From "):
        nl = raw.find(b"\n")
        return raw[nl + 1:] if nl >= 0 else b""
    return raw


def signature_tags(value: str, only: tuple[str, ...] | None = None) -> dict[str, str]:
    """Tags of one DKIM-Signature value, whitespace removed (cheap; no validation). With `only`,
    just those tags (the first of each, as without it): the long b=/bh= values are not copied."""
    tags: dict[str, str] = {}
    for part in value.split(";"):
        k, _, v = part.partition("=")
        k = k.strip().lower()
        if k not in tags and (only is None or k in only):
            tags[k] = "".join(v.split())
    return tags


def unverifiable(sig_values: list[str], resolver: Any) -> list[DKIMResult] | None:
    """When no signature's key can be had, the per-signature results without parsing the message
    (dkimpy parses the whole message first, which is most of the cost on unverifiable mail).
    Returns None when at least one key is available and real verification is needed."""
    out = []
    for value in sig_values[:MAX_SIGNATURES]:
        t = signature_tags(value)
        d, sel = t.get("d", "").lower().rstrip("."), t.get("s", "").lower()
        res = DKIMResult("permerror", d, sel, t.get("i", ""), t.get("a", "").lower(), t.get("b", "")[:8])
        if not d or not sel:
            res.reason = "signature lacks d= or s="
        elif resolver is None:
            res.result, res.reason = "temperror", "no DNS resolver"
        else:
            try:
                recs = resolver.query(f"{sel}._domainkey.{d}", "TXT")
            except NXDomain:
                recs = []
            except DNSError as exc:
                res.result, res.reason = "temperror", f"key lookup failed: {exc}"
                out.append(res)
                continue
            if recs:
                return None
            res.reason = "no key published for this selector"
        out.append(res)
    return out if len(sig_values) <= MAX_SIGNATURES else None


def _unsigned_tail(raw: bytes, l_tag: bytes | None) -> int:
    """How much body lies beyond an l= limit (RFC 6376 §8.2: content may be appended after it).
    Measured on the raw body, with slack for canonicalisation, so only a real tail counts."""
    if not l_tag:
        return 0
    try:
        limit = int(l_tag.strip())
    except ValueError:
        return 0
    m = re.search(rb"\r?\n\r?\n", raw)
    body = raw[m.end():] if m else b""
    extra = len(body.rstrip(b"\r\n\t ")) - limit
    return extra if extra > max(64, limit // 10) else 0


def verify_all(raw: bytes, resolver: Any, max_signatures: int = MAX_SIGNATURES) -> list[DKIMResult]:
    """Verify every DKIM-Signature of the message, in header order."""
    raw = strip_mbox_line(raw)
    log = _Recorder()
    try:
        d = _dkim.DKIM(raw, logger=log, minkey=1024, timeout=2)
    except Exception as exc:  # noqa: BLE001 - dkimpy's parser on hostile bytes
        return [DKIMResult("permerror", "", "", reason=f"unparseable message: {type(exc).__name__}")]
    sigs = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
    out: list[DKIMResult] = []
    for idx, value in enumerate(sigs):
        tags = _tags(value)
        domain = tags.get(b"d", b"").decode("utf-8", "replace").strip().lower().rstrip(".")
        selector = tags.get(b"s", b"").decode("utf-8", "replace").strip().lower()
        auid = tags.get(b"i", b"").decode("utf-8", "replace").strip()
        alg = tags.get(b"a", b"").decode("ascii", "replace").strip().lower()
        bval = re.sub(rb"\s+", b"", tags.get(b"b", b"")).decode("ascii", "replace")[:8]
        res = DKIMResult("permerror", domain, selector, auid, alg, bval)
        if idx >= max_signatures:
            res.result, res.reason = "none", "not verified: too many signatures"
            out.append(res)
            continue
        if not domain or not selector:
            res.reason = "signature lacks d= or s="
            out.append(res)
            continue
        state: dict = {}
        log.last_error = ""
        try:
            ok = d.verify(idx=idx, dnsfunc=make_dnsfunc(resolver, state))
        except _TempFail as exc:
            res.result, res.reason = "temperror", f"key lookup failed: {exc}"
        except _dkim.ValidationError as exc:
            msg = str(exc)
            res.result = "fail" if ("mismatch" in msg or "expired" in msg) else "permerror"
            res.reason = msg
        except _dkim.DKIMException as exc:
            res.result, res.reason = "permerror", str(exc)
        except Exception as exc:  # noqa: BLE001 - a library bug must not lose the other signatures
            res.result, res.reason = "permerror", f"{type(exc).__name__}: {exc}"
        else:
            if ok:
                res.result, res.reason = "pass", ""
                res.unsigned_tail = _unsigned_tail(raw, tags.get(b"l"))
            elif state.get("missing"):
                res.result, res.reason = "permerror", "no key published for this selector"
            elif log.last_error and ("Key" in log.last_error or "key" in log.last_error):
                res.result, res.reason = "permerror", log.last_error
            else:
                res.result, res.reason = "fail", log.last_error or "signature did not verify"
        res.reason = res.reason[:200]
        out.append(res)
    return out
