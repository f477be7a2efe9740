"""Composition Kills: several mailboxes in one From field."""

from identity_helpers import crlf, run, symbols


def test_two_mailboxes_in_from():
    found, ctx = run(crlf("From: service@paypal.com, attacker@evil.example\nTo: a@b.example\nSubject: x\n\nhi\n"))
    syms = {f.symbol for f in found}
    assert {"FROM_MULTIPLE_MAILBOXES", "FROM_AMBIGUOUS"} <= syms
    assert ctx.from_info["address"] == "service@paypal.com"


def test_stray_comma_after_display_name_is_malformed_not_ambiguous():
    syms = symbols(crlf('From: "Shop News", <news@shop.example>\nTo: a@b.example\nSubject: x\n\nhi\n'))
    assert "FROM_MALFORMED" in syms
    assert "FROM_AMBIGUOUS" not in syms and "FROM_MULTIPLE_MAILBOXES" not in syms


def test_several_authors_with_a_matching_sender_is_rfc_compliant():
    syms = symbols(crlf("From: alice@example.org, bob@example.net\nSender: alice@example.org\nTo: a@b.example\n"
                        "Subject: joint note\n\nhi\n"))
    assert "FROM_MULTIPLE_MAILBOXES" in syms and "FROM_AMBIGUOUS" not in syms
