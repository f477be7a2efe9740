"""Per-message scan context: what analyzers share while one message is scanned."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mailwarden.envelope import Envelope
from mailwarden.findings import Finding

if TYPE_CHECKING:
    from mailwarden.engine import Engine


def empty_auth() -> dict:
    return {"spf": {"result": "none", "domain": None},
            "dkim": [],
            "dmarc": {"result": "none", "domain": None, "policy": None},
            "arc": {"result": "none"},
            "source": "computed"}


@dataclass
class ScanContext:
    engine: Engine
    envelope: Envelope  # as given, with derived fields filled and marked
    deadline: float
    findings: list[Finding] = field(default_factory=list)  # so far, in analyzer order
    # Facts for the verdict (CONTRACT.md) and for later analyzers.
    auth: dict = field(default_factory=empty_auth)
    platform: dict | None = None  # {"name": str, "authenticated": bool}
    urls: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    campaign: str | None = None
    from_info: dict = field(default_factory=lambda: {"address": None, "domain": None, "display_name": None,
                                                     "ambiguous": False})
    authentication_results: str | None = None  # RFC 8601 value we computed
    facts: dict[str, Any] = field(default_factory=dict)  # free-form analyzer-to-analyzer facts

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def fired(self, symbol: str) -> bool:
        return any(f.symbol == symbol for f in self.findings)
