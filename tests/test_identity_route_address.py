"""Composition Kills: an obsolete route portion (@host:) before the address."""

from identity_helpers import crlf, run


def test_route_portion():
    found, ctx = run(crlf("From: <@paypal.com:attacker@evil.example>\nTo: a@b.example\nSubject: x\n\nhi\n"))
    syms = {f.symbol for f in found}
    assert {"FROM_ROUTE_ADDRESS", "FROM_AMBIGUOUS"} <= syms
    assert ctx.from_info["domain"] == "evil.example"
