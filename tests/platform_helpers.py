"""Test helpers for the platform analyzer: scan with chosen authentication facts.

The auth analyzer is replaced by a stub so that these tests exercise the platform rules alone:
`scan_as(raw, authenticated=["microsoftonline.com"])` makes the message count as authenticated for
those domains (DMARC pass, aligned DKIM), `authenticated=[]` as unauthenticated, and
`authenticated=None` as if no auth analyzer ran at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from mailwarden.analyzers.base import Analyzer
from mailwarden.engine import Engine
from mailwarden.verdict import Verdict


@dataclass
class StubAuthFacts:
    domains: list[str] = field(default_factory=list)
    dmarc_result: str = "none"

    @property
    def aligned_domains(self) -> set[str]:
        return set(self.domains)

    @property
    def dkim_pass_domains(self) -> set[str]:
        return set(self.domains)

    spf_pass_domain: str | None = None
    source: str = "computed"

    def authenticated_as(self, domain: str | None) -> bool:
        d = (domain or "").lower()
        return any(d == x or x.endswith("." + d) for x in self.domains)


class _StubAuth(Analyzer):
    name = "auth"

    def __init__(self, facts: StubAuthFacts | None) -> None:
        self.facts = facts

    def analyze(self, msg, ctx) -> Iterable:  # noqa: ANN001
        if self.facts is not None:
            ctx.facts["auth"] = self.facts
        return ()


@lru_cache(maxsize=1)
def platform_engine() -> Engine:
    return Engine(analyzers=["headers", "platform"])


def scan_as(raw: bytes, authenticated: list[str] | None, store: object = None,
            record: bool = False, engine: Engine | None = None) -> Verdict:
    """Scan with stub authentication. With `engine` given, its own store is kept."""
    own_store = engine is not None
    engine = engine or platform_engine()
    if own_store:
        store, record = engine.store, True
    facts = None if authenticated is None else StubAuthFacts(
        list(authenticated), "pass" if authenticated else "fail")
    saved = list(engine.analyzers)
    engine.analyzers = [_StubAuth(facts)] + [a for a in saved if a.name != "auth"]
    engine.store, engine.record_history = store, record
    try:
        return engine.scan(raw)
    finally:
        engine.analyzers = saved
        if not own_store:
            engine.store, engine.record_history = None, True


def symbols(verdict: Verdict) -> set[str]:
    return {f.symbol for f in verdict.findings}


def flagged(verdict: Verdict) -> bool:
    return verdict.action in ("tag", "quarantine", "reject")
