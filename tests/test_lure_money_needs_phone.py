"""Money amounts serve only the callback check, which needs a phone number: they are looked for
only where a number was found, and found in every field when one is."""

import time

from mailwarden.analyzers.lures import LuresAnalyzer
from mailwarden.context import ScanContext
from mailwarden.engine import Engine
from mailwarden.envelope import derive_envelope
from mailwarden.message import Message

from conftest import make_message


def _facts(raw: bytes) -> dict:
    eng = Engine()
    msg = Message.parse(raw, eng.limits)
    ctx = ScanContext(engine=eng, envelope=derive_envelope(msg, None), deadline=time.monotonic() + 30)
    list(LuresAnalyzer().analyze(msg, ctx))
    return ctx.facts["lures"]


def test_amounts_are_collected_from_every_field_when_a_number_is_present():
    raw = make_message({"From": "Billing <b@example.org>", "To": "a@example.org",
                        "Subject": "Your order of $499.99 was charged"},
                       "Refund of 49,90 EUR: call us at +1 808 555 0100 to cancel.\n")
    facts = _facts(raw)
    assert facts["phones"]
    assert facts["money"][:2] == ["$499.99", "49,90 EUR"]


def test_no_number_means_no_amount_lookup():
    raw = make_message({"From": "Billing <b@example.org>", "To": "a@example.org",
                        "Subject": "Your order of $499.99 was charged"}, "Thanks for your order.\n")
    facts = _facts(raw)
    assert facts["phones"] == [] and facts["money"] == []
