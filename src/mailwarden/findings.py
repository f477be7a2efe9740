"""A Finding: one symbol that fired on one message, with the evidence for it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Finding:
    symbol: str
    detail: str  # this message's sentence, for a person
    evidence: list[str] = field(default_factory=list)  # header, address, URL, phrase or part
    factor: float = 1.0  # multiplies the policy weight (e.g. a probability, a count)

    def __post_init__(self) -> None:
        # Evidence is shown to people and written to headers: keep it short and single-line.
        self.evidence = [_one_line(e) for e in self.evidence[:20] if e is not None]
        if not self.evidence:
            raise ValueError(f"finding {self.symbol} has no evidence")


def _one_line(text: object, limit: int = 300) -> str:
    s = str(text).replace("\r", " ").replace("\n", " ").replace("\x00", "\\0")
    return s if len(s) <= limit else s[:limit] + "…"
