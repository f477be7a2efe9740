"""Without DNS (no zone, network down, DNS disabled) authentication is temperror/none, never pass,
and nothing silently falls back to the system resolver."""

from __future__ import annotations

import pytest
import spf as pyspf

from dkimkeys import rsa_key, sign
from mailwarden.auth import spf as our_spf
from mailwarden.config import config_from_dict
from mailwarden.dns import NullResolver
from mailwarden.engine import Engine
from mailwarden.envelope import Envelope

MSG = (b"From: Bank <alerts@bank.example>\r\nTo: you@example.org\r\nSubject: Notice\r\n"
       b"Message-ID: <n1@bank.example>\r\n\r\nHello.\r\n")


@pytest.fixture(params=["null", "disabled"])
def engine(request):
    if request.param == "null":
        return Engine(resolver=NullResolver(), analyzers=["headers", "auth"])
    return Engine(config=config_from_dict({"dns": {"enabled": False}}), analyzers=["headers", "auth"])


def test_nothing_passes_without_dns(engine):
    pem, _ = rsa_key()
    raw = sign(MSG, "bank.example", "s1", pem)
    v = engine.scan(raw, Envelope(ip="192.0.2.1", helo="mail.bank.example", mail_from="alerts@bank.example"))
    a = v.auth
    assert a["spf"]["result"] == "temperror"
    assert [d["result"] for d in a["dkim"]] == ["temperror"]
    assert a["dkim"][0]["domain"] == "bank.example" and a["dkim"][0]["selector"] == "s1"
    assert a["dmarc"]["result"] == "temperror"
    assert not any(f.symbol.startswith(("AUTH_PASS", "DMARC_FAIL", "SPF_FAIL", "DKIM_FAIL")) for f in v.findings)


def test_pyspf_cannot_reach_the_system_resolver():
    # pyspf's module-level lookup is ours; with no resolver bound it refuses instead of asking the system.
    assert pyspf.DNSLookup is our_spf._lookup
    with pytest.raises(pyspf.TempError):
        pyspf.DNSLookup("example.com", "TXT")
    assert our_spf.check_mailfrom(None, "192.0.2.1", "a@example.com", "x.example").result == "temperror"


def test_no_envelope_and_no_received_gives_none():
    v = Engine(resolver=NullResolver(), analyzers=["headers", "auth"]).scan(MSG)
    assert v.auth["spf"]["result"] == "none"
