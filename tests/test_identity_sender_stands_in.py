"""Composition Kills: Sender or Resent-From standing in for a missing or unusable From."""

from identity_helpers import crlf, run, symbols


def test_sender_without_from():
    found, ctx = run(crlf("Sender: service@paypal.com\nTo: a@b.example\nSubject: x\n\nhi\n"))
    syms = {f.symbol for f in found}
    assert "SENDER_STANDS_IN_FOR_FROM" in syms and "FROM_AMBIGUOUS" in syms
    assert ctx.from_info["address"] is None and ctx.from_info["ambiguous"]


def test_resent_from_with_unusable_from():
    syms = symbols(crlf("From: Undisclosed\nResent-From: service@paypal.com\nTo: a@b.example\nSubject: x\n\nhi\n"))
    assert {"FROM_UNPARSEABLE", "SENDER_STANDS_IN_FOR_FROM", "FROM_AMBIGUOUS"} <= syms


def test_sender_beside_a_good_from_is_normal():
    syms = symbols(crlf("From: boss@example.org\nSender: assistant@example.org\nTo: a@b.example\n"
                        "Subject: x\n\nhi\n"))
    assert not syms & {"SENDER_STANDS_IN_FOR_FROM", "FROM_AMBIGUOUS"}
