"""Composition Kills: two From headers, where a client and a DMARC checker may pick different ones."""

from identity_helpers import StubAuth, crlf, run, symbols

RAW = crlf("From: PayPal <service@paypal.com>\nFrom: attacker@evil.example\nTo: a@b.example\n"
           "Subject: x\nMessage-ID: <1@evil.example>\n\nhi\n")


def test_two_from_headers_are_ambiguous():
    found, ctx = run(RAW)
    syms = {f.symbol for f in found}
    assert {"FROM_MULTIPLE_HEADERS", "FROM_AMBIGUOUS"} <= syms
    assert ctx.from_info["ambiguous"] is True
    # The client shows the first field.
    assert ctx.from_info["domain"] == "paypal.com"
    amb = next(f for f in found if f.symbol == "FROM_AMBIGUOUS")
    assert "attacker@evil.example" in amb.detail


def test_never_authenticated_when_dmarc_checked_the_other_from():
    auth = StubAuth("pass", "evil.example", {"evil.example"}, {"evil.example"}, "evil.example")
    found, ctx = run(RAW, auth=auth)
    assert ctx.facts["identity"]["authenticated"] is False
    assert "AUTH_FROM_NOT_VISIBLE_FROM" in {f.symbol for f in found}


def test_single_from_is_not_ambiguous():
    raw = crlf("From: Alice <alice@example.org>\nTo: a@b.example\nSubject: x\nMessage-ID: <1@example.org>\n\nhi\n")
    assert not symbols(raw) & {"FROM_MULTIPLE_HEADERS", "FROM_AMBIGUOUS"}
