"""RFC 7489 §6.6.1 at the message level: with several From mailboxes (or several From fields) every
domain is evaluated and the strictest outcome is the message's DMARC result."""

from __future__ import annotations

from mailwarden.dns import StaticResolver
from mailwarden.engine import Engine
from mailwarden.envelope import Envelope

from conftest import make_message

ZONE = StaticResolver({
    "example.com": [["TXT", "v=spf1 ip4:192.0.2.0/24 -all"]],
    "_dmarc.example.com": [["TXT", "v=DMARC1; p=none"]],
    "_dmarc.bank.example": [["TXT", "v=DMARC1; p=reject"]],
})
ENV = Envelope(ip="192.0.2.7", helo="mail.example.com", mail_from="bounce@example.com")


def _scan(headers):
    eng = Engine(resolver=ZONE, analyzers=["headers", "auth"])
    return eng.scan(make_message(headers), ENV)


def test_second_mailbox_of_a_protected_domain_makes_dmarc_fail():
    v = _scan([("From", "Me <me@example.com>, Bank <alerts@bank.example>"), ("Subject", "hi")])
    assert v.auth["dmarc"] == {"result": "fail", "domain": "bank.example", "policy": "reject"}
    assert "DMARC_FAIL_REJECT" in {f.symbol for f in v.findings}


def test_second_from_field_is_evaluated_too():
    v = _scan([("From", "me@example.com"), ("From", "alerts@bank.example"), ("Subject", "hi")])
    assert v.auth["dmarc"]["result"] == "fail" and v.auth["dmarc"]["domain"] == "bank.example"


def test_single_aligned_mailbox_passes():
    v = _scan([("From", "me@example.com"), ("Subject", "hi")])
    assert v.auth["dmarc"] == {"result": "pass", "domain": "example.com", "policy": "none"}
    assert v.auth["spf"] == {"result": "pass", "domain": "example.com"}
