"""Who the message says it is from, the way mainstream clients display it."""

from __future__ import annotations

from dataclasses import dataclass, field

from mailwarden.addresses import Mailbox, parse_address_list
from mailwarden.message import Header, Message


@dataclass
class VisibleFrom:
    mailbox: Mailbox | None
    all_mailboxes: list[Mailbox] = field(default_factory=list)
    from_headers: list[Header] = field(default_factory=list)  # every field a client might read as From
    ambiguity: list[str] = field(default_factory=list)  # reasons two readers could disagree

    @property
    def ambiguous(self) -> bool:
        return bool(self.ambiguity)

    def to_dict(self) -> dict:
        mb = self.mailbox
        return {"address": mb.address if mb else None, "domain": (mb.domain or None) if mb else None,
                "display_name": (mb.display_name or None) if mb else None, "ambiguous": self.ambiguous}


def from_fields(msg: Message) -> list[Header]:
    """Fields that some reader treats as From: exact, padded, or folded names."""
    return [h for h in msg.headers if h.key == "from"]


def visible_from(msg: Message) -> VisibleFrom:
    fields = from_fields(msg)
    if not fields:
        return VisibleFrom(None)
    reasons: list[str] = []
    if len(fields) > 1:
        reasons.append("multiple_from_headers")
    if any(h.space_before_colon for h in fields):
        reasons.append("space_before_colon")
    if any(h.folded_name for h in fields):
        reasons.append("folded_name")
    if any(h.has_nul for h in fields):
        reasons.append("nul")
    # Clients (Outlook, Gmail, Thunderbird) show the first From field's first mailbox.
    limits = msg.limits
    parsed = parse_address_list(fields[0].decoded, limits.max_addresses, limits.max_address_header_bytes)
    if "multiple" in parsed.oddities:
        reasons.append("multiple_mailboxes")
    boxes = parsed.mailboxes
    for mb in boxes:
        reasons.extend(o for o in mb.oddities if o in ("route", "quoted_at_in_local", "encoded_word_in_address",
                                                       "domain_injection", "nul", "multiple_angle"))
    return VisibleFrom(boxes[0] if boxes else None, boxes, fields, sorted(set(reasons)))
