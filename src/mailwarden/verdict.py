"""The Verdict: what the engine concluded about one message, in CONTRACT.md's JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ScoredFinding:
    symbol: str
    weight: float
    description: str  # the symbol's catalogue text
    detail: str  # this message's sentence
    evidence: list[str]

    def to_dict(self) -> dict:
        return {"symbol": self.symbol, "weight": round(self.weight, 3), "description": self.description,
                "detail": self.detail, "evidence": list(self.evidence)}


@dataclass
class Verdict:
    action: str
    score: float
    summary: str
    findings: list[ScoredFinding]
    file: str | None = None
    message_id: str | None = None
    from_: dict = field(default_factory=dict)
    envelope: dict = field(default_factory=dict)
    auth: dict = field(default_factory=dict)
    platform: dict | None = None
    urls: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    campaign: str | None = None
    limits: list[str] = field(default_factory=list)
    authentication_results: str | None = None
    subject: str = ""
    elapsed_ms: float = 0.0

    @property
    def flagged(self) -> bool:
        return self.action in ("tag", "quarantine", "reject")

    def reasons(self, n: int = 3) -> list[ScoredFinding]:
        """The findings that mattered most, heaviest first."""
        ranked = sorted((f for f in self.findings if f.weight > 0), key=lambda f: -f.weight)
        return ranked[:n]

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "message_id": self.message_id,
            "action": self.action,
            "score": round(self.score, 3),
            "summary": self.summary,
            "findings": [f.to_dict() for f in self.findings],
            "from": self.from_,
            "envelope": self.envelope,
            "auth": self.auth,
            "platform": self.platform,
            "urls": self.urls,
            "phones": self.phones,
            "campaign": self.campaign,
            "limits": self.limits,
            "authentication_results": self.authentication_results,
        }
