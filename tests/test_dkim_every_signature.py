"""DKIM: every signature is verified (not only the first), RSA and Ed25519, through the DNS port."""

from __future__ import annotations

from dkimkeys import ed25519_key, rsa_key, sign
from mailwarden.auth.dkim import verify_all
from mailwarden.dns import StaticResolver

MSG = (b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Lunch\r\n"
       b"Date: Mon, 01 Jan 2024 10:00:00 +0000\r\nMessage-ID: <lunch-1@example.com>\r\n\r\n"
       b"Are we still on for lunch?\r\n")

# RFC 8463 Appendix A: the example message signed with both an Ed25519 and an RSA key, and
# the two published keys (A.2). Third-party vectors: they prove interoperability, not just
# that our signer and verifier agree with each other.
RFC8463_MESSAGE = b"""DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=brisbane; t=1528637909; h=from : to :
 subject : date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus
 Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=test; t=1528637909; h=from : to : subject :
 date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3
 DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz
 dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=
From: Joe SixPack <joe@football.example.com>
To: Suzie Q <suzie@shopping.example.net>
Subject: Is dinner ready?
Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)
Message-ID: <20030712040037.46341.5F8J@football.example.com>

Hi.

We lost the game.  Are you hungry yet?

Joe.
"""
RFC8463_KEYS = {
    "brisbane._domainkey.football.example.com": [
        ["TXT", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="]],
    "test._domainkey.football.example.com": [
        ["TXT", "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bd"
                "OKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLz"
                "BfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"]],
}


def test_rfc8463_example_verifies_both_signatures():
    res = verify_all(RFC8463_MESSAGE, StaticResolver(RFC8463_KEYS))
    assert [(r.selector, r.algorithm, r.result) for r in res] == [
        ("brisbane", "ed25519-sha256", "pass"), ("test", "rsa-sha256", "pass")]


def test_rfc8463_example_tampered_body_fails_both():
    res = verify_all(RFC8463_MESSAGE.replace(b"hungry", b"thirsty"), StaticResolver(RFC8463_KEYS))
    assert [r.result for r in res] == ["fail", "fail"]


def test_generated_rsa_and_ed25519_signatures_each_verify():
    pem, rsa_rec = rsa_key()
    ed, ed_rec = ed25519_key()
    signed = sign(sign(MSG, "example.com", "r1", pem), "example.com", "e1", ed, "ed25519-sha256")
    res = verify_all(signed, StaticResolver({"r1._domainkey.example.com": [["TXT", rsa_rec]],
                                             "e1._domainkey.example.com": [["TXT", ed_rec]]}))
    assert {(r.selector, r.result) for r in res} == {("r1", "pass"), ("e1", "pass")}


def test_a_bad_first_signature_does_not_hide_a_good_second_one():
    pem, rsa_rec = rsa_key()
    ed, _ = ed25519_key()
    other, other_rec = ed25519_key(seed=1)
    signed = sign(MSG, "example.com", "r1", pem)
    # a second party signs on top, but the key it publishes is not the one it signed with
    signed = sign(signed, "attacker.example", "x", ed, "ed25519-sha256")
    zone = StaticResolver({"r1._domainkey.example.com": [["TXT", rsa_rec]],
                           "x._domainkey.attacker.example": [["TXT", other_rec]]})
    res = [(r.domain, r.result) for r in verify_all(signed, zone)]
    assert res == [("attacker.example", "fail"), ("example.com", "pass")]


def test_missing_key_is_permerror_and_timeout_is_temperror():
    pem, _ = rsa_key()
    signed = sign(MSG, "example.com", "r1", pem)
    assert [r.result for r in verify_all(signed, StaticResolver({}))] == ["permerror"]
    slow = StaticResolver({"r1._domainkey.example.com": "TIMEOUT"})
    assert [r.result for r in verify_all(signed, slow)] == ["temperror"]
    assert [r.result for r in verify_all(signed, None)] == ["temperror"]


def test_altered_header_fails():
    pem, rsa_rec = rsa_key()
    signed = sign(MSG, "example.com", "r1", pem).replace(b"Subject: Lunch", b"Subject: Invoice overdue")
    res = verify_all(signed, StaticResolver({"r1._domainkey.example.com": [["TXT", rsa_rec]]}))
    assert [r.result for r in res] == ["fail"]


def test_mbox_from_line_is_ignored():
    pem, rsa_rec = rsa_key()
    signed = b"From alice@example.com Mon Jan  1 10:00:00 2024\n" + sign(MSG, "example.com", "r1", pem)
    res = verify_all(signed, StaticResolver({"r1._domainkey.example.com": [["TXT", rsa_rec]]}))
    assert [r.result for r in res] == ["pass"]


def test_body_length_limited_signature_reports_an_appended_tail():
    import dkim

    pem, rsa_rec = rsa_key()
    sig = dkim.sign(MSG, b"r1", b"example.com", pem, length=True,
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    zone = StaticResolver({"r1._domainkey.example.com": [["TXT", rsa_rec]]})
    clean = verify_all(sig + MSG, zone)
    assert [(r.result, r.unsigned_tail) for r in clean] == [("pass", 0)]
    appended = sig + MSG + b"\r\n" + b"Call our billing desk now on +1 800 555 0100 to cancel the charge.\r\n" * 3
    res = verify_all(appended, zone)
    assert res[0].result == "pass" and res[0].unsigned_tail > 100


def test_engine_reports_the_unsigned_tail():
    import dkim

    from mailwarden.engine import Engine

    pem, rsa_rec = rsa_key()
    sig = dkim.sign(MSG, b"r1", b"example.com", pem, length=True,
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    zone = StaticResolver({"r1._domainkey.example.com": [["TXT", rsa_rec]]})
    raw = sig + MSG + b"\r\n" + b"Your account is locked: verify at https://login.example.net/now\r\n" * 3
    v = Engine(resolver=zone, analyzers=["headers", "auth"]).scan(raw)
    assert v.auth["dkim"][0]["result"] == "pass"
    assert "DKIM_UNSIGNED_BODY_TAIL" in {f.symbol for f in v.findings}
