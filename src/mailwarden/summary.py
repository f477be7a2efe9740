"""One sentence for a person: what the engine decided and the main reason."""

from __future__ import annotations

from mailwarden.verdict import ScoredFinding

_LEAD = {
    "accept": "No strong warning signs",
    "tag": "Suspicious",
    "quarantine": "Likely phishing or fraud",
    "reject": "Phishing or fraud",
    "tempfail": "Could not be fully analysed",
}


def summarise(action: str, reasons: list[ScoredFinding]) -> str:
    if not reasons:
        return f"{_LEAD[action]}: nothing in this message raised a concern." if action == "accept" else \
            f"{_LEAD[action]}."
    main = reasons[0].detail.rstrip(".")
    if action == "accept":
        return f"{_LEAD[action]}; minor note: {main}."
    extra = "" if len(reasons) < 2 else f" Also: {reasons[1].detail.rstrip('.')}."
    return f"{_LEAD[action]}: {main}.{extra}"
