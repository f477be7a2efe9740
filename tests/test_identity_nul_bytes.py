"""Composition Kills: a NUL byte in From truncates it for some programs and not for others."""

from identity_helpers import run


def test_nul_in_from():
    raw = b"From: service@paypal.com\x00@evil.example\r\nTo: a@b.example\r\nSubject: x\r\n\r\nhi\r\n"
    found, ctx = run(raw)
    syms = {f.symbol for f in found}
    assert {"HEADER_NUL", "FROM_AMBIGUOUS"} <= syms
    assert ctx.from_info["ambiguous"]


def test_nul_in_other_header_is_flagged_but_not_ambiguous():
    raw = b"From: a@example.org\r\nSubject: x\x00y\r\nTo: a@b.example\r\n\r\nhi\r\n"
    syms = {f.symbol for f in run(raw)[0]}
    assert "HEADER_NUL" in syms and "FROM_AMBIGUOUS" not in syms
