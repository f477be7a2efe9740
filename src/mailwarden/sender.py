"""Who the message says it is from, the way mainstream clients display it.

Decision (documented in docs/identity.md): the *visible From* is the first mailbox of the first
`From` field, where "From" includes the padded (`From :`) and folded-name variants the bounded
parser keeps. Outlook, Gmail and Thunderbird all show the first field's first mailbox; when a
message gives more than one reading (several From fields or mailboxes, an address only visible
after decoding, a route or quoted-pair address, a NUL, a Sender standing in for a missing From)
the message is *ambiguous* and `ambiguity` lists why. The address is parsed from the raw
(undecoded) field, as authentication code reads it; the display name is decoded separately, so a
Mailsploit-style encoded display name that decodes to another address is visible as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailwarden.addresses import Mailbox, parse_address_list
from mailwarden.message import Header, Message, decode_encoded_words

# Address-shaped text in a display name ("support@paypal.com" <x@evil.example>).
_ADDR_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@((?:[A-Za-z0-9\-]{1,63}\.)+[A-Za-z]{2,63})")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

_ADDRESS_ODDITIES = ("route", "quoted_at_in_local", "encoded_word_in_address", "domain_injection", "nul",
                     "multiple_angle", "quoted_pair_in_address")


@dataclass
class VisibleFrom:
    mailbox: Mailbox | None
    all_mailboxes: list[Mailbox] = field(default_factory=list)
    from_headers: list[Header] = field(default_factory=list)  # every field a client might read as From
    ambiguity: list[str] = field(default_factory=list)  # reasons two readers could disagree
    stand_in: tuple[str, Mailbox] | None = None  # ("sender"|"resent-from", mailbox) shown when From is unusable
    display_domains: list[str] = field(default_factory=list)  # address-shaped domains inside the display name
    display_tricks: list[str] = field(default_factory=list)  # encoded/controls/angle brackets in display name
    other_readings: list[str] = field(default_factory=list)  # the other addresses a reader could pick
    malformed: bool = False  # the address list is broken but has one clear reading

    @property
    def ambiguous(self) -> bool:
        return bool(self.ambiguity)

    @property
    def domain(self) -> str | None:
        mb = self.mailbox
        return (mb.domain or None) if mb else None

    def to_dict(self) -> dict:
        mb = self.mailbox
        return {"address": mb.address if mb else None, "domain": (mb.domain or None) if mb else None,
                "display_name": (mb.display_name or None) if mb else None, "ambiguous": self.ambiguous}


def from_fields(msg: Message) -> list[Header]:
    """Fields that some reader treats as From: exact, padded, or folded names."""
    return msg.header_fields("from")  # every field whose name reads "from" once trimmed, in order


def _parse(msg: Message, h: Header) -> tuple[list[Mailbox], list[str]]:
    limits = msg.limits
    parsed = parse_address_list(h.value, limits.max_addresses, limits.max_address_header_bytes)
    for mb in parsed.mailboxes:
        if "=?" in mb.display_name:
            mb.oddities.append("encoded_display_name")
            mb.display_name = decode_encoded_words(mb.display_name.encode("utf-8", "surrogateescape"),
                                                   msg._budget).strip()
    return parsed.mailboxes, parsed.oddities


def display_name_findings(mb: Mailbox) -> tuple[list[str], list[str]]:
    """(domains of addresses written in the display name, tricks in the display name)."""
    name = mb.display_name or ""
    # _ADDR_IN_TEXT needs an "@"; most names have none, and the search is costly per character.
    domains = [m.group(1).lower().rstrip(".") for m in _ADDR_IN_TEXT.finditer(name)] if "@" in name else []
    tricks: list[str] = []
    if "encoded_display_name" in mb.oddities:
        if "@" in name or "<" in name or ">" in name:
            tricks.append("encoded_address")
    if _CONTROL.search(name):
        tricks.append("control_characters")
    if "<" in name and ">" in name and "encoded_address" not in tricks:
        tricks.append("angle_brackets")
    return domains, tricks


def visible_from(msg: Message) -> VisibleFrom:
    fields = from_fields(msg)
    reasons: list[str] = []
    stand_in = None
    for name in ("sender", "resent-from"):
        hs = msg.header_fields(name)
        if hs:
            boxes, _ = _parse(msg, hs[0])
            if boxes and boxes[0].domain:
                stand_in = (name, boxes[0])
                break
    if not fields:
        vf = VisibleFrom(None, stand_in=stand_in)
        if stand_in:
            vf.ambiguity.append(f"{stand_in[0]}_stands_in_for_from")
            vf.other_readings.append(stand_in[1].address)
        return vf
    if len(fields) > 1:
        reasons.append("multiple_from_headers")
    # One pass over the fields (usually one) for the three field oddities; `reasons` is made a
    # sorted set at the end, so a reason noted twice or in another order changes nothing.
    for h in fields:
        if h.space_before_colon:
            reasons.append("space_before_colon")
        if h.folded_name:
            reasons.append("folded_name")
        if h.has_nul:
            reasons.append("nul")
    boxes, list_odd = _parse(msg, fields[0])
    real = [b for b in boxes if b.domain]
    if len(real) == 1 and len(boxes) > 1 and all("@" not in b.address for b in boxes if not b.domain):
        # `"Name", <addr>`: a stray comma turns the display name into a domainless mailbox. Clients
        # still show the one real address, so this is malformed rather than two answers.
        boxes = real
        list_odd = [o for o in list_odd if o != "multiple"] + ["stray_display_name"]
    if "multiple" in list_odd:
        # RFC 5322 §3.6.2 allows several authors when Sender names the one who sent it; that form
        # has one answer. Without a matching Sender, readers pick different mailboxes.
        sender_ok = stand_in is not None and stand_in[0] == "sender" and any(
            b.address.lower() == stand_in[1].address.lower() for b in boxes)
        if not sender_ok:
            reasons.append("multiple_mailboxes")
    if "group" in list_odd:
        reasons.append("group_syntax")
    for mb in boxes:
        if mb.oddities:  # most mailboxes have none
            reasons.extend(o for o in mb.oddities if o in _ADDRESS_ODDITIES)
    first = boxes[0] if boxes else None
    others: list[str] = []
    for h in fields[1:]:
        more, _ = _parse(msg, h)
        others.extend(m.address for m in more)
    others.extend(m.address for m in boxes[1:])
    vf = VisibleFrom(first, boxes, fields, [], stand_in)
    vf.malformed = "stray_display_name" in list_odd or "unbalanced" in list_odd
    if first is not None:
        vf.display_domains, vf.display_tricks = display_name_findings(first)
        if "encoded_address" in vf.display_tricks or "control_characters" in vf.display_tricks:
            reasons.append("display_name_trick")
            # A client that renders the decoded name as the sender shows these addresses instead.
            others.extend(m.group(0) for m in _ADDR_IN_TEXT.finditer(first.display_name))
    elif stand_in:
        reasons.append(f"{stand_in[0]}_stands_in_for_from")
        others.append(stand_in[1].address)
    if first is not None and not first.domain and stand_in:
        reasons.append(f"{stand_in[0]}_stands_in_for_from")
        others.append(stand_in[1].address)
    vf.other_readings = [o for o in others if not first or o.lower() != first.address.lower()]
    vf.ambiguity = sorted(set(reasons)) if reasons else []
    return vf
