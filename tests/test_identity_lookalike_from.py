"""Lookalike From domains: a brand or our own domain imitated by the sender's domain."""

from identity_helpers import crlf, symbols


def _raw(addr: str) -> bytes:
    return crlf(f"From: <{addr}>\nTo: a@b.example\nSubject: x\n\nhi\n")


def test_homoglyph_brand_domain():
    assert "FROM_LOOKALIKE_BRAND" in symbols(_raw("service@paypa1.com"))
    assert "FROM_LOOKALIKE_BRAND" in symbols(_raw("service@xn--pypal-4ve.com"))


def test_brand_in_subdomain():
    assert "FROM_LOOKALIKE_BRAND" in symbols(_raw("no-reply@microsoft.com.login-check.example"))


def test_brand_plus_keyword():
    assert "FROM_BRAND_IN_DOMAIN" in symbols(_raw("alert@paypal-secure-login.example"))


def test_own_domain_lookalike():
    syms = symbols(_raw("ceo@examp1e-corp.example"), own_domains=("example-corp.example",))
    assert "FROM_LOOKALIKE_OWN_DOMAIN" in syms


def test_real_domain_is_not_a_lookalike():
    assert not symbols(_raw("service@paypal.com")) & {"FROM_LOOKALIKE_BRAND", "FROM_BRAND_IN_DOMAIN"}
