"""Composition Kills: with no MAIL FROM, SPF checks the HELO name, which the client chose freely."""

from identity_helpers import StubAuth, crlf, symbols
from mailwarden.envelope import Envelope

RAW = crlf("From: service@paypal.com\nTo: a@b.example\nSubject: Your account\nMessage-ID: <1@x.example>\n\nhi\n")


def test_null_mail_from_with_helo_matching_from():
    env = Envelope(ip="198.51.100.9", helo="mx.paypal.com", mail_from="", rcpt=["a@b.example"])
    syms = symbols(RAW, envelope=env)
    assert "HELO_STANDS_IN_FOR_MAIL_FROM" in syms and "ENVELOPE_NULL_SENDER" in syms


def test_spf_passed_for_helo_not_mail_from():
    env = Envelope(ip="198.51.100.9", helo="mx.paypal.com", mail_from="bounce@other.example", rcpt=[])
    auth = StubAuth("fail", "paypal.com", set(), set(), "mx.paypal.com")
    assert "HELO_STANDS_IN_FOR_MAIL_FROM" in symbols(RAW, envelope=env, auth=auth)


def test_ordinary_envelope_is_quiet():
    env = Envelope(ip="198.51.100.9", helo="mx.paypal.com", mail_from="bounce@paypal.com", rcpt=[])
    assert "HELO_STANDS_IN_FOR_MAIL_FROM" not in symbols(RAW, envelope=env, auth=StubAuth())
