"""Composition Kills: quotes or parentheses injected into the From domain."""

from identity_helpers import crlf, run


def test_parenthesis_in_domain():
    found, ctx = run(crlf("From: <attacker@evil.example(.paypal.com)>\nTo: a@b.example\nSubject: x\n\nhi\n"))
    syms = {f.symbol for f in found}
    assert "FROM_AMBIGUOUS" in syms
    assert ctx.from_info["domain"] == "evil.example"


def test_quote_in_domain():
    found, ctx = run(crlf('From: <attacker@paypal.com".evil.example>\nTo: a@b.example\nSubject: x\n\nhi\n'))
    syms = {f.symbol for f in found}
    assert "FROM_DOMAIN_INJECTION" in syms and "FROM_AMBIGUOUS" in syms
