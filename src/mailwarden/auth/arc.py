"""ARC (RFC 8617) chain validation through dkimpy, with our resolver as `dnsfunc`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dkim as _dkim

from mailwarden.auth.dkim import _Recorder, _TempFail, make_dnsfunc, strip_mbox_line


@dataclass
class ARCResult:
    result: str  # none | pass | fail | temperror
    instances: int = 0
    reason: str = ""
    # (instance, sealing domain) per ARC set, newest first, for evidence and upstream reasoning
    sealers: list[tuple[int, str]] = field(default_factory=list)
    key_missing: bool = False  # a sealer's or signer's key was not published (NXDOMAIN/NODATA)
    library_error: bool = False  # dkimpy itself broke on the headers (not evidence of tampering)


_ARC_NAMES = (b"arc-seal", b"arc-message-signature", b"arc-authentication-results")


def has_arc_headers(raw: bytes) -> bool:
    end = raw.find(b"\n\n")
    end2 = raw.find(b"\r\n\r\n")
    cut = min(x for x in (end, end2, len(raw)) if x >= 0)
    head = raw[:cut].lower()
    return any(head.startswith(n) or b"\n" + n in head for n in _ARC_NAMES)


def verify_chain(raw: bytes, resolver: Any) -> ARCResult:
    raw = strip_mbox_line(raw)
    if not has_arc_headers(raw):  # cheap pre-check: most mail has no ARC
        return ARCResult("none")
    log = _Recorder()
    state: dict = {}
    try:
        a = _dkim.ARC(raw, logger=log, minkey=1024, timeout=2)
        cv, results, reason = a.verify(dnsfunc=make_dnsfunc(resolver, state))
    except _TempFail as exc:
        return ARCResult("temperror", reason=f"key lookup failed: {exc}")
    except _dkim.DKIMException as exc:
        return ARCResult("fail", reason=str(exc)[:200], key_missing=bool(state.get("missing")))
    except Exception as exc:  # noqa: BLE001 - dkimpy on hostile or merely unusual input
        return ARCResult("fail", reason=f"{type(exc).__name__}: {exc}"[:200], library_error=True)
    sealers = []
    for r in results or []:
        dom = r.get("as-domain") or r.get("ams-domain") or b""
        sealers.append((int(r.get("instance", 0)), dom.decode("utf-8", "replace") if isinstance(dom, bytes)
                        else str(dom)))
    # dkimpy returns cv=None when a seal reported cv=fail: the chain is broken, which is a fail.
    word = {b"pass": "pass", b"fail": "fail", b"none": "none", None: "fail"}.get(cv, "fail")
    return ARCResult(word, len(results or []), str(reason or "")[:200], sealers, bool(state.get("missing")))
