"""Delivery reports (RFC 3464 bounces): which part of them someone else wrote.

A bounce from a mail provider is the provider's fixed wording ("the address couldn't be found",
"the account you tried to reach does not exist") around the message that could not be delivered.
Read as a whole, that wording looks like the fake "undelivered mail" lures phishing copies; the
provider wrote it, though. The only words in a genuine report that anyone else chose are those of
the returned message: the recipient's own mail, or, in backscatter, mail forged in the recipient's
name. That is the part worth judging.
"""

from __future__ import annotations

from mailwarden.message import Entity, Message

_RETURNED_TYPES = ("message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers")


def is_delivery_report(msg: Message) -> bool:
    """multipart/report; report-type=delivery-status with its machine-readable status part."""
    root = msg.root
    if root.content_type != "multipart/report" or root.params.get("report-type", "").lower() != "delivery-status":
        return False
    return any(e.content_type in ("message/delivery-status", "message/global-delivery-status")
               for e in msg.entities)


def _returned_entity(msg: Message) -> Entity | None:
    for ent in msg.entities:
        if ent is not msg.root and ent.content_type in _RETURNED_TYPES:
            return ent
    return None


def returned_message(msg: Message) -> Message | None:
    """The message the report sends back (or just its headers), parsed under the same limits."""
    ent = _returned_entity(msg)
    if ent is None:
        return None
    return Message.parse(ent.payload, msg.limits)
