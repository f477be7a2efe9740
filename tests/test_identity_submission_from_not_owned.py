"""Composition Kills: an authenticated user submits mail with a From their account does not own."""

from identity_helpers import crlf, symbols
from mailwarden.config import Config
from mailwarden.engine import Engine


def _raw(account: str, from_: str) -> bytes:
    return crlf(f"Authentication-Results: mailwarden; auth=pass smtp.auth={account}\n"
                f"Received: from laptop (d1.isp.example [198.51.100.20]) by submit.corp.example with ESMTPSA "
                f"id 1; Mon, 2 Feb 2026 10:00:00 +0000\nFrom: {from_}\nTo: a@b.example\nSubject: x\n\nhi\n")


def test_account_sends_as_another_domain():
    assert "SUBMISSION_FROM_NOT_OWNED" in symbols(_raw("alice@corp.example", "ceo@paypal.com"))


def test_account_sends_as_itself():
    assert "SUBMISSION_FROM_NOT_OWNED" not in symbols(_raw("alice@corp.example", "alice@corp.example"))


def test_bare_username_checked_against_own_domains():
    raw = _raw("alice", "ceo@bank.example")
    assert "SUBMISSION_FROM_NOT_OWNED" in symbols(raw, own_domains=("corp.example",))
    assert "SUBMISSION_FROM_NOT_OWNED" not in symbols(_raw("alice", "alice@corp.example"),
                                                      own_domains=("corp.example",))


def test_postfix_authenticated_sender_comment_in_top_received():
    raw = crlf("Received: from laptop (d1.isp.example [198.51.100.20]) (Authenticated sender: bob@corp.example) "
               "by submit.corp.example (Postfix) with ESMTPSA id 1; Mon, 2 Feb 2026 10:00:00 +0000\n"
               "From: security@microsoft.com\nTo: a@b.example\nSubject: x\n\nhi\n")
    assert "SUBMISSION_FROM_NOT_OWNED" in symbols(raw)


def test_foreign_authserv_id_is_not_believed():
    raw = _raw("alice@corp.example", "ceo@paypal.com").replace(b"mailwarden;", b"mx.other.example;")
    assert "SUBMISSION_FROM_NOT_OWNED" not in symbols(raw)


def test_whole_engine_scores_it():
    eng = Engine(config=Config(own_domains=["corp.example"]))
    v = eng.scan(_raw("alice@corp.example", "ceo@paypal.com"))
    assert any(f.symbol == "SUBMISSION_FROM_NOT_OWNED" and f.weight > 0 for f in v.findings)
