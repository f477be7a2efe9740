from mailwarden.engine import Engine
from mailwarden.envelope import Envelope

from conftest import make_message


def test_envelope_is_derived_from_receiving_hop_and_marked():
    raw = make_message([("Return-Path", "<bounce@sender.test>"),
                        ("Received", "from mail.sender.test (mail.sender.test [198.51.100.7]) by mx.us.test "
                                     "with ESMTPS id 1 for <dana@us.test>; Tue, 17 Nov 2026 09:12:03 +0000"),
                        ("From", "a@sender.test")])
    v = Engine(analyzers="none").scan(raw)
    assert v.envelope == {"ip": "198.51.100.7", "helo": "mail.sender.test", "mail_from": "bounce@sender.test",
                          "rcpt": ["dana@us.test"], "derived": True}


def test_given_envelope_is_not_marked_derived():
    raw = make_message({"From": "a@sender.test"})
    env = Envelope(ip="192.0.2.1", helo="h.test", mail_from="x@sender.test", rcpt=["r@us.test"])
    v = Engine(analyzers="none").scan(raw, env)
    assert v.envelope["derived"] is False and v.envelope["ip"] == "192.0.2.1"


def test_cli_rejects_bad_ip(tmp_path):
    import subprocess
    import sys

    f = tmp_path / "m.eml"
    f.write_bytes(raw := make_message({"From": "a@sender.test"}))
    assert raw
    r = subprocess.run([sys.executable, "-m", "mailwarden", "scan", str(f), "--ip", "999.1.1.1"],
                       capture_output=True, timeout=60)
    assert r.returncode == 2 and b"not an IP address" in r.stderr
