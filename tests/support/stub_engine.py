"""An engine stand-in whose verdict the test chooses through the Subject, so front-end tests do not
depend on today's detection rules. `ACTION:quarantine` in the subject -> a quarantine verdict, etc."""

from __future__ import annotations

import re
import time

from mailwarden.config import Config
from mailwarden.envelope import Envelope
from mailwarden.verdict import ScoredFinding, Verdict

SUMMARY = ("Likely phishing or fraud: This message really came from Microsoft's notification system, "
           "but the organisation name in it contains a phone number, a common scam. Do not call it.")
SCORES = {"accept": 0.0, "tag": 6.0, "quarantine": 11.0, "reject": 20.0}


class StubEngine:
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.seen: list[tuple[bytes, Envelope | None]] = []

    def scan(self, raw: bytes, envelope: Envelope | None = None, file: str | None = None) -> Verdict:
        self.seen.append((raw, envelope))
        m = re.search(rb"ACTION:([a-z]+)", raw)
        action = m.group(1).decode() if m else "accept"
        if action == "crash":
            raise RuntimeError("boom")
        if action == "sleep":
            time.sleep(float(re.search(rb"SLEEP:([\d.]+)", raw).group(1)))
            action = "accept"
        findings = [] if action == "accept" else [
            ScoredFinding("PLATFORM_FIELD_CALLBACK", SCORES[action], "A callback number in a platform field",
                          "The organisation name contains a phone number.", ["+18005550100"])]
        v = Verdict(action=action, score=SCORES.get(action, 0.0),
                    summary=SUMMARY if action != "accept" else "No strong warning signs.", findings=findings)
        v.file = file
        v.envelope = envelope.to_dict() if envelope else {}
        v.authentication_results = None
        return v
