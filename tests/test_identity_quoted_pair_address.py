"""Composition Kills: quoted-pairs and a quoted @ in the local part give two readings of the domain."""

from identity_helpers import crlf, symbols


def test_quoted_pair_in_address():
    syms = symbols(crlf('From: <"service\\@paypal.com"@evil.example>\nTo: a@b.example\nSubject: x\n\nhi\n'))
    assert "FROM_QUOTED_PAIR_ADDRESS" in syms
    assert "FROM_AMBIGUOUS" in syms


def test_quoted_at_in_local_part():
    syms = symbols(crlf('From: "service@paypal.com"@evil.example\nTo: a@b.example\nSubject: x\n\nhi\n'))
    assert "FROM_QUOTED_AT_ADDRESS" in syms and "FROM_AMBIGUOUS" in syms
