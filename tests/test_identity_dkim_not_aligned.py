"""Composition Kills: a DKIM signature that verifies, for a d= unrelated to the From domain."""

from identity_helpers import StubAuth, aligned, crlf, run

RAW = crlf("From: PayPal <service@paypal.com>\nTo: a@b.example\nSubject: x\nMessage-ID: <1@paypal.com>\n\nhi\n")


def test_dkim_pass_for_other_domain_is_not_authentication_of_from():
    auth = StubAuth("fail", "paypal.com", set(), {"evil.example"}, None)
    found, ctx = run(RAW, auth=auth)
    syms = {f.symbol for f in found}
    assert "DKIM_NOT_ALIGNED_FROM" in syms
    assert "FROM_BRAND_UNAUTHENTICATED" in syms
    assert ctx.facts["identity"]["authenticated"] is False


def test_aligned_dkim_is_from_the_brand_but_scores_nothing_away():
    found, ctx = run(RAW, auth=aligned("paypal.com"))
    syms = {f.symbol for f in found}
    assert "DKIM_NOT_ALIGNED_FROM" not in syms and "FROM_BRAND_UNAUTHENTICATED" not in syms
    assert ctx.facts["identity"]["authenticated"] is True
    assert ctx.facts["identity"]["brand"] == "paypal"
    assert all(f.factor >= 0 for f in found)


def test_authenticated_but_ambiguous_is_not_authenticated():
    raw = crlf("From: service@paypal.com\nFrom: x@evil.example\nTo: a@b.example\nSubject: x\n\nhi\n")
    _, ctx = run(raw, auth=aligned("paypal.com"))
    assert ctx.facts["identity"]["authenticated"] is False
