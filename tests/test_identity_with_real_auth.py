"""The identity layer on top of the real auth analyzer (DKIM signed in the test, DNS from a static zone)."""

from __future__ import annotations

import pytest

from dkimkeys import rsa_key, sign
from mailwarden.dns import StaticResolver
from mailwarden.engine import Engine
from mailwarden.envelope import Envelope

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _engine() -> Engine:
    _, txt = rsa_key()
    zone = StaticResolver({
        "sel._domainkey.evil.example": [["TXT", txt]],
        "_dmarc.paypal.com": [["TXT", "v=DMARC1; p=reject"]],
        "_dmarc.evil.example": [["TXT", "v=DMARC1; p=none"]],
        "evil.example": [["TXT", "v=spf1 ip4:198.51.100.0/24 -all"]],
        "paypal.com": [["TXT", "v=spf1 -all"]],
    })
    return Engine(resolver=zone)


def _msg(from_lines: str) -> bytes:
    body = (f"{from_lines}To: a@b.example\r\nSubject: Your account\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n"
            "Message-ID: <1@evil.example>\r\n\r\nPlease confirm.\r\n").encode()
    key, _ = rsa_key()
    return sign(body, "evil.example", "sel", key)


ENV = Envelope(ip="198.51.100.9", helo="mx.evil.example", mail_from="bounce@evil.example", rcpt=["a@b.example"])


def _symbols(v) -> set[str]:
    return {f.symbol for f in v.findings}


def test_dkim_for_attacker_domain_with_brand_from():
    v = _engine().scan(_msg("From: PayPal <service@paypal.com>\r\n"), ENV)
    syms = _symbols(v)
    assert v.auth["dmarc"]["result"] == "fail"
    assert {"DKIM_NOT_ALIGNED_FROM", "FROM_BRAND_UNAUTHENTICATED"} <= syms


def test_two_from_headers_are_never_authenticated_as_the_visible_one():
    v = _engine().scan(_msg("From: PayPal <service@paypal.com>\r\nFrom: x@evil.example\r\n"), ENV)
    syms = _symbols(v)
    assert v.from_["ambiguous"] is True and v.from_["domain"] == "paypal.com"
    assert "FROM_AMBIGUOUS" in syms
    assert v.action != "accept"


def test_attacker_domain_authenticated_is_only_from_the_attacker():
    v = _engine().scan(_msg('From: "PayPal Billing" <billing@evil.example>\r\n'), ENV)
    syms = _symbols(v)
    assert v.auth["dmarc"]["result"] == "pass"
    assert "DISPLAY_NAME_BRAND" in syms  # authentication did not lower or remove it
    assert all(f.weight >= 0 for f in v.findings)
