"""Run the identity-layer analyzers on a message with an auth fact set by the test.

The auth analyzer (another module) normally sets `ctx.facts["auth"]`; these tests construct
that fact directly so each identity rule can be exercised against a known authentication state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from mailwarden.brands import registrable_domain
from mailwarden.config import Config
from mailwarden.context import ScanContext
from mailwarden.engine import Engine
from mailwarden.envelope import Envelope, derive_envelope
from mailwarden.findings import Finding
from mailwarden.message import Message

MY_ANALYZERS = ["headers", "identity", "routing"]


@dataclass
class StubAuth:
    """The agreed `ctx.facts["auth"]` shape."""

    dmarc_result: str = "none"
    dmarc_domain: str | None = None
    aligned_domains: set[str] = field(default_factory=set)
    dkim_pass_domains: set[str] = field(default_factory=set)
    spf_pass_domain: str | None = None
    source: str = "computed"

    def authenticated_as(self, domain: str) -> bool:
        return registrable_domain(domain) in {registrable_domain(d) for d in self.aligned_domains}


_ENGINES: dict[tuple, Engine] = {}


def engine_for(own_domains: tuple[str, ...] = ()) -> Engine:
    key = own_domains
    if key not in _ENGINES:
        _ENGINES[key] = Engine(config=Config(own_domains=list(own_domains)), analyzers=MY_ANALYZERS)
    return _ENGINES[key]


def run(raw: bytes, auth: StubAuth | None = None, envelope: Envelope | None = None,
        own_domains: tuple[str, ...] = ()) -> tuple[list[Finding], ScanContext]:
    eng = engine_for(own_domains)
    msg = Message.parse(raw, eng.limits)
    ctx = ScanContext(engine=eng, envelope=derive_envelope(msg, envelope), deadline=time.monotonic() + 30)
    if auth is not None:
        ctx.facts["auth"] = auth
    for a in eng.analyzers:
        ctx.findings.extend(a.analyze(msg, ctx) or ())
    return ctx.findings, ctx


def symbols(raw: bytes, **kw) -> set[str]:
    return {f.symbol for f in run(raw, **kw)[0]}


def aligned(domain: str) -> StubAuth:
    """Authentication that passed DMARC for `domain`."""
    return StubAuth("pass", domain, {domain}, {domain}, domain)


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8", "surrogateescape")
