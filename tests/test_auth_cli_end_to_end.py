"""End to end: `mailwarden scan --dns-zone FILE --ip … --helo … --from …` reproduces what a receiving
MTA computes, for messages DKIM-signed in the test with generated RSA and Ed25519 keys."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dkimkeys import ed25519_key, rsa_key, sign

CLI = [sys.executable, "-m", "mailwarden.frontends.cli"]

BODY = (b"From: Example Billing <billing@example.com>\r\nTo: customer@example.org\r\n"
        b"Subject: Your receipt\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\n"
        b"Message-ID: <receipt-42@example.com>\r\n"
        b"Received: from mail.example.com (mail.example.com [192.0.2.10]) by mx.example.org with ESMTPS; "
        b"Tue, 02 Jan 2024 10:00:01 +0000\r\n\r\nThank you for your order.\r\n")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("e2e")
    pem, rsa_rec = rsa_key()
    ed, ed_rec = ed25519_key()
    zone = {
        "example.com": [["TXT", "v=spf1 ip4:192.0.2.0/24 -all"], ["A", "192.0.2.10"]],
        "mail.example.com": [["TXT", "v=spf1 a -all"], ["A", "192.0.2.10"]],
        "_dmarc.example.com": [["TXT", "v=DMARC1; p=reject; rua=mailto:d@example.com"]],
        "rsa2024._domainkey.example.com": [["TXT", rsa_rec]],
        "ed2024._domainkey.example.com": [["TXT", ed_rec]],
    }
    zfile = d / "zone.json"
    zfile.write_text(json.dumps(zone))
    signed = sign(sign(BODY, "example.com", "rsa2024", pem), "example.com", "ed2024", ed, "ed25519-sha256")
    good = d / "signed.eml"
    good.write_bytes(signed)
    spoof = d / "spoof.eml"
    spoof.write_bytes(BODY)
    return d, zfile, good, spoof


def scan(*args):
    r = subprocess.run([*CLI, "scan", "--format", "json", *map(str, args)], capture_output=True, timeout=120)
    assert r.returncode in (0, 1), r.stderr.decode()
    return r.returncode, json.loads(r.stdout)[0]


def test_signed_message_with_given_envelope_passes_everything(setup):
    _, zfile, good, _ = setup
    rc, v = scan(good, "--dns-zone", zfile, "--ip", "192.0.2.10", "--helo", "mail.example.com",
                 "--from", "bounces@example.com")
    auth = v["auth"]
    assert auth["source"] == "computed"
    assert auth["spf"] == {"result": "pass", "domain": "example.com"}
    assert sorted((d["selector"], d["result"]) for d in auth["dkim"]) == [("ed2024", "pass"), ("rsa2024", "pass")]
    assert auth["dmarc"] == {"result": "pass", "domain": "example.com", "policy": "reject"}
    assert auth["arc"] == {"result": "none"}
    assert v["envelope"]["derived"] is False
    # authentication passing never lowers the score
    assert v["score"] >= 0 and all(f["weight"] >= 0 for f in v["findings"])


def test_spoofed_message_from_a_foreign_server_fails_and_is_flagged(setup):
    _, zfile, _, spoof = setup
    rc, v = scan(spoof, "--dns-zone", zfile, "--ip", "198.51.100.66", "--helo", "evil.example",
                 "--from", "billing@example.com")
    assert v["auth"]["spf"]["result"] == "fail"
    assert v["auth"]["dkim"] == []
    assert v["auth"]["dmarc"] == {"result": "fail", "domain": "example.com", "policy": "reject"}
    symbols = {f["symbol"] for f in v["findings"]}
    assert {"SPF_FAIL", "DMARC_FAIL_REJECT"} <= symbols
    assert rc == 1 and v["action"] in ("tag", "quarantine", "reject")


def test_tampered_signed_message_fails_dkim(setup):
    d, zfile, good, _ = setup
    bad = d / "tampered.eml"
    bad.write_bytes(good.read_bytes().replace(b"Thank you for your order.", b"Call +1 800 555 0100 now."))
    _, v = scan(bad, "--dns-zone", zfile, "--ip", "198.51.100.66", "--helo", "evil.example",
                "--from", "billing@example.com")
    assert {d["result"] for d in v["auth"]["dkim"]} == {"fail"}
    assert v["auth"]["dmarc"]["result"] == "fail"
    assert "DKIM_FAIL" in {f["symbol"] for f in v["findings"]}


def test_envelope_is_derived_from_the_receiving_hop_when_not_given(setup):
    _, zfile, good, _ = setup
    _, v = scan(good, "--dns-zone", zfile)
    assert v["envelope"]["derived"] is True
    assert v["envelope"]["ip"] == "192.0.2.10"
    assert v["auth"]["spf"]["result"] == "pass"  # postmaster@mail.example.com, RFC 7208 §2.4
    assert v["auth"]["dmarc"]["result"] == "pass"  # by DKIM


def test_master_file_zone_and_timeouts(setup, tmp_path):
    _, _, good, _ = setup
    zfile = tmp_path / "example.zone"
    zfile.write_text("$ORIGIN example.com.\n$TTL 60\n@ IN TXT \"v=spf1 ip4:192.0.2.10 -all\"\n")
    _, v = scan(good, "--dns-zone", zfile, "--ip", "192.0.2.10", "--helo", "mail.example.com",
                "--from", "bounces@example.com")
    assert v["auth"]["spf"]["result"] == "pass"
    assert {d["result"] for d in v["auth"]["dkim"]} == {"permerror"}  # keys not in this zone
    assert v["auth"]["dmarc"]["result"] == "none"
    slow = tmp_path / "slow.json"
    slow.write_text(json.dumps({"example.com": "TIMEOUT", "_dmarc.example.com": "TIMEOUT"}))
    _, v = scan(good, "--dns-zone", slow, "--ip", "192.0.2.10", "--from", "bounces@example.com")
    assert v["auth"]["spf"]["result"] == "temperror"
    assert v["auth"]["dmarc"]["result"] == "temperror"


def test_empty_zone_never_passes(setup, tmp_path):
    _, _, good, _ = setup
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    _, v = scan(good, "--dns-zone", empty, "--ip", "192.0.2.10", "--from", "bounces@example.com")
    a = v["auth"]
    assert a["spf"]["result"] == "none" and a["dmarc"]["result"] == "none"
    assert all(d["result"] != "pass" for d in a["dkim"])


def test_trust_upstream_rejects_unknown_provider(setup):
    _, _, good, _ = setup
    r = subprocess.run([*CLI, "scan", str(good), "--trust-upstream", "nosuchprovider"], capture_output=True,
                       timeout=120)
    assert r.returncode == 2
