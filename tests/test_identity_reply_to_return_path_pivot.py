"""Reply-To and Return-Path pivots: the answer or the bounce goes somewhere other than the sender."""

from identity_helpers import StubAuth, aligned, crlf, symbols


def _raw(from_: str, extra: str = "") -> bytes:
    return crlf(f"From: {from_}\n{extra}To: a@b.example\nSubject: Invoice\nMessage-ID: <1@shop.example>\n\nhi\n")


def test_company_mail_with_freemail_reply_to():
    assert "REPLYTO_FREEMAIL_PIVOT" in symbols(_raw("ceo@shop.example", "Reply-To: ceo.private7@gmail.com\n"))


def test_brand_mail_replying_outside_the_brand():
    syms = symbols(_raw("service@paypal.com", "Reply-To: refunds@evil.example\n"), auth=aligned("paypal.com"))
    assert "REPLYTO_BRAND_PIVOT" in syms


def test_reply_to_lookalike():
    assert "REPLYTO_LOOKALIKE_BRAND" in symbols(_raw("a@shop.example", "Reply-To: help@paypa1.com\n"))


def test_mailing_list_reply_to_is_quiet():
    syms = symbols(_raw("dev@lists.example.org", "List-Id: <dev.lists.example.org>\nReply-To: bob@gmail.com\n"))
    assert not syms & {"REPLYTO_FREEMAIL_PIVOT", "REPLYTO_OTHER_DOMAIN"}


def test_return_path_pivot_for_unauthenticated_brand():
    raw = _raw("service@paypal.com", "Return-Path: <bounce@evil.example>\n")
    assert "RETURN_PATH_BRAND_PIVOT" in symbols(raw, auth=StubAuth("fail", "paypal.com"))
    assert "RETURN_PATH_BRAND_PIVOT" not in symbols(raw, auth=aligned("paypal.com"))
